#!/usr/bin/python3
"""Render QualityHub's card-photo demo test set: photos of payment cards with the number, the expiry and the exact
quadrilateral of every text line.

Run with Debian's python3 (not another python3 first on PATH):

    /usr/bin/python3 tools/render_card_photos.py [--out data/demo/card-photos]
    /usr/bin/python3 tools/render_card_photos.py --check [--out data/demo/card-photos]

Writes OUT/images/NNNN.jpg, OUT/labels.jsonl and OUT/DATASET.md, then checks what it wrote (--check only checks).
Everything comes from one seeded random generator, so a re-run on the same Debian packages writes the same bytes.
The fonts, the Luhn helpers and the card-number generator are render_card_text.py's.
"""

import argparse
import io
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import render_card_text as card_text  # noqa: E402  (checks for numpy and Pillow with a message naming the package)

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

SEED = 20261206
COUNT = 320
ROTATED_90 = 10          # cards turned a quarter turn, in a portrait photo
BLANK_CARDS = 3          # a card with no text on it
NO_CARD = 2              # only the table
AMEX_SHARE = 0.1

PHOTO = (480, 320)       # landscape photo; the rotated-90 ones are 320 x 480
SUPERSAMPLE = 2          # the photo is composed at twice the size and box-averaged down
MARGIN = 6               # the card's corners stay at least this far inside the photo (final pixels)
CARD = (856, 540)        # ISO/IEC 7810 ID-1, 85.60 x 53.98 mm at 10 px per mm
CARD_RADIUS = 32         # 3.18 mm corner radius
JPEG_QUALITY = 90

LAYOUTS = ["classic", "low", "top", "compact"]
SANS = ["DejaVu Sans", "Liberation Sans", "FreeSans"]  # issuer words and the small VALID THRU / EXP prefixes

# Card colours: name, colour, and whether the ink is light (on a dark card) or dark (on a light card).
CARD_COLOURS = [
    ("navy", (22, 40, 88), "light"), ("black", (24, 24, 28), "light"), ("graphite", (60, 62, 68), "light"),
    ("burgundy", (100, 24, 42), "light"), ("dark-green", (22, 72, 54), "light"), ("purple", (64, 38, 112), "light"),
    ("petrol", (14, 76, 90), "light"),
    ("white", (244, 244, 240), "dark"), ("silver", (196, 199, 204), "dark"), ("gold", (218, 186, 110), "dark"),
    ("light-blue", (196, 218, 240), "dark"), ("mint", (206, 236, 214), "dark"), ("cream", (240, 228, 196), "dark"),
    ("rose", (242, 208, 216), "dark"),
]
INKS = {"light": [(238, 238, 242), (214, 217, 224), (230, 206, 140)],
        "dark": [(22, 22, 28), (34, 38, 64), (58, 40, 22)]}

# Table colours for the photo background.
TABLE_COLOURS = [(122, 86, 56), (160, 120, 82), (202, 172, 132), (130, 130, 136), (226, 226, 222), (46, 46, 52),
                 (42, 92, 72), (72, 92, 132), (212, 202, 182), (92, 64, 48)]

ISSUERS = ["NORTHWIND BANK", "KESTRELL", "AURORANA", "LUMENIA", "BRIGHTHARBOR", "QUILLSTONE BANK", "VELARIS",
           "OAKMERE CREDIT", "TIDEWAY", "FENWICK & HALE"]
FIRST_NAMES = ["ANNA", "JONAS", "MIRA", "TOBIAS", "LENA", "OSKAR", "ELIF", "RAFAEL", "NORA", "SAMIR", "IDA", "MATEO"]
SURNAMES = ["BRANDVOLD", "KESTEVAN", "OMBERLEY", "FALKHOLM", "DUNMARROW", "PELLINGTON", "ASHGROVE", "VANTERSEN",
            "MORLAINE", "TREVANNE", "QUORNBY", "ELSWATHE"]

# Text height (ink height of the number line in the final photo, mean of its left and right edges) buckets.
NUMBER_HEIGHTS = [("small", 0, 12), ("medium", 12, 17), ("large", 17, 1000)]

TAG_GROUPS = ["layout:", "font:", "digits:", "print:", "expiry-prefix:", "name", "issuer", "chip", "logo",
              "card:", "card-colour:", "card-pattern:", "bg:", "number-height:", "tilt:", "perspective",
              "lighting", "dim", "glare", "blur", "noise", "rotated-90", "no-text", "blank-card", "no-card"]


def fail(message):
    sys.exit(f"render_card_photos.py: {message}")


# ---------------------------------------------------------------------------------------------------------------
# The card, drawn flat at 10 px per mm


def luminance(rgb):
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def jitter(rng, rgb, amount):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in rgb)


def card_background(rng, style, base, polarity):
    """A float HxWx3 card face: flat, a two-colour gradient, or a flat/gradient face with a faint pattern."""
    w, h = CARD
    face = np.empty((h, w, 3), dtype=np.float32)
    face[:] = base
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if style in ("gradient", "pattern") and (style == "gradient" or rng.random() < 0.5):
        # The far colour stays on the same side of mid-grey so the ink keeps its contrast.
        shift = rng.uniform(18, 42) * (1 if polarity == "light" else -1)
        other = np.clip(np.array(base, dtype=np.float32) + shift + rng.uniform(-12, 12, size=3), 0, 255)
        angle = rng.uniform(0, 2 * math.pi)
        proj = (xs - w / 2) * math.cos(angle) + (ys - h / 2) * math.sin(angle)
        t = (proj - proj.min()) / (proj.max() - proj.min())
        face = face * (1 - t[:, :, None]) + other * t[:, :, None]
    if style == "pattern":
        kind = ["stripes", "circles", "waves", "dots"][rng.integers(4)]
        delta = rng.uniform(8, 20) * (1 if rng.random() < 0.5 else -1)
        if kind == "stripes":
            angle = rng.uniform(0, math.pi)
            period = rng.uniform(40, 120)
            proj = xs * math.cos(angle) + ys * math.sin(angle)
            field = (np.sin(proj * 2 * math.pi / period) > 0).astype(np.float32)
        elif kind == "circles":
            field = np.zeros((h, w), dtype=np.float32)
            for _ in range(int(rng.integers(2, 5))):
                cx, cy = rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h
                r = rng.uniform(0.25, 0.6) * w
                field = np.maximum(field, np.clip(r - np.hypot(xs - cx, ys - cy), 0, 2) / 2)
        elif kind == "waves":
            period = rng.uniform(120, 260)
            amp = rng.uniform(20, 60)
            phase = rng.uniform(0, 2 * math.pi)
            field = 0.5 + 0.5 * np.sin((ys + amp * np.sin(xs * 2 * math.pi / period + phase)) * 2 * math.pi / 70)
        else:
            step = rng.uniform(22, 40)
            r = step * rng.uniform(0.15, 0.3)
            dx = (xs % step) - step / 2
            dy = (ys % step) - step / 2
            field = np.clip(r - np.hypot(dx, dy), 0, 1)
        face = face + delta * field[:, :, None]
    return np.clip(face, 0, 255), (kind if style == "pattern" else None)


def card_shape_mask():
    mask = Image.new("L", CARD, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, CARD[0] - 1, CARD[1] - 1), radius=CARD_RADIUS, fill=255)
    return mask


def draw_chip(rng, face, x, y):
    """A contact chip, 11.5 x 8.8 mm, gold or silver, with its contact lines. Returns the box it covers."""
    cw, ch = 115, 88
    metal = [(212, 178, 96), (200, 200, 206), (226, 196, 120)][rng.integers(3)]
    img = Image.fromarray(np.rint(face).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    edge = tuple(int(c * 0.62) for c in metal)
    d.rounded_rectangle((x, y, x + cw, y + ch), radius=14, fill=jitter(rng, metal, 10), outline=edge, width=2)
    d.line((x, y + ch * 0.35, x + cw * 0.33, y + ch * 0.35), fill=edge, width=2)
    d.line((x, y + ch * 0.65, x + cw * 0.33, y + ch * 0.65), fill=edge, width=2)
    d.line((x + cw * 0.67, y + ch * 0.35, x + cw, y + ch * 0.35), fill=edge, width=2)
    d.line((x + cw * 0.67, y + ch * 0.65, x + cw, y + ch * 0.65), fill=edge, width=2)
    d.rounded_rectangle((x + cw * 0.33, y + ch * 0.22, x + cw * 0.67, y + ch * 0.78), radius=8, outline=edge, width=2)
    d.line((x + cw * 0.5, y, x + cw * 0.5, y + ch * 0.22), fill=edge, width=2)
    d.line((x + cw * 0.5, y + ch * 0.78, x + cw * 0.5, y + ch), fill=edge, width=2)
    face[:] = np.asarray(img, dtype=np.float32)
    return (x, y, x + cw, y + ch)


def draw_logo(rng, face, right, top):
    """A network-like mark without text: two overlapping discs, or a rounded block with three bands."""
    img = Image.fromarray(np.rint(face).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img, "RGBA")
    if rng.random() < 0.5:
        r = int(rng.integers(38, 48))
        left = right - int(3.4 * r)
        c1 = [(226, 60, 50), (40, 110, 200), (240, 170, 40)][rng.integers(3)]
        c2 = [(245, 160, 40), (90, 190, 220), (200, 60, 140)][rng.integers(3)]
        d.ellipse((left, top, left + 2 * r, top + 2 * r), fill=c1 + (255,))
        d.ellipse((left + int(1.4 * r), top, left + int(3.4 * r), top + 2 * r), fill=c2 + (215,))
        box = (left, top, right, top + 2 * r)
    else:
        bw, bh = int(rng.integers(120, 150)), int(rng.integers(70, 90))
        left = right - bw
        colours = [(30, 60, 150), (240, 240, 240), (230, 170, 40)]
        d.rounded_rectangle((left, top, right, top + bh), radius=10, fill=colours[0] + (255,))
        d.rectangle((left + 6, top + bh // 3, right - 6, top + 2 * bh // 3), fill=colours[1] + (255,))
        d.rectangle((left + 6, top + 2 * bh // 3, right - 6, top + bh - 8), fill=colours[2] + (255,))
        box = (left, top, right, top + bh)
    face[:] = np.asarray(img.convert("RGB"), dtype=np.float32)
    return box


class TextLayer:
    """One text line rendered into a card-sized coverage mask, with the tight box of its ink."""

    def __init__(self, text, font_path, px, x, y_mid, align="left", relief=0):
        font = ImageFont.truetype(font_path, px)
        left, top, right, bottom = font.getbbox(text)
        width = right - left
        x0 = {"left": x, "right": x - width, "center": x - width / 2}[align]
        y0 = y_mid - (bottom - top) / 2
        mask = Image.new("L", CARD, 0)
        ImageDraw.Draw(mask).text((round(x0 - left), round(y0 - top)), text, font=font, fill=255)
        self.text = text
        self.alpha = np.asarray(mask, dtype=np.float32) / 255.0
        self.relief = relief
        cover = self.alpha > 0
        if relief:
            cover = cover | shifted(cover, -relief) | shifted(cover, relief)
        rows = np.flatnonzero(cover.any(axis=1))
        cols = np.flatnonzero(cover.any(axis=0))
        if len(rows) == 0:
            raise ValueError(f"'{text}' left no ink on the card")
        # Continuous card coordinates: pixel i covers [i, i+1].
        self.box = (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))


def shifted(a, offset):
    """a moved by offset pixels right and down (negative: left and up), zero-filled."""
    out = np.zeros_like(a)
    h, w = a.shape[:2]
    if offset >= 0:
        out[offset:, offset:] = a[:h - offset, :w - offset]
    else:
        o = -offset
        out[:h - o, :w - o] = a[o:, o:]
    return out


def paint(face, layer, ink, background_lum):
    """Composite the line onto the face, only inside its box (which already holds the relief)."""
    x0, y0, x1, y1 = (int(c) for c in layer.box)
    region = face[y0:y1, x0:x1]
    alpha = layer.alpha[:, :, None]
    if layer.relief:
        # Raised characters: a highlight on the upper-left edge and a shadow on the lower-right one.
        light = np.clip(np.array(ink, dtype=np.float32) * 0.5 + 150, 0, 255) if background_lum < 128 \
            else np.array([255, 255, 255], dtype=np.float32)
        dark = np.array([10, 10, 12], dtype=np.float32)
        hi = shifted(alpha, -layer.relief)[y0:y1, x0:x1]
        lo = shifted(alpha, layer.relief)[y0:y1, x0:x1]
        region[:] = region * (1 - 0.55 * hi) + light * 0.55 * hi
        region[:] = region * (1 - 0.6 * lo) + dark * 0.6 * lo
    alpha = alpha[y0:y1, x0:x1]
    region[:] = region * (1 - alpha) + np.array(ink, dtype=np.float32) * alpha


def name_text(rng):
    first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
    last = SURNAMES[rng.integers(len(SURNAMES))]
    form = rng.random()
    if form < 0.2:
        return f"{first[0]} {last}"
    if form < 0.4:
        return f"{first} {chr(ord('A') + int(rng.integers(26)))} {last}"
    return f"{first} {last}"


def expiry_date(rng):
    return f"{rng.integers(1, 13):02d}/{rng.integers(26, 36):02d}"


def overlaps(a, b, gap=6):
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1])


def draw_card(rng, fonts, blank):
    """The flat card: a float HxWx3 face, its text lines (role, layer) and tags."""
    w, h = CARD
    colour_name, base, polarity = CARD_COLOURS[rng.integers(len(CARD_COLOURS))]
    base = jitter(rng, base, 8)
    style = ["flat", "gradient", "pattern"][rng.choice(3, p=[0.35, 0.35, 0.3])]
    face, pattern = card_background(rng, style, base, polarity)
    tags = ["card:" + style, "card-colour:" + colour_name]
    if pattern:
        tags.append("card-pattern:" + pattern)
    bg_lum = luminance(base)
    ink = jitter(rng, INKS[polarity][rng.integers(3)], 6)
    blocks = []  # boxes already taken on the card

    has_chip = rng.random() < 0.75
    has_issuer = not blank and rng.random() < 0.7
    has_logo = rng.random() < 0.55
    if blank:
        if has_chip:
            blocks.append(draw_chip(rng, face, int(rng.integers(80, 101)), int(rng.integers(160, 191))))
            tags.append("chip")
        if has_logo:
            blocks.append(draw_logo(rng, face, w - 55, h - 140))
            tags.append("logo")
        return face, [], tags

    layout = LAYOUTS[rng.integers(len(LAYOUTS))]
    font = fonts[rng.integers(len(fonts))]
    amex = rng.random() < AMEX_SHARE
    number = card_text.card_number(rng, amex)
    embossed = rng.random() < 0.4
    relief = 2 if embossed else 0
    prefix = ["none", "valid-thru", "valid-thru-stacked", "exp"][rng.choice(4, p=[0.45, 0.25, 0.1, 0.2])]
    date = expiry_date(rng)
    has_name = rng.random() < 0.7
    name = name_text(rng) if has_name else None
    sans = [f for f in fonts if f["family"] in SANS]
    issuer_font = sans[rng.integers(len(sans))]
    prefix_font = sans[rng.integers(len(sans))]
    tags = ["layout:" + layout, font["tag"], "digits:15" if amex else "digits:16",
            "print:embossed" if embossed else "print:flat", "expiry-prefix:" + prefix] + tags

    lines = []  # (role, TextLayer)
    issuer_right = rng.random() < 0.5 and layout != "low"
    logo_top = layout in ("low", "compact")

    if has_issuer:
        issuer = ISSUERS[rng.integers(len(ISSUERS))]
        ipx = int(rng.integers(30, 41))
        layer = TextLayer(issuer, issuer_font["path"], ipx, w - 55 if issuer_right else 55,
                          int(rng.integers(62, 80)), "right" if issuer_right else "left")
        lines.append(("other", layer))
        tags.append("issuer")
    if has_logo:
        if logo_top:
            if not (has_issuer and issuer_right):
                blocks.append(draw_logo(rng, face, w - 55, 40))
                tags.append("logo")
        else:
            blocks.append(draw_logo(rng, face, w - 55, h - 140))
            tags.append("logo")

    if layout == "compact":
        nx, npx = int(rng.integers(55, 71)), int(rng.integers(34, 43))
    else:
        nx, npx = int(rng.integers(55, 91)), int(rng.integers(52, 67))
    # Shrink the number until it fits between its left edge and the right margin.
    while ImageFont.truetype(font["path"], npx).getlength(number) > w - 55 - nx:
        npx -= 1
    dpx = max(28, round(npx * rng.uniform(0.6, 0.72))) if layout != "compact" else npx
    mpx = max(26, round(npx * rng.uniform(0.52, 0.64))) if layout != "compact" else max(26, npx - 4)
    ppx = int(rng.integers(18, 25))

    if layout == "classic":
        chip_xy = (int(rng.integers(80, 101)), int(rng.integers(150, 176)))
        number_y = int(rng.integers(296, 321))
        date_at = (round(w * rng.uniform(0.42, 0.55)), int(rng.integers(392, 408)), "left")
        name_at = (nx, int(rng.integers(468, 482)))
    elif layout == "low":
        chip_xy = (int(rng.integers(80, 101)), int(rng.integers(140, 171)))
        number_y = int(rng.integers(362, 386))
        date_at = (w - int(rng.integers(60, 90)), int(rng.integers(458, 472)), "right")
        name_at = (nx, int(rng.integers(458, 472)))
    elif layout == "top":
        chip_xy = (int(rng.integers(80, 101)), int(rng.integers(262, 291)))
        number_y = int(rng.integers(186, 211))
        date_at = (round(w * rng.uniform(0.5, 0.6)), int(rng.integers(330, 346)), "left")
        name_at = (nx, int(rng.integers(462, 478)))
    else:  # compact
        chip_xy = (int(rng.integers(80, 101)), int(rng.integers(156, 186)))
        number_y = int(rng.integers(432, 450))
        date_at = (w - int(rng.integers(55, 70)), number_y, "right")
        name_at = (nx, int(rng.integers(372, 390)))

    if has_chip:
        blocks.append(draw_chip(rng, face, *chip_xy))
        tags.append("chip")

    lines.append(("number", TextLayer(number, font["path"], npx, nx, number_y, relief=relief)))
    date_layer = TextLayer(date, font["path"], dpx, date_at[0], date_at[1], date_at[2], relief=relief)
    lines.append(("expiry", date_layer))
    db = date_layer.box
    if prefix != "none":
        if layout == "compact":
            # Above the date, right-aligned with it: the row beside it holds the number.
            words = ["VALID THRU"] if prefix == "valid-thru" else ["VALID", "THRU"] if prefix == "valid-thru-stacked" \
                else ["EXP"]
            y, stack = db[1] - 8 - ppx * 0.4, []
            for word in reversed(words):  # placed bottom-up, recorded top-down
                stack.insert(0, ("other", TextLayer(word, prefix_font["path"], ppx, db[2], y, "right")))
                y = stack[0][1].box[1] - 6 - ppx * 0.4
            lines += stack
        else:
            right_edge = db[0] - int(rng.integers(12, 22))
            mid = (db[1] + db[3]) / 2
            if prefix == "valid-thru-stacked":
                spx = max(15, ppx - 3)
                for word, y in (("VALID", mid - spx * 0.55), ("THRU", mid + spx * 0.55)):
                    lines.append(("other", TextLayer(word, prefix_font["path"], spx, right_edge, y, "right")))
            else:
                word = "VALID THRU" if prefix == "valid-thru" else "EXP"
                lines.append(("other", TextLayer(word, prefix_font["path"], ppx, right_edge, mid, "right")))
    if has_name:
        lines.append(("name", TextLayer(name, font["path"], mpx, name_at[0], name_at[1], relief=relief)))
        tags.append("name")

    # Nothing may touch anything else: a layout change that breaks this should fail loudly, not draw over text.
    boxes = [layer.box for _, layer in lines] + blocks
    for i in range(len(boxes)):
        assert 0 <= boxes[i][0] and boxes[i][2] <= w and 0 <= boxes[i][1] and boxes[i][3] <= h, (layout, boxes[i])
        for j in range(i + 1, len(boxes)):
            assert not overlaps(boxes[i], boxes[j], 4), (layout, [ln.text for _, ln in lines], boxes[i], boxes[j])

    for _, layer in lines:
        paint(face, layer, ink, bg_lum)
    return face, lines, tags


# ---------------------------------------------------------------------------------------------------------------
# The photo


def homography(src, dst):
    """The 3x3 matrix H with H·(x, y, 1) ∝ (u, v, 1) for four point pairs (x, y) → (u, v)."""
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        b += [u, v]
    h = np.linalg.solve(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64))
    return np.append(h, 1.0).reshape(3, 3)


def apply(h, points):
    out = []
    for x, y in points:
        u, v, s = h @ np.array([x, y, 1.0])
        out.append((u / s, v / s))
    return out


def placement(rng, size, rot90):
    """Where the card's four corners land in the photo: scale, rotation, optional keystone, position."""
    pw, ph = size
    w, h = CARD
    tilt = rng.uniform(-12, 12)
    turn = 0.0
    if rot90:
        turn = 90.0 if rng.random() < 0.5 else -90.0
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    moved = [list(c) for c in corners]
    perspective = rng.random() < 0.75
    if perspective:
        # Keystone: the far edge (one of four) shrinks by 2-6 % of the card on each side, then each corner moves by
        # up to 2 % more at random; no corner moves more than 8 % of the card's width (x) or height (y).
        # The far edge's two corners, and the axis along which they move towards each other.
        first, second, axis = [(0, 1, 0), (1, 2, 1), (3, 2, 0), (0, 3, 1)][rng.integers(4)]  # top, right, bottom, left
        k = rng.uniform(0.02, 0.06) * CARD[axis]
        moved[first][axis] += k
        moved[second][axis] -= k
        for c in moved:
            c[0] += rng.uniform(-0.02, 0.02) * w
            c[1] += rng.uniform(-0.02, 0.02) * h
    theta = math.radians(tilt + turn)
    cos, sin = math.cos(theta), math.sin(theta)
    rotated = [((x - w / 2) * cos - (y - h / 2) * sin, (x - w / 2) * sin + (y - h / 2) * cos) for x, y in moved]
    long_side = ph if rot90 else pw
    target = rng.uniform(0.55, 0.82) * long_side / w
    xs, ys = [p[0] for p in rotated], [p[1] for p in rotated]
    fit = min((pw - 2 * MARGIN) / (max(xs) - min(xs)), (ph - 2 * MARGIN) / (max(ys) - min(ys)))
    scale = min(target, fit)
    lo_x, hi_x = MARGIN - scale * min(xs), pw - MARGIN - scale * max(xs)
    lo_y, hi_y = MARGIN - scale * min(ys), ph - MARGIN - scale * max(ys)
    # When the fit decided the scale, one range is empty but for rounding: centre the card along that axis.
    cx = rng.uniform(lo_x, hi_x) if hi_x > lo_x else (lo_x + hi_x) / 2
    cy = rng.uniform(lo_y, hi_y) if hi_y > lo_y else (lo_y + hi_y) / 2
    dst = [(cx + scale * x, cy + scale * y) for x, y in rotated]
    return homography(corners, dst), tilt, perspective


def value_noise(rng, size, cells, stretch=1.0):
    """Smooth noise in [0, 1]: a random grid of cells x cells (stretched along x) resized up bicubically."""
    w, h = size
    gw, gh = max(2, int(cells / stretch)), max(2, cells)
    grid = rng.random((gh, gw)).astype(np.float32)
    return np.asarray(Image.fromarray(grid, "F").resize((w, h), Image.BICUBIC), dtype=np.float32)


def table(rng, size):
    """The surface the card lies on: plain, a gradient, or a noise texture (isotropic or wood-like streaks)."""
    w, h = size
    kind = ["plain", "gradient", "noise"][rng.integers(3)]
    base = np.array(jitter(rng, TABLE_COLOURS[rng.integers(len(TABLE_COLOURS))], 10), dtype=np.float32)
    img = np.empty((h, w, 3), dtype=np.float32)
    img[:] = base
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "gradient":
        other = np.clip(base + rng.uniform(-60, 60) + rng.uniform(-15, 15, size=3), 0, 255)
        angle = rng.uniform(0, 2 * math.pi)
        proj = (xs - w / 2) * math.cos(angle) + (ys - h / 2) * math.sin(angle)
        t = (proj - proj.min()) / (proj.max() - proj.min())
        img = img * (1 - t[:, :, None]) + other * t[:, :, None]
    elif kind == "noise":
        stretch = 8.0 if rng.random() < 0.5 else 1.0
        field = 0.6 * value_noise(rng, size, 6, stretch) + 0.3 * value_noise(rng, size, 24, stretch) \
            + 0.1 * value_noise(rng, size, 96, stretch)
        amount = rng.uniform(25, 55)
        img = img + (field[:, :, None] - 0.5) * amount * 2
    # A soft vignette, as a phone camera shows.
    r = np.hypot((xs - w / 2) / (w / 2), (ys - h / 2) / (h / 2))
    img = img * (1 - rng.uniform(0.05, 0.2) * np.clip(r - 0.4, 0, None)[:, :, None])
    return np.clip(img, 0, 255), "bg:" + kind


def compose(rng, face, h_card, size, with_card):
    """Table, the card's soft shadow and the warped card at SUPERSAMPLE x, box-averaged down to size."""
    big = (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE)
    background, bg_tag = table(rng, big)
    if not with_card:
        return Image.fromarray(np.rint(background).astype(np.uint8), "RGB").reduce(SUPERSAMPLE), bg_tag
    m = np.diag([SUPERSAMPLE, SUPERSAMPLE, 1.0]) @ h_card
    inv = np.linalg.inv(m)
    inv = inv / inv[2, 2]
    coeffs = tuple(float(c) for c in inv.flatten()[:8])
    card_img = Image.fromarray(np.rint(face).astype(np.uint8), "RGB")
    edge = tuple(int(c) for c in face.reshape(-1, 3).mean(axis=0))
    warped = np.asarray(card_img.transform(big, Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=edge),
                        dtype=np.float32)
    mask = card_shape_mask().transform(big, Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=0)
    alpha = np.asarray(mask, dtype=np.float32)[:, :, None] / 255.0
    # The card's shadow on the table: the mask moved down-right, blurred, darkening by 25-45 %.
    off = (int(rng.integers(3, 12)), int(rng.integers(3, 12)))
    shadow = Image.new("L", big, 0)
    shadow.paste(mask, off)
    shadow = np.asarray(shadow.filter(ImageFilter.GaussianBlur(rng.uniform(5, 10))), dtype=np.float32) / 255.0
    background = background * (1 - rng.uniform(0.25, 0.45) * shadow[:, :, None])
    photo = background * (1 - alpha) + warped * alpha
    return Image.fromarray(np.clip(np.rint(photo), 0, 255).astype(np.uint8), "RGB").reduce(SUPERSAMPLE), bg_tag


def effects(rng, image, h_card, with_card):
    """Lighting gradient, dimming, glare, blur and sensor noise, each on some photos. Returns the image and tags."""
    w, h = image.size
    tags = []
    lighting = rng.random() < 0.45
    dim = rng.random() < 0.12
    glare = with_card and rng.random() < 0.25
    blur = rng.random() < 0.3
    noise = dim or rng.random() < 0.3
    px = np.asarray(image, dtype=np.float32)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if lighting:
        contrast = rng.uniform(0.7, 0.95)
        mean = px.mean()
        px = (px - mean) * contrast + mean
        angle = rng.uniform(0, 2 * math.pi)
        proj = ((xs - w / 2) * math.cos(angle) + (ys - h / 2) * math.sin(angle)) / max(w, h)
        depth = rng.uniform(0.3, 0.6)
        px = px * (1 + depth * proj)[:, :, None]
        tags.append("lighting")
    if dim:
        px = px * rng.uniform(0.5, 0.7)
        tags.append("dim")
    if glare:
        # A soft bright ellipse centred somewhere on the card.
        u, v = rng.uniform(0.15, 0.85) * CARD[0], rng.uniform(0.15, 0.85) * CARD[1]
        (cx, cy), = apply(h_card, [(u, v)])
        ra = rng.uniform(0.12, 0.3) * w
        rb = ra * rng.uniform(0.35, 0.8)
        angle = rng.uniform(0, math.pi)
        dx, dy = xs - cx, ys - cy
        a = (dx * math.cos(angle) + dy * math.sin(angle)) / ra
        b = (-dx * math.sin(angle) + dy * math.cos(angle)) / rb
        strength = rng.uniform(0.4, 0.75)
        weight = strength * np.exp(-(a * a + b * b) * 1.5)
        px = px + (255 - px) * weight[:, :, None]
        tags.append("glare")
    image = Image.fromarray(np.clip(np.rint(px), 0, 255).astype(np.uint8), "RGB")
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.7, 1.6))))
        tags.append("blur")
    if noise:
        px = np.asarray(image, dtype=np.float32)
        sigma = rng.uniform(3, 8)
        px = px + rng.normal(0, sigma, size=(h, w))[:, :, None] + rng.normal(0, sigma / 4, size=(h, w, 3))
        image = Image.fromarray(np.clip(np.rint(px), 0, 255).astype(np.uint8), "RGB")
        tags.append("noise")
    return image, tags


def jpeg_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling="4:2:0", optimize=False, progressive=False)
    return buffer.getvalue()


def number_height(points):
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    return (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2


def render_photo(rng, fonts, kind):
    rot90 = kind == "rotated-90"
    size = (PHOTO[1], PHOTO[0]) if rot90 else PHOTO
    with_card = kind != "no-card"
    tags = []
    lines, h_card = [], None
    if with_card:
        face, layers, card_tags = draw_card(rng, fonts, blank=kind == "blank-card")
        h_card, tilt, perspective = placement(rng, size, rot90)
        tags += card_tags
        tags.append("tilt:" + ("low" if abs(tilt) < 4 else "mid" if abs(tilt) < 8 else "high"))
        if perspective:
            tags.append("perspective")
        for role, layer in layers:
            x0, y0, x1, y1 = layer.box
            quad = apply(h_card, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
            lines.append({"role": role, "text": layer.text,
                          "points": [[round(x, 1), round(y, 1)] for x, y in quad]})
    else:
        face = None
    image, bg_tag = compose(rng, face, h_card, size, with_card)
    image, effect_tags = effects(rng, image, h_card, with_card)
    tags.append(bg_tag)
    number = next((ln for ln in lines if ln["role"] == "number"), None)
    if number:
        height = number_height(number["points"])
        tags.append("number-height:" + next(n for n, lo, hi in NUMBER_HEIGHTS if lo <= height < hi))
    tags += effect_tags
    if rot90:
        tags.append("rotated-90")
    if kind in ("blank-card", "no-card"):
        tags += ["no-text", kind]
    record = {"number": number["text"] if number else "",
              "expiry": next((ln["text"] for ln in lines if ln["role"] == "expiry"), ""),
              "lines": lines, "tags": sorted(tags, key=tag_order)}
    return image, record


def tag_order(t):
    for i, g in enumerate(TAG_GROUPS):
        if t == g or (g.endswith(":") and t.startswith(g)):
            return (i, t)
    return (len(TAG_GROUPS), t)


# ---------------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "demo",
                                                      "card-photos"))
    parser.add_argument("--check", action="store_true", help="only check an existing OUT (labels, Luhn, boxes on ink)")
    args = parser.parse_args()
    out = os.path.normpath(args.out)
    if args.check:
        sys.exit(0 if check(out)[0] else 1)
    fonts = card_text.load_fonts()

    rng = np.random.default_rng(SEED)
    kinds = ["rotated-90"] * ROTATED_90 + ["blank-card"] * BLANK_CARDS + ["no-card"] * NO_CARD
    kinds += ["card"] * (COUNT - len(kinds))
    kinds = [kinds[i] for i in rng.permutation(COUNT)]

    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    for stale in os.listdir(os.path.join(out, "images")):
        if stale.endswith(".jpg"):
            os.remove(os.path.join(out, "images", stale))

    records, sizes = [], []
    for index in range(COUNT):
        image, record = render_photo(rng, fonts, kinds[index])
        name = f"images/{index + 1:04d}.jpg"
        data = jpeg_bytes(image)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        records.append({"image": name, **record})
        sizes.append(len(data))

    labels = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    with open(os.path.join(out, "labels.jsonl"), "wb") as f:
        f.write(labels)
    total = sum(sizes) + len(labels)
    print(f"wrote {COUNT} photos and labels.jsonl to {out} ({total / 1e6:.2f} MB)")
    ok, summary = check(out)
    with open(os.path.join(out, "DATASET.md"), "w", encoding="utf-8") as f:
        f.write(describe(records, fonts, sizes, len(labels), summary))
    print(f"wrote {os.path.join(out, 'DATASET.md')}")
    if not ok:
        sys.exit(1)


# ---------------------------------------------------------------------------------------------------------------
# The check


def quad_mask(size, points):
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon([tuple(p) for p in points], fill=255)
    return np.asarray(mask) > 0


def grown(points, by):
    """The quadrilateral pushed outwards by `by` of its height on every side (along its own edges)."""
    p = np.array(points, dtype=np.float64)
    across = ((p[3] - p[0]) + (p[2] - p[1])) / 2   # top → bottom
    along = ((p[1] - p[0]) + (p[2] - p[3])) / 2    # left → right
    height = np.linalg.norm(across)
    a = across / height * height * by
    b = along / np.linalg.norm(along) * height * by
    return (p + np.array([-a - b, -a + b, a + b, a - b])).tolist()


# Least contrast (grey levels) a number or expiry box must show against the band around it. On the committed set the
# smallest is 12.4 (under glare) and the median about 37; copies of the boxes moved two line heights away from any
# text show a median of 1.1 — but up to 50 where they land on a chip, a logo or the card's edge, so passing says the
# box holds ink, not that it is exactly where the ink is (the demo boxes were also looked at, drawn on the photos).
MIN_INK_CONTRAST = 8


def ink_contrast(grey, points):
    """How far the mean grey inside the quadrilateral is from a band around it (0.35 of the line's height wide).

    Returns the larger of two measures and the second one: the plain difference of the means, and the difference
    after subtracting a quadratic surface fitted to the band, so that a glare or lighting gradient across the line
    does not hide the ink (or fake it)."""
    size = (grey.shape[1], grey.shape[0])
    inside = quad_mask(size, points)
    band = quad_mask(size, grown(points, 0.35)) & ~inside
    plain = abs(grey[inside].mean() - grey[band].mean())
    ys, xs = np.nonzero(band)
    cx, cy, scale = xs.mean(), ys.mean(), max(np.ptp(xs), np.ptp(ys), 1)

    def terms(x, y):
        x, y = (x - cx) / scale, (y - cy) / scale
        return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)

    coef, *_ = np.linalg.lstsq(terms(xs, ys), grey[band], rcond=None)
    iy, ix = np.nonzero(inside)
    flat = abs((grey[inside] - terms(ix, iy) @ coef).mean())
    return max(plain, flat), flat


def check(out):
    """Re-read labels.jsonl and the photos: Luhn, months, boxes inside the photo, and boxes on ink."""
    problems = []
    records = [json.loads(line) for line in open(os.path.join(out, "labels.jsonl"), encoding="utf-8")]
    if len(records) != COUNT:
        problems.append(f"{len(records)} records, expected {COUNT}")
    contrasts = []
    for i, r in enumerate(records):
        where = r["image"]
        if r["image"] != f"images/{i + 1:04d}.jpg":
            problems.append(f"record {i + 1} names {r['image']}")
        image = Image.open(os.path.join(out, r["image"]))
        if image.format != "JPEG" or image.size not in (PHOTO, (PHOTO[1], PHOTO[0])):
            problems.append(f"{where}: {image.format} {image.size}")
        w, h = image.size
        roles = [ln["role"] for ln in r["lines"]]
        if "no-text" in r["tags"]:
            if r["number"] or r["expiry"] or r["lines"]:
                problems.append(f"{where}: tagged no-text but has text")
            continue
        if roles.count("number") != 1 or roles.count("expiry") != 1 or roles.count("name") > 1:
            problems.append(f"{where}: roles {roles}")
            continue
        digits = r["number"].replace(" ", "")
        groups = [len(g) for g in r["number"].split(" ")]
        if not digits.isdigit() or not card_text.luhn_valid(digits) or groups not in ([4, 4, 4, 4], [4, 6, 5]):
            problems.append(f"{where}: number '{r['number']}' is not a Luhn-valid 4-4-4-4 or 4-6-5 number")
        month, _, year = r["expiry"].partition("/")
        if not (len(r["expiry"]) == 5 and month.isdigit() and year.isdigit() and 1 <= int(month) <= 12):
            problems.append(f"{where}: expiry '{r['expiry']}'")
        for ln in r["lines"]:
            if ln["role"] not in ("number", "expiry", "name", "other") or len(ln["points"]) != 4:
                problems.append(f"{where}: line {ln}")
            if ln["role"] in ("number", "expiry") and ln["text"] != r[ln["role"]]:
                problems.append(f"{where}: line text '{ln['text']}' differs from the record's {ln['role']}")
            for x, y in ln["points"]:
                if not (-2 <= x <= w + 2 and -2 <= y <= h + 2):
                    problems.append(f"{where}: {ln['role']} point ({x}, {y}) outside {w}x{h}")
            # Clockwise from the text's top-left (image y points down): positive shoelace area.
            p = ln["points"]
            area = sum(p[k][0] * p[(k + 1) % 4][1] - p[(k + 1) % 4][0] * p[k][1] for k in range(4)) / 2
            if area <= 0:
                problems.append(f"{where}: {ln['role']} quadrilateral is not clockwise")
        # The number's and the expiry's boxes hold ink: their mean grey differs from a band just outside them.
        grey = np.asarray(image.convert("L"), dtype=np.float64)
        for ln in r["lines"]:
            if ln["role"] not in ("number", "expiry"):
                continue
            diff, flat = ink_contrast(grey, ln["points"])
            glare = "glare" in r["tags"]
            contrasts.append((diff, where, ln["role"], glare))
            if diff < MIN_INK_CONTRAST:
                problems.append(f"{where}: {ln['role']} box barely differs from its surroundings "
                                f"({diff:.1f} grey levels; {flat:.1f} after removing the light's slope)")
    contrasts.sort()
    summary = []
    for glare in (False, True):
        some = [c for c in contrasts if c[3] == glare]
        if some:
            smallest, median = some[0], some[len(some) // 2]
            summary.append(f"{'under glare' if glare else 'without glare'}: {len(some)} boxes, smallest "
                           f"{smallest[0]:.1f} ({smallest[1]}, {smallest[2]}), median {median[0]:.1f} grey levels")
    print(f"check: {len(records)} records; ink contrast of the number and expiry boxes against a band around them:")
    for line in summary:
        print("check:   " + line)
    for p in problems:
        print("check: " + p)
    print("check: " + ("ok" if not problems else f"{len(problems)} problems"))
    return not problems, summary


# ---------------------------------------------------------------------------------------------------------------
# DATASET.md


def describe(records, fonts, sizes, labels_size, check_summary):
    counts = {}
    for r in records:
        for t in r["tags"]:
            counts[t] = counts.get(t, 0) + 1
    roles = {}
    for r in records:
        for ln in r["lines"]:
            roles[ln["role"]] = roles.get(ln["role"], 0) + 1
    texts = [r for r in records if r["lines"]]
    heights = sorted(number_height(next(ln for ln in r["lines"] if ln["role"] == "number")["points"]) for r in texts)
    amex = counts.get("digits:15", 0)
    per_photo = {}
    for r in texts:
        per_photo[len(r["lines"])] = per_photo.get(len(r["lines"]), 0) + 1
    no_text = counts.get("no-text", 0)
    example = texts[0]
    example_line = next(ln for ln in example["lines"] if ln["role"] == "number")

    def count(tag):
        return counts.get(tag, 0)

    def table_of(group):
        rows = [t for t in sorted(counts, key=tag_order) if any(t == g or (g.endswith(":") and t.startswith(g))
                                                                for g in group)]
        return [f"| `{t}` | {counts[t]} |" for t in rows]

    lines = [
        "# card-photos — demo test set for card photo → card number and expiry",
        "",
        f"{len(records)} rendered photos of payment cards lying on a table, each with the card number, the expiry date",
        "and the exact quadrilateral of every text line on the card, for the module pipelines of issue #22 (a photo",
        "in; the card number and the expiry out, through text detection and recognition).",
        "",
        "**The card numbers are random Luhn-valid numbers with issuer-like prefixes, not real cards.** They were drawn",
        "from a seeded random generator; none was taken from any real card or list. The cardholder names and issuer",
        "words are made up from small invented lists; the logos are coloured shapes without text.",
        "",
        "## Files",
        "",
        f"- `images/NNNN.jpg` — 0001–{len(records):04d}, baseline JPEG quality {JPEG_QUALITY}, 4:2:0 chroma subsampling,",
        f"  {PHOTO[0]} × {PHOTO[1]} px; the {count('rotated-90')} photos tagged `rotated-90` are {PHOTO[1]} × {PHOTO[0]}.",
        f"  {len(sizes)} files, {sum(sizes) / 1e6:.2f} MB together ({min(sizes) / 1e3:.0f}–{max(sizes) / 1e3:.0f} KB each).",
        "- `labels.jsonl` — one JSON object per photo in order"
        f" ({labels_size / 1e3:.0f} KB):",
        "",
        "  ```",
        f'  {{"image": "{example["image"]}", "number": "{example["number"]}", "expiry": "{example["expiry"]}",',
        f'   "lines": [{json.dumps(example_line, ensure_ascii=False)}, ...],',
        f'   "tags": [{", ".join(json.dumps(t) for t in example["tags"][:3])}, ...]}}',
        "  ```",
        "",
        "  - `number` is the card number exactly as printed: 16 digits in groups of 4-4-4-4 or 15 in 4-6-5, single",
        "    spaces between the groups. `expiry` is `MM/YY`. Both are empty strings on the photos tagged `no-text`,",
        "    whose `lines` is empty.",
        "  - `lines` holds every text line drawn on the card, in drawing order: `role` is `number`, `expiry`, `name`",
        "    (the cardholder) or `other` (the issuer word and the `VALID THRU` / `EXP` prefix); `text` is exactly the",
        "    drawn string.",
        "  - **The expiry line is the date alone.** `VALID THRU` or `EXP` is drawn as separate, smaller text beside or",
        "    above the date and recorded as its own line with role `other`: `VALID THRU` as one line, or, when stacked",
        "    (`expiry-prefix:valid-thru-stacked`), `VALID` and `THRU` as two lines. So a recogniser cropped to the",
        "    `expiry` box should read `MM/YY` and nothing else.",
        "  - `points` are the four corners of the line's ink in the final photo's pixel coordinates, x to the right and",
        "    y down, pixel (0, 0) covering [0, 1] × [0, 1] (so its centre is at 0.5, 0.5), rounded to 0.1 px. They run",
        "    clockwise from the **text's own top-left**: top-left, top-right, bottom-right, bottom-left as the text",
        "    reads. On a `rotated-90` photo the first point is therefore not the corner nearest the image's top-left.",
        "  - The corners are computed, not measured: the tight box of the line's ink on the flat card (every pixel the",
        "    anti-aliased glyphs touch, plus the 2-px relief of embossed lines) is mapped through the same homography",
        "    that warps the card into the photo. Blur spreads ink up to about a pixel beyond the box; glare can wash",
        "    part of a line out. The points stay inside the photo.",
        "- `DATASET.md` — this file, written by the script.",
        "",
        "## How it was made",
        "",
        "`/usr/bin/python3 tools/render_card_photos.py` (Debian's python3 with python3-pil and python3-numpy), seed",
        f"`{SEED}` for every random choice (one numpy `default_rng`). A re-run on the same Debian packages writes the",
        "same bytes. The fonts, the Luhn helpers and the card-number generator are `tools/render_card_text.py`'s. See",
        "tools/README.md.",
        "",
        "### The card",
        "",
        f"Drawn flat at 10 px per mm: {CARD[0]} × {CARD[1]} px for ISO/IEC 7810 ID-1 (85.60 × 53.98 mm), corners rounded",
        "at 3.18 mm.",
        "",
        f"- **Face** (`card:`): flat ({count('card:flat')}), a two-colour linear gradient in a random direction"
        f" ({count('card:gradient')}), or",
        f"  a faint pattern — stripes, circles, waves or dots, 8–20 grey levels deep — on a flat or gradient face"
        f" ({count('card:pattern')}).",
        f"  {len(CARD_COLOURS)} colours (`card-colour:`); light ink on the seven dark ones, dark ink on the seven light ones.",
        f"- **Number** (`digits:`): {count('digits:16')} of 16 digits in 4-4-4-4 groups with Visa-like (4…),"
        " Mastercard-like",
        f"  (51–55…, 2221–2720…) or Discover-like (6011…, 65…) prefixes and {amex} Amex-like ones of 15 digits (34…, 37…)",
        "  in 4-6-5 groups. All pass the Luhn check.",
        "- **Expiry**: `MM/YY`, months 01–12, years 26–35, with a prefix as tagged (`expiry-prefix:`): none, `VALID THRU`",
        "  on one line, `VALID` over `THRU`, or `EXP`.",
        f"- **Name** (`name`, {count('name')}): `FIRST LAST`, `F LAST` or `FIRST M LAST` from 12 invented first names and",
        f"  12 invented surnames. **Issuer word** (`issuer`, {count('issuer')}): one of {len(ISSUERS)} invented words,"
        " top left or top right.",
        f"  **Chip** (`chip`, {count('chip')}): a gold or silver contact plate. **Logo** (`logo`, {count('logo')}):"
        " two overlapping",
        "  discs or a banded block, no text.",
        "- **Fonts** (`font:`): the number, the date and the name share one of the seven fonts below; the issuer word and",
        "  the prefix each use one of DejaVu Sans, Liberation Sans and FreeSans. Sizes on the card: number 52–66 px",
        "  (34–42 px in `layout:compact`), shrunk until it fits the card's width; date 0.60–0.72 of the number's size,",
        "  at least 28 px (the same size in `compact`); name 0.52–0.64 of it (4 px smaller in `compact`), at least",
        "  26 px; issuer 30–40 px; prefix 18–24 px (15–21 px stacked).",
        "- **Print** (`print:`): `flat`, or `embossed` — the number, the date and the name get a highlight 2 px up-left",
        "  and a shadow 2 px down-right, as raised characters catch the light. The issuer and the prefix are flat.",
        "- **Layout** (`layout:`), which moves the number and the rest:",
        "",
        "  | layout | number | expiry date | name | chip | logo |",
        "  | --- | --- | --- | --- | --- | --- |",
        "  | `classic` | a little below the middle (29.6–32.0 mm from the top) | below the number, starting 42–55 % across |"
        " bottom left | above the number, left | bottom right |",
        "  | `low` | low (36.2–38.5 mm) | bottom row, right-aligned | bottom row, left | upper left | top right"
        " (issuer top left) |",
        "  | `top` | upper third (18.6–21.0 mm) | right of the chip, 50–60 % across | bottom left |"
        " below the number, left | bottom right |",
        "  | `compact` | small, bottom left (43.2–44.9 mm) | same row, right-aligned; prefix above it | above the number |"
        " left, high | top right unless the issuer is there |",
        "",
        "  The script asserts that no text line, chip or logo touches another.",
        "",
        "### The photo",
        "",
        f"The card is warped into the photo by a homography from its four corners. The photo is composed at"
        f" {SUPERSAMPLE}× size",
        "(bicubic warp) and box-averaged down, then the effects below are applied, then it is saved as JPEG.",
        "",
        "- **Placement**: the card's long side is 55–82 % of the photo's long side, shrunk when needed so that every",
        f"  corner stays at least {MARGIN} px inside the photo; rotation uniform in ±12° (`tilt:low` under 4°,"
        " `tilt:mid` 4–8°,",
        "  `tilt:high` 8–12°); a random position where it fits.",
        f"- **Perspective** (`perspective`, {count('perspective')}): one edge (top, right, bottom or left) is"
        " foreshortened —",
        "  its two corners move inwards by 2–6 % of the card's width or height — and every corner then moves by up to",
        "  2 % more in x and y at random; no corner moves more than 8 % of the card's size. The others are only scaled,",
        "  rotated and moved.",
        f"- **Rotated 90°** (`rotated-90`, {count('rotated-90')}): the card is turned a quarter turn (clockwise or",
        f"  anticlockwise at random) on top of its tilt, in a {PHOTO[1]} × {PHOTO[0]} photo, so the text runs up or"
        " down the image.",
        "- **Table** (`bg:`): plain, a linear two-colour gradient, or noise (smooth value noise at three scales, half",
        "  of it stretched eightfold along x like wood grain), in ten table colours, with a 5–20 % vignette. The",
        "  card always casts a soft shadow on it (25–45 % darker, offset 1.5–5.5 px).",
        f"- **No text** (`no-text`, {no_text}): {count('blank-card')} blank cards (`blank-card`: a card face with only"
        f" a chip and/or a logo) and {count('no-card')}",
        "  photos of the table alone (`no-card`), for the pipeline's bad-input cases.",
        "- **Effects**, in this order:",
        "  - `lighting`: contrast ×0.70–0.95 about the mean, then a linear brightness ramp in a random direction,",
        "    about ±15–30 % at the photo's edges;",
        "  - `dim`: everything ×0.50–0.70 (always with `noise`);",
        "  - `glare` (card photos only): a soft elliptical spot centred on the card that blends towards white by 40–75 %",
        "    at its centre with a Gaussian fall-off (to a fifth of that at 12–30 % of the photo's width along its long",
        "    axis, 0.35–0.8 of that across);",
        "  - `blur`: Gaussian, radius 0.7–1.6 px;",
        "  - `noise`: sensor noise, Gaussian luminance σ 3–8 grey levels plus colour noise of a quarter of that.",
        "- **Number height** (`number-height:`): the number line's ink height in the photo (the mean of its quadrilateral's"
        " left",
        "  and right edges): `small` under 12 px, `medium` 12–17 px, `large` 17 px or more. Over all"
        f" {len(heights)} numbers: {heights[0]:.1f}–{heights[-1]:.1f} px,",
        f"  median {heights[len(heights) // 2]:.1f} px.",
        "",
        "## Tag counts",
        "",
        "Tags are what a gallery can slice by. Every photo with text has one `layout:`, `font:`, `digits:`, `print:`,",
        "`expiry-prefix:`, `card:`, `card-colour:`, `bg:`, `number-height:` and `tilt:` tag; the blank cards have only",
        "the `card…`, `bg:` and `tilt:` ones and the photos without a card only `bg:`. The other tags are present only",
        "when the thing is.",
        "",
        "| tag | photos |",
        "| --- | ---: |",
    ]
    lines += table_of(["layout:", "font:", "digits:", "print:", "expiry-prefix:", "name", "issuer", "chip", "logo"])
    lines += table_of(["card:", "card-colour:", "card-pattern:", "bg:"])
    lines += table_of(["number-height:", "tilt:", "perspective", "rotated-90"])
    lines += table_of(["lighting", "dim", "glare", "blur", "noise"])
    effect_tags = ("lighting", "dim", "glare", "blur", "noise")
    untouched = sum(1 for r in records if not any(t in r["tags"] for t in effect_tags))
    lines += [f"| (none of `lighting`, `dim`, `glare`, `blur`, `noise`) | {untouched} |"]
    lines += table_of(["no-text", "blank-card", "no-card"])
    lines += [
        "",
        "| line role | lines |",
        "| --- | ---: |",
    ]
    lines += [f"| `{role}` | {roles.get(role, 0)} |" for role in ("number", "expiry", "name", "other")]
    lines += [
        "",
        "Lines per photo with text: " + ", ".join(f"{n} lines on {per_photo[n]}" for n in sorted(per_photo)) + ".",
        "",
        "## Checked",
        "",
        "`/usr/bin/python3 tools/render_card_photos.py --check` re-reads labels.jsonl and the photos (the render runs it",
        "at the end): every number has 4-4-4-4 or 4-6-5 groups and passes the Luhn check, every expiry is `MM/YY` with",
        "a month 01–12, the `number` and `expiry` fields equal their lines' text, every corner lies inside the photo",
        "(within 2 px), every quadrilateral runs clockwise, the `no-text` photos have no text, and each number and",
        "expiry box holds ink: its mean grey differs from a band around it (0.35 of the line's height wide) by at least",
        f"{MIN_INK_CONTRAST} grey levels, taking the larger of the plain difference and the difference after removing a",
        "quadratic light slope fitted to the band (so that a glare or lighting gradient across the line neither hides",
        "nor fakes the ink). On this data:",
        "",
    ]
    lines += [f"- {line}" for line in check_summary]
    lines += [
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
        "included here.",
        "",
        "## Licence",
        "",
        "The rendered photos and labels are generated by the project's own script from nothing but random numbers and",
        "the fonts above, and are released by the project under **CC0-1.0** (public-domain dedication): use them for",
        "anything, no attribution required.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
