package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine"
)

// policyTestResult is one test in policy test --format json. Its keys are a
// contract. No duration: the output is the same bytes on every run.
type policyTestResult struct {
	Name     string `json:"name"`
	Package  string `json:"package"`
	Location string `json:"location"`
	Pass     bool   `json:"pass"`
	Error    string `json:"error,omitempty"`
}

// policyTestReport is the whole of policy test --format json.
type policyTestReport struct {
	Passed int                `json:"passed"`
	Failed int                `json:"failed"`
	Tests  []policyTestResult `json:"tests"`
}

func (a *app) newPolicyTestCmd() *cobra.Command {
	var (
		noBuiltin, verbose bool
		runRE, format      string
	)
	c := &cobra.Command{
		Use:   "test [DIR]...",
		Short: "Run the Rego unit tests (*_test.rego) of the built-in pack and of each DIR",
		Long: `Run the Rego unit tests (*_test.rego) of the built-in pack and of each DIR.

Tests are reported in name order (package, then rule), the same on every run.
Without -v only failing tests and the summary are printed; -v prints every
test. --run REGEX keeps the tests whose full name (data.hub.pkg.test_name)
matches, as opa test --run does. --format json prints
{"passed":N,"failed":N,"tests":[{"name","package","location","pass","error"}]}.

Exit codes: 0 all selected tests pass; 1 a test fails, or no test is
selected; 2 a DIR cannot be read or a policy does not compile.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr("policy test: --format %q: want text or json", format)
			}
			var re *regexp.Regexp
			if runRE != "" {
				var err error
				if re, err = regexp.Compile(runRE); err != nil {
					return usageErr("policy test: --run: %v", err)
				}
			}
			var srcs []engine.PolicySource
			dirs := make([]input, 0, len(args))
			for _, d := range args {
				dirs = append(dirs, inDir("", d))
			}
			if err := checkInputs("policy test", dirs...); err != nil {
				return err
			}
			for _, d := range args {
				srcs = append(srcs, engine.PolicySource{Name: filepath.ToSlash(filepath.Clean(d)), FS: os.DirFS(d)})
			}
			res, err := engine.TestPolicy(a.ctx, !noBuiltin, srcs...)
			if err != nil {
				return usageErr("policy test: %v", err)
			}
			rep := policyTestReport{Tests: []policyTestResult{}}
			for _, r := range res {
				t := policyTestResult{Name: r.Package + "." + r.Name, Package: r.Package, Location: r.Location, Pass: r.Pass, Error: r.Error}
				if re != nil && !re.MatchString(t.Name) {
					continue
				}
				rep.Tests = append(rep.Tests, t)
			}
			// OPA's runner walks a map of modules: order by name, then
			// location, so the output is the same on every run.
			slices.SortFunc(rep.Tests, func(x, y policyTestResult) int {
				return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Location, y.Location))
			})
			for _, t := range rep.Tests {
				if t.Pass {
					rep.Passed++
				} else {
					rep.Failed++
				}
			}
			if err := a.writePolicyTest(rep, format, verbose); err != nil {
				return usageErr("policy test: write standard output: %v", err)
			}
			if rep.Failed > 0 {
				return exitCode(ExitDenied, nil)
			}
			if len(rep.Tests) == 0 {
				if re != nil {
					return exitCode(ExitDenied, fmt.Errorf("policy test: no tests match --run %q", runRE))
				}
				return exitCode(ExitDenied, fmt.Errorf("policy test: no tests found"))
			}
			return nil
		},
	}
	c.Flags().BoolVar(&noBuiltin, "no-builtin", false, "test only the given directories, without the built-in pack")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every test, not only the failing ones")
	c.Flags().StringVar(&runRE, "run", "", "run only the tests whose full name matches this regular expression")
	c.Flags().StringVar(&format, "format", "text", "text or json")
	return c
}

func (a *app) writePolicyTest(rep policyTestReport, format string, verbose bool) error {
	if format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var b strings.Builder
	for _, t := range rep.Tests {
		if t.Pass && !verbose {
			continue
		}
		status := "PASS"
		if !t.Pass {
			status = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s (%s)", status, t.Name, t.Location)
		if t.Error != "" {
			fmt.Fprintf(&b, ": %s", t.Error)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", rep.Passed, rep.Failed)
	_, err := a.stdout.Write([]byte(b.String()))
	return err
}
