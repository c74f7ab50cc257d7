package admission

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Mode says what a namespace does with failing findings.
type Mode uint8

const (
	// ModeEnforce denies a request with a failing finding. It is the zero value.
	ModeEnforce Mode = iota
	// ModeAudit allows the request and reports the findings as warnings
	// and audit annotations.
	ModeAudit
)

// String returns "enforce" or "audit".
func (m Mode) String() string {
	if m == ModeAudit {
		return "audit"
	}
	return "enforce"
}

// MarshalText implements [encoding.TextMarshaler].
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "enforce":
		*m = ModeEnforce
	case "audit":
		*m = ModeAudit
	default:
		return fmt.Errorf("mode %q: want enforce or audit", b)
	}
	return nil
}

// Failure says what happens when a request cannot be evaluated (an internal
// error or a timeout).
type Failure uint8

const (
	// FailClosed denies. It is the zero value.
	FailClosed Failure = iota
	// FailOpen allows, with a warning.
	FailOpen
)

// String returns "closed" or "open".
func (f Failure) String() string {
	if f == FailOpen {
		return "open"
	}
	return "closed"
}

// MarshalText implements [encoding.TextMarshaler].
func (f Failure) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (f *Failure) UnmarshalText(b []byte) error {
	switch string(b) {
	case "closed":
		*f = FailClosed
	case "open":
		*f = FailOpen
	default:
		return fmt.Errorf("failure %q: want closed or open", b)
	}
	return nil
}

// Duration is a [time.Duration] that reads and writes as a Go duration
// string ("168h").
type Duration time.Duration

// MarshalText implements [encoding.TextMarshaler].
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

// NamespaceConfig is the setting of one namespace.
type NamespaceConfig struct {
	Mode    Mode    `json:"mode"`
	Failure Failure `json:"failure"`
}

// VSAConfig is what a verification summary must satisfy.
type VSAConfig struct {
	// MaxAge is the oldest a summary may be; default 168h.
	MaxAge Duration `json:"max_age"`
	// PolicyDigests are the accepted policy digests ("sha256:<hex>");
	// empty accepts any.
	PolicyDigests []string `json:"policy_digests"`
	// VerifierID, when set, must equal the summary's verifier.id.
	VerifierID string `json:"verifier_id"`
}

// Config is the registry's top-level admission section. The zero value is
// not usable; start from [DefaultConfig] and decode over it.
type Config struct {
	// Namespaces holds per-namespace settings; other namespaces get
	// DefaultMode and fail closed.
	Namespaces map[string]NamespaceConfig `json:"namespaces"`
	// DefaultMode is the mode of namespaces not listed; default enforce.
	DefaultMode Mode `json:"default_mode"`
	// Exempt lists namespaces the webhook admits without evaluation.
	Exempt []string `json:"exempt"`
	// Registries are the allowed image prefixes ("ghcr.io/acme"), matched
	// on path boundaries after Docker Hub normalisation; empty allows any.
	Registries []string  `json:"registries"`
	VSA        VSAConfig `json:"vsa"`
}

// DefaultMaxAge is the default [VSAConfig.MaxAge].
const DefaultMaxAge = 168 * time.Hour

// DefaultConfig is the configuration with no admission section: every
// namespace except kube-system and hubgate-system is enforced with every
// rule, and fails closed.
func DefaultConfig() Config {
	return Config{
		DefaultMode: ModeEnforce,
		Exempt:      []string{"kube-system", "hubgate-system"},
		VSA:         VSAConfig{MaxAge: Duration(DefaultMaxAge)},
	}
}

// ParseConfig decodes an admission section (JSON) over [DefaultConfig] and
// validates it. Unknown fields are errors.
func ParseConfig(b []byte) (Config, error) {
	c := DefaultConfig()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("admission config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var errs []error
	if c.VSA.MaxAge <= 0 {
		errs = append(errs, errors.New("admission config: vsa.max_age: must be positive"))
	}
	for i, r := range c.Registries {
		if strings.TrimSpace(r) == "" || strings.ContainsAny(r, "@ \t\n") || strings.Contains(r, "://") {
			errs = append(errs, fmt.Errorf("admission config: registries[%d]: %q is not an image prefix", i, r))
		}
	}
	for i, d := range c.VSA.PolicyDigests {
		algo, h, ok := strings.Cut(d, ":")
		if !ok || algo != "sha256" || len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			errs = append(errs, fmt.Errorf("admission config: vsa.policy_digests[%d]: %q: want sha256:<64 lower-case hex>", i, d))
		}
	}
	return errors.Join(errs...)
}

// Namespace returns the setting of ns, and whether ns is exempt.
func (c Config) Namespace(ns string) (NamespaceConfig, bool) {
	if slices.Contains(c.Exempt, ns) {
		return NamespaceConfig{}, true
	}
	if nc, ok := c.Namespaces[ns]; ok {
		return nc, false
	}
	return NamespaceConfig{Mode: c.DefaultMode, Failure: FailClosed}, false
}
