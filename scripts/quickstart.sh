#!/usr/bin/env bash
# From a fresh Debian 12 to a finished job: installs what is missing, builds (Release) and runs
# jobs/quickstart.yaml — against the embedded emulator unless
# COMMUNICATION_SERVICES_CONNECTION_STRING points at a real resource.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release --target acsbatch
echo
exec build/acsbatch run jobs/quickstart.yaml "$@"
