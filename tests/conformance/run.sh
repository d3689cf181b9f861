#!/usr/bin/env bash
# ctest entry of the conformance suite: installs the pinned SDK (npm ci from package-lock.json)
# into WORK_DIR, outside the source tree, then runs the tests there.
# Usage: run.sh WORK_DIR ACSBATCH_BINARY [SIGNER_BINARY] [FILTER]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
shift

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "conformance: '$tool' is not installed, so the official SDK cannot run; scripts/setup.sh installs Node.js and npm" >&2
    exit 1
  fi
done

# Node trusts only its own bundled CAs; add the system's store (where a site adds its own CAs,
# e.g. a TLS-inspecting proxy), so npm reaches the registry wherever apt and curl do.
if [[ -z "${NODE_EXTRA_CA_CERTS:-}" && -r /etc/ssl/certs/ca-certificates.crt ]]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

mkdir -p "$work"
cp "$here"/package.json "$here"/package-lock.json "$here"/*.js "$work"/
# npm ci only when the lock file changed since the last install (it takes seconds, not minutes).
if ! cmp -s "$work/package-lock.json" "$work/node_modules/.acsbatch-installed-lock" 2>/dev/null; then
  started=$(date +%s%N)
  # Bounded: a registry that cannot be reached fails the test in about a minute, not at ctest's timeout.
  (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --fetch-retries=2 \
     --fetch-timeout=20000)
  cp "$work/package-lock.json" "$work/node_modules/.acsbatch-installed-lock"
  echo "conformance: npm ci took $(( ($(date +%s%N) - started) / 1000000 )) ms"
fi

binary=$(realpath "$1")
shift
args=(--acsbatch "$binary")
if [[ $# -gt 0 && -n "$1" ]]; then args+=(--signer "$(realpath "$1")"); fi
[[ $# -gt 0 ]] && shift
cd "$work"
exec node run.js "${args[@]}" "$@"
