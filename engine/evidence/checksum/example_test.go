package checksum_test

import (
	"fmt"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/checksum"
)

func ExampleParse() {
	in := "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  ./dist/hello.txt\n" +
		"SHA512 (notes.txt) = 12ab\n"
	l, err := checksum.Parse(strings.NewReader(in), checksum.DefaultLimit)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range l.Entries {
		fmt.Println(e.Line, e.Algorithm, e.Name, e.Hex[:12])
	}
	for _, m := range l.Malformed {
		fmt.Printf("line %d: %s\n", m.Line, m.Reason)
	}
	// Output:
	// 1 sha256 dist/hello.txt 5891b5b522d5
	// line 2: sha512 digest has 4 hex digits, want 128
}

func ExampleHash() {
	d, n, err := checksum.Hash(strings.NewReader("hello\n"), checksum.SHA256)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, d[checksum.SHA256])
	// Output:
	// 6 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
}

func ExampleSet_Lookup() {
	var s checksum.Set
	s.Add("SHA256SUMS", checksum.ParseBytes([]byte(
		"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  dist/hello.txt\n")))
	used, byBase, _, ok := s.Lookup("hello.txt")
	fmt.Println(used, byBase, ok)
	for _, e := range s.Entries(used) {
		fmt.Println(e.File, e.Line, e.Algorithm)
	}
	// Output:
	// dist/hello.txt true true
	// SHA256SUMS 1 sha256
}
