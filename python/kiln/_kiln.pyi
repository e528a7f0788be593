"""
kiln's C++ API with TensorRT's Python names; import the `kiln` package instead.
"""

from collections.abc import Sequence
import enum
from typing import Any, Mapping

import numpy
from typing import overload

import kiln
from kiln import _enter as __enter__, _exit as __exit__


class Error(RuntimeError):
    pass

def get_last_error() -> str | None:
    """
    The message of the last failure on this thread (a call that returned None/False or raised kiln.Error), or None.
    """

def clear_last_error() -> None:
    """Forgets the last failure."""

def set_strict(strict: bool) -> None:
    """
    Strict mode: calls that TensorRT answers with None/False on failure raise kiln.Error instead (also on with the environment variable KILN_STRICT=1).
    """

def get_strict() -> bool:
    """Whether strict mode is on."""

def version() -> str:
    """kiln's version, "0.1.0"."""

class IHostMemory:
    """
    Bytes the builder or engine produced: a plan or a timing cache. Supports the buffer protocol: bytes(x), f.write(x), memoryview(x), numpy.frombuffer(x, numpy.uint8).
    """

    @property
    def nbytes(self) -> int:
        """Size in bytes."""

    @property
    def dtype(self) -> DataType:
        """DataType.UINT8: the buffer holds bytes."""

    def __len__(self) -> int: ...

class DataType(enum.IntEnum):
    """Element types of tensors and weights."""

    FLOAT = 0

    HALF = 1

    BF16 = 2

    INT8 = 3

    UINT8 = 4

    INT32 = 5

    INT64 = 6

    BOOL = 7

    @property
    def itemsize(self) -> int:
        """Bytes per element."""

class LayerType(enum.IntEnum):
    """Layer kinds."""

    ACTIVATION = 0

    CAST = 1

    CONCATENATION = 2

    CONSTANT = 3

    CONVOLUTION = 4

    ELEMENTWISE = 5

    GATHER = 6

    IDENTITY = 7

    MATRIX_MULTIPLY = 8

    NORMALIZATION = 9

    POOLING = 10

    REDUCE = 11

    SELECT = 12

    SHUFFLE = 13

    SLICE = 14

    SOFTMAX = 15

    TOPK = 16

    UNARY = 17

    DECONVOLUTION = 18

    RESIZE = 19

    SCATTER = 20

    SHAPE = 21

    CUMULATIVE = 22

    LRN = 23

    ONE_HOT = 24

    FILL = 25

class ActivationType(enum.IntEnum):
    RELU = 0

    SIGMOID = 1

    TANH = 2

    LEAKY_RELU = 3

    ELU = 4

    SELU = 5

    SOFTPLUS = 6

    CLIP = 7

    HARD_SIGMOID = 8

    GELU_ERF = 9

    GELU_TANH = 10

    SILU = 11

    THRESHOLDED_RELU = 12

    SOFTSIGN = 13

    SCALED_TANH = 14

    MISH = 15

class ElementWiseOperation(enum.IntEnum):
    SUM = 0

    PROD = 1

    MAX = 2

    MIN = 3

    SUB = 4

    DIV = 5

    POW = 6

    FLOOR_DIV = 7

    AND = 8

    OR = 9

    XOR = 10

    EQUAL = 11

    GREATER = 12

    LESS = 13

class UnaryOperation(enum.IntEnum):
    EXP = 0

    LOG = 1

    SQRT = 2

    RECIP = 3

    ABS = 4

    NEG = 5

    SIN = 6

    COS = 7

    TAN = 8

    ERF = 9

    FLOOR = 10

    CEIL = 11

    ROUND = 12

    NOT = 13

    SIGN = 14

    SINH = 15

    COSH = 16

    ASIN = 17

    ACOS = 18

    ATAN = 19

    ASINH = 20

    ACOSH = 21

    ATANH = 22

    ISINF = 23

    ISNAN = 24

class PoolingType(enum.IntEnum):
    MAX = 0

    AVERAGE = 1

class ReduceOperation(enum.IntEnum):
    SUM = 0

    PROD = 1

    MAX = 2

    MIN = 3

    AVG = 4

class TopKOperation(enum.IntEnum):
    MAX = 0

    MIN = 1

class MatrixOperation(enum.IntEnum):
    NONE = 0

    TRANSPOSE = 1

    VECTOR = 2

class TensorIOMode(enum.IntEnum):
    NONE = 0

    INPUT = 1

    OUTPUT = 2

class DeviceType(enum.IntEnum):
    """
    Where an engine runs: GPU (the default; falls back to CPU with a warning when no GPU is usable) or CPU (kiln's CPU backend).
    """

    GPU = 0

    CPU = 1

class BuilderFlag(enum.IntEnum):
    FP16 = 0

    BF16 = 1

    TF32 = 2

    REFIT = 3

    DEBUG = 4

    VERSION_COMPATIBLE = 5

    DISABLE_TIMING_CACHE = 6

class MemoryPoolType(enum.IntEnum):
    WORKSPACE = 0

class HardwareCompatibilityLevel(enum.IntEnum):
    SAME_COMPUTE_CAPABILITY = 0

    AMPERE_PLUS = 1

class TacticSource(enum.IntEnum):
    CUBLAS = 0

    CUBLAS_LT = 1

    CUDNN = 2

    KILN = 3

class ILogger:
    """
    Receives the messages of builders and runtimes. Subclass it and override log(severity, msg); a subclass gets every message (min_severity VERBOSE) unless it sets min_severity. Call ILogger.__init__(self) from the subclass's __init__.
    """

    def __init__(self, min_severity: ILogger.Severity = Severity.VERBOSE) -> None: ...

    class Severity(enum.IntEnum):
        INTERNAL_ERROR = 0

        ERROR = 1

        WARNING = 2

        INFO = 3

        VERBOSE = 4

    INTERNAL_ERROR: ILogger.Severity = Severity.INTERNAL_ERROR

    ERROR: ILogger.Severity = Severity.ERROR

    WARNING: ILogger.Severity = Severity.WARNING

    INFO: ILogger.Severity = Severity.INFO

    VERBOSE: ILogger.Severity = Severity.VERBOSE

    def log(self, severity: ILogger.Severity, msg: str) -> None:
        """Delivers one message; the default prints "[kiln] [W] msg" to stderr."""

    @property
    def min_severity(self) -> ILogger.Severity:
        """Messages less severe than this are not delivered."""

    @min_severity.setter
    def min_severity(self, arg: ILogger.Severity, /) -> None: ...

class Logger(ILogger):
    """
    TensorRT's trt.Logger: prints messages at min_severity or more severe to stderr.
    """

    def __init__(self, min_severity: ILogger.Severity = Severity.WARNING) -> None: ...

class ILayer:
    """The common part of every layer; owned by the network."""

    @property
    def name(self) -> str: ...

    @name.setter
    def name(self, arg: str, /) -> None: ...

    @property
    def type(self) -> LayerType:
        """The LayerType."""

    @property
    def num_inputs(self) -> int: ...

    @property
    def num_outputs(self) -> int: ...

    def get_input(self, index: int) -> ITensor:
        """The index-th input, or None (absent optional input)."""

    def set_input(self, index: int, tensor: ITensor) -> None: ...

    def get_output(self, index: int) -> ITensor:
        """The index-th output, or None."""

    def __repr__(self) -> str: ...

class IConvolutionLayer(ILayer):
    @property
    def num_output_maps(self) -> int: ...

    @property
    def kernel_size_nd(self) -> kiln.Dims: ...

    @property
    def stride_nd(self) -> kiln.Dims: ...

    @stride_nd.setter
    def stride_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def padding_nd(self) -> kiln.Dims:
        """Pre and post padding alike (reads the pre padding)."""

    @padding_nd.setter
    def padding_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def pre_padding(self) -> kiln.Dims: ...

    @pre_padding.setter
    def pre_padding(self, arg: Sequence[int], /) -> None: ...

    @property
    def post_padding(self) -> kiln.Dims: ...

    @post_padding.setter
    def post_padding(self, arg: Sequence[int], /) -> None: ...

    @property
    def dilation_nd(self) -> kiln.Dims: ...

    @dilation_nd.setter
    def dilation_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def num_groups(self) -> int: ...

    @num_groups.setter
    def num_groups(self, arg: int, /) -> None: ...

    @property
    def kernel(self) -> None:
        """Write-only here: new kernel weights (reads give None)."""

    @kernel.setter
    def kernel(self, arg: object, /) -> None: ...

    @property
    def bias(self) -> None:
        """
        Write-only here: new bias weights, None removes the bias (reads give None).
        """

    @bias.setter
    def bias(self, bias: object | None) -> None: ...

class IPoolingLayer(ILayer):
    @property
    def type(self) -> PoolingType: ...

    @type.setter
    def type(self, arg: PoolingType, /) -> None: ...

    @property
    def window_size_nd(self) -> kiln.Dims: ...

    @window_size_nd.setter
    def window_size_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def stride_nd(self) -> kiln.Dims: ...

    @stride_nd.setter
    def stride_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def padding_nd(self) -> kiln.Dims: ...

    @padding_nd.setter
    def padding_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def pre_padding(self) -> kiln.Dims: ...

    @pre_padding.setter
    def pre_padding(self, arg: Sequence[int], /) -> None: ...

    @property
    def post_padding(self) -> kiln.Dims: ...

    @post_padding.setter
    def post_padding(self, arg: Sequence[int], /) -> None: ...

    @property
    def average_count_excludes_padding(self) -> bool: ...

    @average_count_excludes_padding.setter
    def average_count_excludes_padding(self, arg: bool, /) -> None: ...

class IActivationLayer(ILayer):
    @property
    def type(self) -> ActivationType: ...

    @type.setter
    def type(self, arg: ActivationType, /) -> None: ...

    @property
    def alpha(self) -> float: ...

    @alpha.setter
    def alpha(self, arg: float, /) -> None: ...

    @property
    def beta(self) -> float: ...

    @beta.setter
    def beta(self, arg: float, /) -> None: ...

class IElementWiseLayer(ILayer):
    @property
    def op(self) -> ElementWiseOperation: ...

    @op.setter
    def op(self, arg: ElementWiseOperation, /) -> None: ...

class IUnaryLayer(ILayer):
    @property
    def op(self) -> UnaryOperation: ...

    @op.setter
    def op(self, arg: UnaryOperation, /) -> None: ...

class IMatrixMultiplyLayer(ILayer):
    @property
    def op0(self) -> MatrixOperation: ...

    @op0.setter
    def op0(self, arg: MatrixOperation, /) -> None: ...

    @property
    def op1(self) -> MatrixOperation: ...

    @op1.setter
    def op1(self, arg: MatrixOperation, /) -> None: ...

    def get_operation(self, index: int) -> MatrixOperation: ...

    def set_operation(self, index: int, op: MatrixOperation) -> None: ...

class IConstantLayer(ILayer):
    @property
    def shape(self) -> kiln.Dims: ...

    @shape.setter
    def shape(self, arg: Sequence[int], /) -> None: ...

    @property
    def weights(self) -> None:
        """
        Write-only here: new values, as many as the shape has elements (reads give None).
        """

    @weights.setter
    def weights(self, arg: object, /) -> None: ...

class IShuffleLayer(ILayer):
    """output = second_transpose(reshape(first_transpose(input)))."""

    @property
    def first_transpose(self) -> tuple[int, ...]: ...

    @first_transpose.setter
    def first_transpose(self, arg: object, /) -> None: ...

    @property
    def second_transpose(self) -> tuple[int, ...]: ...

    @second_transpose.setter
    def second_transpose(self, arg: object, /) -> None: ...

    @property
    def reshape_dims(self) -> kiln.Dims | None:
        """
        The reshape (0 copies the input dimension, one -1 is inferred); None when unset.
        """

    @reshape_dims.setter
    def reshape_dims(self, arg: Sequence[int], /) -> None: ...

    @property
    def zero_is_placeholder(self) -> bool: ...

    @zero_is_placeholder.setter
    def zero_is_placeholder(self, arg: bool, /) -> None: ...

class ISoftMaxLayer(ILayer):
    @property
    def axes(self) -> int:
        """Bitmask of the axes the softmax runs over (the last axis by default)."""

    @axes.setter
    def axes(self, arg: int, /) -> None: ...

class ITopKLayer(ILayer):
    @property
    def op(self) -> TopKOperation: ...

    @op.setter
    def op(self, arg: TopKOperation, /) -> None: ...

    @property
    def k(self) -> int: ...

    @k.setter
    def k(self, arg: int, /) -> None: ...

    @property
    def axes(self) -> int: ...

    @axes.setter
    def axes(self, arg: int, /) -> None: ...

class IIdentityLayer(ILayer):
    """Copies its input; set_output_type(0, dtype) converts."""

    def set_output_type(self, index: int, dtype: DataType) -> None: ...

    def get_output_type(self, index: int) -> DataType: ...

class IReduceLayer(ILayer):
    @property
    def op(self) -> ReduceOperation: ...

    @op.setter
    def op(self, arg: ReduceOperation, /) -> None: ...

    @property
    def axes(self) -> int: ...

    @axes.setter
    def axes(self, arg: int, /) -> None: ...

    @property
    def keep_dims(self) -> bool: ...

    @keep_dims.setter
    def keep_dims(self, arg: bool, /) -> None: ...

class IConcatenationLayer(ILayer):
    @property
    def axis(self) -> int: ...

    @axis.setter
    def axis(self, arg: int, /) -> None: ...

class ISliceLayer(ILayer):
    @property
    def start(self) -> kiln.Dims: ...

    @start.setter
    def start(self, arg: Sequence[int], /) -> None: ...

    @property
    def shape(self) -> kiln.Dims: ...

    @shape.setter
    def shape(self, arg: Sequence[int], /) -> None: ...

    @property
    def stride(self) -> kiln.Dims: ...

    @stride.setter
    def stride(self, arg: Sequence[int], /) -> None: ...

    @property
    def mode(self) -> SampleMode:
        """SampleMode: what positions outside the input read."""

    @mode.setter
    def mode(self, arg: SampleMode, /) -> None: ...

    @property
    def fill_value(self) -> float:
        """The value SampleMode.FILL reads (kiln: an attribute, not input 4)."""

    @fill_value.setter
    def fill_value(self, arg: float, /) -> None: ...

class IGatherLayer(ILayer):
    @property
    def axis(self) -> int: ...

    @axis.setter
    def axis(self, arg: int, /) -> None: ...

    @property
    def mode(self) -> GatherMode: ...

    @mode.setter
    def mode(self, arg: GatherMode, /) -> None: ...

    @property
    def num_elementwise_dims(self) -> int: ...

    @num_elementwise_dims.setter
    def num_elementwise_dims(self, arg: int, /) -> None: ...

class ISelectLayer(ILayer):
    pass

class ICastLayer(ILayer):
    @property
    def to_type(self) -> DataType: ...

    @to_type.setter
    def to_type(self, arg: DataType, /) -> None: ...

class INormalizationLayer(ILayer):
    @property
    def epsilon(self) -> float: ...

    @epsilon.setter
    def epsilon(self, arg: float, /) -> None: ...

    @property
    def axes(self) -> int: ...

    @axes.setter
    def axes(self, arg: int, /) -> None: ...

    @property
    def num_groups(self) -> int: ...

    @num_groups.setter
    def num_groups(self, arg: int, /) -> None: ...

class SampleMode(enum.IntEnum):
    """What ISliceLayer reads outside its input."""

    STRICT_BOUNDS = 0

    WRAP = 1

    CLAMP = 2

    FILL = 3

    REFLECT = 4

class InterpolationMode(enum.IntEnum):
    NEAREST = 0

    LINEAR = 1

    CUBIC = 2

class ResizeCoordinateTransformation(enum.IntEnum):
    ALIGN_CORNERS = 0

    ASYMMETRIC = 1

    HALF_PIXEL = 2

    PYTORCH_HALF_PIXEL = 3

    TF_HALF_PIXEL_FOR_NN = 4

class ResizeSelector(enum.IntEnum):
    FORMULA = 0

    UPPER = 1

class ResizeRoundMode(enum.IntEnum):
    HALF_UP = 0

    HALF_DOWN = 1

    FLOOR = 2

    CEIL = 3

class GatherMode(enum.IntEnum):
    DEFAULT = 0

    ELEMENT = 1

    ND = 2

class ScatterMode(enum.IntEnum):
    ELEMENT = 0

    ND = 1

class ScatterReduction(enum.IntEnum):
    """kiln extension (ONNX's `reduction`)."""

    NONE = 0

    ADD = 1

    MUL = 2

    MAX = 3

    MIN = 4

class CumulativeOperation(enum.IntEnum):
    SUM = 0

class FillOperation(enum.IntEnum):
    """kiln runs LINSPACE only; the random ones are refused at build time."""

    LINSPACE = 0

    RANDOM_UNIFORM = 1

    RANDOM_NORMAL = 2

class IDeconvolutionLayer(ILayer):
    @property
    def num_output_maps(self) -> int: ...

    @property
    def kernel_size_nd(self) -> kiln.Dims: ...

    @property
    def stride_nd(self) -> kiln.Dims: ...

    @stride_nd.setter
    def stride_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def padding_nd(self) -> kiln.Dims: ...

    @padding_nd.setter
    def padding_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def pre_padding(self) -> kiln.Dims: ...

    @pre_padding.setter
    def pre_padding(self, arg: Sequence[int], /) -> None: ...

    @property
    def post_padding(self) -> kiln.Dims: ...

    @post_padding.setter
    def post_padding(self, arg: Sequence[int], /) -> None: ...

    @property
    def dilation_nd(self) -> kiln.Dims: ...

    @dilation_nd.setter
    def dilation_nd(self, arg: Sequence[int], /) -> None: ...

    @property
    def num_groups(self) -> int: ...

    @num_groups.setter
    def num_groups(self, arg: int, /) -> None: ...

class IResizeLayer(ILayer):
    @property
    def shape(self) -> kiln.Dims | None:
        """The output dimensions; None while scales are used."""

    @shape.setter
    def shape(self, arg: Sequence[int], /) -> None: ...

    @property
    def scales(self) -> list[float] | None:
        """One scale per dimension; None while output dimensions are used."""

    @scales.setter
    def scales(self, arg: Sequence[float], /) -> None: ...

    @property
    def resize_mode(self) -> InterpolationMode: ...

    @resize_mode.setter
    def resize_mode(self, arg: InterpolationMode, /) -> None: ...

    @property
    def coordinate_transformation(self) -> ResizeCoordinateTransformation: ...

    @coordinate_transformation.setter
    def coordinate_transformation(self, arg: ResizeCoordinateTransformation, /) -> None: ...

    @property
    def selector_for_single_pixel(self) -> ResizeSelector: ...

    @selector_for_single_pixel.setter
    def selector_for_single_pixel(self, arg: ResizeSelector, /) -> None: ...

    @property
    def nearest_rounding(self) -> ResizeRoundMode: ...

    @nearest_rounding.setter
    def nearest_rounding(self, arg: ResizeRoundMode, /) -> None: ...

    @property
    def cubic_coeff(self) -> float: ...

    @cubic_coeff.setter
    def cubic_coeff(self, arg: float, /) -> None: ...

    @property
    def exclude_outside(self) -> bool: ...

    @exclude_outside.setter
    def exclude_outside(self, arg: bool, /) -> None: ...

class IScatterLayer(ILayer):
    @property
    def mode(self) -> ScatterMode: ...

    @mode.setter
    def mode(self, arg: ScatterMode, /) -> None: ...

    @property
    def axis(self) -> int: ...

    @axis.setter
    def axis(self, arg: int, /) -> None: ...

    @property
    def reduction(self) -> ScatterReduction:
        """kiln extension."""

    @reduction.setter
    def reduction(self, arg: ScatterReduction, /) -> None: ...

class IShapeLayer(ILayer):
    pass

class ICumulativeLayer(ILayer):
    @property
    def op(self) -> CumulativeOperation: ...

    @op.setter
    def op(self, arg: CumulativeOperation, /) -> None: ...

    @property
    def axis(self) -> int: ...

    @axis.setter
    def axis(self, arg: int, /) -> None: ...

    @property
    def exclusive(self) -> bool: ...

    @exclusive.setter
    def exclusive(self, arg: bool, /) -> None: ...

    @property
    def reverse(self) -> bool: ...

    @reverse.setter
    def reverse(self, arg: bool, /) -> None: ...

class ILRNLayer(ILayer):
    @property
    def window_size(self) -> int: ...

    @window_size.setter
    def window_size(self, arg: int, /) -> None: ...

    @property
    def alpha(self) -> float: ...

    @alpha.setter
    def alpha(self, arg: float, /) -> None: ...

    @property
    def beta(self) -> float: ...

    @beta.setter
    def beta(self, arg: float, /) -> None: ...

    @property
    def k(self) -> float: ...

    @k.setter
    def k(self, arg: float, /) -> None: ...

class IOneHotLayer(ILayer):
    @property
    def axis(self) -> int: ...

    @axis.setter
    def axis(self, arg: int, /) -> None: ...

    @property
    def depth(self) -> int:
        """kiln: a value (TensorRT takes a tensor)."""

    @depth.setter
    def depth(self, arg: int, /) -> None: ...

class IFillLayer(ILayer):
    @property
    def shape(self) -> kiln.Dims: ...

    @shape.setter
    def shape(self, arg: Sequence[int], /) -> None: ...

    @property
    def operation(self) -> FillOperation: ...

    @operation.setter
    def operation(self, arg: FillOperation, /) -> None: ...

    @property
    def alpha(self) -> float:
        """LINSPACE start (a value, not a tensor as in TensorRT)."""

    @alpha.setter
    def alpha(self, arg: float, /) -> None: ...

    @property
    def beta(self) -> float:
        """LINSPACE step (a value, not a tensor as in TensorRT)."""

    @beta.setter
    def beta(self, arg: float, /) -> None: ...

    @property
    def to_type(self) -> DataType: ...

    @to_type.setter
    def to_type(self, arg: DataType, /) -> None: ...

class Weights:
    """
    Weight values for add_constant, add_convolution_nd, add_fully_connected: a numpy array (kept alive; float64 becomes float32), or empty. Plain numpy arrays are accepted wherever Weights are.
    """

    @overload
    def __init__(self, type: DataType = DataType.FLOAT) -> None:
        """Empty weights of a type."""

    @overload
    def __init__(self, a: object) -> None:
        """Weights holding the values of an array (anything numpy accepts)."""

    @property
    def dtype(self) -> DataType:
        """The DataType of the values."""

    @property
    def size(self) -> int:
        """Number of values."""

    @property
    def nbytes(self) -> int:
        """Size in bytes."""

    def __len__(self) -> int: ...

    def numpy(self) -> numpy.ndarray | None:
        """The values as a flat-or-shaped numpy array (None for empty weights)."""

class ITensor:
    """A tensor of a network; owned by the network."""

    @property
    def name(self) -> str:
        """The unique name; set it on inputs and outputs you bind at run time."""

    @name.setter
    def name(self, arg: str, /) -> None: ...

    @property
    def shape(self) -> kiln.Dims | None:
        """
        The inferred shape (-1 where it depends on a dynamic input dimension); None, with the reason logged, when the network has no valid shape here.
        """

    @property
    def dtype(self) -> DataType:
        """The DataType."""

    @property
    def is_network_input(self) -> bool: ...

    @property
    def is_network_output(self) -> bool: ...

    def __repr__(self) -> str: ...

class INetworkDefinition:
    """
    A network being defined: add_input, add_* layers, mark_output. Layers and tensors it returns keep it alive.
    """

    @property
    def num_inputs(self) -> int: ...

    @property
    def num_outputs(self) -> int: ...

    @property
    def num_layers(self) -> int: ...

    @property
    def has_implicit_batch_dimension(self) -> bool:
        """Always False: explicit batch is kiln's only mode."""

    def get_input(self, index: int) -> ITensor:
        """The index-th network input, or None."""

    def get_output(self, index: int) -> ITensor:
        """The index-th network output, or None."""

    def get_layer(self, index: int) -> ILayer:
        """The index-th layer, or None."""

    def __len__(self) -> int: ...

    def __getitem__(self, arg: int, /) -> ILayer: ...

    def add_input(self, name: str, dtype: DataType, shape: Sequence[int]) -> ITensor:
        """
        Adds a network input; -1 in shape marks a dimension known only at run time.
        """

    def mark_output(self, tensor: ITensor) -> None: ...

    def unmark_output(self, tensor: ITensor) -> None: ...

    def add_convolution_nd(self, input: ITensor, num_output_maps: int, kernel_shape: Sequence[int], kernel: object, bias: object | None = None) -> IConvolutionLayer:
        """
        kernel: num_output_maps x (input channels / groups) x kernel_shape values; bias: num_output_maps values or None.
        """

    def add_pooling_nd(self, input: ITensor, type: PoolingType, window_size: Sequence[int]) -> IPoolingLayer: ...

    def add_activation(self, input: ITensor, type: ActivationType) -> IActivationLayer: ...

    def add_elementwise(self, input1: ITensor, input2: ITensor, op: ElementWiseOperation) -> IElementWiseLayer:
        """Elementwise a op b with numpy broadcasting."""

    def add_unary(self, input: ITensor, op: UnaryOperation) -> IUnaryLayer: ...

    def add_matrix_multiply(self, input0: ITensor, op0: MatrixOperation, input1: ITensor, op1: MatrixOperation) -> IMatrixMultiplyLayer: ...

    def add_constant(self, shape: Sequence[int], weights: object) -> IConstantLayer:
        """
        A constant tensor of `shape` holding `weights` (kiln.Weights or a numpy array; the values are copied).
        """

    def add_shuffle(self, input: ITensor) -> IShuffleLayer: ...

    def add_softmax(self, input: ITensor) -> ISoftMaxLayer: ...

    def add_topk(self, input: ITensor, op: TopKOperation, k: int, axes: int) -> ITopKLayer:
        """
        axes: a bitmask with exactly one bit set. Outputs: values, int32 indices.
        """

    def add_identity(self, input: ITensor) -> IIdentityLayer: ...

    def add_reduce(self, input: ITensor, op: ReduceOperation, axes: int, keep_dims: bool) -> IReduceLayer: ...

    def add_concatenation(self, inputs: Sequence[ITensor]) -> IConcatenationLayer: ...

    def add_slice(self, input: ITensor, start: Sequence[int], shape: Sequence[int], stride: Sequence[int]) -> ISliceLayer: ...

    def add_gather(self, input: ITensor, indices: ITensor, axis: int) -> IGatherLayer: ...

    def add_select(self, condition: ITensor, then_input: ITensor, else_input: ITensor) -> ISelectLayer: ...

    def add_cast(self, input: ITensor, to_type: DataType) -> ICastLayer: ...

    def add_normalization(self, input: ITensor, scale: ITensor, bias: ITensor, axesMask: int) -> INormalizationLayer:
        """
        Layer/instance/group normalization over the axes in the bitmask (see INormalizationLayer.num_groups).
        """

    def add_fully_connected(self, input: ITensor, num_outputs: int, kernel: object, bias: object | None = None) -> ILayer:
        """
        TensorRT 8's fully connected layer, lowered to shuffle + matrix multiply (+ sum) + shuffle; returns the last of those layers.
        """

    def add_deconvolution_nd(self, input: ITensor, num_output_maps: int, kernel_shape: Sequence[int], kernel: object, bias: object | None = None) -> IDeconvolutionLayer:
        """
        kernel: input channels x (num_output_maps / groups) x kernel_shape values.
        """

    def add_resize(self, input: ITensor) -> IResizeLayer: ...

    def add_scatter(self, data: ITensor, indices: ITensor, updates: ITensor, mode: ScatterMode) -> IScatterLayer: ...

    def add_shape(self, input: ITensor) -> IShapeLayer:
        """The input's dimensions as a 1-D int64 tensor."""

    def add_cumulative(self, input: ITensor, axis: int, op: CumulativeOperation, exclusive: bool, reverse: bool) -> ICumulativeLayer:
        """axis is an int (TensorRT takes a tensor)."""

    def add_lrn(self, input: ITensor, window: int, alpha: float, beta: float, k: float) -> ILRNLayer: ...

    def add_one_hot(self, indices: ITensor, values: ITensor, depth: int, axis: int) -> IOneHotLayer:
        """values: [off, on]; depth is an int (TensorRT takes a tensor)."""

    def add_fill(self, shape: Sequence[int], op: FillOperation, output_type: DataType = DataType.FLOAT) -> IFillLayer:
        """LINSPACE: element i = alpha + i * beta (set layer.alpha / layer.beta)."""

class ITimingCache:
    """Measured tactic times; made by IBuilderConfig.create_timing_cache()."""

    def serialize(self) -> IHostMemory:
        """The cache as IHostMemory, for create_timing_cache."""

    def combine(self, input_cache: ITimingCache, ignore_mismatch: bool) -> bool:
        """
        Adds the other cache's entries (existing ones win); False with the reason logged when the caches come from different devices and ignore_mismatch is False.
        """

    def reset(self) -> bool:
        """Drops every entry; returns True."""

    @property
    def num_entries(self) -> int:
        """Number of timings held (kiln)."""

    @property
    def device_description(self) -> str:
        """
        The device and library versions the cache was made with; "" when it has not met a device yet (kiln).
        """

class AlgorithmIOInfo:
    """One input or output of a layer."""

    @property
    def name(self) -> str: ...

    @property
    def dtype(self) -> DataType: ...

    @property
    def shape(self) -> kiln.Dims:
        """The shape at the profile's opt point."""

class IAlgorithmContext:
    """The layer a selection is about."""

    @property
    def name(self) -> str:
        """The layer's name."""

    @property
    def layer_type(self) -> LayerType: ...

    @property
    def inputs(self) -> list[AlgorithmIOInfo]: ...

    @property
    def outputs(self) -> list[AlgorithmIOInfo]: ...

    @property
    def profile(self) -> int:
        """The profile whose opt shapes were timed."""

    @property
    def num_inputs(self) -> int: ...

    @property
    def num_outputs(self) -> int: ...

    def __repr__(self) -> str: ...

class IAlgorithm:
    """One candidate: an implementation in one configuration."""

    @property
    def implementation(self) -> str:
        """
        "cpu.reference", "cuda.cublaslt.matrix_multiply", ... (a string in kiln; TensorRT's is an int).
        """

    @property
    def tactic(self) -> int:
        """The configuration within the implementation."""

    @property
    def source(self) -> TacticSource:
        """The TacticSource."""

    @property
    def timing_msec(self) -> float:
        """Median measured time; -1 when not timed."""

    @property
    def workspace_size(self) -> int:
        """Bytes at the opt shapes."""

    @property
    def algorithm_variant(self) -> IAlgorithm:
        """
        The algorithm itself (it has .implementation and .tactic, like TensorRT's IAlgorithmVariant).
        """

    def __repr__(self) -> str: ...

class IAlgorithmSelector:
    """
    Subclass it and define select_algorithms(context, choices) -> list of indices to keep (an empty list keeps all; the builder takes the fastest kept one) and report_algorithms(contexts, choices). Call IAlgorithmSelector.__init__(self).
    """

    def __init__(self) -> None: ...

class IProgressMonitor:
    """
    Subclass it and define phase_start(phase_name, parent_phase, num_steps), step_complete(phase_name, step) -> bool (False cancels the build) and phase_finish(phase_name). Call IProgressMonitor.__init__(self).
    """

    def __init__(self) -> None: ...

class IOptimizationProfile:
    """
    min/opt/max shapes for the dynamic inputs; made by Builder.create_optimization_profile().
    """

    def set_shape(self, input: str, min: Sequence[int], opt: Sequence[int], max: Sequence[int]) -> None:
        """
        Sets the shape range of an input; a bad range is logged and ignored (kiln.Error in strict mode).
        """

    def get_shape(self, input: str) -> list[kiln.Dims]:
        """[min, opt, max] for an input, [] when none was set."""

    def __bool__(self) -> bool: ...

class IBuilderConfig:
    """Build settings; made by Builder.create_builder_config()."""

    def set_flag(self, flag: BuilderFlag) -> None: ...

    def clear_flag(self, flag: BuilderFlag) -> None: ...

    def get_flag(self, flag: BuilderFlag) -> bool: ...

    @property
    def flags(self) -> int:
        """Bitmask of 1 << int(BuilderFlag.X)."""

    @flags.setter
    def flags(self, arg: int, /) -> None: ...

    def set_memory_pool_limit(self, pool: MemoryPoolType, pool_size: int) -> None: ...

    def get_memory_pool_limit(self, pool: MemoryPoolType) -> int: ...

    def add_optimization_profile(self, profile: IOptimizationProfile) -> int:
        """Copies the profile; returns its index, or -1 on failure."""

    @property
    def num_optimization_profiles(self) -> int: ...

    @property
    def max_aux_streams(self) -> int: ...

    @max_aux_streams.setter
    def max_aux_streams(self, arg: int, /) -> None: ...

    @property
    def builder_optimization_level(self) -> int:
        """
        0 (heuristics only, fastest build) to 5 (time the most candidates); 3 by default.
        """

    @builder_optimization_level.setter
    def builder_optimization_level(self, arg: int, /) -> None: ...

    @property
    def hardware_compatibility_level(self) -> HardwareCompatibilityLevel:
        """
        Which GPUs a GPU plan may run on: SAME_COMPUTE_CAPABILITY (default) or AMPERE_PLUS.
        """

    @hardware_compatibility_level.setter
    def hardware_compatibility_level(self, arg: HardwareCompatibilityLevel, /) -> None: ...

    def set_tactic_sources(self, tactic_sources: int) -> bool:
        """Bitmask of 1 << int(TacticSource.X); returns True."""

    def get_tactic_sources(self) -> int: ...

    @property
    def default_device_type(self) -> DeviceType:
        """
        DeviceType.GPU (default; CPU with a warning when no GPU is usable) or DeviceType.CPU.
        """

    @default_device_type.setter
    def default_device_type(self, arg: DeviceType, /) -> None: ...

    def create_timing_cache(self, serialized_timing_cache: object) -> ITimingCache | None:
        """
        A timing cache from serialized bytes (b"" for an empty one), or None with the reason logged when the bytes are corrupt or foreign.
        """

    def set_timing_cache(self, cache: object | None, ignore_mismatch: bool) -> bool:
        """
        Builds read and fill `cache` (the config keeps it alive). False, with the reason logged, when the cache comes from another device and ignore_mismatch is False.
        """

    def get_timing_cache(self) -> ITimingCache | None:
        """The cache set with set_timing_cache, or None."""

    @property
    def algorithm_selector(self) -> IAlgorithmSelector | None:
        """
        An IAlgorithmSelector subclass instance (kept alive by the config), or None.
        """

    @algorithm_selector.setter
    def algorithm_selector(self, selector: object | None) -> None: ...

    @property
    def progress_monitor(self) -> IProgressMonitor | None:
        """
        An IProgressMonitor subclass instance (kept alive by the config), or None.
        """

    @progress_monitor.setter
    def progress_monitor(self, monitor: object | None) -> None: ...

class Builder:
    """Builds networks into plans: TensorRT's trt.Builder."""

    def __init__(self, logger: ILogger) -> None: ...

    def create_network(self, flags: int = 0) -> INetworkDefinition:
        """
        A new, empty network. flags: NetworkDefinitionCreationFlag bits; explicit batch is the only mode, so EXPLICIT_BATCH is accepted and changes nothing.
        """

    def create_builder_config(self) -> IBuilderConfig: ...

    def create_optimization_profile(self) -> IOptimizationProfile:
        """
        A new profile owned by the builder; fill it, then config.add_optimization_profile().
        """

    def build_serialized_network(self, network: INetworkDefinition, config: IBuilderConfig) -> IHostMemory | None:
        """
        The plan as IHostMemory (buffer protocol), or None with the reason logged when the network cannot be built.
        """

    @property
    def platform_has_fast_fp16(self) -> bool:
        """True: every backend runs float16 layers."""

class ICudaEngine:
    """
    An engine loaded from a plan: immutable, shared by its contexts. Its I/O tensors are inputs first, then outputs.
    """

    @property
    def num_io_tensors(self) -> int: ...

    def get_tensor_name(self, index: int) -> str | None:
        """The index-th I/O tensor's name, or None."""

    def get_tensor_mode(self, name: str) -> TensorIOMode:
        """TensorIOMode.INPUT/OUTPUT, or NONE for an unknown name."""

    def get_tensor_dtype(self, name: str) -> DataType | None: ...

    def get_tensor_shape(self, name: str) -> kiln.Dims | None:
        """The shape with -1 for dynamic dimensions."""

    @property
    def num_optimization_profiles(self) -> int: ...

    def get_tensor_profile_shape(self, name: str, profile_index: int) -> list[kiln.Dims] | None:
        """[min, opt, max] of an input in a profile."""

    @property
    def num_layers(self) -> int: ...

    @property
    def num_aux_streams(self) -> int: ...

    @property
    def device_memory_size(self) -> int: ...

    @property
    def device_type(self) -> DeviceType:
        """DeviceType.GPU or DeviceType.CPU: where the engine runs (kiln)."""

    def serialize(self) -> IHostMemory:
        """The plan bytes as IHostMemory."""

    def create_execution_context(self) -> IExecutionContext | None:
        """A new execution context, or None with the reason logged."""

class IExecutionContext:
    """
    Per-inference state: input shapes, tensor addresses, the active profile. Use one context per thread.
    """

    @property
    def engine(self) -> ICudaEngine:
        """The ICudaEngine."""

    def set_input_shape(self, name: str, shape: Sequence[int]) -> bool:
        """
        False, with the reason logged, when `name` is not an input or the shape lies outside the active profile.
        """

    def get_tensor_shape(self, name: str) -> kiln.Dims | None:
        """Inputs: the shape set; outputs: inferred from the inputs."""

    @property
    def all_input_dimensions_specified(self) -> bool: ...

    def set_tensor_address(self, name: str, memory: int) -> bool:
        """Host address (CPU engines) or device address (GPU engines) as an int."""

    def get_tensor_address(self, name: str) -> int:
        """The address set, 0 when none (or the name is unknown)."""

    def set_optimization_profile_async(self, profile_index: int, stream_handle: int) -> bool:
        """Makes a profile active; set the input shapes again afterwards."""

    @property
    def active_optimization_profile(self) -> int: ...

    def execute_async_v3(self, stream_handle: int) -> bool:
        """
        Runs on a CUDA stream (an int, e.g. torch.cuda.current_stream().cuda_stream); synchronous on CPU engines. False, with the reason logged, when a shape or address is missing.
        """

    def execute_v2(self, bindings: Sequence[int]) -> bool:
        """Synchronous; addresses in I/O tensor order (get_tensor_name)."""

    def set_aux_streams(self, aux_streams: Sequence[int]) -> None:
        """The CUDA streams (ints) auxiliary steps run on."""

    @property
    def device_memory_size(self) -> int:
        """Device memory this context holds (kiln)."""

    def set_cuda_graph_mode(self, enabled: bool) -> None:
        """kiln: capture the work into a CUDA graph and replay it (GPU engines)."""

    def infer(self, feeds: Mapping[str, Any], stream: int | None = None) -> dict[str, Any] | None:
        """Sets shapes, allocates outputs, runs; {output name: array}, or None with the
        reason logged (see kiln/_infer.py)."""

class Runtime:
    """Loads plans: TensorRT's trt.Runtime."""

    def __init__(self, logger: ILogger) -> None: ...

    def deserialize_cuda_engine(self, serialized_engine: object) -> ICudaEngine | None:
        """
        An ICudaEngine from plan bytes (bytes, IHostMemory, anything with the buffer protocol), or None with the reason logged for a truncated, corrupted, foreign or newer-format plan.
        """

class ErrorCode(enum.IntEnum):
    """OnnxParser error codes."""

    SUCCESS = 0

    INTERNAL_ERROR = 1

    INVALID_VALUE = 2

    INVALID_GRAPH = 3

    INVALID_NODE = 4

    UNSUPPORTED_GRAPH = 5

    UNSUPPORTED_NODE = 6

    MODEL_DESERIALIZE_FAILED = 7

class ParserError:
    """One problem OnnxParser found."""

    def code(self) -> ErrorCode: ...

    def desc(self) -> str: ...

    def node(self) -> int:
        """Index of the ONNX node, -1 when none."""

    def node_name(self) -> str: ...

    def node_operator(self) -> str: ...

    def __str__(self) -> str: ...

class OnnxParser:
    """
    Fills a network from an ONNX model (opsets 9 to 24): TensorRT's trt.OnnxParser(network, logger).
    """

    def __init__(self, network: INetworkDefinition, logger: ILogger) -> None: ...

    def parse(self, model: object, path: object | None = None) -> bool:
        """
        Parses ONNX bytes; `path` (the model file, or its directory ending in '/') locates external data. False on failure: see num_errors / get_error.
        """

    def parse_from_file(self, model: str) -> bool: ...

    @property
    def num_errors(self) -> int: ...

    def get_error(self, index: int) -> ParserError | None:
        """The index-th ParserError, or None."""

    def clear_errors(self) -> None: ...

    def supports_operator(self, op_name: str) -> bool:
        """Whether kiln has an importer for this ai.onnx op type."""

class WeightsRole(enum.IntEnum):
    """The part weights play in a layer (Refitter.set_weights)."""

    KERNEL = 0

    BIAS = 1

    SHIFT = 2

    SCALE = 3

    CONSTANT = 4

    ANY = 5

class Refitter:
    """
    New weights for an engine built with BuilderFlag.REFIT: trt.Refitter(engine, logger). docs/refit.md.
    """

    def __init__(self, engine: ICudaEngine, logger: ILogger) -> None: ...

    def set_named_weights(self, name: str, weights: object) -> bool:
        """
        Sets the weights the network (or ONNX file) named `name`; the values are copied. False when the name is unknown or the type or size differs.
        """

    def set_weights(self, layer_name: str, role: WeightsRole, weights: object) -> bool:
        """Sets the weights layer `layer_name` uses in `role`."""

    def get_all_weights(self) -> list[str]:
        """Every refittable weights name."""

    def get_missing_weights(self) -> list[str]:
        """Weights that must still be set (always empty in kiln: each refits on its own)."""

    def get_all(self) -> tuple[list[str], list[WeightsRole]]:
        """(layer names, roles) of every layer with refittable weights."""

    def refit_cuda_engine(self) -> bool:
        """
        Writes the weights set so far into the engine; waits for running executions. False on failure (the engine is then unchanged).
        """

    def refit_cuda_engine_async(self, stream: int) -> bool:
        """refit_cuda_engine with the device copies queued on `stream`."""

class OnnxParserRefitter:
    """
    Refits from a retrained ONNX model: trt.OnnxParserRefitter(refitter, logger).
    """

    def __init__(self, refitter: Refitter, logger: ILogger) -> None: ...

    def refit_from_file(self, model: str) -> bool:
        """
        Sets every refittable weights from the ONNX file (call refit_cuda_engine next); False, with the reason logged, when the model does not fit the engine.
        """

    def refit_from_bytes(self, model: object, path: object | None = None) -> bool:
        """refit_from_file for ONNX bytes; `path` locates external data."""
