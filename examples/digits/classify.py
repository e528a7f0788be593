"""kiln's main job on a real model: classify handwritten digits with trained weights.

Builds the digits MLP (trained by examples/digits/train.py, weights in digits_weights.npz) with
kiln's TensorRT-style Python network API, builds an engine for batches of 1..BATCH images (on the
GPU when one is usable, else on the CPU backend), saves and reloads the plan, runs the held-out test
images through it in batches, and prints the accuracy and the latency per batch.

    PYTHONPATH=build/python python3 examples/digits/classify.py --device=auto

The images are scikit-learn's bundled digits dataset (load_digits), so nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

import numpy as np

import kiln as trt

HERE = pathlib.Path(__file__).resolve().parent
WEIGHTS = HERE / "digits_weights.npz"


def load_weights(path=WEIGHTS):
    """The trained parameters (float16 on disk, widened to float32) and the test split."""
    with np.load(path) as f:
        params = {k: f[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2")}
        return params, f["test_indices"].astype(np.int64), float(f["pixel_scale"])


def define_network(network, params):
    """image [-1,1,8,8] -> flatten -> matmul+bias -> ReLU -> matmul+bias -> softmax -> top-1.

    Outputs "prob" [-1,10] (class probabilities) and "class" [-1,1] (int32, the most likely digit).
    """
    hidden = params["w1"].shape[1]
    image = network.add_input("image", trt.float32, (-1, 1, 8, 8))

    flatten = network.add_shuffle(image)
    flatten.reshape_dims = (0, 64)  # 0: keep the batch dimension
    flatten.name = "flatten"

    def dense(x, w, b, name):
        wc = network.add_constant(w.shape, w)
        wc.name = f"{name}.weight"
        bc = network.add_constant((1, b.shape[0]), b.reshape(1, -1))
        bc.name = f"{name}.bias"
        mm = network.add_matrix_multiply(x, trt.MatrixOperation.NONE, wc.get_output(0),
                                         trt.MatrixOperation.NONE)
        mm.name = f"{name}.matmul"
        add = network.add_elementwise(mm.get_output(0), bc.get_output(0),
                                      trt.ElementWiseOperation.SUM)
        add.name = f"{name}.add_bias"
        return add.get_output(0)

    h = dense(flatten.get_output(0), params["w1"], params["b1"], "fc1")
    relu = network.add_activation(h, trt.ActivationType.RELU)
    relu.name = "fc1.relu"
    logits = dense(relu.get_output(0), params["w2"], params["b2"], "fc2")

    softmax = network.add_softmax(logits)
    softmax.axes = 1 << 1
    softmax.name = "softmax"
    prob = softmax.get_output(0)
    prob.name = "prob"
    network.mark_output(prob)

    top1 = network.add_topk(prob, trt.TopKOperation.MAX, 1, 1 << 1)
    top1.name = "top1"
    cls = top1.get_output(1)
    cls.name = "class"
    network.mark_output(cls)
    assert hidden == params["b1"].shape[0]


def build_engine(logger, params, device: str, max_batch: int):
    """Builds, saves and reloads the engine; returns it (None if the build failed)."""
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    define_network(network, params)
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, 1 << 28)
    # GPU for auto and gpu: without a usable GPU, kiln builds for its CPU backend (with a warning),
    # and the engine's device_type says which one it got.
    config.default_device_type = trt.DeviceType.CPU if device == "cpu" else trt.DeviceType.GPU
    profile = builder.create_optimization_profile()
    profile.set_shape("image", (1, 1, 8, 8), (max_batch, 1, 8, 8), (max_batch, 1, 8, 8))
    config.add_optimization_profile(profile)
    t0 = time.perf_counter()
    plan = builder.build_serialized_network(network, config)
    build_ms = (time.perf_counter() - t0) * 1e3
    if plan is None:
        return None, None
    print(f"network: {network.num_layers} layers; build: {build_ms:.1f} ms, plan {len(plan)} bytes")
    with tempfile.TemporaryDirectory() as tmp:  # save and load as a deployment would
        path = os.path.join(tmp, "digits.plan")
        with open(path, "wb") as f:
            f.write(plan)
        with open(path, "rb") as f:
            engine = trt.Runtime(logger).deserialize_cuda_engine(f.read())
    return engine, build_ms


def to_host(array):
    """An output of context.infer as a numpy array (CPU engines return numpy already; GPU engines
    return torch CUDA tensors or kiln.DeviceArray)."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "cpu"):  # torch
        return array.cpu().numpy()
    return array.numpy()  # kiln.DeviceArray


def classify(images, context, batch: int, repeats: int):
    """Runs images [N,1,8,8] through the engine in batches of `batch` (the last may be smaller).

    Returns (predicted classes [N], probabilities [N,10], per-batch latencies in ms). A latency is
    host to host: the inputs' copy to the device and the outputs' copy back are included on the
    GPU. Each batch runs `repeats` times; the predictions of the last run are kept.
    """
    classes, probs, latencies = [], [], []
    for start in range(0, len(images), batch):
        x = images[start:start + batch]
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = context.infer({"image": x})
            if out is None:
                raise RuntimeError(f"inference failed: {trt.get_last_error()}")
            cls = to_host(out["class"])
            prob = to_host(out["prob"])
            latencies.append((time.perf_counter() - t0) * 1e3)
        classes.append(cls.reshape(-1))
        probs.append(prob)
    return np.concatenate(classes), np.concatenate(probs), np.array(latencies)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    ap.add_argument("--batch", type=int, default=32, help="images per batch (default 32)")
    ap.add_argument("--repeats", type=int, default=20,
                    help="times each batch runs, for the latency statistics (default 20)")
    ap.add_argument("--weights", default=str(WEIGHTS))
    args = ap.parse_args(argv)
    if args.batch < 1 or args.repeats < 1:
        ap.error("--batch and --repeats must be at least 1")

    from sklearn.datasets import load_digits

    params, test_idx, scale = load_weights(args.weights)
    digits = load_digits()
    images = (digits.images[test_idx] * scale).astype(np.float32).reshape(-1, 1, 8, 8)
    labels = digits.target[test_idx]
    print(f"digits: {len(images)} held-out 8x8 images (scikit-learn's load_digits), "
          f"weights {pathlib.Path(args.weights).name}")

    logger = trt.Logger(trt.Logger.WARNING)
    engine, _ = build_engine(logger, params, args.device, args.batch)
    if engine is None:
        print(f"error: the engine did not build: {trt.get_last_error()}", file=sys.stderr)
        raise SystemExit(1)
    on = "CPU" if engine.device_type == trt.DeviceType.CPU else "GPU"
    if args.device == "gpu" and on != "GPU":
        print("error: --device=gpu, but no usable GPU (kiln built a CPU engine); "
              "use --device=auto or --device=cpu", file=sys.stderr)
        raise SystemExit(1)
    print(f"engine: {on} backend, {engine.num_layers} steps")

    context = engine.create_execution_context()
    context.infer({"image": images[:args.batch]})  # warm-up
    predicted, prob, ms = classify(images, context, args.batch, args.repeats)
    correct = int((predicted == labels).sum())
    accuracy = correct / len(labels)
    n_batches = -(-len(images) // args.batch)
    print(f"accuracy: {accuracy:.2%} ({correct}/{len(labels)} correct; chance is 10%)")
    print(f"latency per batch of {args.batch} on the {on}: median {np.median(ms):.3f} ms, "
          f"p90 {np.percentile(ms, 90):.3f} ms ({n_batches} batches x {args.repeats} runs, "
          f"host to host), {args.batch / np.median(ms) * 1e3:,.0f} images/s")
    for i in range(min(5, len(images))):
        print(f"  test image {i}: label {labels[i]} -> predicted {predicted[i]} "
              f"(p = {prob[i, predicted[i]]:.3f})")
    return {"device": on, "accuracy": accuracy, "predicted": predicted, "labels": labels,
            "prob": prob, "latency_ms": ms}


if __name__ == "__main__":
    main()
