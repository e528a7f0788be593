"""Attaches TensorRT 10's members (see _trt10.py) to the extension's classes."""

from __future__ import annotations

import numpy as np

from . import _kiln
from ._helpers import Dims
from ._trt10 import (
    EngineCapability,
    ExecutionContextAllocationStrategy,
    IRuntimeConfig,
    ISerializationConfig,
    IStreamReader,
    IStreamReaderV2,
    NodeIndices,
    OnnxParserFlag,
    PreviewFeature,
    ProfilingVerbosity,
    RuntimePlatform,
    SeekPosition,
    SerializationFlag,
    SubGraphCollection,
    TensorFormat,
    TensorLocation,
    _not_applicable,
    _state,
    _stored,
    _warn,
)

NV_ONNX_PARSER_VERSION = 101300  # the parser API level kiln's OnnxParser speaks (10.13.0)


def _fail(logger, api: str, message: str, fallback):
    """TensorRT-style failure through `logger`: `fallback`, or kiln.Error in strict mode."""
    message = f"{api}: {message}"
    if _kiln.get_strict():
        raise _kiln.Error(message)
    _kiln._report_failure(logger, api, message)
    return fallback


def _kept_with_warning(name: str, default, what: str, logger_of):
    """Stored and read back; setting it warns that kiln does not use it (`what` says why)."""

    def check(self, value):
        if value is not None and value != default:
            _warn(logger_of(self), f"{name}: {what}")

    return _stored(name, default, f"Read back; {what}", check)


# ----------------------------------------------------------------------------------------------
# Builder


def _builder_logger(builder):
    return builder.logger


def _build_serialized_network_to_stream(self, network, config, writer) -> bool:
    plan = self.build_serialized_network(network, config)
    if plan is None:
        return False
    data = memoryview(plan)
    written = writer.write(bytes(data))
    if written is not None and int(written) != len(data):
        return _fail(self.logger, "build_serialized_network_to_stream",
                     f"the writer wrote {written} of {len(data)} bytes", False)
    return True


def _is_network_supported(self, network, config) -> bool:
    """Whether kiln builds `network` with `config`: a build, its plan dropped."""
    return self.build_serialized_network(network, config) is not None


def _create_network(self, flags: int = 0):
    network = _create_network_orig(self, flags)
    state = _state(network)
    state["flags"] = int(flags) | 1  # EXPLICIT_BATCH is kiln's only mode
    state["builder"] = self
    return network


_create_network_orig = None


# ----------------------------------------------------------------------------------------------
# Runtime


def _read_stream(reader) -> bytes:
    chunks = []
    if isinstance(reader, IStreamReaderV2):
        reader.seek(0, SeekPosition.SET)
        while True:
            chunk = reader.read(1 << 20, 0)
            if not chunk:
                break
            chunks.append(bytes(chunk))
    else:
        while True:
            chunk = reader.read(1 << 20)
            if not chunk:
                break
            chunks.append(bytes(chunk))
    return b"".join(chunks)


def _deserialize(self, serialized_engine):
    """Plan bytes (anything with the buffer protocol) or an IStreamReader/IStreamReaderV2."""
    if isinstance(serialized_engine, (IStreamReader, IStreamReaderV2)):
        serialized_engine = _read_stream(serialized_engine)
    engine = _deserialize_orig(self, serialized_engine)
    if engine is not None:
        _state(engine)["logger"] = self.logger
    return engine


_deserialize_orig = None


def _load_runtime(self, path):
    return _fail(self.logger, "Runtime.load_runtime",
                 "lean/dispatch runtimes are not applicable to kiln: plans load in the kiln "
                 "library itself", None)


# ----------------------------------------------------------------------------------------------
# IBuilderConfig


def _config_logger(config):
    return _state(config).get("logger")


def _create_builder_config(self):
    config = _create_builder_config_orig(self)
    _state(config)["logger"] = self.logger
    return config


_create_builder_config_orig = None


def _set_preview_feature(self, feature, enable: bool) -> None:
    _state(self).setdefault("preview", {})[PreviewFeature(int(feature))] = bool(enable)


def _get_preview_feature(self, feature) -> bool:
    default = PreviewFeature(int(feature)) == PreviewFeature.PROFILE_SHARING_0806
    return _state(self).get("preview", {}).get(PreviewFeature(int(feature)), default)


def _set_engine_capability(self, capability):
    if EngineCapability(int(capability)) != EngineCapability.STANDARD:
        _fail(_config_logger(self), "IBuilderConfig.engine_capability",
              f"{EngineCapability(int(capability)).name} is not applicable to kiln (no safety "
              "runtime, no DLA); engines stay STANDARD", None)


def _set_device_type(self, layer, device_type) -> None:
    if device_type != self.default_device_type:
        _warn(_config_logger(self), f"IBuilderConfig.set_device_type: kiln runs every layer on "
              f"default_device_type ({self.default_device_type.name}); layer '{layer.name}' "
              f"cannot run on {device_type.name}")
        return
    _state(self).setdefault("device_types", set()).add(layer.name)


def _is_device_type_set(self, layer) -> bool:
    return layer.name in _state(self).get("device_types", set())


def _reset_device_type(self, layer) -> None:
    _state(self).get("device_types", set()).discard(layer.name)


def _quantization_flag(self, flag, on=None):
    flags = _state(self).get("quantization_flags", 0)
    if on is None:
        return bool(flags >> int(flag) & 1)
    if on:
        _warn(_config_logger(self), "IBuilderConfig.set_quantization_flag: INT8 calibration is "
              "not applicable to kiln; the flag has no effect")
        flags |= 1 << int(flag)
    else:
        flags &= ~(1 << int(flag))
    _state(self)["quantization_flags"] = flags


# ----------------------------------------------------------------------------------------------
# ICudaEngine


def _engine_tensor(api):
    def check(self, name):
        if self.get_tensor_mode(name) == _kiln.TensorIOMode.NONE:
            return _kiln._report_engine_error(self, api, f"{api}: no I/O tensor named '{name}'")
        return True

    return check


def _tensor_format(self, name, profile_index: int = 0):
    return TensorFormat.LINEAR if _engine_tensor("get_tensor_format")(self, name) else None


def _tensor_format_desc(self, name, profile_index: int = 0):
    if not _engine_tensor("get_tensor_format_desc")(self, name):
        return None
    dtype = self.get_tensor_dtype(name)
    return f"Row major linear {dtype.name} format (kLINEAR)"


def _tensor_location(self, name):
    return TensorLocation.DEVICE if _engine_tensor("get_tensor_location")(self, name) else None


def _bytes_per_component(self, name, profile_index: int = 0):
    if not _engine_tensor("get_tensor_bytes_per_component")(self, name):
        return -1
    return self.get_tensor_dtype(name).itemsize


def _engine_refittable(self) -> bool:
    """From the plan header's builder flags (kiln's BuilderFlag::kREFIT is bit 3)."""
    flags = int.from_bytes(bytes(memoryview(self.serialize())[36:40]), "little")
    return bool(flags >> 3 & 1)


def _engine_hardware_level(self):
    """The hardware-compatibility level the plan was built with (its header)."""
    level = int.from_bytes(bytes(memoryview(self.serialize())[32:36]), "little")
    return (_kiln.HardwareCompatibilityLevel.AMPERE_PLUS if level == 1
            else _kiln.HardwareCompatibilityLevel.NONE)


def _create_execution_context(self, strategy=ExecutionContextAllocationStrategy.STATIC):
    """kiln contexts allocate their memory when created, whatever the strategy (or
    IRuntimeConfig) says; the strategy is read back through get_runtime_config()."""
    config = strategy if isinstance(strategy, IRuntimeConfig) else IRuntimeConfig()
    if not isinstance(strategy, IRuntimeConfig):
        config.set_execution_context_allocation_strategy(strategy)
    context = _create_context_orig(self)
    if context is not None:
        _state(context)["runtime_config"] = config
    return context


_create_context_orig = None


def _serialize_with_config(self, config):
    if config.get_flag(SerializationFlag.EXCLUDE_WEIGHTS):
        return _kiln._report_engine_error(
            self, "serialize_with_config", "serialize_with_config: EXCLUDE_WEIGHTS is not "
            "supported: kiln plans always contain their weights (refit them after loading)")
    return self.serialize()


def _profile_values(self, profile_index, name):
    return _kiln._report_engine_error(
        self, "get_tensor_profile_values", f"get_tensor_profile_values: '{name}' is not a "
        "shape-tensor input: kiln engines have no shape-tensor inputs (shape tensors come from "
        "input shapes and constants inside the network)")


# ----------------------------------------------------------------------------------------------
# IExecutionContext


def _set_output_allocator(self, tensor_name: str, output_allocator) -> bool:
    engine = self.engine
    if engine.get_tensor_mode(tensor_name) != _kiln.TensorIOMode.OUTPUT:
        return bool(_kiln._report_engine_error(
            engine, "set_output_allocator", f"set_output_allocator: '{tensor_name}' is not an "
            "output of the engine"))
    allocators = _state(self).setdefault("output_allocators", {})
    if output_allocator is None:
        allocators.pop(tensor_name, None)
    else:
        allocators[tensor_name] = output_allocator
    return True


def _get_output_allocator(self, tensor_name: str):
    return _state(self).get("output_allocators", {}).get(tensor_name)


def _allocate_outputs(context, stream: int) -> bool:
    """Calls every output allocator for the shapes of this run; False on failure."""
    allocators = _state(context).get("output_allocators")
    if not allocators:
        return True
    engine = context.engine
    for name, allocator in allocators.items():
        shape = context.get_tensor_shape(name)
        if shape is None or any(d < 0 for d in shape):
            return bool(_kiln._report_engine_error(
                engine, "execute", f"execute: the shape of output '{name}' is not known: set "
                "every input shape first"))
        size = int(np.prod(shape, dtype=np.int64)) * engine.get_tensor_dtype(name).itemsize
        current = context.get_tensor_address(name)
        address = allocator.reallocate_output_async(name, current, max(size, 1), 256, stream)
        if not address:
            return bool(_kiln._report_engine_error(
                engine, "execute", f"execute: the output allocator of '{name}' returned no "
                f"memory for {size} bytes"))
        if not context.set_tensor_address(name, int(address)):
            return False
    return True


def _notify_shapes(context) -> None:
    for name, allocator in _state(context).get("output_allocators", {}).items():
        allocator.notify_shape(name, context.get_tensor_shape(name))


def _execute_async_v3(self, stream_handle: int) -> bool:
    if not _allocate_outputs(self, stream_handle):
        return False
    ok = _execute_async_v3_orig(self, stream_handle)
    if ok:
        _notify_shapes(self)
    return ok


_execute_async_v3_orig = None


def _report_layer_time(self, layer_name: str, ms: float) -> None:
    raise NotImplementedError("IProfiler.report_layer_time: implement it in the subclass")


def _max_output_size(self, name):
    """Bytes the output needs at most: its size with every input at its profile's max shape."""
    engine = self.engine
    if engine.get_tensor_mode(name) != _kiln.TensorIOMode.OUTPUT:
        return _kiln._report_engine_error(engine, "get_max_output_size",
                                          f"get_max_output_size: '{name}' is not an output")
    scratch = _create_context_orig(engine)
    profile = self.active_optimization_profile
    if profile > 0:
        scratch.set_optimization_profile_async(profile, 0)
    for i in range(engine.num_io_tensors):
        tensor = engine.get_tensor_name(i)
        if engine.get_tensor_mode(tensor) == _kiln.TensorIOMode.INPUT:
            shape = engine.get_tensor_shape(tensor)
            if any(d < 0 for d in shape):
                shape = engine.get_tensor_profile_shape(tensor, profile)[2]
            scratch.set_input_shape(tensor, shape)
    shape = scratch.get_tensor_shape(name)
    return int(np.prod(shape, dtype=np.int64)) * engine.get_tensor_dtype(name).itemsize


def _tensor_strides(self, name):
    shape = self.get_tensor_shape(name)
    if shape is None:
        return None
    strides, step = [], 1
    for d in reversed(tuple(shape)):
        strides.append(step)
        step *= max(int(d), 1)
    return Dims(tuple(reversed(strides)))


def _infer_shapes(self):
    """Names of the inputs whose shape is not set yet ([] when every output shape is known)."""
    engine = self.engine
    missing = []
    for i in range(engine.num_io_tensors):
        name = engine.get_tensor_name(i)
        if engine.get_tensor_mode(name) == _kiln.TensorIOMode.INPUT:
            shape = self.get_tensor_shape(name)
            if shape is None or any(d < 0 for d in shape):
                missing.append(name)
    return missing


def _set_tensor_debug_state(self, name, flag) -> bool:
    return bool(_kiln._report_engine_error(
        self.engine, "set_tensor_debug_state", "set_tensor_debug_state: kiln has no debug "
        "tensors (INetworkDefinition.mark_debug is not supported)"))


def _set_debug_listener(self, listener) -> bool:
    return bool(_kiln._report_engine_error(
        self.engine, "set_debug_listener", "set_debug_listener: kiln has no debug tensors "
        "(INetworkDefinition.mark_debug is not supported)"))


def _set_input_consumed_event(self, event) -> bool:
    return bool(_kiln._report_engine_error(
        self.engine, "set_input_consumed_event", "set_input_consumed_event: not supported; "
        "kiln has consumed the inputs when execute_async_v3's work on the stream is done"))


def _set_device_memory(self, memory, size=None):
    _warn(_engine_logger(self.engine), "set_device_memory: kiln contexts allocate their own "
          "memory when created; the memory given is not used")


def _engine_logger(engine):
    return _state(engine).get("logger")


# ----------------------------------------------------------------------------------------------
# OnnxParser


def _parser_flag(self, flag, on=None):
    flags = _state(self).get("flags", 0)
    bit = 1 << int(OnnxParserFlag(int(flag)))
    if on is None:
        return bool(flags & bit)
    _state(self)["flags"] = flags | bit if on else flags & ~bit


def _supports_model(self, model, path=None):
    """(True, [([node indices], True)]) when kiln parses the whole model, else (False, [([nodes
    that failed], False)]): the model is parsed into a scratch network."""
    logger = _kiln.Logger(_kiln.ILogger.Severity.INTERNAL_ERROR)
    scratch = _kiln.Builder(logger).create_network()
    parser = _kiln.OnnxParser(scratch, logger)
    ok = parser.parse(model) if path is None else parser.parse(model, path)
    if ok:
        return True, SubGraphCollection([(NodeIndices(range(scratch.num_layers)), True)])
    nodes = sorted({parser.get_error(i).node() for i in range(parser.num_errors)} - {-1})
    return False, SubGraphCollection([(NodeIndices(nodes), False)])


# ----------------------------------------------------------------------------------------------
# Installation


def install(kiln) -> None:
    global _create_network_orig, _deserialize_orig
    global _create_builder_config_orig, _create_context_orig, _execute_async_v3_orig

    no_dla = "DLA is not applicable to kiln"
    builder = kiln.Builder
    _create_network_orig = builder.create_network
    builder.create_network = _create_network
    _create_builder_config_orig = builder.create_builder_config
    builder.create_builder_config = _create_builder_config
    builder.build_engine_with_config = builder.build_engine
    builder.build_serialized_network_to_stream = _build_serialized_network_to_stream
    builder.is_network_supported = _is_network_supported
    builder.get_plugin_registry = lambda self: kiln.get_plugin_registry()
    builder.reset = lambda self: None
    builder.num_DLA_cores = property(lambda self: 0, doc=no_dla + ": 0 cores.")
    builder.max_DLA_batch_size = property(lambda self: 1, doc=no_dla + ".")
    builder.gpu_allocator = _kept_with_warning(
        "gpu_allocator", None, "kiln allocates build memory itself", _builder_logger)
    builder.max_threads = _kept_with_warning(
        "max_threads", 0, "kiln's builder does not take a thread limit", _builder_logger)

    runtime = kiln.Runtime
    _deserialize_orig = runtime.deserialize_cuda_engine
    runtime.deserialize_cuda_engine = _deserialize
    runtime.load_runtime = _load_runtime
    runtime.get_plugin_registry = lambda self: kiln.get_plugin_registry()
    runtime.num_DLA_cores = property(lambda self: 0, doc=no_dla + ": 0 cores.")
    runtime_logger = lambda self: self.logger  # noqa: E731
    runtime.DLA_core = _not_applicable("DLA_core", -1, runtime_logger)
    runtime.engine_host_code_allowed = _stored(
        "engine_host_code_allowed", False, "Read back; kiln plans never contain host code, so "
        "allowing it changes nothing.")
    runtime.tempfile_control_flags = _stored(
        "tempfile_control_flags", 3, "Read back; kiln writes no temporary files.")
    runtime.temporary_directory = _stored(
        "temporary_directory", None, "Read back; kiln writes no temporary files.")
    runtime.gpu_allocator = _kept_with_warning(
        "gpu_allocator", None, "kiln allocates engine memory itself", runtime_logger)
    runtime.max_threads = _kept_with_warning(
        "max_threads", 0, "kiln's runtime does not take a thread limit", runtime_logger)

    config = kiln.IBuilderConfig
    config.profiling_verbosity = _stored(
        "profiling_verbosity", ProfilingVerbosity.LAYER_NAMES_ONLY, "Read back; kiln plans always "
        "carry every layer's name, tactic, precision and shapes (EngineInspector).")
    config.engine_capability = property(lambda self: EngineCapability.STANDARD,
                                        lambda self, v: _set_engine_capability(self, v),
                                        doc="STANDARD; the others are not applicable.")
    config.set_preview_feature = _set_preview_feature
    config.get_preview_feature = _get_preview_feature
    config.DLA_core = _not_applicable("DLA_core", -1, _config_logger)
    config.can_run_on_DLA = lambda self, layer: False
    config.get_device_type = lambda self, layer: self.default_device_type
    config.set_device_type = _set_device_type
    config.is_device_type_set = _is_device_type_set
    config.reset_device_type = _reset_device_type
    config.runtime_platform = _not_applicable("runtime_platform", RuntimePlatform.SAME_AS_BUILD,
                                              _config_logger)
    for name, default, why in (
            ("avg_timing_iterations", 1, "kiln times each candidate its own number of runs"),
            ("max_num_tactics", -1, "kiln times every candidate its optimization level allows"),
            ("tiling_optimization_level", 0, "kiln has no tiling optimization"),
            ("l2_limit_for_tiling", -1, "kiln has no tiling optimization"),
            ("profile_stream", 0, "kiln times tactics on its own stream"),
            ("remote_auto_tuning_config", "", "kiln has no remote auto-tuning"),
            ("plugins_to_serialize", [], "kiln plans refer to plugins by name"),
            ("int8_calibrator", None, "kiln has no INT8 calibration"),
            ("error_recorder", None, "kiln reports errors through the logger")):
        setattr(config, name, _kept_with_warning(name, default, why, _config_logger))
    config.quantization_flags = _stored("quantization_flags", 0,
                                        "INT8 calibration flags: not applicable to kiln.")
    config.set_quantization_flag = lambda self, flag: _quantization_flag(self, flag, True)
    config.clear_quantization_flag = lambda self, flag: _quantization_flag(self, flag, False)
    config.get_quantization_flag = lambda self, flag: _quantization_flag(self, flag)
    config.set_calibration_profile = lambda self, profile: bool(_warn(
        _config_logger(self), "set_calibration_profile: INT8 calibration is not applicable to "
        "kiln")) or False
    config.get_calibration_profile = lambda self: None

    engine = kiln.ICudaEngine
    engine.get_tensor_format = _tensor_format
    engine.get_tensor_format_desc = _tensor_format_desc
    engine.get_tensor_location = _tensor_location
    engine.get_tensor_vectorized_dim = lambda self, name, profile_index=0: -1
    engine.get_tensor_components_per_element = lambda self, name, profile_index=0: 1
    engine.get_tensor_bytes_per_component = _bytes_per_component
    engine.is_shape_inference_io = lambda self, name: False
    engine.is_debug_tensor = lambda self, name: False
    engine.get_tensor_profile_values = _profile_values
    engine.get_device_memory_size_for_profile = lambda self, profile_index: (
        self.device_memory_size)
    engine.get_device_memory_size_for_profile_v2 = engine.get_device_memory_size_for_profile
    engine.device_memory_size_v2 = property(lambda self: self.device_memory_size)
    engine.profiling_verbosity = property(lambda self: ProfilingVerbosity.DETAILED)
    engine.engine_capability = property(lambda self: EngineCapability.STANDARD)
    engine.hardware_compatibility_level = property(_engine_hardware_level)
    engine.refittable = property(_engine_refittable, doc="Built with BuilderFlag.REFIT.")
    engine.name = property(lambda self: _state(self).get("name", ""),
                           doc="The network's name when built by build_engine in this process; "
                           "\"\" for a deserialized plan (kiln plans do not store it).")
    no_streaming = "weight streaming is not applicable to kiln"
    engine.streamable_weights_size = property(lambda self: 0, doc=no_streaming + ": 0.")
    engine.minimum_weight_streaming_budget = property(lambda self: 0, doc=no_streaming + ".")
    engine.weight_streaming_scratch_memory_size = property(lambda self: 0, doc=no_streaming)
    engine.get_weight_streaming_automatic_budget = lambda self: 0
    engine.weight_streaming_budget = _not_applicable("weight_streaming_budget", -1,
                                                     _engine_logger)
    engine.weight_streaming_budget_v2 = _not_applicable("weight_streaming_budget_v2", 0,
                                                        _engine_logger)
    _create_context_orig = engine.create_execution_context
    engine.create_execution_context = _create_execution_context
    engine.create_execution_context_without_device_memory = lambda self: _create_context_orig(
        self)
    engine.create_runtime_config = lambda self: IRuntimeConfig()
    engine.create_serialization_config = lambda self: ISerializationConfig()
    engine.serialize_with_config = _serialize_with_config

    context = kiln.IExecutionContext
    context_logger = lambda self: _engine_logger(self.engine)  # noqa: E731
    context.name = _stored("name", "", "The context's name (read back).")
    context.debug_sync = _kept_with_warning(
        "debug_sync", False, "build with BuilderFlag.DEBUG to synchronise after every step",
        context_logger)
    context.enqueue_emits_profile = _kept_with_warning(
        "enqueue_emits_profile", True, "kiln reports to the profiler during every run",
        context_logger)
    context.report_to_profiler = lambda self: True  # the run already reported (see above)
    context.persistent_cache_limit = _kept_with_warning(
        "persistent_cache_limit", 0, "kiln does not set aside persistent L2 cache",
        context_logger)
    context.temporary_allocator = _kept_with_warning(
        "temporary_allocator", None, "kiln allocates scratch memory itself", context_logger)
    context.unfused_tensors_debug_state = _not_applicable("unfused_tensors_debug_state", False,
                                                          context_logger)
    context.set_output_allocator = _set_output_allocator
    context.get_output_allocator = _get_output_allocator
    _execute_async_v3_orig = context.execute_async_v3
    context.execute_async_v3 = _execute_async_v3
    context.get_runtime_config = lambda self: _state(self).get("runtime_config")
    context.get_tensor_strides = _tensor_strides
    context.infer_shapes = _infer_shapes
    context.all_shape_inputs_specified = property(
        lambda self: True, doc="True: kiln engines have no shape-tensor inputs.")
    context.set_tensor_debug_state = _set_tensor_debug_state
    context.set_all_tensors_debug_state = _set_tensor_debug_state
    context.get_debug_state = lambda self, name: False
    context.set_debug_listener = _set_debug_listener
    context.get_debug_listener = lambda self: None
    context.set_input_consumed_event = _set_input_consumed_event
    context.get_input_consumed_event = lambda self: None
    context.set_device_memory = _set_device_memory
    context.update_device_memory_size_for_shapes = lambda self: self.device_memory_size
    context.get_max_output_size = _max_output_size

    kiln.IProfiler.report_layer_time = _report_layer_time
    # The callback interfaces' methods, doing what kiln does when a subclass does not define them
    # (TensorRT declares them on the base class).
    kiln.IAlgorithmSelector.select_algorithms = lambda self, context, choices: list(
        range(len(choices)))
    kiln.IAlgorithmSelector.report_algorithms = lambda self, contexts, choices: None
    kiln.IProgressMonitor.phase_start = lambda self, phase_name, parent_phase, num_steps: None
    kiln.IProgressMonitor.step_complete = lambda self, phase_name, step: True
    kiln.IProgressMonitor.phase_finish = lambda self, phase_name: None
    kiln.EngineInspector.error_recorder = property(
        lambda self: None, lambda self, recorder: _warn(None, "EngineInspector.error_recorder: "
                                                        "kiln reports errors through the logger"))

    network = kiln.INetworkDefinition
    network.name = _stored("name", "Unnamed Network 0", "The network's name (read back).")
    network.flags = property(lambda self: _state(self).get("flags", 1))
    network.get_flag = lambda self, flag: bool(_state(self).get("flags", 1) >> int(flag) & 1)
    network.builder = property(lambda self: _state(self).get("builder"))
    network.mark_debug = lambda self, tensor: bool(_fail(
        _state(self).get("builder") and _state(self)["builder"].logger, "mark_debug",
        "kiln has no debug tensors; mark the tensor as an output instead", False))
    network.unmark_debug = lambda self, tensor: False
    network.is_debug_tensor = lambda self, tensor: False
    network.error_recorder = _kept_with_warning(
        "error_recorder", None, "kiln reports errors through the logger",
        lambda self: _state(self).get("builder") and _state(self)["builder"].logger)

    tensor = kiln.ITensor
    tensor.allowed_formats = property(
        lambda self: 1 << TensorFormat.LINEAR, lambda self, mask: _set_allowed_formats(mask),
        doc="1 << TensorFormat.LINEAR: kiln's I/O tensors are row-major.")
    tensor.location = property(lambda self: TensorLocation.DEVICE,
                               lambda self, value: _set_location(value),
                               doc="TensorLocation.DEVICE: the engine's device.")
    tensor.broadcast_across_batch = property(lambda self: False,
                                             doc="False: kiln has no implicit batch.")
    tensor.dynamic_range = property(lambda self: None, doc="None: INT8 is not applicable.")
    tensor.set_dynamic_range = lambda self, min, max: _no_int8("ITensor.set_dynamic_range")
    tensor.reset_dynamic_range = lambda self: None

    profile = kiln.IOptimizationProfile
    profile.set_shape_input = lambda self, input, min, opt, max: _no_shape_inputs(input)
    profile.get_shape_input = lambda self, input: _no_shape_inputs(input)
    profile.extra_memory_target = property(lambda self: 1.0, doc="1.0 (not applicable).")

    parser = kiln.OnnxParser
    parser.flags = property(lambda self: _state(self).get("flags", 0))
    parser.set_flag = lambda self, flag: _parser_flag(self, flag, True)
    parser.clear_flag = lambda self, flag: _parser_flag(self, flag, False)
    parser.get_flag = lambda self, flag: _parser_flag(self, flag)
    parser.supports_model = _supports_model
    parser.get_used_vc_plugin_libraries = lambda self: []


def _set_allowed_formats(mask) -> None:
    if not int(mask) >> TensorFormat.LINEAR & 1:
        raise _kiln.Error("ITensor.allowed_formats: kiln's I/O tensors are LINEAR (row-major); "
                          "include 1 << int(TensorFormat.LINEAR)")


def _set_location(value) -> None:
    if TensorLocation(int(value)) != TensorLocation.DEVICE:
        raise _kiln.Error("ITensor.location: kiln I/O tensors live on the engine's device "
                          "(TensorLocation.DEVICE); HOST is not supported")


def _no_int8(api: str) -> bool:
    if _kiln.get_strict():
        raise _kiln.Error(f"{api}: INT8 is not applicable to kiln")
    return False


def _no_shape_inputs(name):
    raise _kiln.Error(f"set_shape_input/get_shape_input('{name}'): kiln engines have no "
                      "shape-tensor inputs (shape tensors come from input shapes and constants "
                      "inside the network); use set_shape for the input's dimensions")
