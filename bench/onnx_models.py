#!/usr/bin/env python3
"""onnx_models: real exported models through kiln's ONNX parser, checked against onnxruntime and PyTorch.

Exports ResNet-50 (torchvision), ViT-B/16 (torchvision) and BERT-base (transformers BertModel,
input_ids + attention_mask, output last_hidden_state) with random weights from fixed seeds (no
pretrained weights: the GPU machine has no network) at opset 17, in two variants:

  static    every dimension fixed (batch --batch, BERT sequence --seq)
  dynamic   dynamic batch (and dynamic sequence for BERT) through dynamic_axes; run at a different
            shape (--dyn-batch, --dyn-seq) than the static variant, inside a profile around it

For each variant it parses the file with kiln.OnnxParser (every parser error is printed: node,
operator, message), builds engines in the precisions asked for, runs them, and compares their
outputs with onnxruntime (CPU provider, float32) on the same file, and with PyTorch on the model
that was exported (on the GPU: float32 with TF32 off, and the model in float16).

Precisions (--precisions):
  fp32   BuilderFlag.TF32 cleared: float32 arithmetic throughout
  tf32   kiln's default (TF32 allowed for matrix products and convolutions, as in TensorRT)
  fp16   BuilderFlag.FP16 (TF32 also allowed); inputs and outputs stay float32

Pass/fail (THRESHOLDS below; all against onnxruntime's float32 output):
  rel_to_max = max|kiln - ort| / max|ort|  and  cosine(kiln, ort)  (flattened, float64)
  fp32: rel_to_max <= 1e-3 and cosine >= 0.99999
  tf32: rel_to_max <= 1e-2 and cosine >= 0.9999
  fp16: rel_to_max <= 3e-2 and cosine >= 0.999
PyTorch's own float16 error against onnxruntime is printed next to kiln's fp16 error, so the fp16
bound can be judged against what another fp16 implementation achieves on the same model.

Runs on the GPU by default; --device=cpu builds for kiln's CPU backend (for a machine without a GPU;
use small inputs: --image-size 96 --seq 16, and fp32 only; below 96 px ResNet-50's last 3x3
convolutions see maps smaller than their kernel, which kiln refuses). Builds share one timing cache
(--cold for independent builds), so build times after the first are not cold ones; bench/compare.py
reports cold build times. Prints one line per result as it goes,
writes JSON (--out) after every result, and prints a table last. --budget-s skips what would not
fit in the time left (with a note). Exit status: 0 when every static-variant result passed, 1 when
one failed or was skipped, 2 for bad arguments or a missing package. Dynamic-variant failures are
reported but do not change the exit status (run-time shape arithmetic is work in progress).

  PYTHONPATH=build-gpu/python python3 bench/onnx_models.py --out /tmp/onnx_models.json
  PYTHONPATH=build/python python3 bench/onnx_models.py --device cpu --image-size 96 \\
      --seq 16 --precisions fp32 --out /tmp/onnx_models_cpu.json
"""
import argparse
import copy
import datetime
import json
import os
import sys
import time
import traceback

MODELS = ("resnet50", "vit_b_16", "bert_base")
PRECISIONS = ("fp32", "tf32", "fp16")
OPSET = 17
SEED = 0

# Pass/fail bounds against onnxruntime's float32 output (see the module docstring).
THRESHOLDS = {
    "fp32": {"rel_to_max": 1e-3, "cosine": 0.99999},
    "tf32": {"rel_to_max": 1e-2, "cosine": 0.9999},
    "fp16": {"rel_to_max": 3e-2, "cosine": 0.999},
}

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(msg, flush=True)


def short(text, n=300):
    return " ".join(str(text).split())[:n]


# ---------------------------------------------------------------------------------------------
# Imports

def import_kiln():
    """kiln from PYTHONPATH, else from the build trees of this checkout (build-gpu, build)."""
    try:
        import kiln
        if not hasattr(kiln, "Builder"):  # the extension alone, without the package's .py files
            raise ImportError(f"{kiln.__path__} is not a complete kiln package")
        return kiln
    except ImportError as first:
        sys.modules.pop("kiln", None)
        for d in ("build-gpu/python", "build/python"):
            path = os.path.join(REPO, d)
            if os.path.isfile(os.path.join(path, "kiln", "__init__.py")):
                sys.path.insert(0, path)
                try:
                    import kiln
                    log(f"(kiln imported from {path})")
                    return kiln
                except ImportError:
                    sys.path.pop(0)
        raise ImportError(f"cannot import kiln ({first}); set PYTHONPATH=build-gpu/python") from first


# ---------------------------------------------------------------------------------------------
# Models, inputs, export

def set_torch_fp32_exact(torch):
    """Float32 arithmetic in PyTorch (no TF32) for the reference; returns a description."""
    try:  # PyTorch >= 2.9
        torch.backends.cuda.matmul.fp32_precision = "ieee"
        torch.backends.cudnn.conv.fp32_precision = "ieee"
    except Exception:
        pass
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    except Exception:
        pass
    return torch_precision(torch)


def torch_precision(torch):
    def read(f):
        try:
            return f()
        except Exception as exc:
            return f"unavailable: {short(exc, 80)}"
    return {
        "matmul_allow_tf32": read(lambda: torch.backends.cuda.matmul.allow_tf32),
        "cudnn_allow_tf32": read(lambda: torch.backends.cudnn.allow_tf32),
        "matmul_fp32_precision": read(lambda: torch.backends.cuda.matmul.fp32_precision),
        "cudnn_conv_fp32_precision": read(lambda: torch.backends.cudnn.conv.fp32_precision),
    }


def make_model(torch, name, image_size=224, bert_attn="eager", seed=SEED):
    """The model in eval mode on the CPU, random weights from `seed` (deterministic)."""
    torch.manual_seed(seed)
    if name == "resnet50":
        import torchvision
        model = torchvision.models.resnet50(weights=None)
        # Fresh BatchNorm layers are the identity (mean 0, var 1, scale 1, shift 0): give them
        # statistics, as a trained model has, so that folding them is really exercised.
        gen = torch.Generator().manual_seed(seed + 1)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    c = m.num_features
                    m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                    m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                    m.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.5)
                    m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
    elif name == "vit_b_16":
        import torchvision
        model = torchvision.models.vit_b_16(weights=None, image_size=image_size)
        # torchvision zero-initialises the classification head (all logits would be 0).
        with torch.no_grad():
            model.heads.head.weight.normal_(0.0, 0.02)
            model.heads.head.bias.normal_(0.0, 0.02)
    elif name == "bert_base":
        from transformers import BertConfig, BertModel

        config = BertConfig()  # bert-base-uncased's sizes: 12 layers, hidden 768, 12 heads
        if bert_attn:
            config._attn_implementation = bert_attn
        inner = BertModel(config, add_pooling_layer=False)

        class LastHidden(torch.nn.Module):
            def __init__(self, bert):
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask):
                return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        model = LastHidden(inner)
    else:
        raise ValueError(f"unknown model {name}")
    return model.eval()


def io_names(name):
    if name == "bert_base":
        return ["input_ids", "attention_mask"], ["last_hidden_state"]
    return ["input"], ["logits"]


def make_inputs(np, name, batch, image_size=224, seq=128, seed=SEED):
    """{input name: numpy array}: images N(0, 1); token ids uniform; masks with trailing padding."""
    rng = np.random.default_rng(seed + 1000 * batch + seq)
    if name == "bert_base":
        ids = rng.integers(0, 30522, size=(batch, seq), dtype=np.int64)
        lengths = rng.integers(max(1, seq // 2), seq + 1, size=batch)
        lengths[0] = seq  # one full row
        mask = (np.arange(seq)[None, :] < lengths[:, None]).astype(np.int64)
        return {"input_ids": ids, "attention_mask": mask}
    return {"input": rng.standard_normal((batch, 3, image_size, image_size)).astype(np.float32)}


def export_onnx(torch, model, name, feeds, path, dynamic, device="cpu"):
    """Exports with torch.onnx.export at opset 17: the TorchScript exporter (dynamo=False) first,
    the dynamo exporter when that is unavailable. Returns {exporter, seconds, warnings}."""
    inputs, outputs = io_names(name)
    args = tuple(torch.from_numpy(feeds[n]).to(device) for n in inputs)
    axes = None
    if dynamic:
        axes = {n: {0: "batch"} for n in inputs + outputs}
        if name == "bert_base":
            axes = {n: {0: "batch", 1: "sequence"} for n in inputs + outputs}
    model = model.to(device)
    tmp = path + ".tmp"
    t0 = time.perf_counter()
    notes = []
    exporter = None
    # nn.MultiheadAttention's inference fast path (ViT) is one fused op that the TorchScript
    # exporter cannot write; the plain path computes the same function with exportable ops.
    fastpath = None
    try:
        fastpath = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)
    except Exception:
        pass
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.no_grad():
                torch.onnx.export(model, args, tmp, opset_version=OPSET, input_names=inputs,
                                  output_names=outputs, dynamic_axes=axes, do_constant_folding=True,
                                  dynamo=False)
        exporter = "torchscript"
    except Exception as exc:  # the TorchScript exporter is deprecated and may be gone
        notes.append(f"dynamo=False failed: {type(exc).__name__}: {short(exc, 200)}")
        log(f"  export {name}: TorchScript exporter failed ({short(exc, 200)}); trying dynamo=True")
        with torch.no_grad():
            program = torch.onnx.export(model, args, input_names=inputs, output_names=outputs,
                                        dynamic_axes=axes, opset_version=OPSET, dynamo=True,
                                        external_data=False)
            program.save(tmp)
        exporter = "dynamo"
    finally:
        if fastpath is not None:
            torch.backends.mha.set_fastpath_enabled(fastpath)
    os.replace(tmp, path)
    model.to("cpu")
    return {"exporter": exporter, "export_s": time.perf_counter() - t0, "export_notes": notes}


def cached_export(torch, model, name, feeds, workdir, key, dynamic, device):
    """Exports once per key; a JSON sidecar records the exporter and what the weights came from."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, key + ".onnx")
    meta_path = path + ".json"
    want = {"torch": torch.__version__, "seed": SEED, "opset": OPSET, "key": key}
    if os.path.exists(path) and os.path.exists(meta_path):
        try:
            with open(meta_path) as f:
                meta = json.load(f)
            if all(meta.get(k) == v for k, v in want.items()):
                meta["cached"] = True
                return path, meta
        except Exception:
            pass
    meta = dict(want, **export_onnx(torch, model, name, feeds, path, dynamic, device))
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    meta["cached"] = False
    return path, meta


def onnx_ops(path):
    """Op-type histogram of the exported graph (for the report), or None without the onnx package."""
    try:
        import onnx
        model = onnx.load(path, load_external_data=False)
        ops = {}
        for node in model.graph.node:
            ops[node.op_type] = ops.get(node.op_type, 0) + 1
        return ops
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------
# kiln

class StepError(Exception):
    """A step that failed with a message to show (parse errors, build failures)."""

    def __init__(self, stage, message, details=None):
        super().__init__(message)
        self.stage = stage
        self.details = details or []


def parser_errors(parser):
    out = []
    for i in range(parser.num_errors):
        e = parser.get_error(i)
        out.append({"code": str(e.code()).split(".")[-1], "node": e.node(), "node_name": e.node_name(),
                    "operator": e.node_operator(), "desc": e.desc()})
    return out


def kiln_build(trt, logger, path, precision, device, profile_shapes, opt_level=None, cache_holder=None):
    """Parses `path` and builds an engine; returns (engine, {parse_s, build_s, plan_bytes}).
    With `cache_holder` (a dict), builds share one timing cache kept in cache_holder["cache"]."""
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    t0 = time.perf_counter()
    trt.clear_last_error()
    if not parser.parse_from_file(path):
        errs = parser_errors(parser)
        first = errs[0] if errs else {"desc": trt.get_last_error() or "unknown"}
        raise StepError("parse", f"{len(errs)} parser error(s); first: {short(first.get('desc'), 400)}", errs)
    parse_s = time.perf_counter() - t0
    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU if device == "cpu" else trt.DeviceType.GPU
    if precision == "fp32":
        config.clear_flag(trt.BuilderFlag.TF32)
    elif precision == "fp16":
        config.set_flag(trt.BuilderFlag.FP16)
    if opt_level is not None:
        config.builder_optimization_level = opt_level
    if cache_holder is not None:
        if cache_holder.get("cache") is None:
            cache_holder["cache"] = config.create_timing_cache(b"")
        if cache_holder["cache"] is not None:
            config.set_timing_cache(cache_holder["cache"], False)
    profile = builder.create_optimization_profile()
    for name, (lo, opt, hi) in profile_shapes.items():
        profile.set_shape(name, lo, opt, hi)
    if config.add_optimization_profile(profile) < 0:
        raise StepError("build", f"optimization profile refused: {trt.get_last_error()}")
    t1 = time.perf_counter()
    plan = builder.build_serialized_network(network, config)
    build_s = time.perf_counter() - t1
    if plan is None:
        raise StepError("build", f"build failed: {short(trt.get_last_error(), 600)}")
    engine = trt.Runtime(logger).deserialize_cuda_engine(plan)
    if engine is None:
        raise StepError("build", f"deserialize failed: {short(trt.get_last_error(), 600)}")
    want = trt.DeviceType.CPU if device == "cpu" else trt.DeviceType.GPU
    if engine.device_type != want:
        raise StepError("build", f"engine runs on {engine.device_type}, not {want} (kiln built without CUDA?)")
    return engine, {"parse_s": parse_s, "build_s": build_s, "plan_bytes": memoryview(plan).nbytes,
                    "layers": engine.num_layers}


def kiln_run(trt, torch, engine, feeds, device, timed_runs=10):
    """Runs the engine on `feeds`; returns ({output: float64 numpy}, median ms of `timed_runs`)."""
    import numpy as np
    context = engine.create_execution_context()
    if device == "cpu":
        outs = context.infer(feeds)
        if outs is None:
            raise StepError("run", f"infer failed: {short(trt.get_last_error(), 600)}")
        t = []
        for _ in range(min(timed_runs, 3)):
            t0 = time.perf_counter()
            context.infer(feeds)
            t.append((time.perf_counter() - t0) * 1e3)
        return {k: np.asarray(v, np.float64) for k, v in outs.items()}, sorted(t)[len(t) // 2]
    dev = {k: torch.from_numpy(v).cuda() for k, v in feeds.items()}
    outs = context.infer(dev)
    torch.cuda.synchronize()
    if outs is None:
        raise StepError("run", f"infer failed: {short(trt.get_last_error(), 600)}")
    result = {k: v.double().cpu().numpy() for k, v in outs.items()}
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(timed_runs):
        torch.cuda.synchronize()
        start.record()
        context.infer(dev)
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    del context
    return result, times[len(times) // 2]


# ---------------------------------------------------------------------------------------------
# References and metrics

def ort_run(path, feeds):
    import numpy as np
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    outs = sess.run(None, feeds)
    return {n: np.asarray(v, np.float64) for n, v in zip(names, outs)}


def torch_run(torch, model, name, feeds, device, half=False):
    import numpy as np
    inputs, outputs = io_names(name)
    args = []
    for n in inputs:
        t = torch.from_numpy(feeds[n]).to(device)
        if half and t.is_floating_point():
            t = t.half()
        args.append(t)
    with torch.no_grad():
        out = model(*args)
    if device == "cuda":
        torch.cuda.synchronize()
    return {outputs[0]: out.double().cpu().numpy()}


def metrics(out, ref):
    """Errors of `out` against `ref` (numpy float64 arrays of the same shape)."""
    import numpy as np
    if out.shape != ref.shape:
        return {"error": f"shape {list(out.shape)} vs reference {list(ref.shape)}"}
    finite = bool(np.isfinite(out).all())
    d = np.abs(out - ref)
    ref_max = float(np.abs(ref).max()) if ref.size else 0.0
    max_abs = float(d.max()) if d.size else 0.0
    floor = max(ref_max * 1e-3, 1e-30)
    o, r = out.ravel(), ref.ravel()
    denom = float(np.linalg.norm(o) * np.linalg.norm(r))
    return {
        "finite": finite,
        "max_abs": max_abs if finite else float("inf"),
        "ref_max": ref_max,
        "rel_to_max": (max_abs / ref_max if ref_max > 0 else max_abs) if finite else float("inf"),
        "max_rel": float((d / np.maximum(np.abs(ref), floor)).max()) if finite and d.size else float("inf"),
        "norm_rel": float(np.linalg.norm(o - r) / max(np.linalg.norm(r), 1e-30)) if finite else float("inf"),
        "cosine": float(np.dot(o, r) / denom) if finite and denom > 0 else float("nan"),
    }


def compare_all(outs, refs):
    """metrics() of the one output every model here has (the first reference's name)."""
    name = next(iter(refs))
    if name not in outs:
        return {"error": f"output '{name}' missing (have {sorted(outs)})"}
    return metrics(outs[name], refs[name])


def passes(precision, m):
    t = THRESHOLDS[precision]
    return (m is not None and "error" not in m and m["finite"] and m["rel_to_max"] <= t["rel_to_max"]
            and m["cosine"] >= t["cosine"])


# ---------------------------------------------------------------------------------------------
# Budget

class Budget:
    """Wall-clock budget; estimates of each kind of step from what earlier ones took."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.t0 = time.time()
        self.seen = {}

    def elapsed(self):
        return time.time() - self.t0

    def left(self):
        return self.seconds - self.elapsed()

    def estimate(self, kind, default):
        return max(self.seen.get(kind, [default]))

    def record(self, kind, seconds):
        self.seen.setdefault(kind, []).append(seconds)

    def fits(self, seconds):
        return self.left() >= seconds


# ---------------------------------------------------------------------------------------------
# The run

def fmt(v, spec=".1e"):
    if v is None:
        return "-"
    if isinstance(v, float) and v != v:
        return "nan"
    return format(v, spec)


def cos_fmt(m):
    if not m or "cosine" not in m:
        return "-"
    c = m["cosine"]
    if c != c:
        return "nan"
    return f"{c:.6f}" if c > 0.999999 else f"{c:.5f}"


def print_table(results):
    header = ["model", "variant", "prec", "status", "build s", "run ms", "vs ORT rel/max", "cos",
              "vs torch rel/max", "torch fp16 vs ORT"]
    rows = []
    for r in results:
        mo, mt, tf = r.get("vs_ort"), r.get("vs_torch"), r.get("torch_fp16_vs_ort")
        rows.append([r["model"], r["variant"], r.get("precision", "-"), r["status"],
                     fmt(r.get("build_s"), ".1f"), fmt(r.get("run_ms"), ".2f"),
                     fmt(mo.get("rel_to_max")) if mo and "rel_to_max" in mo else "-", cos_fmt(mo),
                     fmt(mt.get("rel_to_max")) if mt and "rel_to_max" in mt else "-",
                     (f"{fmt(tf.get('rel_to_max'))} / {cos_fmt(tf)}" if tf and "rel_to_max" in tf else "-")])
    widths = [max(len(str(x[i])) for x in [header] + rows) for i in range(len(header))]
    line = lambda row: "  ".join(str(c).ljust(widths[i]) if i < 4 else str(c).rjust(widths[i])
                                 for i, c in enumerate(row))
    log(line(header))
    log("  ".join("-" * w for w in widths))
    for row in rows:
        log(line(row))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, of {','.join(MODELS)}")
    p.add_argument("--variants", default="static,dynamic", help="static,dynamic")
    p.add_argument("--precisions", default=None,
                   help="comma-separated of fp32,tf32,fp16 (default: all three on the GPU, fp32 on the CPU)")
    p.add_argument("--device", choices=("gpu", "cpu"), default="gpu")
    p.add_argument("--batch", type=int, default=1, help="batch of the static variant")
    p.add_argument("--seq", type=int, default=128, help="BERT sequence length of the static variant")
    p.add_argument("--image-size", type=int, default=224, help="ResNet/ViT image side (224; smaller for CPU checks)")
    p.add_argument("--dyn-batch", type=int, default=2, help="batch the dynamic variant runs at")
    p.add_argument("--dyn-seq", type=int, default=None, help="BERT sequence the dynamic variant runs at (seq/2)")
    p.add_argument("--bert-attn", default="eager",
                   help="transformers attention implementation for the BERT export (eager, sdpa)")
    p.add_argument("--workdir", default=os.environ.get("KILN_ONNX_MODELS", "/tmp/kiln-onnx-models"),
                   help="where the exported .onnx files are kept (reused when the torch version matches)")
    p.add_argument("--opt-level", type=int, default=None, help="kiln builder_optimization_level (default 3)")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparisons")
    p.add_argument("--cold", action="store_true",
                   help="no timing cache shared between builds (every build time cold; slower)")
    p.add_argument("--budget-s", type=float, default=170.0, help="skip the remaining steps past this many seconds")
    p.add_argument("--out", default=None, help="JSON results file (written after every result)")
    args = p.parse_args()

    models = [m for m in args.models.split(",") if m]
    variants = [v for v in args.variants.split(",") if v]
    precisions = [x for x in (args.precisions or ("fp32,tf32,fp16" if args.device == "gpu" else "fp32")).split(",") if x]
    bad = ([m for m in models if m not in MODELS] + [v for v in variants if v not in ("static", "dynamic")]
           + [x for x in precisions if x not in PRECISIONS])
    if bad:
        p.error(f"unknown: {bad}")
    dyn_seq = args.dyn_seq or max(1, args.seq // 2)
    budget = Budget(args.budget_s)

    try:
        import numpy as np
        import torch
        trt = import_kiln()
        import onnxruntime  # noqa: F401
    except Exception as exc:
        log(f"onnx_models: missing package: {exc}")
        return 2
    if args.device == "gpu" and not torch.cuda.is_available():
        log("onnx_models: --device gpu but torch.cuda.is_available() is False (use --device cpu)")
        return 2
    tdev = "cuda" if args.device == "gpu" else "cpu"
    torch_prec = set_torch_fp32_exact(torch)
    torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
    logger = trt.Logger(trt.Logger.ERROR)

    meta = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "device": args.device, "kiln": getattr(trt, 'kiln_version', trt.__version__), "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__, "opset": OPSET, "seed": SEED,
            "torch_reference_precision": torch_prec, "thresholds": THRESHOLDS, "args": vars(args)}
    try:
        import onnx
        meta["onnx"] = onnx.__version__
    except ImportError:
        pass
    try:
        import transformers
        meta["transformers"] = transformers.__version__
    except ImportError:
        pass
    if tdev == "cuda":
        meta["gpu"] = torch.cuda.get_device_name(0)
    log(f"== onnx_models: {args.device}, kiln {getattr(trt, 'kiln_version', trt.__version__)}, torch {meta['torch']}, "
        f"onnxruntime {meta['onnxruntime']}, budget {args.budget_s:.0f} s")
    log(f"   torch fp32 reference: TF32 off ({torch_prec}); kiln fp32 = TF32 flag cleared, tf32 = kiln default"
        + ("" if args.cold else "; builds share a timing cache (build times after the first are warm-ish)"))

    results = []

    def save():
        if args.out:
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            with open(args.out + ".tmp", "w") as f:
                json.dump({"meta": meta, "results": results}, f, indent=1, default=str)
            os.replace(args.out + ".tmp", args.out)

    def add(rec):
        results.append(rec)
        mo = rec.get("vs_ort") or {}
        mt = rec.get("vs_torch") or {}
        extra = ""
        if "rel_to_max" in mo:
            extra += f" vs ORT rel/max {mo['rel_to_max']:.2e} cos {cos_fmt(mo)}"
        if "rel_to_max" in mt:
            extra += f"; vs torch {mt['rel_to_max']:.2e}"
        if rec.get("build_s") is not None:
            extra += f"; build {rec['build_s']:.1f} s, run {rec.get('run_ms', float('nan')):.2f} ms"
        msg = f"; {short(rec['message'], 400)}" if rec.get("message") else ""
        log(f"[{rec['status']}] {rec['model']} {rec['variant']} {rec.get('precision', '')}{extra}{msg}")
        save()

    # Per (model, variant): the exported file, inputs and references, prepared on first use.
    prepared = {}
    torch_models = {}

    def get_model(name):
        if name not in torch_models:
            torch_models[name] = make_model(torch, name, args.image_size, args.bert_attn)
        return torch_models[name]

    def prepare(name, variant):
        key = (name, variant)
        if key in prepared:
            return prepared[key]
        t0 = time.time()
        batch = args.batch if variant == "static" else args.dyn_batch
        seq = args.seq if variant == "static" else dyn_seq
        # The export traces at the static shapes; the dynamic variant is exported at them too and
        # run at (dyn_batch, dyn_seq).
        export_feeds = make_inputs(np, name, args.batch, args.image_size, args.seq)
        feeds = make_inputs(np, name, batch, args.image_size, seq)
        if name == "bert_base":
            fname = f"{name}_{variant}_b{args.batch}_s{args.seq}_{args.bert_attn}"
        else:
            fname = f"{name}_{variant}_b{args.batch}_{args.image_size}"
        prep = {"feeds": feeds, "batch": batch, "seq": seq}
        try:
            model = get_model(name)
            path, emeta = cached_export(torch, model, name, export_feeds, args.workdir, fname,
                                        variant == "dynamic", tdev)
            prep.update(path=path, export=emeta, ops=onnx_ops(path))
            log(f"  {name} {variant}: {'cached ' if emeta.get('cached') else ''}export ({emeta['exporter']}) "
                f"{emeta['export_s']:.1f} s, {os.path.getsize(path) / 1e6:.0f} MB: {path}")
            prep["ort"] = ort_run(path, feeds)
            if not args.no_torch:
                model.to(tdev)
                prep["torch"] = torch_run(torch, model, name, feeds, tdev)
                prep["torch_vs_ort"] = compare_all(prep["torch"], prep["ort"])
                if tdev == "cuda":
                    half = copy.deepcopy(model).half()
                    fp16 = torch_run(torch, half, name, feeds, tdev, half=True)
                    prep["torch_fp16_vs_ort"] = compare_all(fp16, prep["ort"])
                    del half
                model.to("cpu")
                if tdev == "cuda":
                    torch.cuda.empty_cache()
        except Exception as exc:
            prep["error"] = f"{type(exc).__name__}: {short(exc, 500)}"
            prep["traceback"] = traceback.format_exc(limit=6)
        budget.record("prepare", time.time() - t0)
        prepared[key] = prep
        return prep

    def profile_for(name, variant, prep):
        inputs, _ = io_names(name)
        shapes = {}
        for n in inputs:
            shape = tuple(prep["feeds"][n].shape)
            if variant == "static":
                shapes[n] = (shape, shape, shape)
            else:
                hi = [max(shape[0], args.batch, 4)] + list(shape[1:])
                lo = [1] + list(shape[1:])
                if name == "bert_base":
                    lo[1], hi[1] = 1, max(args.seq, shape[1])
                shapes[n] = (tuple(lo), shape, tuple(hi))
        return shapes

    # Work in priority order: the static models first (fp32, fp16), then the dynamic variants, then
    # TF32 (static only: kiln's default precision, for the record).
    jobs = []
    first_precs = [x for x in precisions if x != "tf32"]
    if "static" in variants:
        jobs += [(m, "static", x) for m in models for x in first_precs]
    if "dynamic" in variants:
        jobs += [(m, "dynamic", x) for m in models for x in first_precs]
    if "tf32" in precisions and "static" in variants:
        jobs += [(m, "static", "tf32") for m in models]
    parse_failed = {}
    timing_cache = {}  # one timing cache for every build (unless --cold): later builds reuse timings

    for name, variant, prec in jobs:
        rec = {"model": name, "variant": variant, "precision": prec}
        key = (name, variant)
        if key in parse_failed:
            rec.update(status="SKIP", message=f"parse failed (see the {parse_failed[key]} line)")
            add(rec)
            continue
        need = (0 if key in prepared else budget.estimate("prepare", 20.0)) + budget.estimate(f"build-{name}", 15.0)
        if not budget.fits(need):
            rec.update(status="SKIP", message=f"budget: {budget.left():.0f} s left, ~{need:.0f} s needed")
            add(rec)
            continue
        prep = prepare(name, variant)
        rec.update(batch=prep["batch"], seq=prep["seq"] if name == "bert_base" else None,
                   export=prep.get("export"), onnx_path=prep.get("path"), onnx_ops=prep.get("ops"))
        if "error" in prep:
            rec.update(status="FAIL", stage="prepare", message=prep["error"], traceback=prep.get("traceback"))
            add(rec)
            continue
        rec["torch_vs_ort"] = prep.get("torch_vs_ort")
        if prec == "fp16":
            rec["torch_fp16_vs_ort"] = prep.get("torch_fp16_vs_ort")
        t0 = time.time()
        engine = None
        try:
            engine, info = kiln_build(trt, logger, prep["path"], prec, args.device,
                                      profile_for(name, variant, prep), args.opt_level,
                                      None if args.cold else timing_cache)
            rec.update(info)
            outs, run_ms = kiln_run(trt, torch, engine, prep["feeds"], args.device)
            rec["run_ms"] = run_ms
            rec["vs_ort"] = compare_all(outs, prep["ort"])
            if "torch" in prep:
                rec["vs_torch"] = compare_all(outs, prep["torch"])
            rec["status"] = "PASS" if passes(prec, rec["vs_ort"]) else "FAIL"
            if rec["status"] == "FAIL":
                rec["message"] = f"outside the {prec} bounds {THRESHOLDS[prec]}"
        except StepError as exc:
            rec.update(status="FAIL", stage=exc.stage, message=f"{exc.stage}: {exc}")
            if exc.details:
                rec["parser_errors"] = exc.details
                for e in exc.details[:10]:
                    log(f"  parser error: node #{e['node']} '{e['node_name']}' ({e['operator']}) "
                        f"[{e['code']}]: {short(e['desc'], 400)}")
            if exc.stage == "parse":
                parse_failed[key] = prec
        except Exception as exc:
            rec.update(status="FAIL", stage="run", message=f"{type(exc).__name__}: {short(exc, 500)}",
                       traceback=traceback.format_exc(limit=6))
        finally:
            del engine
            if tdev == "cuda":
                torch.cuda.empty_cache()
        budget.record(f"build-{name}", time.time() - t0)
        add(rec)

    log("")
    log(f"== onnx_models ({args.device}; {budget.elapsed():.0f} s; exporter: "
        + ", ".join(sorted({f"{k[0]} {k[1]}: {v['export']['exporter']}" for k, v in prepared.items() if v.get('export')}))
        + ")")
    tvo = [f"{k[0]} {k[1]} {fmt(v['torch_vs_ort'].get('rel_to_max'))}" for k, v in prepared.items()
           if v.get("torch_vs_ort") and "rel_to_max" in v["torch_vs_ort"]]
    if tvo:
        log("torch fp32 (TF32 off) vs ORT, rel/max (the export's own check): " + ", ".join(tvo))
    log("bounds vs ORT (rel/max = max|d|/max|ref|; cos): " +
        "; ".join(f"{k} <= {v['rel_to_max']:g}, >= {v['cosine']:g}" for k, v in THRESHOLDS.items()))
    print_table(results)
    static_bad = [r for r in results if r["variant"] == "static" and r["status"] != "PASS"]
    dyn_bad = [r for r in results if r["variant"] == "dynamic" and r["status"] != "PASS"]
    log(f"onnx_models: {sum(r['status'] == 'PASS' for r in results)} passed, "
        f"{sum(r['status'] == 'FAIL' for r in results)} failed, {sum(r['status'] == 'SKIP' for r in results)} skipped"
        + (f" ({len(dyn_bad)} of them dynamic-variant, not counted in the exit status)" if dyn_bad else ""))
    if args.out:
        log(f"results: {args.out}")
    return 1 if static_bad else 0


if __name__ == "__main__":
    sys.exit(main())
