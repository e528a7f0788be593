"""TensorRT 7/8's vocabulary on kiln's classes: bindings, build_engine, 2-D layer attributes.

TensorRT 8 numbers an engine's tensors as *bindings*: with P optimization profiles and N I/O
tensors there are P x N bindings, binding ``p * N + i`` being I/O tensor ``i`` in profile ``p``
(named ``"name [profile p]"`` for p > 0). ``execute_v2`` / ``execute_async_v2`` take one address
per binding (or one per I/O tensor) and use the active profile's. kiln maps every binding call
onto the name-based calls of TensorRT 10.

TensorRT 7's implicit batch mode (``execute(batch_size, ...)``) is not supported: those calls raise
kiln.Error saying what to write instead (docs/python.md, "TensorRT 7/8 scripts").
"""

from __future__ import annotations

from . import _kiln
from ._helpers import Dims


def _fail(engine, api: str, message: str, fallback):
    """TensorRT-style failure: log through the engine's logger and return `fallback`, or raise
    kiln.Error in strict mode."""
    message = f"{api}: {message}"
    if _kiln.get_strict():
        raise _kiln.Error(message)
    _kiln._report_engine_error(engine, api, message)
    return fallback


def _num_profiles(engine) -> int:
    return max(1, engine.num_optimization_profiles)


def _split(engine, api: str, binding):
    """(profile, tensor name) of a binding index or binding name; None after logging a failure."""
    n = engine.num_io_tensors
    total = n * _num_profiles(engine)
    if isinstance(binding, str):
        index = _binding_index(engine, binding)
        if index < 0:
            return _fail(engine, api, f"no binding named '{binding}' (names: "
                         f"{[_binding_name(engine, i) for i in range(total)]})", None)
        binding = index
    if isinstance(binding, bool) or not isinstance(binding, int):
        raise TypeError(f"{api}: a binding is an int index or a str name, not "
                        f"{type(binding).__name__}")
    if binding < 0 or binding >= total:
        return _fail(engine, api, f"binding index {binding} is out of range: the engine has "
                     f"{total} bindings ({n} I/O tensors x {_num_profiles(engine)} optimization "
                     "profiles); use engine.num_bindings, or the name-based "
                     "engine.get_tensor_name(i) for i < engine.num_io_tensors", None)
    return binding // n, engine.get_tensor_name(binding % n)


def _binding_name(engine, index: int) -> str:
    n = engine.num_io_tensors
    name = engine.get_tensor_name(index % n)
    profile = index // n
    return name if profile == 0 else f"{name} [profile {profile}]"


def _binding_index(engine, name: str) -> int:
    n = engine.num_io_tensors
    profile = 0
    if name.endswith("]") and " [profile " in name:
        base, _, rest = name.rpartition(" [profile ")
        try:
            profile = int(rest[:-1])
        except ValueError:
            return -1
        if profile <= 0 or profile >= _num_profiles(engine):
            return -1
        name = base
    for i in range(n):
        if engine.get_tensor_name(i) == name:
            return profile * n + i
    return -1


# ----------------------------------------------------------------------------------------------
# ICudaEngine


def _num_bindings(self) -> int:
    return self.num_io_tensors * _num_profiles(self)


def get_binding_name(self, index: int):
    """TensorRT 8: the name of a binding ("x", "x [profile 1]"), or None for a bad index."""
    where = _split(self, "get_binding_name", index)
    return None if where is None else _binding_name(self, index)


def get_binding_index(self, name: str) -> int:
    """TensorRT 8: the binding index of a name ("x" or "x [profile 1]"), -1 when unknown."""
    return _binding_index(self, name)


def binding_is_input(self, binding) -> bool:
    """TensorRT 8: whether a binding (index or name) is an input."""
    where = _split(self, "binding_is_input", binding)
    if where is None:
        return False
    return self.get_tensor_mode(where[1]) == _kiln.TensorIOMode.INPUT


def get_binding_dtype(self, binding):
    """TensorRT 8: the DataType of a binding (index or name), None for a bad binding."""
    where = _split(self, "get_binding_dtype", binding)
    return None if where is None else self.get_tensor_dtype(where[1])


def get_engine_binding_shape(self, binding):
    """TensorRT 8: the shape of a binding as built (-1 for dynamic dimensions)."""
    where = _split(self, "get_binding_shape", binding)
    return None if where is None else self.get_tensor_shape(where[1])


def get_profile_shape(self, profile_index: int, binding):
    """TensorRT 8: [min, opt, max] of an input binding (index or name) in a profile."""
    where = _split(self, "get_profile_shape", binding)
    if where is None:
        return None
    return self.get_tensor_profile_shape(where[1], profile_index)


def _engine_getitem(self, key):
    """TensorRT 8: engine[i] is binding i's name, engine["name"] its index."""
    if isinstance(key, str):
        return _binding_index(self, key)
    total = _num_bindings(self)
    if not isinstance(key, int) or isinstance(key, bool):
        raise TypeError("ICudaEngine[...] takes a binding index (int) or a binding name (str)")
    if key < 0:
        key += total
    if key < 0 or key >= total:
        raise IndexError(f"ICudaEngine[{key}]: binding index out of range (num_bindings = {total})")
    return _binding_name(self, key)


def _engine_iter(self):
    return (_binding_name(self, i) for i in range(_num_bindings(self)))


# ----------------------------------------------------------------------------------------------
# IExecutionContext


def _check_profile(context, api: str, binding):
    """(profile, name) of a binding of the active profile, or None with the failure logged."""
    engine = context.engine
    where = _split(engine, api, binding)
    if where is None:
        return None
    active = context.active_optimization_profile
    if where[0] != active:
        return _fail(engine, api, f"binding {binding} belongs to optimization profile {where[0]} "
                     f"but profile {active} is active; call "
                     f"set_optimization_profile_async({where[0]}, stream) first", None)
    return where


def set_binding_shape(self, binding: int, shape) -> bool:
    """TensorRT 8: set_input_shape for an input binding of the active profile."""
    where = _check_profile(self, "set_binding_shape", binding)
    if where is None:
        return False
    if self.engine.get_tensor_mode(where[1]) != _kiln.TensorIOMode.INPUT:
        return _fail(self.engine, "set_binding_shape", f"binding {binding} ('{where[1]}') is an "
                     "output; only inputs take a shape", False)
    return self.set_input_shape(where[1], shape)


def get_context_binding_shape(self, binding):
    """TensorRT 8: the shape of a binding in this context (inputs as set, outputs inferred)."""
    where = _split(self.engine, "get_binding_shape", binding)
    return None if where is None else self.get_tensor_shape(where[1])


def _all_binding_shapes_specified(self) -> bool:
    return self.all_input_dimensions_specified


def _active_addresses(context, api: str, bindings):
    """The active profile's addresses from a TensorRT 8 bindings list (one address per binding of
    every profile, or one per I/O tensor)."""
    engine = context.engine
    n = engine.num_io_tensors
    bindings = [int(b) for b in bindings]
    if len(bindings) == n:
        return bindings
    total = n * _num_profiles(engine)
    if len(bindings) == total:
        start = context.active_optimization_profile * n
        return bindings[start:start + n]
    if total == n:
        expected = f"one address per I/O tensor ({n})"
    else:
        expected = (f"one address per binding ({total} = {n} I/O tensors x "
                    f"{_num_profiles(engine)} optimization profiles) or one address per I/O "
                    f"tensor ({n})")
    return _fail(engine, api, f"expected {expected}, got {len(bindings)}", None)


def execute_v2(self, bindings) -> bool:
    """Synchronous run with TensorRT 8 bindings (all profiles' or the active profile's)."""
    addresses = _active_addresses(self, "execute_v2", bindings)
    if addresses is None:
        return False
    return _execute_v2(self, addresses)


def execute_async_v2(self, bindings, stream_handle: int) -> bool:
    """TensorRT 8: sets every I/O tensor's address from `bindings`, then execute_async_v3."""
    addresses = _active_addresses(self, "execute_async_v2", bindings)
    if addresses is None:
        return False
    engine = self.engine
    for i, address in enumerate(addresses):
        if not self.set_tensor_address(engine.get_tensor_name(i), address):
            return False
    return self.execute_async_v3(stream_handle)


def _implicit_batch(api: str):
    is_async = "async" in api
    signature = "batch_size, bindings, stream_handle" if is_async else "batch_size, bindings"
    instead = "execute_async_v2(bindings, stream_handle)" if is_async else "execute_v2(bindings)"

    def call(self, batch_size=1, bindings=None, *args, **kwargs):
        raise _kiln.Error(
            f"IExecutionContext.{api}({signature}): TensorRT 7's implicit batch mode is not "
            "supported by kiln (TensorRT 10 removed it too). Give the network input an explicit "
            "batch dimension (add_input(name, dtype, (-1, C, H, W)) plus an optimization "
            f"profile), then call set_input_shape / set_binding_shape and {instead}.")

    call.__name__ = api
    call.__doc__ = f"TensorRT 7's implicit-batch {api}: raises kiln.Error (not supported)."
    return call


# ----------------------------------------------------------------------------------------------
# Builder, config


def build_engine(self, network, config):
    """TensorRT 8: build_serialized_network + Runtime.deserialize_cuda_engine in one call."""
    plan = self.build_serialized_network(network, config)
    if plan is None:
        return None
    runtime = _kiln.Runtime(self.logger)
    runtime.cpu_threads = config.cpu_threads  # kiln: the engine runs as the build timed
    engine = runtime.deserialize_cuda_engine(plan)
    if engine is not None and hasattr(network, "name"):
        from ._trt10 import _state

        _state(engine)["name"] = network.name
    return engine


def _build_cuda_engine(self, network):
    raise _kiln.Error("Builder.build_cuda_engine(network) was removed in TensorRT 8 and needs "
                      "implicit batch; use builder.build_serialized_network(network, config) "
                      "(or build_engine(network, config))")


def _get_workspace(self) -> int:
    return self.get_memory_pool_limit(_kiln.MemoryPoolType.WORKSPACE)


def _set_workspace(self, size: int) -> None:
    self.set_memory_pool_limit(_kiln.MemoryPoolType.WORKSPACE, size)


# ----------------------------------------------------------------------------------------------
# Legacy layers: add_convolution / add_deconvolution / add_pooling and 2-D attributes


def _hw(value, api: str) -> Dims:
    dims = Dims(value)
    if len(dims) != 2:
        raise ValueError(f"{api}: a DimsHW has 2 dimensions (h, w), got {tuple(dims)}")
    return dims


def _property_2d(nd_name: str, name: str, writable: bool = True):
    def get(self):
        value = getattr(self, nd_name)
        if value is None or len(value) != 2:
            raise AttributeError(f"{type(self).__name__}.{name}: the layer is not 2-D "
                                 f"({nd_name} = {value}); use {nd_name}")
        return Dims(value)

    def set(self, value):
        setattr(self, nd_name, _hw(value, f"{type(self).__name__}.{name}"))

    doc = f"TensorRT 7/8's 2-D {name} (a DimsHW): {nd_name} of a 2-D layer."
    return property(get, set if writable else None, doc=doc)


def add_convolution(self, input, num_output_maps, kernel_shape, kernel, bias=None):
    """TensorRT 7/8's 2-D add_convolution: add_convolution_nd with a DimsHW kernel shape."""
    return self.add_convolution_nd(input, num_output_maps, _hw(kernel_shape, "add_convolution"),
                                   kernel, bias)


def add_deconvolution(self, input, num_output_maps, kernel_shape, kernel, bias=None):
    """TensorRT 7/8's 2-D add_deconvolution: add_deconvolution_nd with a DimsHW kernel shape."""
    return self.add_deconvolution_nd(input, num_output_maps,
                                     _hw(kernel_shape, "add_deconvolution"), kernel, bias)


def add_pooling(self, input, type, window_size):
    """TensorRT 7/8's 2-D add_pooling: add_pooling_nd with a DimsHW window."""
    return self.add_pooling_nd(input, type, _hw(window_size, "add_pooling"))


def install(kiln) -> None:
    """Attaches the TensorRT 7/8 members to the extension's classes."""
    engine = kiln.ICudaEngine
    engine.num_bindings = property(_num_bindings, doc="TensorRT 8: num_io_tensors x profiles.")
    engine.get_binding_name = get_binding_name
    engine.get_binding_index = get_binding_index
    engine.binding_is_input = binding_is_input
    engine.get_binding_dtype = get_binding_dtype
    engine.get_binding_shape = get_engine_binding_shape
    engine.get_profile_shape = get_profile_shape
    engine.__getitem__ = _engine_getitem
    engine.__len__ = _num_bindings
    engine.__iter__ = _engine_iter
    engine.max_batch_size = property(lambda self: 1, doc="TensorRT 8: 1 (explicit batch).")
    engine.has_implicit_batch_dimension = property(lambda self: False,
                                                   doc="False: kiln has no implicit batch.")

    context = kiln.IExecutionContext
    global _execute_v2
    _execute_v2 = context.execute_v2
    context.execute_v2 = execute_v2
    context.execute_async_v2 = execute_async_v2
    context.set_binding_shape = set_binding_shape
    context.get_binding_shape = get_context_binding_shape
    context.all_binding_shapes_specified = property(_all_binding_shapes_specified)
    context.execute = _implicit_batch("execute")
    context.execute_async = _implicit_batch("execute_async")

    builder = kiln.Builder
    builder.build_engine = build_engine
    builder.build_cuda_engine = _build_cuda_engine

    config = kiln.IBuilderConfig
    config.max_workspace_size = property(_get_workspace, _set_workspace,
                                         doc="TensorRT 8: the WORKSPACE memory-pool limit.")

    network = kiln.INetworkDefinition
    network.add_convolution = add_convolution
    network.add_deconvolution = add_deconvolution
    network.add_pooling = add_pooling
    for cls in (kiln.IConvolutionLayer, kiln.IDeconvolutionLayer):
        cls.stride = _property_2d("stride_nd", "stride")
        cls.padding = _property_2d("padding_nd", "padding")
        cls.kernel_size = _property_2d("kernel_size_nd", "kernel_size", writable=False)
    kiln.IConvolutionLayer.dilation = _property_2d("dilation_nd", "dilation")
    pooling = kiln.IPoolingLayer
    pooling.window_size = _property_2d("window_size_nd", "window_size")
    pooling.stride = _property_2d("stride_nd", "stride")
    pooling.padding = _property_2d("padding_nd", "padding")


_execute_v2 = None
