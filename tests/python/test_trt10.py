"""TensorRT 10 members: the ones that work, and the not-applicable ones saying so."""

import io

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load


def relu_network(builder, name="y"):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 3))
    relu = network.add_activation(x, trt.ActivationType.RELU)
    relu.name = "relu"
    relu.get_output(0).name = name
    network.mark_output(relu.get_output(0))
    return network


PROFILE = [{"x": ((1, 3), (2, 3), (4, 3))}]


def relu_engine(logger, config=None):
    builder = trt.Builder(logger)
    return load(logger, build_cpu(builder, relu_network(builder), PROFILE, config))


def test_profiler_reports_every_layer(logger):
    engine = relu_engine(logger)
    context = engine.create_execution_context()

    class Times(trt.IProfiler):
        def __init__(self):
            trt.IProfiler.__init__(self)
            self.times = []

        def report_layer_time(self, layer_name, ms):
            self.times.append((layer_name, ms))

    profiler = Times()
    context.profiler = profiler
    assert context.profiler is profiler
    context.infer({"x": np.ones((2, 3), np.float32)})
    assert [name for name, _ in profiler.times] == ["relu"]
    assert all(ms >= 0 for _, ms in profiler.times)
    context.profiler = None
    context.infer({"x": np.ones((2, 3), np.float32)})
    assert len(profiler.times) == 1
    assert issubclass(trt.Profiler, trt.IProfiler)


def test_engine_inspector(logger):
    engine = relu_engine(logger)
    inspector = engine.create_engine_inspector()
    inspector.execution_context = engine.create_execution_context()
    info = inspector.get_engine_information(trt.LayerInformationFormat.ONELINE)
    assert "relu" in info
    assert "relu" in inspector.get_layer_information(0, trt.LayerInformationFormat.JSON)
    assert inspector.get_layer_information(7, trt.LayerInformationFormat.ONELINE) is None
    assert "out of range" in trt.get_last_error()


def test_layer_precision_is_recorded_with_one_warning(logger):
    builder = trt.Builder(logger)
    network = relu_network(builder)
    layer = network.get_layer(0)
    assert not layer.precision_is_set and layer.precision == trt.float32
    layer.precision = trt.float16
    layer.set_output_type(0, trt.float16)
    assert network.get_layer(0).precision == trt.float16 and layer.precision_is_set
    assert layer.output_type_is_set(0) and layer.get_output_type(0) == trt.float16
    warnings = [m for s, m in logger.messages if "does not apply them" in m]
    assert len(warnings) == 1 and "add_cast" in warnings[0]
    layer.reset_precision()
    layer.reset_output_type(0)
    assert not layer.precision_is_set and not layer.output_type_is_set(0)
    layer.set_output_type(3, trt.float16)
    assert "has 1 outputs, no output 3" in trt.get_last_error()
    layer.metadata = "block 1"
    assert network.get_layer(0).metadata == "block 1"
    tensor = network.get_input(0)
    tensor.set_dimension_name(0, "batch")
    assert tensor.get_dimension_name(0) == "batch" and tensor.get_dimension_name(1) is None


def test_output_allocator_allocates_and_hears_the_shape(logger):
    engine = relu_engine(logger)
    context = engine.create_execution_context()

    class Allocator(trt.IOutputAllocator):
        def __init__(self):
            trt.IOutputAllocator.__init__(self)
            self.buffer, self.shape, self.requests = None, None, []

        def reallocate_output(self, name, memory, size, alignment):
            self.requests.append((name, size))
            self.buffer = np.zeros(size // 4, np.float32)
            return self.buffer.ctypes.data

        def notify_shape(self, name, shape):
            self.shape = tuple(shape)

    allocator = Allocator()
    assert context.set_output_allocator("y", allocator)
    assert context.get_output_allocator("y") is allocator
    assert context.set_output_allocator("x", allocator) is False
    xs = np.array([[-1, 2, -3], [4, -5, 6], [7, 8, -9]], np.float32)
    context.set_input_shape("x", xs.shape)
    context.set_tensor_address("x", xs.ctypes.data)
    assert context.execute_async_v3(0)
    assert allocator.requests == [("y", 36)] and allocator.shape == (3, 3)
    np.testing.assert_array_equal(allocator.buffer.reshape(3, 3), np.maximum(xs, 0))


def test_stream_writer_and_reader_round_trip(logger):
    builder = trt.Builder(logger)
    network = relu_network(builder)
    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU
    profile = builder.create_optimization_profile()
    profile.set_shape("x", *PROFILE[0]["x"])
    config.add_optimization_profile(profile)

    class Writer(trt.IStreamWriter):
        def __init__(self):
            trt.IStreamWriter.__init__(self)
            self.data = io.BytesIO()

        def write(self, data):
            return self.data.write(data)

    class Reader(trt.IStreamReader):
        def __init__(self, data):
            trt.IStreamReader.__init__(self)
            self.data = io.BytesIO(data)

        def read(self, size):
            return self.data.read(size)

    writer = Writer()
    assert builder.build_serialized_network_to_stream(network, config, writer)
    runtime = trt.Runtime(logger)
    assert runtime.logger is logger
    engine = runtime.deserialize_cuda_engine(Reader(writer.data.getvalue()))
    assert engine is not None and engine.num_io_tensors == 2
    assert builder.is_network_supported(network, config)


def test_engine_tensor_queries(logger):
    config = trt.Builder(logger).create_builder_config()
    config.set_flag(trt.BuilderFlag.REFIT)
    engine = relu_engine(logger, config)
    assert engine.refittable and not relu_engine(logger).refittable
    assert engine.get_tensor_format("y") == trt.TensorFormat.LINEAR
    assert "kLINEAR" in engine.get_tensor_format_desc("y")
    assert engine.get_tensor_location("x") == trt.TensorLocation.DEVICE
    assert engine.get_tensor_bytes_per_component("x") == 4
    assert engine.get_tensor_components_per_element("x") == 1
    assert engine.get_tensor_vectorized_dim("x") == -1
    assert engine.get_tensor_format("nope") is None and "no I/O tensor named 'nope'" in (
        trt.get_last_error())
    assert engine.hardware_compatibility_level == trt.HardwareCompatibilityLevel.NONE
    assert engine.engine_capability == trt.EngineCapability.STANDARD
    assert engine.streamable_weights_size == 0
    assert engine.get_tensor_profile_values(0, "x") is None
    assert "no shape-tensor inputs" in trt.get_last_error()
    context = engine.create_execution_context(trt.ExecutionContextAllocationStrategy.STATIC)
    assert (context.get_runtime_config().get_execution_context_allocation_strategy()
            == trt.ExecutionContextAllocationStrategy.STATIC)
    assert context.infer_shapes() == ["x"]
    context.set_input_shape("x", (4, 3))
    assert context.infer_shapes() == [] and context.get_tensor_strides("y") == (3, 1)
    assert context.get_max_output_size("y") == 4 * 3 * 4
    config = engine.create_serialization_config()
    assert bytes(engine.serialize_with_config(config)) == bytes(engine.serialize())
    config.set_flag(trt.SerializationFlag.EXCLUDE_WEIGHTS)
    assert engine.serialize_with_config(config) is None


def test_network_and_config_members(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED))
    assert network.get_flag(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)
    assert network.builder is builder and network.name == "Unnamed Network 0"
    network.name = "mine"
    assert network.name == "mine"
    config = builder.create_builder_config()
    config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED
    assert config.profiling_verbosity == trt.ProfilingVerbosity.DETAILED
    assert config.get_preview_feature(trt.PreviewFeature.PROFILE_SHARING_0806)
    config.set_preview_feature(trt.PreviewFeature.PROFILE_SHARING_0806, False)
    assert not config.get_preview_feature(trt.PreviewFeature.PROFILE_SHARING_0806)
    assert config.DLA_core == -1 and not builder.platform_has_fast_int8
    config.DLA_core = 0
    assert config.DLA_core == -1
    assert any("DLA_core = 0 has no effect" in m for _, m in logger.messages)
    config.engine_capability = trt.EngineCapability.SAFETY
    assert config.engine_capability == trt.EngineCapability.STANDARD
    assert "SAFETY is not applicable" in trt.get_last_error()


def test_module_level_names():
    assert trt.Dims.MAX_DIMS == 8
    hw = trt.DimsHW(3, 4)
    assert (hw.h, hw.w) == (3, 4) and hw == (3, 4)
    assert trt.get_nv_onnx_parser_version() == 101300
    assert trt.fp8 == trt.DataType.FP8
    assert isinstance(trt.Permutation([1, 0]), tuple)


def test_supports_model_and_model_proto(logger):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    def model(op):
        graph = helper.make_graph(
            [helper.make_node(op, ["x"], ["y"])], "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])

    builder = trt.Builder(logger)
    parser = trt.OnnxParser(builder.create_network(0), logger)
    ok, subgraphs = parser.supports_model(model("Relu").SerializeToString())
    assert ok and subgraphs[0][1] and isinstance(subgraphs, trt.SubGraphCollection)
    ok, subgraphs = parser.supports_model(model("NoSuchOp").SerializeToString())
    assert not ok and subgraphs == [([0], False)]
    assert not parser.supports_model_v2(model("NoSuchOp"))
    assert parser.num_subgraphs == 1 and parser.get_subgraph_nodes(0) == [0]
    parser.set_flag(trt.OnnxParserFlag.NATIVE_INSTANCENORM)
    assert parser.get_flag(trt.OnnxParserFlag.NATIVE_INSTANCENORM)
    assert parser.parse_model_proto(model("Relu"))


def test_layers_built_from_kiln_layers(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (1, 2, 2, 2))
    scale = network.add_scale(x, trt.ScaleMode.CHANNEL, shift=np.array([1, 2], np.float32),
                              scale=np.array([2, 3], np.float32), power=None)
    slopes = network.add_constant((1, 2, 1, 1), np.array([0.1, 0.5], np.float32).reshape(
        1, 2, 1, 1))
    prelu = network.add_parametric_relu(x, slopes.get_output(0))
    pad = network.add_padding_nd(x, (1, 0), (0, 1))
    indices = network.add_constant((1,), np.array([1], np.int32))
    gather = network.add_gather_v2(x, indices.get_output(0), trt.GatherMode.DEFAULT)
    gather.axis = 1
    for layer, name in ((scale, "scale"), (prelu, "prelu"), (pad, "pad"), (gather, "gather")):
        layer.get_output(0).name = name
        network.mark_output(layer.get_output(0))
    engine = load(logger, build_cpu(builder, network))
    xs = np.arange(-4, 4, dtype=np.float32).reshape(1, 2, 2, 2)
    out = engine.create_execution_context().infer({"x": xs})
    channel = np.arange(2).reshape(1, 2, 1, 1)
    np.testing.assert_allclose(out["scale"], xs * (channel + 2) + (channel + 1))
    np.testing.assert_allclose(out["prelu"], np.where(xs >= 0, xs, xs * np.array(
        [0.1, 0.5], np.float32).reshape(1, 2, 1, 1)), rtol=1e-6)
    np.testing.assert_array_equal(out["pad"], np.pad(xs, ((0, 0), (0, 0), (1, 0), (0, 1))))
    np.testing.assert_array_equal(out["gather"], xs[:, [1]])
    with pytest.raises(trt.Error, match="EXPLICIT_ROUND_DOWN is the only mode"):
        network.add_pooling_nd(x, trt.PoolingType.MAX, (2, 2)).padding_mode = (
            trt.PaddingMode.SAME_UPPER)


def test_refitter_members(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 3))
    w = network.add_constant((2, 3), np.ones((2, 3), np.float32))
    w.name = "w"
    total = network.add_elementwise(x, w.get_output(0), trt.ElementWiseOperation.SUM)
    total.get_output(0).name = "y"
    network.mark_output(total.get_output(0))
    config = builder.create_builder_config()
    config.set_flag(trt.BuilderFlag.REFIT)
    engine = load(logger, build_cpu(builder, network, config=config))
    refitter = trt.Refitter(engine, logger)
    assert refitter.logger is logger and refitter.get_missing() == ([], [])
    name = refitter.get_all_weights()[0]
    new = np.full((2, 3), 5, np.float32)
    assert refitter.set_named_weights(name, new, trt.TensorLocation.HOST)
    assert refitter.get_weights_location(name) == trt.TensorLocation.HOST
    np.testing.assert_array_equal(refitter.get_named_weights(name).numpy(), new)
    assert refitter.refit_cuda_engine()
    out = engine.create_execution_context().infer({"x": np.zeros((2, 3), np.float32)})
    np.testing.assert_array_equal(out["y"], new)


def test_algorithm_variant_has_integer_ids(logger):
    seen, io = [], []

    class Selector(trt.IAlgorithmSelector):
        def __init__(self):
            trt.IAlgorithmSelector.__init__(self)

        def select_algorithms(self, context, choices):
            for c in choices:
                seen.append(c.algorithm_variant)
                io.append((c.get_algorithm_io_info(0), c.get_algorithm_io_info(1),
                           c.get_algorithm_io_info(2)))
            return list(range(len(choices)))

    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    config.algorithm_selector = Selector()
    relu_engine(logger, config)
    assert seen and all(isinstance(v.implementation, int) and isinstance(v.tactic, int)
                        for v in seen)
    assert seen[0].implementation_name == "cpu.reference"
    assert trt.IAlgorithmIOInfo is trt.AlgorithmIOInfo
    first_input, first_output, past_end = io[0]  # relu: one input, one output
    assert first_input.dtype == trt.float32 and first_input.shape == (2, 3)  # profile opt
    assert first_input.strides == (3, 1) and first_input.vectorized_dim == -1
    assert first_output.shape == (2, 3) and past_end is None


def test_weights_from_a_raw_pointer(logger):
    """TensorRT 8's Weights(type, ptr, count): the values are read when the layer is added."""
    values = np.arange(6, dtype=np.float32)
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    constant = network.add_constant((2, 3), trt.Weights(trt.float32, values.ctypes.data, 6))
    constant.get_output(0).name = "c"
    network.mark_output(constant.get_output(0))
    values[:] = -1  # the network copied them already
    engine = load(logger, build_cpu(builder, network))
    out = engine.create_execution_context().infer({})
    np.testing.assert_array_equal(out["c"], np.arange(6, dtype=np.float32).reshape(2, 3))
    with pytest.raises(ValueError, match="null pointer"):
        trt.Weights(trt.float32, 0, 3)


def test_is_shape_tensor():
    """ITensor.is_shape_tensor: tensors whose values the network uses as shapes (a shuffle's
    reshape input, a slice's size input, and what computes them) are shape tensors; the data,
    the input of IShapeLayer and the outputs are not."""
    import numpy as np

    builder = trt.Builder(trt.Logger(trt.Logger.WARNING))
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 6))
    shape = network.add_shape(x).get_output(0)
    divisor = network.add_constant((2,), np.array([1, 2], np.int64)).get_output(0)
    dims = network.add_elementwise(shape, divisor, trt.ElementWiseOperation.FLOOR_DIV).get_output(0)
    shuffle = network.add_shuffle(x)
    shuffle.set_input(1, dims)
    relu = network.add_activation(shuffle.get_output(0), trt.ActivationType.RELU)
    relu.get_output(0).name = "y"
    network.mark_output(relu.get_output(0))
    # A second shape computation that only a slice's size takes.
    size = network.add_constant((2,), np.array([1, 3], np.int64)).get_output(0)
    slice_ = network.add_slice(x, (0, 0), (1, 1), (1, 1))
    slice_.set_input(2, size)
    slice_.get_output(0).name = "z"
    network.mark_output(slice_.get_output(0))
    # An int tensor computed from the shape but used as data is not a shape tensor.
    data_only = network.add_shape(relu.get_output(0)).get_output(0)
    network.mark_output(data_only)

    assert shape.is_shape_tensor and divisor.is_shape_tensor and dims.is_shape_tensor
    assert size.is_shape_tensor
    assert not x.is_shape_tensor  # IShapeLayer reads its dimensions only; the shuffle's data
    assert not shuffle.get_output(0).is_shape_tensor
    assert not relu.get_output(0).is_shape_tensor
    assert not slice_.get_output(0).is_shape_tensor
    assert not data_only.is_shape_tensor
