package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// Defaults of the handler options.
const (
	// DefaultTimeout is below the 5 s the API server waits, so the webhook
	// answers (and fails closed) before the API server gives up on it.
	DefaultTimeout = 3 * time.Second
	// queuePerSlot is how many reviews may wait for each evaluation slot;
	// a review beyond them is refused at once ([ErrOverloaded]).
	queuePerSlot = 4
	// DefaultMaxBodyBytes bounds a review: an object and its old version of
	// up to 1.5 MiB each, plus the envelope.
	DefaultMaxBodyBytes = 7 << 20
	// MaxWarningLength is the longest warning the handler writes.
	MaxWarningLength = 120
	// maxMessageLength bounds the denial message.
	maxMessageLength = 4096
	// maxWarnings bounds the number of warnings in one response.
	maxWarnings = 20
)

// Outcomes, as the metrics label them.
const (
	OutcomeAllowed    = "allowed"
	OutcomeDenied     = "denied"
	OutcomeAudit      = "audit"
	OutcomeExempt     = "exempt"
	OutcomeError      = "error"
	OutcomeFailOpen   = "fail_open"
	OutcomeBadRequest = "bad_request"
	// OutcomeOverloaded is a review that found no evaluation slot within
	// its timeout: denied (failure policy Fail) or admitted with a
	// warning (Ignore), like any evaluation error.
	OutcomeOverloaded = "overloaded"
)

// ErrOverloaded is the evaluation error of a review that found no free
// evaluation slot ([WithMaxInFlight]) before its timeout.
var ErrOverloaded = errors.New("webhook overloaded")

// Evaluator judges one admission object. The handler's engine
// ([engine.Engine.EvaluateAdmission]) is the one it uses by default.
type Evaluator func(ctx context.Context, in engine.AdmissionInput) (*policy.Decision, error)

// Option configures a [Handler].
type Option func(*Handler) error

// WithFailurePolicy sets what happens when a request in a namespace with no
// admission setting cannot be evaluated. The default is [admission.FailClosed].
func WithFailurePolicy(f admission.Failure) Option {
	return func(h *Handler) error {
		if f != admission.FailClosed && f != admission.FailOpen {
			return fmt.Errorf("failure policy %d: unknown", f)
		}
		h.failure = f
		return nil
	}
}

// WithTimeout bounds the evaluation of one request (default [DefaultTimeout]).
func WithTimeout(d time.Duration) Option {
	return func(h *Handler) error {
		if d <= 0 {
			return fmt.Errorf("timeout %s: must be positive", d)
		}
		h.timeout = d
		return nil
	}
}

// WithMaxInFlight bounds the reviews evaluated at once (default
// [DefaultMaxInFlight]: four per CPU, the evaluation being CPU-bound once
// the summaries are cached). A review that finds every slot taken waits
// for one, until its timeout ([WithTimeout], counted from the request's
// arrival); when 4n reviews are already waiting it does not wait. Either
// way it then fails with [ErrOverloaded], which the failure policy turns
// into a denial (Fail) or an admission with a warning (Ignore). Under
// overload the webhook so answers every request before the API server
// gives up on it, refusing the excess at once instead of slowing every
// request down, and the goroutines and memory it holds stay bounded.
func WithMaxInFlight(n int) Option {
	return func(h *Handler) error {
		if n <= 0 {
			return fmt.Errorf("max in flight %d: must be positive", n)
		}
		h.slots = make(chan struct{}, n)
		return nil
	}
}

// DefaultMaxInFlight is the default of [WithMaxInFlight].
func DefaultMaxInFlight() int { return 4 * runtime.GOMAXPROCS(0) }

// WithMaxBodyBytes bounds the request body (default [DefaultMaxBodyBytes]).
func WithMaxBodyBytes(n int64) Option {
	return func(h *Handler) error {
		if n <= 0 {
			return fmt.Errorf("max body bytes %d: must be positive", n)
		}
		h.maxBody = n
		return nil
	}
}

// WithLogger sets the logger for errors and decisions (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) error {
		if l == nil {
			return errors.New("logger: nil")
		}
		h.log = l
		return nil
	}
}

// WithEngine judges with e: its hub.admission rules (the built-in pack's,
// and any --policy rules) and its policy digest. Without it the handler
// uses the built-in pack, compiled once per process.
func WithEngine(e *engine.Engine) Option {
	return func(h *Handler) error {
		if e == nil {
			return errors.New("engine: nil")
		}
		h.engine = e
		return nil
	}
}

// WithClock sets the clock of the decisions: their time, and what
// admission.waivers' expiry is judged against (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(h *Handler) error {
		if now == nil {
			return errors.New("clock: nil")
		}
		h.now = now
		return nil
	}
}

// WithEvaluator replaces the engine's [engine.Engine.EvaluateAdmission];
// tests use it to inject failures.
func WithEvaluator(e Evaluator) Option {
	return func(h *Handler) error {
		if e == nil {
			return errors.New("evaluator: nil")
		}
		h.eval = e
		return nil
	}
}

// Handler serves POST /validate, GET /healthz, /readyz and /metrics. It is
// safe for concurrent use.
type Handler struct {
	cfg     admission.Config
	checker admission.VSAChecker
	failure admission.Failure
	timeout time.Duration
	maxBody int64
	log     *slog.Logger
	eval    Evaluator
	engine  *engine.Engine
	now     func() time.Time
	// slots holds a token per review being evaluated; waiting counts the
	// reviews waiting for one.
	slots   chan struct{}
	waiting atomic.Int64

	mux      *http.ServeMux
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	ready    atomic.Bool
}

// NewHandler returns a handler for cfg whose admission.vsa rule asks checker.
func NewHandler(cfg admission.Config, checker admission.VSAChecker, opts ...Option) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	h := &Handler{
		cfg: cfg, checker: checker,
		failure: admission.FailClosed, timeout: DefaultTimeout, maxBody: DefaultMaxBodyBytes,
		log: slog.New(slog.DiscardHandler),
		now: time.Now, slots: make(chan struct{}, DefaultMaxInFlight()),
	}
	for _, o := range opts {
		if err := o(h); err != nil {
			return nil, fmt.Errorf("webhook: %w", err)
		}
	}
	if h.eval == nil {
		if h.engine == nil {
			e, err := builtinEngine()
			if err != nil {
				return nil, fmt.Errorf("webhook: %w", err)
			}
			h.engine = e
		}
		h.eval = h.engine.EvaluateAdmission
	}
	h.registry = prometheus.NewRegistry()
	h.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hubgate_admission_requests_total",
		Help: "Admission reviews handled, by outcome.",
	}, []string{"outcome"})
	h.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hubgate_admission_request_duration_seconds",
		Help:    "Time to answer an admission review, by outcome.",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
	}, []string{"outcome"})
	h.registry.MustRegister(h.requests, h.latency,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hubgate_admission_in_flight",
			Help: "Admission reviews being evaluated (at most the evaluation slots).",
		}, func() float64 { return float64(len(h.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hubgate_admission_waiting",
			Help: "Admission reviews waiting for an evaluation slot.",
		}, func() float64 { return float64(h.waiting.Load()) }))

	h.mux = http.NewServeMux()
	h.mux.HandleFunc("POST /validate", h.validate)
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	h.mux.HandleFunc("GET /readyz", h.readyz)
	h.mux.Handle("GET /metrics", promhttp.HandlerFor(h.registry, promhttp.HandlerOpts{}))
	h.ready.Store(true)
	return h, nil
}

// builtinEngine is the built-in policy pack with the embedded registry,
// compiled on first use and shared by every handler without [WithEngine].
var builtinEngine = sync.OnceValues(func() (*engine.Engine, error) { return engine.New(context.Background()) })

// ServeHTTP implements [http.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Registry returns the handler's own Prometheus registry.
func (h *Handler) Registry() *prometheus.Registry { return h.registry }

// SetReady sets what /readyz answers (ready after [NewHandler]).
func (h *Handler) SetReady(ok bool) { h.ready.Store(ok) }

func (h *Handler) readyz(w http.ResponseWriter, _ *http.Request) {
	if !h.ready.Load() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

func (h *Handler) observe(outcome string, start time.Time) {
	h.requests.WithLabelValues(outcome).Inc()
	h.latency.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
}

func (h *Handler) validate(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// The timeout counts from the request's arrival: reading and decoding
	// the review, waiting for a slot and evaluating all fit in it.
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/json" {
		h.observe(OutcomeBadRequest, start)
		http.Error(w, "content type must be application/json", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		h.observe(OutcomeBadRequest, start)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, fmt.Sprintf("review larger than %d bytes", h.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "read review", http.StatusBadRequest)
		return
	}
	review, err := DecodeReview(body)
	if err != nil {
		h.observe(OutcomeBadRequest, start)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, outcome := h.Review(ctx, review.Request)
	if outcome != OutcomeAllowed && outcome != OutcomeExempt {
		// The decision log: every request that did not simply pass.
		h.log.Info("admission decision", "uid", string(review.Request.UID), "outcome", outcome,
			"kind", gvk(review.Request.Kind), "namespace", review.Request.Namespace, "name", review.Request.Name,
			"operation", string(review.Request.Operation), "dry_run", review.Request.DryRun != nil && *review.Request.DryRun,
			"message", decisionMessage(resp))
	}
	out := admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp}
	b, err := utiljson.Marshal(out)
	if err != nil { // cannot happen with these types; fail closed anyway
		h.observe(OutcomeError, start)
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
	h.observe(outcome, start)
}

// DecodeReview decodes an admission.k8s.io/v1 AdmissionReview request. It
// fails on anything else: another version or kind, no request, no uid.
func DecodeReview(body []byte) (*admissionv1.AdmissionReview, error) {
	if len(body) == 0 {
		return nil, errors.New("decode review: empty body")
	}
	var review admissionv1.AdmissionReview
	if err := utiljson.Unmarshal(body, &review); err != nil {
		return nil, fmt.Errorf("decode review: %w", err)
	}
	if review.APIVersion != "admission.k8s.io/v1" || review.Kind != "AdmissionReview" {
		return nil, fmt.Errorf("decode review: apiVersion %q kind %q: want admission.k8s.io/v1 AdmissionReview", review.APIVersion, review.Kind)
	}
	if review.Request == nil {
		return nil, errors.New("decode review: request: missing")
	}
	if review.Request.UID == "" {
		return nil, errors.New("decode review: request.uid: missing")
	}
	if review.Response != nil {
		return nil, errors.New("decode review: response: set in a request")
	}
	return &review, nil
}

// Review decides one admission request and returns the response and the
// outcome label. A dry-run request is evaluated the same way: the handler
// has no side effects beyond its metrics.
func (h *Handler) Review(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, string) {
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	switch req.Operation {
	case admissionv1.Create, admissionv1.Update:
	case admissionv1.Delete, admissionv1.Connect:
		// Nothing new starts; the shipped rules do not send these.
		return resp, OutcomeAllowed
	default:
		// The API server sends only the four operations above.
		resp.Allowed = false
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusBadRequest,
			Reason:  metav1.StatusReasonBadRequest,
			Message: truncate(fmt.Sprintf("hubgate denied %s %s: operation %q is not one the API server sends (CREATE, UPDATE, DELETE or CONNECT)", gvk(req.Kind), nsName(req.Namespace, req.Name), string(req.Operation)), maxMessageLength),
		}
		return resp, OutcomeDenied
	}
	nc, exempt := h.cfg.Namespace(req.Namespace)
	if exempt {
		return resp, OutcomeExempt
	}
	if _, listed := h.cfg.Namespaces[req.Namespace]; !listed {
		nc.Failure = h.failure
	}
	if req.Resource.Resource == "pods" && req.SubResource == "ephemeralcontainers" && (req.Kind.Group != "" || req.Kind.Kind != "Pod") {
		// Kubernetes before 1.23 sent kind EphemeralContainers here, a list
		// without the pod's images. Fail closed rather than warn: this
		// subresource adds containers.
		resp.Allowed = false
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusBadRequest,
			Reason:  metav1.StatusReasonBadRequest,
			Message: truncate(fmt.Sprintf("hubgate denied pods/ephemeralcontainers %s: kind %s is not evaluated: hubgate judges the Pod the API server sends since Kubernetes 1.23", nsName(req.Namespace, req.Name), gvk(req.Kind)), maxMessageLength),
		}
		return resp, OutcomeDenied
	}
	if !admission.Supported(req.Kind.Group, req.Kind.Kind) {
		resp.Warnings = []string{truncate(fmt.Sprintf("hubgate does not evaluate %s", gvk(req.Kind)), MaxWarningLength)}
		return resp, OutcomeAllowed
	}
	// A subresource review (pods/ephemeralcontainers) carries the whole
	// Pod as its object, so it is judged like the Pod: every container,
	// init container and ephemeral container.
	obj := admission.Object{Group: req.Kind.Group, Kind: req.Kind.Kind, Namespace: req.Namespace, Raw: req.Object.Raw,
		Operation: string(req.Operation), OldRaw: req.OldObject.Raw}
	d, err := h.evaluate(ctx, obj)
	what := fmt.Sprintf("%s %s", gvk(req.Kind), nsName(req.Namespace, req.Name))
	if req.SubResource != "" {
		what += " (" + req.SubResource + ")"
	}
	if err != nil && (errors.Is(err, admission.ErrDecode) || errors.Is(err, admission.ErrInvalid)) {
		// Not an evaluation failure: the object is not one the API server
		// sends. Denied whatever the failure policy.
		h.log.Warn("admission object invalid", "uid", string(req.UID), "object", what, "error", err.Error())
		resp.Allowed = false
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusBadRequest,
			Reason:  metav1.StatusReasonBadRequest,
			Message: truncate(fmt.Sprintf("hubgate denied %s: %v", what, err), maxMessageLength),
		}
		return resp, OutcomeDenied
	}
	if err != nil {
		if !errors.Is(err, ErrOverloaded) {
			// An overloaded refusal is counted (outcome overloaded) and
			// in the decision log, not logged again as an error: under
			// overload that would add work to every refusal.
			h.log.Error("admission evaluation failed", "uid", string(req.UID), "object", what, "error", err.Error(), "failure", nc.Failure.String())
		}
		if nc.Failure == admission.FailOpen {
			resp.Warnings = []string{truncate("hubgate could not evaluate this request and fails open: "+err.Error(), MaxWarningLength)}
			resp.AuditAnnotations = map[string]string{"error": truncate(err.Error(), 1024)}
			return resp, OutcomeFailOpen
		}
		resp.Allowed = false
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusInternalServerError,
			Reason:  metav1.StatusReasonInternalError,
			Message: truncate(fmt.Sprintf("hubgate could not evaluate %s and fails closed: %v", what, err), maxMessageLength),
		}
		if errors.Is(err, ErrOverloaded) {
			resp.Result.Code = http.StatusServiceUnavailable
			resp.Result.Reason = metav1.StatusReasonServiceUnavailable
			return resp, OutcomeOverloaded
		}
		return resp, OutcomeError
	}
	return h.respond(resp, d, nc, what)
}

// respond maps the decision to the response. An allowed decision admits,
// with a warning for each warn finding and each waived one. A denied one
// denies in enforce mode, with a message built from its failing findings;
// in audit mode it admits, with every finding as a warning and the
// failing ones as audit annotations.
func (h *Handler) respond(resp *admissionv1.AdmissionResponse, d *policy.Decision, nc admission.NamespaceConfig, what string) (*admissionv1.AdmissionResponse, string) {
	var blocking, notes []policy.Finding
	for _, f := range d.Findings {
		switch o := f.Effective(); {
		case o == policy.OutcomeFail || o == policy.OutcomeError:
			blocking = append(blocking, f)
		case o == policy.OutcomeWarn || f.Waiver != nil:
			notes = append(notes, f)
		}
	}
	if d.Allowed && len(blocking) == 0 {
		if len(notes) == 0 {
			return resp, OutcomeAllowed
		}
		resp.Warnings = warnings("hubgate", notes)
		return resp, OutcomeAllowed
	}
	if len(blocking) == 0 {
		// Not allowed with nothing failing: a decision no rule explains.
		// Fail closed.
		blocking = []policy.Finding{{Rule: "decision", Message: fmt.Sprintf("decision outcome %s", d.Outcome)}}
	}
	if nc.Mode == admission.ModeAudit {
		resp.Warnings = warnings("hubgate audit", append(blocking, notes...))
		resp.AuditAnnotations = auditAnnotations(blocking)
		return resp, OutcomeAudit
	}
	resp.Allowed = false
	resp.Result = &metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    http.StatusForbidden,
		Reason:  metav1.StatusReasonForbidden,
		Message: denyMessage(what, blocking),
	}
	return resp, OutcomeDenied
}

// evaluate runs the evaluator in an evaluation slot under the timeout and
// turns a panic into an error. The slot is held until the evaluator
// returns, also when the timeout answered first, so that the slots bound
// the work being done.
func (h *Handler) evaluate(ctx context.Context, obj admission.Object) (*policy.Decision, error) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	type result struct {
		d   *policy.Decision
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() { <-h.slots }()
		defer func() {
			if p := recover(); p != nil {
				ch <- result{err: fmt.Errorf("internal error: %v", p)}
			}
		}()
		d, err := h.eval(ctx, engine.AdmissionInput{Config: h.cfg, Object: obj, Checker: h.checker, Now: h.now()})
		if err == nil && d == nil {
			err = errors.New("internal error: no decision")
		}
		ch <- result{d, err}
	}()
	select {
	case r := <-ch:
		return r.d, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("evaluation timed out: %w", ctx.Err())
	}
}

// acquire takes an evaluation slot: at once when one is free, else after
// waiting for one until ctx is done, unless too many reviews wait already.
func (h *Handler) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	if h.waiting.Add(1) > int64(queuePerSlot*cap(h.slots)) {
		h.waiting.Add(-1)
		return fmt.Errorf("%w: %d reviews in flight and %d waiting", ErrOverloaded, cap(h.slots), queuePerSlot*cap(h.slots))
	}
	defer h.waiting.Add(-1)
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: no evaluation slot free within the %s timeout (%d reviews in flight)", ErrOverloaded, h.timeout, cap(h.slots))
	}
}

func gvk(k metav1.GroupVersionKind) string {
	if k.Group == "" {
		return k.Kind
	}
	return k.Kind + "." + k.Group
}

func nsName(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func decisionMessage(resp *admissionv1.AdmissionResponse) string {
	if resp.Result != nil {
		return resp.Result.Message
	}
	return strings.Join(resp.Warnings, "; ")
}

// denyMessage names the object, then each failing finding as "rule: message".
func denyMessage(what string, fs []policy.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hubgate denied %s:", what)
	for i, f := range fs {
		line := fmt.Sprintf(" [%s] %s;", f.Rule, f.Message)
		if b.Len()+len(line) > maxMessageLength-40 {
			fmt.Fprintf(&b, " and %d more", len(fs)-i)
			break
		}
		b.WriteString(line)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// warnings renders each finding as one warning of at most MaxWarningLength
// characters, prefixed with prefix.
func warnings(prefix string, fs []policy.Finding) []string {
	out := make([]string, 0, min(len(fs), maxWarnings))
	for i, f := range fs {
		if i == maxWarnings-1 && len(fs) > maxWarnings {
			out = append(out, fmt.Sprintf("%s: and %d more findings (see the audit annotations)", prefix, len(fs)-i))
			break
		}
		msg := f.Message
		if f.Waiver != nil {
			msg = fmt.Sprintf("waived until %s (%s): %s", f.Waiver.Expires.UTC().Format(time.RFC3339), f.Waiver.Owner, msg)
		}
		out = append(out, truncate(fmt.Sprintf("%s: [%s] %s", prefix, f.Rule, msg), MaxWarningLength))
	}
	return out
}

// auditAnnotations groups the findings by rule id, in rule order. The API
// server prefixes each key with the webhook's name.
func auditAnnotations(fs []policy.Finding) map[string]string {
	by := map[string][]string{}
	for _, f := range fs {
		by[f.Rule] = append(by[f.Rule], f.Message)
	}
	out := map[string]string{"mode": "audit"}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out[k] = truncate(strings.Join(by[k], "; "), 1024)
	}
	return out
}

// truncate shortens s to at most n characters (runes), ending with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
