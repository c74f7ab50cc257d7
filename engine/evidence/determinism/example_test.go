package determinism_test

import (
	"fmt"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
	"github.com/cicd-hub/hubgate/engine/evidence/determinism"
)

func ExampleCompare() {
	a := strings.Repeat("a", 64)
	b := strings.Repeat("b", 64)
	original := checksum.ParseBytes([]byte(a + "  dist/app\n" + a + "  dist/build.log\n"))
	rebuild := checksum.ParseBytes([]byte(b + "  dist/app\n" + b + "  dist/build.log\n"))
	c := determinism.Compare(original, rebuild, determinism.Globs{"*.log"})
	for _, d := range c.Differs {
		fmt.Printf("%s differs: %s… vs %s…\n", d.Path, d.Original[:8], d.Rebuild[:8])
	}
	fmt.Println("ignored:", c.Ignored)
	// Output:
	// dist/app differs: aaaaaaaa… vs bbbbbbbb…
	// ignored: [dist/build.log]
}
