// Package egress turns a build's observed network egress into facts: every
// host the build tried to reach, whether the proxy let it through, and which
// allowlist entry (if any) covers it.
//
// # Inputs
//
// Two formats are read, and [Parse] tells them apart by their first byte:
//
//   - the hub's egress-report.json ({"timestamp", "enforcement",
//     "allowed_domains", "blocked_attempts", "log_file", "attempts": [{"host",
//     "port", "allowed", "time"}]});
//   - a Squid access.log in its native format. TCP_DENIED (any result code
//     containing "DENIED") is a blocked attempt; "CONNECT host:port" gives the
//     host, other methods give a URL.
//
// # Host matching
//
// [Compile] builds an [Allowlist] from registry entries and [Allowlist.Match]
// answers for one host and port. Matching is exact by construction:
// case-insensitive, one trailing dot ignored, internationalised names compared
// in their punycode (A-label) form after a strict IDNA validation, "*.example.com"
// matches any name strictly below example.com (never example.com itself, nor
// evilexample.com, nor example.com.evil.net), IP literals match only the same
// address, and an entry that names a port matches only that port. Lookups cost
// one map access per label of the host, whatever the size of the allowlist.
//
// Times in a report after the evaluation time are refused ([FutureTimes]).
// The report's own allowed_domains and blocked_attempts are claims: the
// allowlist is the registry's, and the claimed count is only compared with
// the attempt records.
//
// # Non-goals
//
// The package judges nothing: whether an unlisted host or a blocked attempt
// fails the release is decided by the Rego rules in hub.egress. It does not
// resolve names (DNS answers are not evidence of what the build reached).
package egress
