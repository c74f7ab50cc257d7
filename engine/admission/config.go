package admission

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
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

// ImageMapping says whose summaries an image accepts: the value of one
// admission.images entry, keyed by an image name prefix.
type ImageMapping struct {
	// Repos are the repositories ("owner/name") whose summaries the
	// images under the prefix accept; at least one.
	Repos []string `json:"repos"`
	// PolicyDigests, when set, are the accepted policy digests
	// ("sha256:<hex>"), on top of vsa.policy_digests.
	PolicyDigests []string `json:"policy_digests"`
	// RequiredLevels must each be met by the summary's verifiedLevels
	// ("SLSA_BUILD_LEVEL_1" is met by level 1 or higher).
	RequiredLevels []string `json:"required_levels"`
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
	Registries []string `json:"registries"`
	// Images maps image name prefixes ("ghcr.io/acme/api", matched on path
	// boundaries after Docker Hub normalisation, the longest prefix wins)
	// to the repos whose summaries they accept. An image under no prefix
	// has no acceptable summary.
	Images map[string]ImageMapping `json:"images"`
	VSA    VSAConfig               `json:"vsa"`
	// Waivers let known admission findings through until they expire,
	// the same waiver model as a repo's waivers: an expired waiver is
	// refused and is itself a finding.
	Waivers []Waiver `json:"waivers"`
}

// Waiver is one admission.waivers entry: it lets the findings of one
// admission rule (and, with Target, one target: a container name, a
// referrer annotation, a ConfigMap name) through until Expires.
type Waiver struct {
	Rule   string `json:"rule"`
	Target string `json:"target,omitempty"`
	Reason string `json:"reason"`
	Owner  string `json:"owner"`
	// Expires is an RFC 3339 date-time, or a date YYYY-MM-DD valid through
	// that whole UTC day.
	Expires string `json:"expires"`
}

// PolicyWaivers returns the waivers in the engine's vocabulary. A waiver
// whose expiry does not parse ([Config.Validate] reports it) is left out.
func (c Config) PolicyWaivers() []policy.Waiver {
	out := make([]policy.Waiver, 0, len(c.Waivers))
	for _, w := range c.Waivers {
		exp, err := registry.ParseExpires(w.Expires)
		if err != nil {
			continue
		}
		out = append(out, policy.Waiver{Rule: w.Rule, Target: w.Target, Reason: w.Reason, Owner: w.Owner, Expires: exp})
	}
	return out
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
		if !validDigest(d) {
			errs = append(errs, fmt.Errorf("admission config: vsa.policy_digests[%d]: %q: want sha256:<64 lower-case hex>", i, d))
		}
	}
	for i, w := range c.Waivers {
		at := fmt.Sprintf("admission config: waivers[%d]", i)
		if !strings.HasPrefix(w.Rule, "admission.") {
			errs = append(errs, fmt.Errorf("%s.rule: %q: want an admission rule id (admission.<name>)", at, w.Rule))
		}
		if strings.TrimSpace(w.Reason) == "" {
			errs = append(errs, fmt.Errorf("%s.reason: empty: say why the finding is accepted", at))
		}
		if strings.TrimSpace(w.Owner) == "" {
			errs = append(errs, fmt.Errorf("%s.owner: empty: name who answers for the waiver", at))
		}
		if _, err := registry.ParseExpires(w.Expires); err != nil {
			errs = append(errs, fmt.Errorf("%s.%v", at, err))
		}
	}
	prefixes := make([]string, 0, len(c.Images))
	for p := range c.Images {
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes) // every problem, in a stable order
	for _, p := range prefixes {
		m := c.Images[p]
		at := fmt.Sprintf("admission config: images[%q]", p)
		host, _, _ := strings.Cut(p, "/")
		if !rePrefix.MatchString(p) || (!strings.ContainsAny(host, ".:") && host != "localhost") {
			errs = append(errs, fmt.Errorf("%s: not an image name prefix: want REGISTRY[/PATH] as normalised names read (\"docker.io/library/nginx\", \"ghcr.io/acme\"), with no tag, digest, scheme or trailing slash", at))
		}
		if len(m.Repos) == 0 {
			errs = append(errs, fmt.Errorf("%s.repos: empty: name the repos whose summaries these images accept", at))
		}
		for i, r := range m.Repos {
			if !reRepo.MatchString(r) {
				errs = append(errs, fmt.Errorf("%s.repos[%d]: %q: want owner/name", at, i, r))
			}
		}
		for i, d := range m.PolicyDigests {
			if !validDigest(d) {
				errs = append(errs, fmt.Errorf("%s.policy_digests[%d]: %q: want sha256:<64 lower-case hex>", at, i, d))
			}
		}
		for i, l := range m.RequiredLevels {
			if strings.TrimSpace(l) == "" {
				errs = append(errs, fmt.Errorf("%s.required_levels[%d]: empty", at, i))
			}
		}
	}
	return errors.Join(errs...)
}

var (
	// rePrefix is an image name prefix: a registry host (with an optional
	// port), then optional lower-case path components.
	rePrefix = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$`)
	// reRepo is the registry's #RepoName.
	reRepo = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$`)
)

// validDigest is true for a canonical policy digest, "sha256:<64
// lower-case hex>".
func validDigest(d string) bool {
	pd, err := policy.ParseDigest(d)
	return err == nil && "sha256:"+pd["sha256"] == d
}

// MatchImage returns the admission.images entry for an image's normalised
// name ([ImageRef.Name]): the longest prefix that is the name or ends on
// one of its path boundaries. ok is false when no prefix matches.
func (c Config) MatchImage(name string) (prefix string, m ImageMapping, ok bool) {
	for p, v := range c.Images {
		if (name == p || strings.HasPrefix(name, p+"/")) && len(p) > len(prefix) {
			prefix, m, ok = p, v, true
		}
	}
	return prefix, m, ok
}

// Enforces reports whether some namespace is enforced: the default mode,
// or a listed namespace's.
func (c Config) Enforces() bool {
	if c.DefaultMode == ModeEnforce {
		return true
	}
	for _, nc := range c.Namespaces {
		if nc.Mode == ModeEnforce {
			return true
		}
	}
	return false
}

// ErrNoImages is returned by [Config.CheckServe] for an empty
// admission.images in enforce mode.
var ErrNoImages = errors.New("admission.images is empty")

// CheckServe is what the webhook checks of c before it serves: with no
// admission.images mapping no image has an acceptable summary, so every
// pinned image would be denied. That is an error wrapping [ErrNoImages]
// when some namespace is enforced, and a warning when all are in audit
// mode.
func (c Config) CheckServe() (warnings []string, err error) {
	if len(c.Images) > 0 {
		return nil, nil
	}
	const what = "admission.images is empty: no image is mapped to the repos whose verification summaries it accepts, so every pinned image is denied by admission.vsa"
	if c.Enforces() {
		return nil, fmt.Errorf("%w: no image is mapped to the repos whose verification summaries it accepts, and enforce mode would deny every pinned image: add admission: images: {\"REGISTRY/PATH\": repos: [\"owner/name\"]} to the registry", ErrNoImages)
	}
	return []string{what + " (audit mode: reported as warnings)"}, nil
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
