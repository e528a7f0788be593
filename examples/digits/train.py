"""Trains the digits classifier that examples/digits/classify.py runs on kiln.

The data is scikit-learn's bundled copy of the UCI handwritten digits (load_digits: 1797 grayscale
8x8 images, pixel values 0..16, ten classes); it ships inside the scikit-learn wheel, so nothing is
downloaded. The model is a two-layer perceptron, 64 -> 64 (ReLU) -> 10, trained here with numpy
alone: softmax cross-entropy, mini-batch Adam, a fixed seed, on 80% of the images. The other 20%
(the test split) are never seen in training; their indices are saved with the weights so that
classify.py measures accuracy on exactly those images.

    python3 examples/digits/train.py            # writes examples/digits/digits_weights.npz

The weights file is float16 (about 10 KB); classify.py widens it to float32.
"""

from __future__ import annotations

import argparse
import pathlib

import numpy as np
from sklearn.datasets import load_digits

HERE = pathlib.Path(__file__).resolve().parent
SEED = 0
TEST_FRACTION = 0.2
HIDDEN = 64
PIXEL_SCALE = 1.0 / 16.0  # load_digits pixels are 0..16


def split(n: int, seed: int = SEED, test_fraction: float = TEST_FRACTION):
    """A fixed random train/test split of n samples: (train indices, test indices)."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def forward(x, w1, b1, w2, b2):
    """Logits and the hidden activation of the MLP (x: [N, 64] scaled pixels)."""
    h = np.maximum(x @ w1 + b1, 0.0)
    return h @ w2 + b2, h


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def train(x, y, epochs: int, batch: int, lr: float, weight_decay: float, seed: int = SEED):
    rng = np.random.default_rng(seed)
    n, d = x.shape
    # He initialisation for the ReLU layer, Glorot for the output layer.
    params = {
        "w1": rng.normal(0.0, np.sqrt(2.0 / d), (d, HIDDEN)),
        "b1": np.zeros(HIDDEN),
        "w2": rng.normal(0.0, np.sqrt(1.0 / HIDDEN), (HIDDEN, 10)),
        "b2": np.zeros(10),
    }
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    beta1, beta2, eps, step = 0.9, 0.999, 1e-8, 0
    onehot = np.eye(10)[y]
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb, tb = x[idx], onehot[idx]
            logits, h = forward(xb, params["w1"], params["b1"], params["w2"], params["b2"])
            dz = (softmax(logits) - tb) / len(idx)  # d(mean cross-entropy)/d(logits)
            dh = (dz @ params["w2"].T) * (h > 0)
            grads = {
                "w2": h.T @ dz + weight_decay * params["w2"],
                "b2": dz.sum(axis=0),
                "w1": xb.T @ dh + weight_decay * params["w1"],
                "b1": dh.sum(axis=0),
            }
            step += 1
            for k in params:
                m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
                v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
                m_hat = m[k] / (1 - beta1 ** step)
                v_hat = v[k] / (1 - beta2 ** step)
                params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps)
        if (epoch + 1) % 20 == 0 or epoch == 0:
            logits, _ = forward(x, params["w1"], params["b1"], params["w2"], params["b2"])
            p = softmax(logits)
            loss = -np.mean(np.log(p[np.arange(n), y] + 1e-12))
            acc = np.mean(p.argmax(axis=1) == y)
            print(f"epoch {epoch + 1:3d}: train loss {loss:.4f}, train accuracy {acc:.2%}")
    return params


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE / "digits_weights.npz"))
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    args = ap.parse_args(argv)

    digits = load_digits()
    x = digits.data.astype(np.float64) * PIXEL_SCALE  # [1797, 64]
    y = digits.target.astype(np.int64)
    train_idx, test_idx = split(len(x))
    print(f"digits: {len(x)} images 8x8, {len(train_idx)} for training, {len(test_idx)} held out")
    params = train(x[train_idx], y[train_idx], args.epochs, args.batch, args.lr, args.weight_decay)

    # What the saved (float16) weights score on the held-out images, computed with numpy: the
    # reference classify.py's kiln result is compared with.
    stored = {k: p.astype(np.float16) for k, p in params.items()}
    widened = {k: p.astype(np.float32) for k, p in stored.items()}
    logits, _ = forward(x[test_idx].astype(np.float32), widened["w1"], widened["b1"], widened["w2"],
                        widened["b2"])
    test_acc = np.mean(logits.argmax(axis=1) == y[test_idx])
    print(f"test accuracy (numpy, float16 weights): {test_acc:.2%} on {len(test_idx)} images")

    np.savez_compressed(args.out, **stored, test_indices=test_idx.astype(np.int16),
                        pixel_scale=np.float32(PIXEL_SCALE), seed=np.int64(SEED))
    print(f"wrote {args.out} ({pathlib.Path(args.out).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
