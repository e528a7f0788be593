#!/usr/bin/env bash
# The `kiln` command line on the GPU (docs/cli.md): builds the small real models of
# tests/onnx/make_models.py, runs them the trtexec way with the reports and exports, and checks the
# exit status and that the reports hold what they promise. Part of scripts/gpu-check.sh.
#   bash scripts/gpu-cli-smoke.sh <build-dir> <log-dir>
set -uo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-gpu}"
logs="${2:-$build/out}"
k="$build/tools/kiln_cli/kiln"
models="$build/cli-models"
mkdir -p "$logs" "$models"
python3 tests/onnx/make_models.py "$models" >/dev/null || { echo "cli: make_models.py failed"; exit 1; }
cnn="$models/residual_cnn_block/model.onnx"
failed=0
step() {  # step <name> <command...>: runs it, keeps its output, says ok/FAILED
  local name="$1"
  shift
  if "$@" >"$logs/cli-$name.log" 2>&1; then echo "cli $name: ok"; else
    echo "cli $name: FAILED ($*)"
    tail -15 "$logs/cli-$name.log"
    failed=1
  fi
}
need() {  # need <name> <pattern>: the log of step <name> must contain the pattern
  grep -qE "$2" "$logs/cli-$1.log" || { echo "cli $1: no '$2' in its output"; failed=1; }
}
step build "$k" --onnx="$cnn" --saveEngine="$models/cnn.plan" --timingCacheFile="$models/tc.bin" \
  --dumpProfile --exportProfile="$models/profile.json" --exportLayerInfo="$models/layers.json" \
  --duration=1
need build "GPU Compute"
need build "H2D"
step warm "$k" build --onnx="$cnn" --saveEngine="$models/cnn2.plan" --timingCacheFile="$models/tc.bin"
step streams "$k" run "$models/cnn.plan" --streams=2 --duration=1
need streams "stream"
step graph "$k" run "$models/cnn.plan" --useCudaGraph --duration=1
step nodata "$k" run "$models/cnn.plan" --noDataTransfers --duration=1
step fp16 "$k" --onnx="$models/mlp/model.onnx" --shapes=x:64x12 --fp16 --tacticSources=-CUDNN \
  --exportLayerInfo="$models/mlp-layers.json" --duration=1
step nvtx "$k" run "$models/cnn.plan" --nvtx --iterations=20 --duration=0
step html "$k" inspect "$models/cnn.plan" --html "$models/cnn.html" --profile="$models/profile.json"
python3 - "$models/layers.json" <<'PY' || failed=1
import json, sys
info = json.load(open(sys.argv[1]))
layers = info.get("layers", info) if isinstance(info, dict) else info
fused = [l for l in layers if len(l.get("parts", [])) > 1]
print(f"cli layer info: {len(layers)} steps, {len(fused)} fused ({', '.join(l['name'] for l in fused[:3])})")
sys.exit(0 if layers else 1)
PY
grep -E "Throughput|Latency|GPU Compute|H2D|D2H" "$logs/cli-build.log" | head -8
exit $failed
