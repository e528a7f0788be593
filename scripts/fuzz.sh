#!/usr/bin/env bash
# Builds kiln's libFuzzer targets (tests/fuzz/, clang, ASan+UBSan, build-fuzz/) and runs each for
# a bounded time on its seed corpus (docs/reliability.md). Fails when a target finds a crash, a
# leak, a timeout or an out-of-memory input; the input is kept in build-fuzz/crashes/.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target...]   # default 60 s, every target
#
# New inputs that reach new coverage go to build-fuzz/corpus/<target> (not the checked-in seeds;
# copy interesting ones to tests/fuzz/corpus/<target> by hand). KILN_FUZZ_JOBS sets the build's
# parallelism (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_onnx fuzz_plan fuzz_timing_cache fuzz_plugin_fields fuzz_ir_text)
fi
jobs=${KILN_FUZZ_JOBS:-$(nproc)}

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKILN_CUDA=OFF -DKILN_TESTS=OFF -DKILN_PYTHON=OFF -DKILN_FUZZ=ON >/dev/null
cmake --build build-fuzz --target kiln_fuzzers -j "$jobs"

mkdir -p build-fuzz/crashes build-fuzz/logs
failed=()
printf '%-20s %10s %8s %8s %8s\n' target execs exec/s cov ft
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/${t#fuzz_}
  work=build-fuzz/corpus/${t#fuzz_}
  mkdir -p "$work"
  log=build-fuzz/logs/$t.log
  # -rss_limit_mb: any input that makes kiln use 2 GiB is a finding; -timeout: 10 s per input.
  if ! ASAN_OPTIONS=detect_leaks=1 "build-fuzz/tests/fuzz/$t" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/crashes/$t-" "$work" "$seeds" >"$log" 2>&1; then
    failed+=("$t")
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)
  printf '%-20s %10s %8s %8s %8s\n' "$t" "${execs:-?}" "${rate:-?}" \
    "$(echo "$last" | awk '{print $2}')" "$(echo "$last" | awk '{print $4}')"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${failed[*]} failed; see build-fuzz/logs/ and the inputs in build-fuzz/crashes/" >&2
  for t in "${failed[@]}"; do grep -m3 -E 'ERROR|SUMMARY|invariant' "build-fuzz/logs/$t.log" >&2 || true; done
  exit 1
fi
