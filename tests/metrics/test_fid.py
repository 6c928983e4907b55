"""FID, Inception Score and R-precision: each must be able to fail (honesty tests on tiny data)."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from reranker.sketches import DESCRIPTIONS, drawn_set, make_tokenizer, trained_on_kinds

from text2montage.errors import DataError, OptionError
from text2montage.metrics.fid import (
    PrototypeLogits,
    RerankerImageFeatures,
    attribute_prototypes,
    extractor_name,
    frechet_distance,
    inception_feature,
    inception_score,
    r_precision,
    r_precision_from_similarity,
)
from text2montage.reranker import Reranker

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory) -> Path:
    return make_tokenizer(tmp_path_factory.mktemp("tokenizer"))


@pytest.fixture(scope="module")
def trained(tokenizer_dir: Path) -> Reranker:
    return trained_on_kinds(tokenizer_dir)


def test_fid_is_zero_against_itself_and_grows_with_a_shift(trained: Reranker) -> None:
    feature = RerankerImageFeatures(trained)
    real, _ = drawn_set(60, seed=1)
    same, _ = drawn_set(60, seed=2)  # another draw of the same distribution
    darker = np.clip(real.astype(int) - 80, 0, 255).astype(np.uint8)
    blurred = np.stack([cv2.GaussianBlur(image, (7, 7), 3) for image in real])
    itself = frechet_distance(real, real, feature)
    sampled = frechet_distance(real, same, feature)
    assert abs(itself) < 1e-6
    assert frechet_distance(real, darker, feature) > 10 * sampled
    assert frechet_distance(real, blurred, feature) > 10 * sampled
    one_kind = np.stack([image for image, kind in zip(*drawn_set(60, seed=3), strict=True) if kind == 0])
    assert frechet_distance(real, one_kind, feature) > 10 * sampled  # mode collapse is far too


def test_fid_needs_two_images_per_set(trained: Reranker) -> None:
    real, _ = drawn_set(4, seed=1)
    with pytest.raises(DataError, match="at least 2"):
        frechet_distance(real, real[:1], RerankerImageFeatures(trained))


def test_inception_score_rewards_confident_diverse_sets(trained: Reranker) -> None:
    logits = PrototypeLogits(trained, DESCRIPTIONS)  # six classes the overfit reranker tells apart
    diverse, _ = drawn_set(60, seed=4)
    mean, std = inception_score(diverse, logits, splits=3, seed=0)
    assert 4.0 < mean <= len(DESCRIPTIONS) + 1e-4 and std >= 0
    collapsed = np.repeat(diverse[:1], 60, axis=0)
    assert inception_score(collapsed, logits, splits=3)[0] == pytest.approx(1.0, abs=1e-4)
    assert inception_score(diverse, logits, splits=3, seed=0) == (mean, std)  # seeded


def test_attribute_prototypes_are_the_24_face_and_hair_length_classes() -> None:
    prototypes = attribute_prototypes()
    assert len(prototypes) == len(set(prototypes)) == 24
    assert all("얼굴형" in text for text in prototypes)
    with pytest.raises(OptionError, match="unknown attribute field"):
        attribute_prototypes(("face.nothing",))


def test_r_precision_from_similarity() -> None:
    n = 30
    assert r_precision_from_similarity(np.eye(n), pool=10) == 1.0
    assert r_precision_from_similarity(np.ones((n, n)), pool=10) == 0.0  # ties are not wins
    rng = np.random.default_rng(0)
    chance = np.mean(
        [r_precision_from_similarity(rng.normal(size=(n, n)), pool=10, seed=s) for s in range(20)]
    )
    assert 0.03 < chance < 0.2  # about 1 / 10
    with pytest.raises(DataError, match="square"):
        r_precision_from_similarity(np.ones((3, 4)))


def test_r_precision_of_the_overfit_reranker(trained: Reranker, tokenizer_dir: Path) -> None:
    images, kinds = drawn_set(6, seed=0)  # among the pairs it was trained on
    texts = [DESCRIPTIONS[k] for k in kinds]
    assert r_precision(trained, texts, images, pool=100) == 1.0  # pool larger than the set: all six
    shuffled = texts[1:] + texts[:1]
    assert r_precision(trained, shuffled, images) == 0.0
    with pytest.raises(DataError, match="descriptions but"):
        r_precision(trained, texts[:3], images)


def test_extractor_is_named_and_inception_needs_weights_on_disk(trained: Reranker, tmp_path: Path) -> None:
    assert "reranker image tower" in extractor_name(RerankerImageFeatures(trained))
    with pytest.raises(OptionError, match="never downloads"):
        inception_feature(tmp_path / "pt_inception.pth")


def test_r_precision_does_not_count_identical_descriptions_as_others() -> None:
    sim = np.array([[1.0, 0.2, 1.0], [0.2, 1.0, 0.2], [1.0, 0.2, 1.0]])  # texts 0 and 2 are the same
    assert r_precision_from_similarity(sim) == pytest.approx(1 / 3)  # ties with the twin are misses
    assert r_precision_from_similarity(sim, descriptions=["a", "b", "a"]) == 1.0
    with pytest.raises(DataError, match="two different"):
        r_precision_from_similarity(np.eye(2), descriptions=["a", "a"])
