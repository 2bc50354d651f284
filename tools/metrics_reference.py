#!/usr/bin/env python3
"""Reference values for QualityHub's Core metrics, computed with scikit-learn, SciPy and NumPy.

Writes tests/QualityHub.Core.Tests/Metrics/reference-metrics.json: seeded inputs together with the values the
libraries compute from them, so MetricsReferenceTests can feed the same inputs to our C# code and compare.
Run with Debian's python3 (apt-get install python3-sklearn python3-scipy):

    /usr/bin/python3 tools/metrics_reference.py
"""
import json
import os

import numpy as np
from scipy import stats
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

SEED = 20261122
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "QualityHub.Core.Tests", "Metrics", "reference-metrics.json")


def classification_case(rng, n, labels, fail_rate):
    k = len(labels)
    truth = rng.integers(0, k, n)
    # A classifier right ~80 % of the time, confusing neighbouring classes otherwise.
    right = rng.random(n) < 0.8
    pred = np.where(right, truth, (truth + rng.integers(1, 3, n)) % k)
    failed = rng.random(n) < fail_rate
    conf = np.clip(np.where(right, rng.beta(8, 2, n), rng.beta(3, 3, n)), 0, 1)
    # Top-3: the prediction first, then two other classes at random (the truth among them sometimes).
    topk = []
    for i in range(n):
        others = [c for c in rng.permutation(k) if c != pred[i]][:2]
        topk.append([labels[pred[i]]] + [labels[c] for c in others])
    tags = [[t for t in ("blur", "rotated", "dark") if rng.random() < 0.3] for _ in range(n)]

    ok = ~failed
    y_true = truth[ok]
    y_pred = pred[ok]
    all_idx = list(range(k))
    # Failed samples count as wrong: score them with a label no class has (-1), then restrict to the real labels.
    y_pred_with_failures = np.where(failed, -1, pred)
    p, r, f, s = precision_recall_fscore_support(truth, y_pred_with_failures, labels=all_idx, zero_division=0)
    present = [c for c in all_idx if (truth == c).any() or (pred[ok] == c).any()]
    macro = f1_score(truth, y_pred_with_failures, labels=present, average="macro", zero_division=0)
    weighted = f1_score(truth, y_pred_with_failures, labels=all_idx, average="weighted", zero_division=0)
    cm = confusion_matrix(y_true, y_pred, labels=all_idx)
    failed_per_class = [int(((truth == c) & failed).sum()) for c in all_idx]

    correct = (pred == truth) & ok
    bins = np.minimum((conf[ok] * 10).astype(int), 9)
    ece = 0.0
    for b in range(10):
        m = bins == b
        if m.any():
            ece += m.sum() / ok.sum() * abs(correct[ok][m].mean() - conf[ok][m].mean())

    topk_acc = []
    for kk in (1, 2, 3):
        hit = [ok[i] and labels[truth[i]] in topk[i][:kk] for i in range(n)]
        topk_acc.append(float(np.mean(hit)))

    per_tag = {}
    for tag in ("blur", "dark", "rotated"):
        idx = [i for i in range(n) if tag in tags[i]]
        if idx:
            per_tag[tag] = {"count": len(idx), "accuracy": float(correct[idx].mean())}

    return {
        "labels": labels,
        "items": [
            {"truth": labels[truth[i]], "predicted": None if failed[i] else labels[pred[i]], "confidence": float(conf[i]),
             "topK": topk[i], "tags": tags[i]}
            for i in range(n)
        ],
        "expected": {
            "accuracy": float(accuracy_score(truth, y_pred_with_failures)),
            "topK": topk_acc,
            "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
            "macroF1": float(macro), "weightedF1": float(weighted),
            "confusion": cm.tolist(), "failed": failed_per_class,
            "ece": float(ece),
            "perTag": per_tag,
        },
    }


def levenshtein(a, b):
    # Wagner–Fischer over the full table (our C# keeps one row): written independently for the reference.
    d = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    d[:, 0] = np.arange(len(a) + 1)
    d[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return int(d[len(a), len(b)])


def text_case(rng, n):
    digits = "0123456789"
    items = []
    for _ in range(n):
        truth = "".join(rng.choice(list(digits), rng.integers(4, 17)))
        r = rng.random()
        if r < 0.6:
            pred = truth
        elif r < 0.95:
            chars = list(truth)
            for _ in range(rng.integers(1, 4)):
                op = rng.integers(0, 3)
                pos = rng.integers(0, len(chars) + 1)
                if op == 0 and chars:
                    del chars[min(pos, len(chars) - 1)]
                elif op == 1:
                    chars.insert(pos, rng.choice(list(digits + "/ ")))
                elif chars:
                    chars[min(pos, len(chars) - 1)] = rng.choice(list(digits))
            pred = "".join(chars)
        else:
            pred = None
        tags = [t for t in ("blur", "shadow") if rng.random() < 0.4]
        items.append({"truth": truth, "predicted": pred, "tags": tags})

    dist = [levenshtein(it["predicted"] or "", it["truth"]) for it in items]
    lens = [len(it["truth"]) for it in items]
    exact = [it["predicted"] is not None and it["predicted"] == it["truth"] for it in items]
    ned = [d / max(len(it["predicted"] or ""), len(it["truth"])) if max(len(it["predicted"] or ""), len(it["truth"])) else 0.0
           for d, it in zip(dist, items)]
    per_tag = {}
    for tag in ("blur", "shadow"):
        idx = [i for i in range(n) if tag in items[i]["tags"]]
        per_tag[tag] = {"count": len(idx), "exactMatch": float(np.mean([exact[i] for i in idx])),
                        "cer": sum(dist[i] for i in idx) / sum(lens[i] for i in idx)}
    return {
        "items": items,
        "expected": {"distances": dist, "exactMatch": float(np.mean(exact)), "cer": sum(dist) / sum(lens),
                     "normalizedEditDistance": float(np.mean(ned)), "meanEditDistance": float(np.mean(dist)), "perTag": per_tag},
    }


def mcnemar_case(both, only_a, only_b, neither):
    n = only_a + only_b
    if n < 25:
        p = 1.0 if n == 0 else stats.binomtest(min(only_a, only_b), n, 0.5, alternative="two-sided").pvalue
        method = "exact binomial"
    else:
        chi2 = (abs(only_a - only_b) - 1) ** 2 / n
        p = stats.chi2.sf(chi2, 1)
        method = "chi-square, continuity-corrected"
    return {"both": both, "onlyA": only_a, "onlyB": only_b, "neither": neither, "pValue": float(min(1.0, p)), "method": method}


def main():
    rng = np.random.default_rng(SEED)
    labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    latencies = rng.lognormal(1.0, 0.6, 997).tolist()
    reference = {
        "about": "Computed by tools/metrics_reference.py with scikit-learn, SciPy and NumPy; inputs seeded.",
        "classification": classification_case(rng, 600, labels, 0.03),
        "text": text_case(rng, 150),
        "latency": {"values": latencies, "percentiles": {str(p): float(np.percentile(latencies, p)) for p in (0, 1, 25, 50, 90, 95, 99, 99.9, 100)}},
        "mcnemar": [mcnemar_case(*c) for c in [(80, 3, 9, 8), (500, 40, 70, 90), (50, 0, 0, 5), (10, 12, 12, 3), (900, 10, 14, 76), (100, 30, 60, 10)]],
        "erfc": {str(x): float(__import__("math").erfc(x)) for x in (0.0, 0.1, 0.5, 1.0, 1.5, 1.99, 2.0, 2.5, 3.0, 4.0, 6.0)},
    }
    with open(OUT, "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
