#!/usr/bin/python3
"""Writes the small PNG fixtures of PngFixtureTests into ./Fixtures.

Run with Debian's /usr/bin/python3 (standard library only: zlib, struct). The PNG writer here is separate from
QualityHub's own encoder on purpose, so the decoder is checked against an independent implementation: its own
filters (all five), Adam7 interlacing, bit packing for 1/2/4/16-bit samples, palettes, tRNS and chunk layout.

Pixel values come from sample() and palette_entry() below; PngFixtureTests.cs repeats those two formulas to know
what each file must decode to. Change both together.
"""

import os
import struct
import zlib

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Fixtures")

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def sample(x, y, c, depth):
    """Value of channel c at (x, y) for a sample of the given bit depth (a palette index for colour type 3)."""
    v = (x * 7 + y * 13 + c * 29 + x * y * 3) * 2459
    return v % (1 << depth)


def palette_entry(k):
    return ((k * 40) % 256, (k * 90) % 256, 255 - k)


def palette_alpha(k):
    return (k * 50) % 256


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(values, depth):
    """Packs samples most significant bit first; 16-bit samples big-endian."""
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    if depth == 8:
        return bytes(values)
    out, acc, bits = bytearray(), 0, 0
    for v in values:
        acc = (acc << depth) | v
        bits += depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    out = bytearray(len(row))
    for i, value in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (value - predictor) & 0xFF
    return bytes([kind]) + bytes(out)


def scanlines(width, height, color_type, depth, interlaced, filter_of):
    """The uncompressed IDAT stream; filter_of(pass, row) picks each scanline's filter type."""
    channels = CHANNELS[color_type]
    bpp = max(1, channels * depth // 8)
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    stream = bytearray()
    for p, (x0, y0, dx, dy) in enumerate(passes):
        xs = list(range(x0, width, dx))
        ys = list(range(y0, height, dy))
        if not xs or not ys:
            continue
        prior = bytes(len(pack_row([0] * (len(xs) * channels), depth)))
        for r, y in enumerate(ys):
            row = pack_row([sample(x, y, c, depth) for x in xs for c in range(channels)], depth)
            stream += filter_row(filter_of(p, r), row, prior, bpp)
            prior = row
    return bytes(stream)


def write(name, width, height, color_type, depth, interlaced=False, filter_of=lambda p, r: (p + r) % 5,
          palette_size=0, trns=None, extra_chunks=(), idat_parts=1):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlaced else 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for kind, data in extra_chunks:
        out += chunk(kind, data)
    if palette_size:
        out += chunk(b"PLTE", b"".join(bytes(palette_entry(k)) for k in range(palette_size)))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    data = zlib.compress(scanlines(width, height, color_type, depth, interlaced, filter_of), 9)
    # Split points chosen so one IDAT is empty, which PNG allows.
    cuts = [0] + [len(data) * i // idat_parts for i in range(1, idat_parts)] + [len(data)]
    if idat_parts > 1:
        cuts.insert(1, 0)
    for start, end in zip(cuts, cuts[1:]):
        out += chunk(b"IDAT", data[start:end])
    out += chunk(b"IEND", b"")
    with open(os.path.join(HERE, name + ".png"), "wb") as f:
        f.write(out)


def main():
    os.makedirs(HERE, exist_ok=True)
    for kind, name in enumerate(["none", "sub", "up", "average", "paeth"]):
        write(f"filter-{name}-rgb8", 7, 5, 2, 8, filter_of=lambda p, r, k=kind: k)
    # Sub-byte depths use bpp = 1 with several pixels per byte, and widths that leave padding bits in the last byte.
    for depth in (1, 2, 4):
        write(f"gray{depth}", 13, 5, 0, depth)
        write(f"palette{depth}", 13, 5, 3, depth, palette_size=1 << depth)
    write("gray8", 7, 5, 0, 8)
    write("gray16", 7, 5, 0, 16)
    write("grayalpha8", 7, 5, 4, 8)
    write("grayalpha16", 7, 5, 4, 16)
    write("rgb16", 7, 5, 2, 16)
    write("rgba8", 7, 5, 6, 8)
    write("rgba16", 7, 5, 6, 16)
    write("palette8", 7, 5, 3, 8, palette_size=256)
    # tRNS: palette alphas for the first five entries only (the rest stay opaque), a gray key and an RGB key
    # that equal the samples at (1, 1) so at least one pixel becomes transparent.
    write("palette4-trns", 13, 5, 3, 4, palette_size=16, trns=bytes(palette_alpha(k) for k in range(5)))
    write("gray8-trns", 7, 5, 0, 8, trns=struct.pack(">H", sample(1, 1, 0, 8)))
    write("rgb8-trns", 7, 5, 2, 8, trns=struct.pack(">HHH", *(sample(1, 1, c, 8) for c in range(3))))
    write("gray16-trns", 7, 5, 0, 16, trns=struct.pack(">H", sample(1, 1, 0, 16)))
    # Adam7: sizes that are not multiples of 8 leave some passes narrow; 1x1 and 3x2 leave passes empty.
    write("interlaced-rgba8", 11, 9, 6, 8, interlaced=True)
    write("interlaced-rgb16", 11, 9, 2, 16, interlaced=True)
    write("interlaced-gray2", 11, 9, 0, 2, interlaced=True)
    write("interlaced-palette4-trns", 11, 9, 3, 4, interlaced=True, palette_size=16,
          trns=bytes(palette_alpha(k) for k in range(5)))
    write("interlaced-gray8-1x1", 1, 1, 0, 8, interlaced=True)
    write("interlaced-rgb8-3x2", 3, 2, 2, 8, interlaced=True)
    # Image data split over several IDAT chunks (one empty), with ancillary chunks a decoder must skip.
    write("multi-idat-rgb8", 7, 5, 2, 8, idat_parts=4,
          extra_chunks=[(b"gAMA", struct.pack(">I", 45455)), (b"tEXt", b"Comment\x00fixture for QualityHub")])


if __name__ == "__main__":
    main()
