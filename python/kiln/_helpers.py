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


Dims.MAX_DIMS = 8  # TensorRT's Dims.MAX_DIMS: kiln shapes have at most 8 dimensions


class _DimsN(Dims):
    """A Dims of a fixed rank, made as ``Dims2(1, 2)`` or ``Dims2((1, 2))``."""

    __slots__ = ()
    RANK = 0

    def __new__(cls, *values):
        if len(values) == 1 and not isinstance(values[0], int):
            values = tuple(values[0])
        if len(values) != cls.RANK:
            raise ValueError(f"{cls.__name__} takes {cls.RANK} dimensions, got {len(values)}")
        return super().__new__(cls, values)


class Dims2(_DimsN):
    """TensorRT's Dims2: a Dims of 2 dimensions."""

    __slots__ = ()
    RANK = 2


class DimsHW(Dims2):
    """TensorRT's DimsHW: 2 dimensions, height and width (``.h``, ``.w``)."""

    __slots__ = ()

    @property
    def h(self) -> int:
        return self[0]

    @property
    def w(self) -> int:
        return self[1]


class Dims3(_DimsN):
    """TensorRT's Dims3: a Dims of 3 dimensions."""

    __slots__ = ()
    RANK = 3


class Dims4(_DimsN):
    """TensorRT's Dims4: a Dims of 4 dimensions."""

    __slots__ = ()
    RANK = 4


class Permutation(tuple):
    """TensorRT's Permutation: an axis order for IShuffleLayer's transposes (any sequence of ints
    is accepted there too)."""

    __slots__ = ()

    def __new__(cls, order: Iterable[int] = ()):
        return super().__new__(cls, (int(a) for a in order))


class NetworkDefinitionCreationFlag(enum.IntEnum):
    """Flags for Builder.create_network. Explicit batch is kiln's only mode: accepted, no effect.
    STRONGLY_TYPED is read back (network.get_flag); the Python plugin flags do not apply."""

    EXPLICIT_BATCH = 0
    STRONGLY_TYPED = 1
    PREFER_JIT_PYTHON_PLUGINS = 2
    PREFER_AOT_PYTHON_PLUGINS = 3


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
