package actions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v93/github"

	"github.com/cicd-hub/hubgate/adapters/report"
	"github.com/cicd-hub/hubgate/policy"
)

// ErrForbidden is returned (wrapped) when GitHub answers 403 to creating a
// Check Run: the token may not write checks.
var ErrForbidden = errors.New("github: forbidden")

// NewClient returns a go-github client for env: authenticated as the GitHub
// App installation when HUBGATE_APP_* are set, with GITHUB_TOKEN otherwise,
// against GITHUB_API_URL (GitHub Enterprise Server when it is not the public
// API). base is the transport under the authentication (nil means
// http.DefaultTransport).
func NewClient(env Env, base http.RoundTripper) (*github.Client, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	api := strings.TrimRight(env.APIURL, "/")
	opts := []github.ClientOptionsFunc{github.WithTimeout(30 * time.Second), github.WithUserAgent("hubgate")}
	if api != "" && api != DefaultAPIURL {
		upload := strings.TrimSuffix(api, "/api/v3")
		opts = append(opts, github.WithEnterpriseURLs(api+"/", upload+"/"))
	}
	appID, instID, key, isApp, err := env.appCredentials()
	switch {
	case err != nil:
		return nil, err
	case isApp:
		tr, err := ghinstallation.New(base, appID, instID, key)
		if err != nil {
			return nil, fmt.Errorf("github app: %w", err)
		}
		if api != "" {
			tr.BaseURL = api
		}
		opts = append(opts, github.WithHTTPClient(&http.Client{Transport: tr}))
	case env.Token != "":
		opts = append(opts, github.WithHTTPClient(&http.Client{Transport: base}), github.WithAuthToken(env.Token))
	default:
		return nil, errors.New("github: no credentials: set GITHUB_TOKEN, or HUBGATE_APP_ID, HUBGATE_APP_INSTALLATION_ID and HUBGATE_APP_PRIVATE_KEY")
	}
	c, err := github.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("github client: %w", err)
	}
	return c, nil
}

// Publisher sends a [CheckRunPlan] to one repository. It is the only part of
// the Check Run reporter that does I/O.
type Publisher struct {
	Checks      *github.ChecksService
	Owner, Repo string
}

// Published says what a Publish did.
type Published struct {
	ID      int64
	URL     string
	Batches int
}

// Publish creates the Check Run, sends the annotation batches, and completes
// it. A 403 at create returns an error wrapping [ErrForbidden]. A failure
// after create tries to complete the run as failed, so it does not stay in
// progress forever.
func (p Publisher) Publish(ctx context.Context, plan CheckRunPlan) (Published, error) {
	run, resp, err := p.Checks.CreateCheckRun(ctx, p.Owner, p.Repo, plan.Create)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusForbidden {
			return Published{}, fmt.Errorf("create check run: %w: %w", ErrForbidden, err)
		}
		return Published{}, fmt.Errorf("create check run: %w", err)
	}
	out := Published{ID: run.GetID(), URL: run.GetHTMLURL()}
	for i, batch := range plan.Annotate {
		if _, _, err := p.Checks.UpdateCheckRun(ctx, p.Owner, p.Repo, out.ID, batch); err != nil {
			p.abort(ctx, out.ID, plan, fmt.Sprintf("hubgate could not send annotation batch %d: %v", i+1, err))
			return out, fmt.Errorf("check run %d: annotations batch %d: %w", out.ID, i+1, err)
		}
		out.Batches++
	}
	if _, _, err := p.Checks.UpdateCheckRun(ctx, p.Owner, p.Repo, out.ID, plan.Complete); err != nil {
		return out, fmt.Errorf("complete check run %d: %w", out.ID, err)
	}
	return out, nil
}

// abort completes a half-published run as failed (best effort).
func (p Publisher) abort(ctx context.Context, id int64, plan CheckRunPlan, why string) {
	c := plan.Complete
	c.Conclusion = github.Ptr("failure")
	out := *c.Output
	out.Summary = github.Ptr(TruncateChars(why+"\n\n"+out.GetSummary(), MaxSummary))
	c.Output = &out
	_, _, _ = p.Checks.UpdateCheckRun(ctx, p.Owner, p.Repo, id, c)
}

// CheckRunOptions configure [PublishCheckRun].
type CheckRunOptions struct {
	// Name is the check's name (DefaultCheckName when empty).
	Name string
	// Transport is the HTTP transport under the authentication; nil means
	// http.DefaultTransport. Tests pass a loopback server's.
	Transport http.RoundTripper
	// Fallback receives the workflow commands written when the token may not
	// write checks (os.Stdout in the CLI; the runner reads commands there).
	Fallback io.Writer
	// Log receives a line saying what happened (os.Stderr in the CLI).
	Log io.Writer
	// Now is the clock for the Check Run's timestamps; nil means time.Now.
	Now func() time.Time
	// StopToken fixes the fallback's stop-commands token (tests only).
	StopToken string
}

// CheckRunResult says how a decision was published.
type CheckRunResult struct {
	Published
	HeadSHA     string
	Annotations int
	// FellBack is true when the Check Run could not be created (403) and
	// workflow commands were written instead.
	FellBack bool
}

// PublishCheckRun publishes d as a Check Run using the GitHub Actions
// environment read through getenv: repository, head SHA (the pull request's
// head on pull_request events), API URL, token or App installation, and the
// run URL for details_url. On a 403 at create it writes the decision as
// workflow commands to opts.Fallback, says so on opts.Log, and returns
// FellBack=true with no error.
func PublishCheckRun(ctx context.Context, getenv func(string) string, d *policy.Decision, rules []policy.RuleInfo, opts CheckRunOptions) (CheckRunResult, error) {
	if d == nil {
		return CheckRunResult{}, errors.New("check run: no decision")
	}
	env := EnvFrom(getenv)
	owner, repo, err := env.OwnerRepo()
	if err != nil {
		return CheckRunResult{}, fmt.Errorf("check run: %w", err)
	}
	sha, err := env.HeadSHA()
	if err != nil {
		return CheckRunResult{}, fmt.Errorf("check run: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	t := now().UTC()
	plan, err := PlanCheckRun(d, rules, CheckRunInput{Name: opts.Name, HeadSHA: sha, DetailsURL: env.RunURL(), Workspace: env.Workspace, StartedAt: t, CompletedAt: t})
	if err != nil {
		return CheckRunResult{}, err
	}
	client, err := NewClient(env, opts.Transport)
	if err != nil {
		return CheckRunResult{}, fmt.Errorf("check run: %w", err)
	}
	res := CheckRunResult{HeadSHA: sha, Annotations: plan.Annotations}
	pub, err := Publisher{Checks: client.Checks, Owner: owner, Repo: repo}.Publish(ctx, plan)
	res.Published = pub
	if errors.Is(err, ErrForbidden) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "hubgate: cannot create a check run on %s/%s (403: the token may not write checks, as on a pull request from a fork; grant `checks: write`); falling back to workflow-command annotations\n", owner, repo)
		}
		if opts.Fallback != nil {
			if err := report.GitHub(opts.Fallback, d, report.Options{Rules: rules, StopToken: opts.StopToken, Root: env.Workspace}); err != nil {
				return res, fmt.Errorf("check run fallback: %w", err)
			}
		}
		res.FellBack = true
		return res, nil
	}
	if err != nil {
		return res, err
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "hubgate: check run %d on %s (%d annotations in %d batches, conclusion %s)\n", pub.ID, sha, plan.Annotations, pub.Batches, Conclusion(d))
	}
	return res, nil
}
