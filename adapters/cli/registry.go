package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine/registry"
)

func (a *app) newRegistryCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "registry",
		Short: "Validate, list, show, import and print the registry",
	}
	c.AddCommand(
		a.newRegistryValidateCmd(),
		a.newRegistryShowCmd(),
		a.newRegistryListCmd(),
		a.newRegistryImportCmd(),
		a.newRegistrySchemaCmd(),
	)
	return c
}

// loadRegistry loads path, or the embedded default registry when path is
// empty. Every failure is an exit-2 error.
func loadRegistry(path string) (*registry.Registry, error) {
	var (
		r   *registry.Registry
		err error
	)
	if path == "" {
		r, err = registry.LoadDefault()
	} else {
		r, err = registry.LoadPath(path)
	}
	if err != nil {
		return nil, exitCode(ExitUsage, err)
	}
	return r, nil
}

func (a *app) newRegistryValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate PATH",
		Short: "Check a registry file or directory; print OK or every problem with file:line:col",
		Long: "Check a registry (a .cue, .yaml, .yml or .json file, or a directory of them) against\n" +
			"the schema and the org defaults. Prints \"OK: N repositories\", or every problem\n" +
			"with its file:line:col and field path and exits 2.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkInputs("registry validate", inAny("", args[0])); err != nil {
				return err
			}
			r, err := loadRegistry(args[0])
			if err != nil {
				return err
			}
			n := len(r.Names())
			noun := "repositories"
			if n == 1 {
				noun = "repository"
			}
			fmt.Fprintf(a.stdout, "OK: %d %s\n", n, noun)
			return nil
		},
	}
}

func (a *app) newRegistryShowCmd() *cobra.Command {
	var repo, path string
	c := &cobra.Command{
		Use:   "show --repo OWNER/NAME [--registry PATH]",
		Short: "Print a repo's resolved registry entry, defaults filled in, as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if repo == "" {
				return usageErr("registry show: --repo is required")
			}
			if err := checkInputs("registry show", inAny("registry", path)); err != nil {
				return err
			}
			r, err := loadRegistry(path)
			if err != nil {
				return err
			}
			rp, err := r.Repo(repo)
			if err != nil {
				if errors.Is(err, registry.ErrUnknownRepo) {
					return usageErr("registry show: %v%s (known: %d repositories; see hubgate registry list)", err, didYouMean(repo, r.Names()), len(r.Names()))
				}
				return exitCode(ExitUsage, err)
			}
			b, err := json.MarshalIndent(rp.Data, "", "  ")
			if err != nil {
				return exitCode(ExitUsage, fmt.Errorf("registry show: %w", err))
			}
			b = append(b, '\n')
			_, err = a.stdout.Write(b)
			return err
		},
	}
	c.Flags().StringVar(&repo, "repo", "", "the repository, owner/name")
	c.Flags().StringVar(&path, "registry", "", "CUE, YAML or JSON file or folder (default: embedded)")
	return c
}

func (a *app) newRegistryImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Convert the hub's repositories.yaml into registry CUE (written to stdout)",
		Long: "Convert the hub's config/repositories.yaml (or \"-\" for standard input) into CUE for\n" +
			"the registry, validated against the schema. build_timeout: a bare number means\n" +
			"minutes (30 becomes \"30m\"); allowed_egress becomes egress.allow; max_parallel_jobs,\n" +
			"resource_limit_mb and secret_scope become limits fields; enabled: false is kept;\n" +
			"other settings go under ci.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var (
				in   io.Reader
				name = args[0]
			)
			if name == "-" {
				in, name = a.stdin, "<stdin>"
			} else {
				if err := checkInputs("registry import", inFile("", name)); err != nil {
					return err
				}
				f, err := os.Open(name)
				if err != nil {
					return usageErr("registry import: %w", err)
				}
				defer f.Close()
				in = f
			}
			out, err := registry.Import(in, name)
			if err != nil {
				return exitCode(ExitUsage, err)
			}
			_, err = a.stdout.Write(out)
			return err
		},
	}
}

func (a *app) newRegistrySchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the registry schema and org defaults (CUE)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := io.WriteString(a.stdout, registry.Schema())
			return err
		},
	}
}
