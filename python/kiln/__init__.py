"""kiln: a deep-learning inference optimizer and runtime with TensorRT's Python API.

A TensorRT script runs after changing ``import tensorrt as trt`` to ``import kiln as trt``::

    import kiln as trt
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 3))
    ...
    plan = builder.build_serialized_network(network, config)   # None on failure (reason logged)
    engine = trt.Runtime(logger).deserialize_cuda_engine(plan)

Where TensorRT returns None/False on failure, kiln does too and logs the reason through the
logger; ``kiln.get_last_error()`` returns the last message, and ``kiln.set_strict(True)`` (or the
environment variable ``KILN_STRICT=1``) makes those calls raise ``kiln.Error`` instead.

Beyond TensorRT: ``context.infer({name: array}) -> {name: array}`` (see docs/python.md).
"""

from __future__ import annotations

import os as _os

from . import _kiln
from ._kiln import (
    ActivationType,
    AlgorithmIOInfo,
    AlgorithmIOInfo as IAlgorithmIOInfo,
    Builder,
    BuilderFlag,
    DataType,
    DeviceType,
    ElementWiseOperation,
    Error,
    IActivationLayer,
    IAlgorithm,
    IAlgorithmContext,
    IAlgorithmSelector,
    IBuilderConfig,
    ICastLayer,
    IConcatenationLayer,
    IConstantLayer,
    IConvolutionLayer,
    ICudaEngine,
    IElementWiseLayer,
    IExecutionContext,
    IGatherLayer,
    IHostMemory,
    IIdentityLayer,
    ILayer,
    ILogger,
    IMatrixMultiplyLayer,
    INetworkDefinition,
    INormalizationLayer,
    IOptimizationProfile,
    IPoolingLayer,
    IProgressMonitor,
    IReduceLayer,
    ISelectLayer,
    IShuffleLayer,
    ISliceLayer,
    ISoftMaxLayer,
    ITensor,
    ITimingCache,
    ITopKLayer,
    IUnaryLayer,
    LayerType,
    Logger,
    MatrixOperation,
    MemoryPoolType,
    PoolingType,
    ReduceOperation,
    Runtime,
    TacticSource,
    TensorIOMode,
    TopKOperation,
    UnaryOperation,
    Weights,
    clear_last_error,
    get_last_error,
    get_strict,
    set_strict,
)
from ._helpers import (
    Dims,
    Dims2,
    Dims3,
    Dims4,
    DimsHW,
    NetworkDefinitionCreationFlag,
    Permutation,
    _itemsize,
    nptype,
    volume,
)
from ._gpu import DeviceArray
from ._infer import infer as _infer
from ._plugin import PluginV3
from . import _legacy
from . import _trt10_members
from . import _trt10_parsers
from . import _trt10_layers
from . import _timing_cache
from ._timing_cache import TimingCacheKey, TimingCacheValue
from ._trt10_layers import ScaleMode
from ._trt10_parsers import IAlgorithmVariant
from ._trt10_parsers import (
    ErrorCodeTRT,
    PaddingMode,
    PluginFieldCollection,
    TilingOptimizationLevel,
)
from ._trt10 import (
    AllocatorFlag,
    CalibrationAlgoType,
    EngineCapability,
    ExecutionContextAllocationStrategy,
    IDebugListener,
    IErrorRecorder,
    SimpleErrorRecorder,
    IGpuAllocator,
    IGpuAsyncAllocator,
    IInt8Calibrator,
    IInt8EntropyCalibrator,
    IInt8EntropyCalibrator2,
    IInt8LegacyCalibrator,
    IInt8MinMaxCalibrator,
    IOutputAllocator,
    IRuntimeConfig,
    ISerializationConfig,
    IStreamReader,
    IStreamReaderV2,
    IStreamWriter,
    NodeIndices,
    SubGraphCollection,
    OnnxParserFlag,
    PreviewFeature,
    Profiler,
    ProfilingVerbosity,
    QuantizationFlag,
    RuntimePlatform,
    SeekPosition,
    SerializationFlag,
    TempfileControlFlag,
    TensorFormat,
    TensorLocation,
    TensorRTPhase,
)

# Everything else the extension defines (the layers added after the first release and their
# enums: IResizeLayer, SampleMode, ...), so new bindings need no edit here.
for _name in dir(_kiln):
    if not _name.startswith("_") and _name not in globals():
        globals()[_name] = getattr(_kiln, _name)
del _name

_kiln._set_dims_type(Dims)

# Scripts gate on the TensorRT version (`if int(trt.__version__.split(".")[0]) >= 10:`), so
# __version__ is the TensorRT API level kiln implements; kiln's own version is kiln_version.
TENSORRT_API_VERSION = "10.13.0"
__version__ = TENSORRT_API_VERSION
kiln_version = _kiln.version()
__kiln_version__ = kiln_version

# TensorRT's module-level data type names.
float32 = DataType.FLOAT
float16 = DataType.HALF
bfloat16 = DataType.BF16
int8 = DataType.INT8
uint8 = DataType.UINT8
int32 = DataType.INT32
int64 = DataType.INT64
bool = DataType.BOOL  # noqa: A001 - TensorRT's name

DataType.itemsize = property(_itemsize, doc="Bytes per element.")

IExecutionContext.infer = _infer

# The TensorRT members kiln implements in Python are attached to the extension's classes here.
# python/make_stubs.py runs stubgen without them (_KILN_STUBGEN=1), then describes them itself.
_COMPAT = not _os.environ.get("_KILN_STUBGEN")
if _COMPAT:
    BuilderFlag.WEIGHTLESS = BuilderFlag.STRIP_PLAN  # TensorRT's alias (STRIP_PLAN's value)
    _legacy.install(_kiln)
    _trt10_members.install(_kiln)
    _trt10_parsers.install(_kiln)
    _trt10_layers.install(_kiln)
    _timing_cache.install(_kiln)

# TensorRT's module-level names for types kiln cannot run (DataType members exist for scripts that
# name them; calls that would need kiln to run them raise TypeError).
fp8 = DataType.FP8
int4 = DataType.INT4
fp4 = DataType.FP4
e8m0 = DataType.E8M0


def get_nv_onnx_parser_version() -> int:
    """The ONNX-parser API level kiln's OnnxParser speaks, as TensorRT encodes it
    (major * 10000 + minor * 100 + patch)."""
    return _trt10_members.NV_ONNX_PARSER_VERSION


def get_builder_plugin_registry(runtime_platform=None):
    """The plugin registry builders use (kiln has one registry)."""
    return get_plugin_registry()



def _layer_classes():
    """LayerType -> the trt.I...Layer class of that kind."""
    classes, pending = {}, [ILayer]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not ILayer and cls.__module__.startswith("kiln"):
            key = cls.__name__[1:-len("Layer")].upper()
            for kind in LayerType:
                if kind.name.replace("_", "") == key:
                    classes[kind] = cls
    return classes


_LAYER_CLASSES = _layer_classes()
_object_class = object.__dict__["__class__"]
_layer_kind = ILayer.__dict__["type"]


def _get_layer_class(self):
    return type(self)


def _set_layer_class(self, cls):
    """TensorRT's downcast idiom, checked: `layer.__class__ = trt.IConvolutionLayer` works when the
    layer is a convolution (or the class is trt.ILayer); any other class raises TypeError."""
    if not (isinstance(cls, type) and issubclass(cls, ILayer)):
        raise TypeError(f"ILayer.__class__ = {cls!r}: a layer can only be viewed as trt.ILayer or "
                        "its own kind's class (trt.IConvolutionLayer, ...)")
    kind = _layer_kind.__get__(self, ILayer)
    expected = _LAYER_CLASSES.get(kind)
    if cls is not ILayer and cls is not expected:
        raise TypeError(
            f"ILayer.__class__ = trt.{cls.__name__}: layer '{self.name}' is a {kind.name} layer; "
            f"view it as trt.{expected.__name__ if expected else 'ILayer'} "
            "(check layer.type first)")
    _object_class.__set__(self, cls)


if _COMPAT:
    _kiln._set_type_attr(ILayer, "__class__", property(_get_layer_class, _set_layer_class))


def _enter(self):
    return self


def _exit(self, *exc):
    return False


# TensorRT scripts often write `with trt.Builder(logger) as builder, ...:`; leaving the block does
# not free the object here (Python does when the last reference goes).
for _cls in (Builder, INetworkDefinition, IBuilderConfig, Runtime, ICudaEngine, IExecutionContext,
             IHostMemory, ITimingCache):
    _cls.__enter__ = _enter
    _cls.__exit__ = _exit
del _cls


def init_libnvinfer_plugins(logger, namespace: str = "") -> bool:
    """TensorRT's plugin-library initialisation: registers kiln's built-in plugins."""
    return _kiln.init_kiln_plugins(namespace)


if _os.environ.get("KILN_STRICT", "") not in ("", "0"):
    set_strict(True)

del _os
