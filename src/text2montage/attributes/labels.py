"""AIHub attribute values -> classifier labels.

A field's classes are the known values seen in the training records (in vocabulary order, then any
unlisted value in order of appearance). Unknown markers (알수없음, 분류없음, 분류 없음, "") and missing
fields are no label at all: they are left out of the loss and of every accuracy. The `feature.*`
fields are the exception: 해당사항없음 there means "absent", a real class beside 서술하기 ("present").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from text2montage.data.vocab import ABSENT, ALL_FIELDS, VOCAB, is_known
from text2montage.text.normalize import normalize_text

NO_LABEL = -1
FEATURE_SECTION = "feature"


def label_value(field: str, value: str | None) -> str | None:
    """The class name a raw attribute value stands for, or None when it says nothing."""
    if value is None:
        return None
    value = normalize_text(value)
    if field.split(".", 1)[0] == FEATURE_SECTION and value == ABSENT:
        return ABSENT
    return value if is_known(value) else None


def _vocab_order(field: str) -> list[str]:
    section, name = field.split(".", 1)
    return [value for value, _ in VOCAB.get(section, {}).get(name, ())]


def _field_order(fields: Iterable[str]) -> list[str]:
    """Schema order for AIHub fields, then any other field alphabetically."""
    known = [f for f in ALL_FIELDS if f in fields]
    return known + sorted(set(fields) - set(ALL_FIELDS))


def build_classes(attribute_dicts: Iterable[Mapping[str, str]], min_classes: int = 2) -> dict[str, list[str]]:
    """{field: class names} for every field with at least `min_classes` known values in the records."""
    seen: dict[str, Counter] = {}
    for attributes in attribute_dicts:
        for field, raw in attributes.items():
            value = label_value(field, raw)
            if value is not None:
                seen.setdefault(field, Counter())[value] += 1
    classes: dict[str, list[str]] = {}
    for field in _field_order(seen):
        order = _vocab_order(field)
        listed = [v for v in order if v in seen[field]]
        extra = [v for v in seen[field] if v not in order]
        if len(listed) + len(extra) >= min_classes:
            classes[field] = listed + extra
    return classes


def encode_labels(
    attribute_dicts: Sequence[Mapping[str, str]], classes: Mapping[str, Sequence[str]]
) -> np.ndarray:
    """int64 (N, F) class indices in `classes` field order; NO_LABEL where unknown or unlisted."""
    index = {field: {name: i for i, name in enumerate(names)} for field, names in classes.items()}
    labels = np.full((len(attribute_dicts), len(classes)), NO_LABEL, dtype=np.int64)  # (N, F)
    for row, attributes in enumerate(attribute_dicts):
        for col, field in enumerate(classes):
            value = label_value(field, attributes.get(field))
            labels[row, col] = index[field].get(value, NO_LABEL) if value is not None else NO_LABEL
    return labels


def majority_classes(labels: np.ndarray) -> np.ndarray:
    """int64 (F,): the most frequent known class per column of an (N, F) label array (0 if none)."""
    majority = np.zeros(labels.shape[1], dtype=np.int64)
    for col in range(labels.shape[1]):
        known = labels[:, col][labels[:, col] != NO_LABEL]
        if len(known):
            majority[col] = np.bincount(known).argmax()
    return majority
