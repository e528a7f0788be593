#!/usr/bin/env python3
"""compare: kiln against PyTorch on real models in float16, on the GPU, in one run.

Configurations (filter with --models and --batches):
  resnet50   torchvision ResNet-50, 3x224x224 images       batches 1 and 128
  vit_b_16   torchvision ViT-B/16, 3x224x224 images        batches 1 and 64
  bert_base  transformers BertModel (bert-base sizes), sequence --seq (128), input_ids +
             attention_mask (int64, trailing padding), output last_hidden_state   batches 1 and 32
Random weights from fixed seeds (bench/onnx_models.py makes the models; no pretrained weights).

Contestants, all in float16:
  kiln           the model exported to ONNX (static shapes, bench/onnx_models.py), parsed by
                 kiln.OnnxParser, built with BuilderFlag.FP16 (TF32 also allowed, kiln's default);
                 the engine's inputs and outputs stay float32 (kiln casts inside); one execution
                 context in CUDA graph mode (set_cuda_graph_mode), device buffers are torch tensors
                 whose addresses are set once
  torch eager    the model in float16 (model.half(); ResNet-50 and ViT in channels_last memory
                 format unless --no-channels-last), torch.inference_mode, cudnn.benchmark on
  torch graph    the same captured once in a torch.cuda.CUDAGraph and replayed
  torch.compile  torch.compile(model, dynamic=False) in its default mode (no CUDA graphs);
                 --max-autotune adds mode="max-autotune" (compiles for minutes); --no-compile skips it.
                 Compile time = the first call (synchronised). Runs after every configuration's
                 other measurements, while the budget lasts (each model's largest batch first).
For BERT the PyTorch side uses transformers' default attention (sdpa); the ONNX export uses
--bert-attn (eager by default: the classic MatMul/Softmax graph). Same weights, same function.

Timing (as bench/torch_peers.py): warm-up (>= 10 runs), then up to --runs runs or --measure-s seconds;
each run starts on an idle GPU (synchronised first) and is bracketed by two CUDA events on the
current stream. Median and p90 latency per inference; throughput = batch / median. One input set
(the weights, 50-220 MB in fp16, are larger than the 50 MB L2 anyway).

Correct first: kiln's output is compared with PyTorch eager fp16's (cosine, max|d|/max|ref|);
a cosine below 0.99 marks the row "check FAILED".

Writes JSON (--out) and a Markdown table (--md, for docs/perf/) after every configuration and
prints the table last. --budget-s skips the remaining configurations (or compile passes) that would
not fit, with a note. Exit status 0 when every configuration asked for was measured (compile passes
skipped for time do not count), 1 otherwise, 2 for bad arguments, 3 when there is no CUDA GPU.

  PYTHONPATH=build-gpu/python python3 bench/compare.py --out /tmp/compare.json --md /tmp/compare.md
"""
import argparse
import datetime
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_models as om  # noqa: E402

CONFIGS = [("resnet50", 1), ("resnet50", 128), ("vit_b_16", 1), ("vit_b_16", 64),
           ("bert_base", 1), ("bert_base", 32)]
CHECK_COSINE = 0.99


def log(msg):
    print(msg, flush=True)


def where(exc):
    """file:line of the innermost frame of this script that the exception passed through."""
    tb, found = exc.__traceback__, "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(("compare.py", "onnx_models.py")):
            found = f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def safe(read):
    try:
        return read()
    except Exception as exc:
        return f"unavailable: {om.short(exc, 80)}"


def time_runs(torch, call, warmup, runs, measure_s):
    """Latencies in ms: each run starts on an idle GPU and is bracketed by events."""
    for _ in range(warmup):
        call()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times, t0 = [], time.time()
    while len(times) < runs and (len(times) < 10 or time.time() - t0 < measure_s):
        torch.cuda.synchronize()
        start.record()
        call()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    n = len(times)
    return {"median_ms": times[n // 2], "p90_ms": times[min(n - 1, (9 * n) // 10)], "min_ms": times[0], "runs": n}


def torch_inputs(torch, name, feeds, channels_last):
    inputs, _ = om.io_names(name)
    out = []
    for n in inputs:
        t = torch.from_numpy(feeds[n]).cuda()
        if t.is_floating_point():
            t = t.half()
            if channels_last and t.dim() == 4:
                t = t.contiguous(memory_format=torch.channels_last)
        out.append(t)
    return out


def cosine_check(torch, out, ref):
    a, b = out.double().flatten(), ref.double().flatten()
    if not bool(torch.isfinite(a).all()):
        return {"cosine": float("nan"), "rel_to_max": float("inf"), "finite": False}
    cos = float(torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-30))
    rel = float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))
    return {"cosine": cos, "rel_to_max": rel, "finite": True}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(om.MODELS), help=f"comma-separated, of {','.join(om.MODELS)}")
    p.add_argument("--batches", default="", help="comma-separated batch sizes to keep (default: all)")
    p.add_argument("--seq", type=int, default=128, help="BERT sequence length")
    p.add_argument("--bert-attn", default="eager", help="attention implementation for the BERT ONNX export")
    p.add_argument("--runs", type=int, default=200, help="most timed runs per measurement")
    p.add_argument("--measure-s", type=float, default=1.0, help="time per measurement")
    p.add_argument("--warmup", type=int, default=10, help="warm-up runs per measurement")
    p.add_argument("--no-channels-last", action="store_true", help="PyTorch CNNs in NCHW")
    p.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    p.add_argument("--max-autotune", action="store_true", help="also torch.compile mode='max-autotune' (slow)")
    p.add_argument("--opt-level", type=int, default=None, help="kiln builder_optimization_level (default 3)")
    p.add_argument("--workdir", default=os.environ.get("KILN_ONNX_MODELS", "/tmp/kiln-onnx-models"),
                   help="where the exported .onnx files are kept (shared with onnx_models.py)")
    p.add_argument("--budget-s", type=float, default=230.0, help="skip what would not fit in this many seconds")
    p.add_argument("--out", default=None, help="JSON results")
    p.add_argument("--md", default=None, help="Markdown table (default: --out with .md)")
    args = p.parse_args()

    models = [m for m in args.models.split(",") if m]
    bad = [m for m in models if m not in om.MODELS]
    try:
        batches = {int(b) for b in args.batches.split(",") if b}
    except ValueError:
        p.error(f"--batches: integers expected, got {args.batches!r}")
    if bad:
        p.error(f"unknown models: {bad}")
    configs = [(m, b) for m, b in CONFIGS if m in models and (not batches or b in batches)]
    if not configs:
        p.error("no configuration left after --models/--batches")
    md_path = args.md or (os.path.splitext(args.out)[0] + ".md" if args.out else None)
    budget = om.Budget(args.budget_s)
    results = {f"{m} b{b}": {"model": m, "batch": b, "status": "pending"} for m, b in configs}
    notes = []

    def finish_lines():
        return render(results, notes, meta)

    meta = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "args": vars(args)}

    try:
        import numpy as np
        import torch
    except Exception as exc:
        log(f"compare: missing package: {exc}")
        return 2
    if not torch.cuda.is_available():
        for r in results.values():
            r.update(status="SKIP", message="no CUDA GPU")
        notes.append("no CUDA GPU (torch.cuda.is_available() is False): every configuration skipped")
        meta["torch"] = torch.__version__
        write(args.out, md_path, results, notes, meta)
        log(f"compare: no CUDA GPU; skipping {len(configs)} configuration(s): " + ", ".join(results))
        return 3
    try:
        trt = om.import_kiln()
    except Exception as exc:
        log(f"compare: {exc}")
        return 2

    torch.backends.cudnn.benchmark = True
    logger = trt.Logger(trt.Logger.ERROR)
    props = torch.cuda.get_device_properties(0)
    meta.update(gpu=props.name, torch=torch.__version__, cuda=torch.version.cuda, kiln=getattr(trt, 'kiln_version', trt.__version__),
                cudnn=safe(torch.backends.cudnn.version), precision="fp16",
                torch_fp32_settings=om.torch_precision(torch), cudnn_benchmark=True,
                channels_last=not args.no_channels_last)
    try:
        import transformers
        meta["transformers"] = transformers.__version__
    except ImportError:
        pass
    log(f"== compare: {props.name}, torch {torch.__version__} (CUDA {torch.version.cuda}), kiln {getattr(trt, 'kiln_version', trt.__version__)}, "
        f"fp16, {len(configs)} configuration(s), budget {args.budget_s:.0f} s")

    def measure(call):
        return time_runs(torch, call, args.warmup, args.runs, args.measure_s)

    models_fp16 = {}

    def torch_model(name):
        if name not in models_fp16:
            # PyTorch's own best default for BERT: transformers' sdpa attention.
            m = om.make_model(torch, name, 224, bert_attn=None if name == "bert_base" else "eager")
            m = m.half().cuda()
            if name != "bert_base" and not args.no_channels_last:
                m = m.to(memory_format=torch.channels_last)
            models_fp16[name] = m
        return models_fp16[name]

    measure_est = 3 * (args.measure_s + 1.5)
    # Phase 1: kiln, torch eager and torch CUDA graph for every configuration.
    for name, batch in configs:
        key = f"{name} b{batch}"
        r = results[key]
        need = (budget.estimate(f"export-{name}", 25.0) + budget.estimate(f"build-{name}", 20.0) + measure_est)
        if not budget.fits(need):
            r.update(status="SKIP", message=f"budget: {budget.left():.0f} s left, ~{need:.0f} s needed")
            log(f"[SKIP] {key}: {r['message']}")
            continue
        log(f"-- {key}")
        feeds = om.make_inputs(np, name, batch, 224, args.seq)
        r["status"] = "ok"
        r["errors"] = []
        context = engine = None
        ref = None
        try:
            # torch eager and graph first: their output is the check's reference.
            model = torch_model(name)
            xs = torch_inputs(torch, name, feeds, not args.no_channels_last)
            with torch.inference_mode():
                ref = model(*xs).float()
                torch.cuda.synchronize()
                r["torch_eager"] = measure(lambda: model(*xs))
                side = torch.cuda.Stream()
                side.wait_stream(torch.cuda.current_stream())
                with torch.cuda.stream(side):
                    for _ in range(3):
                        model(*xs)
                torch.cuda.current_stream().wait_stream(side)
                graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(graph):
                    graph_out = model(*xs)
                graph.replay()
                torch.cuda.synchronize()
                r["torch_graph_vs_eager"] = cosine_check(torch, graph_out.float(), ref)
                r["torch_graph"] = measure(graph.replay)
                del graph, graph_out
            log(f"   torch eager {r['torch_eager']['median_ms']:.3f} ms, graph {r['torch_graph']['median_ms']:.3f} ms")
        except Exception as exc:
            r["errors"].append(f"torch: {type(exc).__name__}: {om.short(exc, 400)} (at {where(exc)})")
            r["torch_traceback"] = traceback.format_exc(limit=8)
            r["status"] = "FAIL"
            log(f"   torch failed: {r['errors'][-1]}")
        torch.cuda.empty_cache()
        t0 = time.time()
        try:
            fname = (f"{name}_static_b{batch}_s{args.seq}_{args.bert_attn}" if name == "bert_base"
                     else f"{name}_static_b{batch}_224")
            cpu_model = om.make_model(torch, name, 224, args.bert_attn)
            path, emeta = om.cached_export(torch, cpu_model, name, feeds, args.workdir, fname, False, "cuda")
            del cpu_model
            r["export"] = emeta
            budget.record(f"export-{name}", time.time() - t0)
            log(f"   {'cached ' if emeta.get('cached') else ''}export ({emeta['exporter']}) {emeta['export_s']:.1f} s")
            inputs, outputs = om.io_names(name)
            shapes = {n: (feeds[n].shape,) * 3 for n in inputs}
            t1 = time.time()
            engine, info = om.kiln_build(trt, logger, path, "fp16", "gpu", shapes, args.opt_level)
            budget.record(f"build-{name}", time.time() - t1)
            r["kiln_build"] = info
            context = engine.create_execution_context()
            context.set_cuda_graph_mode(True)
            tdtype = {"FLOAT": torch.float32, "HALF": torch.float16, "BF16": torch.bfloat16,
                      "INT32": torch.int32, "INT64": torch.int64, "INT8": torch.int8, "BOOL": torch.bool}
            dev_in = {}
            for n in inputs:  # in the engine's input types (kiln keeps the ONNX types: float32, int64)
                dev_in[n] = torch.from_numpy(feeds[n]).cuda().to(tdtype[engine.get_tensor_dtype(n).name])
                if not context.set_input_shape(n, tuple(dev_in[n].shape)):
                    raise om.StepError("run", f"set_input_shape({n}): {trt.get_last_error()}")
                context.set_tensor_address(n, dev_in[n].data_ptr())
            dev_out = {}
            for n in outputs:
                shape = tuple(context.get_tensor_shape(n))
                dev_out[n] = torch.full(shape, float("nan"), dtype=tdtype[engine.get_tensor_dtype(n).name],
                                        device="cuda")
                context.set_tensor_address(n, dev_out[n].data_ptr())
            stream = torch.cuda.current_stream().cuda_stream

            def kiln_call():
                if not context.execute_async_v3(stream):
                    raise om.StepError("run", f"execute_async_v3: {trt.get_last_error()}")

            kiln_call()
            torch.cuda.synchronize()
            if ref is not None:
                r["check"] = cosine_check(torch, dev_out[outputs[0]].float(), ref)
            r["kiln"] = measure(kiln_call)
            # The graph replays must still give the eager result.
            dev_out[outputs[0]].fill_(float("nan"))
            kiln_call()
            torch.cuda.synchronize()
            if ref is not None:
                r["check_after_replays"] = cosine_check(torch, dev_out[outputs[0]].float(), ref)
            ck = r.get("check_after_replays") or r.get("check")
            if ck and not (ck["cosine"] >= CHECK_COSINE):
                r["status"] = "FAIL"
                r["errors"].append(f"check: kiln vs torch eager cosine {ck['cosine']:.4f} < {CHECK_COSINE}")
            log(f"   kiln build {info['build_s']:.1f} s, {r['kiln']['median_ms']:.3f} ms"
                + (f", vs torch eager cos {ck['cosine']:.5f} rel/max {ck['rel_to_max']:.2e}" if ck else ""))
        except om.StepError as exc:
            r["status"] = "FAIL"
            r["errors"].append(f"kiln {exc.stage}: {om.short(exc, 500)}")
            if exc.details:
                r["parser_errors"] = exc.details[:20]
                for e in exc.details[:5]:
                    log(f"   parser error: node #{e['node']} '{e['node_name']}' ({e['operator']}): {om.short(e['desc'], 300)}")
            log(f"   kiln failed: {r['errors'][-1]}")
        except Exception as exc:
            r["status"] = "FAIL"
            r["errors"].append(f"kiln: {type(exc).__name__}: {om.short(exc, 500)} (at {where(exc)})")
            r["traceback"] = traceback.format_exc(limit=6)
            log(f"   kiln failed: {r['errors'][-1]}")
        finally:
            del context, engine
            torch.cuda.synchronize()
            torch.cuda.empty_cache()
        write(args.out, md_path, results, notes, meta)

    # Phase 2: torch.compile, while the budget lasts.
    modes = [] if args.no_compile else ["default"] + (["max-autotune"] if args.max_autotune else [])
    for mode in modes:
        label = "torch_compile" if mode == "default" else "torch_compile_max_autotune"
        # The largest batch of each model first: where compiled kernels matter most.
        for name, batch in sorted(configs, key=lambda c: c[1] == 1):
            key = f"{name} b{batch}"
            r = results[key]
            if r["status"] == "SKIP" or "torch_eager" not in r:
                continue
            need = budget.estimate(f"compile-{mode}-{name}", 90.0 if mode == "default" else 300.0) + measure_est / 3
            if not budget.fits(need):
                r[label] = {"skipped": f"budget: {budget.left():.0f} s left, ~{need:.0f} s needed"}
                log(f"[SKIP] {key} {label}: {r[label]['skipped']}")
                continue
            feeds = om.make_inputs(np, name, batch, 224, args.seq)
            t0 = time.time()
            try:
                torch._dynamo.reset()
                model = torch_model(name)
                xs = torch_inputs(torch, name, feeds, not args.no_channels_last)
                compiled = (torch.compile(model, dynamic=False) if mode == "default"
                            else torch.compile(model, dynamic=False, mode=mode))
                with torch.inference_mode():
                    ref = model(*xs).float()
                    c0 = time.time()
                    out = compiled(*xs)
                    torch.cuda.synchronize()
                    compile_s = time.time() - c0
                    res = measure(lambda: compiled(*xs))
                    res["compile_s"] = compile_s
                    res["check_vs_eager"] = cosine_check(torch, out.float(), ref)
                r[label] = res
                log(f"-- {key} {label}: compile {compile_s:.1f} s, {res['median_ms']:.3f} ms")
            except Exception as exc:
                r[label] = {"error": f"{type(exc).__name__}: {om.short(exc, 400)} (at {where(exc)})",
                            "traceback": traceback.format_exc(limit=8)}
                log(f"-- {key} {label} failed: {r[label]['error']}")
            budget.record(f"compile-{mode}-{name}", time.time() - t0)
            torch._dynamo.reset()
            torch.cuda.empty_cache()
            write(args.out, md_path, results, notes, meta)
    if not modes:
        notes.append("torch.compile not run (--no-compile)")

    meta["elapsed_s"] = budget.elapsed()
    write(args.out, md_path, results, notes, meta)
    log("")
    for line in finish_lines():
        log(line)
    failed = [k for k, r in results.items() if r["status"] != "ok"]
    log(f"compare: {len(results) - len(failed)} of {len(results)} configuration(s) measured in {budget.elapsed():.0f} s"
        + (f"; not measured or failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------------
# Output

PEERS = [("torch_eager", "eager"), ("torch_graph", "graph"), ("torch_compile", "compile"),
         ("torch_compile_max_autotune", "max-autotune")]


def ms(v):
    return "-" if v is None else (f"{v:.3f}" if v < 10 else f"{v:.1f}" if v < 1000 else f"{v:.0f}")


def render(results, notes, meta):
    """The table as lines of Markdown (printed as is, too)."""
    peers = [(k, label) for k, label in PEERS if any(k in r for r in results.values())]
    header = ["model", "batch", "kiln ms (p90)", "kiln items/s", "kiln build s"]
    for k, label in peers:
        header.append(f"torch {label} ms (p90)")
    header += [f"kiln/{label}" for _, label in peers]
    header.append("check")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    errors = []
    for key, r in results.items():
        k = r.get("kiln") or {}
        row = [r["model"], str(r["batch"])]
        if k:
            row += [f"{ms(k['median_ms'])} ({ms(k['p90_ms'])})", f"{r['batch'] / k['median_ms'] * 1e3:.0f}",
                    f"{r['kiln_build']['build_s']:.1f}"]
        else:
            row += ["-", "-", "-"]
        ratios = []
        for pk, label in peers:
            t = r.get(pk) or {}
            if "median_ms" in t:
                extra = f", compile {t['compile_s']:.0f} s" if "compile_s" in t else ""
                row.append(f"{ms(t['median_ms'])} ({ms(t['p90_ms'])}{extra})")
                ratios.append(f"{k['median_ms'] / t['median_ms']:.2f}" if k else "-")
            else:
                row.append("skipped" if "skipped" in t else "error" if "error" in t else "-")
                ratios.append("-")
                if "error" in t:
                    errors.append(f"{key} {label}: {t['error']}")
                elif "skipped" in t:
                    errors.append(f"{key} {label} skipped: {t['skipped']}")
        row += ratios
        ck = r.get("check_after_replays") or r.get("check")
        if r["status"] == "SKIP":
            row.append("SKIPPED")
            errors.append(f"{key}: skipped: {r.get('message', '')}")
        elif ck:
            row.append(f"cos {ck['cosine']:.4f}" + (" FAILED" if not ck["cosine"] >= CHECK_COSINE else ""))
        else:
            row.append("-")
        for e in r.get("errors", []):
            errors.append(f"{key}: {e}")
        lines.append("| " + " | ".join(row) + " |")
    out = [f"# kiln vs PyTorch on real models, fp16, {meta.get('gpu', 'no GPU')}", "",
           f"{meta.get('when', '')}; bench/compare.py; torch {meta.get('torch', '?')}, kiln {meta.get('kiln', '?')}, "
           f"CUDA {meta.get('cuda', '?')}, transformers {meta.get('transformers', '?')}.", ""]
    out += lines
    out += ["", "- latency: median (p90) ms per inference, each run from an idle GPU, CUDA events; "
            "items/s = batch / median; kiln/peer = kiln median / peer median (< 1: kiln faster).",
            "- kiln: ONNX (static shapes) -> BuilderFlag.FP16 engine (fp32 I/O, cast inside), CUDA graph mode. "
            "torch: model.half()" + (", channels_last for the CNNs" if meta.get("channels_last") else "")
            + ", inference_mode, cudnn.benchmark; graph = torch.cuda.CUDAGraph replay; "
            "compile = torch.compile(dynamic=False), compile time = the first call.",
            "- check: cosine of kiln's output against torch eager fp16's."]
    out += [f"- {n}" for n in notes]
    out += [f"- {' '.join(str(e).split())[:300]}" for e in errors]
    return out


def write(out, md_path, results, notes, meta):
    if out:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out + ".tmp", "w") as f:
            json.dump({"meta": meta, "results": results, "notes": notes}, f, indent=1, default=str)
        os.replace(out + ".tmp", out)
    if md_path:
        os.makedirs(os.path.dirname(os.path.abspath(md_path)), exist_ok=True)
        with open(md_path, "w") as f:
            f.write("\n".join(render(results, notes, meta)) + "\n")


if __name__ == "__main__":
    sys.exit(main())
