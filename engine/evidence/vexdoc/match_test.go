package vexdoc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

var (
	t0    = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now   = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	other = "sha256:" + strings.Repeat("b", 64)
)

func product(t *testing.T, ids ...string) vexdoc.Product {
	t.Helper()
	p, err := vexdoc.NewProduct(ids...)
	require.NoError(t, err)
	return p
}

func withSubs(t *testing.T, p vexdoc.Product, subs ...string) vexdoc.Product {
	t.Helper()
	for _, s := range subs {
		p.Subcomponents = append(p.Subcomponents, product(t, s))
	}
	return p
}

func stmt(vuln string, status vexdoc.Status, ts time.Time, prods ...vexdoc.Product) vexdoc.Statement {
	return vexdoc.Statement{Evidence: "vex.json", Path: fmt.Sprintf("statements[%s]", vuln), Vulnerability: vuln, Status: status, Justification: "component_not_present", Timestamp: ts, Products: prods}
}

func purls(t *testing.T, ss ...string) []bom.PURL {
	t.Helper()
	var out []bom.PURL
	for _, s := range ss {
		p, err := bom.ParsePURL(s)
		require.NoError(t, err)
		out = append(out, p)
	}
	return out
}

func TestMatcher(t *testing.T) {
	img := "pkg:oci/demo@" + demoDigest
	type want struct {
		status   vexdoc.Status
		suppress bool
		decision string // Path of the deciding statement, "" for none
		nearMiss int
		nearWhy  string // substring of the first near miss reason
	}
	tests := []struct {
		name  string
		stmts func(t *testing.T) []vexdoc.Statement
		q     vexdoc.Query
		opts  vexdoc.MatcherOptions
		want  want
	}{
		{
			name: "statement about the subject covers a finding without a component",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "statement about the subject covers a finding in a component",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusFixed, t0, product(t, demoDigest))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")},
			want: want{status: vexdoc.StatusFixed, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "another image is a near miss",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:oci/demo@"+other))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{nearMiss: 1, nearWhy: "another artifact"},
		},
		{
			name: "another CVE is not even a near miss",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-2", vexdoc.StatusNotAffected, t0, product(t, img))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{},
		},
		{
			name: "id matches case-insensitively and through aliases",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("cve-2021-44228", vexdoc.StatusNotAffected, t0, product(t, img))}
			},
			q:    vexdoc.Query{ID: "GHSA-jfh8-c2jp-5v3q", Aliases: []string{"CVE-2021-44228"}},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[cve-2021-44228]"},
		},
		{
			name: "statement alias matches the finding id",
			stmts: func(t *testing.T) []vexdoc.Statement {
				s := stmt("CVE-2021-44228", vexdoc.StatusNotAffected, t0, product(t, img))
				s.Aliases = []string{"GHSA-jfh8-c2jp-5v3q"}
				return []vexdoc.Statement{s}
			},
			q:    vexdoc.Query{ID: "GHSA-JFH8-C2JP-5V3Q"},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-2021-44228]"},
		},
		{
			name: "package purl equal",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:npm/a@1"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "package purl other version is a near miss",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:npm/a@1"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@2")},
			want: want{nearMiss: 1, nearWhy: "version 1 differs from the affected version 2"},
		},
		{
			name: "versionless statement purl does not cover a version",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:npm/a"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@2")},
			want: want{nearMiss: 1, nearWhy: "version (none)"},
		},
		{
			name: "statement qualifiers narrow: present on the component",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:deb/debian/x@1?arch=amd64"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:deb/debian/x@1?arch=amd64&distro=debian-12")},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "statement qualifiers narrow: absent from the component",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:deb/debian/x@1?arch=arm64"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:deb/debian/x@1?arch=amd64")},
			want: want{nearMiss: 1, nearWhy: "qualifier arch=arm64 differs"},
		},
		{
			name: "another package is a near miss",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:npm/b@1"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")},
			want: want{nearMiss: 1, nearWhy: "another package"},
		},
		{
			name: "subject with matching subcomponent",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, withSubs(t, product(t, img), "pkg:npm/a@1"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "subject with other subcomponent",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, withSubs(t, product(t, img), "pkg:npm/b@1"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")},
			want: want{nearMiss: 1, nearWhy: "limited to subcomponents pkg:npm/b@1"},
		},
		{
			name: "subject with subcomponents and a finding without a component",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, withSubs(t, product(t, img), "pkg:npm/b@1"))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{nearMiss: 1, nearWhy: "the finding names no component"},
		},
		{
			name: "latest statement wins: affected after not_affected",
			stmts: func(t *testing.T) []vexdoc.Statement {
				a := stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))
				b := stmt("CVE-1", vexdoc.StatusAffected, t0.Add(time.Hour), product(t, img))
				b.Path = "later"
				return []vexdoc.Statement{b, a}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{status: vexdoc.StatusAffected, decision: "later", nearMiss: 1, nearWhy: "superseded"},
		},
		{
			name: "latest statement wins: fixed after affected",
			stmts: func(t *testing.T) []vexdoc.Statement {
				a := stmt("CVE-1", vexdoc.StatusAffected, t0, product(t, img))
				b := stmt("CVE-1", vexdoc.StatusFixed, t0.Add(time.Hour), product(t, "pkg:npm/a@1"))
				b.Path = "later"
				return []vexdoc.Statement{a, b}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")},
			want: want{status: vexdoc.StatusFixed, suppress: true, decision: "later", nearMiss: 1},
		},
		{
			name: "equal timestamps: the later statement in input order wins",
			stmts: func(t *testing.T) []vexdoc.Statement {
				a := stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))
				b := stmt("CVE-1", vexdoc.StatusUnderInvestigation, t0, product(t, img))
				b.Path = "second"
				return []vexdoc.Statement{a, b}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{status: vexdoc.StatusUnderInvestigation, decision: "second", nearMiss: 1},
		},
		{
			name: "not_affected without justification does not count",
			stmts: func(t *testing.T) []vexdoc.Statement {
				s := stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))
				s.Justification = ""
				return []vexdoc.Statement{s}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{nearMiss: 1, nearWhy: "without a justification"},
		},
		{
			name: "not_affected with only an impact statement counts",
			stmts: func(t *testing.T) []vexdoc.Statement {
				s := stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))
				s.Justification, s.Impact = "", "not shipped"
				return []vexdoc.Statement{s}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "unjustified later statement does not hide an earlier justified one",
			stmts: func(t *testing.T) []vexdoc.Statement {
				a := stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))
				b := stmt("CVE-1", vexdoc.StatusNotAffected, t0.Add(time.Hour), product(t, img))
				b.Justification, b.Path = "", "unjustified"
				return []vexdoc.Statement{a, b}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]", nearMiss: 1, nearWhy: "justification"},
		},
		{
			name: "a statement that applied through one product is no near miss for its others",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, "pkg:oci/demo@"+other), product(t, "pkg:npm/a@2"), product(t, "pkg:npm/a@1"))}
			},
			q:    vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "older than the maximum age is ignored",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			opts: vexdoc.MatcherOptions{MaxAge: 30 * 24 * time.Hour},
			want: want{nearMiss: 1, nearWhy: "older than the maximum age"},
		},
		{
			name: "younger than the maximum age counts",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			opts: vexdoc.MatcherOptions{MaxAge: 365 * 24 * time.Hour},
			want: want{status: vexdoc.StatusNotAffected, suppress: true, decision: "statements[CVE-1]"},
		},
		{
			name: "no timestamp with a maximum age is ignored",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, time.Time{}, product(t, img))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			opts: vexdoc.MatcherOptions{MaxAge: time.Hour},
			want: want{nearMiss: 1, nearWhy: "no timestamp"},
		},
		{
			name: "no subject digests: nothing is the subject",
			stmts: func(t *testing.T) []vexdoc.Statement {
				return []vexdoc.Statement{stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, img))}
			},
			q:    vexdoc.Query{ID: "CVE-1"},
			opts: vexdoc.MatcherOptions{Subjects: []string{}},
			want: want{nearMiss: 1, nearWhy: "no subject digest given"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.Subjects == nil {
				opts.Subjects = []string{demoDigest}
			}
			opts.Now = now
			m := vexdoc.NewMatcher(tt.stmts(t), opts)
			got := m.Match(tt.q)
			assert.Equal(t, tt.want.status, got.Status)
			assert.Equal(t, tt.want.suppress, got.Suppressed)
			if tt.want.decision == "" {
				assert.Nil(t, got.Decision)
			} else if assert.NotNil(t, got.Decision) {
				assert.Equal(t, tt.want.decision, got.Decision.Path)
				assert.Equal(t, "vex.json", got.Decision.Evidence)
			}
			assert.Equal(t, tt.want.nearMiss, got.NearMissTotal)
			require.Len(t, got.NearMisses, tt.want.nearMiss)
			if tt.want.nearWhy != "" {
				assert.Contains(t, got.NearMisses[0].Reason, tt.want.nearWhy)
			}
		})
	}
}

func TestMatcherNearMissCap(t *testing.T) {
	var stmts []vexdoc.Statement
	for i := 0; i < 50; i++ {
		stmts = append(stmts, stmt("CVE-1", vexdoc.StatusNotAffected, t0, product(t, fmt.Sprintf("pkg:npm/p%d@1", i))))
	}
	m := vexdoc.NewMatcher(stmts, vexdoc.MatcherOptions{Subjects: []string{demoDigest}, Now: now, MaxNearMisses: 5})
	got := m.Match(vexdoc.Query{ID: "CVE-1", PURLs: purls(t, "pkg:npm/a@1")})
	assert.Len(t, got.NearMisses, 5)
	assert.Equal(t, 50, got.NearMissTotal)
	assert.Nil(t, got.Decision)
}

// TestHubVEXBoundToSubject is the hub's own data: the CycloneDX VEX built
// from vex_exemptions.json suppresses CVE-2025-0001 for the subject, and
// nothing else; bound to another product it suppresses nothing and says why.
func TestHubVEXBoundToSubject(t *testing.T) {
	for _, tt := range []struct {
		file     string
		suppress bool
		why      string
	}{
		{"vex/hub-vex.cdx.json", true, ""},
		{"vex/hub-vex-other-product.cdx.json", false, "another artifact"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := vexdoc.Parse(readFixture(t, tt.file), vexdoc.Options{})
			require.NoError(t, err)
			m := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{Subjects: []string{demoDigest}, Now: now})
			r := m.Match(vexdoc.Query{ID: "CVE-2025-0001"})
			assert.Equal(t, tt.suppress, r.Suppressed)
			if tt.suppress {
				require.NotNil(t, r.Decision)
				assert.Equal(t, "vulnerabilities[0]", r.Decision.Path)
				assert.Equal(t, "2024-10-01T00:00:00Z", r.Decision.Timestamp)
			} else {
				require.Len(t, r.NearMisses, 1)
				assert.Contains(t, r.NearMisses[0].Reason, tt.why)
				assert.Contains(t, r.NearMisses[0].Product, "pkg:oci/other@sha256:")
			}
			for _, id := range []string{"CVE-2024-9999", "CVE-2024-9998"} {
				r := m.Match(vexdoc.Query{ID: id})
				assert.False(t, r.Suppressed, id)
				assert.Empty(t, r.NearMisses, id)
			}
		})
	}
}

// TestMatcherConcurrent runs Match from many goroutines (go test -race).
func TestMatcherConcurrent(t *testing.T) {
	doc, err := vexdoc.Parse(readFixture(t, "vex/hub-vex.cdx.json"), vexdoc.Options{})
	require.NoError(t, err)
	m := vexdoc.NewMatcher(doc.Statements, vexdoc.MatcherOptions{Subjects: []string{demoDigest}, Now: now})
	done := make(chan bool)
	for i := 0; i < 8; i++ {
		go func() {
			ok := true
			for j := 0; j < 100; j++ {
				ok = ok && m.Match(vexdoc.Query{ID: "CVE-2025-0001"}).Suppressed
			}
			done <- ok
		}()
	}
	for i := 0; i < 8; i++ {
		assert.True(t, <-done)
	}
}
