"""TensorRT 7/8 scripts on kiln: bindings across optimization profiles, build_engine,
max_workspace_size, the legacy 2-D layers, and the errors for what kiln cannot honour."""

import numpy as np
import pytest

import kiln as trt


def two_profile_engine(logger):
    """y = relu(x) * 2 for x of shape (-1, 3), built the TensorRT 8 way with two profiles."""
    builder = trt.Builder(logger)
    builder.max_batch_size = 8  # TensorRT 7/8; stored, no effect with an explicit batch
    assert builder.max_batch_size == 8
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    x = network.add_input("x", trt.float32, (-1, 3))
    relu = network.add_activation(x, trt.ActivationType.RELU)
    two = network.add_constant((1, 1), np.array([[2.0]], np.float32))
    y = network.add_elementwise(relu.get_output(0), two.get_output(0), trt.ElementWiseOperation.PROD)
    y.get_output(0).name = "y"
    network.mark_output(y.get_output(0))
    config = builder.create_builder_config()
    config.max_workspace_size = 1 << 20
    assert config.max_workspace_size == 1 << 20
    assert config.get_memory_pool_limit(trt.MemoryPoolType.WORKSPACE) == 1 << 20
    config.default_device_type = trt.DeviceType.CPU
    for lo, opt, hi in (((1, 3), (2, 3), (4, 3)), ((5, 3), (6, 3), (8, 3))):
        profile = builder.create_optimization_profile()
        profile.set_shape("x", lo, opt, hi)
        config.add_optimization_profile(profile)
    engine = builder.build_engine(network, config)
    assert engine is not None, trt.get_last_error()
    return engine


def test_binding_vocabulary(logger):
    engine = two_profile_engine(logger)
    assert engine.num_bindings == 4  # 2 I/O tensors x 2 profiles
    assert [engine.get_binding_name(i) for i in range(4)] == [
        "x", "y", "x [profile 1]", "y [profile 1]"]
    assert list(engine) == ["x", "y", "x [profile 1]", "y [profile 1]"]
    assert engine[1] == "y" and engine[-1] == "y [profile 1]" and len(engine) == 4
    assert engine["y [profile 1]"] == 3 and engine.get_binding_index("x") == 0
    assert engine.get_binding_index("nope") == -1
    assert [engine.binding_is_input(i) for i in range(4)] == [True, False, True, False]
    assert engine.binding_is_input("x") and not engine.binding_is_input("y [profile 1]")
    assert engine.get_binding_dtype(2) == trt.float32
    assert engine.get_binding_shape(0) == (-1, 3) and engine.get_binding_shape("y") == (-1, 3)
    assert engine.get_profile_shape(1, "x") == [(5, 3), (6, 3), (8, 3)]
    assert engine.get_profile_shape(0, 0) == [(1, 3), (2, 3), (4, 3)]
    assert engine.max_batch_size == 1 and not engine.has_implicit_batch_dimension


def test_execute_v2_and_async_v2_use_the_active_profile(logger):
    engine = two_profile_engine(logger)
    context = engine.create_execution_context()
    assert not context.all_binding_shapes_specified

    # Profile 0: bindings 0 and 1.
    x0 = np.array([[-1, 2, 3], [4, -5, 6]], np.float32)
    y0 = np.zeros((2, 3), np.float32)
    assert context.set_binding_shape(0, x0.shape)
    assert context.all_binding_shapes_specified
    assert context.get_binding_shape(1) == (2, 3)
    sentinel = np.full((1,), 7.0, np.float32)  # profile 1's slots: must not be used
    bindings = [x0.ctypes.data, y0.ctypes.data, sentinel.ctypes.data, sentinel.ctypes.data]
    assert context.execute_v2(bindings)
    np.testing.assert_array_equal(y0, np.maximum(x0, 0) * 2)

    # Profile 1: bindings 2 and 3, shapes from its range.
    assert context.set_optimization_profile_async(1, 0)
    assert context.active_optimization_profile == 1
    x1 = np.arange(-9, 9, dtype=np.float32).reshape(6, 3)
    y1 = np.zeros((6, 3), np.float32)
    assert context.set_binding_shape(2, x1.shape)
    assert context.get_binding_shape(3) == (6, 3)
    bindings = [sentinel.ctypes.data, sentinel.ctypes.data, x1.ctypes.data, y1.ctypes.data]
    assert context.execute_async_v2(bindings, 0)
    np.testing.assert_array_equal(y1, np.maximum(x1, 0) * 2)
    np.testing.assert_array_equal(sentinel, [7.0])

    # TensorRT 10's form (one address per I/O tensor) works too.
    y1[:] = 0
    assert context.execute_v2([x1.ctypes.data, y1.ctypes.data])
    np.testing.assert_array_equal(y1, np.maximum(x1, 0) * 2)


def test_binding_errors_name_the_call(logger):
    engine = two_profile_engine(logger)
    assert engine.get_binding_name(4) is None
    assert "get_binding_name: binding index 4 is out of range" in trt.get_last_error()
    assert "2 I/O tensors x 2 optimization profiles" in trt.get_last_error()
    assert logger.errors()
    assert engine.get_binding_dtype("nope") is None
    assert "no binding named 'nope'" in trt.get_last_error()
    with pytest.raises(IndexError):
        engine[4]
    with pytest.raises(TypeError):
        engine.binding_is_input(1.5)

    context = engine.create_execution_context()
    assert context.set_binding_shape(2, (6, 3)) is False  # profile 1's binding, profile 0 active
    assert "call set_optimization_profile_async(1, stream) first" in trt.get_last_error()
    assert context.set_binding_shape(1, (2, 3)) is False
    assert "is an output" in trt.get_last_error()
    assert context.execute_v2([0, 0, 0]) is False
    assert "one address per binding (4 = 2 I/O tensors x 2 optimization profiles)" in (
        trt.get_last_error())

    trt.set_strict(True)
    with pytest.raises(trt.Error, match="get_binding_shape: binding index 9 is out of range"):
        engine.get_binding_shape(9)


def test_implicit_batch_calls_raise_with_what_to_use(logger):
    engine = two_profile_engine(logger)
    context = engine.create_execution_context()
    with pytest.raises(trt.Error, match=r"execute\(batch_size, bindings\).*implicit batch.*"
                       r"execute_v2\(bindings\)"):
        context.execute(1, [0, 0])
    with pytest.raises(trt.Error, match=r"execute_async_v2\(bindings, stream_handle\)"):
        context.execute_async(batch_size=1, bindings=[0, 0], stream_handle=0)
    builder = trt.Builder(logger)
    with pytest.raises(trt.Error, match="build_serialized_network"):
        builder.build_cuda_engine(builder.create_network())


def test_legacy_2d_layers_build_and_run(logger):
    """TensorRT 7's add_convolution / add_pooling / add_deconvolution and their 2-D attributes."""
    builder = trt.Builder(logger)
    network = builder.create_network()
    x = network.add_input("x", trt.float32, (1, 1, 4, 4))
    kernel = np.ones((2, 1, 3, 3), np.float32)
    conv = network.add_convolution(x, 2, trt.DimsHW(3, 3), kernel, np.zeros(2, np.float32))
    conv.stride = (1, 1)
    conv.padding = trt.DimsHW(1, 1)
    conv.dilation = (1, 1)
    assert conv.kernel_size == (3, 3) and conv.padding == (1, 1) and conv.padding_nd == (1, 1)
    assert conv.get_output(0).shape == (1, 2, 4, 4)
    pool = network.add_pooling(conv.get_output(0), trt.PoolingType.MAX, (2, 2))
    pool.stride = (2, 2)
    assert pool.window_size == (2, 2) and pool.stride_nd == (2, 2)
    assert pool.get_output(0).shape == (1, 2, 2, 2)
    deconv = network.add_deconvolution(pool.get_output(0), 1, (2, 2),
                                       np.ones((2, 1, 2, 2), np.float32))
    deconv.stride = (2, 2)
    assert deconv.stride == (2, 2) and deconv.kernel_size == (2, 2)
    deconv.get_output(0).name = "y"
    network.mark_output(deconv.get_output(0))
    with pytest.raises(ValueError, match="add_convolution: a DimsHW has 2 dimensions"):
        network.add_convolution(x, 2, (3, 3, 3), np.ones(54, np.float32))

    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.CPU
    engine = builder.build_engine(network, config)
    xs = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    y = engine.create_execution_context().infer({"x": xs})["y"]
    # Reference: 3x3 box sums (zero padding), 2x2 max pool, then each pooled value spread over a
    # 2x2 block and summed over the two (equal) channels.
    padded = np.pad(xs[0, 0], 1)
    box = np.array([[padded[i:i + 3, j:j + 3].sum() for j in range(4)] for i in range(4)])
    pooled = box.reshape(2, 2, 2, 2).max(axis=(1, 3))
    np.testing.assert_allclose(y[0, 0], np.kron(pooled, np.ones((2, 2))) * 2)


def test_3d_layer_has_no_2d_attribute(logger):
    network = trt.Builder(logger).create_network()
    x = network.add_input("x", trt.float32, (1, 1, 4, 4, 4))
    conv = network.add_convolution_nd(x, 1, (3, 3, 3), np.ones(27, np.float32))
    with pytest.raises(AttributeError, match="not 2-D.*use stride_nd"):
        conv.stride
