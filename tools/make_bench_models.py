"""Write the small ONNX models that QualityHub's benchmark and tests load.

Why: the engine benchmark needs a model of realistic shape that the C# engine and the
onnxruntime-node reference run on the same machine, and the Inference tests need tiny models whose
outputs a test can compute by hand. Generating them from a script with fixed seeds keeps the committed
.onnx files reproducible and reviewable.

Run from anywhere with Debian's python3 (it has python3-onnx and python3-numpy):

    /usr/bin/python3 tools/make_bench_models.py

Writes (paths relative to the repository root):
  data/bench/cnn-fashion-sized.onnx                      random-weight CNN, benchmark only
  tests/QualityHub.Inference.Tests/Models/tiny-classifier.onnx
  tests/QualityHub.Inference.Tests/Models/tiny-ctc.onnx
What each computes is written in the docstring of its builder below and in tools/README.md.
"""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parent.parent
OPSET = 17
IR_VERSION = 8  # ORT 1.30 reads it; newer IR versions add nothing these graphs use
PRODUCER = "qualityhub-tools"
FLOAT = TensorProto.FLOAT


def _model(graph, **fields):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name=PRODUCER,
    )
    model.ir_version = IR_VERSION
    metadata = fields.pop("metadata", {})
    for key, value in fields.items():
        setattr(model, key, value)
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    return model


def _const(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def cnn_fashion_sized():
    """A Fashion-MNIST-shaped classifier with random He-scaled weights (seed 20261122).

    pixels [batch,1,28,28] -> Conv 3x3, 16 ch, pad 1 -> Relu -> MaxPool 2 -> [batch,16,14,14]
    -> Conv 3x3, 32 ch, pad 1 -> Relu -> MaxPool 2 -> [batch,32,7,7] -> Flatten [batch,1568]
    -> Gemm 128 -> Relu -> Gemm 10 -> logits [batch,10]. Biases are zero. Its outputs mean nothing.
    """
    rng = np.random.default_rng(20261122)

    def he(shape, fan_in):
        return rng.standard_normal(shape).astype(np.float32) * np.float32(np.sqrt(2.0 / fan_in))

    inits = [
        _const("conv1.w", he((16, 1, 3, 3), 1 * 9)),
        _const("conv1.b", np.zeros(16)),
        _const("conv2.w", he((32, 16, 3, 3), 16 * 9)),
        _const("conv2.b", np.zeros(32)),
        _const("fc1.w", he((128, 32 * 7 * 7), 32 * 7 * 7)),
        _const("fc1.b", np.zeros(128)),
        _const("fc2.w", he((10, 128), 128)),
        _const("fc2.b", np.zeros(10)),
    ]
    conv = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    pool = dict(kernel_shape=[2, 2], strides=[2, 2])
    nodes = [
        helper.make_node("Conv", ["pixels", "conv1.w", "conv1.b"], ["c1"], **conv),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], **pool),
        helper.make_node("Conv", ["p1", "conv2.w", "conv2.b"], ["c2"], **conv),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("MaxPool", ["r2"], ["p2"], **pool),
        helper.make_node("Flatten", ["p2"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "fc1.w", "fc1.b"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["hr"]),
        helper.make_node("Gemm", ["hr", "fc2.w", "fc2.b"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "cnn_fashion_sized",
        [helper.make_tensor_value_info("pixels", FLOAT, ["batch", 1, 28, 28])],
        [helper.make_tensor_value_info("logits", FLOAT, ["batch", 10])],
        initializer=inits,
    )
    return _model(
        graph,
        doc_string="Benchmark model: Fashion-MNIST-sized CNN with random weights, not a trained classifier",
        metadata={"qualityhub.purpose": "benchmark only: random weights, not a trained classifier"},
    )


# tiny-classifier: logits = pixels @ W + b, so for x = [x0,x1,x2,x3]:
#   logits = [x0 + x3 + 0.5, x1 + x3, x2 + x3 - 0.5]   (labels cat, dog, bird)
CLASSIFIER_W = [[1, 0, 0],
                [0, 1, 0],
                [0, 0, 1],
                [1, 1, 1]]
CLASSIFIER_B = [0.5, 0.0, -0.5]


def tiny_classifier():
    """pixels float [batch,4] -> MatMul W (4x3) -> Add b (3) -> logits float [batch,3]."""
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["pixels", "W"], ["scores"]),
            helper.make_node("Add", ["scores", "b"], ["logits"]),
        ],
        "tiny_classifier",
        [helper.make_tensor_value_info("pixels", FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("logits", FLOAT, ["batch", 3])],
        initializer=[_const("W", CLASSIFIER_W), _const("b", CLASSIFIER_B)],
    )
    return _model(
        graph,
        doc_string="Hand-made 4→3 linear classifier for QualityHub's tests",
        model_version=3,
        metadata={"labels": "cat,dog,bird"},
    )


# tiny-ctc: logits[b,t,c] = image[b,0,0,t] * CTC_W[c] + CTC_B[c], t = 0..7, c = 0..4 (0 = blank).
# These numbers are score_c(x) = -(x - c)^2 with the class-independent -x^2 dropped, so argmax over c
# is the class nearest to x: a pixel value of k (k = 0..4) in row 0 at column t decodes as class k at
# step t, and value 0 is the blank.
CTC_W = [0.0, 2.0, 4.0, 6.0, 8.0]
CTC_B = [0.0, -1.0, -4.0, -9.0, -16.0]


def tiny_ctc():
    """image float [batch,1,4,8] -> row 0 of channel 0 as 8 time steps -> logits float [batch,8,5].

    Slice keeps image[:, 0:1, 0:1, :] ([batch,1,1,8]); Reshape to [batch,8,1] (shape [-1,8,1]);
    MatMul with CTC_W as a 1x5 row gives [batch,8,5]; Add CTC_B. Rows 1..3 of the image are ignored.
    """
    graph = helper.make_graph(
        [
            helper.make_node("Slice", ["image", "starts", "ends", "axes"], ["row0"]),
            helper.make_node("Reshape", ["row0", "steps_shape"], ["steps"]),
            helper.make_node("MatMul", ["steps", "W"], ["scores"]),
            helper.make_node("Add", ["scores", "b"], ["logits"]),
        ],
        "tiny_ctc",
        [helper.make_tensor_value_info("image", FLOAT, ["batch", 1, 4, 8])],
        [helper.make_tensor_value_info("logits", FLOAT, ["batch", 8, 5])],
        initializer=[
            numpy_helper.from_array(np.array([0, 0], dtype=np.int64), "starts"),
            numpy_helper.from_array(np.array([1, 1], dtype=np.int64), "ends"),
            numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes"),
            numpy_helper.from_array(np.array([-1, 8, 1], dtype=np.int64), "steps_shape"),
            _const("W", [CTC_W]),
            _const("b", CTC_B),
        ],
    )
    return _model(
        graph,
        doc_string="Hand-made CTC-shaped model for QualityHub's tests: "
                   "logits[b,t,c] = image[b,0,0,t] * W[c] + bias[c], class 0 is the blank",
    )


def main():
    outputs = {
        "data/bench/cnn-fashion-sized.onnx": cnn_fashion_sized(),
        "tests/QualityHub.Inference.Tests/Models/tiny-classifier.onnx": tiny_classifier(),
        "tests/QualityHub.Inference.Tests/Models/tiny-ctc.onnx": tiny_ctc(),
    }
    for relative, model in outputs.items():
        path = REPO / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save_model(model, str(path))
        print(f"{relative}\t{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
