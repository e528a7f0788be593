"""Failures TensorRT-style: None/False plus a logged reason, get_last_error(), strict mode."""

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load


def relu_network(builder, shape=(-1, 3)):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, shape)
    y = network.add_activation(x, trt.ActivationType.RELU).get_output(0)
    y.name = "y"
    network.mark_output(y)
    return network


def relu_engine(logger):
    builder = trt.Builder(logger)
    plan = build_cpu(builder, relu_network(builder), [{"x": ((1, 3), (2, 3), (4, 3))}])
    return load(logger, plan), plan


def test_shape_outside_profile_returns_false_and_logs(logger):
    engine, _ = relu_engine(logger)
    context = engine.create_execution_context()
    assert context.set_input_shape("x", (2, 3)) is True
    assert context.set_input_shape("x", (5, 3)) is False
    assert "outside optimization profile 0" in logger.errors()[-1]
    assert "range 1..4" in trt.get_last_error()
    # The context still works with a valid shape afterwards.
    assert context.set_input_shape("x", (1, 3))


def test_unknown_names(logger):
    engine, _ = relu_engine(logger)
    context = engine.create_execution_context()
    assert context.set_tensor_address("nope", 1234) is False
    assert "nope" in logger.errors()[-1]
    assert context.set_input_shape("y", (1, 3)) is False  # an output
    assert engine.get_tensor_mode("nope") == trt.TensorIOMode.NONE
    assert engine.get_tensor_name(7) is None


def test_execute_without_addresses_returns_false(logger):
    engine, _ = relu_engine(logger)
    context = engine.create_execution_context()
    assert context.set_input_shape("x", (2, 3))
    assert context.execute_async_v3(0) is False
    assert trt.get_last_error() and logger.errors()
    assert context.execute_v2([0]) is False
    assert "one address per I/O tensor" in trt.get_last_error()


def test_truncated_and_corrupt_plans_give_none(logger):
    _, plan = relu_engine(logger)
    data = bytes(plan)
    runtime = trt.Runtime(logger)
    assert runtime.deserialize_cuda_engine(data[: len(data) // 2]) is None
    assert "truncated" in logger.errors()[-1]
    corrupt = bytearray(data)
    corrupt[len(corrupt) // 2] ^= 0xFF
    assert runtime.deserialize_cuda_engine(corrupt) is None
    assert runtime.deserialize_cuda_engine(b"not a plan at all, clearly") is None
    assert len(logger.errors()) == 3
    with pytest.raises(TypeError):
        runtime.deserialize_cuda_engine("a string is not bytes")
    # The good plan still loads, from bytes, bytearray, memoryview and numpy.
    for form in (data, bytearray(data), memoryview(data), np.frombuffer(data, np.uint8), plan):
        assert runtime.deserialize_cuda_engine(form) is not None


def test_failed_build_returns_none_with_reason(logger):
    builder = trt.Builder(logger)
    network = relu_network(builder)  # dynamic input, but no profile
    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU
    assert builder.build_serialized_network(network, config) is None
    assert any("'x'" in m for m in logger.errors()), logger.errors()
    assert logger.errors()[-1] == "build_serialized_network: " + trt.get_last_error()


def test_bad_layer_returns_none_and_network_unchanged(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (1, 4, 8, 8))
    kernel = np.ones((2, 3, 3, 3), np.float32)  # expects 3 input channels, the input has 4
    layers = network.num_layers
    assert network.add_convolution_nd(x, 2, (3, 3), kernel) is None
    assert network.num_layers == layers
    assert "expected" in logger.errors()[-1]
    assert network.add_input("x", trt.float32, (1,)) is None  # duplicate name
    conv = network.add_convolution_nd(x, 2, (3, 3), np.ones((2, 4, 3, 3), np.float32))
    conv.stride_nd = (0, 0)  # invalid: logged, ignored
    assert conv.stride_nd == (1, 1)
    assert "stride" in logger.errors()[-1]


def test_strict_mode_raises(logger):
    engine, plan = relu_engine(logger)
    context = engine.create_execution_context()
    trt.set_strict(True)
    assert trt.get_strict()
    with pytest.raises(trt.Error, match="outside optimization profile"):
        context.set_input_shape("x", (9, 3))
    with pytest.raises(trt.Error, match="truncated"):
        trt.Runtime(logger).deserialize_cuda_engine(bytes(plan)[:64])
    with pytest.raises(trt.Error):
        context.infer({"x": np.ones((9, 3), np.float32)})
    with pytest.raises(trt.Error, match="unknown input"):
        context.infer({"z": np.ones((1, 3), np.float32)})
    assert isinstance(trt.Error("x"), RuntimeError)
    trt.set_strict(False)
    assert context.infer({"x": np.ones((9, 3), np.float32)}) is None


def test_last_error_cleared_and_thread_local(logger):
    import threading

    engine, _ = relu_engine(logger)
    context = engine.create_execution_context()
    assert trt.get_last_error() is None
    assert not context.set_input_shape("x", (0, 3))
    assert trt.get_last_error() is not None
    seen = []
    t = threading.Thread(target=lambda: seen.append(trt.get_last_error()))
    t.start()
    t.join()
    assert seen == [None]
    trt.clear_last_error()
    assert trt.get_last_error() is None


def test_infer_cpu_converts_and_checks(logger):
    engine, _ = relu_engine(logger)
    context = engine.create_execution_context()
    out = context.infer({"x": [[-1.0, 2.0, -3.0]]})  # lists and float64 are converted
    np.testing.assert_array_equal(out["y"], [[0, 2, 0]])
    assert out["y"].dtype == np.float32
    assert context.infer({}) is None
    assert "missing input" in trt.get_last_error()


def test_strict_from_environment():
    import os
    import subprocess
    import sys

    code = "import kiln; print(kiln.get_strict())"
    for value, expected in (("1", "True"), ("0", "False")):
        env = dict(os.environ, KILN_STRICT=value)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             check=True).stdout.strip()
        assert out == expected
