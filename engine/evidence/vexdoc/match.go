package vexdoc

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

// DefaultMaxNearMisses bounds the near misses reported per vulnerability.
const DefaultMaxNearMisses = 20

// MatcherOptions tunes [NewMatcher].
type MatcherOptions struct {
	// Subjects are the release subject's digests ("sha256:hex"). A product
	// with one of them is the subject.
	Subjects []string
	// Now is the evaluation time, for MaxAge.
	Now time.Time
	// MaxAge ignores statements older than Now-MaxAge; 0 means no limit.
	MaxAge time.Duration
	// MaxNearMisses bounds the near misses per vulnerability; 0 means
	// [DefaultMaxNearMisses].
	MaxNearMisses int
}

// Query is one vulnerability as a scanner found it.
type Query struct {
	ID      string
	Aliases []string
	// PURLs are the affected components. Empty when the scanner named
	// none: then only statements about the subject as a whole apply.
	PURLs []bom.PURL
}

// Ref points at one statement and the product in it that was considered.
type Ref struct {
	Evidence      string `json:"evidence"`
	Path          string `json:"path"`
	ID            string `json:"id"`
	Vulnerability string `json:"vulnerability"`
	Status        Status `json:"status"`
	Justification string `json:"justification"`
	Impact        string `json:"impact"`
	// Timestamp is RFC 3339, "" when the statement has none.
	Timestamp string `json:"timestamp"`
	// Product names the product (or subcomponent) of the statement that was
	// compared.
	Product string `json:"product"`
}

// NearMiss is a statement about the same vulnerability that did not decide
// it, and why.
type NearMiss struct {
	Ref
	Reason string `json:"reason"`
}

// Result is what the statements say about one vulnerability.
type Result struct {
	// Status is the deciding statement's status, "" when none applied.
	Status Status `json:"status"`
	// Suppressed is true when Status is not_affected or fixed.
	Suppressed bool `json:"suppressed"`
	// Decision is the deciding statement, nil when none applied.
	Decision *Ref `json:"decision"`
	// Ties are the statements made at the same time as the deciding one
	// that say another status; the less favourable status decided.
	Ties []Ref `json:"ties"`
	// NearMisses are other statements for the same vulnerability, at most
	// MaxNearMisses; NearMissTotal counts them all.
	NearMisses    []NearMiss `json:"near_misses"`
	NearMissTotal int        `json:"near_miss_total"`
}

// entry is one (statement, product, subcomponent) in an index.
type entry struct {
	stmt, prod, sub int32 // sub is -1 for the product itself
	purl            int32 // index into the product's (or sub's) PURLs, -1 for none
	bound           bool  // the product is bound to the subject
}

// Matcher answers [Query]s against a fixed set of statements. It is
// immutable after [NewMatcher] and safe for concurrent use.
type Matcher struct {
	stmts    []Statement
	opts     MatcherOptions
	subjects map[string]bool
	// subject holds products bound to the subject with no subcomponents,
	// by vulnerability key.
	subject map[string][]entry
	// byPURL holds purl-named products (and subcomponents of bound
	// products), by vulnerability key and purl base.
	byPURL map[purlKey][]entry
	// all holds every entry by vulnerability key, for near misses.
	all map[string][]entry
	// subjectNames lists the subject digests for messages.
	subjectNames string
}

func vulnKey(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// NewMatcher indexes stmts. Statements keep their order: it breaks timestamp
// ties (the later one wins).
func NewMatcher(stmts []Statement, opts MatcherOptions) *Matcher {
	if opts.MaxNearMisses <= 0 {
		opts.MaxNearMisses = DefaultMaxNearMisses
	}
	m := &Matcher{
		stmts:    stmts,
		opts:     opts,
		subjects: map[string]bool{},
		subject:  map[string][]entry{},
		byPURL:   make(map[purlKey][]entry, len(stmts)),
		all:      make(map[string][]entry, len(stmts)),
	}
	for _, d := range opts.Subjects {
		alg, hex, _ := strings.Cut(d, ":")
		if s := bom.DigestString(alg, hex); s != "" {
			m.subjects[s] = true
		}
	}
	m.subjectNames = subjectList(m.subjects)
	keys := make([]string, 0, 4)
	for si := range stmts {
		s := &stmts[si]
		keys = keys[:0]
		for _, id := range append([]string{s.Vulnerability}, s.Aliases...) {
			k := vulnKey(id)
			if k != "" && !contains(keys, k) {
				keys = append(keys, k)
			}
		}
		for pi := range s.Products {
			p := &s.Products[pi]
			bound := m.bound(p)
			for _, k := range keys {
				m.all[k] = append(m.all[k], entry{stmt: int32(si), prod: int32(pi), sub: -1, purl: -1, bound: bound})
				switch {
				case bound && len(p.Subcomponents) == 0:
					m.subject[k] = append(m.subject[k], entry{stmt: int32(si), prod: int32(pi), sub: -1, purl: -1, bound: true})
				case bound:
					for ci := range p.Subcomponents {
						for ui, u := range p.Subcomponents[ci].PURLs {
							key := purlKey{k, u.Base}
							m.byPURL[key] = append(m.byPURL[key], entry{stmt: int32(si), prod: int32(pi), sub: int32(ci), purl: int32(ui), bound: true})
						}
					}
				default:
					for ui, u := range p.PURLs {
						key := purlKey{k, u.Base}
						m.byPURL[key] = append(m.byPURL[key], entry{stmt: int32(si), prod: int32(pi), sub: -1, purl: int32(ui)})
					}
				}
			}
		}
	}
	return m
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (m *Matcher) bound(p *Product) bool {
	for _, d := range p.Digests {
		if m.subjects[d] {
			return true
		}
	}
	return false
}

func (m *Matcher) ref(e entry) Ref {
	s := &m.stmts[e.stmt]
	p := &s.Products[e.prod]
	name := p.Name()
	if e.sub >= 0 {
		sc := &p.Subcomponents[e.sub]
		name = sc.Name() + " in " + name
	}
	r := Ref{
		Evidence:      s.Evidence,
		Path:          s.Path,
		ID:            s.ID,
		Vulnerability: s.Vulnerability,
		Status:        s.Status,
		Justification: s.Justification,
		Impact:        s.Impact,
		Product:       name,
	}
	if !s.Timestamp.IsZero() {
		r.Timestamp = s.Timestamp.UTC().Format(time.RFC3339)
	}
	return r
}

type seenKey struct{ stmt, prod int32 }

// purlKey keys byPURL: a vulnerability key and a purl base. A struct key
// needs no string concatenation per lookup.
type purlKey struct{ vuln, base string }

// Match decides q.
func (m *Matcher) Match(q Query) Result {
	var res Result
	keys := make([]string, 0, 1+len(q.Aliases))
	for _, id := range append([]string{q.ID}, q.Aliases...) {
		k := vulnKey(id)
		if k != "" && !contains(keys, k) {
			keys = append(keys, k)
		}
	}
	var applicable []entry
	seen := map[seenKey]bool{}
	// mismatch keeps the first reason a purl-indexed entry did not match.
	mismatch := map[seenKey]string{}
	for _, k := range keys {
		for _, e := range m.subject[k] {
			sk := seenKey{e.stmt, e.prod}
			if !seen[sk] {
				seen[sk] = true
				applicable = append(applicable, e)
			}
		}
		for qi := range q.PURLs {
			a := &q.PURLs[qi]
			for _, e := range m.byPURL[purlKey{k, a.Base}] {
				sk := seenKey{e.stmt, e.prod}
				if seen[sk] {
					continue
				}
				ok, why := bom.MatchPURL(m.purlOf(e), *a)
				if ok {
					seen[sk] = true
					delete(mismatch, sk)
					applicable = append(applicable, e)
				} else if _, has := mismatch[sk]; !has {
					mismatch[sk] = why
				}
			}
		}
	}
	// Filter the applicable ones: future-dated, unjustified and stale
	// statements do not count.
	var counted []entry
	for _, e := range applicable {
		s := &m.stmts[e.stmt]
		if d, future := s.FutureDate(m.opts.Now); future {
			what := "the statement"
			if d.Document {
				what = "its document"
			}
			m.nearMiss(&res, e, fmt.Sprintf("is ignored: %s is dated after the evaluation time (%s %s, now %s)", what, d.Field, d.Time.UTC().Format(time.RFC3339), m.opts.Now.UTC().Format(time.RFC3339)))
			continue
		}
		switch {
		case s.InvalidJustification && s.Status == StatusNotAffected:
			m.nearMiss(&res, e, fmt.Sprintf("not_affected with the justification %q, which is not an enumerated value, does not count", s.Justification))
		case !s.Justified():
			m.nearMiss(&res, e, "not_affected without a justification or impact statement does not count")
		case m.opts.MaxAge > 0 && s.Timestamp.IsZero():
			m.nearMiss(&res, e, fmt.Sprintf("has no timestamp, and statements must be younger than %s", m.opts.MaxAge))
		case m.opts.MaxAge > 0 && m.opts.Now.Sub(s.Timestamp) > m.opts.MaxAge:
			m.nearMiss(&res, e, fmt.Sprintf("is older than the maximum age %s (made %s)", m.opts.MaxAge, s.Timestamp.UTC().Format(time.RFC3339)))
		default:
			counted = append(counted, e)
		}
	}
	if len(counted) > 0 {
		// Latest wins. A tie on time goes to the least favourable status
		// (Status.rank), then to the smallest (evidence, path, product):
		// never to the input order.
		sort.SliceStable(counted, func(i, j int) bool {
			a, b := &m.stmts[counted[i].stmt], &m.stmts[counted[j].stmt]
			if !a.Timestamp.Equal(b.Timestamp) {
				return a.Timestamp.After(b.Timestamp)
			}
			if ra, rb := a.Status.rank(), b.Status.rank(); ra != rb {
				return ra < rb
			}
			if a.Evidence != b.Evidence {
				return a.Evidence < b.Evidence
			}
			if a.Path != b.Path {
				return a.Path < b.Path
			}
			return counted[i].prod < counted[j].prod
		})
		win := m.ref(counted[0])
		winStmt := &m.stmts[counted[0].stmt]
		res.Decision = &win
		res.Status = win.Status
		res.Suppressed = win.Status.Suppresses()
		for _, e := range counted[1:] {
			if e.stmt == counted[0].stmt {
				continue
			}
			s := &m.stmts[e.stmt]
			if s.Timestamp.Equal(winStmt.Timestamp) && s.Status != winStmt.Status {
				res.Ties = append(res.Ties, m.ref(e))
				m.nearMiss(&res, e, fmt.Sprintf("ties on time with %s (%s), which says %s: the less favourable status decides", refName(win), timeText(win.Timestamp), win.Status))
				continue
			}
			if s.Timestamp.Equal(winStmt.Timestamp) {
				m.nearMiss(&res, e, fmt.Sprintf("repeats %s (%s, same time and status)", refName(win), timeText(win.Timestamp)))
				continue
			}
			m.nearMiss(&res, e, fmt.Sprintf("superseded by the later statement %s (%s)", refName(win), timeText(win.Timestamp)))
		}
	}
	// Every other statement for the same vulnerability is a near miss,
	// except other products of a statement that applied.
	applied := map[int32]bool{}
	for _, e := range applicable {
		applied[e.stmt] = true
	}
	for _, k := range keys {
		for i, e := range m.all[k] {
			if len(res.NearMisses) >= m.opts.MaxNearMisses {
				// Count the rest without explaining them.
				res.NearMissTotal += len(m.all[k]) - i
				break
			}
			sk := seenKey{e.stmt, e.prod}
			if seen[sk] || applied[e.stmt] {
				continue
			}
			seen[sk] = true
			if why, ok := mismatch[sk]; ok {
				m.nearMiss(&res, e, why)
				continue
			}
			m.nearMiss(&res, e, m.whyNot(e, q))
		}
	}
	// Near misses in a fixed order, whatever the order of the files.
	sort.SliceStable(res.NearMisses, func(i, j int) bool {
		a, b := &res.NearMisses[i], &res.NearMisses[j]
		if a.Evidence != b.Evidence {
			return a.Evidence < b.Evidence
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Product < b.Product
	})
	return res
}

func timeText(ts string) string {
	if ts == "" {
		return "no timestamp"
	}
	return ts
}

func refName(r Ref) string {
	if r.ID != "" {
		return r.ID
	}
	return r.Evidence + " " + r.Path
}

// purlOf returns the purl an index entry was filed under.
func (m *Matcher) purlOf(e entry) bom.PURL {
	p := &m.stmts[e.stmt].Products[e.prod]
	if e.sub >= 0 {
		return p.Subcomponents[e.sub].PURLs[e.purl]
	}
	return p.PURLs[e.purl]
}

// whyNot explains why a product that was not looked up did not apply.
func (m *Matcher) whyNot(e entry, q Query) string {
	p := &m.stmts[e.stmt].Products[e.prod]
	subjects := m.subjectNames
	if e.bound && len(p.Subcomponents) > 0 {
		var names []string
		for i := range p.Subcomponents {
			names = append(names, p.Subcomponents[i].Name())
		}
		if len(q.PURLs) == 0 {
			return fmt.Sprintf("limited to subcomponents %s, and the finding names no component", strings.Join(names, ", "))
		}
		return fmt.Sprintf("limited to subcomponents %s, not the affected %s", strings.Join(names, ", "), purlList(q.PURLs))
	}
	if len(p.Digests) > 0 {
		return fmt.Sprintf("product %s is another artifact: its digest %s is not a subject digest (%s)", p.Name(), p.Digests[0], subjects)
	}
	if len(p.PURLs) > 0 {
		if len(q.PURLs) == 0 {
			return fmt.Sprintf("product %s is a package, and the finding names no component; only a statement about the subject (%s) covers it", p.Name(), subjects)
		}
		return fmt.Sprintf("product %s is another package than the affected %s", p.Name(), purlList(q.PURLs))
	}
	return fmt.Sprintf("product %s resolves to no purl or digest (not in the VEX document or the given SBOMs), so it names neither the subject (%s) nor the affected component", p.Name(), subjects)
}

func subjectList(subjects map[string]bool) string {
	if len(subjects) == 0 {
		return "no subject digest given"
	}
	ds := make([]string, 0, len(subjects))
	for d := range subjects {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	return strings.Join(ds, ", ")
}

func purlList(ps []bom.PURL) string {
	ss := make([]string, len(ps))
	for i := range ps {
		ss[i] = ps[i].Canonical
	}
	return strings.Join(ss, ", ")
}

func (m *Matcher) nearMiss(res *Result, e entry, reason string) {
	res.NearMissTotal++
	if len(res.NearMisses) < m.opts.MaxNearMisses {
		res.NearMisses = append(res.NearMisses, NearMiss{Ref: m.ref(e), Reason: reason})
	}
}
