"""The layers added after the first release, through the Python API, checked with numpy."""

import numpy as np

import kiln as trt
from conftest import build_cpu, load, run


def build_and_run(logger, network, feeds):
    plan = build_cpu(trt.Builder(logger), network)
    assert plan is not None, logger.errors()
    return run(load(logger, plan), feeds)


def mark(network, tensor, name):
    tensor.name = name
    network.mark_output(tensor)


def test_resize_shape_cumulative_fill(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (1, 1, 2, 3))
    resize = network.add_resize(x)
    resize.scales = [1, 1, 2, 2]
    assert resize.scales == [1, 1, 2, 2] and resize.shape is None
    assert resize.resize_mode == trt.InterpolationMode.NEAREST
    mark(network, resize.get_output(0), "resized")
    mark(network, network.add_shape(x).get_output(0), "shape")
    cum = network.add_cumulative(x, 3, trt.CumulativeOperation.SUM, False, False)
    mark(network, cum.get_output(0), "cumsum")
    fill = network.add_fill((4,), trt.FillOperation.LINSPACE, trt.float32)
    fill.alpha, fill.beta = 1.0, 0.5
    mark(network, fill.get_output(0), "range")
    xs = np.arange(6, dtype=np.float32).reshape(1, 1, 2, 3)
    out = build_and_run(logger, network, {"x": xs})
    np.testing.assert_array_equal(out["resized"], xs.repeat(2, 2).repeat(2, 3))
    np.testing.assert_array_equal(out["shape"], [1, 1, 2, 3])
    assert out["shape"].dtype == np.int64
    np.testing.assert_array_equal(out["cumsum"], np.cumsum(xs, 3))
    np.testing.assert_array_equal(out["range"], [1, 1.5, 2, 2.5])


def test_slice_wrap_gather_elements_one_hot_scatter(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (2, 3))
    # kiln checks the bounds when the slice is added, so the mode comes before the larger size
    # (TensorRT would also accept add_slice(x, (0, 0), (2, 6), ...) followed by the mode).
    tile = network.add_slice(x, (0, 0), (2, 3), (1, 1))
    tile.mode = trt.SampleMode.WRAP
    tile.shape = (2, 6)
    assert tile.mode == trt.SampleMode.WRAP and tile.shape == (2, 6)
    mark(network, tile.get_output(0), "tiled")
    idx = network.add_constant((2, 3), np.array([[2, 1, 0], [0, 0, 1]], np.int32)).get_output(0)
    gather = network.add_gather(x, idx, 1)
    gather.mode = trt.GatherMode.ELEMENT
    mark(network, gather.get_output(0), "gathered")
    classes = network.add_constant((3,), np.array([0, 2, 1], np.int32)).get_output(0)
    values = network.add_constant((2,), np.array([0, 1], np.float32)).get_output(0)
    mark(network, network.add_one_hot(classes, values, 3, -1).get_output(0), "one_hot")
    updates = network.add_constant((2, 1), np.array([[10], [20]], np.float32)).get_output(0)
    where = network.add_constant((2, 1), np.array([[1], [2]], np.int32)).get_output(0)
    scatter = network.add_scatter(x, where, updates, trt.ScatterMode.ELEMENT)
    scatter.axis = 1
    mark(network, scatter.get_output(0), "scattered")
    xs = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = build_and_run(logger, network, {"x": xs})
    np.testing.assert_array_equal(out["tiled"], np.tile(xs, (1, 2)))
    np.testing.assert_array_equal(out["gathered"], np.take_along_axis(xs, np.array([[2, 1, 0], [0, 0, 1]]), 1))
    np.testing.assert_array_equal(out["one_hot"], np.eye(3, dtype=np.float32)[[0, 2, 1]])
    ref = xs.copy()
    ref[0, 1], ref[1, 2] = 10, 20
    np.testing.assert_array_equal(out["scattered"], ref)


def test_deconvolution_and_lrn(logger):
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    x = network.add_input("x", trt.float32, (1, 1, 2, 2))
    kernel = np.ones((1, 1, 2, 2), np.float32)
    deconv = network.add_deconvolution_nd(x, 1, (2, 2), kernel, None)
    deconv.stride_nd = (2, 2)
    assert deconv.get_output(0).shape == (1, 1, 4, 4)
    mark(network, deconv.get_output(0), "up")
    lrn = network.add_lrn(x, 1, 1.0, 1.0, 1.0)
    assert lrn.window_size == 1
    mark(network, lrn.get_output(0), "lrn")
    xs = np.array([[[[1, 2], [3, 4]]]], np.float32)
    out = build_and_run(logger, network, {"x": xs})
    np.testing.assert_array_equal(out["up"], xs.repeat(2, 2).repeat(2, 3))
    np.testing.assert_allclose(out["lrn"], xs / (1 + xs ** 2), rtol=1e-6)
