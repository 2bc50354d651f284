#!/usr/bin/python3
"""Writes QualityHub's Fashion-MNIST demo test subset.

Draws exactly 200 images per class from the official Fashion-MNIST test set (t10k, 10,000 images) with a fixed
seed, keeps them in their original order, and writes them as gzipped IDX files (fixed gzip mtime, so running
this again gives the same bytes), plus the chosen t10k indices and a DATASET.md describing source, licence and
how the subset was drawn.

Run with Debian's python (needs python3-numpy and the package dataset-fashion-mnist):

    /usr/bin/python3 tools/make_fashion_demo.py
"""

import gzip
import hashlib
import io
import os
import struct
import sys

import numpy as np

SOURCE_DIR = "/usr/share/datasets/fashion-mnist"
SOURCE_PACKAGE = "dataset-fashion-mnist"
UPSTREAM = "https://github.com/zalandoresearch/fashion-mnist"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "data", "demo", "fashion-mnist")

SEED = 20261122
PER_CLASS = 200
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension


def read_idx(path, magic):
    """Reads a gzipped IDX file of unsigned bytes; returns an array shaped as its header says."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    found = struct.unpack(">I", data[:4])[0]
    if found != magic:
        sys.exit(f"{path}: magic 0x{found:08x}, expected 0x{magic:08x}")
    ndim = magic & 0xFF
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        sys.exit(f"{path}: header says {shape} but holds {body.size} bytes of data")
    return body.reshape(shape)


def idx_bytes(array, magic):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_gzip(path, payload):
    # mtime=0 and an empty stored file name keep the gzip header free of anything that changes between runs.
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as f:
        f.write(payload)
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    return len(buffer.getvalue())


def choose_indices(labels):
    """200 indices per class, drawn without replacement; returned sorted so the original t10k order is kept."""
    # RandomState, not Generator: numpy promises RandomState's stream stays the same across versions.
    rng = np.random.RandomState(SEED)
    chosen = []
    for cls in range(len(LABELS)):
        members = np.flatnonzero(labels == cls)
        chosen.append(rng.choice(members, size=PER_CLASS, replace=False))
    return np.sort(np.concatenate(chosen))


def dataset_md(indices, files):
    rows = "\n".join(f"| {i} | {name} | {PER_CLASS} |" for i, name in enumerate(LABELS))
    file_rows = "\n".join(f"| `{name}` | {size:,} | `{digest}` |" for name, size, digest in files)
    return f"""# Fashion-MNIST demo test subset (2,000 images)

A stratified subset of the **official Fashion-MNIST test set** (`t10k`, 10,000 images): exactly {PER_CLASS} images
per class, {len(indices):,} in all, 28×28 gray, in IDX format (MNIST layout), gzip-compressed. QualityHub uses it as
the demo test set for the Fashion-MNIST classifier module.

## Source

- Debian package `{SOURCE_PACKAGE}` (files `{SOURCE_DIR}/t10k-images-idx3-ubyte.gz` and
  `t10k-labels-idx1-ubyte.gz`).
- Upstream project: Fashion-MNIST by Zalando Research, {UPSTREAM}.
- Paper: Han Xiao, Kashif Rasul, Roland Vollgraf. *Fashion-MNIST: a Novel Image Dataset for Benchmarking
  Machine Learning Algorithms.* arXiv:1708.07747, 2017.

## Licence

MIT (Debian's copyright file calls it `Expat`, the same licence).

Attribution (from the package's copyright file and the upstream README):

> The MIT License (MIT) Copyright © 2017 Zalando SE, https://tech.zalando.com
>
> Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
> documentation files (the "Software"), to deal in the Software without restriction, including without limitation
> the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and
> to permit persons to whom the Software is furnished to do so, subject to the following conditions:
>
> The above copyright notice and this permission notice shall be included in all copies or substantial portions
> of the Software.
>
> THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED
> TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
> THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
> CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
> DEALINGS IN THE SOFTWARE.

## How the subset was drawn

`tools/make_fashion_demo.py`: for each class in order 0…9, `numpy.random.RandomState({SEED})` (one generator for
all classes) draws {PER_CLASS} of that class's 1,000 t10k indices without replacement (`choice(..., replace=False)`);
the {len(indices):,} indices are then sorted, so the images keep their original t10k order.
`subset-indices.txt` lists them (0-based t10k positions, one per line). Pixels and labels are copied unchanged.
None of these images is in the training set; the demo models were trained on the 60,000 official training images only.

## Files

| file | bytes | SHA-256 |
| --- | ---: | --- |
{file_rows}

- images: magic `0x00000803`, sizes `[{len(indices)}, 28, 28]`, unsigned bytes, 0 = background (black);
- labels: magic `0x00000801`, size `[{len(indices)}]`, unsigned bytes 0…9;
- gzip header with mtime 0 and no file name, so re-running the script writes identical bytes.

## Labels (class order)

| class | label | images |
| ---: | --- | ---: |
{rows}
"""


def main():
    images = read_idx(os.path.join(SOURCE_DIR, "t10k-images-idx3-ubyte.gz"), IMAGES_MAGIC)
    labels = read_idx(os.path.join(SOURCE_DIR, "t10k-labels-idx1-ubyte.gz"), LABELS_MAGIC)
    if images.shape != (10000, 28, 28) or labels.shape != (10000,):
        sys.exit(f"unexpected t10k shapes {images.shape}, {labels.shape}")

    indices = choose_indices(labels)
    sub_images, sub_labels = images[indices], labels[indices]
    counts = np.bincount(sub_labels, minlength=len(LABELS))
    assert counts.tolist() == [PER_CLASS] * len(LABELS), counts

    os.makedirs(OUT_DIR, exist_ok=True)
    files = []
    for name, array, magic in [
        ("test-2000-images-idx3-ubyte.gz", sub_images, IMAGES_MAGIC),
        ("test-2000-labels-idx1-ubyte.gz", sub_labels, LABELS_MAGIC),
    ]:
        path = os.path.join(OUT_DIR, name)
        size = write_gzip(path, idx_bytes(array, magic))
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        files.append((name, size, digest))
        print(f"{os.path.relpath(path, REPO_ROOT)}  {size:,} bytes  sha256 {digest}")

    path = os.path.join(OUT_DIR, "subset-indices.txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(f"{i}\n" for i in indices))
    print(f"{os.path.relpath(path, REPO_ROOT)}  {len(indices)} indices")

    path = os.path.join(OUT_DIR, "DATASET.md")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(dataset_md(indices, files))
    print(f"{os.path.relpath(path, REPO_ROOT)}")


if __name__ == "__main__":
    main()
