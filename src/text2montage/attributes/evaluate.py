"""How well the attribute classifier reads each field off a set of sketches.

Per field: accuracy, balanced accuracy (mean per-class recall over the classes present), the
majority-class accuracy (the TRAIN split's most frequent class, applied to the evaluated records), n,
and `readable` = accuracy >= majority + READABLE_MARGIN. Fields below the margin are "unreadable" at
this resolution: listed, never averaged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from text2montage.attributes.labels import NO_LABEL, encode_labels, majority_classes
from text2montage.attributes.model import AttributeClassifier
from text2montage.errors import DataError

READABLE_MARGIN = 0.10


def balanced_accuracy(predicted: np.ndarray, target: np.ndarray) -> float:
    """Mean recall over the classes that occur in target (as scikit-learn defines it)."""
    recalls = [float((predicted[target == c] == c).mean()) for c in np.unique(target)]
    return float(np.mean(recalls)) if recalls else float("nan")


def field_report(
    classifier: AttributeClassifier,
    images: np.ndarray,
    attribute_dicts: Sequence[Mapping[str, str]],
    train_attribute_dicts: Sequence[Mapping[str, str]],
) -> dict:
    """The per-field table plus the readable count, the mean over readable fields, and the unreadable list."""
    if len(images) != len(attribute_dicts):
        raise DataError(f"{len(images)} images but {len(attribute_dicts)} records")
    predictions = classifier.predict(images)
    return report_from_predictions(predictions, attribute_dicts, train_attribute_dicts, classifier.classes)


def report_from_predictions(
    predictions: Mapping[str, np.ndarray],
    attribute_dicts: Sequence[Mapping[str, str]],
    train_attribute_dicts: Sequence[Mapping[str, str]],
    classes: Mapping[str, Sequence[str]],
) -> dict:
    labels = encode_labels(attribute_dicts, classes)  # (N, F)
    majority = majority_classes(encode_labels(train_attribute_dicts, classes))  # (F,)
    fields: dict[str, dict] = {}
    for col, name in enumerate(classes):
        known = labels[:, col] != NO_LABEL
        if not known.any():
            continue
        target, predicted = labels[known, col], np.asarray(predictions[name])[known]
        accuracy = float((predicted == target).mean())
        majority_accuracy = float((target == majority[col]).mean())
        fields[name] = {
            "accuracy": accuracy,
            "balanced_accuracy": balanced_accuracy(predicted, target),
            "majority_accuracy": majority_accuracy,
            "majority_class": classes[name][majority[col]],
            "n": int(known.sum()),
            "readable": accuracy >= majority_accuracy + READABLE_MARGIN,
        }
    return summarize(fields)


def summarize(fields: dict[str, dict]) -> dict:
    readable = [name for name, row in fields.items() if row["readable"]]
    mean = float(np.mean([fields[name]["accuracy"] for name in readable])) if readable else None
    return {
        "fields": fields,
        "readable_count": len(readable),
        "readable_fields": readable,
        "readable_mean_accuracy": mean,
        "unreadable": [name for name in fields if name not in readable],
        "readable_margin": READABLE_MARGIN,
    }


KEEP_TARGET = 0.95  # a reconstruction should keep this share of the original's accuracy on each field


def reconstruction_fidelity(
    classifier: AttributeClassifier,
    originals: np.ndarray,
    reconstructions: np.ndarray,
    attribute_dicts: Sequence[Mapping[str, str]],
    train_attribute_dicts: Sequence[Mapping[str, str]],
) -> dict:
    """Per field readable on the originals: the classifier's accuracy on originals and on their
    reconstructions (row for row), and the share kept (reconstruction / original accuracy)."""
    original = field_report(classifier, originals, attribute_dicts, train_attribute_dicts)
    recon = field_report(classifier, reconstructions, attribute_dicts, train_attribute_dicts)
    fields = {
        name: {
            "original": original["fields"][name]["accuracy"],
            "reconstruction": recon["fields"][name]["accuracy"],
            "majority": original["fields"][name]["majority_accuracy"],
            "kept": recon["fields"][name]["accuracy"] / original["fields"][name]["accuracy"],
        }
        for name in original["readable_fields"]
    }
    kept = [row["kept"] for row in fields.values()]
    return {
        "fields": fields,
        "readable_on_originals": len(fields),
        "min_kept": min(kept) if kept else None,
        "fields_keeping_target": sum(k >= KEEP_TARGET for k in kept),
        "keep_target": KEEP_TARGET,
    }
