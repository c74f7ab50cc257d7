package engine

import "github.com/cicd-hub/hubgate/policy"

// DecisionID is the id [Engine.Evaluate] gives d, derived from its policy
// digest, repo, time, subjects and inputs. A caller that rewrites an input's
// path (the CLI shows evidence read from standard input as "<stdin>")
// recomputes the id with it, so the same inputs still give the same id.
func DecisionID(d *policy.Decision) string { return decisionID(d) }
