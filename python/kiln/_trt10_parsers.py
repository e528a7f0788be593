"""TensorRT 10 members of OnnxParser, OnnxParserRefitter, ParserError, Refitter, the plugin
registry and a few layer attributes (see _trt10.py for the rules these follow)."""

from __future__ import annotations

import enum

from . import _kiln
from ._trt10 import TensorLocation, _state, _stored, _warn
from ._trt10_members import _kept_with_warning as _kept_with_warning_factory


class ErrorCodeTRT(enum.IntEnum):
    """TensorRT's error codes (IErrorRecorder.get_error_code)."""

    SUCCESS = 0
    UNSPECIFIED_ERROR = 1
    INTERNAL_ERROR = 2
    INVALID_ARGUMENT = 3
    INVALID_CONFIG = 4
    FAILED_ALLOCATION = 5
    FAILED_INITIALIZATION = 6
    FAILED_EXECUTION = 7
    FAILED_COMPUTATION = 8
    INVALID_STATE = 9
    UNSUPPORTED_STATE = 10


class TilingOptimizationLevel(enum.IntEnum):
    """IBuilderConfig.tiling_optimization_level: kiln has no tiling optimization (read back)."""

    NONE = 0
    FAST = 1
    MODERATE = 2
    FULL = 3


class PaddingMode(enum.IntEnum):
    """How convolution/pooling padding is computed. kiln pads explicitly
    (EXPLICIT_ROUND_DOWN, with pre_padding/post_padding); the others are refused."""

    EXPLICIT_ROUND_DOWN = 0
    EXPLICIT_ROUND_UP = 1
    SAME_UPPER = 2
    SAME_LOWER = 3


class PluginFieldCollection(list):
    """TensorRT's PluginFieldCollection: a list of PluginField (anything taking a list of fields
    takes it)."""


def _model_bytes(model):
    """ONNX model bytes from bytes-like objects or an onnx.ModelProto."""
    if hasattr(model, "SerializeToString"):
        return model.SerializeToString()
    return model


# ----------------------------------------------------------------------------------------------
# OnnxParser


def _supports_model_v2(self, model, path=None) -> bool:
    """Whether kiln parses the whole model; the subgraph queries then describe the result."""
    ok, subgraphs = self.supports_model(_model_bytes(model), path)
    _state(self)["subgraphs"] = subgraphs
    return ok


def _subgraph(self, index: int, api: str):
    subgraphs = _state(self).get("subgraphs")
    if subgraphs is None:
        raise _kiln.Error(f"OnnxParser.{api}: call supports_model_v2(model) first")
    if not 0 <= index < len(subgraphs):
        raise IndexError(f"OnnxParser.{api}: subgraph {index} of {len(subgraphs)}")
    return subgraphs[index]


def _parse_model_proto(self, model=None, path=None) -> bool:
    """Parses an onnx.ModelProto (or the model load_model_proto gave)."""
    if model is None:
        model = _state(self).get("loaded")
        if model is None:
            raise _kiln.Error("OnnxParser.parse_model_proto: give a model or call "
                              "load_model_proto(model) first")
    data = _model_bytes(model)
    return self.parse(data) if path is None else self.parse(data, path)


def _load_model_proto(self, model, path=None) -> bool:
    _state(self)["loaded"] = _model_bytes(model)
    return True


def _load_initializer(self, name, data, size) -> bool:
    raise _kiln.Error("load_initializer: initializers supplied apart from the model are not "
                      "supported; keep the weights in the model, or next to it as ONNX external "
                      "data and parse_from_file")


# ----------------------------------------------------------------------------------------------
# OnnxParserRefitter


def _refit_model_proto(self, model=None) -> bool:
    if model is None:
        model = _state(self).get("loaded")
        if model is None:
            raise _kiln.Error("OnnxParserRefitter.refit_model_proto: give a model or call "
                              "load_model_proto(model) first")
    return self.refit_from_bytes(_model_bytes(model))


# ----------------------------------------------------------------------------------------------
# Refitter


def _set_named_weights(self, name, weights, location=TensorLocation.HOST) -> bool:
    """kiln reads the values from the array given, whatever `location` says."""
    return _set_named_weights_orig(self, name, weights)


_set_named_weights_orig = None


def _weights_location(self, name):
    if name not in self.get_all_weights():
        return _fail_refit(self, "get_weights_location", f"no refittable weights named '{name}'",
                           None)
    return TensorLocation.HOST


def _fail_refit(self, api, message, fallback):
    message = f"{api}: {message}"
    if _kiln.get_strict():
        raise _kiln.Error(message)
    _kiln._report_failure(self.logger, api, message)
    return fallback


def _set_weights_validation(self, value):
    if not value:
        _warn(self.logger, "Refitter.weights_validation: kiln always checks new "
              "weights' type and size; it cannot be turned off")


# ----------------------------------------------------------------------------------------------
# Layers


def _padding_mode_property():
    def get(self):
        return PaddingMode.EXPLICIT_ROUND_DOWN

    def set(self, mode):
        if PaddingMode(int(mode)) != PaddingMode.EXPLICIT_ROUND_DOWN:
            name = PaddingMode(int(mode)).name
            raise _kiln.Error(f"{type(self).__name__}.padding_mode = {name}: kiln pads "
                              "explicitly; compute the padding and set pre_padding / "
                              "post_padding (EXPLICIT_ROUND_DOWN is the only mode)")

    return property(get, set, doc="EXPLICIT_ROUND_DOWN: kiln pads explicitly (pre/post padding).")


def install(kiln) -> None:
    global _set_named_weights_orig

    parser = kiln.OnnxParser
    parser.supports_model_v2 = _supports_model_v2
    parser.num_subgraphs = property(lambda self: len(_state(self).get("subgraphs", [])))
    parser.is_subgraph_supported = lambda self, index: _subgraph(
        self, index, "is_subgraph_supported")[1]
    parser.get_subgraph_nodes = lambda self, index: list(_subgraph(
        self, index, "get_subgraph_nodes")[0])
    parser.parse_model_proto = _parse_model_proto
    parser.load_model_proto = _load_model_proto
    parser.load_initializer = _load_initializer
    parser.parse_with_weight_descriptors = lambda self, model: self.parse(_model_bytes(model))

    refitter_parser = kiln.OnnxParserRefitter
    refitter_parser.refit_model_proto = _refit_model_proto
    refitter_parser.load_model_proto = _load_model_proto
    refitter_parser.load_initializer = _load_initializer

    error = kiln.ParserError
    # Where in the parser's own source an error was raised: kiln's messages say what went wrong
    # in desc(), and kiln's parser has no ONNX local-function stack to report.
    error.file = lambda self: ""
    error.func = lambda self: ""
    error.line = lambda self: -1
    error.local_function_stack = lambda self: []
    error.local_function_stack_size = lambda self: 0

    refitter = kiln.Refitter
    _set_named_weights_orig = refitter.set_named_weights
    refitter.set_named_weights = _set_named_weights_kept
    refitter.get_named_weights = _get_named_weights
    refitter.get_missing = lambda self: ([], [])  # kiln refits each weights on its own
    refitter.get_weights_location = _weights_location
    refitter.weights_validation = _stored("weights_validation", True, "Always on in kiln.",
                                          lambda self, v: _set_weights_validation(self, v))
    refitter_logger = lambda self: self.logger  # noqa: E731
    refitter.max_threads = _kept_with_warning_factory(
        "max_threads", 0, "kiln's refitter does not take a thread limit", refitter_logger)
    refitter.error_recorder = _kept_with_warning_factory(
        "error_recorder", None, "kiln reports errors through the logger", refitter_logger)
    refitter.get_tensors_with_dynamic_range = lambda self: []
    refitter.get_dynamic_range = lambda self, tensor_name: None
    refitter.set_dynamic_range = lambda self, tensor_name, min, max: bool(_warn(
        self.logger, "Refitter.set_dynamic_range: INT8 is not applicable to "
        "kiln")) or False

    registry = kiln.IPluginRegistry
    registry.get_plugin_creator = lambda self, type, version, plugin_namespace="": (
        self.get_creator(type, version, plugin_namespace))
    registry.plugin_creator_list = property(lambda self: self.all_creators)
    registry.all_creators_recursive = property(lambda self: self.all_creators)
    creator = kiln.IPluginCreator
    creator.name = property(lambda self: self.get_plugin_name())
    creator.plugin_version = property(lambda self: self.get_plugin_version())

    for cls in (kiln.IConvolutionLayer, kiln.IDeconvolutionLayer, kiln.IPoolingLayer):
        cls.padding_mode = _padding_mode_property()
    _install_algorithms(kiln)


# ----------------------------------------------------------------------------------------------
# TensorRT 8's algorithm-selector vocabulary


class IAlgorithmVariant:
    """TensorRT's (implementation, tactic) pair. `implementation` is an int as in TensorRT: a
    stable id of kiln's implementation name (CRC-32 of it), which is `implementation_name`."""

    __slots__ = ("implementation", "tactic", "implementation_name")

    def __init__(self, algorithm):
        import zlib

        self.implementation_name = algorithm.implementation
        self.implementation = zlib.crc32(algorithm.implementation.encode()) & 0x7FFFFFFF
        self.tactic = int(algorithm.tactic)

    def __repr__(self):
        return (f"<kiln.IAlgorithmVariant {self.implementation_name} "
                f"({self.implementation}) tactic {self.tactic}>")


def _io_strides(info):
    strides, step = [], 1
    for d in reversed(tuple(info.shape)):
        strides.append(step)
        step *= max(int(d), 1)
    from ._helpers import Dims

    return Dims(tuple(reversed(strides)))


def _install_algorithms(kiln) -> None:
    io = kiln.AlgorithmIOInfo
    io.strides = property(_io_strides, doc="Row-major strides of the opt shape (elements).")
    io.vectorized_dim = property(lambda self: -1, doc="-1: kiln's tensors are not vectorized.")
    io.components_per_element = property(lambda self: 1, doc="1: not vectorized.")
    kiln.IAlgorithm.algorithm_variant = property(IAlgorithmVariant,
                                                 doc="TensorRT's IAlgorithmVariant.")


def _set_named_weights_kept(self, name, weights, location=TensorLocation.HOST) -> bool:
    ok = _set_named_weights(self, name, weights, location)
    if ok:
        _state(self).setdefault("named", {})[name] = weights
    return ok


def _get_named_weights(self, name):
    """The weights set_named_weights gave `name` on this refitter (empty Weights when none)."""
    weights = _state(self).get("named", {}).get(name)
    if weights is None:
        return _kiln.Weights()
    return weights if isinstance(weights, _kiln.Weights) else _kiln.Weights(weights)
