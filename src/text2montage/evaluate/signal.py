"""Attribute signal: how much of what a description says a montage shows, against two references.

For the same records and the same readable fields, the attribute classifier's accuracy is taken on
- the real sketches (the ceiling: what the classifier reads off a true drawing of the person),
- the montages (first candidate, and the reranker's top-1 of K),
- a control: the same montages scored against ANOTHER record's attributes (a fixed derangement of the
  records) -- what a generator that ignores the text gets.

    signal retained = (montage - control) / (ceiling - control)

0 means the montages carry no more of the described attributes than chance under the attribute
distribution; 1 means as much as a real sketch. The mean is taken over fields (each readable field
weighs the same); per-field values are reported beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from text2montage.attributes.model import AttributeClassifier
from text2montage.errors import DataError


def derangement(n: int, seed: int) -> np.ndarray:
    """A fixed permutation of range(n) with no fixed point (one random cycle); n >= 2."""
    if n < 2:
        raise DataError("the control needs at least two records (each is scored against another's)")
    order = np.random.default_rng(seed).permutation(n)
    other = np.empty(n, dtype=np.int64)
    other[order] = np.roll(order, -1)  # order[i] -> order[i + 1]
    return other


def accuracy_by_field(
    classifier: AttributeClassifier,
    images: np.ndarray,
    targets: Sequence[Mapping[str, str]],
    fields: Sequence[str],
) -> dict[str, tuple[int, int]]:
    """{field: (correct, n)} of the classifier's reading of images against the targets, row for row."""
    if len(images) != len(targets):
        raise DataError(f"{len(images)} images but {len(targets)} target attribute sets")
    predictions = classifier.predict(images)
    scores = classifier.field_accuracy({f: predictions[f] for f in fields if f in predictions}, targets)
    return {f: scores.get(f, (0, 0)) for f in fields}


def retained(value: float | None, control: float | None, ceiling: float | None) -> float | None:
    """(value - control) / (ceiling - control); None when undefined (no data or ceiling == control)."""
    if value is None or control is None or ceiling is None or abs(ceiling - control) < 1e-9:
        return None
    return (value - control) / (ceiling - control)


def _rate(score: tuple[int, int]) -> float | None:
    return score[0] / score[1] if score[1] else None


def attribute_signal(
    classifier: AttributeClassifier,
    montages: Mapping[str, np.ndarray],
    targets: Sequence[Mapping[str, str]],
    fields: Sequence[str],
    ceiling: Mapping[str, float | None],
    seed: int = 0,
) -> dict:
    """Per-field and mean accuracy of each montage set (name -> uint8 (N, S, S), row i drawn for
    targets[i]), its control, and the signal retained against the per-field ceiling."""
    other = derangement(len(targets), seed)
    others = [targets[j] for j in other]
    table: dict[str, dict] = {f: {"ceiling": ceiling.get(f)} for f in fields}
    for name, images in montages.items():
        scored = accuracy_by_field(classifier, images, targets, fields)
        control = accuracy_by_field(classifier, images, others, fields)
        for f in fields:
            row = table[f]
            row[name], row[f"{name}_control"] = _rate(scored[f]), _rate(control[f])
            row[f"{name}_signal_retained"] = retained(row[name], row[f"{name}_control"], row["ceiling"])
            row["n"] = scored[f][1]
    return {"fields": table, "mean": _means(table, list(montages))}


def _means(table: dict[str, dict], names: list[str]) -> dict:
    """Means over the fields where every number is defined, then signal retained of the means."""
    usable = [f for f, row in table.items()
              if row["ceiling"] is not None and all(row.get(k) is not None for n in names
                                                     for k in (n, f"{n}_control"))]
    mean: dict = {"fields": len(usable)}

    def avg(key: str) -> float | None:
        return float(np.mean([table[f][key] for f in usable])) if usable else None

    mean["ceiling"] = avg("ceiling")
    for name in names:
        mean[name], mean[f"{name}_control"] = avg(name), avg(f"{name}_control")
        mean[f"{name}_signal_retained"] = retained(mean[name], mean[f"{name}_control"], mean["ceiling"])
    return mean
