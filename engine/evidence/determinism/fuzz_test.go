package determinism

import (
	"testing"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
)

func FuzzCompare(f *testing.F) {
	f.Add([]byte(hA+"  app\n"+hB+"  lib\n"), []byte(hA+"  app\n"+hC+"  lib\n"), "**/*.log")
	f.Fuzz(func(t *testing.T, a, b []byte, glob string) {
		c := Compare(checksum.ParseBytes(a), checksum.ParseBytes(b), Globs{glob})
		if c.Equal > c.Compared {
			t.Fatalf("equal %d > compared %d", c.Equal, c.Compared)
		}
	})
}

func FuzzParsers(f *testing.F) {
	f.Add([]byte(`{"timestamp":"2026-11-28T10:00:00Z","delay_hours":24}`))
	f.Add([]byte(`{"diffoscope-json-version":1,"details":[{"source1":"x"}]}`))
	f.Add([]byte(`{"mediaType":"application/vnd.hubgate.decision+json;version=0.1","outcome":"pass"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseReport(b); err == nil {
			_, _ = ComputeDelay(r.Timestamp, r.Timestamp, r)
		}
		_, _ = ParseDiffoscope(b)
		_, _ = ParsePrevious(b)
	})
}
