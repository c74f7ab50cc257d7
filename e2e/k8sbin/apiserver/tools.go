//go:build tools

// Package apiserver pins k8s.io/kubernetes/cmd/kube-apiserver so that
// `go build k8s.io/kubernetes/cmd/kube-apiserver` works in this module.
package apiserver

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
