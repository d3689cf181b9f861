#!/usr/bin/env bash
# ctest entry of the conformance suite: runs the official JS SDK, installed by scripts/setup.sh
# (tests/conformance/install_sdk.sh: npm ci from package-lock.json into tests/conformance/
# node_modules), against the emulator. Needs no network: it never calls npm, and fails with one
# line when the SDK is not there (or was installed from another lockfile).
# Usage: run.sh WORK_DIR ACSBATCH_BINARY [SIGNER_BINARY] [FILTER]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
shift

if ! command -v node >/dev/null; then
  echo "conformance: Node.js is not installed, so the official SDK cannot run; scripts/setup.sh installs it" >&2
  exit 1
fi
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.acsbatch-installed-lock" 2>/dev/null; then
  if [[ -d "$here/node_modules" ]]; then state="is installed from another package-lock.json (or incompletely)"
  else state="is not installed"; fi
  echo "conformance: the official JS SDK (@azure/communication-identity, pinned in" \
       "tests/conformance/package-lock.json) $state in tests/conformance/node_modules;" \
       "scripts/setup.sh installs it (npm ci) — if it ran, it could not reach the npm registry (see its warning)" >&2
  exit 1
fi

binary=$(realpath "$1")
shift
args=(--acsbatch "$binary")
if [[ $# -gt 0 && -n "$1" ]]; then args+=(--signer "$(realpath "$1")"); fi
[[ $# -gt 0 ]] && shift
mkdir -p "$work"
cd "$work"
exec node "$here/run.js" "${args[@]}" "$@"
