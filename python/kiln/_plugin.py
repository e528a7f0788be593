"""Plugins written in Python (CPU backend), for prototyping a layer before writing it in C++.

Subclass :class:`PluginV3`, override what the layer needs, and pass an instance to
``network.add_plugin_v3(inputs, shape_inputs, plugin)``. To load plans that use it, register a
creator: any object with ``get_plugin_name()``, ``get_plugin_version()`` and
``create_plugin(name, fields, phase)`` (see docs/plugins.md).
"""

from __future__ import annotations

import copy

from . import _kiln
from ._helpers import nptype


def _field_of(name: str, values) -> _kiln.PluginField:
    """A PluginField from a str (CHAR) or anything numpy turns into an array."""
    import numpy as np

    if isinstance(values, str):
        return _kiln.PluginField(name, values.encode(), _kiln.PluginFieldType.CHAR)
    array = np.ascontiguousarray(values)
    table = {
        np.dtype(np.float16): _kiln.PluginFieldType.FLOAT16,
        np.dtype(np.float32): _kiln.PluginFieldType.FLOAT32,
        np.dtype(np.float64): _kiln.PluginFieldType.FLOAT64,
        np.dtype(np.int8): _kiln.PluginFieldType.INT8,
        np.dtype(np.int16): _kiln.PluginFieldType.INT16,
        np.dtype(np.int32): _kiln.PluginFieldType.INT32,
        np.dtype(np.int64): _kiln.PluginFieldType.INT64,
        np.dtype(np.uint8): _kiln.PluginFieldType.UINT8,
    }
    if array.dtype not in table:
        raise TypeError(f"PluginField {name!r}: no field type for numpy {array.dtype}")
    return _kiln.PluginField(name, array.reshape(-1).tobytes(), table[array.dtype])


def _field_values(field: _kiln.PluginField):
    """The values of a PluginField: a str for CHAR, else a 1-D numpy array."""
    import numpy as np

    if field.type == _kiln.PluginFieldType.CHAR:
        return field.data
    table = {
        _kiln.PluginFieldType.FLOAT16: np.float16,
        _kiln.PluginFieldType.FLOAT32: np.float32,
        _kiln.PluginFieldType.FLOAT64: np.float64,
        _kiln.PluginFieldType.INT8: np.int8,
        _kiln.PluginFieldType.INT16: np.int16,
        _kiln.PluginFieldType.INT32: np.int32,
        _kiln.PluginFieldType.INT64: np.int64,
        _kiln.PluginFieldType.UINT8: np.uint8,
    }
    return np.frombuffer(field.data, dtype=table[field.type]).copy()


_kiln.PluginField.of = staticmethod(_field_of)
_kiln.PluginField.values = property(_field_values, doc="The values (str for CHAR, else numpy).")


class PluginV3:
    """Base class of a Python plugin. Defaults: one output of the first input's type and shape,
    every type supported, no workspace, no fields, clone() = deepcopy."""

    def get_plugin_name(self) -> str:
        return type(self).__name__

    def get_plugin_version(self) -> str:
        return "1"

    def clone(self) -> "PluginV3":
        return copy.deepcopy(self)

    def get_nb_outputs(self) -> int:
        return 1

    def get_output_data_types(self, input_types):
        return [input_types[0]] * self.get_nb_outputs()

    def get_output_shapes(self, inputs, shape_inputs):
        return [inputs[0]] * self.get_nb_outputs()

    def supports_types(self, input_types, output_types) -> bool:
        return True

    def get_workspace_size(self, input_descs, output_descs) -> int:
        return 0

    def enqueue(self, input_descs, output_descs, inputs, outputs, workspace) -> None:
        """inputs/outputs: numpy arrays over the engine's memory (write the outputs in place);
        descs: (DataType, shape) pairs; workspace: a uint8 array or None."""
        raise NotImplementedError(f"{type(self).__name__}.enqueue")

    def get_fields_to_serialize(self):
        return []

    def _enqueue_raw(self, input_descs, output_descs, inputs, outputs, workspace):
        import numpy as np

        def arrays(descs, views):
            return [
                np.frombuffer(view, dtype=nptype(dtype)).reshape(tuple(shape))
                for (dtype, shape), view in zip(descs, views)
            ]

        ws = None if workspace is None else np.frombuffer(workspace, dtype=np.uint8)
        self.enqueue(input_descs, output_descs, arrays(input_descs, inputs),
                     arrays(output_descs, outputs), ws)
