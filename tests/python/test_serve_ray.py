"""kiln.serve's Ray Serve deployment (docs/serving.md), bounded: one replica on a local Ray with
2 CPUs, a few HTTP and handle requests including malformed ones, batching observed, shut down.
Skipped, saying why, where ray[serve] is not installed."""

import io
import json
import socket
import urllib.error
import urllib.request

import numpy as np
import pytest

from kiln.serve import PayloadError

from test_serve import MAX_BATCH, direct, feeds, make_plan

ray = pytest.importorskip("ray", reason="ray[serve] is not installed (pip install -r "
                          "requirements-serve.txt); the Ray Serve tests are skipped")
serve = pytest.importorskip("ray.serve", reason="ray is installed without serve: pip install "
                            "'ray[serve]'")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def plan():
    import kiln as trt

    return make_plan(trt.Logger(trt.Logger.WARNING))


@pytest.fixture(scope="module")
def server(plan, tmp_path_factory):
    """One replica on a local Ray (2 CPUs), HTTP on a free localhost port; a 50 ms batch wait so
    concurrent requests are seen to share batches."""
    import kiln.serve

    path = tmp_path_factory.mktemp("serve") / "model.plan"
    path.write_bytes(plan)
    port = free_port()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        handle = serve.run(kiln.serve.deployment(str(path), device="cpu", contexts=2,
                                                 cpu_threads=1, batch_wait_ms=50, num_cpus=1),
                           route_prefix="/")
        yield handle, f"http://127.0.0.1:{port}/"
    finally:
        serve.shutdown()
        ray.shutdown()


def post(url, body, ctype="application/json"):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def test_http_json_and_npz(server, plan):
    _, url = server
    f = feeds(3, 11)
    status, body, headers = post(url, json.dumps({"inputs": {k: v.tolist() for k, v in f.items()}})
                                 .encode())
    assert status == 200, body
    y = np.asarray(json.loads(body)["outputs"]["y"], np.float32)
    np.testing.assert_allclose(y, direct(plan, f)["y"], rtol=1e-5, atol=1e-6)
    buf = io.BytesIO()
    np.savez(buf, **f)
    status, body, headers = post(url, buf.getvalue(), "application/x-npz")
    assert status == 200 and int(headers["X-Kiln-Batch-Rows"]) >= 3
    with np.load(io.BytesIO(body)) as z:
        np.testing.assert_allclose(z["y"], direct(plan, f)["y"], rtol=1e-5, atol=1e-6)
    with urllib.request.urlopen(url, timeout=60) as r:
        assert json.loads(r.read())["max_batch"] == MAX_BATCH


@pytest.mark.parametrize("inputs, name", [
    ({"x": [[0.0] * 4]}, "z"),                                    # missing input
    ({"x": [[0.0] * 5], "z": [[0.0] * 5]}, "x"),                  # wrong shape
    ({"x": [["a"] * 4], "z": [[0.0] * 4]}, "x"),                  # wrong dtype
    ({"x": [[0.0] * 4] * 9, "z": [[0.0] * 4] * 9}, "x"),          # batch over the profile
])
def test_http_malformed_is_400_and_the_server_goes_on(server, plan, inputs, name):
    _, url = server
    status, body, _ = post(url, json.dumps({"inputs": inputs}).encode())
    assert status == 400
    doc = json.loads(body)
    assert doc["input"] == name and f"'{name}'" in doc["error"]
    f = feeds(1, 5)
    status, body, _ = post(url, json.dumps({"inputs": {k: v.tolist() for k, v in f.items()}})
                           .encode())
    assert status == 200
    np.testing.assert_allclose(json.loads(body)["outputs"]["y"], direct(plan, f)["y"], rtol=1e-5,
                               atol=1e-6)


def test_handle_batches_concurrent_requests(server, plan):
    handle, _ = server
    requests = [feeds(1 + i % 2, 100 + i) for i in range(12)]
    responses = [handle.infer_with_batch.remote(f) for f in requests]
    results = [r.result(timeout_s=60) for r in responses]
    for f, (outputs, rows, count) in zip(requests, results):
        np.testing.assert_allclose(outputs["y"], direct(plan, f)["y"], rtol=1e-5, atol=1e-6)
        assert rows <= MAX_BATCH
    assert max(count for _, _, count in results) > 1, "no batch held two requests"
    with pytest.raises(PayloadError, match="missing input 'z'"):
        handle.infer.remote({"x": np.zeros((1, 4), np.float32)}).result(timeout_s=60)
    out = handle.infer.remote(requests[0]).result(timeout_s=60)
    np.testing.assert_allclose(out["y"], direct(plan, requests[0])["y"], rtol=1e-5, atol=1e-6)
