package bom

import (
	"fmt"
	"sort"
	"strings"

	packageurl "github.com/package-url/packageurl-go"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

// PURL is a parsed, canonical package URL.
type PURL struct {
	// Canonical is the whole purl in canonical form.
	Canonical string
	// Base is the canonical purl without version, qualifiers and subpath:
	// "pkg:type/namespace/name". Indexes key on it.
	Base string
	// Version is the (decoded) version, "" when the purl has none.
	Version string
	// Qualifiers maps qualifier keys to their values.
	Qualifiers map[string]string
	// Subpath is the decoded subpath, "" when none.
	Subpath string
	// Type is the purl type ("npm", "oci").
	Type string
}

// ParsePURL parses s and returns its canonical parts. The error says what is
// wrong, without the field path (the caller adds it).
func ParsePURL(s string) (PURL, error) {
	if s == "" {
		return PURL{}, fmt.Errorf("empty purl")
	}
	p, err := packageurl.FromString(s)
	if err != nil {
		return PURL{}, fmt.Errorf("invalid purl %q: %w", parse.Clip(s, 200), err)
	}
	if p.Name == "" {
		return PURL{}, fmt.Errorf("invalid purl %q: missing name", parse.Clip(s, 200))
	}
	base := packageurl.PackageURL{Type: p.Type, Namespace: p.Namespace, Name: p.Name}
	out := PURL{
		Canonical: p.ToString(),
		Base:      base.ToString(),
		Version:   p.Version,
		Subpath:   p.Subpath,
		Type:      p.Type,
	}
	if len(p.Qualifiers) > 0 {
		out.Qualifiers = p.Qualifiers.Map()
	}
	return out, nil
}

// CanonicalPURL returns the canonical form of the purl s.
func CanonicalPURL(s string) (string, error) {
	p, err := ParsePURL(s)
	if err != nil {
		return "", err
	}
	return p.Canonical, nil
}

// MatchPURL reports whether a statement's purl stmt covers the component purl
// comp: type, namespace, name, version and subpath are equal, and every
// qualifier of stmt is present in comp with the same value (qualifiers only
// narrow). When it does not, reason says why in a few words.
func MatchPURL(stmt, comp PURL) (ok bool, reason string) {
	if stmt.Base != comp.Base {
		return false, fmt.Sprintf("package %s is not %s", stmt.Base, comp.Base)
	}
	if stmt.Version != comp.Version {
		sv, cv := stmt.Version, comp.Version
		if sv == "" {
			sv = "(none)"
		}
		if cv == "" {
			cv = "(none)"
		}
		return false, fmt.Sprintf("version %s differs from the affected version %s", sv, cv)
	}
	if stmt.Subpath != comp.Subpath {
		return false, fmt.Sprintf("subpath %q differs from %q", stmt.Subpath, comp.Subpath)
	}
	keys := make([]string, 0, len(stmt.Qualifiers))
	for k := range stmt.Qualifiers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := stmt.Qualifiers[k]
		cv, has := comp.Qualifiers[k]
		if !has {
			return false, fmt.Sprintf("qualifier %s=%s is not on the affected component", k, v)
		}
		if cv != v {
			return false, fmt.Sprintf("qualifier %s=%s differs from %s=%s", k, v, k, cv)
		}
	}
	return true, ""
}

// NormalizeAlg turns a hash algorithm name as SBOM and VEX formats spell it
// ("SHA-256", "SHA256", "sha-256") into hubgate's ("sha256"). SHA-3 names keep
// their dash ("sha3-256").
func NormalizeAlg(alg string) string {
	a := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(alg)), "_", "-")
	if strings.HasPrefix(a, "sha3") {
		if !strings.HasPrefix(a, "sha3-") && len(a) > 4 {
			a = "sha3-" + a[4:]
		}
		return a
	}
	if strings.HasPrefix(a, "sha-") {
		a = "sha" + a[4:]
	}
	return a
}

// DigestIn returns the digest s holds as [DigestString] writes it, when s
// looks like "alg:hex" with at least 32 hex digits (a version or a field
// that may hold a digest of any algorithm), or "".
func DigestIn(s string) string {
	alg, hx, ok := strings.Cut(s, ":")
	if !ok || len(hx) < 32 || strings.Trim(strings.ToLower(hx), "0123456789abcdef") != "" {
		return ""
	}
	return DigestString(alg, hx)
}

// DigestString returns "alg:hex" with a normalised algorithm and a lower-case
// value, or "" when either is empty.
func DigestString(alg, value string) string {
	alg, value = NormalizeAlg(alg), strings.ToLower(strings.TrimSpace(value))
	if alg == "" || value == "" {
		return ""
	}
	return alg + ":" + value
}
