"""Load test of kiln.serve against localhost: Ray Serve (HTTP) or Triton through PyTriton.

    PYTHONPATH=build/python python3 bench/serve_load.py --clients 1,8,64 --requests 2000 --duration 20
    PYTHONPATH=build/python python3 bench/serve_load.py --replicas 2 --fault          # kill a replica
    PYTHONPATH=build/python .venv-pytriton/bin/python bench/serve_load.py --target triton

For each number of concurrent clients N it sends at most --requests requests in at most --duration
seconds and prints the throughput, p50/p99 latency, the batches the server formed, and the failed
and wrong responses. Every response is compared with a direct ``context.infer`` of the same input
on an engine loaded here from the same plan. Without --model it serves a small ONNX MLP written
with onnx.helper (64 -> 128 -> ReLU -> 10 -> softmax, fixed seed), built and cached by kiln.serve
(PyTriton's environment has no onnx: write it first with --write-model, then pass --model).

--fault kills one replica (SIGKILL) a third of the way into a run at the largest N; Ray Serve
starts a new one. Requests in flight on it fail with an error (HTTP 5xx or a dropped connection)
and are retried once (--retries); none may come back with a wrong or another request's result.
Servers listen on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import io
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

import kiln as trt
from kiln.serve import load_or_build_plan


def write_mlp_onnx(path: pathlib.Path, features: int = 64, hidden: int = 128, classes: int = 10):
    """The default model: x [N, features] -> MatMul -> Add -> Relu -> MatMul -> Softmax -> y."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(18)
    w1 = (rng.standard_normal((features, hidden)) * 0.1).astype(np.float32)
    b1 = (rng.standard_normal(hidden) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((hidden, classes)) * 0.1).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]),
             helper.make_node("Add", ["h", "b1"], ["hb"]),
             helper.make_node("Relu", ["hb"], ["r"]),
             helper.make_node("MatMul", ["r", "w2"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["y"], axis=-1)]
    graph = helper.make_graph(
        nodes, "serve_mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", features])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", classes])],
        [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


class Reference:
    """The plan the server serves, run here with context.infer on a pool of random inputs."""

    def __init__(self, plan: bytes, rows: int, pool: int, seed: int = 7):
        self.engine = trt.Runtime(trt.Logger(trt.Logger.WARNING)).deserialize_cuda_engine(plan)
        context = self.engine.create_execution_context()
        e = self.engine
        names = [e.get_tensor_name(i) for i in range(e.num_io_tensors)]
        self.inputs = [n for n in names if e.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        rng = np.random.default_rng(seed)
        self.feeds, self.expected = [], []
        for _ in range(pool):
            feeds = {}
            for name in self.inputs:
                shape = [rows if d < 0 else d for d in e.get_tensor_shape(name)]
                dtype = trt.nptype(e.get_tensor_dtype(name))
                feeds[name] = rng.standard_normal(shape).astype(dtype)
            self.feeds.append(feeds)
            self.expected.append(context.infer(feeds))

    def check(self, index: int, outputs: dict):
        """Largest absolute difference to the reference, or None when the outputs do not match
        (missing output, other shape, or not within rtol 1e-5 / atol 1e-6)."""
        worst = 0.0
        for name, want in self.expected[index].items():
            got = outputs.get(name)
            if got is None or got.shape != want.shape:
                return None
            if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
                return None
            worst = max(worst, float(np.max(np.abs(got.astype(np.float64) - want))) if want.size else 0.0)
        return worst


# ------------------------------------------------------------------------------------------------
# Clients: one request -> (outputs, batch rows, batch requests, replica) or an exception


class RayClient:
    def __init__(self, url: str, fmt: str, connections: int):
        import aiohttp

        self.url, self.fmt = url, fmt
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections))

    async def infer(self, feeds: dict):
        if self.fmt == "json":
            body = json.dumps({"inputs": {k: v.tolist() for k, v in feeds.items()}}).encode()
            ctype = "application/json"
        else:
            buf = io.BytesIO()
            np.savez(buf, **feeds)
            body, ctype = buf.getvalue(), "application/x-npz"
        async with self.session.post(self.url, data=body, headers={"Content-Type": ctype}) as r:
            data = await r.read()
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}: {data[:200].decode(errors='replace')}")
            if self.fmt == "json":
                outputs = {k: np.asarray(v, np.float32) for k, v in json.loads(data)["outputs"].items()}
            else:
                with np.load(io.BytesIO(data), allow_pickle=False) as z:
                    outputs = {k: z[k] for k in z.files}
            return (outputs, int(r.headers["X-Kiln-Batch-Rows"]),
                    int(r.headers["X-Kiln-Batch-Requests"]), r.headers.get("X-Kiln-Replica", "?"))

    async def close(self):
        await self.session.close()


class HandleClient:
    """Ray Serve's Python handle from this driver: no HTTP proxy, payloads pickled by Ray."""

    def __init__(self, handle):
        self.handle = handle

    async def infer(self, feeds: dict):
        outputs, rows, count = await self.handle.infer_with_batch.remote(feeds)
        return outputs, rows, count, "handle"

    async def close(self):
        pass


class TritonClient:
    def __init__(self, url: str, model: str, inputs: list, outputs: list, connections: int):
        import tritonclient.http.aio as httpclient

        self.mod, self.model, self.outputs = httpclient, model, outputs
        self.client = httpclient.InferenceServerClient(url, conn_limit=connections)
        self.types = inputs

    async def infer(self, feeds: dict):
        from tritonclient.utils import np_to_triton_dtype

        ins = []
        for name, value in feeds.items():
            t = self.mod.InferInput(name, list(value.shape), np_to_triton_dtype(value.dtype))
            t.set_data_from_numpy(value, binary_data=True)
            ins.append(t)
        outs = [self.mod.InferRequestedOutput(n, binary_data=True) for n in self.outputs]
        result = await self.client.infer(self.model, ins, outputs=outs)
        return {n: result.as_numpy(n) for n in self.outputs}, 0, 0, "triton"

    async def close(self):
        await self.client.close()


# ------------------------------------------------------------------------------------------------


async def run_load(client, ref: Reference, clients: int, requests: int, duration: float,
                   retries: int, on_start=None) -> dict:
    issued = 0
    latencies, errors, formed = [], collections.Counter(), collections.Counter()
    stats = collections.Counter()
    replicas = collections.Counter()
    worst = 0.0
    start = time.perf_counter()
    deadline = start + duration

    async def one_client(cid: int):
        nonlocal issued, worst
        while issued < requests and time.perf_counter() < deadline:
            # Consecutive inputs: requests in flight together (fewer than the pool) never share
            # an input, so a result delivered to the wrong request shows as a mismatch.
            index = issued % len(ref.feeds)
            issued += 1
            t0 = time.perf_counter()
            for attempt in range(retries + 1):
                try:
                    outputs, rows, count, replica = await client.infer(ref.feeds[index])
                except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                    errors[f"{type(e).__name__}: {str(e)[:160]}"] += 1
                    stats["errors"] += 1
                    if attempt == retries:
                        stats["failed"] += 1
                    else:
                        stats["retried"] += 1
                        await asyncio.sleep(0.05)
                    continue
                latencies.append(time.perf_counter() - t0)
                diff = ref.check(index, outputs)
                if diff is None:
                    stats["wrong"] += 1
                else:
                    stats["ok"] += 1
                    worst = max(worst, diff)
                if count:
                    formed[rows] += 1.0 / count  # each batch counted once over its requests
                replicas[replica] += 1
                break

    hook = asyncio.create_task(on_start(replicas)) if on_start is not None else None
    await asyncio.gather(*[asyncio.create_task(one_client(c)) for c in range(clients)])
    elapsed = time.perf_counter() - start
    if hook is not None:  # a few seconds more for what it watches, outside the timed run
        try:
            await asyncio.wait_for(hook, timeout=10)
        except asyncio.TimeoutError:
            pass
    lat = np.array(latencies) * 1000 if latencies else np.array([float("nan")])
    return {"clients": clients, "requests": issued, "ok": stats["ok"], "wrong": stats["wrong"],
            "failed": stats["failed"], "retried": stats["retried"], "errors": dict(errors),
            "seconds": round(elapsed, 2), "throughput": round(stats["ok"] / elapsed, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p99_ms": round(float(np.percentile(lat, 99)), 2),
            "batches_formed": {int(k): round(v) for k, v in sorted(formed.items())},
            "replicas": dict(replicas), "max_abs_diff": worst}


def mean_batch(formed: dict) -> float:
    batches = sum(formed.values())
    return sum(r * n for r, n in formed.items()) / batches if batches else float("nan")


# ------------------------------------------------------------------------------------------------
# Servers


def start_ray(args, model: str):
    import ray
    from ray import serve

    import kiln.serve

    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=args.verbose)
    serve.start(http_options={"host": "127.0.0.1", "port": args.port})
    app = kiln.serve.deployment(model, num_replicas=args.replicas, device="cpu",
                                contexts=args.contexts, cpu_threads=args.cpu_threads,
                                max_batch=args.max_batch, batch_wait_ms=args.batch_wait_ms,
                                cache_dir=args.cache_dir,
                                num_cpus=min(1.0, args.num_cpus / max(1, args.replicas)))
    handle = serve.run(app, route_prefix="/")
    return f"http://127.0.0.1:{args.port}/", handle


def running_replicas() -> int:
    from ray import serve

    for app in serve.status().applications.values():
        for name, dep in app.deployments.items():
            if name == "kiln":
                return int(dep.replica_states.get("RUNNING", 0))
    return 0


async def kill_replica_after(delay: float, seen: collections.Counter, log: dict):
    """SIGKILLs the replica that answered most so far (the X-Kiln-Replica header is host:pid; the
    server is on this machine), then times until a replica Ray Serve started anew answers and
    until Serve reports as many running replicas as before."""
    await asyncio.sleep(delay)
    loop = asyncio.get_running_loop()
    want = await loop.run_in_executor(None, running_replicas)
    if not seen:
        log["killed"] = None
        return
    before = set(seen)
    victim = seen.most_common(1)[0][0]
    os.kill(int(victim.rsplit(":", 1)[1]), signal.SIGKILL)
    log.update(killed=victim, killed_at_s=round(delay, 2), replicas_before=want)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 60:
        await asyncio.sleep(0.1)
        if "new_replica_answered_after_s" not in log and set(seen) - before:
            log["new_replica_answered_after_s"] = round(time.perf_counter() - t0, 2)
        if "replica_down_seen" not in log:
            if await loop.run_in_executor(None, running_replicas) < want:
                log["replica_down_seen"] = True
        elif "replicas_back_after_s" not in log:
            if await loop.run_in_executor(None, running_replicas) >= want:
                log["replicas_back_after_s"] = round(time.perf_counter() - t0, 2)
        if "new_replica_answered_after_s" in log and "replicas_back_after_s" in log:
            return


def start_triton(args, model: str):
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "kiln.serve.triton", model, "--device=cpu",
           f"--http-port={args.port}", f"--grpc-port={args.port + 1}",
           f"--metrics-port={args.port + 2}", f"--contexts={args.contexts}",
           f"--instances={args.triton_instances}",
           f"--batch-wait-us={int(args.batch_wait_ms * 1000)}", f"--max-batch={args.max_batch or 32}",
           f"--cpu-threads={args.cpu_threads}"]
    if args.cache_dir:
        cmd.append(f"--cache-dir={args.cache_dir}")
    log = open(pathlib.Path(tempfile.gettempdir()) / "kiln-serve-triton.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    import urllib.request

    t0 = time.time()
    while time.time() - t0 < 180:
        if proc.poll() is not None:
            raise SystemExit(f"the Triton server exited ({proc.returncode}); see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/v2/models/kiln/ready") as r:
                if r.status == 200:
                    return proc, f"127.0.0.1:{args.port}"
        except OSError:
            time.sleep(1)
    proc.kill()
    raise SystemExit(f"the Triton server did not become ready in 180 s; see {log.name}")


def triton_metrics(port: int) -> tuple[float, float]:
    """(inferences, executions) of model kiln from Triton's metrics: their ratio is the mean batch."""
    import urllib.request

    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    values = {}
    for line in text.splitlines():
        for key in ("nv_inference_count", "nv_inference_exec_count"):
            if line.startswith(key + "{") and 'model="kiln"' in line:
                values[key] = float(line.rsplit(" ", 1)[1])
    return values.get("nv_inference_count", 0.0), values.get("nv_inference_exec_count", 0.0)


# ------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", choices=("ray", "triton"), default="ray")
    ap.add_argument("--model", help="a .plan or .onnx (default: a small ONNX MLP written here)")
    ap.add_argument("--clients", default="1,8,64", help="concurrent clients per run (default 1,8,64)")
    ap.add_argument("--requests", type=int, default=2000, help="at most this many requests per run")
    ap.add_argument("--duration", type=float, default=20.0, help="at most this many seconds per run")
    ap.add_argument("--rows", type=int, default=1, help="rows (batch) in each request (default 1)")
    ap.add_argument("--pool", type=int, default=256, help="distinct inputs (default 256)")
    ap.add_argument("--format", choices=("json", "npz"), default="json", help="Ray: HTTP payload")
    ap.add_argument("--via", choices=("http", "handle"), default="http",
                    help="Ray: HTTP through Serve's proxy, or the Python handle (no --fault)")
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--contexts", type=int, default=2)
    ap.add_argument("--cpu-threads", type=int, default=1, help="threads per CPU engine (default 1)")
    ap.add_argument("--num-cpus", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--max-batch", type=int, default=None)
    ap.add_argument("--batch-wait-ms", type=float, default=2.0)
    ap.add_argument("--retries", type=int, default=1, help="retries of a failed request (default 1)")
    ap.add_argument("--fault", action="store_true", help="Ray: kill a replica during a last run")
    ap.add_argument("--fault-requests", type=int, default=100000,
                    help="request bound of the --fault run (default 100000: --duration bounds it)")
    ap.add_argument("--triton-instances", type=int, default=1,
                    help="Triton: PyTriton model instances (default 1; docs/serving.md)")
    ap.add_argument("--port", type=int, default=8400)
    ap.add_argument("--cache-dir", default=None, help="plan cache (default: a temporary folder)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--write-model", metavar="PATH",
                    help="only write the default ONNX model to PATH (for environments without "
                    "onnx, such as PyTriton's: pass it as --model there)")
    ap.add_argument("--verbose", action="store_true", help="Ray: show the replicas' logs")
    args = ap.parse_args(argv)
    if args.write_model:
        write_mlp_onnx(pathlib.Path(args.write_model))
        return 0
    workdir = tempfile.mkdtemp(prefix="kiln-serve-load-")
    args.cache_dir = args.cache_dir or os.path.join(workdir, "plans")
    model = args.model or os.path.join(workdir, "serve_mlp.onnx")
    if not args.model:
        write_mlp_onnx(pathlib.Path(model))
    counts = [int(c) for c in args.clients.split(",")]

    # The server builds the ONNX model and caches the plan; the reference loads that same plan
    # (built here first when the model is ONNX, so both sides use one plan file).
    plan, info = load_or_build_plan(model, args.cache_dir, "cpu", args.max_batch or 32)
    ref = Reference(plan, args.rows, args.pool)
    print(f"model {model}; plan {info['plan']}; {args.pool} inputs of {args.rows} row(s), "
          f"references from context.infer", flush=True)

    proc = None
    if args.target == "ray":
        t0 = time.perf_counter()
        url, handle = start_ray(args, model)
        print(f"Ray Serve up in {time.perf_counter() - t0:.1f} s at {url}: {args.replicas} "
              f"replica(s), {args.contexts} contexts each, wait {args.batch_wait_ms} ms", flush=True)
    else:
        t0 = time.perf_counter()
        proc, url = start_triton(args, model)
        print(f"Triton (PyTriton) up in {time.perf_counter() - t0:.1f} s at {url}", flush=True)
        e = ref.engine
        names = [e.get_tensor_name(i) for i in range(e.num_io_tensors)]
        outputs = [n for n in names if e.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT]

    results = []
    plan_runs = [(n, False) for n in counts]
    if args.fault:
        if args.target != "ray" or args.via != "http":
            raise SystemExit("--fault kills a Ray Serve replica: use --target ray --via http")
        plan_runs.append((max(counts), True))

    async def go():
        for n, fault in plan_runs:
            if args.target == "ray" and args.via == "handle":
                client = HandleClient(handle)
            elif args.target == "ray":
                client = RayClient(url, args.format, n)
            else:
                client = TritonClient(url, "kiln", ref.inputs, outputs, n)
                before = triton_metrics(args.port + 2)
            fault_log: dict = {}
            hook = (lambda seen: kill_replica_after(args.duration / 3, seen, fault_log)) if fault else None
            bound = args.fault_requests if fault else args.requests
            r = await run_load(client, ref, n, bound, args.duration, args.retries, hook)
            await client.close()
            if args.target == "triton":
                after = triton_metrics(args.port + 2)
                inferences, executions = after[0] - before[0], after[1] - before[1]
                r["mean_batch_rows"] = round(inferences / executions, 2) if executions else None
                r["batches_formed"] = {"batches": int(executions), "rows": int(inferences)}
            else:
                r["mean_batch_rows"] = round(mean_batch(r["batches_formed"]), 2)
            if fault:
                r["fault"] = fault_log
            results.append(r)
            print(json.dumps(r), flush=True)

    try:
        asyncio.run(go())
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        elif args.target == "ray":
            from ray import serve

            serve.shutdown()

    print(f"\n{'N':>4} {'requests':>8} {'ok':>6} {'failed':>6} {'wrong':>5} {'req/s':>8} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'mean batch':>10}")
    for r in results:
        tag = " (replica killed)" if "fault" in r else ""
        print(f"{r['clients']:>4} {r['requests']:>8} {r['ok']:>6} {r['failed']:>6} {r['wrong']:>5} "
              f"{r['throughput']:>8} {r['p50_ms']:>7} {r['p99_ms']:>7} {r['mean_batch_rows']:>10}{tag}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(
            {"target": args.target, "model": model, "rows": args.rows, "results": results},
            indent=1) + "\n")
    bad = sum(r["wrong"] for r in results) + sum(r["failed"] for r in results if "fault" not in r)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
