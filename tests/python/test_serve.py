"""kiln.serve (docs/serving.md) without Ray: the serving core, the plan cache, the HTTP payloads and
the `kiln serve` command. test_serve_ray.py runs the Ray Serve deployment."""

import io
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import kiln as trt
from kiln.serve import PayloadError, ServedModel, load_or_build_plan, plan_cache_path
from kiln.serve import _http

from conftest import build_cpu

MAX_BATCH = 8
W = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)


def make_plan(logger, max_batch=MAX_BATCH):
    """y = (x + z) @ W, x and z [-1, 4] float32, batch 1..max_batch."""
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 4))
    z = network.add_input("z", trt.float32, (-1, 4))
    s = network.add_elementwise(x, z, trt.ElementWiseOperation.SUM)
    w = network.add_constant((4, 3), W)
    mm = network.add_matrix_multiply(s.get_output(0), trt.MatrixOperation.NONE, w.get_output(0),
                                     trt.MatrixOperation.NONE)
    mm.get_output(0).name = "y"
    network.mark_output(mm.get_output(0))
    shapes = {n: ((1, 4), (max_batch, 4), (max_batch, 4)) for n in ("x", "z")}
    plan = build_cpu(builder, network, [shapes])
    assert plan is not None, trt.get_last_error()
    return bytes(plan)


def feeds(rows, seed):
    rng = np.random.default_rng(seed)
    return {n: rng.standard_normal((rows, 4)).astype(np.float32) for n in ("x", "z")}


def direct(plan, f):
    """The reference: context.infer on an engine of its own."""
    engine = trt.Runtime(trt.Logger(trt.Logger.WARNING)).deserialize_cuda_engine(plan)
    return engine.create_execution_context().infer(f)


@pytest.fixture(scope="module")
def plan():
    return make_plan(trt.Logger(trt.Logger.WARNING))


@pytest.fixture(scope="module")
def model(plan):
    return ServedModel(plan, contexts=2, cpu_threads=1)


# ---------------------------------------------------------------------------- the serving core


def test_describes_the_engine(model):
    d = model.describe()
    assert d["batchable"] and d["max_batch"] == MAX_BATCH and d["device"] == "cpu"
    assert [t["name"] for t in d["inputs"]] == ["x", "z"]
    assert d["inputs"][0]["max_shape"] == [MAX_BATCH, 4]
    assert d["outputs"] == [{"name": "y", "dtype": "float32", "shape": [-1, 3]}]


@pytest.mark.parametrize("payload, name, words", [
    ({"x": np.zeros((2, 4), np.float32)}, "z", "missing input 'z'"),
    ({"x": np.zeros((2, 4)), "z": np.zeros((2, 4)), "q": 1}, "q", "unknown input 'q'"),
    ({"x": np.zeros((2, 5)), "z": np.zeros((2, 4))}, "x", "dimension 1 must be 4"),
    ({"x": np.zeros((2, 4, 1)), "z": np.zeros((2, 4))}, "x", "engine expects rank 2"),
    ({"x": np.zeros((9, 4)), "z": np.zeros((9, 4))}, "x", "batch of 9 is outside"),
    ({"x": np.zeros((2, 4)), "z": np.zeros((3, 4))}, "z", "has 3 rows but the other inputs have 2"),
    ({"x": np.zeros((2, 4), np.complex64), "z": np.zeros((2, 4))}, "x", "complex64"),
    ({"x": [[1, 2, 3, 4], [1, 2]], "z": np.zeros((2, 4))}, "x", "not a rectangular array"),
    ({"x": [["a", "b", "c", "d"]], "z": np.zeros((1, 4))}, "x", "cannot be an input"),
])
def test_malformed_requests_name_the_input(model, payload, name, words):
    with pytest.raises(PayloadError) as e:
        model.validate(payload)
    assert e.value.input_name == name
    assert words in str(e.value)
    assert e.value.status == 400


def test_dtypes_convert_only_within_their_kind(model):
    got = model.validate({"x": np.ones((1, 4), np.float64), "z": np.ones((1, 4), np.int64)})
    assert got["x"].dtype == np.float32 and got["z"].dtype == np.float32
    with pytest.raises(PayloadError, match="not a mapping|must map"):
        model.validate([1, 2, 3])


def test_infer_many_batches_and_matches_context_infer(model, plan):
    requests = [model.validate(feeds(rows, seed)) for seed, rows in enumerate([1, 3, 2, 4, 1, 5])]
    results = model.infer_many(requests)
    total = 0
    for request, (outputs, batch_rows, batch_requests) in zip(requests, results):
        want = direct(plan, request)["y"]
        np.testing.assert_allclose(outputs["y"], want, rtol=1e-5, atol=1e-6)
        assert outputs["y"].shape == (request["x"].shape[0], 3)
        assert batch_rows <= MAX_BATCH
        total += 1.0 / batch_requests
    # 16 rows in chunks of at most 8: [1,3,2] (6), [4,1] (5), [5] -> 3 batches, not 6.
    assert round(total) == 3
    assert [r[1] for r in results] == [6, 6, 6, 5, 5, 5]


# ---------------------------------------------------------------------------- plans from ONNX


def write_onnx(path, dynamic_features=False):
    onnx = pytest.importorskip("onnx", reason="onnx is not installed (requirements-dev.txt)")
    from onnx import TensorProto, helper, numpy_helper

    features = "F" if dynamic_features else 4
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", features])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(W, "w")])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, str(path))


def test_onnx_is_built_once_and_cached(tmp_path):
    model_path = tmp_path / "m.onnx"
    write_onnx(model_path)
    cache = tmp_path / "cache"
    plan, info = load_or_build_plan(model_path, cache, "cpu", max_batch=4)
    assert info["built"] and pathlib.Path(info["plan"]).exists()
    again, info2 = load_or_build_plan(model_path, cache, "cpu", max_batch=4)
    assert not info2["built"] and again == plan and info2["plan"] == info["plan"]
    meta = json.loads(pathlib.Path(info["plan"]).with_suffix(".json").read_text())
    assert meta["kiln_version"] == trt.kiln_version and meta["max_batch"] == 4
    # Another max batch is another plan; the key names the device model and kiln's version.
    data = model_path.read_bytes()
    other = plan_cache_path(data, cache, trt.DeviceType.CPU, 8, False)
    assert other != pathlib.Path(info["plan"])
    assert f"kiln{trt.kiln_version}" in other.name
    served = ServedModel(plan, contexts=1)
    assert served.max_batch == 4
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_allclose(served.infer({"x": x})["y"], x @ W, rtol=1e-5, atol=1e-5)
    # A plan file is served as it is.
    plan_file = tmp_path / "m.plan"
    plan_file.write_bytes(plan)
    assert load_or_build_plan(plan_file)[0] == plan


def test_onnx_with_a_dynamic_feature_dimension_is_refused(tmp_path):
    model_path = tmp_path / "d.onnx"
    write_onnx(model_path, dynamic_features=True)
    with pytest.raises(ValueError, match="input 'x' has shape"):
        load_or_build_plan(model_path, tmp_path / "cache", "cpu")


# ---------------------------------------------------------------------------- HTTP payloads


def test_http_payloads_decode_and_encode():
    names = ["x", "z"]
    got = _http.decode(json.dumps({"inputs": {"x": [[1, 2]]}}).encode(), "application/json", names)
    assert got == {"x": [[1, 2]]}
    buf = io.BytesIO()
    np.savez(buf, x=np.ones((1, 4), np.float32), z=np.zeros((1, 4), np.float32))
    got = _http.decode(buf.getvalue(), "application/x-npz", names)
    assert set(got) == {"x", "z"} and got["x"].dtype == np.float32
    body, kind, headers = _http.encode({"y": np.ones((2, 3), np.float32)}, 6, 2, _http.NPZ)
    with np.load(io.BytesIO(body)) as z:
        assert z["y"].shape == (2, 3)
    assert kind == _http.NPZ and headers["X-Kiln-Batch-Rows"] == "6"
    body, kind, _ = _http.encode({"y": np.ones((1, 3), np.float32)}, 1, 1, _http.JSON)
    assert json.loads(body) == {"outputs": {"y": [[1.0, 1.0, 1.0]]},
                                "batch": {"rows": 1, "requests": 1}}


@pytest.mark.parametrize("body, ctype, words", [
    (b"{not json", "application/json", "not JSON"),
    (b"[" * 100000 + b"]" * 100000, "application/json", "not JSON"),
    (b'{"x": [1]}', "application/json", '{"inputs"'),
    (b"\x00\x01garbage", "application/x-npz", "not a valid"),
    (b"", "application/x-npy", "not a valid"),
    (b"{}", "image/png", "is not served"),
])
def test_bad_bodies_are_payload_errors(body, ctype, words):
    with pytest.raises(PayloadError, match=words.replace("{", r"\{").replace("[", r"\[")):
        _http.decode(body, ctype, ["x", "z"])


def test_npy_needs_a_single_input_engine():
    buf = io.BytesIO()
    np.save(buf, np.ones((1, 4), np.float32))
    with pytest.raises(PayloadError, match="carries one array"):
        _http.decode(buf.getvalue(), "application/x-npy", ["x", "z"])
    assert _http.decode(buf.getvalue(), "application/x-npy", ["x"])["x"].shape == (1, 4)


def test_kiln_serve_command_forwards_to_python():
    exe = pathlib.Path(trt.__file__).resolve().parents[2] / "tools" / "kiln_cli" / "kiln"
    if not exe.exists():
        pytest.skip(f"no kiln executable at {exe} (the package is not in a build tree)")
    out = subprocess.run([str(exe), "serve", "--help"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "KILN_PYTHON": sys.executable})
    assert out.returncode == 0, out.stderr
    assert "usage: kiln serve" in out.stdout and "--batch-wait-ms" in out.stdout


def test_an_engine_without_a_batch_dimension_runs_requests_alone():
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 4))
    relu = network.add_activation(x, trt.ActivationType.RELU)
    relu.get_output(0).name = "y"
    network.mark_output(relu.get_output(0))
    served = ServedModel(bytes(build_cpu(builder, network)), contexts=1)
    assert not served.batchable and served.max_batch == 1
    with pytest.raises(PayloadError, match="dimension 0 must be 2"):
        served.validate({"x": np.zeros((3, 4), np.float32)})
    a, b = np.full((2, 4), -1.0, np.float32), np.arange(8, dtype=np.float32).reshape(2, 4)
    results = served.infer_many([served.validate({"x": a}), served.validate({"x": b})])
    assert [(rows, count) for _, rows, count in results] == [(1, 1), (1, 1)]
    np.testing.assert_array_equal(results[0][0]["y"], np.zeros((2, 4), np.float32))
    np.testing.assert_array_equal(results[1][0]["y"], b)


def test_triton_binding_runs_triton_batches(model, plan):
    # The PyTriton callable without PyTriton: Triton hands it a list of requests.
    from kiln.serve.triton import TritonBinding

    binding = TritonBinding(model)
    requests = [feeds(rows, 40 + rows) for rows in (1, 2, 3)]
    outputs = binding(requests)
    for f, out in zip(requests, outputs):
        np.testing.assert_allclose(out["y"], direct(plan, f)["y"], rtol=1e-5, atol=1e-6)
    assert binding.formed() == {6: 1}
    binding([feeds(1, 9)])
    assert binding.formed() == {1: 1, 6: 1}
