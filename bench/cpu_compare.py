#!/usr/bin/env python3
"""cpu_compare: kiln's CPU engines against onnxruntime's CPU provider, in one run, same ONNX files.

Models (bench/cpu_models.py, made with onnx.helper, random weights, no downloads): a residual CNN
(8 3x3 convolutions, 64 channels at 56x56), a 2-layer transformer encoder (width 256, seq 64), the
MNIST-style CNN, ResNet-50-sized and BERT-base-sized (seq 128) networks. Each at batch 1 and 8, at
onnxruntime's default threading (kiln: its default, one thread per core) and with both held to one
thread. kiln builds one fp32 engine per row (profile fixed at the row's batch); both are checked
against each other before timing (rel_to_max = max|kiln - ort| / max|ort| <= 1e-3).

Time: median of `--iters` runs each after warm-up, kiln and onnxruntime alternating in blocks
(host to host: kiln's context.infer with numpy in and out, onnxruntime's session.run). Prints a line per row as it goes and the table last; the ratio
column is kiln / onnxruntime (below 1: kiln is faster). --out writes the table as Markdown.

  PYTHONPATH=build/python python3 bench/cpu_compare.py [--models residual_cnn,encoder]
      [--batches 1,8] [--threads default,1] [--iters 20] [--budget-s 900] [--out table.md]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpu_models  # noqa: E402


def processor() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def timed_pair(fn_a, fn_b, iters: int, budget_s: float, rounds: int = 4) -> tuple[float, float]:
    """Median milliseconds of fn_a() and of fn_b() over up to `iters` runs each (fewer if they pass
    budget_s), in `rounds` alternating blocks (a's runs, b's runs, a's, ...) so that a slow spell
    of a shared machine hits both alike. Blocks rather than single runs: each library's idle
    workers spin for a while after a run, which would slow the other's next run."""
    fn_a()  # warm-up (first-run allocations, primitive creation)
    fn_b()
    times_a, times_b = [], []
    start = time.perf_counter()
    per_block = max(1, iters // rounds)
    while len(times_a) < iters:
        for fn, times in ((fn_a, times_a), (fn_b, times_b)):
            for _ in range(per_block):
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1e3)
        if time.perf_counter() - start > budget_s and len(times_a) >= 3:
            break
    return statistics.median(times_a), statistics.median(times_b)


def build_kiln(trt, model_bytes: bytes, shape, batch: int, threads: int | None):
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(model_bytes):
        errors = [str(parser.get_error(i)) for i in range(parser.num_errors)]
        raise RuntimeError("kiln could not parse the model: " + "; ".join(errors))
    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU
    if threads is not None:
        config.cpu_threads = threads
    profile = builder.create_optimization_profile()
    full = (batch, *shape)
    profile.set_shape("x", full, full, full)
    config.add_optimization_profile(profile)
    t0 = time.perf_counter()
    plan = builder.build_serialized_network(network, config)
    build_s = time.perf_counter() - t0
    if plan is None:
        raise RuntimeError(f"kiln build failed: {trt.get_last_error()}")
    runtime = trt.Runtime(logger)
    if threads is not None:
        runtime.cpu_threads = threads
    engine = runtime.deserialize_cuda_engine(plan)
    return engine.create_execution_context(), build_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=",".join(cpu_models.MODELS))
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--threads", default="default,1",
                    help="comma list of 'default' (each library's own) and thread counts")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--row-budget-s", type=float, default=10.0, help="timing budget per engine")
    ap.add_argument("--budget-s", type=float, default=1e9, help="skip rows once this has passed")
    ap.add_argument("--out", help="write the table (Markdown) here")
    args = ap.parse_args()
    try:
        import kiln as trt
        import onnxruntime as ort
    except ImportError as e:
        print(f"cpu_compare: {e} (run with PYTHONPATH=build/python; pip install onnxruntime)")
        return 2
    started = time.perf_counter()
    rows = []
    failed = False
    header = (f"processor: {processor()}, {cores()} cores available; kiln {trt.kiln_version}, "
              f"onnxruntime {ort.__version__}")
    print(header, flush=True)
    for name in args.models.split(","):
        model, shape = cpu_models.MODELS[name]()
        data = model.SerializeToString()
        for batch in (int(b) for b in args.batches.split(",")):
            x = np.random.default_rng(7).standard_normal((batch, *shape)).astype(np.float32)
            for threads_arg in args.threads.split(","):
                if time.perf_counter() - started > args.budget_s:
                    print(f"{name} b{batch} threads={threads_arg}: skipped (--budget-s)")
                    failed = True
                    continue
                threads = None if threads_arg == "default" else int(threads_arg)
                so = ort.SessionOptions()
                if threads is not None:
                    so.intra_op_num_threads = threads
                    so.inter_op_num_threads = 1
                sess = ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])
                ort_y = sess.run(None, {"x": x})[0]
                try:
                    context, build_s = build_kiln(trt, data, shape, batch, threads)
                    kiln_y = context.infer({"x": x})["y"]
                except Exception as e:  # noqa: BLE001 - reported and counted as a failure
                    print(f"{name} b{batch} threads={threads_arg}: kiln failed: {e}")
                    failed = True
                    continue
                err = float(np.max(np.abs(kiln_y - ort_y)) / max(np.max(np.abs(ort_y)), 1e-30))
                ok = err <= 1e-3
                failed |= not ok
                kiln_ms, ort_ms = timed_pair(lambda: context.infer({"x": x}),
                                             lambda: sess.run(None, {"x": x}), args.iters,
                                             args.row_budget_s)
                row = (name, batch, threads_arg, kiln_ms, ort_ms, kiln_ms / ort_ms, err, build_s)
                rows.append(row)
                print(f"{name} b{batch} threads={threads_arg}: kiln {kiln_ms:.2f} ms, onnxruntime "
                      f"{ort_ms:.2f} ms, ratio {kiln_ms / ort_ms:.2f}, rel_to_max {err:.1e}"
                      f"{'' if ok else ' MISMATCH'}, kiln build {build_s:.1f} s", flush=True)
    lines = [header, "",
             "| model | batch | threads | kiln ms | onnxruntime ms | kiln / ort | rel_to_max |"
             " kiln build s |",
             "|---|---|---|---|---|---|---|---|"]
    for name, batch, threads, k, o, r, err, b in rows:
        lines.append(f"| {name} | {batch} | {threads} | {k:.2f} | {o:.2f} | {r:.2f} | {err:.1e} |"
                     f" {b:.1f} |")
    table = "\n".join(lines)
    print()
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
