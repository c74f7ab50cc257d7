package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

// writeVSA signs a verification summary (SLSA VSA v1) of the decision. When
// --vsa-out is an existing directory, it writes one summary per subject
// named <sha256-hex>.vsa.json, the layout the webhook's --vsa-dir reads;
// otherwise it writes the summary of the first subject to the file.
func (a *app) writeVSA(f *evalFlags, d *policy.Decision) error {
	pemBytes, err := os.ReadFile(f.signKey)
	if err != nil {
		return fmt.Errorf("--sign-key: %w", err)
	}
	key, err := vsa.LoadPrivateKey(pemBytes)
	if err != nil {
		return fmt.Errorf("--sign-key %s: %w", f.signKey, err)
	}
	if len(d.Subjects) == 0 {
		return errors.New("no subject to summarise: give --subject or --subject-digest")
	}
	write := func(path string, s policy.Subject) error {
		b, err := vsa.Sign(d, s, key, vsa.Options{})
		if err != nil {
			return fmt.Errorf("sign summary of %s: %w", s.Name, err)
		}
		return writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err })
	}
	if fi, err := os.Stat(f.vsaOut); err == nil && fi.IsDir() {
		for _, s := range d.Subjects {
			name, err := vsa.FileName(s)
			if err != nil {
				return err
			}
			if err := write(filepath.Join(f.vsaOut, name), s); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range d.Subjects[1:] {
		fmt.Fprintf(a.stderr, "hubgate: --vsa-out: %s is not summarised (one subject per file; give a directory for one summary per subject)\n", s.Name)
	}
	return write(f.vsaOut, d.Subjects[0])
}
