#!/usr/bin/python3
"""Render QualityHub's card-text demo test set: single text lines (card numbers, expiry dates) with exact labels.

Run with Debian's python3 (not another python3 first on PATH):

    /usr/bin/python3 tools/render_card_text.py [--out data/demo/card-text]

Writes OUT/images/NNNN.png, OUT/labels.jsonl and OUT/DATASET.md. Everything comes from one seeded random
generator, so a re-run on the same Debian packages writes the same bytes.
"""

import argparse
import hashlib
import io
import json
import math
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("render_card_text.py needs numpy: apt-get install python3-numpy (and run it with /usr/bin/python3)")
try:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont, features
except ImportError:
    sys.exit("render_card_text.py needs Pillow: apt-get install python3-pil (and run it with /usr/bin/python3)")

SEED = 20261122
COUNT = 400
CARD_SHARE = 0.6
AMEX_SHARE_OF_CARDS = 0.1

# (file, family name FreeType reports, Debian package, licence as the package's copyright file states it)
FONTS = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "DejaVu Sans Mono", "fonts-dejavu-core",
     "Bitstream Vera Fonts licence (DejaVu changes public domain)"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVu Sans", "fonts-dejavu-core",
     "Bitstream Vera Fonts licence (DejaVu changes public domain)"),
    ("/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf", "Liberation Mono", "fonts-liberation2",
     "SIL Open Font License 1.1"),
    ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf", "Liberation Sans", "fonts-liberation2",
     "SIL Open Font License 1.1"),
    ("/usr/share/fonts/truetype/freefont/FreeSans.ttf", "FreeSans", "fonts-freefont-ttf",
     "GPL-3+ with the GNU FreeFont font exception"),
    ("/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf", "Noto Sans Mono", "fonts-noto-mono",
     "SIL Open Font License 1.1"),
    ("/usr/share/fonts/opentype/ocr-b/OCRB.otf", "OCR B", "fonts-ocr-b",
     "public domain (Matthew Skala), built from Norbert Schwarz's OCR-B sources under a permissive licence"),
]

# Font size in pixels per size tag; the canvas stays 48-64 px high, so small text fills less of the line.
SIZES = {"small": (24, 27), "medium": (30, 34), "large": (37, 41)}

# Card-like backgrounds with a readable ink colour for each.
PALETTES = [
    ("white", (248, 248, 245), (25, 25, 30)),
    ("light-gray", (222, 223, 226), (30, 30, 35)),
    ("cream", (240, 229, 198), (60, 45, 30)),
    ("light-blue", (198, 219, 240), (15, 30, 70)),
    ("pale-green", (208, 234, 212), (20, 50, 30)),
    ("silver", (188, 191, 196), (20, 20, 25)),
    ("gold", (214, 180, 92), (40, 30, 10)),
    ("navy", (22, 36, 82), (235, 235, 240)),
    ("black", (24, 24, 28), (205, 206, 212)),
    ("dark-green", (22, 70, 52), (240, 240, 232)),
    ("burgundy", (98, 22, 38), (238, 226, 210)),
]

VARIATIONS = ["embossed", "blur", "rotated", "noise", "shadow", "low-contrast"]


def fail(message):
    sys.exit(f"render_card_text.py: {message}")


def load_fonts():
    if not features.check("freetype2"):
        fail("this Pillow has no FreeType support; install Debian's python3-pil and run with /usr/bin/python3")
    loaded = []
    for path, family, package, licence in FONTS:
        if not os.path.exists(path):
            fail(f"font file {path} is missing: apt-get install {package}")
        found = ImageFont.truetype(path, 32).getname()[0]
        if found != family:
            fail(f"{path} reports family '{found}', expected '{family}' (package {package})")
        loaded.append({"path": path, "family": family, "tag": "font:" + family.lower().replace(" ", "-"),
                       "package": package, "licence": licence})
    return loaded


def luhn_check_digit(body):
    """The digit that makes body + digit pass the Luhn check (double every second digit from the right)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these become the odd positions from the right once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number):
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_number(rng, amex):
    if amex:
        prefix, length, groups = str(rng.choice(["34", "37", "37"])), 15, (4, 6, 5)
    else:
        kind = rng.random()
        if kind < 0.5:
            prefix = "4"
        elif kind < 0.85:
            prefix = "5" + str(rng.integers(1, 6))
        elif kind < 0.93:
            prefix = str(rng.integers(2221, 2721))
        else:
            prefix = str(rng.choice(["6011", "65"]))
        length, groups = 16, (4, 4, 4, 4)
    body = prefix + "".join(str(d) for d in rng.integers(0, 10, size=length - 1 - len(prefix)))
    digits = body + luhn_check_digit(body)
    assert luhn_valid(digits) and len(digits) == length
    parts, at = [], 0
    for g in groups:
        parts.append(digits[at:at + g])
        at += g
    return " ".join(parts)


def expiry(rng):
    date = f"{rng.integers(1, 13):02d}/{rng.integers(25, 36):02d}"
    roll = rng.random()
    if roll < 0.3:
        return "VALID THRU " + date
    if roll < 0.55:
        return "EXP " + date
    return date


def variation_plan(rng, count):
    """About a third clean, a third with one variation, a third with two, balanced over the variations."""
    clean = round(count / 3)
    single = round(count / 3)
    double = count - clean - single
    pairs = [(a, b) for i, a in enumerate(VARIATIONS) for b in VARIATIONS[i + 1:]]
    plan = [()] * clean
    plan += [(VARIATIONS[i % len(VARIATIONS)],) for i in range(single)]
    plan += [pairs[i % len(pairs)] for i in range(double)]
    order = rng.permutation(count)
    return [plan[i] for i in order]


def luminance(rgb):
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def jitter(rng, rgb, amount):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in rgb)


def low_contrast_ink(rng, background):
    """An ink colour 45-70 grey levels from the background, darker on light cards and lighter on dark ones."""
    delta = rng.uniform(45, 70)
    sign = -1 if luminance(background) > 110 else 1
    return tuple(int(np.clip(c + sign * delta, 0, 255)) for c in background)


def render(rng, text, font_info, size_tag, variations):
    px = int(rng.integers(SIZES[size_tag][0], SIZES[size_tag][1] + 1))
    font = ImageFont.truetype(font_info["path"], px)
    _, background, ink = PALETTES[rng.integers(len(PALETTES))]
    background = jitter(rng, background, 8)
    ink = low_contrast_ink(rng, background) if "low-contrast" in variations else jitter(rng, ink, 10)

    left, top, right, bottom = font.getbbox(text)
    ink_w, ink_h = right - left, bottom - top
    relief = 2 if px >= 30 else 1
    pad = relief if "embossed" in variations else 0
    height = int(np.clip(round(ink_h / rng.uniform(0.48, 0.62)), 48, 64))
    margin_l, margin_r = (int(m) for m in rng.integers(6, 21, size=2))
    width = ink_w + margin_l + margin_r + 2 * pad
    spare = height - ink_h - 2 * pad
    y = pad + int(rng.integers(max(1, spare // 2 - 3), max(2, spare // 2 + 4)))
    x = margin_l + pad

    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).text((x - left, y - top), text, font=font, fill=255)
    alpha = np.asarray(mask, dtype=np.float32)[:, :, None] / 255.0

    canvas = np.empty((height, width, 3), dtype=np.float32)
    canvas[:] = background
    if "embossed" in variations:
        # Raised characters: a highlight on the upper-left edge and a shadow on the lower-right one.
        lum = luminance(background)
        light = np.clip(np.array(background) + (70 if lum < 160 else 45), 0, 255)
        dark = np.clip(np.array(background) * 0.45, 0, 255)
        canvas = canvas * (1 - shifted(alpha, -relief)) + light * shifted(alpha, -relief)
        canvas = canvas * (1 - shifted(alpha, relief)) + dark * shifted(alpha, relief)
    canvas = canvas * (1 - alpha) + np.array(ink, dtype=np.float32) * alpha

    if "shadow" in variations:
        canvas = canvas * shadow_field(rng, width, height)[:, :, None]

    image = Image.fromarray(np.clip(np.rint(canvas), 0, 255).astype(np.uint8), "RGB")
    if "rotated" in variations:
        angle = float(rng.uniform(2, 6) * rng.choice([-1, 1]))
        image = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=tuple(int(c) for c in background))
    if "blur" in variations:
        image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.8, 1.6))))
    if "noise" in variations:
        pixels = np.asarray(image, dtype=np.float32)
        sigma = rng.uniform(6, 14)
        # Luminance noise (one value per pixel for all channels), as a phone camera's denoised output mostly shows.
        noise = rng.normal(0, sigma, size=pixels.shape[:2])[:, :, None]
        image = Image.fromarray(np.clip(np.rint(pixels + noise), 0, 255).astype(np.uint8), "RGB")
    return image, px


def shifted(alpha, offset):
    """alpha moved by offset pixels right and down (negative: left and up), zero-filled."""
    out = np.zeros_like(alpha)
    h, w = alpha.shape[:2]
    if offset >= 0:
        out[offset:, offset:] = alpha[:h - offset, :w - offset]
    else:
        o = -offset
        out[:h - o, :w - o] = alpha[o:, o:]
    return out


def shadow_field(rng, width, height):
    """A brightness multiplier: either a soft gradient darkening one end, or a darker band with soft edges."""
    xs = np.arange(width, dtype=np.float32)
    ys = np.arange(height, dtype=np.float32)[:, None]
    depth = rng.uniform(0.35, 0.55)  # how much light the darkest part loses
    if rng.random() < 0.5:
        start, end = sorted(rng.uniform(0, 1, size=2) * width)
        ramp = np.clip((xs - start) / max(end - start, 1.0), 0, 1)
        if rng.random() < 0.5:
            ramp = 1 - ramp
        field = 1 - depth * ramp[None, :] * np.ones_like(ys)
    else:
        centre = rng.uniform(0.2, 0.8) * width
        half = rng.uniform(0.12, 0.3) * width
        soft = rng.uniform(4, 14)
        slope = rng.uniform(-0.6, 0.6)  # a slanted band, as a finger or phone edge casts it
        distance = np.abs(xs[None, :] - centre - slope * (ys - height / 2))
        inside = 1 / (1 + np.exp((distance - half) / soft))
        field = 1 - depth * inside
    return field.astype(np.float32)


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=9)
    return buffer.getvalue()


def dataset_digest(labels_bytes, image_bytes):
    h = hashlib.sha256()
    h.update(labels_bytes)
    for data in image_bytes:
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


MEASURED_BEGIN = "<!-- measured:begin -->"
MEASURED_END = "<!-- measured:end -->"


def kept_measurement(path, digest):
    """The measured-accuracy section of an existing DATASET.md, if it was measured on exactly this data."""
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8").read()
    if MEASURED_BEGIN not in text or MEASURED_END not in text:
        return None
    section = text[text.index(MEASURED_BEGIN):text.index(MEASURED_END) + len(MEASURED_END)]
    return section if f"dataset digest `{digest}`" in section else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "demo", "card-text"))
    args = parser.parse_args()
    out = os.path.normpath(args.out)
    fonts = load_fonts()

    rng = np.random.default_rng(SEED)
    cards = round(COUNT * CARD_SHARE)
    amex = round(cards * AMEX_SHARE_OF_CARDS)
    fields = ["amex"] * amex + ["card"] * (cards - amex) + ["expiry"] * (COUNT - cards)
    fields = [fields[i] for i in rng.permutation(COUNT)]
    plan = variation_plan(rng, COUNT)
    size_tags = list(SIZES)

    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    for stale in os.listdir(os.path.join(out, "images")):
        if stale.endswith(".png"):
            os.remove(os.path.join(out, "images", stale))

    records, blobs, heights, widths = [], [], [], []
    for index in range(COUNT):
        field = fields[index]
        text = expiry(rng) if field == "expiry" else card_number(rng, field == "amex")
        font_info = fonts[rng.integers(len(fonts))]
        size_tag = size_tags[rng.integers(len(size_tags))]
        variations = plan[index]
        image, _ = render(rng, text, font_info, size_tag, variations)
        data = png_bytes(image)
        name = f"images/{index + 1:04d}.png"
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        tags = ["printed", font_info["tag"], "size:" + size_tag,
                "field:expiry" if field == "expiry" else "field:card-number"]
        tags += [v for v in VARIATIONS if v in variations]
        records.append({"image": name, "text": text, "tags": tags})
        blobs.append(data)
        widths.append(image.width)
        heights.append(image.height)

    labels = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    with open(os.path.join(out, "labels.jsonl"), "wb") as f:
        f.write(labels)

    digest = dataset_digest(labels, blobs)
    dataset_md = os.path.join(out, "DATASET.md")
    measured = kept_measurement(dataset_md, digest)
    with open(dataset_md, "w", encoding="utf-8") as f:
        f.write(describe(records, fonts, blobs, widths, heights, amex, digest, measured))

    total = sum(len(b) for b in blobs) + len(labels)
    print(f"wrote {COUNT} images, labels.jsonl and DATASET.md to {out} ({total / 1e6:.2f} MB); dataset digest {digest}")
    if measured is None:
        print("DATASET.md has no measured accuracy for this data yet: run node tools/check_card_text.mjs --update-dataset-md")


def describe(records, fonts, blobs, widths, heights, amex, digest, measured):
    counts = {}
    for r in records:
        for t in r["tags"]:
            counts[t] = counts.get(t, 0) + 1
    clean = sum(1 for r in records if not any(t in VARIATIONS for t in r["tags"]))
    two = sum(1 for r in records if sum(t in VARIATIONS for t in r["tags"]) == 2)
    one = len(records) - clean - two
    prefixed = {p: sum(1 for r in records if r["text"].startswith(p)) for p in ("VALID THRU ", "EXP ")}
    expiries = counts.get("field:expiry", 0)

    def tag_order(t):
        groups = ["printed", "field:", "size:", "font:"]
        for i, g in enumerate(groups):
            if t.startswith(g):
                return (i, t)
        return (len(groups) + VARIATIONS.index(t), t)

    lines = [
        "# card-text — demo test set for text-line recognition",
        "",
        f"{len(records)} single-line images of payment-card numbers and expiry dates with their exact text, for",
        "QualityHub's text-recognition demo module (a text-line image in, a string out).",
        "",
        "**The card numbers are random Luhn-valid numbers with issuer-like prefixes, not real cards.** They were drawn",
        "from a seeded random generator; none was taken from any real card or list.",
        "",
        "## Files",
        "",
        "- `images/NNNN.png` — 8-bit RGB PNG, one text line each, 0001–%04d." % len(records),
        f"  Unrotated lines are 48–64 px high; rotated ones are taller because the canvas grows to hold the turned line",
        f"  (heights {min(heights)}–{max(heights)} px, widths {min(widths)}–{max(widths)} px overall).",
        "- `labels.jsonl` — one JSON object per line in sample order:",
        '  `{"image": "images/0001.png", "text": "...", "tags": ["printed", "font:...", "size:...", "field:...", ...]}`.',
        "  `text` is exactly the printed string, spaces included (single spaces between groups).",
        "",
        "## How it was made",
        "",
        "`/usr/bin/python3 tools/render_card_text.py` (Debian's python3 with python3-pil and python3-numpy), seed",
        f"`{SEED}` for every random choice. A re-run on the same Debian packages writes the same bytes. See",
        "tools/README.md.",
        "",
        f"- {counts.get('field:card-number', 0)} card numbers (tag `field:card-number`): {counts.get('field:card-number', 0) - amex} of 16 digits in",
        "  4-4-4-4 groups with Visa-like (4…), Mastercard-like (51–55…, 2221–2720…) or Discover-like (6011…, 65…)",
        f"  prefixes, and {amex} Amex-like ones of 15 digits (34… or 37…) in 4-6-5 groups. All pass the Luhn check.",
        f"- {expiries} expiry dates `MM/YY` (tag `field:expiry`), months 01–12, years 25–35;",
        f"  {prefixed['VALID THRU ']} are printed as `VALID THRU MM/YY`, {prefixed['EXP ']} as `EXP MM/YY` and"
        f" {expiries - sum(prefixed.values())} bare.",
        "- Each line is drawn with one font at a pixel size chosen by its size tag:",
        "  " + ", ".join(f"`size:{k}` {v[0]}–{v[1]} px" for k, v in SIZES.items()) + ",",
        "  on a flat card-like background (white, grey, cream, pale blue/green, silver, gold, navy, black, dark green,",
        "  burgundy) with a contrasting ink colour.",
        f"- {clean} samples are clean (tags `printed`, `font:…`, `size:…`, `field:…` only), {one} carry one variation",
        f"  and {two} carry two:",
        "  - `embossed`: a lighter copy shifted up-left and a darker copy shifted down-right (1–2 px) under the ink, as",
        "    raised characters catch the light;",
        "  - `blur`: Gaussian blur, radius 0.8–1.6 px;",
        "  - `rotated`: turned by 2–6 degrees either way, the canvas expanded to hold it and filled with the background;",
        "  - `noise`: Gaussian luminance noise, σ 6–14 grey levels;",
        "  - `shadow`: a brightness loss of 35–55 %, either a soft gradient towards one end or a soft, possibly slanted",
        "    band across part of the line;",
        "  - `low-contrast`: ink only 45–70 grey levels from the background.",
        "  Order of operations: draw (with embossing and low contrast), shadow, rotation, blur, noise.",
        "",
        "## Tag counts",
        "",
        "| tag | samples |",
        "| --- | ---: |",
    ]
    lines += [f"| `{t}` | {counts[t]} |" for t in sorted(counts, key=tag_order)]
    lines += [
        f"| (clean: no variation tag) | {clean} |",
        "",
        "## Fonts",
        "",
        "| tag | font file | Debian package | licence (from /usr/share/doc/<package>/copyright) |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{f['tag']}` | `{os.path.basename(f['path'])}` | {f['package']} | {f['licence']} |" for f in fonts]
    lines += [
        "",
        "All of these licences permit rendering text with the font and distributing the resulting images: the",
        "Bitstream Vera licence puts no condition on documents made with the fonts, the SIL OFL 1.1 says its terms",
        "do not apply to documents created with the font, the GNU FreeFont exception lets anyone create, publish and",
        "redistribute files made with the unmodified fonts, and OCR-B is public domain / freely usable. No font file is",
        "included here. (fonts-urw-base35 was left out: its AGPL-3 exception names only PostScript and PDF documents.)",
        "",
        "## Licence",
        "",
        "The rendered images and labels are our own work, released under **CC0-1.0** (public-domain dedication):",
        "use them for anything, no attribution required.",
        "",
        "## Measured recognition accuracy",
        "",
        measured if measured is not None else "\n".join([
            MEASURED_BEGIN,
            "Not measured on this exact data yet: run `node tools/check_card_text.mjs --update-dataset-md`.",
            f"(dataset digest `{digest}`)",
            MEASURED_END]),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
