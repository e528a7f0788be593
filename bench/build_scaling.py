#!/usr/bin/env python3
"""build_scaling: how parse, build and load time grow with the number of ONNX nodes.

The model is what a new user would write with onnx.helper: one input x [1, 16] and a chain of
groups MatMul(W_i [16, 16]) -> Add(b_i [16]) -> Relu -> Tanh, four nodes per group, every
weight an initializer. The matrices are small so that the time goes to kiln's own code (the
ONNX importer, the builder's passes, the plan writer and reader), not to arithmetic.

For each size (1k, 2k, 4k, ... nodes up to --max-nodes) it
  parse   kiln.OnnxParser(network, logger).parse(model bytes)   (the bytes are made beforehand)
  build   builder.build_serialized_network(network, config) with default_device_type = CPU
  load    kiln.Runtime(logger).deserialize_cuda_engine(plan)
and runs the engine once against numpy (the chain's output) so a fast but wrong build is seen.
Each size is measured --repeat times (fresh builder, network and parser each time) and the
fastest time of each step is kept, which tames a machine shared with other work.
Prints a table with the seconds of each step and its growth from the previous (half) size;
linear growth is 2.0x per doubling. Issue 13's target at 16k nodes: parse <= 1 s, build <= 2 s,
every doubling <= 2.3x.

--refit builds with BuilderFlag.REFIT (the plan records where each weights went).
--budget-s stops before a size whose predicted time (last total x the last growth, at least 2x)
would pass the budget. --md FILE writes the table as Markdown too.

  PYTHONPATH=build/python python3 bench/build_scaling.py --max-nodes 32000
"""
import argparse
import sys
import time

import numpy as np

try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:  # pragma: no cover
    sys.exit("build_scaling needs the onnx package (pip install onnx)")

import kiln

WIDTH = 16
NODES_PER_GROUP = 4  # MatMul, Add, Relu, Tanh


def make_chain(num_nodes, seed=0):
    """The chain model with num_nodes nodes (rounded down to whole groups) and its weights."""
    rng = np.random.default_rng(seed)
    groups = max(1, num_nodes // NODES_PER_GROUP)
    nodes, inits, weights = [], [], []
    cur = "x"
    for g in range(groups):
        w = (rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)).astype(np.float32)
        b = (0.1 * rng.standard_normal(WIDTH)).astype(np.float32)
        weights.append((w, b))
        inits.append(numpy_helper.from_array(w, f"w{g}"))
        inits.append(numpy_helper.from_array(b, f"b{g}"))
        out = "y" if g == groups - 1 else f"t{g}"
        nodes.append(helper.make_node("MatMul", [cur, f"w{g}"], [f"mm{g}"], name=f"MatMul_{g}"))
        nodes.append(helper.make_node("Add", [f"mm{g}", f"b{g}"], [f"add{g}"], name=f"Add_{g}"))
        nodes.append(helper.make_node("Relu", [f"add{g}"], [f"relu{g}"], name=f"Relu_{g}"))
        nodes.append(helper.make_node("Tanh", [f"relu{g}"], [out], name=f"Tanh_{g}"))
        cur = out
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, WIDTH])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, WIDTH])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model, weights


def reference(x, weights):
    y = x.astype(np.float64)
    for w, b in weights:
        y = np.tanh(np.maximum(y @ w + b, 0.0))
    return y


def measure(data, nodes, weights, logger, refit=False):

    builder = kiln.Builder(logger)
    network = builder.create_network(
        1 << int(kiln.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = kiln.OnnxParser(network, logger)
    t0 = time.perf_counter()
    ok = parser.parse(data)
    t_parse = time.perf_counter() - t0
    if not ok:
        errors = [str(parser.get_error(i).desc()) for i in range(parser.num_errors)]
        raise RuntimeError(f"parse failed at {nodes} nodes: {errors[:3]}")

    config = builder.create_builder_config()
    config.default_device_type = kiln.DeviceType.CPU
    if refit:
        config.set_flag(kiln.BuilderFlag.REFIT)
    t0 = time.perf_counter()
    plan = builder.build_serialized_network(network, config)
    t_build = time.perf_counter() - t0
    if plan is None:
        raise RuntimeError(f"build failed at {nodes} nodes (the logger says why)")

    t0 = time.perf_counter()
    engine = kiln.Runtime(logger).deserialize_cuda_engine(plan)
    t_load = time.perf_counter() - t0
    if engine is None:
        raise RuntimeError(f"load failed at {nodes} nodes")

    # One run against numpy: the optimizer must not have changed the result.
    x = np.random.default_rng(1).standard_normal((1, WIDTH)).astype(np.float32)
    y = np.empty((1, WIDTH), np.float32)
    context = engine.create_execution_context()
    context.set_tensor_address("x", x.ctypes.data)
    context.set_tensor_address("y", y.ctypes.data)
    if not context.execute_async_v3(0):
        raise RuntimeError(f"execution failed at {nodes} nodes")
    err = float(np.max(np.abs(y - reference(x, weights))))
    if not err < 1e-3:
        raise RuntimeError(f"wrong result at {nodes} nodes: max |kiln - numpy| = {err}")
    return t_parse, t_build, t_load


def growth(cur, prev):
    return f"{cur / prev:.2f}x" if prev and prev > 0 else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min-nodes", type=int, default=1000)
    ap.add_argument("--max-nodes", type=int, default=32000)
    ap.add_argument("--budget-s", type=float, default=600.0,
                    help="skip sizes predicted to push the total past this many seconds")
    ap.add_argument("--repeat", type=int, default=3,
                    help="measurements per size; the fastest of each step is kept")
    ap.add_argument("--refit", action="store_true", help="build with BuilderFlag.REFIT")
    ap.add_argument("--md", help="also write the table as Markdown to this file")
    args = ap.parse_args()

    logger = kiln.Logger(kiln.Logger.WARNING)
    sizes = []
    n = args.min_nodes
    while n <= args.max_nodes:
        sizes.append(n)
        n *= 2

    header = f"{'nodes':>7} {'parse s':>9} {'x':>6} {'build s':>9} {'x':>6} {'load s':>9} {'x':>6}"
    print(header, flush=True)
    rows, prev = [], None
    spent, last_total, last_growth = 0.0, 0.0, 2.0
    for n in sizes:
        predicted = last_total * max(2.0, last_growth)
        if rows and spent + predicted > args.budget_s:
            print(f"stopping before {n} nodes: predicted {predicted:.0f} s would pass the "
                  f"{args.budget_s:.0f} s budget ({spent:.0f} s spent)", flush=True)
            break
        t0 = time.perf_counter()
        model, weights = make_chain(n)
        data = model.SerializeToString()
        nodes = len(model.graph.node)
        del model
        times = [measure(data, nodes, weights, logger, args.refit) for _ in range(max(1, args.repeat))]
        tp, tb, tl = (min(t[k] for t in times) for k in range(3))
        spent += time.perf_counter() - t0
        row = (nodes, tp, tb, tl,
               growth(tp, prev and prev[1]), growth(tb, prev and prev[2]),
               growth(tl, prev and prev[3]))
        rows.append(row)
        print(f"{nodes:>7} {tp:>9.3f} {row[4]:>6} {tb:>9.3f} {row[5]:>6} {tl:>9.3f} {row[6]:>6}",
              flush=True)
        total = (tp + tb + tl) * max(1, args.repeat)
        if last_total > 0:
            last_growth = total / last_total
        last_total, prev = total, row

    if args.md:
        with open(args.md, "w") as f:
            f.write("| nodes | parse s | growth | build s | growth | load s | growth |\n")
            f.write("|---:|---:|---:|---:|---:|---:|---:|\n")
            for r in rows:
                f.write(f"| {r[0]} | {r[1]:.3f} | {r[4]} | {r[2]:.3f} | {r[5]} | {r[3]:.3f} "
                        f"| {r[6]} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
