"""kiln engines behind Ray Serve: one engine and a pool of execution contexts per replica,
requests batched with ``@serve.batch`` up to the optimization profile's maximum batch (in rows).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

from ray import serve

from . import _http
from ._model import PayloadError, ServedModel, load_or_build_plan

log = logging.getLogger("ray.serve")


def _rows(items: list) -> int:
    """Batch size of queued requests for @serve.batch: the rows they carry."""
    return sum(item[1] for item in items)


class KilnDeployment:
    """A Ray Serve deployment serving one kiln engine.

    HTTP: POST a JSON/.npz/.npy payload (kiln.serve._http) to the route; GET returns the engine's
    inputs, outputs and batching. Python: ``handle.infer.remote({name: array})`` returns
    {name: array} (torch tensors back when torch tensors were sent).
    """

    def __init__(self, model: str, cache_dir: str | None = None, device: str = "auto",
                 contexts: int = 2, cpu_threads: int = 0, max_batch: int | None = None,
                 batch_wait_ms: float = 2.0, fp16: bool = False):
        plan, info = load_or_build_plan(model, cache_dir, device, max_batch or 32, fp16)
        self.model = ServedModel(plan, contexts=contexts, cpu_threads=cpu_threads)
        self.info = info
        limit = self.model.max_batch
        if max_batch is not None and self.model.batchable:
            limit = max(1, min(max_batch, limit))
        self.max_batch = limit
        self.batch_wait_s = max(0.0, batch_wait_ms / 1000.0)
        self._batched = serve.batch(max_batch_size=limit, batch_wait_timeout_s=self.batch_wait_s,
                                    max_concurrent_batches=self.model.num_contexts,
                                    batch_size_fn=_rows)(self._run_batch)
        self.replica = f"{socket.gethostname()}:{os.getpid()}"
        log.info("kiln.serve: %s (%s) on %s, max batch %d rows, wait %.1f ms, %d contexts",
                 model, "built" if info["built"] else "loaded", self.model.describe()["device"],
                 limit, batch_wait_ms, self.model.num_contexts)

    def describe(self) -> dict:
        d = self.model.describe()
        d.update(max_batch=self.max_batch, batch_wait_ms=self.batch_wait_s * 1000,
                 replica=self.replica, plan=self.info["plan"])
        return d

    async def _run_batch(self, items: list) -> list:
        """@serve.batch's handler (made per replica in __init__, with the engine's limits): queued
        (request, rows) items -> per item (outputs, batch rows, batch requests). Each context of
        the pool may run a batch at the same time (max_concurrent_batches)."""
        requests = [feeds for feeds, _ in items]
        loop = asyncio.get_running_loop()
        # kiln releases the GIL while it runs, so the event loop keeps taking requests meanwhile.
        return await loop.run_in_executor(None, self.model.infer_many, requests)

    async def _infer(self, feeds: Any) -> tuple[dict, int, int]:
        checked = self.model.validate(feeds)
        rows = self.model.rows(checked)
        if rows > self.max_batch:
            name = self.model.inputs[0].name
            raise PayloadError(f"input '{name}': batch of {rows} is larger than the server's "
                               f"maximum batch {self.max_batch}", name)
        return await self._batched((checked, rows))

    async def infer(self, feeds: Any) -> dict:
        """The Python handle's call: {input name: numpy array or torch tensor} -> outputs."""
        torch_in = any(hasattr(v, "detach") for v in getattr(feeds, "values", lambda: [])())
        outputs, _, _ = await self._infer(feeds)
        if torch_in:
            import torch

            return {k: torch.from_numpy(v) for k, v in outputs.items()}
        return outputs

    async def infer_with_batch(self, feeds: Any) -> tuple[dict, int, int]:
        """Like infer, plus the rows and requests of the batch the request ran in."""
        return await self._infer(feeds)

    async def __call__(self, request) -> Any:
        from starlette.responses import JSONResponse, Response

        if request.method == "GET":
            return JSONResponse(self.describe())
        if request.method != "POST":
            return JSONResponse({"error": f"{request.method} is not served: POST a payload"},
                                status_code=405)
        try:
            kind = _http.payload_format(request.headers.get("content-type"))
            body = await request.body()
            feeds = _http.decode(body, kind, [t.name for t in self.model.inputs])
            outputs, rows, count = await self._infer(feeds)
            content, media, headers = _http.encode(outputs, rows, count, kind)
            headers["X-Kiln-Replica"] = self.replica
            return Response(content, media_type=media, headers=headers)
        except PayloadError as e:
            return Response(_http.error_body(e), status_code=e.status, media_type=_http.JSON)
        except Exception as e:  # noqa: BLE001 - a server error is reported, the server goes on
            log.exception("kiln.serve: request failed")
            return Response(_http.error_body(RuntimeError(f"{type(e).__name__}: {e}")),
                            status_code=500, media_type=_http.JSON)


def _num_gpus(device: str) -> float:
    """One GPU per replica for GPU engines; 0 for the CPU backend (auto: a GPU if Ray has one)."""
    if device == "cpu":
        return 0
    if device == "gpu":
        return 1
    import ray

    return 1 if ray.is_initialized() and ray.cluster_resources().get("GPU", 0) >= 1 else 0


def deployment(model: str, *, name: str = "kiln", num_replicas: int = 1, device: str = "auto",
               contexts: int = 2, cpu_threads: int = 0, max_batch: int | None = None,
               batch_wait_ms: float = 2.0, fp16: bool = False, cache_dir: str | None = None,
               num_cpus: float = 1.0, max_ongoing_requests: int | None = None):
    """A bound Ray Serve application serving ``model`` (a .plan, or an .onnx built on first start
    and cached per device model and kiln version). Pass it to ``serve.run``.

    GPU replicas ask Ray for one GPU each (``ray_actor_options={"num_gpus": 1}``), so a cluster
    places one replica per GPU; CPU replicas ask for ``num_cpus``.
    """
    model = os.path.abspath(model)
    if cache_dir is not None:
        cache_dir = os.path.abspath(cache_dir)
    gpus = _num_gpus(device)
    # auto is settled here, where Ray's resources are known: replicas get "gpu" or "cpu".
    device = "gpu" if gpus else "cpu"
    options = {"num_gpus": gpus, "num_cpus": 0 if gpus else num_cpus}
    # Enough requests in a replica to fill every context's batch while the next batch queues.
    ongoing = max_ongoing_requests or max(64, 2 * (max_batch or 32) * max(1, contexts))
    cls = serve.deployment(KilnDeployment, name=name, num_replicas=num_replicas,
                           ray_actor_options=options, max_ongoing_requests=ongoing,
                           health_check_period_s=2.0, health_check_timeout_s=10.0)
    return cls.bind(model, cache_dir=cache_dir, device=device, contexts=contexts,
                    cpu_threads=cpu_threads, max_batch=max_batch, batch_wait_ms=batch_wait_ms,
                    fp16=fp16)
