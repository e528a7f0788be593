"""Plugins from Python: the registry, kiln's built-in BiasGelu, C++ plugins made by creators, and
plugins written in Python running on the CPU backend (dynamic shapes, plan round trip)."""

import math

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load, run


def gelu(v, tanh_form=False):
    if tanh_form:
        return 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))
    return 0.5 * v * (1 + np.vectorize(math.erf)(v / math.sqrt(2)))


class Scale(trt.PluginV3):
    """y = x * scale, plus the row sums as a second output."""

    def __init__(self, scale):
        self.scale = float(scale)
        self.runs = 0

    def get_plugin_name(self):
        return "PyScale"

    def get_nb_outputs(self):
        return 2

    def get_output_shapes(self, inputs, shape_inputs):
        return [inputs[0], inputs[0][:-1]]

    def supports_types(self, input_types, output_types):
        return input_types == [trt.float32]

    def get_workspace_size(self, input_descs, output_descs):
        return 16

    def enqueue(self, input_descs, output_descs, inputs, outputs, workspace):
        assert workspace is not None and workspace.nbytes == 16
        outputs[0][...] = inputs[0] * self.scale
        outputs[1][...] = inputs[0].sum(axis=-1)

    def get_fields_to_serialize(self):
        return [trt.PluginField.of("scale", np.float32([self.scale]))]


class ScaleCreator:
    def get_plugin_name(self):
        return "PyScale"

    def get_plugin_version(self):
        return "1"

    def create_plugin(self, name, fields, phase):
        values = {f.name: f.values for f in fields}
        return Scale(values["scale"][0])


def scale_network(builder, scale):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 3))
    layer = network.add_plugin_v3([x], [], Scale(scale))
    assert layer is not None, trt.get_last_error()
    assert layer.num_outputs == 2
    assert tuple(layer.get_output(1).shape) == (-1,)
    layer.get_output(0).name = "y"
    layer.get_output(1).name = "s"
    network.mark_output(layer.get_output(0))
    network.mark_output(layer.get_output(1))
    return network


def test_python_plugin_runs_and_round_trips_through_a_plan(logger):
    registry = trt.get_plugin_registry()
    registry.deregister_creator("PyScale", "1")
    assert registry.register_creator(ScaleCreator())
    assert not registry.register_creator(ScaleCreator())  # the key is taken
    try:
        builder = trt.Builder(logger)
        network = scale_network(builder, 2.5)
        plan = build_cpu(builder, network, [{"x": ((1, 3), (2, 3), (4, 3))}])
        assert plan is not None, logger.errors()
        engine = load(logger, plan)  # re-created through ScaleCreator from the stored field
        for rows in (1, 4):
            x = np.arange(rows * 3, dtype=np.float32).reshape(rows, 3) - 2
            out = run(engine, {"x": x})
            np.testing.assert_allclose(out["y"], x * 2.5)
            np.testing.assert_allclose(out["s"], x.sum(axis=1))
    finally:
        registry.deregister_creator("PyScale", "1")
    # Without the creator, loading names the plugin and the layer.
    assert trt.Runtime(logger).deserialize_cuda_engine(plan) is None
    assert "PyScale" in trt.get_last_error() and "not registered" in trt.get_last_error()


class Broken(Scale):
    def get_plugin_name(self):
        return "PyBroken"

    def enqueue(self, *args):
        raise ValueError("broken on purpose")


class BrokenCreator(ScaleCreator):
    def get_plugin_name(self):
        return "PyBroken"

    def create_plugin(self, name, fields, phase):
        return Broken(1)


def test_python_plugin_errors_name_the_layer(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 3))
    layer = network.add_plugin_v3([x], [], Broken(1))
    layer.name = "broken_layer"
    layer.get_output(0).name = "y"
    network.mark_output(layer.get_output(0))
    registry = trt.get_plugin_registry()
    registry.deregister_creator("PyBroken", "1")
    assert registry.register_creator(BrokenCreator())
    try:
        engine = load(logger, build_cpu(builder, network))
        context = engine.create_execution_context()
        xs = np.zeros((2, 3), np.float32)
        ys = np.zeros((2, 3), np.float32)
        context.set_input_shape("x", xs.shape)
        context.set_tensor_address("x", xs.ctypes.data)
        context.set_tensor_address("y", ys.ctypes.data)
        assert not context.execute_async_v3(0)
        assert "broken_layer" in trt.get_last_error()
        assert "broken on purpose" in trt.get_last_error()
    finally:
        registry.deregister_creator("PyBroken", "1")

    # Shape inference and type checks fail add_plugin_v3 with the plugin's reason.
    i = network.add_input("i", trt.int32, (2, 3))
    assert network.add_plugin_v3([i], [], Scale(1)) is None
    assert "PyScale" in trt.get_last_error() and "does not support" in trt.get_last_error()

    class Thrower(trt.PluginV3):
        def get_output_shapes(self, inputs, shape_inputs):
            raise RuntimeError("no shapes today")

    assert network.add_plugin_v3([x], [], Thrower()) is None
    assert "no shapes today" in trt.get_last_error()


def test_builtin_bias_gelu_and_fields(logger):
    assert trt.init_libnvinfer_plugins(logger, "")
    creator = trt.get_plugin_registry().get_creator("BiasGelu", "1")
    assert creator is not None and creator.get_plugin_version() == "1"
    assert [f.name for f in creator.field_names] == ["approximate"]
    field = trt.PluginField.of("approximate", np.int32([1]))
    assert field.type == trt.PluginFieldType.INT32 and field.length == 1
    np.testing.assert_array_equal(field.values, [1])
    assert trt.PluginField.of("s", "text").values == "text"
    plugin = creator.create_plugin("gelu", [field], trt.PluginPhase.BUILD)
    assert plugin.get_plugin_name() == "BiasGelu"

    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 4))
    bias = np.float32([0.5, -1, 0, 2])
    b = network.add_constant((4,), bias).get_output(0)
    layer = network.add_plugin_v3([x, b], [], plugin)
    assert layer is not None, trt.get_last_error()
    layer.get_output(0).name = "y"
    network.mark_output(layer.get_output(0))
    engine = load(logger, build_cpu(builder, network))
    xs = np.linspace(-3, 3, 8, dtype=np.float32).reshape(2, 4)
    out = run(engine, {"x": xs})
    np.testing.assert_allclose(out["y"], gelu(xs + bias, tanh_form=True), rtol=1e-5, atol=1e-6)


def test_load_library_failure_is_reported(logger):
    assert trt.get_plugin_registry().load_library("/nonexistent/libplugin.so") == -1
    assert "cannot load" in trt.get_last_error()
