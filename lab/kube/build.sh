#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler v1.20.2 from Debian bookworm's `kubernetes` source
# package (the only offline source of these binaries here) and caches them outside the repository, keyed by version.
# A complete build writes a marker file last; when the marker is present the cache is reused and nothing is built.
#
# Usage: lab/kube/build.sh            build or reuse; prints the binary directory on stdout
#        lab/kube/build.sh --print    print the binary directory if the cache is complete, else exit 1
set -euo pipefail

KUBE_VERSION=1.20.2
DEB_VERSION='1.20.5+really1.20.2-1.1+deb12u1'
CACHE_ROOT="${BACKOUT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/backout}"
OUT="$CACHE_ROOT/kube-$KUBE_VERSION"
MARKER="$OUT/.complete"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler)

log() { echo "kube-lab build: $*" >&2; }

# A cached build is used only while every binary runs and says it is this version; anything else is rebuilt.
verify() {
  local b v
  for b in "${BINARIES[@]}"; do
    [[ -x "$OUT/bin/$b" ]] || { echo "$b is missing"; return 1; }
    v=$("$OUT/bin/$b" --version 2>&1) || { echo "$b --version failed: ${v:0:200}"; return 1; }
    [[ "$v" == *"v$KUBE_VERSION"* ]] || { echo "$b --version printed '${v:0:200}', not v$KUBE_VERSION"; return 1; }
  done
}

if [[ -f "$MARKER" ]]; then
  if problem=$(verify); then
    echo "$OUT/bin"
    exit 0
  fi
  [[ "${1:-}" == "--print" ]] && exit 1
  log "the cached build in $OUT is broken ($problem); rebuilding it"
  rm -f "$MARKER"
elif [[ -d "$OUT" && "${1:-}" != "--print" ]]; then
  log "the cache folder $OUT has no complete build (an interrupted build?); rebuilding it"
fi
if [[ "${1:-}" == "--print" ]]; then
  exit 1
fi

# Build dependencies (Debian); installed only when missing so that a warm machine needs no root.
APT_PACKAGES=(golang-go rsync jq golang-github-modern-go-reflect2-dev etcd-server openssl dpkg-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

mkdir -p "$CACHE_ROOT"
# One build at a time per cache: a second caller waits for the first one's marker instead of racing it.
exec 9>"$CACHE_ROOT/kube-$KUBE_VERSION.lock"
flock 9
if [[ -f "$MARKER" ]] && verify >/dev/null; then
  echo "$OUT/bin"
  exit 0
fi

WORK="$CACHE_ROOT/kube-$KUBE_VERSION.build"
rm -rf "$WORK"
mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/src"

# Fetch the source package with a private apt configuration: nothing is written to /etc/apt or the system lists.
# The mirror is the one this machine already uses.
apt_uris() {
  # URIs of active entries only (comments may name other mirrors): deb822 `URIs:` lines and one-line `deb` entries.
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -vE '^\s*#' | grep -oE '^(URIs:|deb)\s.*' | grep -oE 'https?://[^ ]+' || true
}
mirror=$(apt_uris | grep -E '/debian/?$' | head -n1)
security=$(apt_uris | grep -E '/debian-security/?$' | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}
security=${security:-http://deb.debian.org/debian-security}
{
  echo "deb-src [trusted=yes] ${mirror%/} bookworm main"
  echo "deb-src [trusted=yes] ${security%/} bookworm-security main"
} >"$WORK/apt/sources.list"
APT_OPTS=(-o "Dir::Etc::SourceList=$WORK/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$WORK/apt/lists" -o "Dir::Cache=$WORK/apt/cache" -o APT::Sandbox::User=root)
log "fetching source package kubernetes=$DEB_VERSION"
apt-get "${APT_OPTS[@]}" update -qq
(cd "$WORK/src" && apt-get "${APT_OPTS[@]}" source --download-only "kubernetes=$DEB_VERSION" >&2)
orig=$(ls "$WORK/src"/kubernetes_*.orig.tar.* | head -n1)
log "unpacking $(basename "$orig")"
K="$WORK/kubernetes"
mkdir -p "$K"
tar -xf "$orig" -C "$K" --strip-components=1

# The vendored reflect2 1.0.1 segfaults under Go >= 1.18 on the first custom resource; Debian's 1.0.2 does not.
reflect="$K/vendor/github.com/modern-go/reflect2"
rm -f "$reflect"/*.go "$reflect"/*.s
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$reflect"/
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$reflect"/ 2>/dev/null || true
rm -f "$reflect"/*_test.go

# Upstream's Makefile in GOPATH mode (module mode with -mod=vendor fails on this tree).
mkdir -p "$K/.go/src/k8s.io"
ln -sfn "$K" "$K/.go/src/k8s.io/kubernetes"
log "building ${BINARIES[*]} (several minutes)"
started=$(date +%s)
(
  cd "$K/.go/src/k8s.io/kubernetes"
  export GOPATH="$K/.go" GO111MODULE=off GOPROXY=off GOFLAGS= CGO_ENABLED=0 \
    GOCACHE="$WORK/gocache" KUBE_GIT_VERSION=v$KUBE_VERSION KUBE_GIT_MAJOR=1 KUBE_GIT_MINOR=20 \
    KUBE_GIT_TREE_STATE=clean
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >&2
)
log "built in $(($(date +%s) - started)) s"

rm -rf "$OUT"
mkdir -p "$OUT/bin"
for b in "${BINARIES[@]}"; do
  src=$(find "$K/_output" -type f -name "$b" -perm -u+x | head -n1)
  [[ -n "$src" ]] || { log "missing $b after the build"; exit 1; }
  cp "$src" "$OUT/bin/$b"
done
if ! problem=$(verify); then
  log "the binaries just built do not work: $problem"
  exit 1
fi
"$OUT/bin/kube-apiserver" --version >&2
rm -rf "$WORK"
# Written last: only a complete build is ever reused.
date -u +%FT%TZ >"$MARKER"
echo "$OUT/bin"
