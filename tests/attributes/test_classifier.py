"""Attribute classifier: labels, training, strict save/load, exact resume, and the honesty check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from text2montage.attributes import AttributeClassifier, AttributeModelError
from text2montage.attributes.evaluate import field_report, reconstruction_fidelity
from text2montage.attributes.labels import NO_LABEL, build_classes, encode_labels
from text2montage.attributes.train import TrainOptions, train_attributes
from text2montage.data.store import load_split


def _options(data: Path, out: Path, **overrides) -> TrainOptions:
    base = dict(data=data, out=out, steps=120, batch_size=32, lr=3e-3, show_progress=False,
                checkpoint_every=50, eval_every=1000)
    return TrainOptions(**{**base, **overrides})


@pytest.fixture(scope="module")
def trained(attribute_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("clf") / "run"
    train_attributes(_options(attribute_data, out))
    return out / "attributes"


def _report(model_dir: Path, data: Path) -> dict:
    test, train = load_split(data, "test"), load_split(data, "train")
    return field_report(AttributeClassifier.from_pretrained(model_dir), np.asarray(test.images),
                        [r["attributes"] for r in test.records], [r["attributes"] for r in train.records])


def test_labels_mask_unknown_and_keep_absent_features() -> None:
    records = [
        {"face.type": "계란형", "eyes.size": "크다", "feature.mole": "해당사항없음"},
        {"face.type": "계란형", "eyes.size": "알수없음", "feature.mole": "서술하기"},
        {"face.type": "분류없음", "eyes.size": "작다"},
    ]
    classes = build_classes(records)
    assert classes == {"eyes.size": ["크다", "작다"], "feature.mole": ["해당사항없음", "서술하기"]}
    labels = encode_labels(records, classes)
    assert labels.tolist() == [[0, 0], [NO_LABEL, 1], [1, NO_LABEL]]


def test_training_reads_the_drawn_attributes_and_round_trips(trained: Path, attribute_data: Path) -> None:
    config = json.loads((trained / "config.json").read_text(encoding="utf-8"))
    assert set(config["classes"]) == {"face.size", "eyebrows.deep", "feature.mole"}  # face.type: one class
    report = _report(trained, attribute_data)
    assert report["fields"]["face.size"]["accuracy"] >= 0.9
    assert report["fields"]["eyebrows.deep"]["n"] == 96  # the 分류없음 rows are left out
    assert report["readable_count"] >= 2

    images = np.asarray(load_split(attribute_data, "test").images)
    first, second = AttributeClassifier.from_pretrained(trained), AttributeClassifier.from_pretrained(trained)
    a, b = first.predict(images), second.predict(images)
    assert all(np.array_equal(a[f], b[f]) for f in a)


def test_shuffled_labels_score_the_majority_rate(attribute_data: Path, tmp_path: Path) -> None:
    torch.set_num_threads(1)
    train_attributes(_options(attribute_data, tmp_path / "shuffled", shuffle_labels=True))
    report = _report(tmp_path / "shuffled" / "attributes", attribute_data)
    for name, row in report["fields"].items():
        assert row["accuracy"] <= row["majority_accuracy"] + 0.08, name
    assert report["readable_count"] == 0


def test_resume_continues_exactly(attribute_data: Path, tmp_path: Path) -> None:
    torch.set_num_threads(1)
    short = dict(steps=12, checkpoint_every=4)
    train_attributes(_options(attribute_data, tmp_path / "full", **short))
    train_attributes(_options(attribute_data, tmp_path / "cut", stop_at=5, **short))
    assert not (tmp_path / "cut" / "attributes").exists()
    train_attributes(_options(attribute_data, tmp_path / "cut", resume=True, **short))
    full = AttributeClassifier.from_pretrained(tmp_path / "full" / "attributes").state_dict()
    resumed = AttributeClassifier.from_pretrained(tmp_path / "cut" / "attributes").state_dict()
    assert all(torch.equal(full[k], resumed[k]) for k in full)


def test_strict_load_rejects_a_mismatched_config(trained: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    config = json.loads((trained / "config.json").read_text(encoding="utf-8"))
    config["hidden"] = 32
    (broken / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (broken / "model.safetensors").write_bytes((trained / "model.safetensors").read_bytes())
    with pytest.raises(AttributeModelError, match="does not match"):
        AttributeClassifier.from_pretrained(broken)


def test_reconstruction_fidelity_sees_what_a_tokenizer_loses(trained: Path, attribute_data: Path) -> None:
    test, train = load_split(attribute_data, "test"), load_split(attribute_data, "train")
    images, classifier = np.asarray(test.images), AttributeClassifier.from_pretrained(trained)
    records, train_records = [r["attributes"] for r in test.records], [r["attributes"] for r in train.records]
    perfect = reconstruction_fidelity(classifier, images, images.copy(), records, train_records)
    assert perfect["readable_on_originals"] >= 2 and perfect["min_kept"] == 1.0
    assert perfect["fields_keeping_target"] == perfect["readable_on_originals"]
    flat = np.full_like(images, int(images.mean()))  # a "tokenizer" that keeps nothing
    lost = reconstruction_fidelity(classifier, images, flat, records, train_records)
    assert lost["min_kept"] < 0.95 and lost["fields_keeping_target"] < perfect["fields_keeping_target"]
