package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cicd-hub/hubgate/adapters/oci"
	"github.com/cicd-hub/hubgate/engine"
)

// ociFlags are --image, --registry-config and --plain-http.
type ociFlags struct {
	image, registryConfig string
	plainHTTP             bool
}

func (o *ociFlags) add(fl *pflag.FlagSet, image bool) {
	if image {
		fl.StringVar(&o.image, "image", "", "REGISTRY/REPO@sha256:HEX: discover the image's evidence among its OCI referrers; the subject is the manifest digest")
	}
	fl.StringVar(&o.registryConfig, "registry-config", "", "Docker config.json with registry credentials (default: $DOCKER_CONFIG/config.json, ~/.docker/config.json; anonymous without)")
	fl.BoolVar(&o.plainHTTP, "plain-http", false, "talk HTTP, not HTTPS, to the OCI registry (loopback tests)")
}

func (o *ociFlags) client(maxBlob int64) (*oci.Client, error) {
	return oci.NewClient(oci.Options{RegistryConfig: o.registryConfig, PlainHTTP: o.plainHTTP, MaxBlobSize: maxBlob})
}

// discoverImage finds the evidence of --image among its referrers. A
// registry that cannot be reached is exit 2 with the discovery finding id
// (oci.unreachable, oci.unauthorized, ...); bad evidence goes to the
// engine, whose rules deny it (exit 1).
func (a *app) discoverImage(f *evalFlags) (engine.SubjectInput, []engine.Item, error) {
	img, err := oci.ParseImage(f.oci.image)
	if err != nil {
		return engine.SubjectInput{}, nil, usageErr("eval: --image: %v", err)
	}
	c, err := f.oci.client(f.maxFileSize)
	if err != nil {
		return engine.SubjectInput{}, nil, usageErr("eval: %v", err)
	}
	res, err := c.Discover(a.ctx, img)
	if err != nil {
		return engine.SubjectInput{}, nil, exitCode(ExitUsage, fmt.Errorf("eval: --image: %w", err))
	}
	for _, r := range res.Referrers {
		if r.Use.Kind() == "" {
			fmt.Fprintf(a.stderr, "hubgate: eval: --image: referrer %s (%s%s) is listed, not judged: not a kind of evidence hubgate reads\n", r.Ref, r.ArtifactType, predicate(r.PredicateType))
		}
	}
	sub := engine.SubjectInput{
		Name:   img.Registry() + "/" + img.Repository(),
		Digest: map[string]string{"sha256": strings.TrimPrefix(img.Digest, "sha256:")},
	}
	return sub, res.Items(), nil
}

func predicate(p string) string {
	if p == "" {
		return ""
	}
	return ", predicate " + p
}

func (a *app) newAttachCmd() *cobra.Command {
	var o ociFlags
	var image string
	c := &cobra.Command{
		Use:   "attach --image REF@sha256:HEX FILE...",
		Short: "Push evidence files as OCI referrers of an image",
		Long: `Push each FILE as a referrer of the image: a signed VSA or other sigstore
bundle, a CycloneDX or SPDX SBOM, or an OpenVEX document. Each is an OCI 1.1
manifest with the file's media type as artifactType and single layer, and
for bundles the annotations cosign v3 sets (dev.sigstore.bundle.content,
dev.sigstore.bundle.predicateType), so cosign verify-attestation finds a
hubgate VSA. Prints one line per referrer: its digest, artifact type and file.

Exit codes: 0 attached; 2 bad flags, a file of unknown type, or a registry
that cannot be reached.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if image == "" {
				return usageErr("attach: --image REGISTRY/REPO@sha256:HEX is required")
			}
			img, err := oci.ParseImage(image)
			if err != nil {
				return usageErr("attach: --image: %v", err)
			}
			var files []oci.File
			for _, p := range args {
				if err := checkInput("attach", p, inputFile); err != nil {
					return usageErr("attach: %v", err)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return usageErr("attach: %s: %s", p, reason(err))
				}
				files = append(files, oci.File{Name: filepath.Base(p), Data: b})
			}
			cl, err := o.client(0)
			if err != nil {
				return usageErr("attach: %v", err)
			}
			att, err := cl.Attach(a.ctx, img, files, time.Now())
			for _, r := range att {
				fmt.Fprintf(a.stdout, "%s\t%s%s\t%s\n", r.Digest, r.ArtifactType, predicate(r.PredicateType), r.File)
			}
			if err != nil {
				var de *oci.DiscoveryError
				if errors.As(err, &de) {
					return exitCode(ExitUsage, fmt.Errorf("attach: %w", err))
				}
				return usageErr("attach: %v", err)
			}
			return nil
		},
	}
	c.Flags().StringVar(&image, "image", "", "REGISTRY/REPO@sha256:HEX: the image the files are attached to (required)")
	o.add(c.Flags(), false)
	return c
}
