#!/usr/bin/env python3
"""Reference values for QualityHub's drift measures and input descriptors, computed with SciPy and NumPy.

Writes tests/QualityHub.Core.Tests/Drift/reference-drift.json: seeded binned samples (a reference and a window over the
same bins, some alike, some drifted) with the measures SciPy gives for them, and seeded small images with the input
descriptors NumPy gives — so DriftReferenceTests and the Client's tests feed the same inputs to our C# code and compare.
Run with Debian's python3 (apt-get install python3-scipy):

    /usr/bin/python3 tools/drift_reference.py

What is ours and what is SciPy's: the binning, PSI's decile groups and epsilon, and the pooling of sparse chi-square
categories are QualityHub's rules (docs/decisions/018), applied here the same way; every statistic and p-value on top
of them is SciPy's (jensenshannon, ks_2samp, kstwobign, chi2_contingency, chi2).
"""
import json
import os

import numpy as np
from scipy import stats
from scipy.spatial import distance

SEED = 20261206
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "QualityHub.Core.Tests", "Drift", "reference-drift.json")
PSI_EPS = 1e-4
MIN_EXPECTED = 5


def decile_groups(reference):
    total = sum(reference)
    groups, before = [], 0
    for count in reference:
        groups.append(0 if total == 0 else min(9, (10 * before) // total))
        before += count
    return groups


def group(counts, groups):
    out = [0] * (max(groups) + 1)
    for c, g in zip(counts, groups):
        out[g] += c
    return out


def psi(reference, window):
    r, w = sum(reference), sum(window)
    total = 0.0
    for a, b in zip(reference, window):
        if a == 0 and b == 0:
            continue
        p = max(a / r, PSI_EPS)
        q = max(b / w, PSI_EPS)
        total += (q - p) * np.log(q / p)
    return total


def pooled(reference, window):
    r, w = sum(reference), sum(window)
    total = r + w
    kept, pa, pb = [], 0, 0
    for a, b in zip(reference, window):
        column = a + b
        if column == 0:
            continue
        if min(r, w) * column / total < MIN_EXPECTED:
            pa, pb = pa + a, pb + b
        else:
            kept.append((a, b))
    if min(r, w) * (pa + pb) / total >= MIN_EXPECTED:
        kept.append((pa, pb))
    return kept


def continuous_case(rng, name, bins, n, m, shift, scale):
    """Values of a reference and a window (shifted and scaled), binned on [0, 1) into `bins` fine bins."""
    ref = np.clip(rng.beta(5, 3, n), 0, 0.999999)
    win = np.clip(rng.beta(5, 3, m) * scale + shift, 0, 0.999999)
    rc = np.bincount((ref * bins).astype(int), minlength=bins).tolist()
    wc = np.bincount((win * bins).astype(int), minlength=bins).tolist()
    groups = decile_groups(rc)
    centres = (np.arange(bins) + 0.5) / bins
    # KS on the values each replaced by its bin's middle: SciPy's D, and the asymptotic Kolmogorov p-value at sqrt(en)·D.
    d = stats.ks_2samp(np.repeat(centres, rc), np.repeat(centres, wc), method="asymp").statistic
    en = n * m / (n + m)
    gr, gw = group(rc, groups), group(wc, groups)
    return {
        "name": name, "reference": rc, "window": wc,
        "psi": psi(gr, gw),
        "js": float(distance.jensenshannon(gr, gw, base=2)),
        "ksStatistic": float(d), "ksPValue": float(stats.kstwobign.sf(np.sqrt(en) * d)),
    }


def categorical_case(rng, name, k, n, m, tilt):
    p = rng.dirichlet(np.ones(k) * 3)
    q = p * np.exp(tilt * rng.normal(size=k))
    q /= q.sum()
    rc = rng.multinomial(n, p).tolist()
    wc = rng.multinomial(m, q).tolist()
    table = pooled(rc, wc)
    if len(table) < 2:
        chi, pvalue, dof = 0.0, 1.0, 0
    else:
        chi, pvalue, dof, _ = stats.chi2_contingency(np.array(table).T, correction=False)
    return {
        "name": name, "reference": rc, "window": wc,
        "psi": psi(rc, wc), "js": float(distance.jensenshannon(rc, wc, base=2)),
        "chiSquare": float(chi), "chiSquarePValue": float(pvalue), "chiSquareDof": int(dof),
    }


def describe(width, height, channels, pixels):
    """Brightness (mean Rec. 601 luma on 0-1), contrast (its population std), blur (variance of the 4-neighbour Laplacian)."""
    img = np.array(pixels, dtype=np.float64).reshape(height, width, channels)
    luma = img[:, :, 0] if channels == 1 else 0.299 * img[:, :, 0] + 0.587 * img[:, :, 1] + 0.114 * img[:, :, 2]
    luma = luma / 255.0
    blur = 0.0
    if width >= 3 and height >= 3:
        lap = luma[1:-1, :-2] + luma[1:-1, 2:] + luma[:-2, 1:-1] + luma[2:, 1:-1] - 4 * luma[1:-1, 1:-1]
        blur = float(lap.var())
    return {"brightness": float(luma.mean()), "contrast": float(luma.std()), "blur": blur}


def main():
    rng = np.random.default_rng(SEED)
    continuous = [
        continuous_case(rng, "alike", 100, 2000, 1500, 0.0, 1.0),
        continuous_case(rng, "alike-small", 100, 2000, 250, 0.0, 1.0),
        continuous_case(rng, "darker", 100, 2000, 1500, 0.0, 0.7),
        continuous_case(rng, "slightly-shifted", 100, 2000, 3000, 0.03, 1.0),
        continuous_case(rng, "narrow", 200, 5000, 800, 0.1, 0.5),
    ]
    categorical = [
        categorical_case(rng, "labels-alike", 10, 2000, 2900, 0.0),
        categorical_case(rng, "labels-tilted", 10, 2000, 2900, 0.4),
        categorical_case(rng, "sparse-labels", 30, 400, 300, 0.2),
        categorical_case(rng, "char-classes", 5, 20000, 15000, 0.05),
    ]
    survival = {
        "kolmogorov": [{"lambda": x, "p": float(stats.kstwobign.sf(x))} for x in (0.05, 0.3, 0.6, 0.9, 1.1, 1.18, 1.2, 1.5, 2.0, 3.0, 5.0)],
        "chiSquare": [{"x": x, "dof": k, "p": float(stats.chi2.sf(x, k))}
                      for k in (1, 2, 3, 9, 29) for x in (0.01, 0.5, 2.0, 7.5, 15.0, 40.0, 120.0)],
    }
    images = []
    for (w, h, c) in [(17, 13, 3), (28, 28, 1), (9, 31, 4), (64, 48, 3), (2, 5, 1)]:
        pixels = rng.integers(0, 256, w * h * c)
        if w == 64:  # a smooth gradient with a little noise: a blurred photo's Laplacian is small
            yy, xx = np.mgrid[0:h, 0:w]
            base = (xx * 3 + yy * 2) % 256
            pixels = np.clip(np.repeat(base[:, :, None], c, axis=2).ravel() + rng.integers(-3, 4, w * h * c), 0, 255)
        pixels = [int(p) for p in pixels]
        images.append({"width": w, "height": h, "channels": c, "pixels": pixels, **describe(w, h, c, pixels)})
    with open(OUT, "w") as f:
        json.dump({"seed": SEED, "continuous": continuous, "categorical": categorical, "survival": survival, "images": images}, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
