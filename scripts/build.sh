#!/usr/bin/env bash
# Configures and builds one preset (default: release) into build/ or build/<preset>.
# Usage: scripts/build.sh [preset] [extra cmake --build args…]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
cmake --preset "$preset" >/dev/null
# Two jobs: each Beast/Asio translation unit takes ~1 GB and ~30 s; more jobs only thrash.
cmake --build --preset "$preset" -j "${ACSBATCH_BUILD_JOBS:-2}" "$@"
