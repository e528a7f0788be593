"""TensorRT 10 members kiln implements in Python, and the ones that cannot mean anything in kiln.

Every member here either works as in TensorRT, or is accepted and documented as not applicable
(DLA, weight streaming, INT8 calibration, safety): setting one of those logs a warning saying it
has no effect, and reading it back gives what TensorRT gives on a platform without the feature
(docs/python.md, "TensorRT 10 members"). Nothing here pretends to do work it does not do.
"""

from __future__ import annotations

import enum
import weakref

import numpy as np

from . import _kiln


# ----------------------------------------------------------------------------------------------
# Enums kiln has no C++ counterpart for (TensorRT's names and values).


class ProfilingVerbosity(enum.IntEnum):
    """How much layer detail plans and NVTX ranges carry. kiln plans always carry every layer's
    name, tactic and shapes (EngineInspector); the setting is read back."""

    LAYER_NAMES_ONLY = 0
    NONE = 1
    DETAILED = 2


class EngineCapability(enum.IntEnum):
    """kiln builds STANDARD engines; SAFETY and DLA_STANDALONE are not applicable."""

    STANDARD = 0
    SAFETY = 1
    DLA_STANDALONE = 2


class PreviewFeature(enum.IntEnum):
    """TensorRT's preview features: none of them changes what kiln builds (read back only)."""

    PROFILE_SHARING_0806 = 0
    ALIASED_PLUGIN_IO_10_03 = 1
    RUNTIME_ACTIVATION_RESIZE_10_10 = 2


class TensorLocation(enum.IntEnum):
    """Where I/O tensors live: DEVICE is the engine's device (host memory for CPU engines)."""

    DEVICE = 0
    HOST = 1


class TensorFormat(enum.IntEnum):
    """Memory layouts. kiln's I/O tensors are LINEAR (row-major); the vectorized formats are
    not applicable."""

    LINEAR = 0
    CHW2 = 1
    HWC8 = 2
    CHW4 = 3
    CHW16 = 4
    CHW32 = 5
    DHWC8 = 6
    CDHW32 = 7
    HWC = 8
    DLA_LINEAR = 9
    DLA_HWC4 = 10
    HWC16 = 11
    DHWC = 12


class OnnxParserFlag(enum.IntEnum):
    """OnnxParser flags. kiln imports InstanceNormalization natively whatever the flag says."""

    NATIVE_INSTANCENORM = 0
    ENABLE_UINT8_AND_ASYMMETRIC_QUANTIZATION_DLA = 1


class ExecutionContextAllocationStrategy(enum.IntEnum):
    """How a context gets its memory. kiln contexts allocate their own at creation (STATIC);
    the others are accepted and behave as STATIC."""

    STATIC = 0
    ON_PROFILE_CHANGE = 1
    USER_MANAGED = 2


class SerializationFlag(enum.IntEnum):
    """ISerializationConfig flags; kiln plans always include weights and no lean runtime."""

    EXCLUDE_WEIGHTS = 0
    EXCLUDE_LEAN_RUNTIME = 1


class TempfileControlFlag(enum.IntEnum):
    """kiln writes no temporary files, so these change nothing."""

    ALLOW_IN_MEMORY_FILES = 0
    ALLOW_TEMPORARY_FILES = 1


class RuntimePlatform(enum.IntEnum):
    """Plans run where they were built (SAME_AS_BUILD); WINDOWS_AMD64 is not applicable."""

    SAME_AS_BUILD = 0
    WINDOWS_AMD64 = 1


class QuantizationFlag(enum.IntEnum):
    """INT8 calibration flags: not applicable (kiln has no INT8 calibration)."""

    CALIBRATE_BEFORE_FUSION = 0


class CalibrationAlgoType(enum.IntEnum):
    """INT8 calibrator kinds: not applicable (kiln has no INT8 calibration)."""

    LEGACY_CALIBRATION = 0
    ENTROPY_CALIBRATION = 1
    ENTROPY_CALIBRATION_2 = 2
    MINMAX_CALIBRATION = 3


class AllocatorFlag(enum.IntEnum):
    RESIZABLE = 0


class SeekPosition(enum.IntEnum):
    """IStreamReaderV2.seek's origin."""

    SET = 0
    CUR = 1
    END = 2


class TensorRTPhase(enum.IntEnum):
    BUILD = 0
    RUNTIME = 1


# ----------------------------------------------------------------------------------------------
# State kept beside the extension's objects (they take weak references).

_STATE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _state(obj) -> dict:
    state = _STATE.get(obj)
    if state is None:
        state = _STATE[obj] = {}
    return state


def _warn(logger, message: str) -> None:
    """A warning through `logger`, or Python's warnings module for objects without one."""
    if logger is not None:
        logger.log(_kiln.ILogger.Severity.WARNING, message)
    else:
        import warnings

        warnings.warn(message, RuntimeWarning, stacklevel=3)


def _stored(name: str, default, doc: str, check=None):
    """A read-write property kept in _STATE; `check(self, value)` may reject or warn."""

    def get(self):
        return _state(self).get(name, default)

    def set(self, value):
        if check is not None:
            check(self, value)
        _state(self)[name] = value

    return property(get, set, doc=doc)


def _not_applicable(what: str, default, logger_of, keep=False):
    """A property for a feature kiln does not have: reading gives `default` (what TensorRT gives
    without the feature); setting another value logs a warning saying it has no effect."""

    def get(self):
        return _state(self).get(what, default) if keep else default

    def set(self, value):
        if value != default and value is not None:
            _warn(logger_of(self), f"{what} = {value!r} has no effect: not applicable to kiln "
                                   "(docs/python.md)")
        if keep:
            _state(self)[what] = value

    return property(get, set, doc=f"Not applicable to kiln: reads {default!r}; setting warns.")


# ----------------------------------------------------------------------------------------------
# Callback interfaces (TensorRT's abstract classes; subclass them).


class IErrorRecorder:
    """TensorRT's error recorder interface. Set a subclass as error_recorder on a Builder,
    Runtime, ICudaEngine or IExecutionContext: every error that object logs (and remembers for
    kiln.get_last_error()) is also passed to report_error(ErrorCodeTRT, desc). Engines start with
    their runtime's recorder, contexts with their engine's (docs/reliability.md). kiln calls only
    report_error; the other methods are for the application (SimpleErrorRecorder implements
    them)."""

    MAX_DESC_LENGTH = 127

    def __init__(self):
        pass

    def num_errors(self) -> int:
        raise NotImplementedError("IErrorRecorder.num_errors: implement it in the subclass")

    def get_error_code(self, index: int):
        raise NotImplementedError("IErrorRecorder.get_error_code: implement it in the subclass")

    def get_error_desc(self, index: int) -> str:
        raise NotImplementedError("IErrorRecorder.get_error_desc: implement it in the subclass")

    def has_overflowed(self) -> bool:
        raise NotImplementedError("IErrorRecorder.has_overflowed: implement it in the subclass")

    def clear(self) -> None:
        raise NotImplementedError("IErrorRecorder.clear: implement it in the subclass")

    def report_error(self, val, desc: str) -> bool:
        raise NotImplementedError("IErrorRecorder.report_error: implement it in the subclass")


class SimpleErrorRecorder(IErrorRecorder):
    """A ready IErrorRecorder: keeps up to `capacity` (code, desc) pairs, then has_overflowed().
    Thread-safe (contexts on several threads may share it)."""

    def __init__(self, capacity: int = 256):
        IErrorRecorder.__init__(self)
        import threading

        self._lock = threading.Lock()
        self._capacity = capacity
        self._errors = []
        self._overflowed = False

    def num_errors(self) -> int:
        with self._lock:
            return len(self._errors)

    get_num_errors = num_errors

    def get_error_code(self, index: int):
        with self._lock:
            return self._errors[index][0]

    def get_error_desc(self, index: int) -> str:
        with self._lock:
            return self._errors[index][1]

    def has_overflowed(self) -> bool:
        with self._lock:
            return self._overflowed

    def clear(self) -> None:
        with self._lock:
            self._errors.clear()
            self._overflowed = False

    def report_error(self, val, desc: str) -> bool:
        with self._lock:
            if len(self._errors) >= self._capacity:
                self._overflowed = True
            else:
                self._errors.append((val, desc))
        return True


class IGpuAllocator:
    """TensorRT's GPU allocator interface. kiln allocates device memory itself: an allocator set
    as builder.gpu_allocator / runtime.gpu_allocator is kept and not called (a warning says so)."""

    def __init__(self):
        pass

    def allocate(self, size, alignment, flags):
        raise NotImplementedError("IGpuAllocator.allocate: implement it in the subclass")

    def allocate_async(self, size, alignment, flags, stream):
        return self.allocate(size, alignment, flags)

    def deallocate(self, memory) -> bool:
        raise NotImplementedError("IGpuAllocator.deallocate: implement it in the subclass")

    def deallocate_async(self, memory, stream) -> bool:
        return self.deallocate(memory)

    def reallocate(self, address, alignment, new_size):
        return 0  # TensorRT's default: resizing not supported


class IGpuAsyncAllocator(IGpuAllocator):
    """TensorRT's stream-ordered allocator interface (see IGpuAllocator)."""


class IOutputAllocator:
    """Allocates outputs when a run knows their shapes: context.set_output_allocator(name, a).

    Before each run kiln calls reallocate_output(name, address, size, alignment) (or
    reallocate_output_async(..., stream)) for every output with an allocator and uses the address
    it returns; after the run it calls notify_shape(name, shape)."""

    def __init__(self):
        pass

    def reallocate_output(self, tensor_name: str, memory: int, size: int, alignment: int) -> int:
        raise NotImplementedError("IOutputAllocator.reallocate_output: implement it (or "
                                  "reallocate_output_async) in the subclass")

    def reallocate_output_async(self, tensor_name, memory, size, alignment, stream) -> int:
        return self.reallocate_output(tensor_name, memory, size, alignment)

    def notify_shape(self, tensor_name: str, shape) -> None:
        raise NotImplementedError("IOutputAllocator.notify_shape: implement it in the subclass")


class IDebugListener:
    """TensorRT's debug-tensor listener. kiln has no debug tensors (mark_debug): setting a listener
    fails with a logged reason."""

    def __init__(self):
        pass

    def process_debug_tensor(self, addr, location, type, shape, name, stream) -> bool:
        raise NotImplementedError("IDebugListener.process_debug_tensor: implement it")


class IStreamReader:
    """A source of plan bytes for Runtime.deserialize_cuda_engine: read(size) returns up to `size`
    bytes (fewer, or empty, at the end)."""

    def __init__(self):
        pass

    def read(self, size: int) -> bytes:
        raise NotImplementedError("IStreamReader.read: implement it in the subclass")


class IStreamReaderV2:
    """A seekable source of plan bytes: read(size, stream) and seek(offset, SeekPosition)."""

    def __init__(self):
        pass

    def read(self, size: int, stream: int) -> bytes:
        raise NotImplementedError("IStreamReaderV2.read: implement it in the subclass")

    def seek(self, offset: int, where) -> bool:
        raise NotImplementedError("IStreamReaderV2.seek: implement it in the subclass")


class IStreamWriter:
    """A sink for plan bytes (Builder.build_serialized_network_to_stream): write(data) returns the
    number of bytes written."""

    def __init__(self):
        pass

    def write(self, data: bytes) -> int:
        raise NotImplementedError("IStreamWriter.write: implement it in the subclass")


class _Int8CalibratorBase:
    """TensorRT's INT8 calibrator interface. kiln has no INT8 calibration: setting
    config.int8_calibrator warns that it is not used."""

    def __init__(self):
        pass

    def get_batch_size(self) -> int:
        raise NotImplementedError("get_batch_size: implement it in the subclass")

    def get_batch(self, names):
        raise NotImplementedError("get_batch: implement it in the subclass")

    def read_calibration_cache(self):
        return None

    def write_calibration_cache(self, cache) -> None:
        return None

    def get_algorithm(self):
        return self._algorithm


class IInt8Calibrator(_Int8CalibratorBase):
    _algorithm = CalibrationAlgoType.ENTROPY_CALIBRATION_2


class IInt8LegacyCalibrator(IInt8Calibrator):
    _algorithm = CalibrationAlgoType.LEGACY_CALIBRATION


class IInt8EntropyCalibrator(IInt8Calibrator):
    _algorithm = CalibrationAlgoType.ENTROPY_CALIBRATION


class IInt8EntropyCalibrator2(IInt8Calibrator):
    _algorithm = CalibrationAlgoType.ENTROPY_CALIBRATION_2


class IInt8MinMaxCalibrator(IInt8Calibrator):
    _algorithm = CalibrationAlgoType.MINMAX_CALIBRATION


class Profiler(_kiln.IProfiler):
    """TensorRT's ready-made profiler: prints each layer's time."""

    def __init__(self):
        _kiln.IProfiler.__init__(self)

    def report_layer_time(self, layer_name: str, ms: float) -> None:
        print(f"{layer_name}: {ms:.5f}ms")


class NodeIndices(list):
    """TensorRT's NodeIndices: a list of ONNX node indices."""


class SubGraphCollection(list):
    """TensorRT's SubGraphCollection: a list of (NodeIndices, supported) pairs."""


class ISerializationConfig:
    """Flags for ICudaEngine.serialize_with_config (made by create_serialization_config)."""

    def __init__(self):
        self.flags = 0

    def set_flag(self, flag) -> bool:
        self.flags |= 1 << int(flag)
        return True

    def clear_flag(self, flag) -> bool:
        self.flags &= ~(1 << int(flag))
        return True

    def get_flag(self, flag) -> bool:
        return bool(self.flags >> int(flag) & 1)


class IRuntimeConfig:
    """Execution-context settings (made by ICudaEngine.create_runtime_config)."""

    def __init__(self):
        self._strategy = ExecutionContextAllocationStrategy.STATIC

    def set_execution_context_allocation_strategy(self, strategy) -> None:
        self._strategy = ExecutionContextAllocationStrategy(int(strategy))

    def get_execution_context_allocation_strategy(self):
        return self._strategy
