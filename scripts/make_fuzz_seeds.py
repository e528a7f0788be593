#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (tests/fuzz/corpus/<target>/, docs/reliability.md).

    python3 scripts/make_fuzz_seeds.py [path/to/kiln]     # default build/tools/kiln_cli/kiln

onnx: one small model per operator from the onnx package's node tests, plus a BiasGelu plugin
node and tests/fixtures/onnx; plan: CPU plans the `kiln` command line builds from some of those
models, a REFIT and a plugin plan from the Python package
(PYTHONPATH=build/python) and the kiln 0.1.0 fixture plan; ir_text: the textual IR the builder dumps while building
them (KILN_DUMP_IR); plugin_fields and timing_cache: encodings written here (the timing cache
without its trailing checksum, which the harness appends). Deterministic: a rerun writes the same
files. Needs numpy and onnx (requirements-dev.txt).
"""
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import onnx
from onnx import TensorProto, helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAX_ONNX_BYTES = 3000  # small seeds mutate faster; the operators' structure is what matters
MAX_PLANS = 40


def put(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    name = name or hashlib.sha1(data).hexdigest()[:16]
    path = os.path.join(CORPUS, target, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def node_test_models():
    """(op_type, path) of the smallest node test model of each operator."""
    node_dir = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    best = {}
    for test in sorted(os.listdir(node_dir)):
        path = os.path.join(node_dir, test, "model.onnx")
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_ONNX_BYTES:
            continue
        model = onnx.load(path)
        if not model.graph.node:
            continue
        op = model.graph.node[0].op_type
        if op not in best or os.path.getsize(path) < os.path.getsize(best[op]):
            best[op] = path
    return sorted(best.items())


def bias_gelu_model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [4], [0.5, -1.0, 0.25, 2.0])
    node = helper.make_node("BiasGelu", ["x", "bias"], ["y"], name="bias_gelu", approximate=1)
    graph = helper.make_graph([node], "bias_gelu", [x], [y], [bias])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def ir_blocks(stderr):
    """The distinct graphs of a KILN_DUMP_IR=all log."""
    blocks, current = [], None
    for line in stderr.splitlines():
        if line.startswith("--- kiln IR after"):
            current = []
            blocks.append(current)
        elif current is not None and line and not line.startswith("["):
            current.append(line)
            if line.startswith("outputs"):
                current = None
    return {"\n".join(b) + "\n" for b in blocks if b}


def plugin_field(name, type_code, element_size, values_bytes):
    n = len(values_bytes) // element_size
    return (struct.pack("<I", len(name)) + name.encode() + struct.pack("<iq", type_code, n) +
            values_bytes)


def plugin_fields_seeds():
    f16 = struct.pack("<3e", 1.0, -2.0, 0.5)
    fields = {
        "empty": [],
        "bias_gelu": [plugin_field("approximate", 5, 4, struct.pack("<i", 1))],
        "bias_gelu_i64": [plugin_field("approximate", 6, 8, struct.pack("<q", 0))],
        "every_type": [
            plugin_field("h", 0, 2, f16),
            plugin_field("f", 1, 4, struct.pack("<2f", 0.25, 3.5)),
            plugin_field("d", 2, 8, struct.pack("<d", 1e-5)),
            plugin_field("i8", 3, 1, struct.pack("<3b", -1, 0, 7)),
            plugin_field("i16", 4, 2, struct.pack("<h", -300)),
            plugin_field("i32", 5, 4, struct.pack("<2i", 4, -4)),
            plugin_field("i64", 6, 8, struct.pack("<q", 1 << 40)),
            plugin_field("name", 7, 1, b"relu"),
            plugin_field("u8", 8, 1, bytes([0, 255])),
        ],
        "zero_length": [plugin_field("none", 1, 4, b"")],
    }
    for name, fs in fields.items():
        put("plugin_fields", struct.pack("<I", len(fs)) + b"".join(fs), name)


def timing_cache_seeds():
    def s(text):
        return struct.pack("<I", len(text)) + text.encode()

    def cache(device, entries):
        body = b"KILNTCCH" + struct.pack("<I", 1) + s(device) + struct.pack("<I", len(entries))
        for key, ms, ws in entries:
            body += s(key) + struct.pack("<fq", ms, ws)
        return body

    device = "NVIDIA H100 80GB HBM3 sm_90 132 SMs, cuBLASLt 130000, cuDNN 91000, kiln 0.1.0"
    put("timing_cache", cache("", []), "empty")
    put("timing_cache", cache(device, [("convolution|float32|[1,3,8,8]|cuda.cudnn|0", 0.012, 0)]),
        "one_entry")
    put("timing_cache", cache(device, [
        ("matrix_multiply|float16|[64,768]x[768,768]|cuda.cublaslt|algo=3", 0.031, 1 << 20),
        ("matrix_multiply|float16|[64,768]x[768,768]|cuda.cublaslt|algo=7", 0.029, 1 << 21),
        ("pooling|float32|[8,16,32,32]|cuda.pool|", 0.004, 0),
    ]), "three_entries")


def python_plans():
    """A BuilderFlag.REFIT plan (its refit section) and a BiasGelu plugin plan (plugin fields in
    a node), through the Python package when it is importable."""
    try:
        import numpy as np
        import kiln as trt
    except ImportError:
        print("make_fuzz_seeds: no kiln Python package on PYTHONPATH; no REFIT plan seed")
        return {}
    logger = trt.Logger(trt.Logger.ERROR)
    builder = trt.Builder(logger)
    network = builder.create_network()
    x = network.add_input("x", trt.float32, (2, 4))
    w = network.add_constant((4, 3), np.arange(12, dtype=np.float32).reshape(4, 3))
    w.name = "w"
    mm = network.add_matrix_multiply(x, trt.MatrixOperation.NONE, w.get_output(0),
                                     trt.MatrixOperation.NONE)
    relu = network.add_activation(mm.get_output(0), trt.ActivationType.RELU)
    network.mark_output(relu.get_output(0))
    config = builder.create_builder_config()
    config.set_flag(trt.BuilderFlag.REFIT)
    config.default_device_type = trt.DeviceType.CPU
    plans = {"refit_mlp": bytes(builder.build_serialized_network(network, config))}

    assert trt.init_libnvinfer_plugins(logger, "")
    creator = trt.get_plugin_registry().get_creator("BiasGelu", "1")
    plugin = creator.create_plugin("gelu", [trt.PluginField.of("approximate", np.int32([1]))],
                                   trt.PluginPhase.BUILD)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 4))
    b = network.add_constant((4,), np.float32([0.5, -1, 0, 2])).get_output(0)
    layer = network.add_plugin_v3([x, b], [], plugin)
    network.mark_output(layer.get_output(0))
    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU
    plans["bias_gelu_plugin"] = bytes(builder.build_serialized_network(network, config))
    return plans


def main():
    cli = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/tools/kiln_cli/kiln")
    for target in ("onnx", "plan", "ir_text", "plugin_fields", "timing_cache"):
        shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)
        os.makedirs(os.path.join(CORPUS, target))

    models = node_test_models()
    onnx_paths = []
    for op, path in models:
        with open(path, "rb") as f:
            onnx_paths.append(put("onnx", f.read(), "node_" + op))
    onnx_paths.append(put("onnx", bias_gelu_model().SerializeToString(), "plugin_BiasGelu"))
    with open(os.path.join(ROOT, "tests/fixtures/onnx/tiny_mlp.onnx"), "rb") as f:
        onnx_paths.append(put("onnx", f.read(), "tiny_mlp"))

    with open(os.path.join(ROOT, "tests/fixtures/plans/kiln-0.1.0-cpu.plan"), "rb") as f:
        put("plan", f.read(), "kiln-0.1.0-cpu")
    irs = set()
    candidates = []  # (name, plan bytes)
    env = dict(os.environ, KILN_DUMP_IR="all")
    with tempfile.TemporaryDirectory() as tmp:
        for i, path in enumerate(onnx_paths):
            # Every fourth model also in float16 (reformat steps, half weights).
            for extra in ([], ["--fp16"]) if i % 4 == 0 else ([],):
                plan = os.path.join(tmp, "model.plan")
                if os.path.exists(plan):
                    os.remove(plan)
                run = subprocess.run([cli, f"--onnx={path}", "--device=cpu", "--iterations=1",
                                      "--duration=0", "--warmUp=0", f"--saveEngine={plan}"] + extra,
                                     capture_output=True, text=True, env=env, timeout=60)
                irs |= ir_blocks(run.stderr)
                if run.returncode == 0 and os.path.isfile(plan) and os.path.getsize(plan) <= 8192:
                    with open(plan, "rb") as f:
                        candidates.append((os.path.basename(path) + "".join(extra), f.read()))
    # Evenly spread over the operators.
    step = max(1, len(candidates) // MAX_PLANS)
    chosen = candidates[::step][:MAX_PLANS]
    for name, data in chosen:
        put("plan", data, "plan_" + name)
    for name, data in python_plans().items():
        put("plan", data, "plan_" + name)
    for text in sorted(irs):
        if len(text) <= 4096:
            put("ir_text", text)
    plugin_fields_seeds()
    timing_cache_seeds()
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)
        print(f"{target}: {len(files)} seeds, {size} bytes")


if __name__ == "__main__":
    main()
