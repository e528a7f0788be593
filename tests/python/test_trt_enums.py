"""TensorRT's integer enum values, ILayer.type as a LayerType, the downcast idiom, __version__."""

import numpy as np
import pytest

import kiln as trt

# TensorRT 10.13's values (its Python API reference and tensorrt-stubs list them).
TENSORRT_VALUES = {
    trt.DataType: dict(FLOAT=0, HALF=1, INT8=2, INT32=3, BOOL=4, UINT8=5, FP8=6, BF16=7, INT64=8,
                       INT4=9, FP4=10, E8M0=11),
    trt.LayerType: dict(CONVOLUTION=0, CAST=1, ACTIVATION=2, POOLING=3, LRN=4, SOFTMAX=6,
                        DECONVOLUTION=7, CONCATENATION=8, ELEMENTWISE=9, UNARY=11, SHUFFLE=13,
                        REDUCE=14, TOPK=15, GATHER=16, MATRIX_MULTIPLY=17, CONSTANT=19,
                        IDENTITY=20, SLICE=22, SHAPE=23, RESIZE=25, SELECT=30, FILL=31,
                        SCATTER=37, ONE_HOT=40, NORMALIZATION=45, PLUGIN_V3=46, CUMULATIVE=49),
    trt.ActivationType: dict(RELU=0, SIGMOID=1, TANH=2, LEAKY_RELU=3, ELU=4, SELU=5, SOFTSIGN=6,
                             SOFTPLUS=7, CLIP=8, HARD_SIGMOID=9, SCALED_TANH=10,
                             THRESHOLDED_RELU=11, GELU_ERF=12, GELU_TANH=13),
    trt.UnaryOperation: dict(EXP=0, LOG=1, SQRT=2, RECIP=3, ABS=4, NEG=5, SIN=6, COS=7, TAN=8,
                             SINH=9, COSH=10, ASIN=11, ACOS=12, ATAN=13, ASINH=14, ACOSH=15,
                             ATANH=16, CEIL=17, FLOOR=18, ERF=19, NOT=20, SIGN=21, ROUND=22,
                             ISINF=23, ISNAN=24),
    trt.ElementWiseOperation: dict(SUM=0, PROD=1, MAX=2, MIN=3, SUB=4, DIV=5, POW=6, FLOOR_DIV=7,
                                   AND=8, OR=9, XOR=10, EQUAL=11, GREATER=12, LESS=13),
    trt.BuilderFlag: dict(FP16=0, INT8=1, DEBUG=2, GPU_FALLBACK=3, REFIT=4,
                          DISABLE_TIMING_CACHE=5, TF32=6, OBEY_PRECISION_CONSTRAINTS=9,
                          VERSION_COMPATIBLE=13, BF16=17, STRIP_PLAN=19, WEIGHTLESS=19,
                          EDITABLE_TIMING_CACHE=27),
    trt.ErrorCode: dict(SUCCESS=0, INTERNAL_ERROR=1, MEM_ALLOC_FAILED=2, MODEL_DESERIALIZE_FAILED=3,
                        INVALID_VALUE=4, INVALID_GRAPH=5, INVALID_NODE=6, UNSUPPORTED_GRAPH=7,
                        UNSUPPORTED_NODE=8, REFIT_FAILED=14),
    trt.TacticSource: dict(CUBLAS=0, CUBLAS_LT=1, CUDNN=2, EDGE_MASK_CONVOLUTIONS=3,
                           JIT_CONVOLUTIONS=4),
    trt.HardwareCompatibilityLevel: dict(NONE=0, AMPERE_PLUS=1, SAME_COMPUTE_CAPABILITY=2),
    trt.DeviceType: dict(GPU=0, DLA=1),
    trt.PoolingType: dict(MAX=0, AVERAGE=1, MAX_AVERAGE_BLEND=2),
    trt.MemoryPoolType: dict(WORKSPACE=0, TACTIC_SHARED_MEMORY=5),
    trt.WeightsRole: dict(KERNEL=0, BIAS=1, SHIFT=2, SCALE=3, CONSTANT=4, ANY=5),
    trt.ILogger.Severity: dict(INTERNAL_ERROR=0, ERROR=1, WARNING=2, INFO=3, VERBOSE=4),
}


@pytest.mark.parametrize("enum", list(TENSORRT_VALUES), ids=lambda e: e.__name__)
def test_enum_values_equal_tensorrts(enum):
    for name, value in TENSORRT_VALUES[enum].items():
        assert int(getattr(enum, name)) == value, f"{enum.__name__}.{name}"


def test_values_round_trip_through_the_network(logger):
    network = trt.Builder(logger).create_network()
    x = network.add_input("x", trt.DataType(7), (2, 3))  # an int stored by a script: BF16
    assert x.dtype == trt.bfloat16 and int(x.dtype) == 7
    act = network.add_activation(x, trt.ActivationType.GELU_ERF)
    assert act.type == trt.ActivationType.GELU_ERF and int(act.type) == 12
    unary = network.add_unary(x, trt.UnaryOperation(17))
    assert unary.op == trt.UnaryOperation.CEIL
    # kiln-only members sit above TensorRT's range.
    assert int(trt.ActivationType.SILU) >= 1000 and int(trt.DeviceType.CPU) >= 1000


def test_tensorrt_only_members_fail_the_call(logger):
    network = trt.Builder(logger).create_network()
    with pytest.raises(TypeError, match="add_input"):
        network.add_input("x", trt.DataType.FP8, (2,))


def test_get_layer_is_the_base_class_with_its_layer_type(logger):
    network = trt.Builder(logger).create_network()
    x = network.add_input("x", trt.float32, (1, 3, 4, 4))
    act = network.add_activation(x, trt.ActivationType.RELU)  # RELU == 0 == CONVOLUTION
    pool = network.add_pooling_nd(act.get_output(0), trt.PoolingType.AVERAGE, (2, 2))
    assert act.type == trt.ActivationType.RELU  # add_* returns the kind's class, as in TensorRT
    first, second = network.get_layer(0), network[1]
    assert type(first) is trt.ILayer and type(second) is trt.ILayer
    assert first.type == trt.LayerType.ACTIVATION and first.type != trt.LayerType.CONVOLUTION
    assert isinstance(first.type, trt.LayerType)
    assert second.type == trt.LayerType.POOLING
    assert [layer.type for layer in (network[i] for i in range(len(network)))] == [
        trt.LayerType.ACTIVATION, trt.LayerType.POOLING]

    # TensorRT's downcast idiom.
    first.__class__ = trt.IActivationLayer
    assert isinstance(first, trt.IActivationLayer) and first.type == trt.ActivationType.RELU
    first.alpha = 0.5
    assert act.alpha == 0.5
    second.__class__ = trt.IPoolingLayer
    assert second.type == trt.PoolingType.AVERAGE and second.window_size_nd == (2, 2)
    second.__class__ = trt.ILayer  # and back
    assert second.type == trt.LayerType.POOLING


def test_wrong_downcast_raises_instead_of_misreading_the_layer(logger):
    network = trt.Builder(logger).create_network()
    x = network.add_input("x", trt.float32, (1, 3, 4, 4))
    network.add_activation(x, trt.ActivationType.RELU).name = "act"
    layer = network.get_layer(0)
    with pytest.raises(TypeError, match="layer 'act' is a ACTIVATION layer; view it as "
                       "trt.IActivationLayer"):
        layer.__class__ = trt.IConvolutionLayer
    with pytest.raises(TypeError, match="a layer can only be viewed as"):
        layer.__class__ = int
    assert type(layer) is trt.ILayer


def test_every_layer_kind_downcasts(logger):
    """Each layer class has the layout the idiom needs (one per LayerType kiln builds)."""
    network = trt.Builder(logger).create_network()
    x = network.add_input("x", trt.float32, (2, 4))
    network.add_identity(x)
    network.add_shuffle(x)
    network.add_softmax(x)
    network.add_constant((2, 4), np.zeros((2, 4), np.float32))
    network.add_matrix_multiply(x, trt.MatrixOperation.NONE, x, trt.MatrixOperation.TRANSPOSE)
    network.add_one_hot(network.add_cast(x, trt.int32).get_output(0), network.add_constant(
        (2,), np.array([0, 1], np.float32)).get_output(0), 3, -1)
    for i in range(network.num_layers):
        layer = network.get_layer(i)
        cls = {trt.LayerType.MATRIX_MULTIPLY: trt.IMatrixMultiplyLayer,
               trt.LayerType.ONE_HOT: trt.IOneHotLayer}.get(
            layer.type, getattr(trt, "I" + layer.type.name.title().replace("_", "") + "Layer",
                                None))
        if cls is None:
            cls = {"SOFTMAX": trt.ISoftMaxLayer}[layer.type.name]
        layer.__class__ = cls
        assert isinstance(layer, cls)


def test_builder_flags_use_tensorrt_bits(logger):
    config = trt.Builder(logger).create_builder_config()
    config.set_flag(trt.BuilderFlag.FP16)
    config.set_flag(trt.BuilderFlag.REFIT)
    assert config.flags & (1 << 0) and config.flags & (1 << 4)  # TensorRT's FP16 and REFIT bits
    config.flags = 1 << int(trt.BuilderFlag.BF16)
    assert config.get_flag(trt.BuilderFlag.BF16) and not config.get_flag(trt.BuilderFlag.FP16)

    # A flag kiln does not implement: remembered, and a warning says it changes nothing.
    config.set_flag(trt.BuilderFlag.INT8)
    assert config.get_flag(trt.BuilderFlag.INT8)
    assert config.flags == (1 << 17) | (1 << 1)
    assert any(s == trt.Logger.WARNING and "BuilderFlag.INT8 is accepted but has no effect" in m
               for s, m in logger.messages)
    config.clear_flag(trt.BuilderFlag.INT8)
    assert not config.get_flag(trt.BuilderFlag.INT8)


def test_tactic_source_masks_use_tensorrt_bits(logger):
    config = trt.Builder(logger).create_builder_config()
    config.set_tactic_sources(1 << int(trt.TacticSource.CUBLAS_LT) | 1 << int(trt.TacticSource.KILN)
                              | 1 << int(trt.TacticSource.JIT_CONVOLUTIONS))
    # JIT_CONVOLUTIONS is not applicable to kiln and does not come back.
    assert config.get_tactic_sources() == (1 << 1) | (1 << 31)


def test_version_is_the_tensorrt_api_level():
    major = int(trt.__version__.split(".")[0])
    assert major >= 10 and trt.__version__ == trt.TENSORRT_API_VERSION
    assert trt.kiln_version and trt.kiln_version != trt.__version__
    assert trt.__kiln_version__ == trt.kiln_version
