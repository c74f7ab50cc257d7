package egress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// MaxAttempts bounds the attempts read from one file.
const MaxAttempts = 1_000_000

// maxLine bounds one Squid log line.
const maxLine = 64 << 10

// Format names the format a file was read as.
type Format string

const (
	FormatReport Format = "egress-report"
	FormatSquid  Format = "squid"
)

// Attempt is one connection attempt as the proxy saw it.
type Attempt struct {
	// Host is the host as written in the evidence (not normalised).
	Host string `json:"host"`
	// Port is the destination port, 0 when unknown.
	Port int `json:"port"`
	// Allowed is true when the proxy let the connection through.
	Allowed bool `json:"allowed"`
	// Time is the attempt's time as written, if any.
	Time string `json:"time,omitempty"`
	// Line is the 1-based line of a Squid log entry, 0 for JSON.
	Line int `json:"line,omitempty"`
	// Index is the 0-based position of a report entry in "attempts", -1
	// for a Squid log line.
	Index int `json:"index"`
}

// Report is one parsed evidence file.
type Report struct {
	Format Format
	// Timestamp, Enforcement, AllowedDomains, LogFile and ClaimedBlocked are
	// what an egress-report.json claims; they are not verified.
	Timestamp      string
	Enforcement    string
	AllowedDomains []string
	LogFile        string
	ClaimedBlocked *int
	// HasAttempts is false for a report without per-attempt records: it
	// then says nothing about which hosts were reached.
	HasAttempts bool
	Attempts    []Attempt
	// Problems are lines or records that could not be read; each names its
	// line or path.
	Problems []Problem
}

// Problem is a part of the file that could not be read.
type Problem struct {
	Path    string
	Line    int
	Message string
}

// ErrFormat is wrapped when a file is neither format.
var ErrFormat = errors.New("not an egress report or squid access log")

// Parse reads an egress-report.json (first non-space byte '{') or a Squid
// native access.log.
func Parse(b []byte) (*Report, error) {
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(t) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrFormat)
	}
	if t[0] == '{' {
		return ParseReport(t)
	}
	return ParseSquid(b)
}

type jsonReport struct {
	Timestamp      string          `json:"timestamp"`
	Enforcement    string          `json:"enforcement"`
	AllowedDomains []string        `json:"allowed_domains"`
	BlockedAtt     json.RawMessage `json:"blocked_attempts"`
	LogFile        string          `json:"log_file"`
	Attempts       []jsonAttempt   `json:"attempts"`
}

// jsonAttempt has no pointer fields: a report holds up to [MaxAttempts]
// records, and one allocation per field per record dominated the cost.
type jsonAttempt struct {
	Host    string  `json:"host"`
	Port    int     `json:"port"`
	Allowed optBool `json:"allowed"`
	Time    string  `json:"time"`
}

// optBool is a JSON boolean that remembers whether it was given.
type optBool uint8

const (
	boolUnset optBool = iota
	boolFalse
	boolTrue
)

// UnmarshalJSON accepts true, false and null (unset).
func (o *optBool) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true":
		*o = boolTrue
	case "false":
		*o = boolFalse
	case "null":
		*o = boolUnset
	default:
		return fmt.Errorf("allowed: want a boolean, got %.20s", b)
	}
	return nil
}

// ParseReport reads the hub's egress-report.json. Attempts missing host or
// allowed are problems; a bad attempt never counts as blocked.
func ParseReport(b []byte) (*Report, error) {
	var j jsonReport
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("parse egress report: %w", err)
	}
	if len(j.Attempts) > MaxAttempts {
		return nil, fmt.Errorf("parse egress report: attempts: %d records exceed the limit of %d", len(j.Attempts), MaxAttempts)
	}
	r := &Report{
		Format: FormatReport, Timestamp: j.Timestamp, Enforcement: j.Enforcement,
		AllowedDomains: j.AllowedDomains, LogFile: j.LogFile, ClaimedBlocked: claimedCount(j.BlockedAtt),
		HasAttempts: j.Attempts != nil,
	}
	r.Attempts = make([]Attempt, 0, len(j.Attempts))
	for i, a := range j.Attempts {
		if a.Host != "" && a.Allowed != boolUnset && a.Port >= 0 && a.Port <= 65535 {
			r.Attempts = append(r.Attempts, Attempt{Host: a.Host, Port: a.Port, Allowed: a.Allowed == boolTrue, Time: a.Time, Index: i})
			continue
		}
		p := "attempts[" + strconv.Itoa(i) + "]"
		switch {
		case a.Host == "":
			r.Problems = append(r.Problems, Problem{Path: p + ".host", Message: "missing host"})
		case a.Allowed == boolUnset:
			r.Problems = append(r.Problems, Problem{Path: p + ".allowed", Message: "missing allowed"})
		default:
			r.Problems = append(r.Problems, Problem{Path: p + ".port", Message: fmt.Sprintf("port %d out of range", a.Port)})
		}
	}
	return r, nil
}

// claimedCount reads the report's own blocked_attempts: a JSON integer, or
// a decimal string (shell interpolation writes either). It is a claim,
// only compared with the attempt records, so anything else is nil.
func claimedCount(m json.RawMessage) *int {
	var n int
	if json.Unmarshal(m, &n) == nil && len(m) > 0 && string(m) != "null" && n >= 0 {
		return &n
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		if v, err := strconv.Atoi(s); err == nil && v >= 0 && strings.Trim(s, "0123456789") == "" {
			return &v
		}
	}
	return nil
}

// ParseSquid reads a Squid native access.log:
//
//	time elapsed client code/status bytes method URL user hierarchy/peer type
//
// Blank lines and lines starting with '#' are skipped.
func ParseSquid(b []byte) (*Report, error) {
	r := &Report{Format: FormatSquid, HasAttempts: true}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(r.Attempts) >= MaxAttempts {
			return nil, fmt.Errorf("parse squid log: line %d: more than %d entries", n, MaxAttempts)
		}
		at, err := squidLine(line)
		if err != nil {
			r.Problems = append(r.Problems, Problem{Line: n, Message: err.Error()})
			continue
		}
		at.Line = n
		r.Attempts = append(r.Attempts, at)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse squid log: line %d: %w", n+1, err)
	}
	if len(r.Attempts) == 0 && len(r.Problems) > 0 {
		return nil, fmt.Errorf("%w: no line of %d parsed (line %d: %s)", ErrFormat, n, r.Problems[0].Line, r.Problems[0].Message)
	}
	return r, nil
}

func squidLine(line string) (Attempt, error) {
	f := strings.Fields(line)
	if len(f) < 7 {
		return Attempt{}, fmt.Errorf("want at least 7 fields, got %d", len(f))
	}
	ts, code, method, target := f[0], f[3], f[5], f[6]
	if _, err := strconv.ParseFloat(ts, 64); err != nil {
		return Attempt{}, fmt.Errorf("time %q: not a unix timestamp", ts)
	}
	result, status, ok := strings.Cut(code, "/")
	if !ok || result == "" || status == "" {
		return Attempt{}, fmt.Errorf("result code %q: want CODE/STATUS", code)
	}
	at := Attempt{Allowed: !strings.Contains(result, "DENIED"), Time: ts, Index: -1}
	if method == "CONNECT" {
		h, p, err := SplitHostPort(target)
		if err != nil {
			return Attempt{}, fmt.Errorf("CONNECT target: %w", err)
		}
		at.Host, at.Port = h, p
		return at, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return Attempt{}, fmt.Errorf("url %q: %v", target, err)
	}
	if u.Host == "" {
		return Attempt{}, fmt.Errorf("url %q: no host", target)
	}
	h, p, err := SplitHostPort(u.Host)
	if err != nil {
		return Attempt{}, fmt.Errorf("url %q: %w", target, err)
	}
	if p == 0 {
		switch strings.ToLower(u.Scheme) {
		case "http", "ws":
			p = 80
		case "https", "wss":
			p = 443
		case "ftp":
			p = 21
		}
	}
	at.Host, at.Port = h, p
	return at, nil
}
