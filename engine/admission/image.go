package admission

import (
	"fmt"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"oras.land/oras-go/v2/registry"
)

// ImageRef is a parsed container image reference.
type ImageRef struct {
	// Name is the normalised repository, "registry/repository"
	// ("nginx" becomes "docker.io/library/nginx").
	Name string `json:"name"`
	// Digest is "algorithm:hex" when the reference is pinned, "" otherwise.
	Digest string `json:"digest"`
	// Tag is the tag, "" when there is none.
	Tag string `json:"tag"`
}

// parsedImages keeps the references that parsed: a webhook sees the same
// few images over and over, and the grammar's regular expressions cost
// more than the rest of an image's facts.
var parsedImages, _ = lru.New[string, ImageRef](4096)

// ParseImage parses a container image reference as the kubelet would pull
// it. Docker Hub short names are normalised first (the registry is the first
// path component only when it has a dot or a colon, or is "localhost").
func ParseImage(image string) (ImageRef, error) {
	if ref, ok := parsedImages.Get(image); ok {
		return ref, nil
	}
	ref, err := parseImage(image)
	if err == nil {
		parsedImages.Add(image, ref)
	}
	return ref, err
}

func parseImage(image string) (ImageRef, error) {
	if image == "" {
		return ImageRef{}, fmt.Errorf("image reference: empty")
	}
	if len(image) > 4096 {
		return ImageRef{}, fmt.Errorf("image reference: longer than 4096 bytes")
	}
	s := image
	first, rest, hasSlash := strings.Cut(s, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		if !hasSlash {
			s = "docker.io/library/" + s
		} else {
			s = "docker.io/" + first + "/" + rest
		}
	}
	// A tag and a digest together ("name:tag@sha256:..."): the digest wins,
	// as it does for the container runtime.
	var tag string
	if at := strings.Index(s, "@"); at >= 0 {
		repo := s[:at]
		if slash := strings.LastIndex(repo, "/"); slash >= 0 {
			if c := strings.LastIndex(repo[slash:], ":"); c >= 0 {
				tag = repo[slash+c+1:]
			}
		}
	}
	ref, err := registry.ParseReference(s)
	if err != nil {
		return ImageRef{}, fmt.Errorf("image reference %q: %w", image, err)
	}
	out := ImageRef{Name: ref.Registry + "/" + ref.Repository}
	if strings.Contains(s, "@") {
		d, err := ref.Digest()
		if err != nil {
			return ImageRef{}, fmt.Errorf("image reference %q: %w", image, err)
		}
		out.Digest = d.String()
		out.Tag = tag
	} else {
		out.Tag = ref.Reference
	}
	return out, nil
}
