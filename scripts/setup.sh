#!/usr/bin/env bash
# Installs what acsbatch needs to build and test on Debian 12, and nothing that is already there:
# the Debian packages, then the official JS SDK that tests/conformance drives (npm ci from its
# committed lockfile into tests/conformance/node_modules, skipped when installed from the same
# lockfile), so that the tests need no network afterwards.
# Idempotent; works as root or through sudo. Runs `apt-get update` at most once.
# When the SDK cannot be installed (e.g. no route to the npm registry) it warns and exits 0: the
# rest of the suite needs no SDK, and the conformance test then fails with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  g++ cmake ninja-build ccache make pkg-config
  # libraries (Boost 1.81 only as versioned packages: the unversioned ones are 1.74)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libyaml-cpp-dev libcli11-dev libsqlite3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # TLS trust store for real endpoints; procps for tests that watch processes; the openssl
  # CLI mints the test CA and certificates of the emulator's HTTPS tests
  ca-certificates procps openssl
  # headless Chromium renders the HTML report in a test (screenshot and DOM); +414 MB
  chromium
  # packaging (cmake/packaging.cmake): dpkg-shlibdeps (dpkg-dev) and file let CPack compute the
  # .deb's Depends from the libraries the binary links; groff-base checks the generated man page
  dpkg-dev file groff-base
  # the official JS SDK's conformance test (tests/conformance) runs on Node.js
  nodejs
)
# npm only when none is there: NodeSource's nodejs bundles npm and conflicts with Debian's package.
command -v npm >/dev/null 2>&1 || packages+=(npm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
else
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! tests/conformance/install_sdk.sh; then
  echo "setup: WARNING: continuing without it; every other test works, the conformance test" \
       "(ctest conformance_sdk) fails until scripts/setup.sh runs with access to the npm registry" >&2
fi
