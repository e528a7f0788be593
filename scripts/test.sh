#!/usr/bin/env bash
# Runs kiln's tests: the CPU suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/; it includes the plan-loader fuzz tests), then the whole suite (build/). GPU tests
# report themselves as skipped where there is no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi
jobs=$(nproc)
# Every build in the tests verifies the graph after each optimizer pass (docs/optimizer.md).
export KILN_VERIFY_IR=1
# oneDNN threads with OpenMP; two test processes share the 2 cores of a CI machine, where spinning
# OpenMP workers would starve each other (docs/cpu-backend.md).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

# Sanitized build of the CPU backend only: bad input must never crash or read out of bounds.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_ASAN=ON -DKILN_CUDA=OFF >/dev/null
cmake --build build-asan --target kiln_tests
echo "test: the CPU suite under AddressSanitizer"
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j "$jobs"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
echo "test: the whole suite"
ctest --test-dir build --output-on-failure -j "$jobs"

# Python package (tests/python): pytest against the extension setup.sh built into build/python
# (rebuilt above with the rest of build/). GPU tests report themselves as skipped without torch
# and a GPU.
echo "test: the Python package"
PYTHONPATH="$PWD/build/python${PYTHONPATH:+:$PYTHONPATH}" python3 -m pytest -q -rs tests/python

# ONNX conformance (docs/onnx.md): the onnx 1.19.1 backend node tests and the small real models,
# run on the CPU backend of build/ and checked against tests/onnx/expected_results.txt.
echo "test: ONNX conformance"
bash scripts/onnx-conformance.sh build

# The `kiln` command line (docs/cli.md) end to end on the CPU backend, on a model the conformance
# step generated (well under a second; tests/cpp/cli/ covers it in detail).
model=build/onnx-real-models/residual_cnn_block/model.onnx
if [ -f "$model" ]; then
  echo "test: the kiln command line"
  ./build/tools/kiln_cli/kiln --onnx="$model" --device=cpu --iterations=20 --duration=0 \
    --warmUp=0 --dumpProfile --exportLayerInfo=build/kiln-cli-layers.json >/dev/null
fi

# Coverage-guided fuzzing (docs/reliability.md): off by default, since the clang build of the
# instrumented library alone takes longer than the rest of this script on a 2-core machine.
# KILN_FUZZ_SECONDS=30 bash scripts/test.sh runs every fuzz target for that many seconds.
if [ -n "${KILN_FUZZ_SECONDS:-}" ]; then
  echo "test: fuzzing, ${KILN_FUZZ_SECONDS} s per target"
  bash scripts/fuzz.sh "$KILN_FUZZ_SECONDS"
fi
