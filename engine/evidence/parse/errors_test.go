package parse_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "abc", 10, "abc"},
		{"cut", "abcdef", 3, "abc…"},
		{"cut before a split rune", "ab€", 3, "ab…"},
		{"invalid UTF-8 replaced", "a\xffb", 10, "a\uFFFDb"},
		{"replacement does not push it past max", "a\xffb\xffc\xffd", 7, "a\uFFFDb…"},
		{"zero", "abc", 0, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parse.Clip(tt.in, tt.max))
		})
	}
}
