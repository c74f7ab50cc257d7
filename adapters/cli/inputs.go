package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/cicd-hub/hubgate/engine/bounded"
)

// The line between exit 2 and a finding: a file named on the command line
// that hubgate cannot open (missing, a directory where a file is wanted, a
// file where a directory is wanted, permission denied) is a usage error, exit
// 2, reported in one line that names the flag and the file. A file that opens
// but whose content is malformed is evidence, judged by the engine: an error
// finding, exit 1.

// inputKind is what a command-line input must be.
type inputKind int

const (
	inputFile inputKind = iota
	inputDir
	inputFileOrDir
)

// checkInput reports, in one line naming flag and path, why path cannot be
// read as the kind of input flag wants; nil when it can. It opens the file (or
// lists the directory) so that permission problems surface here, not later
// as a finding.
//
// flag is the flag's name without dashes, or "" for a positional argument
// (the message then names the path alone).
func checkInput(flag, path string, kind inputKind) error {
	name := path
	if flag != "" {
		name = "--" + flag + " " + path
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %s", name, reason(err))
	}
	switch {
	case kind == inputFile && fi.IsDir():
		return fmt.Errorf("%s: is a directory, want a file", name)
	case kind == inputDir && !fi.IsDir():
		return fmt.Errorf("%s: is not a directory", name)
	case !fi.IsDir() && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeNamedPipe == 0 && fi.Mode()&fs.ModeCharDevice == 0:
		return fmt.Errorf("%s: is not a regular file", name)
	}
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %s", name, reason(err))
	}
	defer fh.Close()
	if fi.IsDir() {
		if _, err := fh.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %s", name, reason(err))
		}
	}
	return nil
}

// input is one file or directory named on a command line: flag is the
// flag's name without dashes, or "" for a positional argument.
type input struct {
	flag, path string
	kind       inputKind
}

// inFile, inDir and inAny are the inputs of checkInputs: a file, a
// directory, either.
func inFile(flag, path string) input { return input{flag, path, inputFile} }
func inDir(flag, path string) input  { return input{flag, path, inputDir} }
func inAny(flag, path string) input  { return input{flag, path, inputFileOrDir} }

// inFiles is inFile for each path of a repeatable flag (or of the
// arguments, with flag "").
func inFiles(flag string, paths []string) []input {
	out := make([]input, 0, len(paths))
	for _, p := range paths {
		out = append(out, inFile(flag, p))
	}
	return out
}

// checkInputs checks every input whose path is set, before a command reads
// any of them, and returns an exit-2 error with one line per unreadable
// input, each "hubgate: CMD: --flag path: reason". Callers leave out a "-"
// where the flag reads standard input.
func checkInputs(cmd string, ins ...input) error {
	var lines []string
	for _, in := range ins {
		if in.path == "" {
			continue
		}
		if err := checkInput(in.flag, in.path, in.kind); err != nil {
			lines = append(lines, cmd+": "+err.Error())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return exitCode(ExitUsage, errors.New(strings.Join(lines, "\nhubgate: ")))
}

// reason is the cause of a file-system error without the operation and path
// that *fs.PathError repeats ("open X: "), so messages name a path once.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// checkEngineInputs checks --registry (a file or a directory) and each
// --policy (a directory).
func checkEngineInputs(registryPath string, policyDirs []string) error {
	var errs []error
	if registryPath != "" {
		errs = append(errs, checkInput("registry", registryPath, inputFileOrDir))
	}
	for _, d := range policyDirs {
		errs = append(errs, checkInput("policy", d, inputDir))
	}
	return errors.Join(errs...)
}

// readBounded reads at most limit bytes of the file path, with errors that
// name the path once ("X: is a directory", "X: larger than N bytes"). It
// is the command tree's one file reader (keys, bundles, decisions, egress
// logs).
func readBounded(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, reason(err))
	}
	defer fh.Close()
	b, err := bounded.ReadAll(fh, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, reason(err))
	}
	return b, nil
}
