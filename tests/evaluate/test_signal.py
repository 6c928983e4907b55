"""Signal retained is honest: real sketches keep all of it, other persons' sketches none of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from text2montage.attributes import AttributeClassifier
from text2montage.data.store import load_split
from text2montage.errors import DataError
from text2montage.evaluate.signal import accuracy_by_field, attribute_signal, derangement, retained

FIELDS = ["face.size", "eyebrows.deep", "feature.mole"]


def test_derangement_moves_every_record_and_is_fixed_by_the_seed() -> None:
    for n in (2, 3, 10, 101):
        other = derangement(n, seed=5)
        assert sorted(other.tolist()) == list(range(n))
        assert not np.any(other == np.arange(n))
    assert np.array_equal(derangement(50, 1), derangement(50, 1))
    with pytest.raises(DataError):
        derangement(1, 0)


def test_retained_is_undefined_without_a_gap() -> None:
    assert retained(0.5, 0.4, 0.6) == pytest.approx(0.5)
    assert retained(0.5, 0.5, 0.5) is None and retained(None, 0.1, 0.9) is None


def _signal(classifier_dir: Path, eval_data: Path, montages_of: str) -> dict:
    classifier = AttributeClassifier.from_pretrained(classifier_dir)
    test = load_split(eval_data, "test")
    real, targets = np.asarray(test.images), [r["attributes"] for r in test.records]
    ceiling = {f: c / n for f, (c, n) in accuracy_by_field(classifier, real, targets, FIELDS).items()}
    if montages_of == "same persons":
        montages = real
    else:  # a generator that ignores the text: each "montage" is another person's real sketch
        montages = real[np.random.default_rng(123).permutation(len(real))]
    return attribute_signal(classifier, {"first": montages}, targets, FIELDS, ceiling, seed=0)


def test_true_sketches_retain_all_the_signal(classifier_dir: Path, eval_data: Path) -> None:
    mean = _signal(classifier_dir, eval_data, "same persons")["mean"]
    assert mean["ceiling"] >= 0.85 and mean["first_control"] < 0.75
    assert mean["first_signal_retained"] == pytest.approx(1.0)


def test_text_ignoring_montages_retain_none(classifier_dir: Path, eval_data: Path) -> None:
    signal = _signal(classifier_dir, eval_data, "other persons")
    assert abs(signal["mean"]["first_signal_retained"]) < 0.2
    for name in FIELDS:
        assert abs(signal["fields"][name]["first_signal_retained"]) < 0.35, name
