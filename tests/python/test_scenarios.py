"""The foundation's scenarios as TensorRT-style scripts on the CPU backend, checked with numpy."""

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load, run


def conv2d_ref(x, w, b, stride=1, pad=0):
    n, c, h, wd = x.shape
    k, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, k, oh, ow), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("nchw,kchw->nk", patch, w)
    return out + b.reshape(1, k, 1, 1)


def maxpool2_ref(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def softmax_ref(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_mlp_with_numpy_weights(logger):
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((16, 32)).astype(np.float32)
    b1 = rng.standard_normal((1, 32)).astype(np.float32)
    w2 = rng.standard_normal((32, 10)).astype(np.float32)
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    x = network.add_input("x", trt.float32, (-1, 16))
    fc1 = network.add_matrix_multiply(x, trt.MatrixOperation.NONE,
                                      network.add_constant(w1.shape, trt.Weights(w1)).get_output(0),
                                      trt.MatrixOperation.NONE)
    bias = network.add_elementwise(fc1.get_output(0), network.add_constant(b1.shape, b1).get_output(0),
                                   trt.ElementWiseOperation.SUM)
    relu = network.add_activation(bias.get_output(0), trt.ActivationType.RELU)
    fc2 = network.add_matrix_multiply(relu.get_output(0), trt.MatrixOperation.NONE,
                                      network.add_constant(w2.shape, w2).get_output(0),
                                      trt.MatrixOperation.NONE)
    softmax = network.add_softmax(fc2.get_output(0))
    softmax.axes = 1 << 1
    softmax.get_output(0).name = "prob"
    network.mark_output(softmax.get_output(0))
    assert network.num_inputs == 1 and network.num_outputs == 1
    assert network.get_output(0).shape == (-1, 10)

    plan = build_cpu(builder, network, [{"x": ((1, 16), (4, 16), (8, 16))}])
    assert plan is not None, logger.errors()
    engine = load(logger, plan)
    xs = rng.standard_normal((5, 16)).astype(np.float32)
    out = run(engine, {"x": xs})["prob"]
    ref = softmax_ref(np.maximum(xs @ w1 + b1, 0) @ w2)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_cnn_conv_pool_fc_softmax(logger):
    rng = np.random.default_rng(1)
    k1 = (rng.standard_normal((4, 1, 3, 3)) * 0.5).astype(np.float32)
    b1 = rng.standard_normal(4).astype(np.float32)
    fc_w = (rng.standard_normal((10, 4 * 4 * 4)) * 0.1).astype(np.float32)
    fc_b = rng.standard_normal(10).astype(np.float32)

    builder = trt.Builder(logger)
    network = builder.create_network(0)
    image = network.add_input("image", trt.float32, (-1, 1, 8, 8))
    conv = network.add_convolution_nd(image, 4, (3, 3), trt.Weights(k1), trt.Weights(b1))
    conv.padding_nd = (1, 1)
    conv.stride_nd = (1, 1)
    assert conv.padding_nd == (1, 1) and conv.pre_padding == (1, 1) and conv.post_padding == (1, 1)
    assert conv.dilation_nd == (1, 1) and conv.num_groups == 1 and conv.kernel_size_nd == (3, 3)
    conv.name = "conv1"
    relu = network.add_activation(conv.get_output(0), trt.ActivationType.RELU)
    pool = network.add_pooling_nd(relu.get_output(0), trt.PoolingType.MAX, (2, 2))
    pool.stride_nd = (2, 2)
    assert pool.get_output(0).shape == (-1, 4, 4, 4)
    fc = network.add_fully_connected(pool.get_output(0), 10, fc_w, fc_b)
    assert fc.get_output(0).shape == (-1, 10, 1, 1)
    shuffle = network.add_shuffle(fc.get_output(0))
    shuffle.reshape_dims = (0, 10)
    assert shuffle.reshape_dims == (0, 10)
    prob = network.add_softmax(shuffle.get_output(0))
    prob.axes = 1 << 1
    prob.get_output(0).name = "prob"
    network.mark_output(prob.get_output(0))
    names = [network.get_layer(i).name for i in range(network.num_layers)]
    assert "conv1" in names and "conv1.kernel" in names
    conv = network.get_layer(names.index("conv1"))
    assert conv.type == trt.LayerType.CONVOLUTION and type(conv) is trt.ILayer  # as in TensorRT
    conv.__class__ = trt.IConvolutionLayer  # TensorRT's downcast idiom
    assert isinstance(conv, trt.IConvolutionLayer) and conv.num_output_maps == 4

    plan = build_cpu(builder, network, [{"image": ((1, 1, 8, 8), (2, 1, 8, 8), (4, 1, 8, 8))}])
    assert plan is not None, logger.errors()
    engine = load(logger, plan)
    images = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    out = engine.create_execution_context().infer({"image": images})["prob"]
    feat = maxpool2_ref(np.maximum(conv2d_ref(images, k1, b1, pad=1), 0)).reshape(3, -1)
    ref = softmax_ref(feat @ fc_w.T + fc_b)
    assert out.shape == (3, 10)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_dynamic_shapes_two_profiles(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, -1))
    y = network.add_unary(x, trt.UnaryOperation.ABS)
    s = network.add_reduce(y.get_output(0), trt.ReduceOperation.SUM, 1 << 1, keep_dims=False)
    s.get_output(0).name = "sum"
    network.mark_output(s.get_output(0))
    plan = build_cpu(builder, network, [{"x": ((1, 1), (2, 4), (4, 8))},
                                        {"x": ((8, 1), (16, 4), (32, 64))}])
    engine = load(logger, plan)
    assert engine.num_optimization_profiles == 2
    assert engine.get_tensor_shape("x") == (-1, -1)
    assert engine.get_tensor_profile_shape("x", 1) == [(8, 1), (16, 4), (32, 64)]
    context = engine.create_execution_context()
    assert context.active_optimization_profile == 0
    a = np.arange(-6, 6, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(run(engine, {"x": a}, context)["sum"], np.abs(a).sum(1))
    # 20 rows only fit profile 1.
    b = np.ones((20, 50), np.float32)
    assert not context.set_input_shape("x", b.shape)
    assert context.set_optimization_profile_async(1, 0)
    assert context.active_optimization_profile == 1
    np.testing.assert_allclose(run(engine, {"x": b}, context)["sum"], np.full(20, 50.0))


def test_execute_v2_and_addresses(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    a = network.add_input("a", trt.float32, (2, 3))
    b = network.add_input("b", trt.float32, (2, 3))
    out = network.add_elementwise(a, b, trt.ElementWiseOperation.PROD).get_output(0)
    out.name = "out"
    network.mark_output(out)
    engine = load(logger, build_cpu(builder, network))
    assert engine.num_io_tensors == 3
    assert [engine.get_tensor_mode(engine.get_tensor_name(i)) for i in range(3)] == [
        trt.TensorIOMode.INPUT, trt.TensorIOMode.INPUT, trt.TensorIOMode.OUTPUT]
    context = engine.create_execution_context()
    assert context.all_input_dimensions_specified
    xa = np.arange(6, dtype=np.float32).reshape(2, 3)
    xb = np.full((2, 3), 2.0, np.float32)
    res = np.zeros((2, 3), np.float32)
    assert context.execute_v2([xa.ctypes.data, xb.ctypes.data, res.ctypes.data])
    np.testing.assert_array_equal(res, xa * 2)
    assert context.set_tensor_address("out", res.ctypes.data)
    assert context.get_tensor_address("out") == res.ctypes.data


def test_data_movement_layers(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 3, 4))
    shuffle = network.add_shuffle(x)
    shuffle.first_transpose = (0, 2, 1)
    assert tuple(shuffle.first_transpose)[:3] == (0, 2, 1)
    sliced = network.add_slice(shuffle.get_output(0), (0, 1, 0), (2, 2, 3), (1, 2, 1))
    assert sliced.get_output(0).shape == (2, 2, 3)
    idx = network.add_constant((2,), np.array([2, 0], np.int32))
    gathered = network.add_gather(sliced.get_output(0), idx.get_output(0), 2)
    concat = network.add_concatenation([gathered.get_output(0), gathered.get_output(0)])
    concat.axis = 0
    topk = network.add_topk(concat.get_output(0), trt.TopKOperation.MAX, 1, 1 << 2)
    assert topk.num_outputs == 2
    cast = network.add_cast(topk.get_output(1), trt.int64)
    ident = network.add_identity(concat.get_output(0))
    for t, name in ((topk.get_output(0), "values"), (cast.get_output(0), "indices"),
                    (ident.get_output(0), "concat")):
        t.name = name
        network.mark_output(t)
    assert cast.get_output(0).dtype == trt.int64
    engine = load(logger, build_cpu(builder, network))
    xs = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * np.array([1, -1, 1, -1], np.float32)
    out = run(engine, {"x": xs})
    t = xs.transpose(0, 2, 1)[:, 1::2, :][:, :, [2, 0]]
    ref = np.concatenate([t, t], 0)
    np.testing.assert_array_equal(out["concat"], ref)
    np.testing.assert_array_equal(out["values"], ref.max(2, keepdims=True))
    np.testing.assert_array_equal(out["indices"], ref.argmax(2)[..., None])
    assert out["indices"].dtype == np.int64


def test_select_normalization_and_plan_round_trip(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 4))
    zero = network.add_constant((1, 1), np.zeros((1, 1), np.float32)).get_output(0)
    cond = network.add_elementwise(x, zero, trt.ElementWiseOperation.GREATER).get_output(0)
    assert cond.dtype == trt.bool
    sel = network.add_select(cond, x, zero)
    scale = network.add_constant((1, 4), np.full((1, 4), 2.0, np.float32)).get_output(0)
    bias = network.add_constant((1, 4), np.ones((1, 4), np.float32)).get_output(0)
    norm = network.add_normalization(sel.get_output(0), scale, bias, 1 << 1)
    norm.epsilon = 1e-5
    assert abs(norm.epsilon - 1e-5) < 1e-9
    norm.get_output(0).name = "y"
    network.mark_output(norm.get_output(0))
    plan = build_cpu(builder, network)
    engine = load(logger, plan)
    assert bytes(engine.serialize()) == bytes(plan)
    with open("/dev/null", "wb") as f:
        f.write(plan)  # the buffer protocol, as TensorRT scripts save plans
    xs = np.array([[-1, 2, 3, -4], [5, -6, 7, 8]], np.float32)
    r = np.maximum(xs, 0)
    ref = (r - r.mean(1, keepdims=True)) / np.sqrt(r.var(1, keepdims=True) + 1e-5) * 2 + 1
    np.testing.assert_allclose(run(engine, {"x": xs})["y"], ref, rtol=1e-4, atol=1e-4)
