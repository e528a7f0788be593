"""Plan compatibility through the Python API: the hardware-compatibility level (docs/plan-format.md,
"Compatibility") and VERSION_COMPATIBLE plans (the version rule itself is tested in C++, which can
re-seal an edited plan)."""

import struct

import numpy as np

import kiln as trt
from conftest import build_cpu, load, run


def small_network(builder):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (-1, 3))
    relu = network.add_activation(x, trt.ActivationType.RELU)
    relu.get_output(0).name = "y"
    network.mark_output(relu.get_output(0))
    return network


PROFILE = [{"x": ((1, 3), (2, 3), (4, 3))}]


def test_hardware_compatibility_level_defaults_and_sets():
    builder = trt.Builder(trt.Logger())
    config = builder.create_builder_config()
    # TensorRT's default is NONE; kiln treats NONE and SAME_COMPUTE_CAPABILITY alike.
    assert config.hardware_compatibility_level == trt.HardwareCompatibilityLevel.NONE
    config.hardware_compatibility_level = trt.HardwareCompatibilityLevel.SAME_COMPUTE_CAPABILITY
    assert config.hardware_compatibility_level == trt.HardwareCompatibilityLevel.NONE
    config.hardware_compatibility_level = trt.HardwareCompatibilityLevel.AMPERE_PLUS
    assert config.hardware_compatibility_level == trt.HardwareCompatibilityLevel.AMPERE_PLUS


def test_cpu_build_ignores_the_level_with_a_warning(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    config.hardware_compatibility_level = trt.HardwareCompatibilityLevel.AMPERE_PLUS
    plan = bytes(build_cpu(builder, small_network(builder), PROFILE, config))
    assert struct.unpack_from("<I", plan, 32)[0] == 0  # header: hardware-compatibility level
    assert any("hardware-compatibility level" in m for _, m in logger.messages)


def test_version_compatible_plan_loads_and_runs(logger):
    builder = trt.Builder(logger)
    config = builder.create_builder_config()
    config.set_flag(trt.BuilderFlag.VERSION_COMPATIBLE)
    plan = bytes(build_cpu(builder, small_network(builder), PROFILE, config))
    flags = struct.unpack_from("<I", plan, 36)[0]  # header: builder flags
    # The header stores kiln's C++ flag bits (BuilderFlag::kVERSION_COMPATIBLE is bit 5); Python's
    # BuilderFlag has TensorRT's values (VERSION_COMPATIBLE = 13).
    assert flags & (1 << 5) and int(trt.BuilderFlag.VERSION_COMPATIBLE) == 13
    engine = load(logger, plan)
    x = np.array([[-1, 2, -3], [4, -5, 6]], dtype=np.float32)
    np.testing.assert_array_equal(run(engine, {"x": x})["y"], np.maximum(x, 0))
