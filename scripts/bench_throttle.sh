#!/usr/bin/env bash
# Throttle control side by side (issue 18): what acsbatch does under throttling it was not told
# about, next to what a user would run instead. Loopback only; every run is bounded in count and
# time. Called by `scripts/bench.sh throttle` (which builds Release), or on its own:
#
#   scripts/bench_throttle.sh BIN [RUNS]
#
# 1 storm      --faults "429:0.3,503:0.05,reset:0.01" --seed 7 (Retry-After 1 s): 2 000 users ×
#              (create_user, issue_token voip 1h, delete_user), 64 in flight, per_second 1500,
#              adaptive, per_operation none, max_attempts 12 — vs the official JS SDK (64
#              promises, maxRetries 11) on the same emulator and seed. Goals: ≥ 0.95× the SDK's
#              items/s, 2000/2000 succeeded, 0 identities live, the server's busiest second
#              ≤ 1.05 × 1500.
# 2 undeclared --limits "create_user=200/1s,issue_token=200/1s,delete_user=100/1s" and a
#              lognormal latency (median 20 ms, p99 250 ms): 3 000 users, per_second 2000,
#              adaptive, per_operation none. Ideal: 30 s (delete_user's 100/s). Goals: ≤ 1.10×
#              ideal, ≤ 5 % of requests answered 429, 0 failed, 0 live.
# 3 declared   the same emulator, per_operation {200/s, 200/s, 100/s}: ≤ 1.05× ideal.
# Prints Markdown; figures go to FIGURES (default build/bench/throttle.tsv) as KEY VALUE UNIT.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/bench_throttle.sh BIN [RUNS]}
runs=${2:-1}
figures=${ACSBATCH_THROTTLE_FIGURES:-build/bench/throttle.tsv}
mkdir -p "$(dirname "$figures")"
: >"$figures"
work=$(mktemp -d)
emulator_pid=
cleanup() {
  [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export NODE_PATH=$PWD/tests/conformance/node_modules
server_core=0
client_core=$(($(nproc) > 1 ? 1 : 0))

calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
figure() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$figures"; }
verdict() { if (($(calc "$1" 0))); then echo "met"; else echo "**missed**"; fi; }

# start_emulator ARGS…: a fresh emulator (empty store) with ARGS; sets port and exports the
# connection string the jobs and the SDK read.
start_emulator() {
  if [[ -n "$emulator_pid" ]]; then kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null; fi
  : >"$work/emulator.out"
  taskset -c "$server_core" "$bin" emulator --listen 127.0.0.1:0 "$@" >"$work/emulator.out" 2>"$work/emulator.err" &
  emulator_pid=$!
  for _ in $(seq 100); do [[ -s "$work/emulator.out" ]] && break; sleep 0.1; done
  COMMUNICATION_SERVICES_CONNECTION_STRING=$(head -n1 "$work/emulator.out")
  [[ "$COMMUNICATION_SERVICES_CONNECTION_STRING" == endpoint=* ]] || { echo "bench_throttle: no emulator: $(cat "$work/emulator.err")" >&2; exit 1; }
  export COMMUNICATION_SERVICES_CONNECTION_STRING
  port=${COMMUNICATION_SERVICES_CONNECTION_STRING#*127.0.0.1:}
  port=${port%%/*}
}
stats() { curl -s "http://127.0.0.1:$port/emulator/stats"; }

# job FILE USERS RATE_LIMIT RETRY: the three-step job of the cases above.
job() {
  cat >"$1" <<EOF
version: 1
name: bench-throttle
connection: { connection_string: "\${COMMUNICATION_SERVICES_CONNECTION_STRING}" }
concurrency: 64
users: { create: $2 }
rate_limit: $3
retry: $4
timeouts: { request: 10s, job: 10m }
steps:
  - create_user
  - issue_token: { scopes: [voip], expires_in: 1h }
  - delete_user
report: { path: $work/report.json, items: false }
EOF
}

# run_acsbatch JOB: sets wall_s, ok, failed, live, share_429 (of all requests), peak (the
# emulator's busiest second over all operations), wait_s.
run_acsbatch() {
  local started ended
  started=$(date +%s.%N)
  taskset -c "$client_core" "$bin" run "$1" --quiet >"$work/run.out" 2>"$work/run.err" || true
  ended=$(date +%s.%N)
  wall_s=$(calc "$ended - $started" 1)
  ok=$(jq '.summary.items.succeeded' "$work/report.json")
  failed=$(jq '.summary.items.failed' "$work/report.json")
  share_429=$(jq '([.summary.operations[] | .throttled] | add) as $t
                  | ([.summary.operations[] | .count + .retries] | add) as $n | $t / $n * 100' "$work/report.json")
  share_429=$(calc "$share_429" 1)
  wait_s=$(jq '[.summary.operations[] | .throttle_wait_s // 0] | add' "$work/report.json")
  live=$(stats | jq '.identities.live')
  peak=$(stats | jq '[.max_per_second[]] | max')
  verdicts=$(jq -r '[.summary.operations | to_entries[] | "\(.key): \(.value.throttling.verdict // "-")\(if .value.throttling.learned_per_s then " \(.value.throttling.learned_per_s | round)/s" else "" end)"] | join(", ")' "$work/report.json")
}

echo "## Throttle control side by side"
echo
echo "\`scripts/bench_throttle.sh $bin $runs\` on $(nproc) cores, emulator on core $server_core, client on core $client_core."
echo

# ---- 1: the random storm, vs the official SDK --------------------------------------------------
echo "### 1. Random storm: 429 30 %, 503 5 %, resets 1 % (seed 7), 2 000 users × 3 steps"
echo
echo "| client | run | s | items/s | ok | failed | live after | 429+503 waited s | busiest second |"
echo "|---|---|---|---|---|---|---|---|---|"
storm=(--limits off --faults "429:0.3,503:0.05,reset:0.01" --seed 7)
job "$work/storm.yaml" 2000 "{ per_second: 1500, burst: 50, adaptive: true, per_operation: none }" \
  "{ max_attempts: 12, initial_backoff: 20ms, max_backoff: 500ms }"
for i in $(seq "$runs"); do
  start_emulator "${storm[@]}"
  run_acsbatch "$work/storm.yaml"
  ours=$(calc "$ok / $wall_s" 1)
  echo "| acsbatch | $i | $wall_s | $ours | $ok | $failed | $live | $wait_s | $peak |"
  figure "storm.acsbatch_items_per_s.$i" "$ours" "/s"
  storm_ok=$ok storm_live=$live storm_peak=$peak
  start_emulator "${storm[@]}"
  taskset -c "$client_core" node bench/sdk_flow.js 2000 64 11 >"$work/sdk.json" 2>"$work/sdk.err" || true
  sdk=$(jq '.items_per_s * 10 | round / 10' "$work/sdk.json")
  sdk_live=$(stats | jq '.identities.live')
  echo "| JS SDK 1.3.1 | $i | $(jq '.seconds * 10 | round / 10' "$work/sdk.json") | $sdk | $(jq .ok "$work/sdk.json") | $(jq .failed "$work/sdk.json") | $sdk_live | — | $(stats | jq '[.max_per_second[]] | max') |"
  figure "storm.sdk_items_per_s.$i" "$sdk" "/s"
  ratio=$(calc "$ours / $sdk" 2)
  figure "storm.ratio.$i" "$ratio" "x"
done
echo
echo "Goals (last run): items/s ≥ 0.95× the SDK's: ${ratio}× — $(verdict "$ratio >= 0.95"); 2000/2000: $storm_ok — $(verdict "$storm_ok == 2000");" \
  "0 live: $storm_live — $(verdict "$storm_live == 0"); busiest second ≤ 1575: $storm_peak — $(verdict "$storm_peak <= 1575")."
echo

# ---- 2 and 3: limits the job does not declare, and the same limits declared --------------------
limited=(--limits "create_user=200/1s,issue_token=200/1s,delete_user=100/1s" --latency "lognormal:median=20ms,p99=250ms" --seed 7)
echo "### 2–3. Per-operation limits 200/200/100 per second, 3 000 users × 3 steps (ideal 30 s)"
echo
echo "| job's rate_limit | run | s | × ideal | 429 share % | ok | failed | live after | what the controller concluded |"
echo "|---|---|---|---|---|---|---|---|---|"
job "$work/undeclared.yaml" 3000 "{ per_second: 2000, burst: 50, adaptive: true, per_operation: none }" \
  "{ max_attempts: 6, initial_backoff: 200ms, max_backoff: 30s }"
job "$work/declared.yaml" 3000 \
  "{ per_operation: { create_user: 200/s, issue_token: 200/s, delete_user: 100/s }, burst: 50 }" \
  "{ max_attempts: 6, initial_backoff: 200ms, max_backoff: 30s }"
for i in $(seq "$runs"); do
  for kind in undeclared declared; do
    start_emulator "${limited[@]}"
    run_acsbatch "$work/$kind.yaml"
    times=$(calc "$wall_s / 30" 2)
    echo "| $kind | $i | $wall_s | $times | $share_429 | $ok | $failed | $live | $verdicts |"
    figure "$kind.x_ideal.$i" "$times" "x"
    figure "$kind.share_429.$i" "$share_429" "%"
    if [[ $kind == undeclared ]]; then u_times=$times u_share=$share_429 u_failed=$failed u_live=$live; else d_times=$times; fi
  done
done
echo
echo "Goals (last run): undeclared ≤ 1.10× ideal: ${u_times}× — $(verdict "$u_times <= 1.10"); ≤ 5 % 429: ${u_share} % — $(verdict "$u_share <= 5");" \
  "0 failed, 0 live: $u_failed, $u_live — $(verdict "$u_failed == 0 && $u_live == 0"); declared ≤ 1.05×: ${d_times}× — $(verdict "$d_times <= 1.05")."
