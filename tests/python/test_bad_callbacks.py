"""Callbacks that raise (docs/reliability.md): every Python object kiln calls back during a build
or a run names itself in the error when it fails, and the build or run fails cleanly, leaving the
builder, engine and context usable. Where TensorRT's semantics have the work already done (a
profiler, a logger), the error is reported as unraisable and the work stands."""

import sys

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load, run


class Failure(Exception):
    pass


def network_of(builder):
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
X = np.float32([[1, -2, 3, -4], [0.5, 0.5, -1, 2]])
EXPECTED = np.maximum(X, 0) @ np.arange(8, dtype=np.float32).reshape(4, 2)


def build_fails_naming(logger, config_setter, callback_name, cause="raised on purpose"):
    """Builds with a config the setter prepared: the build fails, the last error names the
    callback and the exception, and the same builder then builds without the callback."""
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    undo = config_setter(config)
    assert build_cpu(builder, network_of(builder), PROFILE, config) is None
    error = logger.errors()[-1]
    assert callback_name in error and cause in error and "Failure" in error, error
    undo(config)
    plan = build_cpu(builder, network_of(builder), PROFILE, config)
    assert plan is not None, logger.errors()
    np.testing.assert_array_equal(run(load(logger, plan), {"x": X})["y"], EXPECTED)


class Monitor(trt.IProgressMonitor):
    def __init__(self, failing):
        trt.IProgressMonitor.__init__(self)
        self.failing = failing

    def phase_start(self, phase_name, parent_phase, num_steps):
        if self.failing == "phase_start":
            raise Failure("raised on purpose")

    def step_complete(self, phase_name, step):
        if self.failing == "step_complete":
            raise Failure("raised on purpose")
        return True

    def phase_finish(self, phase_name):
        if self.failing == "phase_finish":
            raise Failure("raised on purpose")


@pytest.mark.parametrize("method", ["phase_start", "step_complete", "phase_finish"])
def test_raising_progress_monitor_fails_the_build_naming_it(logger, method):
    def setter(config):
        config.progress_monitor = Monitor(method)
        return lambda c: setattr(c, "progress_monitor", None)

    build_fails_naming(logger, setter, f"IProgressMonitor.{method}")


class Selector(trt.IAlgorithmSelector):
    def __init__(self, failing):
        trt.IAlgorithmSelector.__init__(self)
        self.failing = failing

    def select_algorithms(self, context, choices):
        if self.failing == "select_algorithms":
            raise Failure("raised on purpose")
        return []

    def report_algorithms(self, contexts, choices):
        if self.failing == "report_algorithms":
            raise Failure("raised on purpose")


@pytest.mark.parametrize("method", ["select_algorithms", "report_algorithms"])
def test_raising_algorithm_selector_fails_the_build_naming_it(logger, method):
    def setter(config):
        config.algorithm_selector = Selector(method)
        return lambda c: setattr(c, "algorithm_selector", None)

    build_fails_naming(logger, setter, f"IAlgorithmSelector.{method}")


def test_raising_strict_mode_raises_kiln_error_naming_the_callback(logger):
    trt.set_strict(True)
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    config.progress_monitor = Monitor("step_complete")
    with pytest.raises(trt.Error, match="IProgressMonitor.step_complete"):
        build_cpu(builder, network_of(builder), PROFILE, config)


def test_raising_profiler_is_reported_and_the_run_stands(logger, monkeypatch):
    """TensorRT calls the profiler after the run: its outputs stand, the exception is reported
    (sys.unraisablehook) with the callback's name, and later runs work."""
    engine = load(logger, build_cpu(trt.Builder(logger), network_of(trt.Builder(logger)), PROFILE))
    context = engine.create_execution_context()

    class Profiler(trt.IProfiler):
        def __init__(self):
            trt.IProfiler.__init__(self)
            self.calls = 0

        def report_layer_time(self, layer_name, ms):
            self.calls += 1
            raise Failure("raised on purpose")

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u))
    profiler = Profiler()
    context.profiler = profiler
    out = run(engine, {"x": X}, context)
    np.testing.assert_array_equal(out["y"], EXPECTED)
    assert profiler.calls >= 1 and len(seen) == profiler.calls
    assert isinstance(seen[0].exc_value, Failure)
    assert "IProfiler.report_layer_time" in str(seen[0].object)
    context.profiler = None
    np.testing.assert_array_equal(run(engine, {"x": X}, context)["y"], EXPECTED)


def test_raising_logger_does_not_break_the_build(monkeypatch):
    class Raising(trt.ILogger):
        def __init__(self):
            trt.ILogger.__init__(self)
            self.calls = 0

        def log(self, severity, msg):
            self.calls += 1
            raise Failure("raised on purpose")

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u))
    logger = Raising()
    builder = trt.Builder(logger)
    network = network_of(builder)
    network.add_input("x", trt.float32, (2,))  # a duplicate name: an error is logged
    plan = build_cpu(builder, network_of(builder), PROFILE)
    assert plan is not None
    assert logger.calls >= 1 and len(seen) == logger.calls
    assert "ILogger.log" in str(seen[0].object)


class Scale(trt.PluginV3):
    """y = x * 2; `failing` names the method that raises."""

    def __init__(self, failing=None):
        self.failing = failing

    def _maybe_fail(self, method):
        if self.failing == method:
            raise Failure("raised on purpose")

    def get_plugin_name(self):
        return "PyFailing"

    def get_nb_outputs(self):
        return 1

    def get_output_data_types(self, input_types):
        self._maybe_fail("get_output_data_types")
        return [trt.float32]

    def get_output_shapes(self, inputs, shape_inputs):
        self._maybe_fail("get_output_shapes")
        return [inputs[0]]

    def supports_types(self, input_types, output_types):
        self._maybe_fail("supports_types")
        return True

    def get_workspace_size(self, input_descs, output_descs):
        self._maybe_fail("get_workspace_size")
        return 0

    def enqueue(self, input_descs, output_descs, inputs, outputs, workspace):
        self._maybe_fail("enqueue")
        outputs[0][...] = inputs[0] * 2

    def get_fields_to_serialize(self):
        self._maybe_fail("get_fields_to_serialize")
        return [trt.PluginField.of("failing", self.failing or "")]


class Creator:
    def __init__(self, failing=None):
        self.failing = failing

    def get_plugin_name(self):
        return "PyFailing"

    def get_plugin_version(self):
        return "1"

    def create_plugin(self, name, fields, phase):
        if self.failing == "create_plugin":
            raise Failure("raised on purpose")
        values = {f.name: f.values for f in fields}
        return Scale(values["failing"] or None)


@pytest.fixture
def registry():
    r = trt.get_plugin_registry()
    r.deregister_creator("PyFailing", "1")
    yield r
    r.deregister_creator("PyFailing", "1")


def plugin_network(builder, plugin):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 3))
    layer = network.add_plugin_v3([x], [], plugin)
    if layer is None:
        return network, None
    layer.name = "failing_layer"
    layer.get_output(0).name = "y"
    network.mark_output(layer.get_output(0))
    return network, layer


@pytest.mark.parametrize("method", ["get_output_data_types", "get_output_shapes", "supports_types",
                                    "get_fields_to_serialize"])
def test_plugin_raising_while_added_names_the_method(logger, registry, method):
    builder = trt.Builder(logger)
    _, layer = plugin_network(builder, Scale(method))
    assert layer is None
    error = trt.get_last_error()
    assert method in error and "raised on purpose" in error, error


@pytest.mark.parametrize("method", ["enqueue", "get_workspace_size"])
def test_plugin_raising_while_run_fails_the_run_naming_the_layer(logger, registry, method):
    """get_workspace_size is asked at run time, for the concrete shapes."""
    assert registry.register_creator(Creator())
    builder = trt.Builder(logger)
    network, _ = plugin_network(builder, Scale(method))
    engine = load(logger, build_cpu(builder, network))
    context = engine.create_execution_context()
    xs = np.ones((2, 3), np.float32)
    ys = np.zeros((2, 3), np.float32)
    context.set_input_shape("x", xs.shape)
    context.set_tensor_address("x", xs.ctypes.data)
    context.set_tensor_address("y", ys.ctypes.data)
    assert not context.execute_async_v3(0)
    error = trt.get_last_error()
    assert "failing_layer" in error and method in error and "raised on purpose" in error, error
    # The context stays usable: a second run fails the same way, it does not crash or hang.
    trt.clear_last_error()
    assert not context.execute_async_v3(0)
    assert "raised on purpose" in trt.get_last_error()


def test_plugin_creator_raising_while_loading_fails_the_load_naming_it(logger, registry):
    assert registry.register_creator(Creator())
    builder = trt.Builder(logger)
    network, _ = plugin_network(builder, Scale())
    plan = build_cpu(builder, network)
    assert plan is not None, logger.errors()
    registry.deregister_creator("PyFailing", "1")
    assert registry.register_creator(Creator("create_plugin"))
    assert trt.Runtime(logger).deserialize_cuda_engine(plan) is None
    error = trt.get_last_error()
    assert "PyFailing" in error and "create_plugin" in error and "raised on purpose" in error, error
    # With a working creator the same plan loads and runs.
    registry.deregister_creator("PyFailing", "1")
    assert registry.register_creator(Creator())
    out = run(load(logger, plan), {"x": np.ones((2, 3), np.float32)})
    np.testing.assert_array_equal(out["y"], np.full((2, 3), 2, np.float32))
