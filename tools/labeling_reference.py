#!/usr/bin/env python3
"""Reference values for QualityHub's labeling agreement: Cohen's kappa and accuracy, computed with scikit-learn.

Writes tests/QualityHub.Core.Tests/Labeling/reference-agreement.json: seeded pairs of labelings (a vendor's labels
against today's labels or gold answers — some close, some noisy, one with a label only one side used) with what
sklearn.metrics.cohen_kappa_score and accuracy_score give for them, so LabelAgreementReferenceTests feed the same
pairs to our C# code and compare. Run with Debian's python3 (apt-get install python3-sklearn):

    /usr/bin/python3 tools/labeling_reference.py
"""
import json
import os
import random

from sklearn.metrics import accuracy_score, cohen_kappa_score

SEED = 20261206
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "QualityHub.Core.Tests", "Labeling", "reference-agreement.json")
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def labelings(rng, n, agree, labels, extra=None):
    truth = [rng.choice(labels) for _ in range(n)]
    vendor = [t if rng.random() < agree else rng.choice(labels + ([extra] if extra else [])) for t in truth]
    return vendor, truth


def main():
    rng = random.Random(SEED)
    cases = []
    for name, n, agree, labels, extra in [
        ("close", 500, 0.95, LABELS, None),
        ("noisy", 300, 0.6, LABELS, None),
        ("two labels", 200, 0.8, ["cat", "dog"], None),
        ("a label only the vendor used", 400, 0.85, LABELS[:5], "ambiguous"),
        ("small", 12, 0.7, LABELS[:3], None),
    ]:
        vendor, ours = labelings(rng, n, agree, labels, extra)
        cases.append({
            "name": name,
            "vendor": vendor,
            "ours": ours,
            "kappa": float(cohen_kappa_score(vendor, ours)),
            "accuracy": float(accuracy_score(ours, vendor)),
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"seed": SEED, "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
