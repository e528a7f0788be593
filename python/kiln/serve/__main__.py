"""`python -m kiln.serve MODEL.plan|MODEL.onnx`: serves a kiln engine with Ray Serve on this machine
(HTTP on 127.0.0.1:8000 by default, plus the Python handle of the "kiln" deployment) until Ctrl-C.
`kiln serve ...` runs this. docs/serving.md describes the options, the payloads and clusters."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="kiln serve", description=__doc__.split("\n")[0])
    ap.add_argument("model", help="a kiln plan (.plan) or an ONNX model (.onnx, built on first "
                    "start and cached per device model and kiln version)")
    ap.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    ap.add_argument("--route", default="/", help="HTTP route of the model (default /)")
    ap.add_argument("--name", default="kiln", help="the deployment's name (default kiln)")
    ap.add_argument("--replicas", type=int, default=1, help="replicas (default 1)")
    ap.add_argument("--contexts", type=int, default=2,
                    help="execution contexts per replica, each running a batch (default 2)")
    ap.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                    help="auto: one GPU per replica when Ray has GPUs, else the CPU backend")
    ap.add_argument("--max-batch", type=int, default=None,
                    help="largest batch in rows (default: the profile's maximum; for ONNX "
                    "models also the profile built, default 32)")
    ap.add_argument("--batch-wait-ms", type=float, default=2.0,
                    help="how long a batch waits for more requests (default 2 ms)")
    ap.add_argument("--cpu-threads", type=int, default=0,
                    help="threads of each replica's CPU engine (default: one per processor)")
    ap.add_argument("--replica-cpus", type=float, default=1.0,
                    help="CPUs Ray reserves for each CPU replica (default 1)")
    ap.add_argument("--fp16", action="store_true", help="ONNX models: build with FP16")
    ap.add_argument("--cache-dir", default=None,
                    help="plan cache for ONNX models (default $KILN_CACHE_DIR or "
                    "~/.cache/kiln/plans)")
    ap.add_argument("--address", default=None,
                    help="join a running Ray cluster (e.g. 'auto') instead of starting one")
    ap.add_argument("--num-cpus", type=int, default=None, help="CPUs of a local Ray (default all)")
    return ap.parse_args(argv)


def start(args):
    """Starts Ray (or joins --address), Serve's HTTP proxy and the deployment; returns its
    handle."""
    import ray
    from ray import serve

    from ._ray import deployment

    if not ray.is_initialized():
        if args.address:
            ray.init(address=args.address)
        else:
            ray.init(num_cpus=args.num_cpus, include_dashboard=False)
    serve.start(http_options={"host": args.host, "port": args.port})
    app = deployment(args.model, name=args.name, num_replicas=args.replicas, device=args.device,
                     contexts=args.contexts, cpu_threads=args.cpu_threads,
                     max_batch=args.max_batch, batch_wait_ms=args.batch_wait_ms, fp16=args.fp16,
                     cache_dir=args.cache_dir, num_cpus=args.replica_cpus)
    return serve.run(app, name=args.name, route_prefix=args.route)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import ray  # noqa: F401
        from ray import serve  # noqa: F401
    except ImportError:
        print("kiln serve: Ray Serve is not installed: pip install 'ray[serve]' "
              "(requirements-serve.txt)", file=sys.stderr)
        return 2
    try:
        handle = start(args)
    except Exception as e:  # noqa: BLE001 - a failed start is reported, not a traceback
        print(f"kiln serve: could not start: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    description = handle.describe.remote().result()
    print(json.dumps(description, indent=1))
    url = f"http://{args.host}:{args.port}{args.route}"
    print(f"kiln serve: {args.model} at {url} (POST JSON/.npz/.npy; GET describes the model); "
          f"Ctrl-C stops", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):  # also where a shell started it with SIGINT ignored
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    print("kiln serve: stopping", flush=True)
    from ray import serve

    serve.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
