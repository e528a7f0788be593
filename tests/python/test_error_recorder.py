"""IErrorRecorder (docs/reliability.md): an error_recorder set on a Builder, Runtime, ICudaEngine or
IExecutionContext receives every error the object reports (the same text the logger gets and
kiln.get_last_error() returns) with TensorRT's error code; engines inherit their runtime's
recorder, contexts their engine's."""

import gc
import sys

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load


def relu_plan(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 3))
    relu = network.add_activation(x, trt.ActivationType.RELU)
    relu.get_output(0).name = "y"
    network.mark_output(relu.get_output(0))
    return build_cpu(builder, network, [{"x": ((1, 3), (2, 3), (4, 3))}])


def test_simple_recorder():
    r = trt.SimpleErrorRecorder(capacity=1)
    assert isinstance(r, trt.IErrorRecorder)
    assert r.report_error(trt.ErrorCodeTRT.INVALID_ARGUMENT, "one")
    r.report_error(trt.ErrorCodeTRT.INTERNAL_ERROR, "two")
    assert r.num_errors() == 1 and r.has_overflowed()
    assert r.get_error_code(0) == trt.ErrorCodeTRT.INVALID_ARGUMENT
    assert r.get_error_desc(0) == "one"
    r.clear()
    assert r.num_errors() == 0 and not r.has_overflowed()


def test_builder_reports_a_failed_build(logger):
    builder = trt.Builder(logger)
    recorder = trt.SimpleErrorRecorder()
    builder.error_recorder = recorder
    assert builder.error_recorder is recorder
    network = builder.create_network(0)
    network.add_input("x", trt.float32, (2, 3))  # no outputs
    assert build_cpu(builder, network) is None
    assert recorder.num_errors() == 1
    assert recorder.get_error_code(0) == trt.ErrorCodeTRT.INVALID_ARGUMENT
    assert recorder.get_error_desc(0) == trt.get_last_error()
    assert recorder.get_error_desc(0) in logger.errors()[-1]
    builder.error_recorder = None
    assert builder.error_recorder is None
    assert build_cpu(builder, network) is None
    assert recorder.num_errors() == 1  # removed: nothing more arrives


def test_runtime_engine_and_context_report_and_inherit(logger):
    plan = relu_plan(logger)
    runtime = trt.Runtime(logger)
    recorder = trt.SimpleErrorRecorder()
    runtime.error_recorder = recorder
    assert runtime.deserialize_cuda_engine(bytes(plan)[:100]) is None
    assert recorder.num_errors() == 1
    assert "truncated" in recorder.get_error_desc(0)
    assert recorder.get_error_code(0) == trt.ErrorCodeTRT.INVALID_ARGUMENT

    engine = runtime.deserialize_cuda_engine(plan)
    assert engine.error_recorder is recorder
    del runtime
    gc.collect()  # the engine keeps the recorder its runtime gave it
    context = engine.create_execution_context()
    assert context.error_recorder is recorder
    assert not context.set_input_shape("x", (9, 3))
    assert recorder.num_errors() == 2
    assert "dimension 0 is 9" in recorder.get_error_desc(1)
    assert recorder.get_error_code(1) == trt.ErrorCodeTRT.INVALID_ARGUMENT
    assert context.set_input_shape("x", (2, 3))
    assert not context.execute_async_v3(0)  # no addresses set
    assert recorder.num_errors() == 3
    assert recorder.get_error_code(2) == trt.ErrorCodeTRT.FAILED_EXECUTION

    mine = trt.SimpleErrorRecorder()
    context.error_recorder = mine
    assert engine.error_recorder is recorder
    assert not context.set_input_shape("nope", (2, 3))
    assert mine.num_errors() == 1 and recorder.num_errors() == 3
    x = np.float32([[-1, 2, -3], [4, -5, 6]])
    y = np.zeros_like(x)
    context.set_tensor_address("x", x.ctypes.data)
    context.set_tensor_address("y", y.ctypes.data)
    assert context.execute_async_v3(0)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    assert mine.num_errors() == 1


def test_a_raising_recorder_is_reported_and_the_failure_stands(logger, monkeypatch):
    class Raising(trt.IErrorRecorder):
        def report_error(self, val, desc):
            raise ValueError("recorder broke")

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u))
    runtime = trt.Runtime(logger)
    runtime.error_recorder = Raising()
    assert runtime.deserialize_cuda_engine(b"not a plan") is None
    assert "not a kiln plan" in trt.get_last_error()
    assert len(seen) == 1 and "IErrorRecorder.report_error" in str(seen[0].object)


def test_a_non_recorder_is_refused(logger):
    with pytest.raises(TypeError, match="IErrorRecorder"):
        trt.Runtime(logger).error_recorder = 42
