#!/usr/bin/env bash
# build-k8s.sh builds kube-apiserver and etcd from Go modules (see
# k8sbin/apiserver and k8sbin/etcd) into a cache folder keyed by version, so a
# warm run skips the build. kubectl is linked from PATH when present (envtest
# only wants it optionally).
#
# Its last line of output is KUBEBUILDER_ASSETS=<dir>; progress goes to stderr.
# Idempotent: binaries already in the cache are not rebuilt.
#
# Environment:
#   XDG_CACHE_HOME   cache root (default ~/.cache)
#   HUBGATE_K8S_NICE niceness for the go build (default 10)
set -euo pipefail

K8S_VERSION=v1.37.2
ETCD_VERSION=v3.6.16

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}"
dir="${cache_root}/hubgate/k8s-${K8S_VERSION}"
mkdir -p "$dir"

log() { printf 'build-k8s: %s\n' "$*" >&2; }

# The folder is keyed by the Kubernetes version; VERSIONS also records etcd's.
# Binaries built for other versions (an edited script) are rebuilt.
want_versions="$(printf 'kube-apiserver %s\netcd %s' "$K8S_VERSION" "$ETCD_VERSION")"
if [[ -f "$dir/VERSIONS" && "$(cat "$dir/VERSIONS")" != "$want_versions" ]]; then
	log "versions changed: rebuilding"
	rm -f "$dir/etcd" "$dir/kube-apiserver" "$dir/VERSIONS"
fi

# build MODULE_DIR PACKAGE NAME: go build PACKAGE inside MODULE_DIR into
# $dir/NAME, via a temporary file so an interrupted build leaves no binary.
build() {
	local moddir="$1" pkg="$2" name="$3" ldflags="-s -w ${4:-}"
	if [[ -x "$dir/$name" ]]; then
		log "$name: cached in $dir"
		return 0
	fi
	log "$name: building $pkg (this takes minutes when cold)"
	local start tmp
	start=$(date +%s)
	tmp="$(mktemp "$dir/.$name.XXXXXX")"
	if ! (cd "$moddir" && nice -n "${HUBGATE_K8S_NICE:-10}" \
		go build -trimpath -ldflags="$ldflags" -o "$tmp" "$pkg"); then
		rm -f "$tmp"
		log "$name: build failed"
		return 1
	fi
	chmod 0755 "$tmp"
	mv -f "$tmp" "$dir/$name"
	log "$name: built in $(($(date +%s) - start))s"
}

build "$here/k8sbin/etcd" . etcd
v=k8s.io/component-base/version
build "$here/k8sbin/apiserver" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver \
	"-X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=37 -X $v.gitTreeState=clean"

printf '%s\n' "$want_versions" >"$dir/VERSIONS"

if [[ ! -e "$dir/kubectl" ]]; then
	if kubectl_path="$(command -v kubectl 2>/dev/null)"; then
		ln -sf "$kubectl_path" "$dir/kubectl"
		log "kubectl: linked $kubectl_path"
	else
		log "kubectl: not on PATH (optional for envtest)"
	fi
fi

echo "KUBEBUILDER_ASSETS=$dir"
