package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cicd-hub/hubgate/engine"
	"github.com/cicd-hub/hubgate/engine/registry"
)

// MaxRequestBody bounds an HTTP request body.
const MaxRequestBody = 64 << 10

// AdmitBody is the JSON body of POST /v1/admit.
type AdmitBody struct {
	Repo             string `json:"repo"`
	Workflow         string `json:"workflow"`
	Job              string `json:"job"`
	RunsOn           string `json:"runs_on"`
	Timeout          string `json:"timeout"`
	SecretScope      string `json:"secret_scope"`
	CancelInProgress bool   `json:"cancel_in_progress"`
	Run              string `json:"run"`
	Attempt          string `json:"attempt"`
}

// Request converts the body, parsing the timeout.
func (b AdmitBody) Request() (Request, error) {
	r := Request{Repo: b.Repo, Workflow: b.Workflow, Job: b.Job, RunsOn: b.RunsOn, SecretScope: b.SecretScope,
		CancelInProgress: b.CancelInProgress, Run: b.Run, Attempt: b.Attempt}
	if b.Timeout != "" {
		d, err := time.ParseDuration(b.Timeout)
		if err != nil {
			return Request{}, fmt.Errorf("timeout: %v", err)
		}
		r.Timeout = d
	}
	return r, nil
}

// Pinger reports whether Redis answers; /readyz uses it.
type Pinger func(context.Context) error

// Handler serves the job-admission API:
//
//	POST /v1/admit      AdmitBody → Result; 200 admitted, 403 denied, 400/422 no decision
//	POST /v1/heartbeat  {"attempt"} → {"status", "expires_at"}; 200 renewed, 410 expired
//	POST /v1/release    {"attempt"} → {"status"}
//	GET  /healthz       the process is up
//	GET  /readyz        Redis answers
//	GET  /metrics       Prometheus
//
// It holds no state of its own: any number of replicas share one Redis.
func Handler(a *Admitter, ping Pinger, reg *prometheus.Registry) http.Handler {
	decisions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hubgate_job_decisions_total", Help: "Job admission decisions by result (admitted, denied, fail_open, error).",
	}, []string{"result"})
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "hubgate_job_admit_seconds", Help: "Time to decide one admit.",
		Buckets: []float64{.0001, .00025, .0005, .001, .002, .005, .01, .05, .25, 1},
	})
	reg.MustRegister(decisions, latency)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("POST /v1/admit", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer func() { latency.Observe(time.Since(start).Seconds()) }()
		var b AdmitBody
		if err := decode(r, &b); err != nil {
			decisions.WithLabelValues("error").Inc()
			writeError(w, http.StatusBadRequest, err)
			return
		}
		req, err := b.Request()
		if err != nil {
			decisions.WithLabelValues("error").Inc()
			writeError(w, http.StatusBadRequest, err)
			return
		}
		res, err := a.Admit(r.Context(), req)
		if err != nil {
			decisions.WithLabelValues("error").Inc()
			code := http.StatusInternalServerError
			if errors.Is(err, engine.ErrInput) || errors.Is(err, registry.ErrUnknownRepo) {
				code = http.StatusUnprocessableEntity
			}
			if res == nil {
				writeError(w, code, err)
				return
			}
		}
		code := http.StatusForbidden
		switch {
		case res.FailOpen:
			decisions.WithLabelValues("fail_open").Inc()
			code = http.StatusOK
		case res.Admitted:
			decisions.WithLabelValues("admitted").Inc()
			code = http.StatusOK
		default:
			decisions.WithLabelValues("denied").Inc()
		}
		writeJSON(w, code, res)
	})
	mux.HandleFunc("POST /v1/heartbeat", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Attempt string `json:"attempt"`
		}
		if err := decode(r, &b); err != nil || b.Attempt == "" {
			writeError(w, http.StatusBadRequest, fmt.Errorf("want {\"attempt\": ID}: %v", err))
			return
		}
		st, exp, err := a.Heartbeat(r.Context(), b.Attempt)
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, err)
			return
		}
		code := http.StatusOK
		if st != StatusRenewed {
			code = http.StatusGone
		}
		writeJSON(w, code, map[string]any{"status": st, "expires_at": exp})
	})
	mux.HandleFunc("POST /v1/release", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Attempt string `json:"attempt"`
		}
		if err := decode(r, &b); err != nil || b.Attempt == "" {
			writeError(w, http.StatusBadRequest, fmt.Errorf("want {\"attempt\": ID}: %v", err))
			return
		}
		st, err := a.Release(r.Context(), b.Attempt)
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": st})
	})
	return mux
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, MaxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
