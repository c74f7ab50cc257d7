package provenance_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cicd-hub/hubgate/engine/evidence/provenance"
	"github.com/cicd-hub/hubgate/engine/trust"
)

func FuzzParseStatement(f *testing.F) {
	dir := filepath.Join("..", "..", "..", "fixtures", "trust", "sigstore-go", "examples")
	b, err := os.ReadFile(filepath.Join(dir, "statement-provenance-sigstorejs1.3.0.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"x","externalParameters":{"source":{"uri":"git+https://github.com/a/b@refs/tags/v1","digest":{"sha1":"ab"}}}},"runDetails":{"builder":{"id":"b@refs/tags/v1.0.0"}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := provenance.ParseStatement(provenance.InTotoPayloadType, b)
		if err == nil && len(st.Subjects) == 0 {
			t.Fatal("a statement without subjects was accepted")
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`[{"payloadType":"in-toto","payload":"eyJzdWJqZWN0IjogW119","signatures":[]}]`))
	f.Add([]byte("{\"payloadType\":\"x\",\"payload\":\"e30=\",\"signatures\":[{\"sig\":\"AAAA\"}]}\n{\"mediaType\":\"x\"}\n"))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// No trusted key and the embedded root: nothing fuzzed may verify.
		res := provenance.Parse(b, trust.Options{})
		for _, a := range res.Attestations {
			if a.Verified {
				t.Fatalf("fuzzed attestation verified: %+v", a)
			}
			if a.Statement != nil {
				t.Fatal("statement read from an unverified attestation")
			}
		}
	})
}
