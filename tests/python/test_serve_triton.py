"""kiln.serve.triton (docs/serving.md): a kiln engine as a Triton model through PyTriton, talked to
with tritonclient. PyTriton lives in its own environment (it pins numpy < 2), so this runs there:

    bash scripts/setup-pytriton.sh
    PYTHONPATH=build/python .venv-pytriton/bin/python -m pytest -q tests/python/test_serve_triton.py

and skips, saying why, anywhere PyTriton is not installed (the main environment and CI)."""

import concurrent.futures
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

pytest.importorskip("pytriton", reason="PyTriton is not installed here: it has its own "
                    "environment (bash scripts/setup-pytriton.sh; run this file with "
                    ".venv-pytriton/bin/python)")
httpclient = pytest.importorskip("tritonclient.http", reason="tritonclient is not installed")
from tritonclient.utils import InferenceServerException, np_to_triton_dtype  # noqa: E402

import kiln as trt  # noqa: E402

from test_serve import MAX_BATCH, direct, feeds, make_plan  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def plan():
    return make_plan(trt.Logger(trt.Logger.WARNING))


@pytest.fixture(scope="module")
def server(plan, tmp_path_factory):
    """python -m kiln.serve.triton on free localhost ports, a 50 ms batch wait."""
    folder = tmp_path_factory.mktemp("triton")
    path = folder / "model.plan"
    path.write_bytes(plan)
    http, grpc, metrics = free_port(), free_port(), free_port()
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "kiln.serve.triton", str(path),
                             f"--http-port={http}", f"--grpc-port={grpc}",
                             f"--metrics-port={metrics}", "--batch-wait-us=50000",
                             "--cpu-threads=1"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            assert proc.poll() is None, (folder / "server.log").read_text()[-2000:]
            assert time.time() < deadline, "Triton was not ready in 120 s"
            try:
                url = f"http://127.0.0.1:{http}/v2/models/kiln/ready"
                if urllib.request.urlopen(url, timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        yield httpclient.InferenceServerClient(f"127.0.0.1:{http}"), f"127.0.0.1:{http}", metrics
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def call(client, arrays):
    inputs = []
    for name, a in arrays.items():
        t = httpclient.InferInput(name, list(a.shape), np_to_triton_dtype(a.dtype))
        t.set_data_from_numpy(a)
        inputs.append(t)
    return client.infer("kiln", inputs).as_numpy("y")


def test_model_has_the_engines_io(server):
    client, _, _ = server
    meta = client.get_model_metadata("kiln")
    assert [(t["name"], t["datatype"], t["shape"]) for t in meta["inputs"]] == \
        [("x", "FP32", [-1, 4]), ("z", "FP32", [-1, 4])]
    assert client.get_model_config("kiln")["max_batch_size"] == MAX_BATCH


def test_results_match_context_infer(server, plan):
    client, _, _ = server
    f = feeds(3, 21)
    np.testing.assert_allclose(call(client, f), direct(plan, f)["y"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("arrays, words", [
    ({"x": np.zeros((2, 4), np.float32)}, "missing required input(s) ['z']"),
    ({"x": np.zeros((2, 5), np.float32), "z": np.zeros((2, 4), np.float32)},
     "unexpected shape for input 'x'"),
    ({"x": np.zeros((2, 4)), "z": np.zeros((2, 4), np.float32)}, "input 'x' data-type is 'FP64'"),
    ({"x": np.zeros((9, 4), np.float32), "z": np.zeros((9, 4), np.float32)},
     f"batch-size must be <= {MAX_BATCH}"),
])
def test_malformed_requests_are_400_and_serving_goes_on(server, plan, arrays, words):
    client, _, _ = server
    with pytest.raises(InferenceServerException) as e:
        call(client, arrays)
    assert e.value.status() == "400" and words in e.value.message()
    f = feeds(1, 22)
    np.testing.assert_allclose(call(client, f), direct(plan, f)["y"], rtol=1e-5, atol=1e-6)


def test_concurrent_requests_share_batches(server, plan):
    _, url, metrics = server

    def counts():
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=10).read()
        values = {}
        for line in text.decode().splitlines():
            for key in ("nv_inference_count", "nv_inference_exec_count"):
                if line.startswith(key + "{") and 'model="kiln"' in line:
                    values[key] = float(line.rsplit(" ", 1)[1])
        return values["nv_inference_count"], values["nv_inference_exec_count"]

    before = counts()
    requests = [feeds(1, 300 + i) for i in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda f: call(httpclient.InferenceServerClient(url), f),
                                requests))
    for f, y in zip(requests, results):
        np.testing.assert_allclose(y, direct(plan, f)["y"], rtol=1e-5, atol=1e-6)
    after = counts()
    rows, batches = after[0] - before[0], after[1] - before[1]
    assert rows == 8 and batches < 8, f"{batches} batches for 8 concurrent requests"
