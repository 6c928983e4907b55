"""The shipped default pipeline: what the README's main command relies on, offline."""

from __future__ import annotations

import json

import numpy as np
import pytest

from text2montage.pipeline import MontagePipeline
from text2montage.pipeline.loading import DEFAULT_PIPELINE_DIR

DESCRIPTION = "긴 생머리에 앞머리가 눈썹 아래까지 내려온다. 얼굴은 계란형이다."


@pytest.fixture(scope="module")
def pipe() -> MontagePipeline:
    return MontagePipeline.from_pretrained(None)


def test_default_pipeline_folder_is_indexed():
    index = json.loads((DEFAULT_PIPELINE_DIR / "model_index.json").read_text(encoding="utf-8"))
    assert index["_class_name"] == "MontagePipeline"
    for name in ("tokenizer", "vqgan", "dalle"):
        assert (DEFAULT_PIPELINE_DIR / name).is_dir() and name in index


def test_default_components_load_and_fit_together(pipe):
    assert pipe.vqgan.config.grid_size == pipe.dalle.config.grid_size
    assert pipe.vqgan.config.codebook_size == pipe.dalle.config.codebook_size


def test_default_pipeline_draws_the_same_montages_for_the_same_seed(pipe):
    first, again = pipe(DESCRIPTION, num_candidates=2, seed=3), pipe(DESCRIPTION, num_candidates=2, seed=3)
    assert [c.code for c in first.candidates] == [c.code for c in again.candidates]
    size = pipe.image_size
    assert first.best.image.size == (size, size)
    pixels = np.asarray(first.best.image)
    assert pixels.std() > 5, "a drawing, not a flat image"
    rebuilt = pipe.from_code(first.best.code)
    assert np.array_equal(np.asarray(rebuilt.image), pixels)
