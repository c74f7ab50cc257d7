package trust

import (
	"fmt"
	"sort"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// ExpiredWindows lists the validity windows of tm that vouch for v and have
// ended before now: the transparency logs whose verified timestamps v
// carries, and, for a certificate, the Fulcio CAs valid at v's signing time
// when all of them have ended. Verification itself checks the windows at
// signing time; this says the trusted root no longer vouches for new
// evidence from that authority, so it may be stale or rotated.
func ExpiredWindows(tm root.TrustedMaterial, v *Verified, now time.Time) []string {
	if tm == nil || v == nil || now.IsZero() {
		return nil
	}
	var out []string
	for _, ts := range v.Timestamps {
		if ts.Kind != "tlog" {
			continue
		}
		for _, l := range tm.RekorLogs() {
			if l.BaseURL == ts.URI && !l.ValidityPeriodEnd.IsZero() && l.ValidityPeriodEnd.Before(now) {
				out = append(out, fmt.Sprintf("transparency log %s: validity ended %s", l.BaseURL, l.ValidityPeriodEnd.UTC().Format(time.RFC3339)))
			}
		}
	}
	if !v.Keyed && len(v.Timestamps) > 0 {
		at := v.Timestamps[0].Time
		var ended []string
		covering := 0
		for _, ca := range tm.FulcioCertificateAuthorities() {
			f, ok := ca.(*root.FulcioCertificateAuthority)
			if !ok {
				continue
			}
			if !f.ValidityPeriodStart.IsZero() && at.Before(f.ValidityPeriodStart) {
				continue
			}
			if !f.ValidityPeriodEnd.IsZero() && at.After(f.ValidityPeriodEnd) {
				continue
			}
			covering++
			if !f.ValidityPeriodEnd.IsZero() && f.ValidityPeriodEnd.Before(now) {
				ended = append(ended, fmt.Sprintf("certificate authority %s: validity ended %s", f.URI, f.ValidityPeriodEnd.UTC().Format(time.RFC3339)))
			}
		}
		if covering > 0 && len(ended) == covering {
			out = append(out, ended...)
		}
	}
	sort.Strings(out)
	return out
}
