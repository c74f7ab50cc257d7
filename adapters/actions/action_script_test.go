package actions

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// actionStep is one composite step of action.yml.
type actionStep struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
	With map[string]string `yaml:"with"`
}

type actionFile struct {
	Inputs map[string]struct {
		Required bool   `yaml:"required"`
		Default  string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

func loadAction(t *testing.T) actionFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	require.NoError(t, err)
	var a actionFile
	require.NoError(t, yaml.Unmarshal(b, &a))
	return a
}

func (a actionFile) step(t *testing.T, name string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.Name == name || (s.ID != "" && s.ID == name) {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", name)
	return actionStep{}
}

var expr = regexp.MustCompile(`^\$\{\{\s*(.+?)\s*\}\}$`)

// runStep runs a step's script with bash the way the runner does
// (bash --noprofile --norc -eo pipefail), its env: expressions resolved from
// ctx (keys such as "inputs.registry" or "github.action_path") and a fake
// GITHUB_* environment. It returns the exit code, the output and what the
// step wrote to GITHUB_OUTPUT.
func runStep(t *testing.T, s actionStep, ctx map[string]string, extraEnv ...string) (int, string, map[string]string) {
	t.Helper()
	require.NotEmpty(t, s.Run, s.Name)
	tmp := t.TempDir()
	outFile := filepath.Join(tmp, "github_output")
	require.NoError(t, os.WriteFile(outFile, nil, 0o644))
	script := filepath.Join(tmp, "step.sh")
	require.NoError(t, os.WriteFile(script, []byte(s.Run), 0o755))
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + tmp,
		"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + outFile, "GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "summary.md"),
		"GITHUB_WORKSPACE=" + tmp, "GITHUB_REPOSITORY=acme/app",
		"RUNNER_OS=Linux", "RUNNER_ARCH=X64", "RUNNER_TEMP=" + ctx["runner.temp"],
	}
	for k, v := range s.Env {
		if m := expr.FindStringSubmatch(v); m != nil {
			v = ctx[m[1]]
		}
		env = append(env, k+"="+v)
	}
	env = append(env, extraEnv...)
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Env = env
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	b, err := os.ReadFile(outFile)
	require.NoError(t, err)
	outputs := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			outputs[k] = v
		}
	}
	return code, string(out), outputs
}

// fakeHubgate writes a stand-in hubgate into dir that records its
// arguments, one per line, and exits with code.
func fakeHubgate(t *testing.T, dir string, code int) (argsFile string) {
	t.Helper()
	argsFile = filepath.Join(dir, "hubgate-args")
	src := "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > " + argsFile + "\nexit " + string(rune('0'+code)) + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hubgate"), []byte(src), 0o755))
	return argsFile
}

func TestActionEvaluateStep(t *testing.T) {
	a := loadAction(t)
	assert.True(t, a.Inputs["registry"].Required, "registry is required: the embedded one knows only the hub's repos")
	s := a.step(t, "eval")
	temp := t.TempDir()
	argsFile := fakeHubgate(t, temp, 1)
	ctx := map[string]string{
		"runner.temp":       temp,
		"inputs.registry":   "hub/registry.cue",
		"inputs.repo":       "acme/app",
		"inputs.subject":    "dist/a.tar.gz\n  dist/b.tar.gz  \n\n",
		"inputs.sbom":       "sbom.json",
		"inputs.sarif-file": "hubgate.sarif",
		"inputs.extra-args": "--now\n2026-11-28T00:00:00Z",
	}
	code, out, outputs := runStep(t, s, ctx)
	require.Equal(t, 0, code, "a denied release (exit 1) is judged by fail-on later: %s", out)
	assert.Equal(t, "1", outputs["exit-code"])
	assert.Equal(t, temp+"/hubgate-decision.json", outputs["decision-file"])
	b, err := os.ReadFile(argsFile)
	require.NoError(t, err)
	assert.Equal(t, strings.Join([]string{
		"eval", "--github", "-o", "text", "-o", "json=" + temp + "/hubgate-decision.json",
		"--registry", "hub/registry.cue", "--repo", "acme/app",
		"--subject", "dist/a.tar.gz", "--subject", "dist/b.tar.gz", "--sbom", "sbom.json",
		"-o", "sarif=hubgate.sarif", "--now", "2026-11-28T00:00:00Z",
	}, "\n")+"\n", string(b))

	// exit 2 (could not evaluate) fails the step at once.
	fakeHubgate(t, temp, 2)
	code, out, outputs = runStep(t, s, ctx)
	assert.Equal(t, 2, code)
	assert.Equal(t, "2", outputs["exit-code"])
	assert.Contains(t, out, "::error title=hubgate::hubgate could not evaluate (exit 2)")

	// No registry: exit 2 with a message that says how to write one.
	ctx["inputs.registry"] = "  \n"
	code, out, outputs = runStep(t, s, ctx)
	assert.Equal(t, 2, code)
	assert.Equal(t, "2", outputs["exit-code"])
	assert.Contains(t, out, "the registry input is required")
	assert.Contains(t, out, `repos: "acme/app": { require: ["checksums"] }`)
}

func TestActionFailOnStep(t *testing.T) {
	s := loadAction(t).step(t, "Enforce fail-on")
	for _, tt := range []struct {
		failOn, outcome string
		code            int
	}{
		{"fail", "pass", 0}, {"fail", "warn", 0}, {"fail", "fail", 1}, {"fail", "error", 1},
		{"warn", "warn", 1}, {"warn", "pass", 0},
		{"error", "fail", 0}, {"error", "error", 1},
		{"never", "error", 0},
		{"fail", "", 1}, {"fail", "unknown", 1},
		{"sometimes", "pass", 2},
	} {
		t.Run(tt.failOn+"/"+tt.outcome, func(t *testing.T) {
			ctx := map[string]string{"runner.temp": t.TempDir(), "inputs.fail-on": tt.failOn, "steps.eval.outputs.outcome": tt.outcome, "steps.eval.outputs.exit-code": "1"}
			code, out, _ := runStep(t, s, ctx)
			assert.Equal(t, tt.code, code, out)
		})
	}
}

// TestActionBinaryCache: the cache key is the runner OS/arch plus a hash of
// the action's source, stable across runs and changed by any source edit;
// the build runs only on a cache miss, and Go is set up (changing PATH) only
// when the runner has none.
func TestActionBinaryCache(t *testing.T) {
	a := loadAction(t)
	key := a.step(t, "key")
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "go.mod"), []byte("module x\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(src, "cmd"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "cmd", "main.go"), []byte("package main\n"), 0o644))
	ctx := map[string]string{"runner.temp": t.TempDir(), "github.action_path": src}
	code, out, o1 := runStep(t, key, ctx)
	require.Equal(t, 0, code, out)
	assert.Regexp(t, `^hubgate-Linux-X64-[0-9a-f]{32}$`, o1["key"])
	assert.Equal(t, ctx["runner.temp"]+"/hubgate-bin", o1["dir"])
	_, _, o2 := runStep(t, key, ctx)
	assert.Equal(t, o1["key"], o2["key"], "stable")
	require.NoError(t, os.WriteFile(filepath.Join(src, "cmd", "main.go"), []byte("package main\n// changed\n"), 0o644))
	_, _, o3 := runStep(t, key, ctx)
	assert.NotEqual(t, o1["key"], o3["key"], "a source change is a new binary")
	// Tests do not change the binary.
	require.NoError(t, os.WriteFile(filepath.Join(src, "cmd", "main_test.go"), []byte("package main\n"), 0o644))
	_, _, o4 := runStep(t, key, ctx)
	assert.Equal(t, o3["key"], o4["key"])

	// macOS runners have shasum, not sha256sum: the same key either way.
	bin := t.TempDir()
	for _, tool := range []string{"find", "sort", "xargs", "cut", "cp", "mkdir", "cat"} {
		p, err := exec.LookPath(tool)
		require.NoError(t, err)
		require.NoError(t, os.Symlink(p, filepath.Join(bin, tool)))
	}
	real, err := exec.LookPath("sha256sum")
	require.NoError(t, err)
	shasum := "#!/bin/sh\n[ \"$1 $2\" = \"-a 256\" ] || exit 9\nshift 2\nexec " + real + " \"$@\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "shasum"), []byte(shasum), 0o755))
	_, out, o5 := runStep(t, key, ctx, "PATH="+bin)
	assert.Equal(t, o4["key"], o5["key"], "shasum fallback: %s", out)

	cache := a.step(t, "cache")
	assert.Equal(t, "${{ steps.key.outputs.key }}", cache.With["key"])
	assert.True(t, strings.HasPrefix(cache.Uses, "actions/cache@"))
	build := a.step(t, "Build hubgate at the action's ref")
	assert.Contains(t, build.If, "steps.cache.outputs.cache-hit != 'true'")
	assert.Equal(t, "auto", build.Env["GOTOOLCHAIN"], "the runner's Go fetches the toolchain without changing PATH")
	setup := a.step(t, "Set up Go (no Go on the runner)")
	assert.Contains(t, setup.If, "steps.key.outputs.have-go != 'true'")
	upload := a.step(t, "Upload SARIF to code scanning")
	assert.Equal(t, "${{ inputs.sarif-category }}", upload.With["category"])
}

// TestExampleWorkflowUsesKnownInputs: every with: key the example workflow
// gives the action is an input of action.yml, and the required ones are set.
func TestExampleWorkflowUsesKnownInputs(t *testing.T) {
	a := loadAction(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "workflows", "release-gate.yml"))
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Steps []actionStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &wf))
	found := false
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			if s.Uses != "./" {
				continue
			}
			found = true
			for k := range s.With {
				assert.Contains(t, a.Inputs, k, "the example gives an unknown input")
			}
			for name, in := range a.Inputs {
				if in.Required {
					assert.Contains(t, s.With, name, "required input missing in the example")
				}
			}
			assert.Contains(t, s.With["sarif-category"], "${{ matrix.os }}")
		}
	}
	assert.True(t, found)
}

// TestActionVersionInput: a version input installs that release with go
// install (keyed by the version), and anything but a release version is
// refused before it reaches go.
func TestActionVersionInput(t *testing.T) {
	a := loadAction(t)
	key := a.step(t, "key")
	ctx := map[string]string{"runner.temp": t.TempDir(), "github.action_path": t.TempDir(), "inputs.version": "v1.2.3"}
	code, out, o := runStep(t, key, ctx)
	require.Equal(t, 0, code, out)
	assert.Equal(t, "hubgate-Linux-X64-v1.2.3", o["key"])
	for _, bad := range []string{"latest", "v1.2.3; rm -rf /", "main", "v1.2"} {
		ctx["inputs.version"] = bad
		code, out, _ = runStep(t, key, ctx)
		assert.Equal(t, 2, code, bad)
		assert.Contains(t, out, "version must be a release such as v1.2.3")
	}

	// The build step runs go install for a version, go build otherwise.
	build := a.step(t, "Build hubgate at the action's ref")
	bin := t.TempDir()
	log := filepath.Join(bin, "go.log")
	fakeGo := "#!/bin/sh\necho \"GOBIN=$GOBIN GOTOOLCHAIN=$GOTOOLCHAIN $*\" >> " + log + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755))
	binDir := filepath.Join(t.TempDir(), "hubgate-bin")
	ctx = map[string]string{"runner.temp": t.TempDir(), "github.action_path": t.TempDir(), "inputs.version": "v1.2.3", "steps.key.outputs.dir": binDir}
	path := "PATH=" + bin + ":" + os.Getenv("PATH")
	code, out, _ = runStep(t, build, ctx, path)
	require.Equal(t, 0, code, out)
	ctx["inputs.version"] = ""
	code, out, _ = runStep(t, build, ctx, path)
	require.Equal(t, 0, code, out)
	b, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Equal(t, "GOBIN="+binDir+" GOTOOLCHAIN=auto install -trimpath github.com/cicd-hub/hubgate/cmd/hubgate@v1.2.3\n"+
		"GOBIN= GOTOOLCHAIN=auto build -trimpath -o "+binDir+"/hubgate ./cmd/hubgate\n", string(b))
}

// TestActionPublishStep: a Check Run that cannot be published warns and
// does not fail the step (the decision is in the log and summary).
func TestActionPublishStep(t *testing.T) {
	s := loadAction(t).step(t, "Publish the Check Run")
	temp := t.TempDir()
	for _, tt := range []struct {
		code int
		warn bool
	}{{0, false}, {2, true}} {
		argsFile := fakeHubgate(t, temp, tt.code)
		ctx := map[string]string{"runner.temp": temp, "inputs.github-token": "t", "inputs.check-name": "hubgate", "steps.eval.outputs.decision-file": temp + "/d.json"}
		code, out, _ := runStep(t, s, ctx)
		assert.Equal(t, 0, code, out)
		assert.Equal(t, tt.warn, strings.Contains(out, "::warning title=hubgate::could not publish the Check Run"), out)
		b, err := os.ReadFile(argsFile)
		require.NoError(t, err)
		assert.Equal(t, "report\ncheck-run\n--decision\n"+temp+"/d.json\n--name\nhubgate\n", string(b))
	}
}
