#!/usr/bin/env bash
# The GPU check: builds kiln with its CUDA backend (and the Python package) on a machine with an
# NVIDIA GPU, runs the whole C++ and Python test suites with nothing GPU-related skipped, the
# benchmarks when asked (--bench), the real models against onnxruntime and PyTorch when asked
# (--models), the ONNX node tests on the GPU when they are in .cache, and
# prints a short summary last. Logs go to $OUT (or build-gpu/out).
#   bash scripts/gpu-check.sh [--bench] [--models]
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-build-gpu/out}"
mkdir -p "$out"
bench=0 models=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    --models) models=1 ;;
    *) echo "usage: bash scripts/gpu-check.sh [--bench] [--models]"; exit 2 ;;
  esac
done
export PATH="/usr/local/cuda/bin:$PATH"
nvidia-smi -L || { echo "gpu-check: no NVIDIA GPU visible"; exit 1; }

# The distribution's g++: it links libstdc++ dynamically. The GPU machine's default compiler
# (/opt/gcc) links it statically into every shared library, so libkiln, the tests and the Python
# extension would each carry their own copy, and a Python process that has loaded libstdc++.so
# (import torch) crashes mixing them (DEVELOPERS.md).
if [ -x /usr/bin/g++ ]; then export CXX=/usr/bin/g++ CUDAHOSTCXX=/usr/bin/g++; fi

start=$(date +%s)
# The Python package too when nanobind is there (the GPU machine has it; it has no pip).
python_flags=()
if python3 -m nanobind --cmake_dir >/dev/null 2>&1; then
  python_flags=(-DKILN_PYTHON=ON -DPython_EXECUTABLE="$(command -v python3)")
fi
# Machine code for Hopper plus compute_80 PTX, so that AMPERE_PLUS plans can be built and their
# kernels run from PTX (docs/plan-format.md, "Compatibility").
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="80-virtual;90-real" "${python_flags[@]}" \
  >"$out/configure.log" 2>&1 || { tail -30 "$out/configure.log"; exit 1; }
grep -E "kiln:" "$out/configure.log"
cmake --build build-gpu -j "$(nproc)" >"$out/build.log" 2>&1 || { grep -E "error|FAILED" -A5 "$out/build.log" | head -60; exit 1; }
built=$(date +%s)

./build-gpu/tests/cpp/kiln_tests --gtest_output="xml:$out/tests.xml" >"$out/tests.log" 2>&1
status=$?
tested=$(date +%s)
grep -E "^\[  FAILED  \]" "$out/tests.log" | sort -u | head -40
# kiln's own kernels from their compute_80 PTX, compiled by the driver (as on an Ampere GPU);
# the compatibility tests then build with kiln's tactic source only (cuBLAS and cuDNN ship no
# PTX for most of their kernels).
CUDA_FORCE_PTX_JIT=1 ./build-gpu/tests/cpp/kiln_tests --gtest_filter='CudaCompat.*' \
  >"$out/ptx-jit.log" 2>&1
ptx_status=$?
ptx_summary="$(grep -cE "^\[       OK \]" "$out/ptx-jit.log") passed, $(grep -E "^\[  FAILED  \] [A-Za-z]" "$out/ptx-jit.log" | sort -u | wc -l) failed"
grep -E "^\[  FAILED  \]" "$out/ptx-jit.log" | sort -u | head -10
grep -E "^\[  SKIPPED \] " "$out/tests.log" | head -20

# Python tests (tests/python) against build-gpu/python, GPU ones included.
py_status=0
py_summary="not built (no nanobind)"
if [ ${#python_flags[@]} -gt 0 ]; then
  PYTHONPATH="$PWD/build-gpu/python" python3 -m pytest -q -rs tests/python >"$out/pytest.log" 2>&1
  py_status=$?
  py_summary=$(tail -1 "$out/pytest.log")
  grep -E "FAILED|SKIPPED|Error" "$out/pytest.log" | head -20
fi

# The kiln command line on the GPU (docs/cli.md): reports, exports, streams, graphs, NVTX, HTML.
bash scripts/gpu-cli-smoke.sh build-gpu "$out" >"$out/cli.log" 2>&1
cli_status=$?
cli_summary="$(grep -c ': ok$' "$out/cli.log") steps ok, $(grep -c 'FAILED' "$out/cli.log") failed"
grep -E "FAILED|no '" "$out/cli.log" | head -10

bench_status=0
if [ "$bench" = 1 ]; then
  if [ -x bench/run.sh ]; then
    bash bench/run.sh "$out" 2>&1 | tee "$out/bench.log" | tail -40
    bench_status=${PIPESTATUS[0]}
  fi
  # Build times cold and with a warm timing cache (MNIST CNN, ResNet-50-sized network).
  timeout -k 5 180 ./build-gpu/bench/kiln_build_bench >"$out/build_bench.jsonl" 2>"$out/build_bench.txt"
  build_bench_status=$?
  tail -12 "$out/build_bench.txt"
  [ "$build_bench_status" -eq 0 ] || bench_status=$build_bench_status
fi

# Real models (--models; bench/README.md): ResNet-50, ViT-B/16 and BERT-base exported from PyTorch,
# parsed by kiln and checked against onnxruntime and PyTorch (onnx_models.py), then fp16 latency
# against PyTorch eager, CUDA graph and torch.compile (compare.py). Each script has a time budget
# and runs under timeout: about 8 minutes at most. Informational: not in the exit status.
models_summary="not run (--models)"
if [ "$models" = 1 ]; then
  export KILN_ONNX_MODELS="$PWD/build-gpu/onnx-models" PYTHONUNBUFFERED=1
  PYTHONPATH="$PWD/build-gpu/python" timeout -k 10 200 python3 bench/onnx_models.py --budget-s 170 \
    --out "$out/onnx_models.json" >"$out/onnx_models.log" 2>&1
  onnx_models_rc=$?
  tail -24 "$out/onnx_models.log"
  PYTHONPATH="$PWD/build-gpu/python" timeout -k 10 280 python3 bench/compare.py --budget-s 230 \
    --out "$out/compare.json" --md "$out/compare.md" >"$out/compare.log" 2>&1
  compare_rc=$?
  tail -26 "$out/compare.log"
  models_summary="onnx_models rc=$onnx_models_rc ($(grep -E '^onnx_models:' "$out/onnx_models.log" | tail -1)); compare rc=$compare_rc ($(grep -E '^compare:' "$out/compare.log" | tail -1))"
fi

# ONNX conformance on the GPU (docs/onnx.md): the node tests must be in .cache (the GPU machine
# has no network: carry .cache/onnx-node-tests-1.19.1 there). Checked against the CPU's expected
# results: a test that passes on the CPU and not on the GPU is reported.
# Informational: tests that pass on the CPU but lack a CUDA kernel are listed, not fatal.
onnx_summary="not run (no .cache/onnx-node-tests-1.19.1)"
if [ -f .cache/onnx-node-tests-1.19.1/.complete ]; then
  bash scripts/onnx-conformance.sh build-gpu --device=gpu --coverage="$out/onnx-coverage-gpu.md" \
    >"$out/onnx.log" 2>&1
  onnx_summary=$(grep -E "node core:|regressions" "$out/onnx.log" | tr '\n' ' ')
  grep -E "^REGRESSION|regress" "$out/onnx.log" | head -20
fi

passed=$(grep -cE "^\[       OK \]" "$out/tests.log")
failed=$(grep -E "^\[  FAILED  \] [A-Za-z]" "$out/tests.log" | sort -u | wc -l)
skipped=$(grep -cE "^\[  SKIPPED \] [A-Za-z]" "$out/tests.log")
echo
echo "== gpu-check summary ($(nvidia-smi --query-gpu=name --format=csv,noheader | head -1))"
echo "build: $((built - start)) s, tests: $((tested - built)) s"
echo "tests: $passed passed, $failed failed, $skipped skipped"
echo "kernels from compute_80 PTX (CUDA_FORCE_PTX_JIT=1): $ptx_summary"
echo "python: $py_summary"
echo "kiln command line: $cli_summary"
echo "onnx (gpu): $onnx_summary"
echo "models: $models_summary"
[ "$py_status" -eq 0 ] || status=1
[ "$ptx_status" -eq 0 ] || status=1
[ "$cli_status" -eq 0 ] || status=1
if [ "$skipped" -ne 0 ]; then echo "gpu-check: tests were skipped on a GPU machine"; status=1; fi
[ "$status" -eq 0 ] && [ "$bench_status" -eq 0 ]
