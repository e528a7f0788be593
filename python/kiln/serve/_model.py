"""The serving core, without Ray: a plan (or an ONNX model built and cached), one engine, a pool of
execution contexts, payload validation and batched inference. kiln.serve's Ray Serve deployment
and its PyTriton binding are thin layers over ``ServedModel`` (docs/serving.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
import platform
import queue
import threading
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

import kiln as trt


class PayloadError(ValueError):
    """A request the client got wrong (HTTP 400): names the input at fault where there is one."""

    status = 400

    def __init__(self, message: str, input_name: str | None = None):
        super().__init__(message)
        self.input_name = input_name

    def to_json(self) -> dict:
        return {"error": str(self), "input": self.input_name}


@dataclass(frozen=True)
class TensorSpec:
    """One I/O tensor of the engine: its name, numpy dtype, engine shape (-1: dynamic) and, for
    inputs, optimization profile 0's min/max shapes."""

    name: str
    dtype: np.dtype
    shape: tuple
    min_shape: tuple | None = None
    max_shape: tuple | None = None

    def describe(self) -> dict:
        d = {"name": self.name, "dtype": self.dtype.name, "shape": list(self.shape)}
        if self.min_shape is not None:
            d["min_shape"], d["max_shape"] = list(self.min_shape), list(self.max_shape)
        return d


# ------------------------------------------------------------------------------------------------
# Plans: loaded as they are, or built from ONNX once per model, device model, kiln version, options


def device_model(device_type) -> str:
    """What a plan is specific to: the GPU's name for GPU engines, the processor for CPU ones."""
    if device_type == trt.DeviceType.GPU:
        try:
            import torch

            if torch.cuda.is_available():
                return torch.cuda.get_device_name(0)
        except ImportError:
            pass
        import subprocess

        with contextlib.suppress(OSError, ValueError, subprocess.SubprocessError):
            query = ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", "0"]
            out = subprocess.run(query, capture_output=True, text=True, timeout=10,
                                 check=True).stdout
            if out.strip():
                return out.strip().splitlines()[0]
        return "gpu"
    name = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    return "cpu " + name


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "_" for c in text).strip("_")[:60]


def default_cache_dir() -> pathlib.Path:
    base = os.environ.get("KILN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kiln")
    return pathlib.Path(base) / "plans"


def _onnx_inputs(network) -> list:
    return [network.get_input(i) for i in range(network.num_inputs)]


def build_plan_from_onnx(onnx_bytes: bytes, device_type, max_batch: int, fp16: bool = False,
                         logger=None, path: str | None = None) -> bytes:
    """Builds a plan with one optimization profile: every input's dimension 0, when dynamic, ranges
    over 1..max_batch (opt max_batch); other dynamic dimensions are an error naming the input."""
    logger = logger or trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(onnx_bytes, path):
        errors = "; ".join(parser.get_error(i).desc() for i in range(parser.num_errors))
        raise ValueError(f"{path or 'the ONNX model'} does not parse: {errors}")
    config = builder.create_builder_config()
    config.default_device_type = device_type
    if fp16:
        config.set_flag(trt.BuilderFlag.FP16)
    profile = builder.create_optimization_profile()
    dynamic = False
    for tensor in _onnx_inputs(network):
        shape = tuple(tensor.shape)
        if any(d < 0 for d in shape[1:]):
            raise ValueError(
                f"input '{tensor.name}' has shape {list(shape)}: only dimension 0 (the batch) may "
                "be dynamic when kiln.serve builds from ONNX; build a plan with the shape ranges "
                "you need (kiln build --onnx=... --minShapes/--optShapes/--maxShapes) and serve it")
        if shape and shape[0] < 0:
            dynamic = True
            rest = shape[1:]
            profile.set_shape(tensor.name, (1, *rest), (max_batch, *rest), (max_batch, *rest))
    if dynamic:
        config.add_optimization_profile(profile)
    plan = builder.build_serialized_network(network, config)
    if plan is None:
        raise RuntimeError(f"building {path or 'the ONNX model'} failed: {trt.get_last_error()}")
    if device_type == trt.DeviceType.GPU:
        # Without a usable GPU kiln builds for its CPU backend (with a warning): such a plan must
        # not be cached under the GPU's name.
        engine = trt.Runtime(logger).deserialize_cuda_engine(plan)
        if engine is None or engine.device_type != trt.DeviceType.GPU:
            raise RuntimeError("a GPU plan was asked for but kiln found no usable GPU and built "
                               "for the CPU backend; serve with device='cpu' (--device=cpu)")
    return bytes(plan)


def plan_cache_path(onnx_bytes: bytes, cache_dir, device_type, max_batch: int,
                    fp16: bool) -> pathlib.Path:
    """Where the plan built from ``onnx_bytes`` with these options for this device model and kiln
    version is cached: a different GPU model, kiln version or option builds a new plan."""
    digest = hashlib.sha256(onnx_bytes).hexdigest()[:16]
    model = device_model(device_type)
    options = f"b{max_batch}{'-fp16' if fp16 else ''}"
    key = hashlib.sha256(f"{digest}|{model}|{trt.kiln_version}|{options}".encode()).hexdigest()[:12]
    name = f"{digest}-{_slug(model)}-kiln{trt.kiln_version}-{options}-{key}.plan"
    return pathlib.Path(cache_dir) / name


def load_or_build_plan(model_path, cache_dir=None, device: str = "auto", max_batch: int = 32,
                       fp16: bool = False, logger=None) -> tuple[bytes, dict]:
    """(plan bytes, info) for a ``.plan`` (read as is) or an ``.onnx`` model (built on first use and
    cached in ``cache_dir``; concurrent replicas wait for one build through a lock file)."""
    model_path = pathlib.Path(model_path)
    data = model_path.read_bytes()
    if model_path.suffix.lower() != ".onnx":
        return data, {"source": str(model_path), "plan": str(model_path), "built": False}
    device_type = _device_type(device)
    cache = pathlib.Path(cache_dir) if cache_dir else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = plan_cache_path(data, cache, device_type, max_batch, fp16)
    info = {"source": str(model_path), "plan": str(target), "built": False}
    import fcntl

    with open(str(target) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target.read_bytes(), info
        plan = build_plan_from_onnx(data, device_type, max_batch, fp16, logger, str(model_path))
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(plan)
        os.replace(tmp, target)
        meta = {"onnx": str(model_path.resolve()), "device": device_model(device_type),
                "kiln_version": trt.kiln_version, "max_batch": max_batch, "fp16": fp16}
        target.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    info["built"] = True
    return plan, info


def gpu_visible() -> bool:
    """Whether this process sees a GPU (torch, else nvidia-smi): auto builds for the GPU then."""
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        pass
    import subprocess

    with contextlib.suppress(OSError, ValueError, subprocess.SubprocessError):
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
        return out.returncode == 0 and "GPU" in out.stdout
    return False


def _device_type(device: str):
    if device == "cpu":
        return trt.DeviceType.CPU
    if device == "gpu":
        return trt.DeviceType.GPU
    if device == "auto":
        return trt.DeviceType.GPU if gpu_visible() else trt.DeviceType.CPU
    raise ValueError(f"device must be 'auto', 'cpu' or 'gpu', not {device!r}")


# ------------------------------------------------------------------------------------------------
# The engine, its contexts, and requests


def _to_numpy(value: Any, name: str) -> np.ndarray:
    """A payload value as a host numpy array (torch tensors too); never an object array."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise PayloadError(f"input '{name}': not a rectangular array of numbers ({e})",
                           name) from None
    if array.dtype == object or array.dtype.kind in "USVcmMO":
        raise PayloadError(f"input '{name}': values of type {array.dtype} (ragged nesting, "
                           "strings or complex numbers?) cannot be an input", name)
    return array


def _host(value) -> np.ndarray:
    """An output as a host array (GPU engines return torch tensors or kiln.DeviceArray)."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return value.numpy()


class ServedModel:
    """One engine and ``contexts`` execution contexts (a thread-safe pool) serving requests.

    A request is {input name: array}; every input carries the same number of rows in dimension 0
    when the engine batches (dimension 0 of every I/O tensor is dynamic), and ``infer_many`` runs
    several requests as one batch of at most ``max_batch`` rows.
    """

    def __init__(self, plan: bytes, contexts: int = 2, cpu_threads: int = 0, logger=None):
        self.logger = logger or trt.Logger(trt.Logger.WARNING)
        runtime = trt.Runtime(self.logger)
        if cpu_threads:
            runtime.cpu_threads = cpu_threads
        self.engine = runtime.deserialize_cuda_engine(plan)
        if self.engine is None:
            raise RuntimeError(f"the plan does not load: {trt.get_last_error()}")
        self.on_gpu = self.engine.device_type == trt.DeviceType.GPU
        e = self.engine
        self.inputs: list[TensorSpec] = []
        self.outputs: list[TensorSpec] = []
        for i in range(e.num_io_tensors):
            name = e.get_tensor_name(i)
            dtype = np.dtype(trt.nptype(e.get_tensor_dtype(name)))
            shape = tuple(e.get_tensor_shape(name))
            if e.get_tensor_mode(name) == trt.TensorIOMode.INPUT:
                if any(d < 0 for d in shape):
                    lo, _, hi = e.get_tensor_profile_shape(name, 0)
                    lo, hi = tuple(lo), tuple(hi)
                else:
                    lo = hi = shape
                self.inputs.append(TensorSpec(name, dtype, shape, lo, hi))
            else:
                self.outputs.append(TensorSpec(name, dtype, shape))
        io = self.inputs + self.outputs
        self.batchable = bool(io) and all(len(t.shape) > 0 and t.shape[0] < 0 for t in io)
        self.max_batch = min(t.max_shape[0] for t in self.inputs) if self.batchable else 1
        self._pool: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        for _ in range(max(1, contexts)):
            context = e.create_execution_context()
            if context is None:
                raise RuntimeError(f"no execution context: {trt.get_last_error()}")
            self._pool.put(context)
        self.num_contexts = max(1, contexts)

    # -- description ---------------------------------------------------------------------------
    def describe(self) -> dict:
        return {"inputs": [t.describe() for t in self.inputs],
                "outputs": [t.describe() for t in self.outputs],
                "device": "gpu" if self.on_gpu else "cpu", "batchable": self.batchable,
                "max_batch": self.max_batch, "contexts": self.num_contexts,
                "kiln_version": trt.kiln_version}

    # -- validation ----------------------------------------------------------------------------
    def validate(self, feeds: Any) -> dict[str, np.ndarray]:
        """The request's inputs as arrays of the engine's dtypes; PayloadError naming the input for
        a missing or unknown input, a dtype that does not convert, a shape the engine cannot run
        (rank, a fixed dimension, outside the profile) or a batch bigger than the profile's."""
        if not isinstance(feeds, Mapping):
            raise PayloadError("the payload must map input names to arrays, e.g. "
                               f"{{\"{self.inputs[0].name if self.inputs else 'x'}\": [...]}}")
        known = {t.name for t in self.inputs}
        unknown = sorted(str(n) for n in feeds if n not in known)
        if unknown:
            raise PayloadError(f"unknown input '{unknown[0]}'; the engine's inputs are "
                               f"{sorted(known)}", unknown[0])
        out: dict[str, np.ndarray] = {}
        rows = None
        for spec in self.inputs:
            if spec.name not in feeds:
                raise PayloadError(f"missing input '{spec.name}' ({spec.dtype.name}, shape "
                                   f"{list(spec.shape)})", spec.name)
            array = _to_numpy(feeds[spec.name], spec.name)
            if array.dtype != spec.dtype:
                if array.size and not np.can_cast(array.dtype, spec.dtype, "same_kind"):
                    raise PayloadError(f"input '{spec.name}': dtype {array.dtype} does not "
                                       f"convert to the engine's {spec.dtype.name}", spec.name)
                array = array.astype(spec.dtype)
            self._check_shape(spec, array.shape)
            if self.batchable:
                if rows is not None and array.shape[0] != rows:
                    raise PayloadError(f"input '{spec.name}' has {array.shape[0]} rows but the "
                                       f"other inputs have {rows}", spec.name)
                rows = array.shape[0]
            out[spec.name] = np.ascontiguousarray(array)
        return out

    def _check_shape(self, spec: TensorSpec, shape: tuple):
        name = spec.name
        if len(shape) != len(spec.shape):
            raise PayloadError(f"input '{name}' has shape {list(shape)} (rank {len(shape)}); the "
                               f"engine expects rank {len(spec.shape)}: {list(spec.shape)}", name)
        for axis, (got, want, lo, hi) in enumerate(zip(shape, spec.shape, spec.min_shape,
                                                       spec.max_shape)):
            if want >= 0 and got != want:
                raise PayloadError(f"input '{name}' has shape {list(shape)}; dimension {axis} "
                                   f"must be {want} (engine shape {list(spec.shape)})", name)
            if not lo <= got <= hi:
                what = "batch of" if axis == 0 and self.batchable else f"dimension {axis} of"
                raise PayloadError(f"input '{name}': {what} {got} is outside the optimization "
                                   f"profile's range {lo}..{hi}", name)

    def rows(self, feeds: Mapping[str, np.ndarray]) -> int:
        """Rows of a validated request (1 for engines that do not batch)."""
        if not self.batchable:
            return 1
        return int(next(iter(feeds.values())).shape[0]) if feeds else 1

    # -- inference -----------------------------------------------------------------------------
    def _run(self, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        context = self._pool.get()
        try:
            result = context.infer(feeds)
            if result is None:
                raise RuntimeError(f"inference failed: {trt.get_last_error()}")
            return {name: _host(value) for name, value in result.items()}
        finally:
            self._pool.put(context)

    def infer(self, feeds: Any) -> dict[str, np.ndarray]:
        """One request, validated then run on a context from the pool."""
        return self._run(self.validate(feeds))

    def infer_many(self, requests: Sequence[Mapping[str, np.ndarray]]) -> list:
        """Validated requests run as few batches as the profile allows; per request, in order:
        (outputs, rows of the batch it ran in, requests in that batch)."""
        results: list = [None] * len(requests)
        if not self.batchable:
            for i, r in enumerate(requests):
                results[i] = (self._run(r), 1, 1)
            return results
        for group in self._batches(requests):
            if len(group) == 1:
                i = group[0]
                outputs = self._run(requests[i])
                results[i] = (outputs, self.rows(requests[i]), 1)
                continue
            merged = {t.name: np.concatenate([requests[i][t.name] for i in group])
                      for t in self.inputs}
            outputs = self._run(merged)
            total = self.rows(merged)
            start = 0
            for i in group:
                n = self.rows(requests[i])
                results[i] = ({k: v[start:start + n].copy() for k, v in outputs.items()},
                              total, len(group))
                start += n
        return results

    def _batches(self, requests) -> Iterable[list[int]]:
        """Indices grouped by the inputs' non-batch shapes, in chunks of at most max_batch rows."""
        groups: dict = {}
        for i, r in enumerate(requests):
            key = tuple(r[t.name].shape[1:] for t in self.inputs)
            groups.setdefault(key, []).append(i)
        for indices in groups.values():
            chunk, rows = [], 0
            for i in indices:
                n = self.rows(requests[i])
                if chunk and rows + n > self.max_batch:
                    yield chunk
                    chunk, rows = [], 0
                chunk.append(i)
                rows += n
            if chunk:
                yield chunk
