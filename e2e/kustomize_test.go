package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/cicd-hub/hubgate/adapters/webhook"
)

// The certificate paths of deploy/components, and the line of
// deploy/base/kustomization.yaml that picks one (README: "Certificates").
const (
	certManager   = "cert-manager"
	selfSigned    = "self-signed"
	certComponent = "  - ../components/cert-manager\n"
)

// deployTree is a copy of deploy/ (or of $HUBGATE_E2E_DEPLOY_DIR) in a
// temporary folder, with what a user provides: base/vsa.pub and, for the
// self-signed path, the files of `hubgate webhook certs`.
type deployTree struct {
	dir    string // the copy's root
	vsaPub []byte // base/vsa.pub, when written
	caPEM  []byte // components/self-signed/certs/ca.crt, when written
}

// deployOptions says what the user has done to the copy.
type deployOptions struct {
	noVSAPub   bool   // leave base/vsa.pub out
	certs      string // certManager (the default) or selfSigned
	noCerts    bool   // self-signed, without running `hubgate webhook certs`
	monitoring bool   // add components/monitoring
	// registrySource adds components/registry-source: the summaries come
	// from the images' OCI referrers (--vsa-source registry).
	registrySource bool
}

// copyDeploy copies the shipped deploy/ tree and applies opts the way
// deploy/README.md tells a user to.
func copyDeploy(t *testing.T, opts deployOptions) *deployTree {
	t.Helper()
	src := os.Getenv("HUBGATE_E2E_DEPLOY_DIR")
	if src == "" {
		src = filepath.Join(repoRoot(t), "deploy")
	}
	dst := filepath.Join(t.TempDir(), "deploy")
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)), "copy %s", src)
	_, err := os.Stat(filepath.Join(dst, "base", "vsa.pub"))
	require.ErrorIs(t, err, fs.ErrNotExist, "deploy/base/vsa.pub must not be shipped: it is the user's key")
	tree := &deployTree{dir: dst}

	if !opts.noVSAPub {
		tree.vsaPub = newPublicKeyPEM(t)
		writeFile(t, filepath.Join(dst, "base", "vsa.pub"), string(tree.vsaPub))
	}
	kust := filepath.Join(dst, "base", "kustomization.yaml")
	components := certComponent
	if opts.certs == selfSigned {
		components = "  - ../components/self-signed\n"
		if !opts.noCerts {
			certs, err := webhook.GenerateCerts([]string{"127.0.0.1", "localhost"}, time.Now(), 24*time.Hour)
			require.NoError(t, err)
			dir := filepath.Join(dst, "components", "self-signed", "certs")
			writeFile(t, filepath.Join(dir, "ca.crt"), string(certs.CACert))
			writeFile(t, filepath.Join(dir, "tls.crt"), string(certs.TLSCert))
			writeFile(t, filepath.Join(dir, "tls.key"), string(certs.TLSKey))
			tree.caPEM = certs.CACert
		}
	}
	if opts.monitoring {
		components += "  - ../components/monitoring\n"
	}
	if opts.registrySource {
		components += "  - ../components/registry-source\n"
	}
	b := readFile(t, kust)
	require.Equal(t, 1, bytes.Count(b, []byte(certComponent)), "%s: the components line README.md says to edit", kust)
	writeFile(t, kust, strings.Replace(string(b), certComponent, components, 1))
	return tree
}

// newPublicKeyPEM is a PKIX PEM P-256 public key, what `hubgate keygen`
// writes to vsa.pub.
func newPublicKeyPEM(t *testing.T) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// build runs kustomize (the krusty library, with kubectl's defaults: root-only
// file loading, no plugins) on one folder of the tree. The output order is
// the one the overlay's sortOptions sets.
func (d *deployTree) build(t *testing.T, overlay string) ([]*resource.Resource, error) {
	t.Helper()
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified
	k := krusty.MakeKustomizer(opts)
	m, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(d.dir, overlay))
	if err != nil {
		return nil, err
	}
	return m.Resources(), nil
}

// mustBuild is build that fails the test on an error.
func (d *deployTree) mustBuild(t *testing.T, overlay string) []*resource.Resource {
	t.Helper()
	rs, err := d.build(t, overlay)
	require.NoError(t, err, "kustomize build %s", overlay)
	require.NotEmpty(t, rs, "kustomize build %s", overlay)
	return rs
}

// find returns the one built object of kind and name, as JSON.
func find(t *testing.T, rs []*resource.Resource, kind, name string) []byte {
	t.Helper()
	var out []byte
	for _, r := range rs {
		if r.GetKind() == kind && (r.GetName() == name || hashSuffixed(r.GetName(), name)) {
			require.Nil(t, out, "two %s %s", kind, name)
			b, err := r.MarshalJSON()
			require.NoError(t, err)
			out = b
		}
	}
	require.NotNil(t, out, "no %s %s in the build", kind, name)
	return out
}

// hashSuffixed says whether got is name with kustomize's content hash (a
// generated ConfigMap or Secret: "-" and 10 characters).
func hashSuffixed(got, name string) bool {
	suffix, ok := strings.CutPrefix(got, name+"-")
	return ok && len(suffix) == 10 && strings.Trim(suffix, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// decodeStrict decodes JSON into v; a field v does not know is an error.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// loadShippedVWC is the ValidatingWebhookConfiguration that kustomize
// produces from deploy/overlays/enforce (the cert-manager path, as shipped),
// from a copy of deploy/ (or of $HUBGATE_E2E_DEPLOY_DIR, to try a modified
// tree by hand) with a generated vsa.pub.
func loadShippedVWC(t *testing.T) *admissionregistrationv1.ValidatingWebhookConfiguration {
	t.Helper()
	rs := copyDeploy(t, deployOptions{}).mustBuild(t, "overlays/enforce")
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	require.NoError(t, decodeStrict(find(t, rs, "ValidatingWebhookConfiguration", "hubgate"), &vwc))
	require.Equal(t, "admissionregistration.k8s.io/v1", vwc.APIVersion)
	return &vwc
}
