"""Loggers: ILogger subclasses get the builder's and runtime's messages; severities filter."""

import numpy as np
import pytest

import kiln as trt
from conftest import build_cpu, load


def small_network(builder):
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 2))
    y = network.add_unary(x, trt.UnaryOperation.NEG).get_output(0)
    y.name = "y"
    network.mark_output(y)
    return network


def test_subclass_receives_builder_messages(logger):
    builder = trt.Builder(logger)
    network = small_network(builder)
    config = builder.create_builder_config()  # GPU by default
    plan = builder.build_serialized_network(network, config)
    assert plan is not None
    severities = {s for s, _ in logger.messages}
    assert trt.Logger.INFO in severities
    assert any("built a" in m for _, m in logger.messages)
    assert all(isinstance(m, str) for _, m in logger.messages)


def test_min_severity_filters(logger):
    logger.min_severity = trt.Logger.WARNING
    builder = trt.Builder(logger)
    build_cpu(builder, small_network(builder))
    assert all(s <= trt.Logger.WARNING for s, _ in logger.messages)
    assert trt.Logger(trt.Logger.ERROR).min_severity == trt.ILogger.Severity.ERROR
    assert trt.Logger().min_severity == trt.Logger.WARNING


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_logger_exception_does_not_break_build():
    class Broken(trt.ILogger):
        def __init__(self):
            trt.ILogger.__init__(self)
            self.calls = 0

        def log(self, severity, msg):
            self.calls += 1
            raise ValueError("logger bug")

    broken = Broken()
    builder = trt.Builder(broken)
    assert build_cpu(builder, small_network(builder)) is not None
    assert broken.calls > 0


def test_default_logger_prints_errors(capfd):
    logger = trt.Logger(trt.Logger.WARNING)
    assert trt.Runtime(logger).deserialize_cuda_engine(b"\0" * 16) is None
    err = capfd.readouterr().err
    assert "[kiln] [E] deserialize_cuda_engine:" in err


def test_dims_and_dtypes():
    d = trt.Dims((1, 2, 3))
    assert d == (1, 2, 3) and len(d) == 3 and d[1] == 2 and list(d) == [1, 2, 3]
    assert trt.Dims2(4, 5) == (4, 5) and trt.Dims4([1, 2, 3, 4]) == (1, 2, 3, 4)
    assert trt.volume((2, 3, 4)) == 24 and trt.volume(()) == 1
    assert trt.nptype(trt.float16) is np.float16 and trt.nptype(trt.int64) is np.int64
    assert trt.nptype(trt.bool) is np.bool_
    assert trt.float32 == trt.DataType.FLOAT and trt.bfloat16 == trt.DataType.BF16
    assert trt.int8.itemsize == 1 and trt.int32.itemsize == 4
    assert 1 << int(trt.TacticSource.CUDNN) == 4
    assert trt.Weights(np.zeros(3, np.float16)).dtype == trt.float16
    assert trt.Weights(np.zeros(5)).dtype == trt.float32  # float64 becomes float32
    assert trt.Weights().size == 0
