package actions

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cicd-hub/hubgate/engine/bounded"
)

// DefaultAPIURL is the public GitHub REST API.
const DefaultAPIURL = "https://api.github.com"

// maxEventPayload bounds the event payload read from GITHUB_EVENT_PATH.
const maxEventPayload = 32 << 20

// maxAppKeySize bounds the GitHub App private key read from
// HUBGATE_APP_PRIVATE_KEY_FILE; a longer file is an error, not cut short.
const maxAppKeySize = 64 << 10

// Env is the part of the GitHub Actions environment hubgate reads.
type Env struct {
	APIURL     string // GITHUB_API_URL
	ServerURL  string // GITHUB_SERVER_URL
	Repository string // GITHUB_REPOSITORY, owner/name
	RunID      string // GITHUB_RUN_ID
	SHA        string // GITHUB_SHA
	EventName  string // GITHUB_EVENT_NAME
	EventPath  string // GITHUB_EVENT_PATH
	Token      string // GITHUB_TOKEN

	AppID          string // HUBGATE_APP_ID
	InstallationID string // HUBGATE_APP_INSTALLATION_ID
	AppKey         string // HUBGATE_APP_PRIVATE_KEY (PEM)
	AppKeyFile     string // HUBGATE_APP_PRIVATE_KEY_FILE

	StepSummary string // GITHUB_STEP_SUMMARY
	Output      string // GITHUB_OUTPUT
	RunnerTemp  string // RUNNER_TEMP
	Workspace   string // GITHUB_WORKSPACE
}

// EnvFrom reads [Env] through getenv (os.Getenv, or a test's map).
func EnvFrom(getenv func(string) string) Env {
	return Env{
		APIURL:         getenv("GITHUB_API_URL"),
		ServerURL:      getenv("GITHUB_SERVER_URL"),
		Repository:     getenv("GITHUB_REPOSITORY"),
		RunID:          getenv("GITHUB_RUN_ID"),
		SHA:            getenv("GITHUB_SHA"),
		EventName:      getenv("GITHUB_EVENT_NAME"),
		EventPath:      getenv("GITHUB_EVENT_PATH"),
		Token:          getenv("GITHUB_TOKEN"),
		AppID:          getenv("HUBGATE_APP_ID"),
		InstallationID: getenv("HUBGATE_APP_INSTALLATION_ID"),
		AppKey:         getenv("HUBGATE_APP_PRIVATE_KEY"),
		AppKeyFile:     getenv("HUBGATE_APP_PRIVATE_KEY_FILE"),
		StepSummary:    getenv("GITHUB_STEP_SUMMARY"),
		Output:         getenv("GITHUB_OUTPUT"),
		RunnerTemp:     getenv("RUNNER_TEMP"),
		Workspace:      getenv("GITHUB_WORKSPACE"),
	}
}

// InActions reports whether getenv describes a GitHub Actions job
// (GITHUB_ACTIONS=true).
func InActions(getenv func(string) string) bool { return getenv("GITHUB_ACTIONS") == "true" }

// OwnerRepo splits GITHUB_REPOSITORY.
func (e Env) OwnerRepo() (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(e.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", fmt.Errorf("GITHUB_REPOSITORY: %q is not owner/name", e.Repository)
	}
	return owner, repo, nil
}

// RunURL is the workflow run's page:
// GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID, or "" when
// any part is missing.
func (e Env) RunURL() string {
	if e.ServerURL == "" || e.Repository == "" || e.RunID == "" {
		return ""
	}
	return strings.TrimRight(e.ServerURL, "/") + "/" + e.Repository + "/actions/runs/" + e.RunID
}

// isPullRequestEvent reports whether the event's payload carries the
// pull_request whose head the check belongs to.
func isPullRequestEvent(name string) bool {
	switch name {
	case "pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment":
		return true
	}
	return false
}

// HeadSHA returns the commit a check belongs to: pull_request.head.sha from
// the event payload on pull request events, GITHUB_SHA otherwise. A pull
// request event without a readable payload or a valid head SHA is an error.
func (e Env) HeadSHA() (string, error) {
	if !isPullRequestEvent(e.EventName) {
		if !validSHA(e.SHA) {
			return "", fmt.Errorf("GITHUB_SHA: %q is not a commit SHA", e.SHA)
		}
		return e.SHA, nil
	}
	if e.EventPath == "" {
		return "", fmt.Errorf("%s event: GITHUB_EVENT_PATH is not set", e.EventName)
	}
	f, err := os.Open(e.EventPath)
	if err != nil {
		return "", fmt.Errorf("read event payload: %w", err)
	}
	defer f.Close()
	sha, err := prHeadSHA(f)
	if err != nil {
		return "", fmt.Errorf("read event payload %s: %w", e.EventPath, err)
	}
	return sha, nil
}

// prHeadSHA reads pull_request.head.sha from an event payload.
func prHeadSHA(r io.Reader) (string, error) {
	b, err := bounded.ReadAll(r, maxEventPayload)
	if err != nil {
		return "", err
	}
	var ev struct {
		PullRequest *struct {
			Head struct {
				SHA string `json:"sha"`
			} `json:"head"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return "", err
	}
	if ev.PullRequest == nil {
		return "", errors.New("pull_request: missing")
	}
	if !validSHA(ev.PullRequest.Head.SHA) {
		return "", fmt.Errorf("pull_request.head.sha: %q is not a commit SHA", ev.PullRequest.Head.SHA)
	}
	return ev.PullRequest.Head.SHA, nil
}

// validSHA accepts a 40-hex (SHA-1) or 64-hex (SHA-256) object name.
func validSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// appCredentials returns the GitHub App installation settings, ok=false when
// none is configured, or an error when they are half set or invalid.
func (e Env) appCredentials() (appID, installationID int64, key []byte, ok bool, err error) {
	if e.AppID == "" && e.InstallationID == "" && e.AppKey == "" && e.AppKeyFile == "" {
		return 0, 0, nil, false, nil
	}
	if appID, err = strconv.ParseInt(e.AppID, 10, 64); err != nil || appID <= 0 {
		return 0, 0, nil, false, fmt.Errorf("HUBGATE_APP_ID: %q is not an app id", e.AppID)
	}
	if installationID, err = strconv.ParseInt(e.InstallationID, 10, 64); err != nil || installationID <= 0 {
		return 0, 0, nil, false, fmt.Errorf("HUBGATE_APP_INSTALLATION_ID: %q is not an installation id", e.InstallationID)
	}
	switch {
	case e.AppKey != "":
		key = []byte(e.AppKey)
	case e.AppKeyFile != "":
		f, err := os.Open(e.AppKeyFile)
		if err != nil {
			return 0, 0, nil, false, fmt.Errorf("HUBGATE_APP_PRIVATE_KEY_FILE: %w", err)
		}
		defer f.Close()
		if key, err = bounded.ReadAll(f, maxAppKeySize); err != nil {
			return 0, 0, nil, false, fmt.Errorf("HUBGATE_APP_PRIVATE_KEY_FILE: %w", err)
		}
	default:
		return 0, 0, nil, false, errors.New("HUBGATE_APP_PRIVATE_KEY or HUBGATE_APP_PRIVATE_KEY_FILE: not set")
	}
	return appID, installationID, key, true, nil
}
