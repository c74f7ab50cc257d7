package vexdoc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence/vexdoc"
)

// TestMatcherTiesEveryOrder permutes four statements made at the same time
// about the same vulnerability and product: every order gives the same
// result, decided by the least favourable status.
func TestMatcherTiesEveryOrder(t *testing.T) {
	img := "pkg:oci/demo@" + demoDigest
	mk := func(file string, st vexdoc.Status) vexdoc.Statement {
		s := stmt("CVE-1", st, t0, product(t, img))
		s.Evidence = file
		return s
	}
	base := []vexdoc.Statement{
		mk("a.json", vexdoc.StatusNotAffected),
		mk("b.json", vexdoc.StatusFixed),
		mk("c.json", vexdoc.StatusUnderInvestigation),
		mk("d.json", vexdoc.StatusAffected),
	}
	opts := vexdoc.MatcherOptions{Subjects: []string{demoDigest}, Now: now}
	var first *vexdoc.Result
	var permute func(k int, s []vexdoc.Statement)
	n := 0
	permute = func(k int, s []vexdoc.Statement) {
		if k == len(s) {
			n++
			res := vexdoc.NewMatcher(append([]vexdoc.Statement(nil), s...), opts).Match(vexdoc.Query{ID: "CVE-1"})
			if first == nil {
				first = &res
				return
			}
			assert.Equal(t, *first, res)
			return
		}
		for i := k; i < len(s); i++ {
			s[k], s[i] = s[i], s[k]
			permute(k+1, s)
			s[k], s[i] = s[i], s[k]
		}
	}
	permute(0, append([]vexdoc.Statement(nil), base...))
	require.Equal(t, 24, n)
	assert.Equal(t, vexdoc.StatusAffected, first.Status)
	assert.Equal(t, "d.json", first.Decision.Evidence)
	assert.Len(t, first.Ties, 3)
	assert.False(t, first.Suppressed)

	// Without the affected and under_investigation statements, fixed
	// beats not_affected.
	res := vexdoc.NewMatcher(base[:2], opts).Match(vexdoc.Query{ID: "CVE-1"})
	assert.Equal(t, vexdoc.StatusFixed, res.Status)
	require.Len(t, res.Ties, 1)
	assert.Equal(t, vexdoc.StatusNotAffected, res.Ties[0].Status)
}

func TestFutureDate(t *testing.T) {
	s := vexdoc.Statement{Dates: []vexdoc.Date{{Field: "timestamp", Time: t0}, {Field: "statements[0].last_updated", Time: now.Add(1)}}}
	d, future := s.FutureDate(now)
	assert.True(t, future)
	assert.Equal(t, "statements[0].last_updated", d.Field)
	_, future = s.FutureDate(now.Add(1))
	assert.False(t, future, "a date equal to now is not in the future")
	_, future = s.FutureDate(t0.AddDate(-1, 0, 0))
	assert.True(t, future, "every date is after a year before t0")
	_, future = s.FutureDate(time.Time{})
	assert.False(t, future, "a zero now checks nothing")
}

func TestJustificationEnumerations(t *testing.T) {
	for _, j := range []string{"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path", "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"} {
		assert.True(t, vexdoc.ValidOpenVEXJustification(j), j)
		assert.True(t, vexdoc.ValidCycloneDXJustification(j), j)
	}
	for _, j := range []string{"code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency", "requires_environment", "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control"} {
		assert.True(t, vexdoc.ValidCycloneDXJustification(j), j)
		assert.False(t, vexdoc.ValidOpenVEXJustification(j), j)
	}
	for _, j := range []string{"trust_me", "inline_mitigations_already_in_place", "Component_Not_Present", " code_not_present"} {
		assert.False(t, vexdoc.ValidOpenVEXJustification(j), j)
		assert.False(t, vexdoc.ValidCycloneDXJustification(j), j)
	}
}
