"""TensorRT add_* calls kiln builds from its own layers: add_scale / add_scale_nd,
add_parametric_relu, add_padding_nd and add_gather_v2. Each returns the last layer it adds (an
IElementWiseLayer, ISliceLayer or IGatherLayer), whose output is the result; docs/python.md lists
what differs from TensorRT's dedicated layer classes."""

from __future__ import annotations

import enum

import numpy as np

from . import _kiln


class ScaleMode(enum.IntEnum):
    """add_scale's coefficient layout: one value, one per channel, or one per element."""

    UNIFORM = 0
    CHANNEL = 1
    ELEMENTWISE = 2


def _values(weights):
    """The float values of Weights / arrays / None (None or empty: no values)."""
    if weights is None:
        return None
    if isinstance(weights, _kiln.Weights):
        weights = weights.numpy()
        if weights is None:
            return None
    array = np.asarray(weights, dtype=np.float32).reshape(-1)
    return array if array.size else None


def _fail(network, api: str, message: str):
    message = f"{api}: {message}"
    if _kiln.get_strict():
        raise _kiln.Error(message)
    builder = getattr(network, "builder", None)
    _kiln._report_failure(builder.logger if builder is not None else None, api, message)
    return None


def add_scale_nd(self, input, mode, shift=None, scale=None, power=None, channel_axis=1):
    """output = (input * scale + shift) ** power, built from constants and elementwise layers."""
    api = "add_scale_nd"
    shape = tuple(input.shape)
    rank = len(shape)
    mode = ScaleMode(int(mode))
    if not -rank <= channel_axis < rank:
        return _fail(self, api, f"channel_axis {channel_axis} is outside rank {rank}")
    channel_axis %= rank
    if mode == ScaleMode.UNIFORM:
        coeff_shape = (1,) * rank
    elif mode == ScaleMode.CHANNEL:
        coeff_shape = tuple(shape[channel_axis] if i == channel_axis else 1 for i in range(rank))
    else:
        coeff_shape = (1,) * channel_axis + shape[channel_axis:]
    if any(d < 0 for d in coeff_shape):
        return _fail(self, api, f"{mode.name} coefficients need the input's dimensions from axis "
                     f"{channel_axis} on to be known, got {shape}")
    count = int(np.prod(coeff_shape))
    out, last = input, None
    for values, op, name in ((_values(scale), _kiln.ElementWiseOperation.PROD, "scale"),
                             (_values(shift), _kiln.ElementWiseOperation.SUM, "shift"),
                             (_values(power), _kiln.ElementWiseOperation.POW, "power")):
        if values is None:
            continue
        if values.size != count:
            return _fail(self, api, f"{mode.name} mode needs {count} {name} values, got "
                         f"{values.size}")
        constant = self.add_constant(coeff_shape, values.reshape(coeff_shape))
        if constant is None:
            return None
        last = self.add_elementwise(out, constant.get_output(0), op)
        if last is None:
            return None
        out = last.get_output(0)
    return last if last is not None else self.add_identity(input)


def add_scale(self, input, mode, shift=None, scale=None, power=None):
    """TensorRT's add_scale: add_scale_nd with the channel axis third from the end (NCHW: 1)."""
    return add_scale_nd(self, input, mode, shift, scale, power, max(len(input.shape) - 3, 0))


def add_parametric_relu(self, input, slopes):
    """output = input where input >= 0, else input * slopes (slopes broadcast)."""
    rank = len(input.shape)
    zero = self.add_constant((1,) * rank, np.zeros((1,) * rank, _kiln_nptype(input.dtype)))
    if zero is None:
        return None
    positive = self.add_elementwise(input, zero.get_output(0), _kiln.ElementWiseOperation.MAX)
    negative = self.add_elementwise(input, zero.get_output(0), _kiln.ElementWiseOperation.MIN)
    if positive is None or negative is None:
        return None
    scaled = self.add_elementwise(negative.get_output(0), slopes, _kiln.ElementWiseOperation.PROD)
    if scaled is None:
        return None
    return self.add_elementwise(positive.get_output(0), scaled.get_output(0),
                                _kiln.ElementWiseOperation.SUM)


def _kiln_nptype(dtype):
    from ._helpers import nptype

    return nptype(dtype)


def add_padding_nd(self, input, pre_padding, post_padding):
    """Zero padding of the last len(pre_padding) dimensions (an ISliceLayer in FILL mode)."""
    api = "add_padding_nd"
    shape = tuple(input.shape)
    pre, post = tuple(int(p) for p in pre_padding), tuple(int(p) for p in post_padding)
    if len(pre) != len(post) or len(pre) > len(shape):
        return _fail(self, api, f"pre_padding {pre} and post_padding {post} must have the same "
                     f"length, at most the input's rank {len(shape)}")
    if any(d < 0 for d in shape):
        return _fail(self, api, f"the input's shape {shape} has run-time dimensions; pad with "
                     "add_slice in SampleMode.FILL and a shape tensor (ISliceLayer.set_input(2, "
                     "...)) instead")
    lead = len(shape) - len(pre)
    start = (0,) * lead + tuple(-p for p in pre)
    size = shape[:lead] + tuple(d + a + b for d, a, b in zip(shape[lead:], pre, post))
    if any(d < 0 for d in size):
        return _fail(self, api, f"padding {pre}/{post} leaves a negative size {size}")
    layer = self.add_slice(input, (0,) * len(shape), shape, (1,) * len(shape))
    if layer is None:
        return None
    layer.mode = _kiln.SampleMode.FILL
    layer.fill_value = 0.0
    layer.start = start
    layer.shape = size
    return layer


def add_gather_v2(self, input, indices, mode):
    """TensorRT's add_gather_v2: add_gather with the mode (DEFAULT, ELEMENT, ND) set first."""
    layer = self.add_gather(input, indices, 0)
    if layer is not None:
        layer.mode = mode
    return layer


def _shape_outputs(self, tensor):
    return bool(_fail(self, "mark_output_for_shapes", "kiln engines have no shape-tensor "
                      "outputs; mark_output the tensor and read its values"))


def install(kiln) -> None:
    network = kiln.INetworkDefinition
    network.add_scale = add_scale
    network.add_scale_nd = add_scale_nd
    network.add_parametric_relu = add_parametric_relu
    network.add_padding_nd = add_padding_nd
    network.add_gather_v2 = add_gather_v2
    network.mark_output_for_shapes = _shape_outputs
    network.unmark_output_for_shapes = lambda self, tensor: False
    kiln.IFillLayer.is_alpha_beta_int64 = lambda self: False  # kiln's alpha/beta are floats
    kiln.PluginField.size = property(lambda self: self.length, doc="Number of values.")
    kiln.IPluginRegistry.parent_search_enabled = property(
        lambda self: True, doc="True: kiln has one process-wide registry.")
    kiln.IPluginRegistry.error_recorder = property(
        lambda self: None, lambda self, recorder: _warn_unused_recorder(),
        doc="None: kiln reports plugin errors through the logger.")
    kiln.IPoolingLayer.blend_factor = property(
        lambda self: 0.0, lambda self, value: _no_blend(),
        doc="0.0: kiln has no MAX_AVERAGE_BLEND pooling.")


def _warn_unused_recorder() -> None:
    import warnings

    warnings.warn("IPluginRegistry.error_recorder: kiln reports plugin errors through the "
                  "logger; the recorder is not used", RuntimeWarning, stacklevel=3)


def _no_blend() -> None:
    raise _kiln.Error("IPoolingLayer.blend_factor: kiln has no MAX_AVERAGE_BLEND pooling; use "
                      "PoolingType.MAX or AVERAGE")
