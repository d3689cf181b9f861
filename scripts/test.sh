#!/usr/bin/env bash
# Installs what is missing, builds (Debug, warnings on) and runs the whole test suite via ctest;
# then the same suite under ASan + UBSan (the asan preset), then the tests that run code on
# several threads under TSan (the tsan preset), then every libFuzzer target for a replay of its
# seed corpus (scripts/fuzz.sh 0: deterministic; ACSBATCH_FUZZ_SECONDS=N explores).
# ACSBATCH_QUICK=1: the first stage only.
# Extra arguments go to ctest, e.g. scripts/test.sh -R Emulator
# ACSBATCH_STRESS=1: the tests run with every core kept busy, to check that the suite holds on a
# busy machine (as CI's 2 cores beside other work): one busy-looping CPU hog per core (nproc;
# ACSBATCH_STRESS_HOGS=N for N) runs beside each ctest and fuzz stage, not the builds, and is
# stopped after it, and on any exit (failure, Ctrl-C, TERM).
#   e.g. ACSBATCH_STRESS=1 ACSBATCH_QUICK=1 scripts/test.sh
# The last line is `N passed, N failed` over all stages (tests of the ctest runs, fuzz targets);
# with ACSBATCH_QUICK=1 it is ctest's own summary. Exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${ACSBATCH_TEST_PRESET:-debug}
jobs=${ACSBATCH_TEST_JOBS:-2}
scripts/setup.sh

# Every exit path runs cleanup: the hogs must not outlive the script, whatever stopped it.
hogs=()
logs=
cleanup() {
  stop_hogs
  if [[ -n "$logs" ]]; then rm -rf "$logs"; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
stress=${ACSBATCH_STRESS:-0}
[[ "$stress" == 0 || "$stress" == 1 ]] || { echo "test.sh: ACSBATCH_STRESS must be 0 or 1" >&2; exit 64; }
hog_count=${ACSBATCH_STRESS_HOGS:-$(nproc)}
[[ "$hog_count" =~ ^[1-9][0-9]*$ ]] || { echo "test.sh: ACSBATCH_STRESS_HOGS must be a positive number" >&2; exit 64; }
start_hogs() {
  [[ "$stress" == 1 ]] || return 0
  for _ in $(seq "$hog_count"); do
    bash -c 'trap "exit 0" TERM; while :; do :; done' &
    hogs+=($!)
  done
  echo "test.sh: stress mode, $hog_count busy-looping CPU hogs (pids ${hogs[*]})"
}
stop_hogs() {
  ((${#hogs[@]})) || return 0
  kill "${hogs[@]}" 2>/dev/null || true
  wait "${hogs[@]}" 2>/dev/null || true
  hogs=()
}

if [[ "${ACSBATCH_QUICK:-0}" == 1 ]]; then
  scripts/build.sh "$preset"
  start_hogs
  status=0
  ctest --preset "$preset" -j "$jobs" "$@" || status=$?
  stop_hogs
  exit "$status"
fi

logs=$(mktemp -d)
passed=0
failed=0
stages=()

# Runs one ctest preset (after building it) and adds its counts from ctest's summary line,
# "100% tests passed, 0 tests failed out of 250". A build failure counts as one failure.
ctest_stage() {
  local name=$1
  shift
  local log=$logs/$name.log
  if ! scripts/build.sh "$name"; then
    failed=$((failed + 1))
    stages+=("$name: build failed")
    return
  fi
  local status=0
  start_hogs
  ctest --preset "$name" -j "$jobs" "$@" 2>&1 | tee "$log" || status=$?
  stop_hogs
  local summary
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ -z "$summary" ]]; then
    failed=$((failed + 1))
    stages+=("$name: ctest gave no summary (status $status)")
    return
  fi
  local bad total
  bad=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")
  # ctest can fail without a failed test (e.g. no test matched): count that as a failure too.
  if ((bad == 0 && status != 0)); then bad=1; fi
  passed=$((passed + total - bad))
  failed=$((failed + bad))
  stages+=("$name: $((total - bad)) passed, $bad failed")
}

ctest_stage "$preset" "$@"

# The same suite under AddressSanitizer (leaks included) and UBSan, stopping at the first error.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
  ctest_stage asan "$@"

# ThreadSanitizer over the tests where threads meet: the engine with --threads 2 and its SIGTERM
# drain (Engine.*, EngineFaults.*: the acsbatch binary they start is the TSan build too), the
# connection pool shared by strands on two threads, the emulator serving from several threads,
# stopping while connections are open and saving its state file from a timer (EmulatorServer.*,
# EmulatorFaults.*, EmulatorState.*, EmulatorTls.*), the journal's writer thread (StateTest.*,
# JournalCli.*). A race stops the process (exit 66), which fails its test. The other tests run
# the same code with one client and one emulator thread, and run twice above. Left out: the
# 5000-user fault storm (20 000 requests; ~4 min under TSan, the others take ~30 s together),
# and the cleanup test that kills its run 400 ms in (the TSan child has created nothing by then).
tsan_tests='^(Engine|EngineFaults|EmulatorServer|EmulatorFaults|EmulatorState|EmulatorTls|StateTest|JournalCli)\.'
tsan_tests+='|^http_client_test\.pool_is_safe_with_several_threads_and_strands$'
tsan_tests+='|^http_idle_pool\.concurrent_take_and_put_lose_nothing$'
tsan_tests+='|^EmulatorIdentityStore\.ConcurrentCreatesAreAllCounted$'
tsan_skipped='^EngineFaults\.StormOf429And503AndResetsEveryItemSucceeds$'
tsan_skipped+='|^JournalCli\.CleanupDeletesWhatAKilledRunLeftAndIsItselfResumable$'
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
  ctest_stage tsan -R "$tsan_tests" -E "$tsan_skipped" "$@"

# Each fuzz target for a short while: seeds plus whatever it finds in that time.
fuzz_log=$logs/fuzz.log
fuzz_status=0
# fuzz.sh builds its targets first; with hogs that build is slower, the replay itself is short.
start_hogs
scripts/fuzz.sh "${ACSBATCH_FUZZ_SECONDS:-0}" 2>&1 | tee "$fuzz_log" || fuzz_status=$?
stop_hogs
fuzz_summary=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$fuzz_log" | tail -n 1 || true)
if [[ -n "$fuzz_summary" ]]; then
  fuzz_passed=$(sed -E 's/^fuzz: ([0-9]+) passed.*/\1/' <<<"$fuzz_summary")
  fuzz_failed=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$fuzz_summary")
  passed=$((passed + fuzz_passed))
  failed=$((failed + fuzz_failed))
  stages+=("fuzz: $fuzz_passed passed, $fuzz_failed failed")
else
  failed=$((failed + 1))
  stages+=("fuzz: build or setup failed (status $fuzz_status)")
fi

echo
echo "test.sh stages:"
printf '  %s\n' "${stages[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
