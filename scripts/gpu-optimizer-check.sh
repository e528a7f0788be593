#!/usr/bin/env bash
# The optimizer's GPU check in one call (docs/optimizer.md): builds build-gpu/, runs the C++ suite
# with IR verification on (KILN_VERIFY_IR=1), then bench/compare.py on ViT-B/16 and BERT-base in
# fp16 against PyTorch (eager, CUDA graph, torch.compile), and the kiln --dumpProfile of ViT-B/16
# batch 64. Logs and tables land in $OUT (or build-gpu/out); the short summary is printed last.
# KILN_GTEST_FILTER narrows the C++ suite, KILN_COMPARE_MODELS the models (none: no comparison),
# KILN_COMPARE_ARGS adds compare.py options (--batches 64,32 --no-compile).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-build-gpu/out}"
mkdir -p "$out"
export PATH="/usr/local/cuda/bin:$PATH"
if [ -x /usr/bin/g++ ]; then export CXX=/usr/bin/g++ CUDAHOSTCXX=/usr/bin/g++; fi
nvidia-smi -L
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="80-virtual;90-real" -DKILN_PYTHON=ON \
  -DPython_EXECUTABLE="$(command -v python3)" >"$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
cmake --build build-gpu -j "$(nproc)" >"$out/build.log" 2>&1 || { grep -E "error|FAILED" -A5 "$out/build.log" | head -60; exit 1; }
KILN_VERIFY_IR=1 ./build-gpu/tests/cpp/kiln_tests ${KILN_GTEST_FILTER:+--gtest_filter=$KILN_GTEST_FILTER} >"$out/tests.log" 2>&1
grep -E "^\[  FAILED  \]" "$out/tests.log" | sort -u | head -40
tail -4 "$out/tests.log"
models="${KILN_COMPARE_MODELS:-vit_b_16,bert_base}"
[ "$models" = none ] && exit 0
PYTHONPATH=build-gpu/python timeout 420 python3 bench/compare.py --models "$models" \
  --budget-s "${KILN_COMPARE_BUDGET:-300}" --out "$out/compare.json" --md "$out/compare.md" \
  ${KILN_COMPARE_ARGS:-} \
  >"$out/compare.log" 2>&1
echo "compare exit $?"
tail -40 "$out/compare.log"
