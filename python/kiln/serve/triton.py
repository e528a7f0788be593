"""kiln engines behind Triton Inference Server, through PyTriton (docs/serving.md).

    bash scripts/setup-pytriton.sh       # its own environment: nvidia-pytriton 0.7 pins numpy < 2
    PYTHONPATH=build/python .venv-pytriton/bin/python -m kiln.serve.triton model.plan

binds the engine as a Triton model named after --name (default "kiln") with its I/O names,
shapes and dtypes; dimension 0 is Triton's batch dimension when the engine batches, with Triton's
dynamic batcher on (max_batch_size from the optimization profile). Triton clients (tritonclient
HTTP on :8000, gRPC on :8001; metrics on :8002) talk to it as to any Triton model.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import sysconfig
import threading

from ._model import ServedModel, load_or_build_plan


class TritonBinding:
    """The PyTriton inference callable of a ServedModel; counts the batches Triton formed."""

    def __init__(self, model: ServedModel):
        self.model = model
        self.batch_rows = collections.Counter()
        self._lock = threading.Lock()

    def __call__(self, requests):
        # Triton already checked names, dtypes, static dimensions and the batch size against the
        # model configuration; ServedModel.validate adds the profile's ranges of dynamic dimensions.
        feeds = [self.model.validate({k: v for k, v in r.items()}) for r in requests]
        results = self.model.infer_many(feeds)
        with self._lock:
            for _, rows, count in results:  # each batch counted once: 1/count per request
                self.batch_rows[rows] += 1.0 / count
        return [outputs for outputs, _, _ in results]

    def formed(self) -> dict:
        """{rows in a batch: batches of that size} so far."""
        with self._lock:
            return {rows: round(n) for rows, n in sorted(self.batch_rows.items())}

    def tensors(self):
        """PyTriton's inputs and outputs: the engine's, less the batch dimension when batching."""
        from pytriton.model_config import Tensor

        def spec(t):
            shape = t.shape[1:] if self.model.batchable else t.shape
            return Tensor(name=t.name, dtype=t.dtype, shape=tuple(int(d) for d in shape))

        return [spec(t) for t in self.model.inputs], [spec(t) for t in self.model.outputs]

    def config(self, batch_wait_us: int):
        from pytriton.model_config import DynamicBatcher, ModelConfig

        if not self.model.batchable:
            return ModelConfig(batching=False)
        return ModelConfig(batching=True, max_batch_size=self.model.max_batch,
                           batcher=DynamicBatcher(max_queue_delay_microseconds=batch_wait_us))


def _instance(binding):
    def infer_func(requests):
        return binding(requests)

    return infer_func


def bind(triton, model: ServedModel, name: str = "kiln", batch_wait_us: int = 2000,
         instances: int = 1) -> TritonBinding:
    """Binds ``model`` to a running ``pytriton.triton.Triton``; ``instances`` callables let Triton
    run that many batches at once (give the model at least as many contexts). PyTriton 0.7 gives
    every instance after the first 1 s to reach the first one's handshake socket; on a loaded
    machine that can fail the model's load (ConnectionRefusedError or TimeoutError in
    ``get_config_from_handshake_server``), so 1 is the safe choice."""
    binding = TritonBinding(model)
    inputs, outputs = binding.tensors()
    # One function object per instance: PyTriton could not start two instances given one object.
    funcs = [_instance(binding) for _ in range(max(1, instances))]
    triton.bind(model_name=name, infer_func=funcs, inputs=inputs,
                outputs=outputs, config=binding.config(batch_wait_us), strict=False)
    return binding


def use_interpreter_libpython(environ=os.environ) -> str | None:
    """PyTriton's Python backend stub links ``libpython3.X.so.1.0`` and finds the system's first;
    an interpreter with its own (pyenv, conda) then runs its standard library on another patch
    release's libpython, and the model fails to load (AttributeError: '_thread.RLock' object has no
    attribute '_recursion_count' with Debian's 3.11.2 under pyenv's 3.11.7). Putting the
    interpreter's LIBDIR first on LD_LIBRARY_PATH, which tritonserver and the stub inherit, makes
    them match. Returns the directory added, or None."""
    libdir = sysconfig.get_config_var("LIBDIR")
    name = sysconfig.get_config_var("LDLIBRARY") or ""
    if not libdir or not name.endswith(".so") and ".so." not in name:
        return None
    if not os.path.exists(os.path.join(libdir, name)):
        return None
    paths = [p for p in environ.get("LD_LIBRARY_PATH", "").split(":") if p]
    if libdir not in paths:
        environ["LD_LIBRARY_PATH"] = ":".join([libdir, *paths])
    return libdir


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiln.serve.triton",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("model", help="a kiln plan or an ONNX model (built and cached on first start)")
    ap.add_argument("--name", default="kiln", help="the Triton model name (default kiln)")
    ap.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    ap.add_argument("--max-batch", type=int, default=32,
                    help="ONNX models: the profile's max batch (default 32)")
    ap.add_argument("--batch-wait-us", type=int, default=2000,
                    help="Triton's max_queue_delay_microseconds (default 2000)")
    ap.add_argument("--instances", type=int, default=1,
                    help="PyTriton model instances, each running one batch at a time (default 1; "
                    "see docs/serving.md before raising it)")
    ap.add_argument("--contexts", type=int, default=None,
                    help="execution contexts (default: one per instance)")
    ap.add_argument("--cpu-threads", type=int, default=0)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--http-port", type=int, default=8000)
    ap.add_argument("--grpc-port", type=int, default=8001)
    ap.add_argument("--metrics-port", type=int, default=8002)
    ap.add_argument("--host", default="127.0.0.1", help="address Triton listens on")
    ap.add_argument("--exit-timeout", type=int, default=5,
                    help="seconds Triton waits for requests in flight when stopping (default 5)")
    args = ap.parse_args(argv)
    try:
        from pytriton.triton import Triton, TritonConfig
    except ImportError:
        print("kiln.serve.triton: PyTriton is not installed here; run bash "
              "scripts/setup-pytriton.sh and use .venv-pytriton/bin/python", file=sys.stderr)
        return 2
    use_interpreter_libpython()
    plan, info = load_or_build_plan(args.model, args.cache_dir, args.device, args.max_batch)
    contexts = max(args.contexts or args.instances, args.instances)
    model = ServedModel(plan, contexts=contexts, cpu_threads=args.cpu_threads)
    config = TritonConfig(http_address=args.host, http_port=args.http_port,
                          grpc_address=args.host, grpc_port=args.grpc_port,
                          metrics_address=args.host, metrics_port=args.metrics_port,
                          exit_timeout_secs=args.exit_timeout)
    with Triton(config=config) as triton:
        binding = bind(triton, model, args.name, args.batch_wait_us, args.instances)
        print(json.dumps(model.describe(), indent=1))
        print(f"kiln.serve.triton: model '{args.name}' on http://{args.host}:{args.http_port} "
              f"(gRPC {args.grpc_port}); Ctrl-C stops", flush=True)
        try:
            triton.serve()
        finally:
            print("kiln.serve.triton: batches formed (rows: count): "
                  f"{binding.formed()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
