package actions

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeChecks is a loopback GitHub Checks API that enforces the documented
// request rules, so a reporter that breaks them fails the test:
//   - create: name and head_sha are required;
//   - status ∈ {queued, in_progress, completed}; conclusion is required when
//     completed, and must be one of the documented values;
//   - output, when present, needs title and summary; the summary is at most
//     65,535 characters; at most 50 annotations per request;
//   - each annotation has path, start_line, end_line, message and an
//     annotation_level ∈ {notice, warning, failure}; start_column and
//     end_column only when start_line == end_line.
//
// Requests that break a rule get 422 like GitHub's.
type fakeChecks struct {
	t         *testing.T
	token     string
	forbidden bool // answer 403 to create
	failPatch int  // answer 500 to the n-th PATCH (1-based), 0 never
	nPatch    int

	mu        sync.Mutex
	creates   []map[string]any
	patches   []map[string]any
	rejected  []string
	appTokens int
}

func newFakeChecks(t *testing.T, token string) (*fakeChecks, *httptest.Server) {
	t.Helper()
	f := &fakeChecks{t: t, token: token}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeChecks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// GitHub Enterprise Server layout: the client must use /api/v3/.
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v3/")
	if !ok {
		f.fail(w, http.StatusNotFound, "not under /api/v3/: "+r.URL.Path)
		return
	}
	if r.Method == http.MethodPost && path == "app/installations/34/access_tokens" {
		// GitHub App installation token exchange: a JWT signed by the app key.
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ey") {
			f.fail(w, http.StatusUnauthorized, "app jwt missing")
			return
		}
		f.appTokens++
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"token": f.token, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+f.token && got != "token "+f.token {
		f.fail(w, http.StatusUnauthorized, "bad credentials: "+got)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.fail(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	parts := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "repos" && parts[3] == "check-runs":
		if f.forbidden {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
			return
		}
		if s, _ := body["name"].(string); s == "" {
			f.fail(w, 422, "name is required")
			return
		}
		if s, _ := body["head_sha"].(string); s == "" {
			f.fail(w, 422, "head_sha is required")
			return
		}
		if msg := validateRun(body); msg != "" {
			f.fail(w, 422, msg)
			return
		}
		f.creates = append(f.creates, body)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": 4242, "html_url": "https://github.example/check/4242", "status": body["status"]})
	case r.Method == http.MethodPatch && len(parts) == 5 && parts[0] == "repos" && parts[3] == "check-runs":
		f.nPatch++
		if f.nPatch == f.failPatch {
			f.fail(w, http.StatusInternalServerError, "server error")
			return
		}
		if parts[4] != "4242" {
			f.fail(w, http.StatusNotFound, "no check run "+parts[4])
			return
		}
		if msg := validateRun(body); msg != "" {
			f.fail(w, 422, msg)
			return
		}
		f.patches = append(f.patches, body)
		fmt.Fprint(w, `{"id": 4242}`)
	default:
		f.fail(w, http.StatusNotFound, r.Method+" "+r.URL.Path)
	}
}

func (f *fakeChecks) fail(w http.ResponseWriter, code int, msg string) {
	f.rejected = append(f.rejected, msg)
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func validateRun(body map[string]any) string {
	status, hasStatus := body["status"].(string)
	if hasStatus && status != "queued" && status != "in_progress" && status != "completed" {
		return "status: invalid " + status
	}
	conclusion, hasConclusion := body["conclusion"].(string)
	if status == "completed" && !hasConclusion {
		return "conclusion is required when status is completed"
	}
	if hasConclusion {
		switch conclusion {
		case "action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out":
		default:
			return "conclusion: invalid " + conclusion
		}
	}
	out, ok := body["output"].(map[string]any)
	if !ok {
		return ""
	}
	if s, _ := out["title"].(string); s == "" {
		return "output.title is required"
	}
	summary, ok := out["summary"].(string)
	if !ok || summary == "" {
		return "output.summary is required"
	}
	if utf8.RuneCountInString(summary) > 65535 {
		return "output.summary is too long (maximum is 65535 characters)"
	}
	anns, _ := out["annotations"].([]any)
	if len(anns) > 50 {
		return fmt.Sprintf("output.annotations: %d is more than 50", len(anns))
	}
	for i, a := range anns {
		m, _ := a.(map[string]any)
		for _, k := range []string{"path", "message", "annotation_level"} {
			if s, _ := m[k].(string); s == "" {
				return fmt.Sprintf("annotations[%d].%s is required", i, k)
			}
		}
		switch m["annotation_level"] {
		case "notice", "warning", "failure":
		default:
			return fmt.Sprintf("annotations[%d].annotation_level: invalid %v", i, m["annotation_level"])
		}
		sl, ok1 := m["start_line"].(float64)
		el, ok2 := m["end_line"].(float64)
		if !ok1 || !ok2 || sl < 1 || el < sl {
			return fmt.Sprintf("annotations[%d]: start_line and end_line are required", i)
		}
		_, sc := m["start_column"]
		_, ec := m["end_column"]
		if (sc || ec) && sl != el {
			return fmt.Sprintf("annotations[%d]: columns on a multi-line annotation", i)
		}
	}
	return ""
}

// annotationCounts returns the number of annotations in each PATCH.
func (f *fakeChecks) annotationCounts() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []int
	for _, p := range f.patches {
		out, _ := p["output"].(map[string]any)
		anns, _ := out["annotations"].([]any)
		n = append(n, len(anns))
	}
	return n
}
