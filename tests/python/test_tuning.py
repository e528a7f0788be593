"""Timing cache, algorithm selector and progress monitor through the Python API (CPU builds: the
selector sees "cpu.reference" for every layer, and before it oneDNN's tactic for the matrix
multiply when kiln was built with oneDNN)."""

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load, run


def two_layer_network(builder):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 4))
    relu = network.add_activation(x, trt.ActivationType.RELU)
    relu.name = "relu"
    w = network.add_constant((4, 2), np.arange(8, dtype=np.float32).reshape(4, 2))
    mm = network.add_matrix_multiply(relu.get_output(0), trt.MatrixOperation.NONE, w.get_output(0),
                                     trt.MatrixOperation.NONE)
    mm.name = "mm"
    mm.get_output(0).name = "y"
    network.mark_output(mm.get_output(0))
    return network


PROFILE = [{"x": ((1, 4), (2, 4), (8, 4))}]


class RecordingSelector(trt.IAlgorithmSelector):
    def __init__(self, pick=None):
        trt.IAlgorithmSelector.__init__(self)
        self.pick = pick
        self.selected = []
        self.reported = []

    def select_algorithms(self, context, choices):
        self.selected.append((context.name, context.layer_type,
                              [tuple(i.shape) for i in context.inputs],
                              [c.implementation for c in choices]))
        return self.pick(choices) if self.pick else list(range(len(choices)))

    def report_algorithms(self, contexts, choices):
        self.reported = [(c.name, a.algorithm_variant.implementation_name,
                          a.algorithm_variant.tactic)
                         for c, a in zip(contexts, choices)]


def test_selector_sees_every_layer_and_reports(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    selector = RecordingSelector()
    config.algorithm_selector = selector
    assert config.algorithm_selector is selector
    plan = build_cpu(builder, two_layer_network(builder), PROFILE, config)
    assert plan is not None, logger.errors()
    names = [s[0] for s in selector.selected]
    assert any("relu" in n for n in names) and any("mm" in n for n in names)
    relu = next(s for s in selector.selected if "relu" in s[0])
    assert relu[1] == trt.LayerType.ACTIVATION and relu[2] == [(2, 4)]
    for name, _, _, candidates in selector.selected:
        assert candidates[-1] == "cpu.reference", (name, candidates)
        expected_others = ["cpu.onednn.matrix_multiply"] if "mm" in name else []
        assert candidates[:-1] in ([], expected_others), (name, candidates)
    assert sorted(r[0] for r in selector.reported) == sorted(names)
    assert all(r[1] in ("cpu.reference", "cpu.onednn.matrix_multiply") for r in selector.reported)
    engine = load(logger, plan)
    xs = np.array([[1, -1, 2, -2]], np.float32)
    np.testing.assert_allclose(run(engine, {"x": xs})["y"],
                               np.maximum(xs, 0) @ np.arange(8, dtype=np.float32).reshape(4, 2))


@pytest.mark.parametrize("strategy", ["first", "last", "keep_all"])
def test_selector_strategies_build_engines_that_agree(logger, strategy):
    picks = {"first": lambda c: [0], "last": lambda c: [len(c) - 1], "keep_all": lambda c: []}
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    selector = RecordingSelector(picks[strategy])
    config.algorithm_selector = selector
    plan = build_cpu(builder, two_layer_network(builder), PROFILE, config)
    assert plan is not None, logger.errors()
    # The builder used the candidate the selector kept.
    for (name, _, _, candidates), (reported, chosen, _) in zip(selector.selected,
                                                              selector.reported):
        assert reported == name
        if strategy == "first":
            assert chosen == candidates[0]
        elif strategy == "last":
            assert chosen == candidates[-1]
        else:
            assert chosen in candidates
    reference = build_cpu(builder, two_layer_network(builder), PROFILE)
    xs = np.random.default_rng(3).standard_normal((8, 4)).astype(np.float32)
    np.testing.assert_allclose(run(load(logger, plan), {"x": xs})["y"],
                               run(load(logger, reference), {"x": xs})["y"], rtol=1e-5, atol=1e-5)


def test_selector_errors_fail_the_build(logger):
    class Bad(trt.IAlgorithmSelector):
        def __init__(self, result):
            trt.IAlgorithmSelector.__init__(self)
            self.result = result

        def select_algorithms(self, context, choices):
            if isinstance(self.result, Exception):
                raise self.result
            return self.result

    for result, text in ((ValueError("no way"), "no way"), ([5], "5"), ("x", "list")):
        builder = trt.Builder(logger)
        config = builder.create_builder_config()
        config.algorithm_selector = Bad(result)
        assert build_cpu(builder, two_layer_network(builder), PROFILE, config) is None
        assert text in logger.errors()[-1], logger.errors()[-1]
    config.algorithm_selector = None
    assert config.algorithm_selector is None
    assert build_cpu(builder, two_layer_network(builder), PROFILE, config) is not None


def test_timing_cache_round_trip(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    cache = config.create_timing_cache(b"")
    assert cache is not None and cache.num_entries == 0
    assert config.set_timing_cache(cache, ignore_mismatch=False)
    assert config.get_timing_cache() is cache
    assert build_cpu(builder, two_layer_network(builder), PROFILE, config) is not None
    blob = cache.serialize()
    again = config.create_timing_cache(blob)
    assert again.num_entries == cache.num_entries
    assert bytes(again.serialize()) == bytes(blob)
    assert again.device_description == cache.device_description
    assert again.combine(cache, False)
    assert again.num_entries == cache.num_entries
    assert again.reset() and again.num_entries == 0
    del cache  # the config keeps the cache it builds with alive
    assert build_cpu(builder, two_layer_network(builder), PROFILE, config) is not None


def test_corrupt_timing_cache_is_refused(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    blob = bytes(config.create_timing_cache(b"").serialize())
    assert config.create_timing_cache(b"garbage") is None
    assert "timing cache" in logger.errors()[-1]
    if len(blob) > 4:
        assert config.create_timing_cache(blob[:-1]) is None
    trt.set_strict(True)
    with pytest.raises(trt.Error):
        config.create_timing_cache(b"garbage")


class RecordingMonitor(trt.IProgressMonitor):
    def __init__(self, cancel_after=None):
        trt.IProgressMonitor.__init__(self)
        self.events = []
        self.cancel_after = cancel_after
        self.steps = 0

    def phase_start(self, phase_name, parent_phase, num_steps):
        self.events.append(("start", phase_name, parent_phase, num_steps))

    def step_complete(self, phase_name, step):
        self.events.append(("step", phase_name, step))
        self.steps += 1
        return self.cancel_after is None or self.steps < self.cancel_after

    def phase_finish(self, phase_name):
        self.events.append(("finish", phase_name))


def test_progress_monitor_phases_nest(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    monitor = RecordingMonitor()
    config.progress_monitor = monitor
    assert build_cpu(builder, two_layer_network(builder), PROFILE, config) is not None
    starts = [e for e in monitor.events if e[0] == "start"]
    finishes = [e[1] for e in monitor.events if e[0] == "finish"]
    assert starts and starts[0][2] is None  # the top-level phase has no parent
    assert sorted(s[1] for s in starts) == sorted(finishes)
    open_phases = []
    for e in monitor.events:
        if e[0] == "start":
            assert e[2] == (open_phases[-1] if open_phases else None)
            open_phases.append(e[1])
        elif e[0] == "finish":
            assert open_phases.pop() == e[1]
        else:
            assert e[1] == open_phases[-1]
    # Each phase reports steps 0..num_steps-1.
    for _, name, _, num_steps in starts:
        assert [e[2] for e in monitor.events if e[0] == "step" and e[1] == name] == list(range(num_steps))


def test_progress_monitor_cancels(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    config.progress_monitor = RecordingMonitor(cancel_after=2)
    assert build_cpu(builder, two_layer_network(builder), PROFILE, config) is None
    assert "cancel" in logger.errors()[-1]
    config.progress_monitor = None
    assert build_cpu(builder, two_layer_network(builder), PROFILE, config) is not None


def test_config_settings():
    builder = trt.Builder(trt.Logger())
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, 1 << 20)
    assert config.get_memory_pool_limit(trt.MemoryPoolType.WORKSPACE) == 1 << 20
    assert config.get_flag(trt.BuilderFlag.TF32) and not config.get_flag(trt.BuilderFlag.FP16)
    config.set_flag(trt.BuilderFlag.FP16)
    assert config.get_flag(trt.BuilderFlag.FP16)
    config.clear_flag(trt.BuilderFlag.FP16)
    assert not config.get_flag(trt.BuilderFlag.FP16)
    config.flags = 1 << int(trt.BuilderFlag.FP16)
    assert config.flags == 1 << int(trt.BuilderFlag.FP16) and not config.get_flag(trt.BuilderFlag.TF32)
    config.max_aux_streams = 2
    assert config.max_aux_streams == 2
    config.builder_optimization_level = 5
    assert config.builder_optimization_level == 5
    config.builder_optimization_level = 9  # out of range: logged, ignored
    assert config.builder_optimization_level == 5
    mask = 1 << int(trt.TacticSource.CUBLAS) | 1 << int(trt.TacticSource.CUDNN)
    assert config.set_tactic_sources(mask)
    assert config.get_tactic_sources() == mask
    assert config.default_device_type == trt.DeviceType.GPU
    config.default_device_type = trt.DeviceType.CPU
    assert config.default_device_type == trt.DeviceType.CPU
    empty = builder.create_optimization_profile()
    assert config.add_optimization_profile(empty) == -1


def test_cpu_threads_and_the_onednn_source(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    assert config.cpu_threads == 0
    config.cpu_threads = 1
    assert config.cpu_threads == 1
    config.cpu_threads = -2  # TensorRT style: the error is logged, the value kept
    assert config.cpu_threads == 1
    assert "cpu_threads must be >= 1" in logger.errors()[-1]
    # Without the ONEDNN source every step is kiln's own.
    config.set_tactic_sources(config.get_tactic_sources() & ~(1 << int(trt.TacticSource.ONEDNN)))
    selector = RecordingSelector()
    config.algorithm_selector = selector
    plan = build_cpu(builder, two_layer_network(builder), PROFILE, config)
    assert plan is not None, logger.errors()
    assert all(c == ["cpu.reference"] for _, _, _, c in selector.selected)
    runtime = trt.Runtime(logger)
    assert runtime.cpu_threads == 0
    runtime.cpu_threads = 1
    runtime.cpu_threads = -1
    assert runtime.cpu_threads == 1 and "cpu_threads" in logger.errors()[-1]
    engine = runtime.deserialize_cuda_engine(plan)
    xs = np.array([[1, -1, 2, -2]], np.float32)
    np.testing.assert_allclose(engine.create_execution_context().infer({"x": xs})["y"],
                               np.maximum(xs, 0) @ np.arange(8, dtype=np.float32).reshape(4, 2))
