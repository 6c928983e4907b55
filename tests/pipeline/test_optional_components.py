"""Optional components: a reranker ranks the candidates; reranker/ and attributes/ save and load too."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from tiny_pipeline import build_tiny_pipeline

from text2montage.pipeline import MontagePipeline

TEXT = "얼굴형은 계란형이다. 눈이 작고 입술이 도톰하다."


@pytest.fixture(scope="module")
def with_reranker(tmp_path_factory):  # noqa: ANN201
    from text2montage.reranker import Reranker, RerankerModel, preset_config

    base = build_tiny_pipeline()
    tokenizer = base.tokenizer
    torch.manual_seed(1)
    config = preset_config("tiny", text_vocab_size=len(tokenizer), text_pad_id=tokenizer.pad_token_id)
    model = RerankerModel(config)
    pipe = MontagePipeline(base.tokenizer, base.vqgan, base.dalle, reranker=Reranker(model, tokenizer))
    return pipe, pipe.save_pretrained(tmp_path_factory.mktemp("rr") / "pipeline")


def test_candidates_are_ranked_by_the_reranker(with_reranker):
    pipe, _ = with_reranker
    result = pipe(TEXT, num_candidates=4, seed=0)
    assert result.scorer == "reranker"
    images = np.stack([np.asarray(c.image) for c in result.candidates])
    expected = pipe.reranker.score(TEXT, images)
    assert np.allclose([c.score for c in result.candidates], expected, atol=1e-5)
    assert list(expected) == sorted(expected, reverse=True)


def test_the_reranker_round_trips_through_the_folder(with_reranker):
    pipe, folder = with_reranker
    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    assert index["reranker"] == ["text2montage", "Reranker"]
    loaded = MontagePipeline.from_pretrained(folder)
    assert loaded.scorer == "reranker" and loaded.fingerprint == pipe.fingerprint
    a, b = pipe(TEXT, 3, seed=2), loaded(TEXT, 3, seed=2)
    assert [c.code for c in a.candidates] == [c.code for c in b.candidates]
    assert np.allclose([c.score for c in a.candidates], [c.score for c in b.candidates], atol=1e-5)


def test_an_attribute_classifier_travels_with_the_pipeline(tmp_path):
    from text2montage.attributes import AttributeClassifier, AttributeConfig

    base = build_tiny_pipeline()
    config = AttributeConfig(classes={"face.type": ["계란형", "둥근형"]}, image_size=32, channels=(4, 8),
                             convs=(1, 1), hidden=8)
    classifier = AttributeClassifier(config)
    pipe = MontagePipeline(base.tokenizer, base.vqgan, base.dalle, attributes=classifier)
    loaded = MontagePipeline.from_pretrained(pipe.save_pretrained(tmp_path / "p"))
    assert isinstance(loaded.attributes, AttributeClassifier) and loaded.scorer == "likelihood"
    assert loaded.fingerprint == pipe.fingerprint != base.fingerprint
