#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang 14, ASan + UBSan; the `fuzz` preset) and runs
# each for a bounded time over its seed corpus. Fails when any target crashes, leaks, hangs or
# breaks a property, and prints the reproducer's path.
# Usage: scripts/fuzz.sh [seconds-per-target=60] [target…]   (default: every target; 0 seconds
# replays the seeds and what earlier runs found, deterministically, as scripts/test.sh does)
# New inputs go to $ACSBATCH_FUZZ_WORK/<target>/corpus (default build/fuzz-work), never into the
# committed tests/fuzz/corpus; the build goes to $ACSBATCH_FUZZ_BUILD_DIR (default build/fuzz).
# Reproduce a crash: build/fuzz/tests/fuzz/<target> <reproducer>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
all_targets=(job_loader_fuzz connection_string_fuzz emulator_request_fuzz response_reader_fuzz spec_parsers_fuzz
             state_file_fuzz)
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")
build_dir=${ACSBATCH_FUZZ_BUILD_DIR:-build/fuzz}
work_dir=${ACSBATCH_FUZZ_WORK:-build/fuzz-work}

# clang 14 itself, and libclang_rt.fuzzer-x86_64.a (libFuzzer) with the sanitizer runtimes.
scripts/setup.sh clang libclang-rt-14-dev
cmake --preset fuzz -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j "${ACSBATCH_BUILD_JOBS:-2}" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for target in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$target
  work=$work_dir/$target
  mkdir -p "$work/corpus" "$work/artifacts"
  log=$work/fuzz.log
  # The first directory receives new inputs; the seeds are only read. -timeout: one input taking
  # 10 s is a hang; -rss_limit_mb: an input that makes the parser balloon is a finding too.
  # 0 seconds: replay the seeds only (deterministic, for CI); otherwise explore for that long.
  if ((seconds == 0)); then budget=(-runs=0); else budget=(-max_total_time="$seconds"); fi
  if "$build_dir/tests/fuzz/$target" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if ((seconds == 0)); then
      echo "fuzz: $target: ${runs:-?} inputs replayed, no crash"
    else
      echo "fuzz: $target: ${runs:-?} runs in ${seconds}s, no crash"
    fi
  else
    failed+=("$target")
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "fuzz: $target: FAILED — reproducer: ${reproducer:-none written} (log: $log)" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|\*\*\* fuzz property broken)' "$log" | head -n 5 >&2 || true
    if [[ -n "$reproducer" ]]; then
      echo "fuzz:   reproduce with: $build_dir/tests/fuzz/$target $reproducer" >&2
    fi
  fi
done

echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
