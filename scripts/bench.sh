#!/usr/bin/env bash
# Macro benchmarks on loopback against one emulator process started here (Release build,
# --limits off, no faults, HMAC verification on). Prints a Markdown table; paste it into
# bench/RESULTS.md with the command line. Usage: scripts/bench.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == micro ]]; then
  scripts/setup.sh >/dev/null
  cmake --preset release -DACSBATCH_BENCH=ON >/dev/null
  cmake --build --preset release -j "${ACSBATCH_BUILD_JOBS:-2}" --target micro_bench >/dev/null
  # Three repetitions, reported as mean/median/stddev: the machine is shared and noisy.
  exec taskset -c 1 build/micro_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "${@:2}"
fi
runs=${1:-3}
scripts/setup.sh jq >/dev/null
scripts/build.sh release --target acsbatch >/dev/null
bin=$PWD/build/acsbatch
work=$(mktemp -d)
trap 'kill $emulator_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# The emulator on its own core (when there are two), the client on the other.
taskset -c 0 "$bin" emulator --listen 127.0.0.1:0 --limits off >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 50); do [[ -s "$work/emulator.out" ]] && break; sleep 0.1; done
export COMMUNICATION_SERVICES_CONNECTION_STRING=$(head -n1 "$work/emulator.out")

# Rate accuracy: 20 000 creates at 2 000/s must achieve 2 000/s within ±2 %.
cat >"$work/rate.yaml" <<'JOB'
version: 1
name: bench-rate
connection: { connection_string: "${COMMUNICATION_SERVICES_CONNECTION_STRING}" }
concurrency: 64
users: { create: 20000 }
rate_limit: { per_second: 2000, burst: 1, per_operation: none }
steps: [create_user]
report: { items: false }
JOB

achieved=()
for i in $(seq "$runs"); do
  taskset -c 1 "$bin" run "$work/rate.yaml" --quiet --report "$work/rate-$i.json"
  # Completed creates per second of the run's whole duration.
  achieved+=("$(jq -r '(.summary.operations.create_user.ok / .duration_s) * 10 | round / 10' "$work/rate-$i.json")")
done
sorted=($(printf '%s\n' "${achieved[@]}" | sort -n))
median=${sorted[$(( ${#sorted[@]} / 2 ))]}
echo "| benchmark | target | runs | min | median | max | median error |"
echo "|---|---|---|---|---|---|---|"
printf '| rate accuracy, 20 000 creates | 2000/s | %s | %s | %s | %s | %+.2f %% |\n' "$runs" "${sorted[0]}" "$median" \
  "${sorted[-1]}" "$(jq -n "($median - 2000) / 20")"
