package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/policy"
)

// flagErrorWithSuggestion adds "did you mean --X?" to an unknown-flag error
// when a flag of the command is close to the one typed. Every flag error is
// a usage error, exit 2.
func flagErrorWithSuggestion(c *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return usageErr("%s%v", cmdPrefix(c), err)
	}
	var names []string
	add := func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	}
	c.Flags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	if s := closest(name, names); s != "" {
		return usageErr("%s%v (did you mean --%s?)", cmdPrefix(c), err, s)
	}
	return usageErr("%s%v", cmdPrefix(c), err)
}

// closest returns the candidate nearest to s by edit distance, when it is
// near enough to be a typo (at most a third of its length, at least 1, or a
// candidate that s is a prefix of); "" otherwise. Ties go to the first.
func closest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := levenshtein(s, c)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	limit := max(1, len(s)/3)
	if bestD <= limit {
		return best
	}
	for _, c := range candidates {
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			return c
		}
	}
	return ""
}

// levenshtein is the edit distance between a and b, by bytes (flag names,
// repository names and rule ids are ASCII).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// didYouMean is " (did you mean X?)" for the closest candidate, or "".
func didYouMean(s string, candidates []string) string {
	if c := closest(s, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %s?)", c)
	}
	return ""
}

// cmdPrefix is "eval: " for hubgate eval, "" for the root.
func cmdPrefix(c *cobra.Command) string {
	if !c.HasParent() {
		return ""
	}
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ") + ": "
}

// foldCobraError folds cobra's multi-line unknown-command error ("…\n\nDid you
// mean this?\n\teval\n") into one line.
func foldCobraError(msg string) string {
	head, sugg, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return strings.TrimSpace(msg)
	}
	return head + " (did you mean " + strings.Join(strings.Fields(sugg), " or ") + "?)"
}

// groupsRejectUnknown makes every command that only groups subcommands
// (policy, registry, verify, …) fail with exit 2 and a suggestion on an
// unknown subcommand, instead of printing its help and exiting 0.
func groupsRejectUnknown(c *cobra.Command) {
	for _, sub := range c.Commands() {
		groupsRejectUnknown(sub)
	}
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += " (did you mean " + strings.Join(s, " or ") + "?)"
		}
		return usageErr("%s", msg)
	}
}

// writeColumns writes rows as columns two spaces apart, aligned on runes,
// with no trailing blanks.
func writeColumns(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// warnUnknownWaiverRules warns, on stderr, about each waiver of repo whose
// rule id is no rule of the catalogue: such a waiver can never match, and a
// typo in it is otherwise silent. The nearest rule id is suggested.
func (a *app) warnUnknownWaiverRules(reg *registry.Registry, repo string, rules []policy.RuleInfo) {
	if reg == nil {
		return
	}
	rp, err := reg.Repo(repo)
	if err != nil {
		return
	}
	ids := make([]string, 0, len(rules))
	known := map[string]bool{}
	for _, r := range rules {
		ids = append(ids, r.ID)
		known[r.ID] = true
	}
	for _, w := range rp.Waivers {
		if !known[w.Rule] {
			fmt.Fprintf(a.stderr, "hubgate: eval: warning: a waiver of %s names rule %q, which no rule has, so it can never apply%s\n", repo, w.Rule, didYouMean(w.Rule, ids))
		}
	}
}
