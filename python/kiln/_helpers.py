"""kiln's pure-Python helpers: Dims, nptype, volume, NetworkDefinitionCreationFlag."""

from __future__ import annotations

import enum
import functools
import operator
from typing import Iterable

from . import _kiln


class Dims(tuple):
    """A shape: a tuple of ints, -1 where a dimension is known only at run time.

    Behaves like a tuple (len, indexing, iteration, ``Dims((1, 2)) == (1, 2)``). Accepts
    ``Dims((1, 2))``, ``Dims([1, 2])`` and TensorRT's ``Dims2(1, 2)`` style via the aliases.
    """

    __slots__ = ()

    def __new__(cls, shape: Iterable[int] | int = ()):
        if isinstance(shape, int):
            shape = (shape,)
        return super().__new__(cls, (int(d) for d in shape))

    @property
    def nb_dims(self) -> int:
        return len(self)

    def __repr__(self) -> str:
        return "(" + ", ".join(str(d) for d in self) + ("," if len(self) == 1 else "") + ")"


def _dims_n(name: str, rank: int):
    def make(*values):
        if len(values) == 1 and not isinstance(values[0], int):
            values = tuple(values[0])
        if len(values) != rank:
            raise ValueError(f"{name} takes {rank} dimensions, got {len(values)}")
        return Dims(values)

    make.__name__ = name
    make.__doc__ = f"TensorRT's {name}: a Dims of {rank} dimensions."
    return make


Dims2 = _dims_n("Dims2", 2)
DimsHW = _dims_n("DimsHW", 2)
Dims3 = _dims_n("Dims3", 3)
Dims4 = _dims_n("Dims4", 4)


class NetworkDefinitionCreationFlag(enum.IntEnum):
    """Flags for Builder.create_network. Explicit batch is kiln's only mode: accepted, no effect."""

    EXPLICIT_BATCH = 0
    STRONGLY_TYPED = 1


def volume(shape: Iterable[int]) -> int:
    """Number of elements of a shape (1 for a 0-d shape), as TensorRT's trt.volume."""
    return functools.reduce(operator.mul, (int(d) for d in shape), 1)


def nptype(dtype: _kiln.DataType):
    """The numpy type of a kiln DataType (bfloat16 needs the ml_dtypes package)."""
    import numpy as np

    table = {
        _kiln.DataType.FLOAT: np.float32,
        _kiln.DataType.HALF: np.float16,
        _kiln.DataType.INT8: np.int8,
        _kiln.DataType.UINT8: np.uint8,
        _kiln.DataType.INT32: np.int32,
        _kiln.DataType.INT64: np.int64,
        _kiln.DataType.BOOL: np.bool_,
    }
    if dtype in table:
        return table[dtype]
    if dtype == _kiln.DataType.BF16:
        try:
            import ml_dtypes
        except ImportError as e:
            raise TypeError("DataType.BF16 has no numpy type without the ml_dtypes package") from e
        return ml_dtypes.bfloat16
    raise TypeError(f"no numpy type for {dtype}")


def _itemsize(dtype: _kiln.DataType) -> int:
    return {
        _kiln.DataType.FLOAT: 4,
        _kiln.DataType.HALF: 2,
        _kiln.DataType.BF16: 2,
        _kiln.DataType.INT8: 1,
        _kiln.DataType.UINT8: 1,
        _kiln.DataType.INT32: 4,
        _kiln.DataType.INT64: 8,
        _kiln.DataType.BOOL: 1,
    }[dtype]
