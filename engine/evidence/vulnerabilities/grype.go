package vulnerabilities

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/cicd-hub/hubgate/engine/evidence/parse"

	"github.com/cicd-hub/hubgate/engine/evidence/bom"
)

type grypeDoc struct {
	Matches []grypeMatch `json:"matches"`
	Source  *struct {
		Type   string          `json:"type"`
		Target json.RawMessage `json:"target"`
	} `json:"source"`
	Descriptor *struct {
		Timestamp string `json:"timestamp"`
	} `json:"descriptor"`
}

type grypeMatch struct {
	Vulnerability          grypeVuln      `json:"vulnerability"`
	RelatedVulnerabilities []grypeRelated `json:"relatedVulnerabilities"`
	Artifact               *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		PURL    string `json:"purl"`
	} `json:"artifact"`
	Metadata *struct {
		EPSS json.RawMessage `json:"epss"`
	} `json:"metadata"`
}

type grypeVuln struct {
	ID       string      `json:"id"`
	Severity string      `json:"severity"`
	CVSS     []grypeCVSS `json:"cvss"`
	EPSS     []struct {
		Percentile *float64 `json:"percentile"`
	} `json:"epss"`
}

type grypeRelated struct {
	ID   string      `json:"id"`
	CVSS []grypeCVSS `json:"cvss"`
}

type grypeCVSS struct {
	Metrics struct {
		BaseScore *float64 `json:"baseScore"`
	} `json:"metrics"`
}

type grypeTarget struct {
	Name           string   `json:"name"`
	UserInput      string   `json:"userInput"`
	Location       string   `json:"location"`
	ImageID        string   `json:"imageID"`
	ManifestDigest string   `json:"manifestDigest"`
	RepoDigests    []string `json:"repoDigests"`
}

func parseGrype(data []byte) (*Report, error) {
	var doc grypeDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, parse.JSONError(data, err)
	}
	r := &Report{Format: FormatGrype, TargetField: "source.target"}
	if doc.Descriptor != nil && doc.Descriptor.Timestamp != "" {
		r.Created, r.CreatedField = doc.Descriptor.Timestamp, "descriptor.timestamp"
	}
	if doc.Source != nil {
		r.SourceType = doc.Source.Type
		if len(doc.Source.Target) > 0 {
			r.target(doc.Source.Target)
		}
	}
	m := &merger{r: r, index: map[string]int{}}
	for i := range doc.Matches {
		gm := &doc.Matches[i]
		path := "matches[" + strconv.Itoa(i) + "]"
		if gm.Vulnerability.ID == "" {
			r.Issues = append(r.Issues, parse.Issue{Path: path + ".vulnerability.id", Message: "match has no vulnerability id"})
			continue
		}
		v := Vulnerability{Path: path, ID: gm.Vulnerability.ID, Severity: strings.ToLower(gm.Vulnerability.Severity)}
		for j, c := range gm.Vulnerability.CVSS {
			if c.Metrics.BaseScore != nil {
				r.cvss(&v, *c.Metrics.BaseScore, path+".vulnerability.cvss["+strconv.Itoa(j)+"].metrics.baseScore")
			}
		}
		for j, rv := range gm.RelatedVulnerabilities {
			if rv.ID != "" && !strings.EqualFold(rv.ID, v.ID) && !containsFold(v.Aliases, rv.ID) {
				v.Aliases = append(v.Aliases, rv.ID)
			}
			for k, c := range rv.CVSS {
				if c.Metrics.BaseScore != nil {
					r.cvss(&v, *c.Metrics.BaseScore, path+".relatedVulnerabilities["+strconv.Itoa(j)+"].cvss["+strconv.Itoa(k)+"].metrics.baseScore")
				}
			}
		}
		for j, e := range gm.Vulnerability.EPSS {
			if e.Percentile != nil {
				r.epss(&v, *e.Percentile, path+".vulnerability.epss["+strconv.Itoa(j)+"].percentile")
			}
		}
		if gm.Metadata != nil && len(gm.Metadata.EPSS) > 0 {
			r.hubEPSS(&v, gm.Metadata.EPSS, path+".metadata.epss")
		}
		if a := gm.Artifact; a != nil {
			r.purl(&v, a.PURL, path+".artifact.purl")
			v.Component = componentName(a.Name, a.Version)
		}
		if v.Aliases == nil {
			v.Aliases = []string{}
		}
		m.add(v)
	}
	return r, nil
}

// hubEPSS reads the hub's metadata.epss: {"percentile": p}, or a bare number.
func (r *Report) hubEPSS(v *Vulnerability, raw json.RawMessage, path string) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return
	}
	var obj struct {
		Percentile *float64 `json:"percentile"`
	}
	if err := json.Unmarshal(raw, &obj); err == nil {
		if obj.Percentile != nil {
			r.epss(v, *obj.Percentile, path+".percentile")
		}
		return
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		r.epss(v, f, path)
		return
	}
	r.Issues = append(r.Issues, parse.Issue{Path: path, Message: "epss is neither a number nor an object with a percentile"})
}

func (r *Report) target(raw json.RawMessage) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		r.Target = s
		// grype sbom:PATH whose SBOM describes no image or file writes
		// {"type": "sbom-file", "target": PATH}.
		if r.SourceType == "sbom-file" {
			r.SBOMPath = s
		}
		return
	}
	var t grypeTarget
	if err := json.Unmarshal(raw, &t); err != nil {
		r.Issues = append(r.Issues, parse.Issue{Path: "source.target", Message: "target is neither a string nor an object"})
		return
	}
	for _, n := range []string{t.UserInput, t.Location, t.Name} {
		if n != "" {
			r.Target = n
			break
		}
	}
	add := func(d string) {
		if i := strings.LastIndexByte(d, '@'); i >= 0 {
			d = d[i+1:]
		}
		alg, hex, ok := strings.Cut(d, ":")
		if !ok || hex == "" {
			return
		}
		s := bom.DigestString(alg, hex)
		for _, have := range r.TargetDigests {
			if have == s {
				return
			}
		}
		r.TargetDigests = append(r.TargetDigests, s)
	}
	add(t.ManifestDigest)
	// imageID is the image config's digest for an image scan; from an SBOM,
	// grype puts the SBOM component's bom-ref there, which is no digest and
	// is skipped.
	if bom.DigestIn(t.ImageID) != "" {
		add(t.ImageID)
	}
	for _, d := range t.RepoDigests {
		add(d)
	}
}
