#!/usr/bin/env bash
# Builds the server binaries the tests start (a real OCI registry, cosign v3)
# into version-keyed folders of ${XDG_CACHE_HOME:-$HOME/.cache}/hubgate, once:
# a binary already there is kept. Prints NAME=PATH lines, for eval or export.
# The tests find the binaries at the same paths (or through these variables).
# cosign takes minutes to build on 2 cores (142 MB); the registry under one.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/hubgate"

build() { # VAR DIR BINARY MODULE@VERSION
	local dir="$cache/$2"
	if [ ! -x "$dir/$3" ]; then
		mkdir -p "$dir"
		echo "building $4 into $dir" >&2
		GOBIN="$dir" GOFLAGS=-buildvcs=false go install "$4"
	fi
	echo "$1=$dir/$3"
}

build HUBGATE_REGISTRY_BIN registry-v3.1.2 registry github.com/distribution/distribution/v3/cmd/registry@v3.1.2
build HUBGATE_COSIGN_BIN cosign-v3.1.3 cosign github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3
