"""Refit through the Python API (docs/refit.md): kiln.Refitter with numpy weights, TensorRT's
names, failures as False with the reason logged, and OnnxParserRefitter."""

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load, run

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, (2, 8)).astype(np.float32)


def weights(seed):
    rng = np.random.default_rng(seed)
    return {
        "w": rng.uniform(-1, 1, (8, 4)).astype(np.float32),
        "b": rng.uniform(-1, 1, (1, 4)).astype(np.float32),
    }


def build(logger, w, refit=True, fp16=False):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 8))
    wl = network.add_constant((8, 4), w["w"])
    wl.name = "fc.weight"
    mm = network.add_matrix_multiply(x, trt.MatrixOperation.NONE, wl.get_output(0),
                                     trt.MatrixOperation.NONE)
    mm.name = "fc"
    bl = network.add_constant((1, 4), w["b"])
    bl.name = "fc.bias"
    y = network.add_elementwise(mm.get_output(0), bl.get_output(0), trt.ElementWiseOperation.SUM)
    y.get_output(0).name = "y"
    network.mark_output(y.get_output(0))
    config = builder.create_builder_config()
    if refit:
        config.set_flag(trt.BuilderFlag.REFIT)
    if fp16:
        config.set_flag(trt.BuilderFlag.FP16)
    plan = build_cpu(builder, network, [{"x": ((1, 8), (2, 8), (4, 8))}], config)
    return load(logger, plan)


def expected(w):
    return X @ w["w"] + w["b"]


@pytest.mark.parametrize("fp16", [False, True])
def test_refit_matches_a_rebuild(logger, fp16):
    w1, w2 = weights(1), weights(2)
    engine = build(logger, w1, fp16=fp16)
    refitter = trt.Refitter(engine, logger)
    assert sorted(refitter.get_all_weights()) == ["fc.bias", "fc.weight"]
    assert refitter.get_missing_weights() == []
    layers, roles = refitter.get_all()
    assert ("fc", trt.WeightsRole.KERNEL) in zip(layers, roles)
    assert refitter.set_named_weights("fc.weight", w2["w"])
    assert refitter.set_weights("fc.bias", trt.WeightsRole.CONSTANT, w2["b"])
    assert refitter.refit_cuda_engine()
    got = run(engine, {"x": X})["y"]
    np.testing.assert_array_equal(got, run(build(logger, w2, fp16=fp16), {"x": X})["y"])
    np.testing.assert_allclose(got, expected(w2), rtol=1e-2 if fp16 else 1e-5, atol=1e-2 if fp16 else 1e-5)
    # The refitted plan carries the new weights.
    again = load(logger, bytes(engine.serialize()))
    np.testing.assert_array_equal(run(again, {"x": X})["y"], got)


def test_bad_weights_return_false_and_change_nothing(logger):
    w1 = weights(1)
    engine = build(logger, w1)
    before = run(engine, {"x": X})["y"]
    refitter = trt.Refitter(engine, logger)
    assert not refitter.set_named_weights("nope", w1["b"])
    assert "no refittable weights named 'nope'" in trt.get_last_error()
    assert not refitter.set_named_weights("fc.weight", np.zeros((3, 4), np.float32))
    assert "[8,4]" in trt.get_last_error()
    assert not refitter.set_named_weights("fc.weight", np.zeros((8, 4), np.float16))
    assert "float16" in trt.get_last_error()
    assert not refitter.set_weights("fc", trt.WeightsRole.SCALE, w1["b"])
    assert "role SCALE" in trt.get_last_error()
    assert refitter.refit_cuda_engine()
    np.testing.assert_array_equal(run(engine, {"x": X})["y"], before)
    trt.set_strict(True)
    with pytest.raises(trt.Error, match="nope"):
        refitter.set_named_weights("nope", w1["b"])


def test_engine_without_refit_flag_is_refused(logger):
    engine = build(logger, weights(1), refit=False)
    with pytest.raises(trt.Error, match="REFIT"):
        trt.Refitter(engine, logger)


def test_onnx_refit_from_file(logger, tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    def model(seed):
        w = weights(seed)
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["x", "W"], ["m"]), helper.make_node("Add", ["m", "B"], ["y"])],
            "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])],
            [numpy_helper.from_array(w["w"], "W"), numpy_helper.from_array(w["b"], "B")],
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), w

    def build_onnx(m):
        builder = trt.Builder(logger)
        network = builder.create_network(0)
        parser = trt.OnnxParser(network, logger)
        assert parser.parse(m.SerializeToString())
        config = builder.create_builder_config()
        config.set_flag(trt.BuilderFlag.REFIT)
        return load(logger, build_cpu(builder, network, (), config))

    m1, _ = model(1)
    m2, w2 = model(2)
    engine = build_onnx(m1)
    path = tmp_path / "retrained.onnx"
    onnx.save(m2, str(path))
    refitter = trt.Refitter(engine, logger)
    assert sorted(refitter.get_all_weights()) == ["B", "W"]  # ONNX initializer names
    parser_refitter = trt.OnnxParserRefitter(refitter, logger)
    assert parser_refitter.refit_from_file(str(path))
    assert refitter.refit_cuda_engine()
    np.testing.assert_allclose(run(engine, {"x": X})["y"], expected(w2), rtol=1e-5, atol=1e-5)
    assert not parser_refitter.refit_from_file(str(tmp_path / "missing.onnx"))
