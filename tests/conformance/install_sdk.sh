#!/usr/bin/env bash
# Installs the official JS SDK that tests/conformance drives (and scripts/bench.sh's sdk section
# uses): `npm ci` from the committed package-lock.json into tests/conformance/node_modules, where
# run.js and bench/sdk_bench.js find it without the network. Skipped when that directory was
# installed from the same lockfile (node_modules/.acsbatch-installed-lock is its copy).
# Called by scripts/setup.sh. Exits 0 when the SDK is installed, 1 (after one clear line on
# stderr) when it could not be: npm missing, the registry unreachable, or npm ci failing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
modules=$here/node_modules
stamp=$modules/.acsbatch-installed-lock

if cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null; then
  echo "setup: official JS SDK already installed from tests/conformance/package-lock.json"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "setup: npm is missing, so the official JS SDK (tests/conformance) cannot be installed" >&2
  exit 1
fi

# Node trusts only its own bundled CAs; add the system's store (where a site adds its own CAs,
# e.g. a TLS-inspecting proxy), so npm reaches the registry wherever apt and curl do.
if [[ -z "${NODE_EXTRA_CA_CERTS:-}" && -r /etc/ssl/certs/ca-certificates.crt ]]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

log=$(mktemp "${TMPDIR:-/tmp}/acsbatch-npm-ci.XXXXXX")
started=$(date +%s%N)
# Bounded: an unreachable registry fails in well under a minute rather than npm's default minutes.
# The stamp goes in only after a complete install, so an interrupted one is redone next time.
rm -f "$stamp"
if (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
      --fetch-retries=1 --fetch-timeout=15000 --fetch-retry-mintimeout=2000 \
      --fetch-retry-maxtimeout=5000) >"$log" 2>&1; then
  cp "$here/package-lock.json" "$stamp"
  rm -f "$log"
  echo "setup: official JS SDK installed in tests/conformance/node_modules" \
       "(npm ci, $(( ($(date +%s%N) - started) / 1000000 )) ms)"
  exit 0
fi

registry=$(npm config get registry 2>/dev/null || echo "the npm registry")
if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up' "$log"; then
  reason="the npm registry $registry could not be reached"
else
  reason="npm ci failed: $(grep -m1 -E 'npm (ERR!|error)' "$log" | sed -E 's/^npm (ERR!|error) *//' || true)"
fi
echo "setup: the official JS SDK was not installed ($reason; npm's log: $log)" >&2
exit 1
