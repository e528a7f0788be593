"""The GPU half of IExecutionContext.infer: device inputs and outputs without copies where possible.

Inputs: torch tensors (moved/converted only when they are not contiguous CUDA tensors of the
engine's type), objects with ``__cuda_array_interface__`` (CuPy, Numba, DeviceArray), objects with
``__dlpack__`` (through torch), and host arrays (copied to the device). Outputs: torch CUDA tensors
when torch is importable, else DeviceArray.
"""

from __future__ import annotations

from typing import Any

from . import _kiln
from ._helpers import nptype, volume


class DeviceArray:
    """Device memory kiln allocated for an output when torch is not available.

    Exposes ``__cuda_array_interface__`` (version 3), so ``cupy.asarray(x)``,
    ``torch.as_tensor(x, device="cuda")`` and Numba take it without a copy; ``numpy()`` copies it
    to the host. The memory is freed when the object is.
    """

    def __init__(self, shape, dtype):
        import numpy as np

        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.nbytes = volume(self.shape) * self.dtype.itemsize
        self._buffer = _kiln._DeviceBuffer(self.nbytes)

    @classmethod
    def from_host(cls, array):
        out = cls(array.shape, array.dtype)
        _kiln._copy_to_device(out.ptr, array)
        return out

    @property
    def ptr(self) -> int:
        return self._buffer.ptr

    @property
    def __cuda_array_interface__(self) -> dict:
        return {
            "shape": self.shape,
            "typestr": self.dtype.str,
            "data": (self.ptr, False),
            "strides": None,
            "version": 3,
        }

    def numpy(self):
        """A host copy (synchronous)."""
        import numpy as np

        host = np.empty(self.shape, dtype=self.dtype)
        _kiln._copy_to_host(host, self.ptr)
        return host

    def __repr__(self) -> str:
        return f"kiln.DeviceArray(shape={self.shape}, dtype={self.dtype})"


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


_TORCH_TYPES = {
    "FLOAT": "float32",
    "HALF": "float16",
    "BF16": "bfloat16",
    "INT8": "int8",
    "UINT8": "uint8",
    "INT32": "int32",
    "INT64": "int64",
    "BOOL": "bool",
}


def _torch_dtype(torch, dtype: _kiln.DataType):
    return getattr(torch, _TORCH_TYPES[dtype.name])


def _c_contiguous(shape, strides, itemsize) -> bool:
    if strides is None:
        return True
    expected = itemsize
    for dim, stride in zip(reversed(shape), reversed(strides)):
        if dim != 1 and stride != expected:
            return False
        expected *= dim
    return True


class _InputError(Exception):
    pass


def _device_input(value: Any, dtype: _kiln.DataType, torch, keep: list):
    """(device address, shape) of an input, converting it where needed; `keep` holds it alive."""
    import numpy as np

    if torch is not None and isinstance(value, torch.Tensor):
        t = value.to(device="cuda", dtype=_torch_dtype(torch, dtype)).contiguous()
        keep.append(t)
        return t.data_ptr(), tuple(t.shape)
    if hasattr(value, "__cuda_array_interface__"):
        cai = value.__cuda_array_interface__
        want = np.dtype(nptype(dtype))
        shape = tuple(cai["shape"])
        if np.dtype(cai["typestr"]) == want and _c_contiguous(shape, cai.get("strides"), want.itemsize):
            keep.append(value)
            return int(cai["data"][0]), shape
        if torch is None:
            raise _InputError(
                f"a {cai['typestr']} device array (strides {cai.get('strides')}) where the engine "
                f"needs contiguous {want}; convert it first or install torch")
        return _device_input(torch.as_tensor(value, device="cuda"), dtype, torch, keep)
    if hasattr(value, "__dlpack__") and not isinstance(value, np.ndarray):
        if torch is None:
            raise _InputError("DLPack inputs need torch (torch.from_dlpack)")
        return _device_input(torch.from_dlpack(value), dtype, torch, keep)
    array = np.ascontiguousarray(value, dtype=nptype(dtype))
    if torch is not None:
        return _device_input(torch.from_numpy(array), dtype, torch, keep)
    device = DeviceArray.from_host(array)
    keep.append(device)
    return device.ptr, array.shape


def infer(context, engine, inputs, outputs, feeds, stream):
    from ._infer import _fail

    torch = _torch()
    if stream is None:
        stream = torch.cuda.current_stream().cuda_stream if torch is not None else 0
    keep = []
    for name in inputs:
        try:
            address, shape = _device_input(feeds[name], engine.get_tensor_dtype(name), torch, keep)
        except _InputError as e:
            return _fail(context, f"input '{name}': {e}")
        if not context.set_input_shape(name, shape):
            return None
        if not context.set_tensor_address(name, address):
            return None
    results = {}
    for name in outputs:
        shape = context.get_tensor_shape(name)
        if shape is None:
            return None
        dtype = engine.get_tensor_dtype(name)
        if torch is not None:
            out = torch.empty(tuple(shape), dtype=_torch_dtype(torch, dtype), device="cuda")
            address = out.data_ptr()
        else:
            out = DeviceArray(shape, nptype(dtype))
            address = out.ptr
        if not context.set_tensor_address(name, address):
            return None
        results[name] = out
    if not context.execute_async_v3(stream):
        return None
    if torch is None:
        _kiln._synchronize(stream)  # `keep` goes away on return; the caller sees finished outputs
    elif stream != torch.cuda.current_stream().cuda_stream:
        # Inputs converted here were allocated on torch's current stream; tell the caching
        # allocator they are in use on `stream` until the work queued there is done.
        external = torch.cuda.ExternalStream(stream)
        for t in keep:
            if isinstance(t, torch.Tensor):
                t.record_stream(external)
    return results
