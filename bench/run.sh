#!/usr/bin/env bash
# bench/run.sh OUTDIR: runs kiln_bench (built in build-gpu/) and the PyTorch peers (bench/torch_peers.py),
# then prints the comparison table last and writes OUTDIR/cuda-bench.md; non-zero exit when anything failed.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: bash bench/run.sh OUTDIR"; exit 2; }
mkdir -p "$1" && out="$(cd "$1" && pwd)" || exit 2
cd "$(dirname "$0")/.."
export PATH="/usr/local/cuda/bin:$PATH"
bin="${KILN_BENCH:-./build-gpu/bench/kiln_bench}"
start=$(date +%s)

if [ ! -x "$bin" ] && [ -d build-gpu ]; then
  echo "run.sh: $bin missing; building it"
  timeout -k 5 120 cmake --build build-gpu --target kiln_bench >"$out/bench-build.log" 2>&1 \
    || echo "run.sh: building kiln_bench failed (see $out/bench-build.log)"
fi
kiln_rc=127
: >"$out/kiln_bench.jsonl"
if [ -x "$bin" ]; then
  # kiln_bench skips the remaining workloads past --budget-s; timeout stops a hung build or run.
  timeout -k 5 100 "$bin" --budget-s 70 >"$out/kiln_bench.jsonl" 2>"$out/kiln_bench.err"
  kiln_rc=$?
else
  echo "run.sh: no kiln_bench binary at $bin" >"$out/kiln_bench.err"
fi
kiln_done=$(date +%s)
timeout -k 5 60 python3 bench/torch_peers.py >"$out/torch_peers.jsonl" 2>"$out/torch_peers.err"
torch_rc=$?
torch_done=$(date +%s)

echo "run.sh: kiln_bench rc=$kiln_rc ($((kiln_done - start)) s), torch_peers rc=$torch_rc ($((torch_done - kiln_done)) s); logs in $out"
[ "$kiln_rc" -eq 0 ] || { echo "-- kiln_bench stderr (last lines):"; tail -n 8 "$out/kiln_bench.err"; }
[ "$torch_rc" -eq 0 ] || { echo "-- torch_peers stderr (last lines):"; tail -n 8 "$out/torch_peers.err"; }
echo
python3 bench/report.py --kiln "$out/kiln_bench.jsonl" --torch "$out/torch_peers.jsonl" --out "$out"
report_rc=$?
[ "$kiln_rc" -eq 0 ] && [ "$torch_rc" -eq 0 ] && [ "$report_rc" -eq 0 ]
