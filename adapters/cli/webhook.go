package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cicd-hub/hubgate/adapters/webhook"
	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/engine/vsa"
)

func (a *app) newWebhookCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "webhook",
		Short: "Run the Kubernetes validating admission webhook",
	}
	c.AddCommand(a.newWebhookServeCmd(), a.newWebhookCertsCmd())
	return c
}

// loadAdmissionConfig returns the registry's top-level admission section,
// its defaults filled in by the registry schema, decoded strictly and
// validated.
func loadAdmissionConfig(reg *registry.Registry) (admission.Config, error) {
	var raw json.RawMessage
	if err := reg.Section("admission", &raw); err != nil {
		return admission.Config{}, err
	}
	cfg, err := admission.ParseConfig(raw)
	if err != nil {
		return admission.Config{}, fmt.Errorf("registry: admission: %w", err)
	}
	return cfg, nil
}

type webhookServeFlags struct {
	registry, tlsCert, tlsKey, addr, vsaDir, vsaKey, namespace, failure string
	vsaSource                                                           string
	oci                                                                 ociFlags
	cacheSize                                                           int
	timeout                                                             time.Duration
	maxBody                                                             int64
}

func (a *app) newWebhookServeCmd() *cobra.Command {
	var f webhookServeFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve POST /validate, /healthz, /readyz and /metrics over TLS",
		Long: `Serve the admission webhook over TLS (1.2 or later).

Images must be pinned by digest, come from an allowed registry and have a
signed verification summary in --vsa-dir (<sha256-hex>.vsa.json, a sigstore
bundle written by hubgate eval --vsa-out) that verifies against --vsa-key,
says PASSED, is younger than the registry's admission.vsa.max_age, names an
accepted policy digest, and was made for a repo that the registry's
admission.images maps the image's name to (longest prefix). An empty
admission.images is refused in enforce mode (exit 2) and a warning when
every namespace is in audit mode. The hub's Kyverno rules (referrer annotations,
secretless pods, pull_request_target ConfigMaps) apply too. The certificate
is reloaded when its files change. SIGINT or SIGTERM shuts down gracefully.

With --vsa-source registry the summaries are found among each image's OCI
referrers instead (as hubgate attach pushes them), with credentials from
--registry-config (a mounted Docker config secret) or anonymously. Lookups
are cached per digest (found: 5m; none: 10s; unreachable: 2s), one per
digest at a time, each within 80% of --timeout; a registry that is down or
slow denies, saying that the registry could not be reached.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.webhookServe(cmd.Context(), f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.registry, "registry", "", "CUE registry file or folder (default: embedded)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serving certificate, PEM (required)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "serving key, PEM (required)")
	fl.StringVar(&f.addr, "addr", ":8443", "listen address HOST:PORT")
	fl.StringVar(&f.vsaSource, "vsa-source", "dir", "where the verification summaries are: dir (--vsa-dir) or registry (the image's OCI referrers)")
	fl.StringVar(&f.vsaDir, "vsa-dir", "", "folder of <sha256-hex>.vsa.json verification summaries (required with --vsa-source dir)")
	f.oci.add(fl, false)
	fl.StringVar(&f.vsaKey, "vsa-key", "", "public key (PKIX PEM) the summaries are signed with (required)")
	fl.StringVar(&f.namespace, "namespace", "hubgate-system", "the webhook's own namespace, always exempt")
	fl.StringVar(&f.failure, "failure-policy", "closed", "closed | open: what an internal error or timeout does in namespaces the registry does not set")
	fl.IntVar(&f.cacheSize, "cache-size", webhook.DefaultCacheSize, "verified summaries (and summary files) kept in memory; 0 disables the cache")
	fl.DurationVar(&f.timeout, "timeout", webhook.DefaultTimeout, "evaluation deadline per request")
	fl.Int64Var(&f.maxBody, "max-body-bytes", webhook.DefaultMaxBodyBytes, "largest AdmissionReview accepted")
	return c
}

func (a *app) webhookServe(ctx context.Context, f webhookServeFlags) error {
	if f.vsaSource != "dir" && f.vsaSource != "registry" {
		return usageErr("webhook serve: --vsa-source %q: want dir or registry", f.vsaSource)
	}
	required := [][2]string{{"--tls-cert", f.tlsCert}, {"--tls-key", f.tlsKey}, {"--vsa-key", f.vsaKey}}
	if f.vsaSource == "dir" {
		required = append(required, [2]string{"--vsa-dir", f.vsaDir})
	} else if f.vsaDir != "" {
		return usageErr("webhook serve: --vsa-dir goes with --vsa-source dir")
	}
	for _, req := range required {
		if req[1] == "" {
			return usageErr("webhook serve: %s is required", req[0])
		}
	}
	var failure admission.Failure
	if err := failure.UnmarshalText([]byte(f.failure)); err != nil {
		return usageErr("webhook serve: --failure-policy: %v", err)
	}
	if err := checkInputs("webhook serve", inAny("registry", f.registry), inFile("tls-cert", f.tlsCert), inFile("tls-key", f.tlsKey),
		inDir("vsa-dir", f.vsaDir), inFile("vsa-key", f.vsaKey), inFile("registry-config", f.oci.registryConfig)); err != nil {
		return err
	}
	var (
		reg *registry.Registry
		err error
	)
	if f.registry != "" {
		reg, err = registry.LoadPath(f.registry)
	} else {
		reg, err = registry.LoadDefault()
	}
	if err != nil {
		return usageErr("webhook serve: registry: %v", err)
	}
	cfg, err := loadAdmissionConfig(reg)
	if err != nil {
		return usageErr("webhook serve: %v", err)
	}
	serveWarnings, err := cfg.CheckServe()
	if err != nil {
		return usageErr("webhook serve: registry: %v", err)
	}
	if f.namespace != "" && !slices.Contains(cfg.Exempt, f.namespace) {
		cfg.Exempt = append(cfg.Exempt, f.namespace)
	}
	keyPEM, err := os.ReadFile(f.vsaKey)
	if err != nil {
		return usageErr("webhook serve: --vsa-key: %v", err)
	}
	pub, err := vsa.LoadPublicKey(keyPEM)
	if err != nil {
		return usageErr("webhook serve: --vsa-key %s: %v", f.vsaKey, err)
	}
	if f.cacheSize < 0 {
		return usageErr("webhook serve: --cache-size: must not be negative")
	}
	store, regStore, err := f.store()
	if err != nil {
		return err
	}
	verifier, err := webhook.NewVSAVerifier(store, pub, webhook.WithCacheSize(f.cacheSize))
	if err != nil {
		return usageErr("webhook serve: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(a.stderr, nil))
	for _, w := range serveWarnings {
		logger.Warn("hubgate webhook: " + w)
	}
	eng, err := engine.New(ctx, engine.WithRegistry(reg))
	if err != nil {
		return usageErr("webhook serve: %v", err)
	}
	h, err := webhook.NewHandler(cfg, verifier, webhook.WithEngine(eng),
		webhook.WithFailurePolicy(failure), webhook.WithTimeout(f.timeout),
		webhook.WithMaxBodyBytes(f.maxBody), webhook.WithLogger(logger))
	if err != nil {
		return usageErr("webhook serve: %v", err)
	}
	if regStore != nil {
		h.Registry().MustRegister(regStore.Collectors()...)
	}
	certs, err := webhook.NewCertReloader(f.tlsCert, f.tlsKey)
	if err != nil {
		return usageErr("webhook serve: %v", err)
	}
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		return usageErr("webhook serve: listen %s: %v", f.addr, err)
	}
	srv := webhook.NewServer(f.addr, h, certs)
	srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(l, "", "") }()
	logger.Info("hubgate webhook serving", "addr", l.Addr().String(), "vsa_source", f.vsaSource, "vsa_dir", f.vsaDir, "key_id", keyID(pub),
		"registry_digest", reg.Digest(), "exempt", strings.Join(cfg.Exempt, ","), "cache_size", f.cacheSize)
	select {
	case err := <-done:
		return exitCode(ExitUsage, fmt.Errorf("webhook serve: %w", err))
	case <-ctx.Done():
	}
	h.SetReady(false)
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return exitCode(ExitUsage, fmt.Errorf("webhook serve: shutdown: %w", err))
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return exitCode(ExitUsage, fmt.Errorf("webhook serve: %w", err))
	}
	return nil
}

// store is the VSA store --vsa-source names; the registry store is
// returned twice, for its metrics.
func (f webhookServeFlags) store() (webhook.Store, *webhook.RegistryStore, error) {
	if f.vsaSource == "registry" {
		c, err := f.oci.client(int64(vsa.MaxBundleSize))
		if err != nil {
			return nil, nil, usageErr("webhook serve: %v", err)
		}
		// The lookup's budget is the admission deadline less a margin
		// for verification and the answer, so a registry that hangs is
		// a denial saying so, within timeoutSeconds.
		budget := f.timeout * 8 / 10
		s, err := webhook.NewRegistryStore(c, webhook.RegistryStoreOptions{Budget: budget, Size: max(f.cacheSize, 1)})
		if err != nil {
			return nil, nil, usageErr("webhook serve: %v", err)
		}
		return s, s, nil
	}
	if fi, err := os.Stat(f.vsaDir); err != nil || !fi.IsDir() {
		return nil, nil, usageErr("webhook serve: --vsa-dir %s: not a folder", f.vsaDir)
	}
	s, err := webhook.NewDirStore(filepath.Clean(f.vsaDir), f.cacheSize)
	if err != nil {
		return nil, nil, usageErr("webhook serve: %v", err)
	}
	return s, nil, nil
}

func (a *app) newWebhookCertsCmd() *cobra.Command {
	var (
		dir, hosts string
		validity   time.Duration
	)
	c := &cobra.Command{
		Use:   "certs",
		Short: "Write a self-signed CA and a serving certificate for the webhook",
		Long: `Write ca.crt (a self-signed CA, the caBundle of the webhook configuration),
tls.crt and tls.key (a serving certificate signed by it) into --dir, for
hubgate.hubgate-system.svc, 127.0.0.1, localhost and --hosts. For clusters
without cert-manager; see deploy/README.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return usageErr("webhook certs: --dir is required")
			}
			var hs []string
			for _, h := range strings.Split(hosts, ",") {
				if h = strings.TrimSpace(h); h != "" {
					hs = append(hs, h)
				}
			}
			certs, err := webhook.GenerateCerts(hs, time.Now(), validity)
			if err != nil {
				return usageErr("webhook certs: %v", err)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return usageErr("webhook certs: --dir: create %s: %s", dir, reason(err))
			}
			for _, fw := range []struct {
				name string
				data []byte
				mode os.FileMode
			}{{"ca.crt", certs.CACert, 0o644}, {"tls.crt", certs.TLSCert, 0o644}, {"tls.key", certs.TLSKey, 0o600}} {
				p := filepath.Join(dir, fw.name)
				if err := os.WriteFile(p, fw.data, fw.mode); err != nil {
					return usageErr("webhook certs: --dir: write %s: %s", p, reason(err))
				}
				if err := os.Chmod(p, fw.mode); err != nil {
					return usageErr("webhook certs: --dir: chmod %s: %s", p, reason(err))
				}
			}
			fmt.Fprintf(a.stdout, "wrote %s, %s and %s\n", filepath.Join(dir, "ca.crt"), filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "folder to write ca.crt, tls.crt and tls.key into (required)")
	c.Flags().StringVar(&hosts, "hosts", "", "extra DNS names or IP addresses, comma-separated")
	c.Flags().DurationVar(&validity, "validity", 365*24*time.Hour, "how long the certificates are valid")
	return c
}
