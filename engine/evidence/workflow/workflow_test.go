package workflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sha = "11bd71901bbe5b1630ceea73d27597364c9af683"

func parse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("w.yml", []byte(src))
	require.NoError(t, err)
	return f
}

func TestUses(t *testing.T) {
	src := `on: push
jobs:
  call:
    uses: acme/shared/.github/workflows/build.yml@main
  call-pinned:
    uses: acme/shared/.github/workflows/build.yml@` + sha + `
  local-call:
    uses: ./.github/workflows/local.yml
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@` + sha + ` # v4
      - uses: ./actions/local
      - uses: docker://alpine:3.20
      - uses: docker://alpine@sha256:` + strings.Repeat("a", 64) + `
      - uses: actions/cache
      - uses: actions/checkout@` + sha[:39] + `
      - uses: actions/checkout@${{ inputs.ref }}
      - uses: actions/aws/ec2@` + strings.ToUpper(sha) + `
      - uses: ` + sha + `@` + sha + `
      - uses: actions/checkout@` + strings.Repeat("a", 64) + `
      - uses: actions/checkout@v4.2.2
      - uses: ./../other
      - uses: ./a/../../x
      - uses: .\..\x
      - uses: ../x
      - uses: ./a/../b
      - run: echo hi
`
	f := parse(t, src)
	type u struct {
		line   int
		path   string
		kind   string
		pinned bool
	}
	want := []u{
		{4, "jobs.call.uses", "reusable", false},
		{6, "jobs.call-pinned.uses", "reusable", true},
		{8, "jobs.local-call.uses", "local", true},
		{12, "jobs.build.steps[0].uses", "action", false},
		{13, "jobs.build.steps[1].uses", "action", true},
		{14, "jobs.build.steps[2].uses", "local", true},
		{15, "jobs.build.steps[3].uses", "docker", false},
		{16, "jobs.build.steps[4].uses", "docker", true},
		{17, "jobs.build.steps[5].uses", "action", false},
		{18, "jobs.build.steps[6].uses", "action", false},
		{19, "jobs.build.steps[7].uses", "action", false},
		{20, "jobs.build.steps[8].uses", "action", false}, // upper-case hex is no pin
		{21, "jobs.build.steps[9].uses", "action", false},
		{22, "jobs.build.steps[10].uses", "action", false}, // 64-hex is no commit
		{23, "jobs.build.steps[11].uses", "action", false}, // a tag
		{24, "jobs.build.steps[12].uses", "local", false},
		{25, "jobs.build.steps[13].uses", "local", false},
		{26, "jobs.build.steps[14].uses", "local", false},
		{27, "jobs.build.steps[15].uses", "action", false}, // ../x has no ./
		{28, "jobs.build.steps[16].uses", "local", true},   // ./a/../b stays inside
	}
	var got []u
	for _, x := range f.Uses {
		got = append(got, u{x.Line, x.Path, x.Kind, x.Pinned})
		if !x.Pinned {
			assert.NotEmpty(t, x.Reason, x.Path)
		}
		assert.Equal(t, x.Kind == "local" && !x.Pinned, x.Outside, x.Path)
	}
	assert.Equal(t, want, got)
}

func TestTriggers(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		line int // line of pull_request_target, 0 when absent
	}{
		{"string", "on: pull_request_target\njobs: {}\n", []string{"pull_request_target"}, 1},
		{"list", "on: [push, pull_request_target]\njobs: {}\n", []string{"push", "pull_request_target"}, 1},
		{"block list", "on:\n  - push\n  - pull_request_target\njobs: {}\n", []string{"push", "pull_request_target"}, 3},
		{"map", "on:\n  push:\n  pull_request_target:\n    types: [opened]\njobs: {}\n", []string{"push", "pull_request_target"}, 3},
		{"quoted on", "\"on\": {pull_request_target: {}}\njobs: {}\n", []string{"pull_request_target"}, 1},
		{"plain", "on: push\njobs: {}\n", []string{"push"}, 0},
		{"anchor", "x: &t pull_request_target\non: *t\njobs: {}\n", []string{"pull_request_target"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, tt.src)
			var events []string
			line := 0
			for _, tr := range f.Triggers {
				events = append(events, tr.Event)
				if tr.Event == "pull_request_target" {
					line = tr.Line
				}
			}
			assert.Equal(t, tt.want, events)
			assert.Equal(t, tt.line, line)
		})
	}
}

func TestSecrets(t *testing.T) {
	src := `on: push
env:
  API_TOKEN: hunter2
  GOOD_TOKEN: ${{ secrets.GOOD }}
  VAR_TOKEN: ${{ vars.X }}
  DEBUG: "1"
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      DB_PASSWORD: "s3cr3t"
      MIXED_SECRET: prefix-${{ secrets.X }}
    steps:
      - uses: actions/checkout@` + sha + `
        with:
          persist-credentials: false
          token: ${{ github.token }}
      - uses: some/action@` + sha + `
        with:
          api-key: AKIAEXAMPLE
          key: ${{ runner.os }}-cache
  call:
    uses: acme/shared/.github/workflows/x.yml@` + sha + `
    secrets:
      deploy: plaintext
      ok: ${{ secrets.DEPLOY }}
`
	f := parse(t, src)
	type s struct {
		line int
		path string
	}
	var got []s
	for _, x := range f.Secrets {
		got = append(got, s{x.Line, x.Path})
	}
	assert.Equal(t, []s{
		{3, "env.API_TOKEN"},
		{11, "jobs.build.env.DB_PASSWORD"},
		{12, "jobs.build.env.MIXED_SECRET"},
		{20, "jobs.build.steps[1].with.api-key"},
		{25, "jobs.call.secrets.deploy"},
	}, got)
}

func TestInjections(t *testing.T) {
	src := `on: issue_comment
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.comment.body }}"
      - run: |
          echo start
          echo "${{ inputs.name }}" and ${{ github.event_name }}
          echo ${{ github.head_ref }}
      - env:
          BODY: ${{ github.event.comment.body }}
        run: echo "$BODY"
      - uses: actions/github-script@` + sha + `
        with:
          script: |
            console.log("${{ github.event.issue.title }}")
      - run: echo ${{ github['event'].issue.title }}
`
	f := parse(t, src)
	type i struct {
		line int
		expr string
	}
	var got []i
	for _, x := range f.Injections {
		got = append(got, i{x.Line, x.Expression})
	}
	assert.Equal(t, []i{
		{6, "${{ github.event.comment.body }}"},
		{9, "${{ inputs.name }}"},
		{10, "${{ github.head_ref }}"},
		{17, "${{ github.event.issue.title }}"},
		{18, "${{ github['event'].issue.title }}"},
	}, got)
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "EOF"},
		{"not yaml", "on: [", "line"},
		{"scalar", "hello", "not a mapping"},
		{"no on", "jobs: {}\n", "on: missing"},
		{"two documents", "on: push\n---\non: push\n", "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("w.yml", []byte(tt.src))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestAliasBomb: aliases are never expanded into copies, so a
// billion-laughs document costs what its text costs.
func TestAliasBomb(t *testing.T) {
	f, err := Parse("w.yml", []byte(bomb()))
	require.NoError(t, err)
	assert.Empty(t, f.Secrets)
}

// bomb builds a billion-laughs document whose env is reached through
// aliases many times over.
func bomb() string {
	var b strings.Builder
	b.WriteString("a: &a {K_TOKEN: x}\n")
	prev := "a"
	for i := range 20 {
		name := "n" + string(rune('a'+i))
		b.WriteString(name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n")
		prev = name
	}
	b.WriteString("on: push\njobs:\n  j:\n    steps: *" + prev + "\n")
	return b.String()
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		dir    string
		pinned bool
	}{
		{"unpinned", false},
		{"pinned", true},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir, srcs, skipped, err := ReadDir(filepath.Join("../../../fixtures/workflows", tt.dir), 1<<20)
			require.NoError(t, err)
			assert.True(t, strings.HasSuffix(dir, filepath.Join(".github", "workflows")))
			assert.Empty(t, skipped)
			require.Len(t, srcs, 1)
			f, err := Parse(srcs[0].Path, srcs[0].Data)
			require.NoError(t, err)
			require.Len(t, f.Uses, 1)
			assert.Equal(t, 9, f.Uses[0].Line)
			assert.Equal(t, tt.pinned, f.Uses[0].Pinned)
		})
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "evil.yml")
	require.NoError(t, os.WriteFile(outside, []byte("on: push\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.yml"), []byte("on: push\njobs: {}\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("on: push\njobs: {}\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.yml"), []byte(strings.Repeat("#", 100)), 0o600))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link.yml")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.yml"), 0o755))
	_, srcs, skipped, err := ReadDir(dir, 50)
	require.NoError(t, err)
	var names []string
	for _, s := range srcs {
		names = append(names, filepath.Base(s.Path))
	}
	assert.Equal(t, []string{"a.yaml", "b.yml"}, names)
	var sk []string
	for _, s := range skipped {
		sk = append(sk, filepath.Base(s.Path)+": "+s.Reason)
	}
	assert.ElementsMatch(t, []string{"link.yml: symlink not followed", "sub.yml: not a regular file", "big.yml: larger than 50 bytes"}, sk)
	_, _, _, err = ReadDir(filepath.Join(dir, "missing"), 50)
	require.Error(t, err)
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"unpinned", "pinned"} {
		b, err := os.ReadFile(filepath.Join("../../../fixtures/workflows", p, ".github/workflows/release.yml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("on: [pull_request_target]\njobs:\n  a:\n    env: {TOKEN: x}\n    steps:\n      - run: echo ${{ inputs.x }}\n"))
	f.Add([]byte("on: issues\nx: &s {run: 'echo ${{ GITHUB.event.issue.title }}'}\nenv: {T: '${{ github[\\'event\\'].issue.body }}'}\njobs:\n  a:\n    outputs: {o: '${{ steps.s.outputs.x }}'}\n    steps:\n      - <<: *s\n      - id: s\n        run: echo \"x=$T\" >> $GITHUB_OUTPUT\n  b:\n    needs: a\n    steps:\n      - run: echo ${{ format('}}', needs.a.outputs.o) }}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		wf, err := Parse("f.yml", b)
		if err != nil {
			return
		}
		for _, u := range wf.Uses {
			if u.Pinned && u.Kind == "action" && !shaRef.MatchString(u.Ref[strings.LastIndexByte(u.Ref, '@')+1:]) {
				t.Fatalf("pinned without a sha: %q", u.Ref)
			}
		}
	})
}
