#!/usr/bin/env python3
"""Writes small "real" models for the ONNX conformance runner, in the node-test layout
(<out>/<name>/model.onnx + test_data_set_0/input_N.pb, output_N.pb), with reference outputs
computed by onnxruntime:

  residual_cnn_block   Conv-BatchNormalization-Relu x2 with a skip connection, GlobalAveragePool,
                       Flatten, Gemm (opset 13)
  transformer_encoder  one encoder layer: LayerNormalization, multi-head attention (MatMul,
                       Reshape, Transpose, Softmax), Erf-GELU MLP, residuals (opset 17)
  mlp                  Gemm-Relu-Gemm-Sigmoid with a dynamic batch dimension (opset 11)
  vit_encoder_dynamic  the encoder layer behind a ViT-style class token and position table with
                       symbolic batch and sequence dims: shapes are computed the way
                       torch.onnx.export writes them (Shape, Gather, Unsqueeze, Concat, Expand,
                       Slice with run-time ends, Reshape), checked at two shapes (opset 17):
                       vit_encoder_dynamic (2 x 6) and vit_encoder_dynamic_b3s9 (3 x 9)

Usage: make_models.py <out-dir>. Needs onnx, onnxruntime and numpy (requirements-dev.txt); exits
with status 3 and a printed reason when they are missing.
"""
import os
import sys

try:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
except ImportError as e:  # the suite is skipped, with the reason
    print(f"make_models.py: skipped ({e}); pip install -r requirements-dev.txt")
    sys.exit(3)

rng = np.random.default_rng(0)


def weight(name, *shape, scale=0.2):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def const_i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def write(out, name, model, inputs):
    onnx.checker.check_model(model)
    d = os.path.join(out, name)
    data = os.path.join(d, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {i.name: v for i, v in zip(model.graph.input, inputs)}
    outputs = sess.run(None, feeds)
    for i, v in enumerate(inputs):
        t = numpy_helper.from_array(v, model.graph.input[i].name)
        open(os.path.join(data, f"input_{i}.pb"), "wb").write(t.SerializeToString())
    for i, v in enumerate(outputs):
        t = numpy_helper.from_array(v, model.graph.output[i].name)
        open(os.path.join(data, f"output_{i}.pb"), "wb").write(t.SerializeToString())


def residual_cnn_block():
    c = 8
    nodes, inits = [], []
    x = "input"
    for i in (1, 2):
        inits += [weight(f"conv{i}.weight", c, c, 3, 3), weight(f"conv{i}.bias", c)]
        inits += [
            numpy_helper.from_array((1 + 0.1 * rng.standard_normal(c)).astype(np.float32), f"bn{i}.scale"),
            weight(f"bn{i}.bias", c),
            weight(f"bn{i}.mean", c),
            numpy_helper.from_array((0.5 + rng.random(c)).astype(np.float32), f"bn{i}.var"),
        ]
        nodes.append(helper.make_node("Conv", [x, f"conv{i}.weight", f"conv{i}.bias"], [f"c{i}"],
                                      name=f"/conv{i}/Conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
        nodes.append(helper.make_node("BatchNormalization",
                                      [f"c{i}", f"bn{i}.scale", f"bn{i}.bias", f"bn{i}.mean", f"bn{i}.var"],
                                      [f"b{i}"], name=f"/bn{i}/BatchNormalization", epsilon=1e-5))
        if i == 1:
            nodes.append(helper.make_node("Relu", ["b1"], ["r1"], name="/relu1/Relu"))
            x = "r1"
    nodes.append(helper.make_node("Add", ["b2", "input"], ["sum"], name="/Add"))
    nodes.append(helper.make_node("Relu", ["sum"], ["r2"], name="/relu2/Relu"))
    nodes.append(helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="/pool/GlobalAveragePool"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="/Flatten", axis=1))
    inits += [weight("fc.weight", 10, c), weight("fc.bias", 10)]
    nodes.append(helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm", transB=1))
    graph = helper.make_graph(nodes, "residual_cnn_block",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, c, 8, 8])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [2, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return model, [rng.standard_normal((2, c, 8, 8)).astype(np.float32)]


def transformer_encoder(dynamic=False):
    b, s, d, h = 2, 6, 16, 4
    hd = d // h
    nodes, inits = [], []
    x = "x"
    mk = helper.make_node
    if dynamic:
        # x [B, S, d] -> [cls; x] + pos[:, :S + 1] with B and S read from the shape at run time.
        inits += [weight("cls_token", 1, 1, d), weight("pos_table", 1, 17, d),
                  const_i64("i0", 0), const_i64("i1", 1), const_i64("axes0", [0]),
                  const_i64("one_d", [1, d]), const_i64("zero1", [0]), const_i64("one1", [1]),
                  const_i64("heads", [h, hd]), const_i64("width", [d])]
        nodes += [mk("Shape", ["x"], ["x_shape"], name="/Shape"),
                  mk("Gather", ["x_shape", "i0"], ["batch"], name="/Gather", axis=0),
                  mk("Gather", ["x_shape", "i1"], ["seq"], name="/Gather_1", axis=0),
                  mk("Unsqueeze", ["batch", "axes0"], ["batch1"], name="/Unsqueeze"),
                  mk("Unsqueeze", ["seq", "axes0"], ["seq1"], name="/Unsqueeze_1"),
                  mk("Concat", ["batch1", "one_d"], ["cls_shape"], name="/Concat", axis=0),
                  mk("Expand", ["cls_token", "cls_shape"], ["cls"], name="/Expand"),
                  mk("Concat", ["cls", "x"], ["tokens"], name="/Concat_1", axis=1),
                  mk("Add", ["seq1", "one1"], ["seq_end"], name="/Add_pos_end"),
                  mk("Slice", ["pos_table", "zero1", "seq_end", "one1"], ["pos"], name="/Slice"),
                  mk("Add", ["tokens", "pos"], ["x_in"], name="/Add_pos"),
                  mk("Shape", ["x_in"], ["in_shape"], name="/Shape_1"),
                  mk("Gather", ["in_shape", "i1"], ["tokens_n"], name="/Gather_2", axis=0),
                  mk("Unsqueeze", ["tokens_n", "axes0"], ["tokens1"], name="/Unsqueeze_2"),
                  mk("Concat", ["batch1", "tokens1", "heads"], ["heads_shape"], name="/Concat_2", axis=0),
                  mk("Concat", ["batch1", "tokens1", "width"], ["merge_shape"], name="/Concat_3", axis=0)]
        x = "x_in"
    else:
        inits += [const_i64("heads_shape", [b, s, h, hd]), const_i64("merge_shape", [b, s, d])]
    inits += [weight("ln1.scale", d, scale=1.0), weight("ln1.bias", d), weight("ln2.scale", d, scale=1.0),
              weight("ln2.bias", d)]
    for n in ("q", "k", "v", "o"):
        inits += [weight(f"attn.{n}.weight", d, d), weight(f"attn.{n}.bias", d)]
    inits += [weight("mlp.fc1.weight", d, 4 * d), weight("mlp.fc1.bias", 4 * d),
              weight("mlp.fc2.weight", 4 * d, d), weight("mlp.fc2.bias", d)]
    inits += [numpy_helper.from_array(np.array(1 / np.sqrt(hd), np.float32), "attn.scale"),
              numpy_helper.from_array(np.array(np.sqrt(2.0), np.float32), "sqrt2"),
              numpy_helper.from_array(np.array(1.0, np.float32), "one"),
              numpy_helper.from_array(np.array(0.5, np.float32), "half")]
    nodes.append(mk("LayerNormalization", [x, "ln1.scale", "ln1.bias"], ["ln1"], name="/ln1", axis=-1, epsilon=1e-5))
    for n in ("q", "k", "v"):
        nodes.append(mk("MatMul", ["ln1", f"attn.{n}.weight"], [f"{n}_mm"], name=f"/attn/{n}/MatMul"))
        nodes.append(mk("Add", [f"{n}_mm", f"attn.{n}.bias"], [f"{n}_lin"], name=f"/attn/{n}/Add"))
        nodes.append(mk("Reshape", [f"{n}_lin", "heads_shape"], [f"{n}_4d"], name=f"/attn/{n}/Reshape"))
        perm = [0, 2, 3, 1] if n == "k" else [0, 2, 1, 3]
        nodes.append(mk("Transpose", [f"{n}_4d"], [f"{n}_h"], name=f"/attn/{n}/Transpose", perm=perm))
    nodes.append(mk("MatMul", ["q_h", "k_h"], ["scores"], name="/attn/MatMul"))
    nodes.append(mk("Mul", ["scores", "attn.scale"], ["scaled"], name="/attn/Mul"))
    nodes.append(mk("Softmax", ["scaled"], ["probs"], name="/attn/Softmax", axis=-1))
    nodes.append(mk("MatMul", ["probs", "v_h"], ["ctx"], name="/attn/MatMul_1"))
    nodes.append(mk("Transpose", ["ctx"], ["ctx_t"], name="/attn/Transpose", perm=[0, 2, 1, 3]))
    nodes.append(mk("Reshape", ["ctx_t", "merge_shape"], ["ctx_m"], name="/attn/Reshape"))
    nodes.append(mk("MatMul", ["ctx_m", "attn.o.weight"], ["o_mm"], name="/attn/o/MatMul"))
    nodes.append(mk("Add", ["o_mm", "attn.o.bias"], ["attn_out"], name="/attn/o/Add"))
    nodes.append(mk("Add", [x, "attn_out"], ["res1"], name="/Add"))
    nodes.append(mk("LayerNormalization", ["res1", "ln2.scale", "ln2.bias"], ["ln2"], name="/ln2", axis=-1, epsilon=1e-5))
    nodes.append(mk("MatMul", ["ln2", "mlp.fc1.weight"], ["fc1_mm"], name="/mlp/fc1/MatMul"))
    nodes.append(mk("Add", ["fc1_mm", "mlp.fc1.bias"], ["fc1"], name="/mlp/fc1/Add"))
    # GELU as exported by torch: x * 0.5 * (1 + erf(x / sqrt(2)))
    nodes.append(mk("Div", ["fc1", "sqrt2"], ["g_div"], name="/mlp/act/Div"))
    nodes.append(mk("Erf", ["g_div"], ["g_erf"], name="/mlp/act/Erf"))
    nodes.append(mk("Add", ["g_erf", "one"], ["g_add"], name="/mlp/act/Add"))
    nodes.append(mk("Mul", ["fc1", "g_add"], ["g_mul"], name="/mlp/act/Mul"))
    nodes.append(mk("Mul", ["g_mul", "half"], ["gelu"], name="/mlp/act/Mul_1"))
    nodes.append(mk("MatMul", ["gelu", "mlp.fc2.weight"], ["fc2_mm"], name="/mlp/fc2/MatMul"))
    nodes.append(mk("Add", ["fc2_mm", "mlp.fc2.bias"], ["fc2"], name="/mlp/fc2/Add"))
    nodes.append(mk("Add", ["res1", "fc2"], ["y"], name="/Add_1"))
    if dynamic:
        graph = helper.make_graph(
            nodes, "vit_encoder_dynamic",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", d])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", d])], inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        return model, [[rng.standard_normal((2, 6, d)).astype(np.float32)],
                       [rng.standard_normal((3, 9, d)).astype(np.float32)]]
    graph = helper.make_graph(nodes, "transformer_encoder",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [b, s, d])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [b, s, d])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model, [rng.standard_normal((b, s, d)).astype(np.float32)]


def mlp():
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"], name="/fc1/Gemm", transB=1),
        helper.make_node("Relu", ["h"], ["hr"], name="/act/Relu"),
        helper.make_node("Gemm", ["hr", "fc2.weight", "fc2.bias"], ["o"], name="/fc2/Gemm", transB=1),
        helper.make_node("Sigmoid", ["o"], ["y"], name="/out/Sigmoid"),
    ]
    inits = [weight("fc1.weight", 32, 12), weight("fc1.bias", 32), weight("fc2.weight", 4, 32), weight("fc2.bias", 4)]
    graph = helper.make_graph(nodes, "mlp",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 12])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    return model, [rng.standard_normal((5, 12)).astype(np.float32)]


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    out = sys.argv[1]
    for name, make in (("residual_cnn_block", residual_cnn_block),
                       ("transformer_encoder", transformer_encoder), ("mlp", mlp)):
        model, inputs = make()
        model.ir_version = 8
        write(out, name, model, inputs)
    # One dynamic model, checked at two shapes (the runner builds for the first data set's shape).
    model, (first, second) = transformer_encoder(dynamic=True)
    model.ir_version = 8
    write(out, "vit_encoder_dynamic", model, first)
    write(out, "vit_encoder_dynamic_b3s9", model, second)
    print(f"make_models.py: 5 models in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
