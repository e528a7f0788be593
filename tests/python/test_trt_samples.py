"""TensorRT's sample flows written the way TensorRT's Python samples write them (ONNX model ->
engine -> buffers -> execute_async_v3; refit from ONNX; a strongly typed network), on kiln's CPU
backend. Differences from the samples: `import kiln as trt`, one `config.default_device_type`
line, and numpy host buffers where the samples use CUDA memory."""

import pathlib

import numpy as np
import pytest

import kiln as trt

MODEL = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "onnx" / "tiny_mlp.onnx"
TRT_LOGGER = trt.Logger(trt.Logger.WARNING)


def reference(x, w, b):
    """softmax(relu(x @ w + b), axis=1): what tiny_mlp.onnx computes (make_tiny_mlp.py)."""
    a = np.maximum(x @ w + b, 0)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


W = np.array([[0.1 * (i + 1) - 0.2 * j for j in range(3)] for i in range(4)], np.float32)
B = np.array([0.05 * j - 0.1 for j in range(3)], np.float32)


def build_engine_onnx(model_file, refit=False):
    """As in TensorRT's introductory_parser_samples/onnx_resnet50.py."""
    builder = trt.Builder(TRT_LOGGER)
    network = builder.create_network(0)
    config = builder.create_builder_config()
    parser = trt.OnnxParser(network, TRT_LOGGER)
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, 1 << 28)
    config.default_device_type = trt.DeviceType.CPU  # kiln: CPU backend, host buffers
    if refit:
        config.set_flag(trt.BuilderFlag.REFIT)
    with open(model_file, "rb") as model:
        if not parser.parse(model.read()):
            for error in range(parser.num_errors):
                print(parser.get_error(error))
            return None
    profile = builder.create_optimization_profile()
    profile.set_shape("x", (1, 4), (4, 4), (8, 4))
    config.add_optimization_profile(profile)
    engine_bytes = builder.build_serialized_network(network, config)
    runtime = trt.Runtime(TRT_LOGGER)
    return runtime.deserialize_cuda_engine(engine_bytes)


def allocate_buffers(engine, batch):
    """As common.allocate_buffers, with numpy host arrays in place of pagelocked + device memory."""
    inputs, outputs, bindings = [], [], []
    for i in range(engine.num_io_tensors):
        name = engine.get_tensor_name(i)
        shape = tuple(batch if d == -1 else d for d in engine.get_tensor_shape(name))
        host = np.empty(trt.volume(shape), dtype=trt.nptype(engine.get_tensor_dtype(name)))
        bindings.append(int(host.ctypes.data))
        if engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT:
            inputs.append((name, host, shape))
        else:
            outputs.append((name, host, shape))
    return inputs, outputs, bindings


def do_inference(context, engine, bindings, inputs, outputs):
    """As common.do_inference: shapes, addresses, execute_async_v3."""
    for name, _, shape in inputs:
        context.set_input_shape(name, shape)
    for i in range(engine.num_io_tensors):
        context.set_tensor_address(engine.get_tensor_name(i), bindings[i])
    assert context.execute_async_v3(stream_handle=0)
    return [host.reshape(shape) for _, host, shape in outputs]


def test_onnx_sample_flow():
    engine = build_engine_onnx(MODEL)
    assert engine is not None, trt.get_last_error()
    inputs, outputs, bindings = allocate_buffers(engine, batch=5)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.copyto(inputs[0][1], x.ravel())
    with engine.create_execution_context() as context:
        [prob] = do_inference(context, engine, bindings, inputs, outputs)
    np.testing.assert_allclose(prob, reference(x, W, B), rtol=1e-5, atol=1e-6)
    assert int(np.argmax(prob[0])) == int(np.argmax(reference(x, W, B)[0]))


def test_refit_from_onnx_sample_flow(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    engine = build_engine_onnx(MODEL, refit=True)
    assert engine is not None and engine.refittable
    # The retrained model: same graph, new weights.
    model = onnx.load(str(MODEL))
    w2, b2 = W[::-1].copy() * 2, B + 0.5
    for init in model.graph.initializer:
        init.CopyFrom(numpy_helper.from_array(w2 if init.name == "W" else b2, init.name))
    retrained = tmp_path / "retrained.onnx"
    onnx.save(model, str(retrained))

    refitter = trt.Refitter(engine, TRT_LOGGER)
    parser_refitter = trt.OnnxParserRefitter(refitter, TRT_LOGGER)
    assert parser_refitter.refit_from_file(str(retrained))
    assert refitter.refit_cuda_engine()
    context = engine.create_execution_context()
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    prob = context.infer({"x": x})["prob"]
    np.testing.assert_allclose(prob, reference(x, w2, b2), rtol=1e-5, atol=1e-6)


def test_strongly_typed_sample_flow():
    """As TensorRT's strongly-typed samples: the network's casts decide the types."""
    builder = trt.Builder(TRT_LOGGER)
    flag = 1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)
    network = builder.create_network(flag)
    assert network.get_flag(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)
    x = network.add_input("x", trt.float32, (2, 4))
    half = network.add_cast(x, trt.float16)
    w = network.add_constant((4, 3), W.astype(np.float16))
    mm = network.add_matrix_multiply(half.get_output(0), trt.MatrixOperation.NONE,
                                     w.get_output(0), trt.MatrixOperation.NONE)
    out = network.add_cast(mm.get_output(0), trt.float32)
    out.get_output(0).name = "y"
    network.mark_output(out.get_output(0))
    assert mm.get_output(0).dtype == trt.float16
    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU
    engine = trt.Runtime(TRT_LOGGER).deserialize_cuda_engine(
        builder.build_serialized_network(network, config))
    assert engine.get_tensor_dtype("y") == trt.float32
    xs = np.random.default_rng(2).standard_normal((2, 4)).astype(np.float32)
    y = engine.create_execution_context().infer({"x": xs})["y"]
    expected = xs.astype(np.float16).astype(np.float32) @ W.astype(np.float16).astype(np.float32)
    np.testing.assert_allclose(y, expected, rtol=2e-3, atol=2e-3)
