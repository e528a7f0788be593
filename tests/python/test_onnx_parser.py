"""trt.OnnxParser through the Python package: failures TensorRT-style; a real model when the onnx
package is installed (requirements-dev.txt)."""

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load


def test_garbage_is_refused_with_errors(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    assert parser.supports_operator("Conv") and not parser.supports_operator("NoSuchOp")
    assert parser.parse(b"\x08\x07 this is not an onnx model") is False
    assert parser.num_errors >= 1
    error = parser.get_error(0)
    assert isinstance(error.code(), trt.ErrorCode) and error.desc()
    assert trt.get_last_error() and parser.get_error(parser.num_errors) is None
    parser.clear_errors()
    assert parser.num_errors == 0
    assert parser.parse_from_file("/nonexistent/model.onnx") is False
    trt.set_strict(True)
    with pytest.raises(trt.Error):
        parser.parse(b"\x00\x01")


def test_parse_a_small_model(logger):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Relu", ["h"], ["y"])],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 2])],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    assert parser.parse(model.SerializeToString()), [str(parser.get_error(i)) for i in range(parser.num_errors)]
    assert network.get_input(0).shape == (-1, 3) and network.get_output(0).name == "y"
    engine = load(logger, build_cpu(builder, network, [{"x": ((1, 3), (2, 3), (4, 3))}]))
    xs = np.array([[1, -2, 3], [-1, 0, 1]], np.float32)
    np.testing.assert_allclose(engine.create_execution_context().infer({"x": xs})["y"],
                               np.maximum(xs @ w, 0))
