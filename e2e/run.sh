#!/usr/bin/env bash
# run.sh runs hubgate's end-to-end tests against a real kube-apiserver: it
# builds (or finds cached) kube-apiserver and etcd with build-k8s.sh, then runs
# `go test ./...` in this module with KUBEBUILDER_ASSETS set. Extra arguments
# go to `go test` (e.g. ./e2e/run.sh -run TestWebhook -v).
#
# Called by .ci/run. Every process the tests start is stopped by the tests;
# the whole go test run is bounded by -timeout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

start=$(date +%s)
assets_line="$(./build-k8s.sh | tail -n 1)"
case "$assets_line" in
KUBEBUILDER_ASSETS=?*) ;;
*)
	echo "run.sh: build-k8s.sh printed no KUBEBUILDER_ASSETS line" >&2
	exit 1
	;;
esac
export KUBEBUILDER_ASSETS="${assets_line#KUBEBUILDER_ASSETS=}"
echo "run.sh: binaries ready in $(($(date +%s) - start))s: KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS" >&2

# The API server calls the webhook on 127.0.0.1: never through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"

# This module imports hubgate's engine/vsa from ../ (replace): when the
# library's go.mod gains or bumps a dependency, -mod=mod lets go add the sums
# to e2e/go.sum instead of failing with "missing go.sum entry" (commit the
# change it makes). It is a flag of this go test only: the tests' own
# `go build ./cmd/hubgate` stays read-only on the library's go.mod.
go test -mod=mod -count=1 -timeout 30m "$@" ./...
echo "run.sh: done in $(($(date +%s) - start))s" >&2
