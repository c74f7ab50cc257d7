// Package checksum reads release checksum lists and hashes files by
// streaming. It is the evidence package of the checksums kind: it turns the
// bytes of a SHA256SUMS file into typed entries and per-line problems, and
// computes the digests the engine compares them with. It judges nothing; the
// rules in rego/checksums.rego do.
//
// # Formats
//
// [Parse] reads, line by line:
//
//   - coreutils sha256sum and sha512sum output, "<hex>  <name>" (text mode)
//     and "<hex> *<name>" (binary mode), including coreutils' escaped lines:
//     a line that starts with a backslash has "\\", "\n" and "\r" escapes in
//     its name;
//   - BSD style, "SHA256 (<name>) = <hex>" and "SHA512 (<name>) = <hex>", as
//     printed by "sha256sum --tag" and "shasum --tag" (escaped lines too);
//   - the reversed BSD style of "sha256 -r", "<hex> <name>";
//   - goreleaser's checksums.txt, which is coreutils text mode, with sha256
//     or sha512 digests.
//
// The algorithm comes from the BSD tag, or from the digest's length: 64 hex
// digits are sha256, 128 are sha512. Digests are case-insensitive and
// normalised to lower case. Names lose a leading "./" and keep their
// directories. Blank lines and lines starting with "#" are ignored; CRLF line
// ends and a leading byte order mark are tolerated.
//
// Every other line is a [Malformed] line with its 1-based number and a
// reason. Repeated entries for one name and algorithm are [Repeat]s: the
// identical ones are duplicates, the ones with different digests conflicts.
// A [Set] merges several lists and finds repeats across them.
//
// # Hashing
//
// [Hash] and [HashFile] stream their input once through every requested
// algorithm, with a 1 MiB buffer, and return a [policy.Digest].
//
// # Goals
//
//   - Never panic, whatever the bytes; bound the input ([Parse] takes a limit).
//   - Report every bad line, not just the first, so a person can fix the file
//     in one go.
//   - Hash at the speed of the machine's SHA-256.
//
// # Non-goals
//
// Deciding whether a release passes, verifying the checksum file's own
// signature (the signature kind does that), and algorithms other than
// sha256 and sha512: md5, sha1, sha224 and sha384 lines are malformed lines
// that say so.
package checksum
