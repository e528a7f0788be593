"""GPU variants: the same scripts with DeviceType.GPU and device addresses from torch. Skipped
(reported as skipped, never passed) without torch, a CUDA GPU, or a kiln built with CUDA."""

import numpy as np
import pytest

import kiln as trt
from conftest import load


def _gpu_reason():
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not torch.cuda.is_available():
        return "no CUDA GPU"
    builder = trt.Builder(trt.Logger(trt.Logger.ERROR))
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (1,))
    network.mark_output(network.add_identity(x).get_output(0))
    plan = builder.build_serialized_network(network, builder.create_builder_config())
    engine = trt.Runtime(trt.Logger(trt.Logger.ERROR)).deserialize_cuda_engine(plan)
    if engine is None or engine.device_type != trt.DeviceType.GPU:
        return "kiln was built without the CUDA backend"
    return None


_REASON = _gpu_reason()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=f"GPU test: {_REASON}")


def mlp(builder, w1, w2):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, w1.shape[0]))
    h = network.add_matrix_multiply(x, trt.MatrixOperation.NONE,
                                    network.add_constant(w1.shape, w1).get_output(0),
                                    trt.MatrixOperation.NONE)
    r = network.add_activation(h.get_output(0), trt.ActivationType.RELU)
    y = network.add_matrix_multiply(r.get_output(0), trt.MatrixOperation.NONE,
                                    network.add_constant(w2.shape, w2).get_output(0),
                                    trt.MatrixOperation.NONE)
    y.get_output(0).name = "y"
    network.mark_output(y.get_output(0))
    return network


@pytest.fixture
def weights():
    rng = np.random.default_rng(3)
    return (rng.standard_normal((16, 32)).astype(np.float32),
            rng.standard_normal((32, 8)).astype(np.float32))


def gpu_engine(logger, weights, fp16=False, config_hook=None):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    config.default_device_type = trt.DeviceType.GPU
    # float32 arithmetic for the tolerances below: TF32 (on by default, as in TensorRT) rounds the
    # operands to 10 mantissa bits (docs/cuda-backend.md).
    config.clear_flag(trt.BuilderFlag.TF32)
    if fp16:
        config.set_flag(trt.BuilderFlag.FP16)
    if config_hook:
        config_hook(config)
    profile = builder.create_optimization_profile()
    profile.set_shape("x", (1, 16), (4, 16), (64, 16))
    config.add_optimization_profile(profile)
    plan = builder.build_serialized_network(mlp(builder, *weights), config)
    assert plan is not None, logger.errors()
    engine = load(logger, plan)
    assert engine.device_type == trt.DeviceType.GPU
    return engine, plan


def reference(x, weights):
    w1, w2 = weights
    return np.maximum(x.astype(np.float64) @ w1, 0) @ w2


def test_tensorrt_style_with_torch_pointers(logger, weights):
    import torch

    engine, _ = gpu_engine(logger, weights)
    assert engine.device_memory_size > 0
    context = engine.create_execution_context()
    x = torch.randn(5, 16, device="cuda")
    y = torch.empty(5, 8, device="cuda")
    assert context.set_input_shape("x", tuple(x.shape))
    assert context.get_tensor_shape("y") == (5, 8)
    assert context.set_tensor_address("x", x.data_ptr())
    assert context.set_tensor_address("y", y.data_ptr())
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    assert context.execute_async_v3(stream.cuda_stream)
    stream.synchronize()
    np.testing.assert_allclose(y.cpu().numpy(), reference(x.cpu().numpy(), weights),
                               rtol=1e-3, atol=1e-3)


def test_infer_with_torch_tensors(logger, weights):
    import torch

    engine, _ = gpu_engine(logger, weights)
    context = engine.create_execution_context()
    x = torch.randn(7, 16, device="cuda")
    out = context.infer({"x": x})["y"]
    assert isinstance(out, torch.Tensor) and out.is_cuda and out.shape == (7, 8)
    np.testing.assert_allclose(out.cpu().numpy(), reference(x.cpu().numpy(), weights),
                               rtol=1e-3, atol=1e-3)
    # Host arrays, float64 and non-contiguous tensors are converted.
    xs = np.random.default_rng(0).standard_normal((3, 16))
    np.testing.assert_allclose(context.infer({"x": xs})["y"].cpu().numpy(), reference(xs, weights),
                               rtol=1e-3, atol=1e-3)
    xt = torch.randn(16, 6, device="cuda").t()
    np.testing.assert_allclose(context.infer({"x": xt})["y"].cpu().numpy(),
                               reference(xt.cpu().numpy(), weights), rtol=1e-3, atol=1e-3)
    assert context.infer({"x": torch.randn(65, 16, device="cuda")}) is None
    assert "outside optimization profile" in trt.get_last_error()


def test_infer_without_torch_returns_device_arrays(logger, weights, monkeypatch):
    import torch

    from kiln import _gpu

    engine, _ = gpu_engine(logger, weights)
    context = engine.create_execution_context()
    monkeypatch.setattr(_gpu, "_torch", lambda: None)
    xs = np.random.default_rng(1).standard_normal((4, 16)).astype(np.float32)
    out = context.infer({"x": xs})["y"]
    assert isinstance(out, trt.DeviceArray)
    cai = out.__cuda_array_interface__
    assert cai["shape"] == (4, 8) and cai["typestr"] == "<f4"
    np.testing.assert_allclose(out.numpy(), reference(xs, weights), rtol=1e-3, atol=1e-3)
    # A DeviceArray (only __cuda_array_interface__) is accepted as an input without a copy.
    device_x = _gpu.DeviceArray.from_host(xs)
    again = context.infer({"x": device_x})["y"]
    np.testing.assert_array_equal(again.numpy(), out.numpy())
    # torch reads the outputs through __cuda_array_interface__.
    np.testing.assert_array_equal(torch.as_tensor(out, device="cuda").cpu().numpy(), out.numpy())


def test_fp16_build(logger, weights):
    import torch

    engine, _ = gpu_engine(logger, weights, fp16=True)
    x = torch.randn(4, 16, device="cuda")
    out = engine.create_execution_context().infer({"x": x})["y"]
    np.testing.assert_allclose(out.float().cpu().numpy(), reference(x.cpu().numpy(), weights),
                               rtol=5e-2, atol=1e-1)


def test_gpu_selector_and_timing_cache(logger, weights):
    seen = []

    class Selector(trt.IAlgorithmSelector):
        def __init__(self):
            trt.IAlgorithmSelector.__init__(self)

        def select_algorithms(self, context, choices):
            seen.append([c.implementation for c in choices])
            return []

        def report_algorithms(self, contexts, choices):
            pass

    caches = {}

    def hook(config):
        caches["cache"] = config.create_timing_cache(b"")
        assert config.set_timing_cache(caches["cache"], False)
        config.algorithm_selector = Selector()

    _, plan1 = gpu_engine(logger, weights, config_hook=hook)
    assert seen and all(all(i.startswith("cuda.") for i in s) for s in seen), seen
    blob = bytes(caches["cache"].serialize())

    def warm(config):
        cache = config.create_timing_cache(blob)
        assert cache.num_entries == caches["cache"].num_entries
        assert config.set_timing_cache(cache, False)

    _, plan2 = gpu_engine(logger, weights, config_hook=warm)
    assert bytes(plan1) == bytes(plan2)


def test_gpu_plan_round_trip_and_contexts(logger, weights):
    import torch

    engine, plan = gpu_engine(logger, weights)
    assert bytes(engine.serialize()) == bytes(plan)
    contexts = [engine.create_execution_context() for _ in range(3)]
    x = torch.randn(2, 16, device="cuda")
    outs = [c.infer({"x": x})["y"] for c in contexts]
    for o in outs[1:]:
        assert torch.equal(o, outs[0])
    del engine  # contexts keep what they need alive
    assert torch.equal(contexts[0].infer({"x": x})["y"], outs[0])
