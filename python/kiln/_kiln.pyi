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
from kiln._plugin import _field_of as of, _field_values as values


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
    """
    Element types of tensors and weights (TensorRT values; kiln runs FLOAT, HALF, BF16, INT8, UINT8, INT32, INT64, BOOL).
    """

    FLOAT = 0

    HALF = 1

    INT8 = 2

    INT32 = 3

    BOOL = 4

    UINT8 = 5

    FP8 = 6

    BF16 = 7

    INT64 = 8

    INT4 = 9

    FP4 = 10

    E8M0 = 11

    @property
    def itemsize(self) -> int:
        """Bytes per element."""

class LayerType(enum.IntEnum):
    """Layer kinds (TensorRT values)."""

    CONVOLUTION = 0

    CAST = 1

    ACTIVATION = 2

    POOLING = 3

    LRN = 4

    SCALE = 5

    SOFTMAX = 6

    DECONVOLUTION = 7

    CONCATENATION = 8

    ELEMENTWISE = 9

    PLUGIN = 10

    UNARY = 11

    PADDING = 12

    SHUFFLE = 13

    REDUCE = 14

    TOPK = 15

    GATHER = 16

    MATRIX_MULTIPLY = 17

    RAGGED_SOFTMAX = 18

    CONSTANT = 19

    IDENTITY = 20

    PLUGIN_V2 = 21

    SLICE = 22

    SHAPE = 23

    PARAMETRIC_RELU = 24

    RESIZE = 25

    TRIP_LIMIT = 26

    RECURRENCE = 27

    ITERATOR = 28

    LOOP_OUTPUT = 29

    SELECT = 30

    FILL = 31

    QUANTIZE = 32

    DEQUANTIZE = 33

    CONDITION = 34

    CONDITIONAL_INPUT = 35

    CONDITIONAL_OUTPUT = 36

    SCATTER = 37

    EINSUM = 38

    ASSERTION = 39

    ONE_HOT = 40

    NON_ZERO = 41

    GRID_SAMPLE = 42

    NMS = 43

    REVERSE_SEQUENCE = 44

    NORMALIZATION = 45

    PLUGIN_V3 = 46

    SQUEEZE = 47

    UNSQUEEZE = 48

    CUMULATIVE = 49

    DYNAMIC_QUANTIZE = 50

class ActivationType(enum.IntEnum):
    """
    Activation functions (TensorRT values; SILU and MISH are kiln extensions).
    """

    RELU = 0

    SIGMOID = 1

    TANH = 2

    LEAKY_RELU = 3

    ELU = 4

    SELU = 5

    SOFTSIGN = 6

    SOFTPLUS = 7

    CLIP = 8

    HARD_SIGMOID = 9

    SCALED_TANH = 10

    THRESHOLDED_RELU = 11

    GELU_ERF = 12

    GELU_TANH = 13

    SILU = 1000

    MISH = 1001

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
    """Unary operations (TensorRT values)."""

    EXP = 0

    LOG = 1

    SQRT = 2

    RECIP = 3

    ABS = 4

    NEG = 5

    SIN = 6

    COS = 7

    TAN = 8

    SINH = 9

    COSH = 10

    ASIN = 11

    ACOS = 12

    ATAN = 13

    ASINH = 14

    ACOSH = 15

    ATANH = 16

    CEIL = 17

    FLOOR = 18

    ERF = 19

    NOT = 20

    SIGN = 21

    ROUND = 22

    ISINF = 23

    ISNAN = 24

class PoolingType(enum.IntEnum):
    """Pooling kinds (TensorRT values; kiln runs MAX and AVERAGE)."""

    MAX = 0

    AVERAGE = 1

    MAX_AVERAGE_BLEND = 2

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
    Where an engine runs: GPU (the default; falls back to CPU with a warning when no GPU is usable) or CPU (kiln's CPU backend, a kiln extension). DLA is not applicable to kiln.
    """

    GPU = 0

    DLA = 1

    CPU = 1000

class BuilderFlag(enum.IntEnum):
    """
    Builder options (TensorRT values). kiln implements FP16, BF16, TF32, REFIT, DEBUG, VERSION_COMPATIBLE, DISABLE_TIMING_CACHE; the others are accepted with a warning.
    """

    FP16 = 0

    INT8 = 1

    DEBUG = 2

    GPU_FALLBACK = 3

    REFIT = 4

    DISABLE_TIMING_CACHE = 5

    TF32 = 6

    SPARSE_WEIGHTS = 7

    SAFETY_SCOPE = 8

    OBEY_PRECISION_CONSTRAINTS = 9

    PREFER_PRECISION_CONSTRAINTS = 10

    DIRECT_IO = 11

    REJECT_EMPTY_ALGORITHMS = 12

    VERSION_COMPATIBLE = 13

    EXCLUDE_LEAN_RUNTIME = 14

    FP8 = 15

    ERROR_ON_TIMING_CACHE_MISS = 16

    BF16 = 17

    DISABLE_COMPILATION_CACHE = 18

    STRIP_PLAN = 19

    REFIT_IDENTICAL = 20

    WEIGHT_STREAMING = 21

    INT4 = 22

    REFIT_INDIVIDUAL = 23

    STRICT_NANS = 24

    MONITOR_MEMORY = 25

    FP4 = 26

    EDITABLE_TIMING_CACHE = 27

    DISTRIBUTIVE_INDEPENDENCE = 28

    WEIGHTLESS: Any

class MemoryPoolType(enum.IntEnum):
    """
    Memory pools; kiln has WORKSPACE (the DLA and tactic pools are not applicable).
    """

    WORKSPACE = 0

    DLA_MANAGED_SRAM = 1

    DLA_LOCAL_DRAM = 2

    DLA_GLOBAL_DRAM = 3

    TACTIC_DRAM = 4

    TACTIC_SHARED_MEMORY = 5

class HardwareCompatibilityLevel(enum.IntEnum):
    """
    Which GPUs a GPU plan may run on: NONE and SAME_COMPUTE_CAPABILITY (kiln treats them alike: the build device's compute capability) or AMPERE_PLUS.
    """

    NONE = 0

    AMPERE_PLUS = 1

    SAME_COMPUTE_CAPABILITY = 2

class TacticSource(enum.IntEnum):
    """
    Tactic libraries (TensorRT values; KILN, kiln's own kernels, is bit 31).
    """

    CUBLAS = 0

    CUBLAS_LT = 1

    CUDNN = 2

    EDGE_MASK_CONVOLUTIONS = 3

    JIT_CONVOLUTIONS = 4

    ONEDNN = 30

    KILN = 31

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
    def precision(self) -> DataType:
        """
        The precision asked for (FLOAT when none was). Recorded, not applied: see docs/python.md.
        """

    @precision.setter
    def precision(self, arg: DataType, /) -> None: ...

    @property
    def precision_is_set(self) -> bool: ...

    def reset_precision(self) -> None: ...

    def set_output_type(self, index: int, dtype: DataType) -> None:
        """
        Recorded, not applied (IIdentityLayer.set_output_type converts): see docs/python.md.
        """

    def get_output_type(self, index: int) -> DataType:
        """The output type asked for (FLOAT when none was)."""

    def output_type_is_set(self, index: int) -> bool: ...

    def reset_output_type(self, index: int) -> None: ...

    @property
    def metadata(self) -> str:
        """
        A string the script attaches to the layer (kept with the network definition; kiln plans do not store it).
        """

    @metadata.setter
    def metadata(self, arg: str, /) -> None: ...

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

    @property
    def dilation(self) -> Any:
        """TensorRT 7/8's 2-D dilation (a DimsHW): dilation_nd of a 2-D layer."""

    @dilation.setter
    def dilation(self, value: Any, /) -> None: ...

    @property
    def kernel_size(self) -> Any:
        """TensorRT 7/8's 2-D kernel_size (a DimsHW): kernel_size_nd of a 2-D layer."""


    @property
    def padding(self) -> Any:
        """TensorRT 7/8's 2-D padding (a DimsHW): padding_nd of a 2-D layer."""

    @padding.setter
    def padding(self, value: Any, /) -> None: ...

    @property
    def padding_mode(self) -> Any:
        """EXPLICIT_ROUND_DOWN: kiln pads explicitly (pre/post padding)."""

    @padding_mode.setter
    def padding_mode(self, value: Any, /) -> None: ...

    @property
    def stride(self) -> Any:
        """TensorRT 7/8's 2-D stride (a DimsHW): stride_nd of a 2-D layer."""

    @stride.setter
    def stride(self, value: Any, /) -> None: ...

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

    @property
    def blend_factor(self) -> Any:
        """0.0: kiln has no MAX_AVERAGE_BLEND pooling."""

    @blend_factor.setter
    def blend_factor(self, value: Any, /) -> None: ...

    @property
    def padding(self) -> Any:
        """TensorRT 7/8's 2-D padding (a DimsHW): padding_nd of a 2-D layer."""

    @padding.setter
    def padding(self, value: Any, /) -> None: ...

    @property
    def padding_mode(self) -> Any:
        """EXPLICIT_ROUND_DOWN: kiln pads explicitly (pre/post padding)."""

    @padding_mode.setter
    def padding_mode(self, value: Any, /) -> None: ...

    @property
    def stride(self) -> Any:
        """TensorRT 7/8's 2-D stride (a DimsHW): stride_nd of a 2-D layer."""

    @stride.setter
    def stride(self, value: Any, /) -> None: ...

    @property
    def window_size(self) -> Any:
        """TensorRT 7/8's 2-D window_size (a DimsHW): window_size_nd of a 2-D layer."""

    @window_size.setter
    def window_size(self, value: Any, /) -> None: ...

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

    @property
    def kernel_size(self) -> Any:
        """TensorRT 7/8's 2-D kernel_size (a DimsHW): kernel_size_nd of a 2-D layer."""


    @property
    def padding(self) -> Any:
        """TensorRT 7/8's 2-D padding (a DimsHW): padding_nd of a 2-D layer."""

    @padding.setter
    def padding(self, value: Any, /) -> None: ...

    @property
    def padding_mode(self) -> Any:
        """EXPLICIT_ROUND_DOWN: kiln pads explicitly (pre/post padding)."""

    @padding_mode.setter
    def padding_mode(self, value: Any, /) -> None: ...

    @property
    def stride(self) -> Any:
        """TensorRT 7/8's 2-D stride (a DimsHW): stride_nd of a 2-D layer."""

    @stride.setter
    def stride(self, value: Any, /) -> None: ...

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

    def is_alpha_beta_int64(self) -> Any:
        ...

class Weights:
    """
    Weight values for add_constant, add_convolution_nd, add_fully_connected: a numpy array (kept alive; float64 becomes float32), or empty. Plain numpy arrays are accepted wherever Weights are.
    """

    @overload
    def __init__(self, type: DataType = DataType.FLOAT) -> None:
        """Empty weights of a type."""

    @overload
    def __init__(self, type: DataType, ptr: int, count: int) -> None:
        """
        TensorRT's Weights(type, ptr, count): `count` values at host address `ptr` (an int, e.g. array.ctypes.data), not copied: keep the memory alive until the network copied them (add_* and set_* copy at once). numpy() gives None for these.
        """

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

    def set_dimension_name(self, index: int, name: str) -> None:
        """
        Names a dimension (read back by get_dimension_name; kiln does not use the names to relate dimensions).
        """

    def get_dimension_name(self, index: int) -> object:
        """The name set_dimension_name gave, or None."""

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
    def is_shape_tensor(self) -> bool:
        """
        Whether the network uses the tensor's values as a shape (a shape input of a shuffle, slice or fill layer, or computed into one); False for execution tensors.
        """

    @property
    def is_network_input(self) -> bool: ...

    @property
    def is_network_output(self) -> bool: ...

    def __repr__(self) -> str: ...

    @property
    def allowed_formats(self) -> Any:
        """1 << TensorFormat.LINEAR: kiln's I/O tensors are row-major."""

    @allowed_formats.setter
    def allowed_formats(self, value: Any, /) -> None: ...

    @property
    def broadcast_across_batch(self) -> Any:
        """False: kiln has no implicit batch."""


    @property
    def dynamic_range(self) -> Any:
        """None: INT8 is not applicable."""


    @property
    def location(self) -> Any:
        """TensorLocation.DEVICE: the engine's device."""

    @location.setter
    def location(self, value: Any, /) -> None: ...

    def reset_dynamic_range(self) -> Any:
        ...

    def set_dynamic_range(self, min, max) -> Any:
        ...

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

    def get_layer(self, index: int) -> object:
        """
        The index-th layer as the base trt.ILayer (as in TensorRT: .type is its LayerType; `layer.__class__ = trt.IConvolutionLayer` gives the kind's properties), or None.
        """

    def __len__(self) -> int: ...

    def __getitem__(self, arg: int, /) -> object: ...

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

    def add_plugin_v3(self, inputs: Sequence[ITensor], shape_inputs: Sequence[ITensor], plugin: object) -> IPluginV3Layer:
        """
        A plugin layer: a C++ plugin (IPluginV3) or a Python kiln.PluginV3 (CPU backend). The network keeps a clone.
        """

    def add_convolution(self, input, num_output_maps, kernel_shape, kernel, bias = ...) -> Any:
        """TensorRT 7/8's 2-D add_convolution: add_convolution_nd with a DimsHW kernel shape."""

    def add_deconvolution(self, input, num_output_maps, kernel_shape, kernel, bias = ...) -> Any:
        """TensorRT 7/8's 2-D add_deconvolution: add_deconvolution_nd with a DimsHW kernel shape."""

    def add_gather_v2(self, input, indices, mode) -> Any:
        """TensorRT's add_gather_v2: add_gather with the mode (DEFAULT, ELEMENT, ND) set first."""

    def add_padding_nd(self, input, pre_padding, post_padding) -> Any:
        """Zero padding of the last len(pre_padding) dimensions (an ISliceLayer in FILL mode)."""

    def add_parametric_relu(self, input, slopes) -> Any:
        """output = input where input >= 0, else input * slopes (slopes broadcast)."""

    def add_pooling(self, input, type, window_size) -> Any:
        """TensorRT 7/8's 2-D add_pooling: add_pooling_nd with a DimsHW window."""

    def add_scale(self, input, mode, shift = ..., scale = ..., power = ...) -> Any:
        """TensorRT's add_scale: add_scale_nd with the channel axis third from the end (NCHW: 1)."""

    def add_scale_nd(self, input, mode, shift = ..., scale = ..., power = ..., channel_axis = ...) -> Any:
        """output = (input * scale + shift) ** power, built from constants and elementwise layers."""

    @property
    def builder(self) -> Any:
        ...

    @property
    def error_recorder(self) -> Any:
        """Read back; kiln reports errors through the logger"""

    @error_recorder.setter
    def error_recorder(self, value: Any, /) -> None: ...

    @property
    def flags(self) -> Any:
        ...

    def get_flag(self, flag) -> Any:
        ...

    def is_debug_tensor(self, tensor) -> Any:
        ...

    def mark_debug(self, tensor) -> Any:
        ...

    def mark_output_for_shapes(self, tensor) -> Any:
        ...

    @property
    def name(self) -> Any:
        """The network's name (read back)."""

    @name.setter
    def name(self, value: Any, /) -> None: ...

    def unmark_debug(self, tensor) -> Any:
        ...

    def unmark_output_for_shapes(self, tensor) -> Any:
        ...

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

    def query(self, key) -> Any:
        """The value of `key`'s entry, or an invalid value (tacticHash 2**64 - 1, timingMSec -1)."""

    def queryKeys(self) -> Any:
        """The keys of every entry, in the cache's order."""

    def update(self, key, value) -> Any:
        """Updates `key`'s entry: a valid timingMSec replaces its time, NaN deletes the entry."""

class AlgorithmIOInfo:
    """One input or output of a layer."""

    @property
    def name(self) -> str: ...

    @property
    def dtype(self) -> DataType: ...

    @property
    def shape(self) -> kiln.Dims:
        """The shape at the profile's opt point."""

    @property
    def components_per_element(self) -> Any:
        """1: not vectorized."""


    @property
    def strides(self) -> Any:
        """Row-major strides of the opt shape (elements)."""


    @property
    def vectorized_dim(self) -> Any:
        """-1: kiln's tensors are not vectorized."""

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

    def get_algorithm_io_info(self, index: int) -> object:
        """
        TensorRT's IAlgorithmIOInfo of the layer's index-th input, then outputs (None past the end).
        """

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

    def report_algorithms(self, contexts, choices) -> Any:
        ...

    def select_algorithms(self, context, choices) -> Any:
        ...

class IProgressMonitor:
    """
    Subclass it and define phase_start(phase_name, parent_phase, num_steps), step_complete(phase_name, step) -> bool (False cancels the build) and phase_finish(phase_name). Call IProgressMonitor.__init__(self).
    """

    def __init__(self) -> None: ...

    def phase_finish(self, phase_name) -> Any:
        ...

    def phase_start(self, phase_name, parent_phase, num_steps) -> Any:
        ...

    def step_complete(self, phase_name, step) -> Any:
        ...

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

    @property
    def extra_memory_target(self) -> Any:
        """1.0 (not applicable)."""


    def get_shape_input(self, input) -> Any:
        ...

    def set_shape_input(self, input, min, opt, max) -> Any:
        ...

class IBuilderConfig:
    """Build settings; made by Builder.create_builder_config()."""

    def set_flag(self, flag: BuilderFlag) -> None:
        """
        Sets a flag. Flags kiln does not implement (INT8, FP8, SPARSE_WEIGHTS, OBEY_PRECISION_CONSTRAINTS, ...) are remembered and logged as having no effect.
        """

    def clear_flag(self, flag: BuilderFlag) -> None: ...

    def get_flag(self, flag: BuilderFlag) -> bool: ...

    @property
    def flags(self) -> int:
        """Bitmask of 1 << int(BuilderFlag.X) (TensorRT's bit positions)."""

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
    def cpu_threads(self) -> int:
        """
        kiln: threads the build times CPU tactics with (0: the default); the engine's own come from Runtime.cpu_threads.
        """

    @cpu_threads.setter
    def cpu_threads(self, arg: int, /) -> None: ...

    @property
    def hardware_compatibility_level(self) -> HardwareCompatibilityLevel:
        """
        Which GPUs a GPU plan may run on: SAME_COMPUTE_CAPABILITY (default) or AMPERE_PLUS.
        """

    @hardware_compatibility_level.setter
    def hardware_compatibility_level(self, arg: HardwareCompatibilityLevel, /) -> None: ...

    @property
    def builder_optimization_level(self) -> int:
        """
        0 (heuristics only, fastest build) to 5 (time the most candidates); 3 by default.
        """

    @builder_optimization_level.setter
    def builder_optimization_level(self, arg: int, /) -> None: ...

    def set_tactic_sources(self, tactic_sources: int) -> bool:
        """
        Bitmask of 1 << int(TacticSource.X); returns True. EDGE_MASK_CONVOLUTIONS and JIT_CONVOLUTIONS are not applicable to kiln and ignored.
        """

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

    @property
    def DLA_core(self) -> Any:
        """Not applicable to kiln: reads -1; setting warns."""

    @DLA_core.setter
    def DLA_core(self, value: Any, /) -> None: ...

    @property
    def avg_timing_iterations(self) -> Any:
        """Read back; kiln times each candidate its own number of runs"""

    @avg_timing_iterations.setter
    def avg_timing_iterations(self, value: Any, /) -> None: ...

    def can_run_on_DLA(self, layer) -> Any:
        ...

    def clear_quantization_flag(self, flag) -> Any:
        ...

    @property
    def engine_capability(self) -> Any:
        """STANDARD; the others are not applicable."""

    @engine_capability.setter
    def engine_capability(self, value: Any, /) -> None: ...

    @property
    def error_recorder(self) -> Any:
        """Read back; kiln reports errors through the logger"""

    @error_recorder.setter
    def error_recorder(self, value: Any, /) -> None: ...

    def get_calibration_profile(self) -> Any:
        ...

    def get_device_type(self, layer) -> Any:
        ...

    def get_preview_feature(self, feature) -> Any:
        ...

    def get_quantization_flag(self, flag) -> Any:
        ...

    @property
    def int8_calibrator(self) -> Any:
        """Read back; kiln has no INT8 calibration"""

    @int8_calibrator.setter
    def int8_calibrator(self, value: Any, /) -> None: ...

    def is_device_type_set(self, layer) -> Any:
        ...

    @property
    def l2_limit_for_tiling(self) -> Any:
        """Read back; kiln has no tiling optimization"""

    @l2_limit_for_tiling.setter
    def l2_limit_for_tiling(self, value: Any, /) -> None: ...

    @property
    def max_num_tactics(self) -> Any:
        """Read back; kiln times every candidate its optimization level allows"""

    @max_num_tactics.setter
    def max_num_tactics(self, value: Any, /) -> None: ...

    @property
    def max_workspace_size(self) -> Any:
        """TensorRT 8: the WORKSPACE memory-pool limit."""

    @max_workspace_size.setter
    def max_workspace_size(self, value: Any, /) -> None: ...

    @property
    def plugins_to_serialize(self) -> Any:
        """Read back; kiln plans refer to plugins by name"""

    @plugins_to_serialize.setter
    def plugins_to_serialize(self, value: Any, /) -> None: ...

    @property
    def profile_stream(self) -> Any:
        """Read back; kiln times tactics on its own stream"""

    @profile_stream.setter
    def profile_stream(self, value: Any, /) -> None: ...

    @property
    def profiling_verbosity(self) -> Any:
        """Read back; kiln plans always carry every layer's name, tactic, precision and shapes (EngineInspector)."""

    @profiling_verbosity.setter
    def profiling_verbosity(self, value: Any, /) -> None: ...

    @property
    def quantization_flags(self) -> Any:
        """INT8 calibration flags: not applicable to kiln."""

    @quantization_flags.setter
    def quantization_flags(self, value: Any, /) -> None: ...

    @property
    def remote_auto_tuning_config(self) -> Any:
        """Read back; kiln has no remote auto-tuning"""

    @remote_auto_tuning_config.setter
    def remote_auto_tuning_config(self, value: Any, /) -> None: ...

    def reset_device_type(self, layer) -> Any:
        ...

    @property
    def runtime_platform(self) -> Any:
        """Not applicable to kiln: reads <RuntimePlatform.SAME_AS_BUILD: 0>; setting warns."""

    @runtime_platform.setter
    def runtime_platform(self, value: Any, /) -> None: ...

    def set_calibration_profile(self, profile) -> Any:
        ...

    def set_device_type(self, layer, device_type) -> Any:
        ...

    def set_preview_feature(self, feature, enable) -> Any:
        ...

    def set_quantization_flag(self, flag) -> Any:
        ...

    @property
    def tiling_optimization_level(self) -> Any:
        """Read back; kiln has no tiling optimization"""

    @tiling_optimization_level.setter
    def tiling_optimization_level(self, value: Any, /) -> None: ...

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

    @property
    def platform_has_fast_int8(self) -> bool:
        """False: kiln has no INT8 (quantized) engines."""

    @property
    def platform_has_tf32(self) -> bool:
        """
        True: BuilderFlag.TF32 is honoured (on the GPU; the CPU backend computes float32).
        """

    @property
    def error_recorder(self) -> object:
        """
        TensorRT's IErrorRecorder: every error this object raises is also reported to it (report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).
        """

    @error_recorder.setter
    def error_recorder(self, recorder: object | None) -> None: ...

    @property
    def logger(self) -> object:
        """The logger the builder was made with."""

    @property
    def max_batch_size(self) -> int:
        """
        TensorRT 7/8's implicit-batch size: stored, no effect (kiln networks have an explicit batch dimension; give it a range with an optimization profile).
        """

    @max_batch_size.setter
    def max_batch_size(self, arg: int, /) -> None: ...

    def build_cuda_engine(self, network) -> Any:
        ...

    def build_engine(self, network, config) -> Any:
        """TensorRT 8: build_serialized_network + Runtime.deserialize_cuda_engine in one call."""

    def build_engine_with_config(self, network, config) -> Any:
        """TensorRT 8: build_serialized_network + Runtime.deserialize_cuda_engine in one call."""

    def build_serialized_network_to_stream(self, network, config, writer) -> Any:
        ...

    def get_plugin_registry(self) -> Any:
        ...

    @property
    def gpu_allocator(self) -> Any:
        """Read back; kiln allocates build memory itself"""

    @gpu_allocator.setter
    def gpu_allocator(self, value: Any, /) -> None: ...

    def is_network_supported(self, network, config) -> Any:
        """Whether kiln builds `network` with `config`: a build, its plan dropped."""

    @property
    def max_DLA_batch_size(self) -> Any:
        """DLA is not applicable to kiln."""


    @property
    def max_threads(self) -> Any:
        """Read back; kiln's builder does not take a thread limit"""

    @max_threads.setter
    def max_threads(self, value: Any, /) -> None: ...

    @property
    def num_DLA_cores(self) -> Any:
        """DLA is not applicable to kiln: 0 cores."""


    def reset(self) -> Any:
        ...

class ICudaEngine:
    """
    An engine loaded from a plan: immutable, shared by its contexts. Its I/O tensors are inputs first, then outputs.
    """

    @property
    def num_io_tensors(self) -> int: ...

    @property
    def error_recorder(self) -> object:
        """
        TensorRT's IErrorRecorder: every error this object raises is also reported to it (report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).
        """

    @error_recorder.setter
    def error_recorder(self, recorder: object | None) -> None: ...

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

    def create_engine_inspector(self) -> object:
        """
        An EngineInspector describing the engine's layers (get_layer_information, get_engine_information).
        """

    def create_execution_context(self) -> IExecutionContext | None:
        """A new execution context, or None with the reason logged."""

    def __getitem__(self, key) -> Any:
        """TensorRT 8: engine[i] is binding i's name, engine["name"] its index."""

    def __iter__(self) -> Any:
        ...

    def __len__(self) -> Any:
        ...

    def binding_is_input(self, binding) -> Any:
        """TensorRT 8: whether a binding (index or name) is an input."""

    def create_execution_context_without_device_memory(self) -> Any:
        ...

    def create_runtime_config(self) -> Any:
        ...

    def create_serialization_config(self) -> Any:
        ...

    @property
    def device_memory_size_v2(self) -> Any:
        ...

    @property
    def engine_capability(self) -> Any:
        ...

    def get_binding_dtype(self, binding) -> Any:
        """TensorRT 8: the DataType of a binding (index or name), None for a bad binding."""

    def get_binding_index(self, name) -> Any:
        """TensorRT 8: the binding index of a name ("x" or "x [profile 1]"), -1 when unknown."""

    def get_binding_name(self, index) -> Any:
        """TensorRT 8: the name of a binding ("x", "x [profile 1]"), or None for a bad index."""

    def get_binding_shape(self, binding) -> Any:
        """TensorRT 8: the shape of a binding as built (-1 for dynamic dimensions)."""

    def get_device_memory_size_for_profile(self, profile_index) -> Any:
        ...

    def get_device_memory_size_for_profile_v2(self, profile_index) -> Any:
        ...

    def get_profile_shape(self, profile_index, binding) -> Any:
        """TensorRT 8: [min, opt, max] of an input binding (index or name) in a profile."""

    def get_tensor_bytes_per_component(self, name, profile_index = ...) -> Any:
        ...

    def get_tensor_components_per_element(self, name, profile_index = ...) -> Any:
        ...

    def get_tensor_format(self, name, profile_index = ...) -> Any:
        ...

    def get_tensor_format_desc(self, name, profile_index = ...) -> Any:
        ...

    def get_tensor_location(self, name) -> Any:
        ...

    def get_tensor_profile_values(self, profile_index, name) -> Any:
        ...

    def get_tensor_vectorized_dim(self, name, profile_index = ...) -> Any:
        ...

    def get_weight_streaming_automatic_budget(self) -> Any:
        ...

    @property
    def hardware_compatibility_level(self) -> Any:
        """The hardware-compatibility level the plan was built with (its header)."""


    @property
    def has_implicit_batch_dimension(self) -> Any:
        """False: kiln has no implicit batch."""


    def is_debug_tensor(self, name) -> Any:
        ...

    def is_shape_inference_io(self, name) -> Any:
        ...

    @property
    def max_batch_size(self) -> Any:
        """TensorRT 8: 1 (explicit batch)."""


    @property
    def minimum_weight_streaming_budget(self) -> Any:
        """weight streaming is not applicable to kiln."""


    @property
    def name(self) -> Any:
        """The network's name when built by build_engine in this process; "" for a deserialized plan (kiln plans do not store it)."""


    @property
    def num_bindings(self) -> Any:
        """TensorRT 8: num_io_tensors x profiles."""


    @property
    def profiling_verbosity(self) -> Any:
        ...

    @property
    def refittable(self) -> Any:
        """Built with BuilderFlag.REFIT."""


    def serialize_with_config(self, config) -> Any:
        ...

    @property
    def streamable_weights_size(self) -> Any:
        """weight streaming is not applicable to kiln: 0."""


    @property
    def weight_streaming_budget(self) -> Any:
        """Not applicable to kiln: reads -1; setting warns."""

    @weight_streaming_budget.setter
    def weight_streaming_budget(self, value: Any, /) -> None: ...

    @property
    def weight_streaming_budget_v2(self) -> Any:
        """Not applicable to kiln: reads 0; setting warns."""

    @weight_streaming_budget_v2.setter
    def weight_streaming_budget_v2(self, value: Any, /) -> None: ...

    @property
    def weight_streaming_scratch_memory_size(self) -> Any:
        """weight streaming is not applicable to kiln"""

class IExecutionContext:
    """
    Per-inference state: input shapes, tensor addresses, the active profile. Use one context per thread.
    """

    @property
    def engine(self) -> ICudaEngine:
        """The ICudaEngine."""

    @property
    def error_recorder(self) -> object:
        """
        TensorRT's IErrorRecorder: every error this object raises is also reported to it (report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).
        """

    @error_recorder.setter
    def error_recorder(self, recorder: object | None) -> None: ...

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

    @property
    def profiler(self) -> object:
        """
        An IProfiler: report_layer_time(layer_name, ms) is called for every layer after each run (None: no profiling).
        """

    @profiler.setter
    def profiler(self, profiler: object | None) -> None: ...

    @property
    def nvtx_verbosity(self) -> int:
        """
        ProfilingVerbosity of the NVTX ranges kiln emits around layers on the GPU: NONE turns them off; LAYER_NAMES_ONLY and DETAILED both name the layers.
        """

    @nvtx_verbosity.setter
    def nvtx_verbosity(self, arg: int, /) -> None: ...

    def set_cuda_graph_mode(self, enabled: bool) -> None:
        """kiln: capture the work into a CUDA graph and replay it (GPU engines)."""

    def infer(self, feeds: Mapping[str, Any], stream: int | None = None) -> dict[str, Any] | None:
        """Sets shapes, allocates outputs, runs; {output name: array}, or None with the
        reason logged (see kiln/_infer.py)."""

    @property
    def all_binding_shapes_specified(self) -> Any:
        ...

    @property
    def all_shape_inputs_specified(self) -> Any:
        """True: kiln engines have no shape-tensor inputs."""


    @property
    def debug_sync(self) -> Any:
        """Read back; build with BuilderFlag.DEBUG to synchronise after every step"""

    @debug_sync.setter
    def debug_sync(self, value: Any, /) -> None: ...

    @property
    def enqueue_emits_profile(self) -> Any:
        """Read back; kiln reports to the profiler during every run"""

    @enqueue_emits_profile.setter
    def enqueue_emits_profile(self, value: Any, /) -> None: ...

    def execute(self, batch_size = ..., bindings = ..., *args, **kwargs) -> Any:
        """TensorRT 7's implicit-batch execute: raises kiln.Error (not supported)."""

    def execute_async(self, batch_size = ..., bindings = ..., *args, **kwargs) -> Any:
        """TensorRT 7's implicit-batch execute_async: raises kiln.Error (not supported)."""

    def execute_async_v2(self, bindings, stream_handle) -> Any:
        """TensorRT 8: sets every I/O tensor's address from `bindings`, then execute_async_v3."""

    def get_binding_shape(self, binding) -> Any:
        """TensorRT 8: the shape of a binding in this context (inputs as set, outputs inferred)."""

    def get_debug_listener(self) -> Any:
        ...

    def get_debug_state(self, name) -> Any:
        ...

    def get_input_consumed_event(self) -> Any:
        ...

    def get_max_output_size(self, name) -> Any:
        """Bytes the output needs at most: its size with every input at its profile's max shape."""

    def get_output_allocator(self, tensor_name) -> Any:
        ...

    def get_runtime_config(self) -> Any:
        ...

    def get_tensor_strides(self, name) -> Any:
        ...

    def infer_shapes(self) -> Any:
        """Names of the inputs whose shape is not set yet ([] when every output shape is known)."""

    @property
    def name(self) -> Any:
        """The context's name (read back)."""

    @name.setter
    def name(self, value: Any, /) -> None: ...

    @property
    def persistent_cache_limit(self) -> Any:
        """Read back; kiln does not set aside persistent L2 cache"""

    @persistent_cache_limit.setter
    def persistent_cache_limit(self, value: Any, /) -> None: ...

    def report_to_profiler(self) -> Any:
        ...

    def set_all_tensors_debug_state(self, name, flag) -> Any:
        ...

    def set_binding_shape(self, binding, shape) -> Any:
        """TensorRT 8: set_input_shape for an input binding of the active profile."""

    def set_debug_listener(self, listener) -> Any:
        ...

    def set_device_memory(self, memory, size = ...) -> Any:
        ...

    def set_input_consumed_event(self, event) -> Any:
        ...

    def set_output_allocator(self, tensor_name, output_allocator) -> Any:
        ...

    def set_tensor_debug_state(self, name, flag) -> Any:
        ...

    @property
    def temporary_allocator(self) -> Any:
        """Read back; kiln allocates scratch memory itself"""

    @temporary_allocator.setter
    def temporary_allocator(self, value: Any, /) -> None: ...

    @property
    def unfused_tensors_debug_state(self) -> Any:
        """Not applicable to kiln: reads False; setting warns."""

    @unfused_tensors_debug_state.setter
    def unfused_tensors_debug_state(self, value: Any, /) -> None: ...

    def update_device_memory_size_for_shapes(self) -> Any:
        ...

class IProfiler:
    """
    Per-layer times: subclass it and implement report_layer_time(layer_name, ms); set it as context.profiler.
    """

    def __init__(self) -> None: ...

    def report_layer_time(self, layer_name, ms) -> Any:
        ...

class LayerInformationFormat(enum.IntEnum):
    ONELINE = 0

    JSON = 1

class EngineInspector:
    """
    Describes an engine's layers; made by ICudaEngine.create_engine_inspector().
    """

    @property
    def execution_context(self) -> object:
        """
        Accepted for TensorRT scripts: kiln's layer information does not depend on a context's shapes.
        """

    @execution_context.setter
    def execution_context(self, context: object | None) -> None: ...

    def get_layer_information(self, layer_index: int, format: LayerInformationFormat) -> object:
        """One layer's description, or None (reason logged) for a bad index."""

    def get_engine_information(self, format: LayerInformationFormat) -> str:
        """Every layer's description."""

    @property
    def error_recorder(self) -> Any:
        ...
    @error_recorder.setter
    def error_recorder(self, value: Any, /) -> None: ...

class Runtime:
    """Loads plans: TensorRT's trt.Runtime."""

    def __init__(self, logger: ILogger) -> None: ...

    @property
    def error_recorder(self) -> object:
        """
        TensorRT's IErrorRecorder: every error this object raises is also reported to it (report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).
        """

    @error_recorder.setter
    def error_recorder(self, recorder: object | None) -> None: ...

    @property
    def logger(self) -> object:
        """The logger the runtime was made with."""

    @property
    def cpu_threads(self) -> int:
        """
        kiln: threads of each CPU engine this runtime loads (0: KILN_CPU_THREADS, else one per processor; more than the processors is clamped with a warning).
        """

    @cpu_threads.setter
    def cpu_threads(self, arg: int, /) -> None: ...

    def deserialize_cuda_engine(self, serialized_engine: object) -> ICudaEngine | None:
        """
        An ICudaEngine from plan bytes (bytes, IHostMemory, anything with the buffer protocol), or None with the reason logged for a truncated, corrupted, foreign or newer-format plan.
        """

    @property
    def DLA_core(self) -> Any:
        """Not applicable to kiln: reads -1; setting warns."""

    @DLA_core.setter
    def DLA_core(self, value: Any, /) -> None: ...

    @property
    def engine_host_code_allowed(self) -> Any:
        """Read back; kiln plans never contain host code, so allowing it changes nothing."""

    @engine_host_code_allowed.setter
    def engine_host_code_allowed(self, value: Any, /) -> None: ...

    def get_plugin_registry(self) -> Any:
        ...

    @property
    def gpu_allocator(self) -> Any:
        """Read back; kiln allocates engine memory itself"""

    @gpu_allocator.setter
    def gpu_allocator(self, value: Any, /) -> None: ...

    def load_runtime(self, path) -> Any:
        ...

    @property
    def max_threads(self) -> Any:
        """Read back; kiln's runtime does not take a thread limit"""

    @max_threads.setter
    def max_threads(self, value: Any, /) -> None: ...

    @property
    def num_DLA_cores(self) -> Any:
        """DLA is not applicable to kiln: 0 cores."""


    @property
    def tempfile_control_flags(self) -> Any:
        """Read back; kiln writes no temporary files."""

    @tempfile_control_flags.setter
    def tempfile_control_flags(self, value: Any, /) -> None: ...

    @property
    def temporary_directory(self) -> Any:
        """Read back; kiln writes no temporary files."""

    @temporary_directory.setter
    def temporary_directory(self, value: Any, /) -> None: ...

class ErrorCode(enum.IntEnum):
    """OnnxParser error codes (TensorRT values)."""

    SUCCESS = 0

    INTERNAL_ERROR = 1

    MEM_ALLOC_FAILED = 2

    MODEL_DESERIALIZE_FAILED = 3

    INVALID_VALUE = 4

    INVALID_GRAPH = 5

    INVALID_NODE = 6

    UNSUPPORTED_GRAPH = 7

    UNSUPPORTED_NODE = 8

    UNSUPPORTED_NODE_ATTR = 9

    UNSUPPORTED_NODE_INPUT = 10

    UNSUPPORTED_NODE_DATATYPE = 11

    UNSUPPORTED_NODE_DYNAMIC = 12

    UNSUPPORTED_NODE_SHAPE = 13

    REFIT_FAILED = 14

class ParserError:
    """One problem OnnxParser found."""

    def code(self) -> ErrorCode: ...

    def desc(self) -> str: ...

    def node(self) -> int:
        """Index of the ONNX node, -1 when none."""

    def node_name(self) -> str: ...

    def node_operator(self) -> str: ...

    def __str__(self) -> str: ...

    def file(self) -> Any:
        ...

    def func(self) -> Any:
        ...

    def line(self) -> Any:
        ...

    def local_function_stack(self) -> Any:
        ...

    def local_function_stack_size(self) -> Any:
        ...

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

    def clear_flag(self, flag) -> Any:
        ...

    @property
    def flags(self) -> Any:
        ...

    def get_flag(self, flag) -> Any:
        ...

    def get_subgraph_nodes(self, index) -> Any:
        ...

    def get_used_vc_plugin_libraries(self) -> Any:
        ...

    def is_subgraph_supported(self, index) -> Any:
        ...

    def load_initializer(self, name, data, size) -> Any:
        ...

    def load_model_proto(self, model, path = ...) -> Any:
        ...

    @property
    def num_subgraphs(self) -> Any:
        ...

    def parse_model_proto(self, model = ..., path = ...) -> Any:
        """Parses an onnx.ModelProto (or the model load_model_proto gave)."""

    def parse_with_weight_descriptors(self, model) -> Any:
        ...

    def set_flag(self, flag) -> Any:
        ...

    def supports_model(self, model, path = ...) -> Any:
        """(True, [([node indices], True)]) when kiln parses the whole model, else (False, [([nodes
that failed], False)]): the model is parsed into a scratch network."""

    def supports_model_v2(self, model, path = ...) -> Any:
        """Whether kiln parses the whole model; the subgraph queries then describe the result."""

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

    def __init__(self, engine: object, logger: ILogger) -> None: ...

    @property
    def logger(self) -> object:
        """The logger the refitter was made with."""

    def set_named_weights(self, name: str, weights: object) -> bool:
        """
        Sets the weights the network (or ONNX file) named `name`; the values are copied. False when the name is unknown or the type or size differs.
        """

    def set_weights(self, layer_name: str, role: WeightsRole, weights: object) -> bool:
        """Sets the weights layer `layer_name` uses in `role`."""

    def get_all_weights(self) -> list[str]:
        """Every refittable weights name."""

    def get_missing_weights(self) -> list[str]:
        """
        Weights that must still be set (always empty in kiln: each refits on its own).
        """

    def get_all(self) -> tuple[list[str], list[WeightsRole]]:
        """(layer names, roles) of every layer with refittable weights."""

    def refit_cuda_engine(self) -> bool:
        """
        Writes the weights set so far into the engine; waits for running executions. False on failure (the engine is then unchanged).
        """

    def refit_cuda_engine_async(self, stream: int) -> bool:
        """refit_cuda_engine with the device copies queued on `stream`."""

    @property
    def error_recorder(self) -> Any:
        """Read back; kiln reports errors through the logger"""

    @error_recorder.setter
    def error_recorder(self, value: Any, /) -> None: ...

    def get_dynamic_range(self, tensor_name) -> Any:
        ...

    def get_missing(self) -> Any:
        ...

    def get_named_weights(self, name) -> Any:
        """The weights set_named_weights gave `name` on this refitter (empty Weights when none)."""

    def get_tensors_with_dynamic_range(self) -> Any:
        ...

    def get_weights_location(self, name) -> Any:
        ...

    @property
    def max_threads(self) -> Any:
        """Read back; kiln's refitter does not take a thread limit"""

    @max_threads.setter
    def max_threads(self, value: Any, /) -> None: ...

    def set_dynamic_range(self, tensor_name, min, max) -> Any:
        ...

    @property
    def weights_validation(self) -> Any:
        """Always on in kiln."""

    @weights_validation.setter
    def weights_validation(self, value: Any, /) -> None: ...

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

    def load_initializer(self, name, data, size) -> Any:
        ...

    def load_model_proto(self, model, path = ...) -> Any:
        ...

    def refit_model_proto(self, model = ...) -> Any:
        ...

class PluginFieldType(enum.Enum):
    FLOAT16 = 0

    FLOAT32 = 1

    FLOAT64 = 2

    INT8 = 3

    INT16 = 4

    INT32 = 5

    INT64 = 6

    CHAR = 7

    UINT8 = 8

class PluginPhase(enum.Enum):
    BUILD = 0

    RUNTIME = 1

class PluginField:
    """
    A named, typed array of values. data: bytes-like raw values of `type` (kiln.PluginField.of builds one from numpy or a str).
    """

    def __init__(self, name: str, data: object, type: PluginFieldType) -> None: ...

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> PluginFieldType: ...

    @property
    def length(self) -> int: ...

    @property
    def data(self) -> object:
        """The raw bytes (a str for CHAR fields)."""

    @property
    def size(self) -> Any:
        """Number of values."""

class IPluginV3:
    """A plugin made by a C++ creator."""

    def get_plugin_name(self) -> str: ...

    def get_plugin_version(self) -> str: ...

    @property
    def plugin_namespace(self) -> str: ...

    def get_nb_outputs(self) -> int: ...

    def get_fields_to_serialize(self) -> list[PluginField]: ...

class IPluginCreator:
    """A creator registered from C++."""

    def get_plugin_name(self) -> str: ...

    def get_plugin_version(self) -> str: ...

    @property
    def plugin_namespace(self) -> str: ...

    @property
    def field_names(self) -> list[PluginField]: ...

    def create_plugin(self, name: str, fields: Sequence[PluginField], phase: PluginPhase = PluginPhase.BUILD) -> IPluginV3: ...

    @property
    def name(self) -> Any:
        ...

    @property
    def plugin_version(self) -> Any:
        ...

class IPluginRegistry:
    """The process-wide plugin registry."""

    def register_creator(self, creator: object, plugin_namespace: str = '') -> bool:
        """
        Registers a C++ creator or a Python object with get_plugin_name, get_plugin_version and create_plugin(name, fields, phase); False when the key is taken.
        """

    def deregister_creator(self, name: str, version: str, plugin_namespace: str = '') -> bool: ...

    def get_creator(self, name: str, version: str, plugin_namespace: str = '') -> IPluginCreator: ...

    @property
    def all_creators(self) -> list[IPluginCreator]: ...

    def load_library(self, path: str) -> int:
        """The number of creators registered, or -1 (reason logged)."""

    @property
    def all_creators_recursive(self) -> Any:
        ...

    @property
    def error_recorder(self) -> Any:
        """None: kiln reports plugin errors through the logger."""

    @error_recorder.setter
    def error_recorder(self, value: Any, /) -> None: ...

    def get_plugin_creator(self, type, version, plugin_namespace = ...) -> Any:
        ...

    @property
    def parent_search_enabled(self) -> Any:
        """True: kiln has one process-wide registry."""


    @property
    def plugin_creator_list(self) -> Any:
        ...

def get_plugin_registry() -> IPluginRegistry: ...

def init_kiln_plugins(plugin_namespace: str = '') -> bool:
    """Registers kiln's built-in plugins (BiasGelu)."""

class IPluginV3Layer(ILayer):
    def get_plugin(self) -> IPluginV3: ...
