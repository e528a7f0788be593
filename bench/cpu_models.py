"""The CPU benchmark's models, written with onnx.helper (random weights from fixed seeds, no
downloads): what bench/cpu_compare.py times kiln and onnxruntime on.

Each maker returns an onnx.ModelProto with one float32 input (dynamic batch, named "x") and one
output ("y"), at opset 17, the way PyTorch exports them (Conv with bias and folded batch norm,
erf-GELU written out, LayerNormalization, attention as MatMul/Div/Softmax/MatMul with a
Reshape/Transpose head split).
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class _Graph:
    """Collects nodes and initializers; names every value uniquely."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.count = 0

    def name(self, base: str) -> str:
        self.count += 1
        return f"{base}_{self.count}"

    def const(self, array, base="w") -> str:
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def weight(self, shape, fan_in) -> str:
        return self.const(self.rng.standard_normal(shape).astype(np.float32) / np.sqrt(fan_in))

    def op(self, kind, inputs, base=None, **attrs) -> str:
        out = self.name(base or kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def model(self, name, x_shape, y_name, y_rank) -> onnx.ModelProto:
        self.nodes.append(helper.make_node("Identity", [y_name], ["y"], name="output"))
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", *x_shape[1:]])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch"] + [None] * (y_rank - 1))
        graph = helper.make_graph(self.nodes, name, [x], [y], self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        m.ir_version = 8
        onnx.checker.check_model(m)
        return m

    # --- convolutional pieces
    def conv(self, x, cin, cout, k, stride=1, relu=True, groups=1) -> str:
        w = self.weight((cout, cin // groups, k, k), cin // groups * k * k / 2)
        b = self.const(self.rng.standard_normal(cout).astype(np.float32) * 0.05, "b")
        y = self.op("Conv", [x, w, b], kernel_shape=[k, k], strides=[stride, stride],
                    pads=[k // 2] * 4, group=groups)
        return self.op("Relu", [y]) if relu else y

    # --- transformer pieces
    def linear(self, x, din, dout) -> str:
        y = self.op("MatMul", [x, self.weight((din, dout), din)])
        return self.op("Add", [y, self.const(np.zeros(dout, np.float32) + 0.01, "b")])

    def layer_norm(self, x, width) -> str:
        return self.op("LayerNormalization",
                       [x, self.const(np.ones(width, np.float32), "g"),
                        self.const(np.zeros(width, np.float32), "b")], axis=-1, epsilon=1e-5)

    def gelu(self, x) -> str:
        e = self.op("Erf", [self.op("Div", [x, self.const(np.float32(np.sqrt(2.0)), "c")])])
        h = self.op("Add", [e, self.const(np.float32(1.0), "c")])
        return self.op("Mul", [self.op("Mul", [x, h]), self.const(np.float32(0.5), "c")])

    def encoder_layer(self, x, width, heads, ffn) -> str:
        d = width // heads
        split = self.const(np.array([0, 0, heads, d], np.int64), "shape")

        def heads_of(t, perm):
            return self.op("Transpose", [self.op("Reshape", [t, split])], perm=perm)

        q = heads_of(self.linear(x, width, width), [0, 2, 1, 3])
        k = heads_of(self.linear(x, width, width), [0, 2, 3, 1])
        v = heads_of(self.linear(x, width, width), [0, 2, 1, 3])
        s = self.op("Div", [self.op("MatMul", [q, k]), self.const(np.float32(np.sqrt(d)), "c")])
        p = self.op("Softmax", [s], axis=-1)
        o = self.op("Transpose", [self.op("MatMul", [p, v])], perm=[0, 2, 1, 3])
        o = self.op("Reshape", [o, self.const(np.array([0, 0, width], np.int64), "shape")])
        x = self.layer_norm(self.op("Add", [x, self.linear(o, width, width)]), width)
        h = self.linear(self.gelu(self.linear(x, width, ffn)), ffn, width)
        return self.layer_norm(self.op("Add", [x, h]), width)


def residual_cnn(channels=64, size=56, blocks=4) -> tuple[onnx.ModelProto, tuple]:
    """8 3x3 convolutions (4 residual blocks) at channels x size x size, as in the issue."""
    g = _Graph(1)
    x = "x"
    for _ in range(blocks):
        h = g.conv(g.conv(x, channels, channels, 3), channels, channels, 3, relu=False)
        x = g.op("Relu", [g.op("Add", [h, x])])
    return g.model("residual_cnn", (1, channels, size, size), x, 4), (channels, size, size)


def mnist_cnn() -> tuple[onnx.ModelProto, tuple]:
    """conv5x5-32, pool, conv5x5-64, pool, FC 1024, FC 10 (examples/mnist's network)."""
    g = _Graph(2)
    x = g.op("MaxPool", [g.conv("x", 1, 32, 5)], kernel_shape=[2, 2], strides=[2, 2])
    x = g.op("MaxPool", [g.conv(x, 32, 64, 5)], kernel_shape=[2, 2], strides=[2, 2])
    x = g.op("Flatten", [x], axis=1)
    x = g.op("Relu", [g.op("Gemm", [x, g.weight((64 * 7 * 7, 1024), 3136),
                                    g.const(np.zeros(1024, np.float32), "b")])])
    x = g.op("Gemm", [x, g.weight((1024, 10), 1024), g.const(np.zeros(10, np.float32), "b")])
    return g.model("mnist_cnn", (1, 1, 28, 28), g.op("Softmax", [x], axis=1), 2), (1, 28, 28)


def resnet50(size=224) -> tuple[onnx.ModelProto, tuple]:
    """ResNet-50's layers (batch norm folded into the convolutions' biases, as exporters do)."""
    g = _Graph(3)
    x = g.op("MaxPool", [g.conv("x", 3, 64, 7, stride=2)], kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 1, 1])
    cin = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for i in range(blocks):
            s = stride if i == 0 else 1
            h = g.conv(x, cin, width, 1)
            h = g.conv(h, width, width, 3, stride=s)
            h = g.conv(h, width, width * 4, 1, relu=False)
            skip = g.conv(x, cin, width * 4, 1, stride=s, relu=False) if i == 0 else x
            x = g.op("Relu", [g.op("Add", [h, skip])])
            cin = width * 4
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    x = g.op("Gemm", [x, g.weight((2048, 1000), 2048), g.const(np.zeros(1000, np.float32), "b")])
    return g.model("resnet50", (1, 3, size, size), x, 2), (3, size, size)


def encoder(layers=2, width=256, heads=4, ffn=1024, seq=64, seed=4,
            name="encoder") -> tuple[onnx.ModelProto, tuple]:
    """A stack of post-LN transformer encoder layers on [batch, seq, width] embeddings."""
    g = _Graph(seed)
    x = "x"
    for _ in range(layers):
        x = g.encoder_layer(x, width, heads, ffn)
    return g.model(name, (1, seq, width), x, 3), (seq, width)


def bert_base(seq=128) -> tuple[onnx.ModelProto, tuple]:
    """BERT-base's encoder: 12 layers, width 768, 12 heads, FFN 3072."""
    return encoder(12, 768, 12, 3072, seq, seed=5, name="bert_base")


MODELS = {
    "residual_cnn": residual_cnn,
    "encoder": encoder,
    "mnist_cnn": mnist_cnn,
    "resnet50": resnet50,
    "bert_base": bert_base,
}
