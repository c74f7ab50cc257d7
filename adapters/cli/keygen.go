package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/engine/vsa"
)

func (a *app) newKeygenCmd() *cobra.Command {
	var (
		out, algorithm string
		force          bool
	)
	c := &cobra.Command{
		Use:   "keygen",
		Short: "Make a key pair for signing verification summaries",
		Long: `Make a key pair for signing verification summaries (hubgate eval --vsa-out
--sign-key) and verifying them (hubgate webhook serve --vsa-key).

Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (PKIX PEM), and
prints the key id. Existing files are not overwritten unless --force.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			alg, err := vsa.ParseAlgorithm(algorithm)
			if err != nil {
				return usageErr("keygen: --algorithm: %v", err)
			}
			if out == "" {
				return usageErr("keygen: --out: empty prefix")
			}
			keyPath, pubPath := out+".key", out+".pub"
			if !force {
				for _, p := range []string{keyPath, pubPath} {
					if _, err := os.Stat(p); err == nil {
						return usageErr("keygen: %s exists (use --force to overwrite)", p)
					} else if !errors.Is(err, fs.ErrNotExist) {
						return usageErr("keygen: %v", err)
					}
				}
			}
			k, err := vsa.GenerateKey(alg)
			if err != nil {
				return exitCode(ExitUsage, fmt.Errorf("keygen: %w", err))
			}
			priv, err := k.MarshalPrivateKeyPEM()
			if err != nil {
				return exitCode(ExitUsage, fmt.Errorf("keygen: %w", err))
			}
			if err := os.WriteFile(keyPath, priv, 0o600); err != nil {
				return usageErr("keygen: --out: write %s: %s", keyPath, reason(err))
			}
			// WriteFile keeps the mode of an existing file: make sure.
			if err := os.Chmod(keyPath, 0o600); err != nil {
				return usageErr("keygen: --out: chmod %s: %s", keyPath, reason(err))
			}
			if err := os.WriteFile(pubPath, k.Public().MarshalPEM(), 0o644); err != nil {
				return usageErr("keygen: --out: write %s: %s", pubPath, reason(err))
			}
			fmt.Fprintf(a.stdout, "wrote %s and %s (%s, key id %s)\n", keyPath, pubPath, alg, keyID(k.Public()))
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "hubgate", "file name prefix: writes PREFIX.key and PREFIX.pub")
	c.Flags().StringVar(&algorithm, "algorithm", string(vsa.AlgorithmECDSAP256), "ecdsa-p256 or ed25519")
	c.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	return c
}
