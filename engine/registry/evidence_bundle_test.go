package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEvidenceBundleMaxAge: the default, a repo may shorten it, never
// lengthen it, and it must be a duration.
func TestEvidenceBundleMaxAge(t *testing.T) {
	r, err := loadSrc(t, `repos: "acme/app": {}`+"\n")
	require.NoError(t, err)
	rp, err := r.Repo("acme/app")
	require.NoError(t, err)
	assert.Equal(t, "720h", rp.Data["evidence_bundle"].(map[string]any)["max_age"])

	_, err = loadSrc(t, `org: evidence_bundle: max_age: "72h"`+"\n"+`repos: "acme/app": evidence_bundle: max_age: "24h"`+"\n")
	require.NoError(t, err)

	for _, tc := range []struct{ src, want string }{
		{`org: evidence_bundle: max_age: "72h"` + "\n" + `repos: "acme/app": evidence_bundle: max_age: "168h"` + "\n", "evidence_bundle.max_age"},
		{`repos: "acme/app": evidence_bundle: max_age: "30d"` + "\n", "evidence_bundle.max_age"},
		{`repos: "acme/app": evidence_bundle: max_age: "0s"` + "\n", "evidence_bundle"},
		{`repos: "acme/app": evidence_bundle: other: 1` + "\n", "other"},
	} {
		_, err := loadSrc(t, tc.src)
		problems(t, err)
		assert.Contains(t, err.Error(), tc.want, tc.src)
	}
}
