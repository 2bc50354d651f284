#!/usr/bin/python3
"""Trains QualityHub's three demo Fashion-MNIST classifiers and exports them to ONNX.

fashion-linear-v1 (softmax regression), fashion-mlp-v1 (784-256-128-10) and fashion-cnn-v1 (two conv blocks) are
trained on the 60,000 official training images only, on the CPU with fixed seeds, and evaluated on the 10,000
official test images and on the 2,000-image demo subset written by tools/make_fashion_demo.py. For each model it
writes data/demo/models/<name>.onnx, <name>.card.json and <name>.training.md; then MODELS.md (comparison table)
and fashion-torch-reference.json (the torch results tools/check_fashion_onnx.mjs compares ONNX Runtime against).

Run with Debian's python (python3-torch, python3-onnx, python3-numpy, dataset-fashion-mnist), after
tools/make_fashion_demo.py:

    /usr/bin/python3 tools/train_fashion_classifiers.py [--models fashion-mlp-v1,...]

--models retrains only the named models; the others' entries in MODELS.md come from the reference JSON.
"""

import argparse
import datetime
import json
import os
import platform
import re
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fashion_demo import IMAGES_MAGIC, LABELS, LABELS_MAGIC, SOURCE_DIR, read_idx  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBSET_DIR = os.path.join(REPO_ROOT, "data", "demo", "fashion-mnist")
MODELS_DIR = os.path.join(REPO_ROOT, "data", "demo", "models")
REFERENCE_JSON = os.path.join(MODELS_DIR, "fashion-torch-reference.json")

SEED = 20261122
THREADS = 2
OPSET = 17
BATCH_SIZE = 128
SCALE = 1.0 / 255.0
TRAINED_ON = "fashion-mnist-train (60,000 official training images)"
ONNX_CHECK_BEGIN = "<!-- onnx-check:begin -->"
ONNX_CHECK_END = "<!-- onnx-check:end -->"
REFERENCE_LOGIT_IMAGES = 16


class Linear(nn.Module):
    """Softmax regression: one affine map from the 784 normalised pixels to 10 logits."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)

    def forward(self, x):
        return self.fc(torch.flatten(x, 1))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.drop1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.drop2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = self.drop1(torch.flatten(x, 1))
        x = self.drop2(F.relu(self.fc1(x)))
        return self.fc2(x)


# Epochs are chosen so the three together train in well under 20 minutes on 2 CPU cores with Debian's torch.
SPECS = [
    {
        "name": "fashion-linear-v1",
        "make": Linear,
        "epochs": 10,
        "lr": 1e-3,
        "architecture": "Flatten 784 → Linear 784→10 (softmax regression; softmax is left to the consumer)",
        "summary": "softmax regression on the 784 normalised pixels",
        "regularisation": "none",
    },
    {
        "name": "fashion-mlp-v1",
        "make": Mlp,
        "epochs": 12,
        "lr": 1e-3,
        "architecture": "Flatten 784 → Linear 784→256 → ReLU → Linear 256→128 → ReLU → Linear 128→10",
        "summary": "two-hidden-layer MLP (784→256→128→10, ReLU)",
        "regularisation": "none",
    },
    {
        "name": "fashion-cnn-v1",
        "make": Cnn,
        "epochs": 8,
        "lr": 1e-3,
        "architecture": (
            "Conv 3×3 1→32 (pad 1) → BatchNorm → ReLU → MaxPool 2 → Conv 3×3 32→64 (pad 1) → BatchNorm → ReLU → "
            "MaxPool 2 → Flatten 3136 → Dropout 0.25 → Linear 3136→128 → ReLU → Dropout 0.5 → Linear 128→10 "
            "(in the ONNX graph each BatchNorm is folded into its Conv and the Dropouts are gone)"
        ),
        "summary": "small CNN (two conv blocks 32/64 channels with BatchNorm, ReLU, max-pooling; dropout; FC 128→10)",
        "regularisation": "dropout 0.25 and 0.5 (training only)",
    },
]


def seed_everything(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)


def fmt_duration(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def load_data():
    train_images = read_idx(os.path.join(SOURCE_DIR, "train-images-idx3-ubyte.gz"), IMAGES_MAGIC)
    train_labels = read_idx(os.path.join(SOURCE_DIR, "train-labels-idx1-ubyte.gz"), LABELS_MAGIC)
    test_images = read_idx(os.path.join(SOURCE_DIR, "t10k-images-idx3-ubyte.gz"), IMAGES_MAGIC)
    test_labels = read_idx(os.path.join(SOURCE_DIR, "t10k-labels-idx1-ubyte.gz"), LABELS_MAGIC)
    subset_images = read_idx(os.path.join(SUBSET_DIR, "test-2000-images-idx3-ubyte.gz"), IMAGES_MAGIC)
    subset_labels = read_idx(os.path.join(SUBSET_DIR, "test-2000-labels-idx1-ubyte.gz"), LABELS_MAGIC)
    assert train_images.shape == (60000, 28, 28) and test_images.shape == (10000, 28, 28)
    assert subset_images.shape == (2000, 28, 28)
    return (train_images, train_labels), (test_images, test_labels), (subset_images, subset_labels)


def normalisation_of(train_images):
    """Mean and standard deviation of all training pixels after scaling to [0,1], rounded to 4 decimals."""
    scaled = train_images.astype(np.float64) * SCALE
    exact_mean, exact_std = float(scaled.mean()), float(scaled.std())
    return round(exact_mean, 4), round(exact_std, 4), exact_mean, exact_std


def to_tensor(images, labels, mean, std):
    # Same arithmetic the card describes: value = (pixel · scale − mean) / std, in float32.
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)
    x = (x * np.float32(SCALE) - np.float32(mean)) / np.float32(std)
    return x.contiguous(), torch.from_numpy(labels.astype(np.int64))


@torch.inference_mode()
def predict(model, x, batch=1000):
    model.eval()
    return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def correct_count(logits, y):
    return int((logits.argmax(1) == y).sum())


def train(spec, train_x, train_y):
    seed_everything(SEED)
    model = spec["make"]()
    optimiser = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    steps_per_epoch = (len(train_x) + BATCH_SIZE - 1) // BATCH_SIZE
    total_steps = spec["epochs"] * steps_per_epoch
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=total_steps)
    shuffle = torch.Generator().manual_seed(SEED)
    has_dropout = any(isinstance(m, nn.Dropout) for m in model.modules())
    started = time.perf_counter()
    step = 0
    for epoch in range(1, spec["epochs"] + 1):
        model.train()
        order = torch.randperm(len(train_x), generator=shuffle)
        loss_sum, correct = 0.0, 0
        for b in range(steps_per_epoch):
            idx = order[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]
            # index_select, not train_x[idx]: under deterministic algorithms advanced indexing is ~50× slower on the CPU.
            x, y = train_x.index_select(0, idx), train_y.index_select(0, idx)
            optimiser.zero_grad(set_to_none=True)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y).sum())
            if step % 100 == 0 or step == total_steps:
                elapsed = time.perf_counter() - started
                eta = elapsed / step * (total_steps - step)
                print(f"\r  {spec['name']} epoch {epoch}/{spec['epochs']} step {b + 1}/{steps_per_epoch} "
                      f"[{step}/{total_steps}] elapsed {fmt_duration(elapsed)} eta {fmt_duration(eta)}   ",
                      end="", flush=True)
        print(f"\r  {spec['name']} epoch {epoch}/{spec['epochs']}: train loss {loss_sum / len(train_x):.4f}, "
              f"train accuracy {100 * correct / len(train_x):.2f}%{' (dropout active)' if has_dropout else ''}, "
              f"elapsed {fmt_duration(time.perf_counter() - started)}" + " " * 20, flush=True)
    model.eval()
    return model, time.perf_counter() - started


@torch.inference_mode()
def latency_ms(model, image, warmup=200, rounds=5, runs=400):
    """Wall time of one forward pass at batch 1, in milliseconds: the median and 95th percentile of the least
    disturbed of several rounds (lowest median), because other work on a shared machine inflates single rounds."""
    model.eval()
    for _ in range(warmup):
        model(image)
    best = None
    for _ in range(rounds):
        times = np.empty(runs)
        for i in range(runs):
            t = time.perf_counter()
            model(image)
            times[i] = time.perf_counter() - t
        if best is None or np.median(times) < np.median(best):
            best = times
    return float(np.median(best) * 1000), float(np.percentile(best, 95) * 1000)


def export(model, path, doc):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(
        model, dummy, path,
        input_names=["pixels"], output_names=["logits"],
        dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET, do_constant_folding=True,
    )
    proto = onnx.load(path)
    del proto.metadata_props[:]
    for key, value in [("labels", ",".join(LABELS)), ("qualityhub.trained_on", TRAINED_ON)]:
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.model_version = 1
    proto.doc_string = doc
    onnx.checker.check_model(proto)
    onnx.save(proto, path)

    dims = lambda value: [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]  # noqa: E731
    (inp,), (out,) = proto.graph.input, proto.graph.output
    assert (inp.name, dims(inp)) == ("pixels", ["batch", 1, 28, 28]), (inp.name, dims(inp))
    assert (out.name, dims(out)) == ("logits", ["batch", 10]), (out.name, dims(out))
    assert proto.producer_name == "pytorch", proto.producer_name
    size = os.path.getsize(path)
    assert size < 5 * 1024 * 1024, size
    return size, proto


def card(mean, std, notes):
    return {
        "task": "image-classification",
        "input": {
            "name": "pixels", "layout": "nchw", "width": 28, "height": 28, "channels": 1,
            "scale": round(SCALE, 9), "mean": [mean], "std": [std],
        },
        "outputName": "logits",
        "outputKind": "logits",
        "labels": LABELS,
        "topK": 5,
        "notes": notes,
    }


def compact_number_lists(text):
    """Puts each innermost list of numbers on one line, so the logit rows stay readable in indented JSON."""
    number = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
    return re.sub(rf"\[\s*({number}(?:,\s*{number})*)\s*\]",
                  lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text)


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def blas_library():
    try:
        return os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        return "unknown"


def environment():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (f"{cpu}, {THREADS} torch threads, CPU only; torch {torch.__version__}, numpy {np.__version__}, "
            f"onnx {onnx.__version__}, Python {platform.python_version()}, BLAS {blas_library()}")


def per_class_rows(logits, y):
    pred = logits.argmax(1)
    rows = []
    for cls, name in enumerate(LABELS):
        mask = y == cls
        rows.append(f"| {cls} | {name} | {100 * float((pred[mask] == cls).float().mean()):.1f}% |")
    return "\n".join(rows)


def training_md(spec, r, mean, std, exact, env):
    return f"""# {spec['name']} — training record

Written by `tools/train_fashion_classifiers.py`; every figure below was measured by that run.

| | |
| --- | --- |
| model | {spec['summary']} |
| architecture | {spec['architecture']} |
| parameters | {r['params']:,} trainable{r['buffers_note']} |
| ONNX file | `{spec['name']}.onnx`, {r['size']:,} bytes, opset {OPSET}, input `pixels` float [batch,1,28,28], output `logits` float [batch,10] (no softmax) |
| training data | the 60,000 official Fashion-MNIST training images (`{SOURCE_DIR}/train-*`), nothing else; no augmentation |
| input normalisation | x = (pixel/255 − {mean:.4f}) / {std:.4f}: the training set's pixel mean {exact[0]:.6f} and standard deviation {exact[1]:.6f} (of pixel/255, computed by the script), rounded to 4 decimals |
| epochs | {spec['epochs']} |
| batch size | {BATCH_SIZE}, reshuffled every epoch |
| optimiser | Adam, learning rate {spec['lr']:g} with cosine decay to 0 over all {r['steps']:,} steps, no weight decay |
| loss | cross-entropy on the logits |
| regularisation | {spec['regularisation']} |
| seed | {SEED} (`torch.manual_seed`, `numpy.random.seed`, shuffling generator); `torch.use_deterministic_algorithms(True)`, `torch.set_num_threads({THREADS})` |
| train time | {fmt_duration(r['train_seconds'])} (m:ss, {r['train_seconds']:.1f} s) on this machine; 1-minute load average {r['load']} at start / end (the machine is shared, so wall times vary) |
| machine | {env} |

## Measured accuracy

Computed with the **torch model in eval mode**, not with the exported ONNX file: Debian's python has no
onnxruntime. `tools/check_fashion_onnx.mjs` runs the exported file with onnxruntime-node on the 2,000-image
subset and compares (see `MODELS.md`).

| test set | images | top-1 accuracy |
| --- | ---: | ---: |
| official Fashion-MNIST test set (t10k) | 10,000 | **{100 * r['test_accuracy']:.2f}%** ({r['test_correct']:,} correct) |
| demo subset `data/demo/fashion-mnist/test-2000-*` (200 per class) | 2,000 | **{100 * r['subset_accuracy']:.2f}%** ({r['subset_correct']:,} correct) |

Per class on the full test set:

| class | label | accuracy |
| ---: | --- | ---: |
{r['per_class']}

## Latency

torch {torch.__version__} on the CPU, {THREADS} threads, batch 1, one forward pass in eval mode: median
**{r['latency_ms']:.3f} ms**, p95 {r['latency_p95_ms']:.3f} ms (200 warm-up runs, then 5 rounds of 400 timed runs;
the round with the lowest median is reported, since other work on this shared machine slows single rounds).
"""


def models_md(reference):
    rows = []
    for spec in SPECS:
        r = reference["models"].get(spec["name"])
        if r is None:
            rows.append(f"| `{spec['name']}` | not trained yet | | | | | | |")
            continue
        rows.append(
            f"| `{spec['name']}` | {spec['summary']} | {r['params']:,} | {r['onnxBytes'] / 1024:,.0f} KiB | "
            f"{100 * r['testAccuracy']:.2f}% | {100 * r['subsetAccuracy']:.2f}% | {r['latencyMs']:.3f} ms | "
            f"{r['epochs']} / {fmt_duration(r['trainSeconds'])} |")
    table = "\n".join(rows)
    return f"""# Fashion-MNIST demo models

Three candidate classifiers for the Fashion-MNIST module, made by `tools/train_fashion_classifiers.py` on the
60,000 official training images only (seed {SEED}, CPU). Each `<name>.onnx` has a `<name>.card.json` (QualityHub
model card) and a `<name>.training.md` (architecture, optimiser, train time, per-class accuracy).

| model | what it is | parameters | ONNX size | test accuracy (10,000) | subset accuracy (2,000) | torch latency, batch 1 | epochs / train time |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
{table}

- test accuracy: top-1 on the official Fashion-MNIST test set (t10k); subset accuracy: top-1 on
  `data/demo/fashion-mnist/test-2000-*` (200 images per class, drawn from t10k). Both computed by the training
  script with the torch model in eval mode.
- latency: median wall time of one forward pass of one image, torch on the CPU with {THREADS} threads (best of 5
  rounds of 400 runs), measured by the training script right after training each model, on the machine it
  trained on. It is a relative figure for comparing the three; QualityHub's own engine times the ONNX files
  itself.
- machine: {reference['machine']}.
- input: `pixels` = (pixel/255 − {reference['mean']:.4f}) / {reference['std']:.4f}, float [batch,1,28,28]: the
  training set's pixel mean {reference['exactMean']:.6f} and std {reference['exactStd']:.6f}, rounded to 4 decimals.
- output: `logits` float [batch,10], no softmax, classes in the order of the `labels` metadata and the card.

## ONNX Runtime check

`node tools/check_fashion_onnx.mjs --write` runs each exported file with onnxruntime-node on the 2,000-image subset,
normalising as its card says, and compares with the torch results in `fashion-torch-reference.json`:

{ONNX_CHECK_BEGIN}
Not run since the models were last trained: run `node tools/check_fashion_onnx.mjs --write`.
{ONNX_CHECK_END}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(s["name"] for s in SPECS),
                        help="comma-separated names of the models to train (default: all three)")
    args = parser.parse_args()
    wanted = args.models.split(",")
    unknown = sorted(set(wanted) - {s["name"] for s in SPECS})
    if unknown:
        sys.exit(f"unknown model(s): {', '.join(unknown)}")

    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    env = environment()
    print(f"environment: {env}")

    (train_images, train_labels), (test_images, test_labels), (subset_images, subset_labels) = load_data()
    mean, std, exact_mean, exact_std = normalisation_of(train_images)
    print(f"training-set pixel mean {exact_mean:.6f}, std {exact_std:.6f} → using mean {mean:.4f}, std {std:.4f}")
    train_x, train_y = to_tensor(train_images, train_labels, mean, std)
    test_x, test_y = to_tensor(test_images, test_labels, mean, std)
    subset_x, subset_y = to_tensor(subset_images, subset_labels, mean, std)

    os.makedirs(MODELS_DIR, exist_ok=True)
    reference = {"models": {}}
    if os.path.exists(REFERENCE_JSON):
        with open(REFERENCE_JSON, encoding="utf-8") as f:
            reference = json.load(f)
        if (reference.get("mean"), reference.get("std")) != (mean, std):
            reference = {"models": {}}
    reference.update({
        "about": "torch results of tools/train_fashion_classifiers.py, compared by tools/check_fashion_onnx.mjs",
        "mean": mean, "std": std, "exactMean": round(exact_mean, 6), "exactStd": round(exact_std, 6),
        "scale": round(SCALE, 9), "seed": SEED, "machine": env,
        "subsetImages": "data/demo/fashion-mnist/test-2000-images-idx3-ubyte.gz",
        "subsetLabels": "data/demo/fashion-mnist/test-2000-labels-idx1-ubyte.gz",
    })

    overall = time.perf_counter()
    for spec in SPECS:
        if spec["name"] not in wanted:
            continue
        print(f"{spec['name']}: {spec['summary']}, {spec['epochs']} epochs")
        load_before = os.getloadavg()[0]
        model, seconds = train(spec, train_x, train_y)
        load_after = os.getloadavg()[0]
        test_logits, subset_logits = predict(model, test_x), predict(model, subset_x)
        r = {
            "params": sum(p.numel() for p in model.parameters()),
            "buffers_note": " (plus BatchNorm running mean/variance, folded into the convolutions on export)"
            if any(isinstance(m, nn.BatchNorm2d) for m in model.modules()) else "",
            "steps": spec["epochs"] * ((len(train_x) + BATCH_SIZE - 1) // BATCH_SIZE),
            "train_seconds": seconds,
            "load": f"{load_before:.1f} / {load_after:.1f}",
            "test_correct": correct_count(test_logits, test_y),
            "subset_correct": correct_count(subset_logits, subset_y),
            "per_class": per_class_rows(test_logits, test_y),
        }
        r["test_accuracy"] = r["test_correct"] / len(test_y)
        r["subset_accuracy"] = r["subset_correct"] / len(subset_y)
        r["latency_ms"], r["latency_p95_ms"] = latency_ms(model, test_x[:1])
        print(f"  test accuracy {100 * r['test_accuracy']:.2f}%, subset accuracy {100 * r['subset_accuracy']:.2f}%, "
              f"latency {r['latency_ms']:.3f} ms, trained in {fmt_duration(seconds)}")

        onnx_path = os.path.join(MODELS_DIR, f"{spec['name']}.onnx")
        doc = (f"Fashion-MNIST classifier, a {spec['summary']}, trained by QualityHub's "
               f"tools/train_fashion_classifiers.py on the 60,000 official training images.")
        r["size"], _ = export(model, onnx_path, doc)
        notes = (f"{spec['summary'][0].upper()}{spec['summary'][1:]}, trained on the 60,000 official Fashion-MNIST "
                 f"training images by tools/train_fashion_classifiers.py; top-1 accuracy "
                 f"{100 * r['test_accuracy']:.2f}% on the official 10,000-image test set. Input is the 28×28 gray "
                 f"image as stored in the IDX files (0 = background), normalised with the training-set mean and std.")
        write_text(os.path.join(MODELS_DIR, f"{spec['name']}.card.json"),
                   compact_number_lists(json.dumps(card(mean, std, notes), indent=2, ensure_ascii=False)) + "\n")
        write_text(os.path.join(MODELS_DIR, f"{spec['name']}.training.md"), training_md(spec, r, mean, std, (exact_mean, exact_std), env))
        reference["models"][spec["name"]] = {
            "params": r["params"],
            "onnxBytes": r["size"],
            "epochs": spec["epochs"],
            "trainSeconds": round(seconds, 1),
            "testCorrect": r["test_correct"],
            "testImages": len(test_y),
            "testAccuracy": r["test_accuracy"],
            "subsetCorrect": r["subset_correct"],
            "subsetImages": len(subset_y),
            "subsetAccuracy": r["subset_accuracy"],
            "latencyMs": round(r["latency_ms"], 4),
            # One digit per subset image: torch's top-1 class, in subset order.
            "subsetTop1": "".join(str(int(c)) for c in subset_logits.argmax(1)),
            # Raw torch logits of the first few subset images, to compare numbers and not only classes.
            "subsetLogitsHead": [[round(float(v), 5) for v in row] for row in subset_logits[:REFERENCE_LOGIT_IMAGES]],
        }
        print(f"  wrote {os.path.relpath(onnx_path, REPO_ROOT)} ({r['size']:,} bytes), card and training notes")

    reference["models"] = {s["name"]: reference["models"][s["name"]] for s in SPECS if s["name"] in reference["models"]}
    write_text(REFERENCE_JSON, compact_number_lists(json.dumps(reference, indent=2)) + "\n")
    write_text(os.path.join(MODELS_DIR, "MODELS.md"), models_md(reference))
    print(f"done in {fmt_duration(time.perf_counter() - overall)}; wrote MODELS.md and "
          f"{os.path.relpath(REFERENCE_JSON, REPO_ROOT)}")
    print("next: node tools/check_fashion_onnx.mjs --write")


if __name__ == "__main__":
    main()
