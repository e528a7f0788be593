"""API surface and object lifetimes: handles keep what they need alive, threads run contexts."""

import gc
import threading

import numpy as np

import kiln as trt
from conftest import build_cpu, load, run


def test_handles_keep_their_owners_alive(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 2))
    layer = network.add_unary(x, trt.UnaryOperation.EXP)
    del network, builder, x
    gc.collect()
    out = layer.get_output(0)
    assert out.shape == (2, 2) and layer.get_input(0).name == "x"
    layer.name = "exp"
    assert layer.name == "exp" and layer.type == trt.LayerType.UNARY
    assert layer.get_output(5) is None


def test_context_outlives_engine_runtime_and_logger():
    logger = trt.Logger(trt.Logger.ERROR)
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (3,))
    y = network.add_activation(x, trt.ActivationType.RELU).get_output(0)
    y.name = "y"
    network.mark_output(y)
    context = load(logger, build_cpu(builder, network)).create_execution_context()
    del logger, builder, network, x, y
    gc.collect()
    assert context.engine.num_io_tensors == 2
    np.testing.assert_array_equal(context.infer({"x": [-1, 0, 2]})["y"], [0, 0, 2])
    assert not context.set_tensor_address("nope", 1)  # logs through the kept-alive logger


def test_network_accessors(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    assert not network.has_implicit_batch_dimension
    a = network.add_input("a", trt.float16, [1, 4])
    assert a.dtype == trt.float16 and a.is_network_input and not a.is_network_output
    assert network.get_input(0).name == "a" and network.get_input(1) is None
    ident = network.add_identity(a)
    ident.set_output_type(0, trt.float32)
    assert ident.get_output(0).dtype == trt.float32
    network.mark_output(ident.get_output(0))
    assert ident.get_output(0).is_network_output and network.num_outputs == 1
    assert len(network) == network.num_layers == 1 and network[0].name == ident.name
    assert [l.name for l in (network[i] for i in range(len(network)))] == [ident.name]
    network.unmark_output(ident.get_output(0))
    assert network.num_outputs == 0
    mm = network.add_matrix_multiply(a, trt.MatrixOperation.NONE, a, trt.MatrixOperation.TRANSPOSE)
    assert (mm.op0, mm.op1) == (trt.MatrixOperation.NONE, trt.MatrixOperation.TRANSPOSE)
    assert mm.get_output(0).shape == (1, 1)
    act = network.add_activation(a, trt.ActivationType.LEAKY_RELU)
    act.alpha = 0.25
    assert act.alpha == 0.25 and act.type == trt.ActivationType.LEAKY_RELU
    profile = builder.create_optimization_profile()
    assert profile.get_shape("a") == []
    profile.set_shape("a", (1, 1), (2, 2), (1, 1))  # min > opt: logged, ignored
    assert profile.get_shape("a") == [] and "min <= opt <= max" in logger.errors()[-1]


def test_contexts_run_in_threads(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 64))
    w = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    y = network.add_matrix_multiply(x, trt.MatrixOperation.NONE,
                                    network.add_constant(w.shape, w).get_output(0),
                                    trt.MatrixOperation.NONE).get_output(0)
    y.name = "y"
    network.mark_output(y)
    engine = load(logger, build_cpu(builder, network, [{"x": ((1, 64), (8, 64), (64, 64))}]))
    errors = []

    def work(seed):
        try:
            context = engine.create_execution_context()
            xs = np.random.default_rng(seed).standard_normal((32, 64)).astype(np.float32)
            for _ in range(5):
                np.testing.assert_allclose(run(engine, {"x": xs}, context)["y"], xs @ w,
                                           rtol=1e-4, atol=1e-4)
        except Exception as e:  # reported below; an assert in a thread would be lost
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_tensorrt_idioms():
    logger = trt.Logger(trt.Logger.WARNING)
    assert trt.init_libnvinfer_plugins(logger, "")
    with trt.Builder(logger) as builder, builder.create_network(0) as network, \
            builder.create_builder_config() as config:
        x = network.add_input(name="x", dtype=trt.float32, shape=(1, 1, 4, 4))
        pool = network.add_pooling_nd(input=x, type=trt.PoolingType.AVERAGE, window_size=(2, 2))
        network.mark_output(tensor=pool.get_output(0))
        config.default_device_type = trt.DeviceType.CPU
        plan = builder.build_serialized_network(network, config)
    with trt.Runtime(logger) as runtime, runtime.deserialize_cuda_engine(plan) as engine, \
            engine.create_execution_context() as context:
        name = engine.get_tensor_name(1)
        size = trt.volume(engine.get_tensor_shape(name))
        assert size == 4 and trt.nptype(engine.get_tensor_dtype(name)) is np.float32
        out = context.infer({"x": np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)})[name]
        np.testing.assert_array_equal(out.ravel(), [2.5, 4.5, 10.5, 12.5])
