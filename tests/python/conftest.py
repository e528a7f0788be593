"""Shared fixtures for kiln's Python tests: a logger that records messages, CPU build helpers."""

import numpy as np
import pytest

import kiln as trt


class RecordingLogger(trt.ILogger):
    """Keeps every message it receives (TensorRT-style ILogger subclass)."""

    def __init__(self):
        trt.ILogger.__init__(self)
        self.messages = []

    def log(self, severity, msg):
        self.messages.append((severity, msg))

    def errors(self):
        return [m for s, m in self.messages if s <= trt.Logger.ERROR]


@pytest.fixture
def logger():
    return RecordingLogger()


@pytest.fixture(autouse=True)
def _not_strict():
    """Every test starts in TensorRT mode (no exceptions) with no last error."""
    trt.set_strict(False)
    trt.clear_last_error()
    yield
    trt.set_strict(False)


def build_cpu(builder, network, profiles=(), config=None):
    """Builds `network` for the CPU backend with the given {input: (min, opt, max)} profiles."""
    config = config or builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU
    for shapes in profiles:
        profile = builder.create_optimization_profile()
        for name, (lo, opt, hi) in shapes.items():
            profile.set_shape(name, lo, opt, hi)
        assert config.add_optimization_profile(profile) >= 0
    return builder.build_serialized_network(network, config)


def load(logger, plan):
    engine = trt.Runtime(logger).deserialize_cuda_engine(plan)
    assert engine is not None, trt.get_last_error()
    return engine


def run(engine, feeds, context=None):
    """Runs through the TensorRT calls (set_input_shape, set_tensor_address, execute_async_v3)."""
    context = context or engine.create_execution_context()
    outputs = {}
    keep = []
    for i in range(engine.num_io_tensors):
        name = engine.get_tensor_name(i)
        if engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT:
            array = np.ascontiguousarray(feeds[name], dtype=trt.nptype(engine.get_tensor_dtype(name)))
            assert context.set_input_shape(name, array.shape), trt.get_last_error()
            assert context.set_tensor_address(name, array.ctypes.data)
            keep.append(array)
    for i in range(engine.num_io_tensors):
        name = engine.get_tensor_name(i)
        if engine.get_tensor_mode(name) == trt.TensorIOMode.OUTPUT:
            shape = context.get_tensor_shape(name)
            out = np.empty(tuple(shape), dtype=trt.nptype(engine.get_tensor_dtype(name)))
            assert context.set_tensor_address(name, out.ctypes.data)
            outputs[name] = out
    assert context.execute_async_v3(0), trt.get_last_error()
    return outputs
