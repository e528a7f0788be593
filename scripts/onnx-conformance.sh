#!/usr/bin/env bash
# ONNX conformance (docs/onnx.md): runs the ONNX backend node tests of the pinned onnx wheel and
# the small real models of tests/onnx/make_models.py through build/tools/onnx_conformance, and
# checks them against tests/onnx/expected_results.txt: fails when a test expected to pass does not.
# Usage: scripts/onnx-conformance.sh [build-dir] [--update] [runner options...]
#   --update  rewrites tests/onnx/expected_results.txt and docs/onnx-coverage.md from this run
# KILN_PYTHON picks the Python that has onnx and onnxruntime (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then build=$1; shift; fi
update=0
args=()
for a in "$@"; do
  if [ "$a" = "--update" ]; then update=1; else args+=("$a"); fi
done
runner="$build/tools/onnx_conformance/onnx_conformance"
if [ ! -x "$runner" ]; then
  echo "onnx conformance: $runner not built (configure with KILN_TESTS=ON)" >&2
  exit 1
fi
node_tests=.cache/onnx-node-tests-1.19.1
if ! bash scripts/fetch-onnx-tests.sh "$node_tests"; then
  echo "onnx conformance: skipped, the onnx 1.19.1 wheel could not be downloaded"
  exit 0
fi
suites=("$node_tests")
real="$build/onnx-real-models"
python=${KILN_PYTHON:-python3}
if "$python" tests/onnx/make_models.py "$real"; then
  suites+=("$real")
else
  echo "onnx conformance: real-model suite skipped (see the reason above)"
fi
if [ "$update" = 1 ]; then
  "$runner" "${suites[@]}" --write-expected=tests/onnx/expected_results.txt \
    --coverage=docs/onnx-coverage.md "${args[@]}"
else
  "$runner" "${suites[@]}" --check --expected=tests/onnx/expected_results.txt "${args[@]}"
fi
