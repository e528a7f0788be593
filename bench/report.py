# report: reads the JSON lines of kiln_bench and torch_peers.py, prints one compact comparison table
# (plus aux-stream, fp16-accuracy and error lines) and writes it as Markdown to OUTDIR/cuda-bench.md.
import argparse
import datetime
import json
import os
import subprocess
import sys

WORKLOADS = ["gemm_chains_aux0", "gemm_chains_aux1", "mnist_bs1",
             "conv64to1_3x3", "conv64to64_9x9", "conv64to256_3x3"]


def read_lines(path):
    """(records, problems): the JSON objects of a file, and what was wrong with it."""
    records, problems = [], []
    if not path or not os.path.exists(path):
        return records, [f"{path}: missing"]
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{n}: bad JSON ({exc})")
    return records, problems


def us(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if v >= 1000 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def best(rec):
    vals = [rec.get(k) for k in ("eager_us", "graph_us") if rec and rec.get(k) is not None]
    return min(vals) if vals else None


def gpu_name(metas):
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip().splitlines()
        if out:
            return out[0]
    except Exception:
        pass
    return next((m["gpu"] for m in metas if m.get("gpu")), "unknown GPU")


def build(kiln_recs, torch_recs, problems):
    """(header, rows, notes, failed): the table as lists of cells and the lines under it."""
    kiln = {r["workload"]: r for r in kiln_recs if r.get("kind") == "kiln" and "workload" in r}
    fp16 = {r["workload"]: r for r in kiln_recs if r.get("kind") == "kiln_fp16" and "workload" in r}
    peer = {r["workload"]: r for r in torch_recs if r.get("kind") == "torch" and "workload" in r}
    kmeta = next((r for r in kiln_recs if r.get("kind") == "kiln_meta"), {})
    tmeta = next((r for r in torch_recs if r.get("kind") == "torch_meta"), {})
    errors = list(problems)
    ran = {}  # whether each side got far enough for per-workload results to be expected
    for name, meta in (("kiln", kmeta), ("torch", tmeta)):
        ran[name] = bool(meta) and not meta.get("error")
        if not meta:
            errors.append(f"{name}: no output")
        elif meta.get("error"):
            errors.append(f"{name}: {meta['error']}")

    header = ["workload", "floor fp32/tf32 µs", "kiln eager", "kiln graph", "torch eager", "torch graph",
              "kiln/torch"]
    rows = []
    for w in WORKLOADS:
        k, t = kiln.get(w, {}), peer.get(w, {})
        src = k if k.get("flops") else t
        floor = (f"{us(src.get('floor_fp32_us'))} / {us(src.get('floor_tf32_us'))}"
                 if src.get("floor_fp32_us") is not None else "-")
        kb, tb = best(k), best(t)
        ratio = f"{kb / tb:.2f}" if kb and tb else "-"
        mark = "" if k.get("check_ok", True) else " (check FAILED)"
        rows.append([w + mark, floor, us(k.get("eager_us")), us(k.get("graph_us")),
                     us(t.get("eager_us")), us(t.get("graph_us")), ratio])
        for name, rec, stream in (("kiln", k, kiln), ("torch", t, peer)):
            if w not in stream and ran[name]:
                errors.append(f"{name} {w}: no result")
            elif rec.get("error"):
                errors.append(f"{name} {w}: {rec['error']}")

    notes = []
    a0, a1 = kiln.get("gemm_chains_aux0", {}), kiln.get("gemm_chains_aux1", {})
    t0, t1 = peer.get("gemm_chains_aux0", {}), peer.get("gemm_chains_aux1", {})

    def speedup(x, y, key):
        return f"{x[key] / y[key]:.2f}x" if x.get(key) and y.get(key) else "-"

    notes.append(f"aux streams (gemm chains, 1 aux stream vs none): kiln eager {speedup(a0, a1, 'eager_us')}, "
                 f"graph {speedup(a0, a1, 'graph_us')}; torch on 2 streams: eager {speedup(t0, t1, 'eager_us')}, "
                 f"graph {speedup(t0, t1, 'graph_us')}")
    for w in WORKLOADS:
        f = fp16.get(w)
        if not f:
            continue
        if f.get("error"):
            errors.append(f"kiln fp16 {w}: {f['error']}")
            continue
        notes.append(f"fp16 vs fp32 engine, {w}: max abs {f.get('max_abs', float('nan')):.3g}, "
                     f"max rel {f.get('max_rel', float('nan')):.3g}, norm rel {f.get('norm_rel', float('nan')):.3g}; "
                     f"graph {us(f.get('graph_us'))} µs (fp16 floor {us(f.get('floor_fp16_us'))})")
    errs = [f"{w} {kiln[w]['check_err']:.1g}" for w in WORKLOADS
            if kiln.get(w, {}).get("check_err") is not None and w != "gemm_chains_aux1"]
    if errs:
        notes.append("kiln fp32 engine vs float64, normalised max error (1e-6: fp32 math ran, 1e-3: TF32): "
                     + ", ".join(errs))
    tf32 = {True: "on", False: "off"}.get(kmeta.get("tf32"), "?")
    notes.append(f"precision: kiln tf32={tf32}; torch {tmeta.get('torch', '?')} "
                 f"matmul allow_tf32={tmeta.get('matmul_allow_tf32', '?')}, "
                 f"cudnn allow_tf32={tmeta.get('cudnn_allow_tf32', '?')}")
    notes.append("times: median µs per inference; kiln/torch = best kiln / best torch (< 1: kiln faster)")
    failed = bool(errors) or any(not kiln.get(w, {}).get("check_ok", False) for w in WORKLOADS)
    errors = [f"ERROR {' '.join(str(e).split())[:200]}" for e in errors]
    return header, rows, notes, errors, failed


def text_table(header, rows):
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))
    return [fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]


def main():
    parser = argparse.ArgumentParser(description="kiln vs PyTorch comparison table")
    parser.add_argument("--kiln", required=True, help="kiln_bench JSON lines")
    parser.add_argument("--torch", required=True, help="torch_peers.py JSON lines")
    parser.add_argument("--out", required=True, help="directory for cuda-bench.md")
    args = parser.parse_args()
    kiln_recs, p1 = read_lines(args.kiln)
    torch_recs, p2 = read_lines(args.torch)
    header, rows, notes, errors, failed = build(kiln_recs, torch_recs, p1 + p2)
    metas = [r for r in kiln_recs + torch_recs if r.get("kind", "").endswith("_meta")]
    gpu = gpu_name(metas)
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")

    md = [f"# kiln vs PyTorch on {gpu}", "", f"{when}; produced by bench/run.sh (see bench/README.md).", "",
          "| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    md += [""] + [f"- {n}" for n in notes + errors] + [""]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cuda-bench.md"), "w") as f:
        f.write("\n".join(md))

    print(f"== kiln vs PyTorch, {gpu}, {when}")
    print("\n".join(text_table(header, rows)))
    print("\n".join(notes))
    shown = 8  # gpu-check shows the last 40 lines; the Markdown file has every error
    print("\n".join(errors[:shown] + ([f"... {len(errors) - shown} more errors in cuda-bench.md"] if len(errors) > shown else [])))
    print("bench: FAILED" if failed else "bench: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
