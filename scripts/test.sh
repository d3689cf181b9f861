#!/usr/bin/env bash
# Installs what is missing, builds (Debug, warnings on) and runs the whole test suite via ctest.
# Extra arguments go to ctest, e.g. scripts/test.sh -R Emulator
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${ACSBATCH_TEST_PRESET:-debug}
scripts/setup.sh
scripts/build.sh "$preset"
ctest --preset "$preset" -j "${ACSBATCH_TEST_JOBS:-2}" "$@"
