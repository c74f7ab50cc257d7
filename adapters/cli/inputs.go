package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
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
func checkInput(flag, path string, kind inputKind) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("--%s %s: %s", flag, path, reason(err))
	}
	switch {
	case kind == inputFile && fi.IsDir():
		return fmt.Errorf("--%s %s: is a directory, want a file", flag, path)
	case kind == inputDir && !fi.IsDir():
		return fmt.Errorf("--%s %s: is not a directory", flag, path)
	case !fi.IsDir() && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeNamedPipe == 0 && fi.Mode()&fs.ModeCharDevice == 0:
		return fmt.Errorf("--%s %s: is not a regular file", flag, path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--%s %s: %s", flag, path, reason(err))
	}
	defer fh.Close()
	if fi.IsDir() {
		if _, err := fh.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("--%s %s: %s", flag, path, reason(err))
		}
	}
	return nil
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

// readLimited reads at most limit bytes of the file path, with errors that
// name the path once ("X: is a directory", "X: larger than N bytes").
func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, reason(err))
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, reason(err))
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return b, nil
}
