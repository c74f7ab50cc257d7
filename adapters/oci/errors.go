package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// Class says why evidence could not be discovered. It is the metric label
// and, prefixed with "oci.", the finding id of a discovery error.
type Class string

// The discovery error classes. Bad evidence (a bad signature, a digest
// mismatch, another digest's referrer) is never one of these: the engine's
// rules judge it.
const (
	ClassUnreachable  Class = "unreachable"  // connection refused, DNS, TLS, 5xx
	ClassTimeout      Class = "timeout"      // the deadline passed
	ClassUnauthorized Class = "unauthorized" // 401 or 403
	ClassNotFound     Class = "not_found"    // 404: no such repository or image
	ClassRateLimited  Class = "rate_limited" // 429
)

// FindingID is the stable id of a discovery error of class c:
// oci.unreachable, oci.timeout, oci.unauthorized, oci.not_found,
// oci.rate_limited.
func (c Class) FindingID() string { return "oci." + string(c) }

// DiscoveryError is evidence that could not be reached: the registry did
// not answer, refused the credentials, had no such image or rate-limited
// the client. It never means that the evidence is bad.
type DiscoveryError struct {
	Class Class
	// Registry is the registry host, Image the reference asked for.
	Registry, Image string
	Err             error
}

func (e *DiscoveryError) Error() string {
	return fmt.Sprintf("%s: could not reach evidence for %s: registry %s: %s: %v", e.Class.FindingID(), e.Image, e.Registry, e.Class.describe(), e.Err)
}

func (e *DiscoveryError) Unwrap() error { return e.Err }

func (c Class) describe() string {
	switch c {
	case ClassTimeout:
		return "no answer before the deadline"
	case ClassUnauthorized:
		return "access denied (check --registry-config)"
	case ClassNotFound:
		return "no such repository or image"
	case ClassRateLimited:
		return "rate limited"
	}
	return "unreachable"
}

// classify turns a registry client error into a discovery error.
func classify(registry, image string, err error) *DiscoveryError {
	de := &DiscoveryError{Class: ClassUnreachable, Registry: registry, Image: image, Err: err}
	var resp *errcode.ErrorResponse
	switch {
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		de.Class = ClassUnauthorized
	case errors.Is(err, context.DeadlineExceeded):
		de.Class = ClassTimeout
	case errors.As(err, &resp):
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			de.Class = ClassUnauthorized
		case http.StatusNotFound:
			de.Class = ClassNotFound
		case http.StatusTooManyRequests:
			de.Class = ClassRateLimited
		}
	case errors.Is(err, errdef.ErrNotFound):
		de.Class = ClassNotFound
	}
	return de
}

func isExists(err error) bool { return errors.Is(err, errdef.ErrAlreadyExists) }
