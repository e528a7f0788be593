"""IExecutionContext.infer: set shapes, allocate outputs, run — kiln's one-call inference.

CPU engines take and return numpy arrays. GPU engines take any object with
``__cuda_array_interface__`` or DLPack (torch/CuPy/JAX arrays; numpy arrays are copied to the
device) and return torch CUDA tensors when torch is importable, else ``DeviceArray`` objects that
expose ``__cuda_array_interface__`` (wrap them with ``cupy.asarray`` or ``torch.as_tensor``).
"""

from __future__ import annotations

from typing import Any, Mapping

from . import _kiln
from ._helpers import nptype


def _fail(context, message: str):
    """TensorRT-style failure: raise in strict mode, else log and return None."""
    if _kiln.get_strict():
        raise _kiln.Error(message)
    _kiln._report_error(context, "infer", message)
    return None


def infer(self, feeds: Mapping[str, Any], stream: int | None = None):
    """Runs the engine on ``feeds`` ({input name: array}) and returns {output name: array}.

    Sets every input's shape from its array, allocates the outputs at the inferred shapes, sets
    all addresses and runs. Inputs are converted to the engine's data types (a copy only where
    needed). On failure (a missing or unknown input, a shape outside the profile) returns None and
    logs the reason (kiln.Error in strict mode), like the TensorRT calls it is made of.

    GPU engines run on ``stream`` (an int; by default torch's current stream when torch is
    importable, else the legacy default stream, synchronised before returning).
    """
    engine = self.engine
    names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
    inputs = [n for n in names if engine.get_tensor_mode(n) == _kiln.TensorIOMode.INPUT]
    outputs = [n for n in names if engine.get_tensor_mode(n) == _kiln.TensorIOMode.OUTPUT]
    unknown = sorted(set(feeds) - set(inputs))
    if unknown:
        return _fail(self, f"unknown input(s) {unknown}; the engine's inputs are {inputs}")
    missing = [n for n in inputs if n not in feeds]
    if missing:
        return _fail(self, f"missing input(s) {missing}")
    if engine.device_type == _kiln.DeviceType.CPU:
        return _infer_cpu(self, engine, inputs, outputs, feeds)
    from . import _gpu

    return _gpu.infer(self, engine, inputs, outputs, feeds, stream)


def _infer_cpu(context, engine, inputs, outputs, feeds):
    import numpy as np

    keep = []  # the arrays whose addresses are set, alive until the run is over
    for name in inputs:
        value = feeds[name]
        if hasattr(value, "__cuda_array_interface__"):
            return _fail(context, f"input '{name}' is in GPU memory but the engine runs on the CPU")
        array = np.ascontiguousarray(value, dtype=nptype(engine.get_tensor_dtype(name)))
        if not context.set_input_shape(name, array.shape):
            return None
        if not context.set_tensor_address(name, array.ctypes.data):
            return None
        keep.append(array)
    results = {}
    for name in outputs:
        shape = context.get_tensor_shape(name)
        if shape is None:
            return None
        array = np.empty(tuple(shape), dtype=nptype(engine.get_tensor_dtype(name)))
        if not context.set_tensor_address(name, array.ctypes.data):
            return None
        results[name] = array
    if not context.execute_async_v3(0):
        return None
    return results
