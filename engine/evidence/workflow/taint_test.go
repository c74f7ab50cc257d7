package workflow

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTaint: each class of untrusted value reaching a script, beside its
// closest negative. want lists "line context <- source" of each injection.
func TestTaint(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		via  []string // the first injection's via, when set
	}{
		{"upper-case context", `on: issues
jobs:
  a:
    steps:
      - run: echo "${{ GITHUB.EVENT.issue.title }}"
`, []string{"5 github.event.issue.title <- github.event.issue.title"}, nil},
		{"mixed case and spaces", `on: issues
jobs:
  a:
    steps:
      - run: echo "${{github . Event . Issue . Title}}"
`, []string{"5 github.event.issue.title <- github.event.issue.title"}, nil},
		{"index syntax", `on: issues
jobs:
  a:
    steps:
      - run: echo "${{ github['event']['issue']['TITLE'] }}"
`, []string{"5 github.event.issue.title <- github.event.issue.title"}, nil},
		{"functions carry their arguments", `on: issues
jobs:
  a:
    steps:
      - run: |
          echo "${{ format('{0}', github.event.issue.body) }}"
          echo '${{ toJSON(github.event) }}'
          echo '${{ join(github.event.issue.labels.*.name, ',') }}'
          echo '${{ fromJSON(inputs.cfg).x }}'
          echo '${{ toJSON(github) }}'
`, []string{
			"6 github.event.issue.body <- github.event.issue.body",
			"7 github.event <- github.event",
			"8 github.event.issue.labels.*.name <- github.event.issue.labels.*.name",
			"9 inputs.cfg <- inputs.cfg",
			"10 github <- github",
		}, nil},
		{"a brace inside a string does not end the expression", `on: issues
jobs:
  a:
    steps:
      - run: echo "${{ format('}}', github.event.issue.title) }}"
`, []string{"5 github.event.issue.title <- github.event.issue.title"}, nil},
		{"booleans, fixed fields and trusted contexts are clean", `on: issues
jobs:
  a:
    steps:
      - run: |
          echo "${{ github.event.issue.title == 'x' }}"
          echo "${{ contains(github.event.issue.body, 'ok') }}"
          echo "${{ github.event.issue.number }} ${{ github.event.pull_request.head.sha }}"
          echo "${{ github.event_name }} ${{ github.sha }} ${{ secrets.X }} ${{ runner.os }}"
          echo "${{ github.event.issue.title && 'yes' }}"
          echo "${{ steps.x.outcome }} ${{ needs.b.result }}"
`, nil, nil},
		{"|| carries either side", `on: issues
jobs:
  a:
    steps:
      - run: echo "${{ vars.X || github.event.issue.title }}"
`, []string{"5 github.event.issue.title <- github.event.issue.title"}, nil},
		{"typed inputs are clean, string inputs not", `on:
  workflow_dispatch:
    inputs:
      n: {type: number}
      s: {type: string}
jobs:
  a:
    steps:
      - run: echo ${{ inputs.n }} ${{ inputs.s }} ${{ github.event.inputs.n }}
`, []string{"9 inputs.s <- inputs.s"}, nil},
		{"taint through workflow env", `on: issues
env:
  TITLE: ${{ github.event.issue.title }}
  SAFE: ${{ github.sha }}
jobs:
  a:
    steps:
      - run: echo "${{ env.TITLE }}" "${{ env.SAFE }}" "$TITLE"
`, []string{"8 env.title <- github.event.issue.title"}, []string{"env.TITLE"}},
		{"taint through job and step env, case-insensitive", `on: issues
jobs:
  a:
    env:
      BODY: prefix ${{ github.event.issue.body }}
    steps:
      - env:
          T: ${{ env.body }}
        run: echo "${{ ENV.T }}"
      - env:
          BODY: clean
        run: echo "${{ env.BODY }}"
`, []string{"9 env.t <- github.event.issue.body"}, []string{"jobs.a.env.BODY", "jobs.a.steps[0].env.T"}},
		{"env read by the shell is the safe pattern", `on: issues
jobs:
  a:
    steps:
      - env:
          TITLE: ${{ github.event.issue.title }}
        run: echo "$TITLE"
`, nil, nil},
		{"taint through a step output", `on: pull_request
jobs:
  a:
    steps:
      - id: t
        env:
          TITLE: ${{ github.event.pull_request.title }}
        run: echo "title=$TITLE" >> "$GITHUB_OUTPUT"
      - run: echo "${{ steps.t.outputs.title }}"
`, []string{"9 steps.t.outputs.title <- github.event.pull_request.title"},
			[]string{"jobs.a.steps[0].env.TITLE", "jobs.a.steps[0].run ($TITLE)", "jobs.a.steps[0].run (writes $GITHUB_OUTPUT)"}},
		{"a step output written from trusted text is clean", `on: pull_request
jobs:
  a:
    steps:
      - id: t
        run: echo "sha=$GITHUB_SHA" >> "$GITHUB_OUTPUT"
      - run: echo "${{ steps.t.outputs.sha }}"
`, nil, nil},
		{"a step that reads the event file", `on: pull_request
jobs:
  a:
    steps:
      - id: t
        run: echo "b=$(jq -r .pull_request.body "$GITHUB_EVENT_PATH")" >> "$GITHUB_OUTPUT"
      - run: echo "${{ steps.t.outputs.b }}"
`, []string{"7 steps.t.outputs.b <- github.event (read from $GITHUB_EVENT_PATH)"}, nil},
		{"a pass-through action", `on: pull_request
jobs:
  a:
    steps:
      - id: br
        uses: tj-actions/branch-names@` + sha + `
      - run: echo "${{ steps.br.outputs.current_branch }}"
`, []string{"7 steps.br.outputs.current_branch <- the outputs of tj-actions/branch-names"}, nil},
		{"taint through $GITHUB_ENV", `on: pull_request
jobs:
  a:
    steps:
      - run: echo "REF=${{ github.head_ref }}" >> "$GITHUB_ENV"
      - run: echo "${{ env.REF }}"
`, []string{"5 github.head_ref <- github.head_ref", "6 env.ref <- github.head_ref"}, nil},
		{"taint through job outputs and needs, declared out of order", `on: issue_comment
jobs:
  use:
    needs: [make]
    steps:
      - run: echo "${{ needs.make.outputs.body }}" "${{ needs.make.outputs.ok }}"
  make:
    outputs:
      body: ${{ steps.c.outputs.body }}
      ok: ${{ steps.s.outputs.ok }}
    steps:
      - id: c
        env:
          B: ${{ github.event.comment.body }}
        run: echo "body=$B" >> $GITHUB_OUTPUT
      - id: s
        run: echo "ok=1" >> $GITHUB_OUTPUT
`, []string{"6 needs.make.outputs.body <- github.event.comment.body"},
			[]string{"jobs.make.steps[0].env.B", "jobs.make.steps[0].run ($B)", "jobs.make.steps[0].run (writes $GITHUB_OUTPUT)", "jobs.make.outputs.body"}},
		{"a matrix built from untrusted text", `on: issues
jobs:
  a:
    strategy:
      matrix:
        t: ["${{ github.event.issue.title }}"]
    steps:
      - run: echo "${{ matrix.t }}"
`, []string{"8 matrix.t <- github.event.issue.title"}, nil},
		{"github-script's script and other script inputs", `on: issues
jobs:
  a:
    steps:
      - uses: actions/github-script@` + sha + `
        with:
          script: console.log("${{ env.X }}", "${{ github.event.issue.title }}")
      - uses: some/action@` + sha + `
        with:
          text: ${{ github.event.issue.title }}
`, []string{"7 github.event.issue.title <- github.event.issue.title"}, nil},
		{"an unparseable expression fails closed", `on: issues
jobs:
  a:
    steps:
      - run: echo "${{ github.event.issue.title ++ }}"
`, []string{"5 unparseable expression <- an expression hubgate cannot parse"}, nil},
		{"merge key hiding a run", `on: issues
x-step: &inject
  run: echo "${{ github.event.issue.title }}"
jobs:
  a:
    steps:
      - <<: *inject
        name: hidden
      - <<: [*inject]
        run: echo safe
`, []string{"3 github.event.issue.title <- github.event.issue.title"}, nil},
		{"merge key at job level", `on: issues
x-job: &job
  steps:
    - run: echo "${{ github.event.issue.body }}"
jobs:
  a:
    <<: *job
    runs-on: ubuntu-latest
`, []string{"4 github.event.issue.body <- github.event.issue.body"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, tt.src)
			var got []string
			for _, x := range f.Injections {
				src := x.Source
				if i := strings.Index(src, " ("); i > 0 && strings.HasPrefix(src, "an expression") {
					src = src[:i]
				}
				got = append(got, strings.Join([]string{strconv.Itoa(x.Line), x.Context, "<-", src}, " "))
				assert.NotEmpty(t, x.Job)
				assert.NotEmpty(t, x.Step)
				assert.NotEmpty(t, x.Field)
				assert.Contains(t, x.Path, x.Field)
			}
			assert.Equal(t, tt.want, got)
			if tt.via != nil {
				require.NotEmpty(t, f.Injections)
				assert.Equal(t, tt.via, f.Injections[0].Via)
			}
		})
	}
}

// TestInjectionNames: a finding names the job, the step and the field.
func TestInjectionNames(t *testing.T) {
	f := parse(t, `on: issues
jobs:
  triage:
    steps:
      - name: say
        run: echo "${{ github.event.issue.title }}"
      - id: js
        uses: actions/github-script@`+sha+`
        with:
          script: return "${{ github.event.issue.body }}"
`)
	require.Len(t, f.Injections, 2)
	a, b := f.Injections[0], f.Injections[1]
	assert.Equal(t, []string{"triage", "say", "run", "jobs.triage.steps[0].run", `${{ github.event.issue.title }}`},
		[]string{a.Job, a.Step, a.Field, a.Path, a.Expression})
	assert.Equal(t, []string{"triage", "js", "with.script", "jobs.triage.steps[1].with.script"},
		[]string{b.Job, b.Step, b.Field, b.Path})
}

func TestMergeErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"duplicate key", "on: push\njobs:\n  a:\n    steps:\n      - run: echo ok\n        run: echo evil\n", "appears twice"},
		{"merge of a scalar", "on: push\njobs:\n  a:\n    <<: 3\n", "not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("w.yml", []byte(tt.src))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestMergeBomb: merge keys fanning out over one anchor stop at the node
// budget instead of exhausting memory.
func TestMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &x0 {a: 1, b: 2, c: 3, d: 4}\n")
	for i := 1; i < 30; i++ {
		p := "*x" + strconv.Itoa(i-1)
		b.WriteString("x" + strconv.Itoa(i) + ": &x" + strconv.Itoa(i) + " {<<: [" + p + ", " + p + ", " + p + ", " + p + "], k" + strconv.Itoa(i) + ": v}\n")
	}
	b.WriteString("on: push\njobs:\n  a:\n    <<: *x29\n")
	_, err := Parse("w.yml", []byte(b.String()))
	require.ErrorIs(t, err, ErrTooManyNodes)
}

// BenchmarkParse: a workflow of 50 jobs of 20 steps, each step with env,
// a run script that writes $GITHUB_OUTPUT and reads the previous job's
// outputs, so every propagation path is walked.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("on: pull_request\nenv:\n  T: ${{ github.event.pull_request.title }}\njobs:\n")
	for j := range 50 {
		sb.WriteString("  j" + strconv.Itoa(j) + ":\n")
		if j > 0 {
			sb.WriteString("    needs: j" + strconv.Itoa(j-1) + "\n")
		}
		sb.WriteString("    outputs:\n      o: ${{ steps.s19.outputs.x }}\n    steps:\n")
		for s := range 20 {
			sb.WriteString("      - id: s" + strconv.Itoa(s) + "\n        env:\n          P: ${{ needs.j0.outputs.o }}\n")
			sb.WriteString("        run: |\n          echo \"x=$P $T\" >> \"$GITHUB_OUTPUT\"\n          echo \"${{ github.sha }}\"\n")
		}
	}
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("w.yml", src); err != nil {
			b.Fatal(err)
		}
	}
}
