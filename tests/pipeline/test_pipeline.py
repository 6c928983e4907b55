"""MontagePipeline: drawing, ranking, batched codes, redraw, vary, save/load."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from tiny_pipeline import build_tiny_pipeline

from text2montage.pipeline import MontagePipeline, PipelineInputError

TEXT = "얼굴형은 계란형이다. 눈이 작고 입술이 도톰하다."


def test_call_returns_ranked_candidates_with_codes(pipe):
    result = pipe(TEXT, num_candidates=4, seed=1)
    assert result.kind == "generate" and result.scorer == "likelihood" and result.notes == []
    assert [c.rank for c in result.candidates] == [1, 2, 3, 4]
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True) and all(np.isfinite(scores))
    best = result.best
    assert best.image.size == (32, 32) and best.image.mode == "L"
    assert best.codes.shape == (4, 4) and best.codes.dtype == np.int64
    assert np.allclose(pipe.likelihood(TEXT, best.codes[None]), best.score)
    assert np.array_equal(np.asarray(best.image), pipe.decode(best.codes))
    record = json.loads(json.dumps(result.to_dict()))
    assert record["settings"]["seed"] == 1 and record["model_fingerprint"] == pipe.fingerprint
    assert record["candidates"][0]["code"] == best.code


def test_same_seed_same_montages_other_seed_differs(pipe):
    first, again = pipe(TEXT, num_candidates=3, seed=5), pipe(TEXT, num_candidates=3, seed=5)
    other = pipe(TEXT, num_candidates=3, seed=6)
    codes = [np.stack([c.codes for c in r.candidates]) for r in (first, again, other)]
    assert np.array_equal(codes[0], codes[1]) and not np.array_equal(codes[0], codes[2])


def test_without_seed_a_seed_is_chosen_and_recorded(pipe):
    result = pipe(TEXT, num_candidates=2)
    seed = result.settings["seed"]
    assert isinstance(seed, int)
    again = pipe(TEXT, num_candidates=2, seed=seed)
    assert [c.code for c in again.candidates] == [c.code for c in result.candidates]


def test_unranked_keeps_drawing_order(pipe):
    ranked, unranked = pipe(TEXT, 4, seed=2), pipe(TEXT, 4, seed=2, rerank=False)
    assert sorted(c.code for c in ranked.candidates) == sorted(c.code for c in unranked.candidates)
    assert unranked.scorer.startswith("none")


def test_generate_codes_batches_descriptions_reproducibly(pipe):
    texts = [TEXT, "코가 크다", "둥근 얼굴"]
    codes = pipe.generate_codes(texts, num_candidates=2, seed=3)
    assert codes.shape == (3, 2, 4, 4) and codes.dtype == np.int64
    assert np.array_equal(codes, pipe.generate_codes(texts, num_candidates=2, seed=3))
    alone = pipe.generate_codes(texts[:1], num_candidates=2, seed=3)[0]
    single = pipe(texts[0], num_candidates=2, seed=3, rerank=False)
    assert np.array_equal(alone, np.stack([c.codes for c in single.candidates]))
    images = pipe.decode(codes)
    assert images.shape == (3, 2, 32, 32) and images.dtype == np.uint8


def test_reranker_orders_candidates_when_present():
    class BrightnessReranker:
        """Scores by mean brightness: a ranking the likelihood would not give."""

        def score(self, description, images):  # noqa: ANN001, ANN201
            return np.asarray(images, dtype=np.float64).reshape(len(images), -1).mean(axis=1)

    base = build_tiny_pipeline()
    pipe = MontagePipeline(base.tokenizer, base.vqgan, base.dalle, reranker=BrightnessReranker())
    result = pipe(TEXT, num_candidates=4, seed=0)
    assert result.scorer == "reranker"
    means = [np.asarray(c.image, dtype=np.float64).mean() for c in result.candidates]
    assert means == sorted(means, reverse=True)
    assert np.allclose(means, [c.score for c in result.candidates])


def test_redraw_keeps_every_code_outside_the_region(pipe):
    start = pipe(TEXT, num_candidates=1, seed=4).best
    result = pipe.redraw(start, "눈", "눈이 크고 쌍꺼풀이 있다.", num_candidates=3, seed=0)
    mask, name = pipe.region_mask("eyes")
    assert name == "eyes" and result.source["region"] == "eyes" and result.kind == "redraw"
    for candidate in result.candidates:
        assert np.array_equal(candidate.codes[~mask.numpy()], start.codes[~mask.numpy()])
    changed = [not np.array_equal(c.codes, start.codes) for c in result.candidates]
    assert any(changed)
    by_code = pipe.redraw(start.code, "eyes", "눈이 크고 쌍꺼풀이 있다.", num_candidates=3, seed=0)
    assert [c.code for c in by_code.candidates] == [c.code for c in result.candidates]


def test_region_names_are_the_transformers_regions():
    from text2montage.dalle.regions import REGIONS
    from text2montage.pipeline.inputs import REGION_ALIASES, REGION_LABELS_KO, REGION_NAMES

    assert REGION_NAMES == REGIONS and set(REGION_LABELS_KO) == set(REGIONS)
    assert set(REGION_ALIASES.values()) <= set(REGIONS)


def test_redraw_a_box_and_bad_regions(pipe):
    start = pipe(TEXT, num_candidates=1, seed=4).best
    result = pipe.redraw(start, (0.0, 0.0, 0.5, 0.5), TEXT, num_candidates=2, seed=0)
    kept = np.ones((4, 4), bool)
    kept[:2, :2] = False
    for candidate in result.candidates:
        assert np.array_equal(candidate.codes[kept], start.codes[kept])
    for region in ("ears", (0.5, 0.5, 0.2, 0.9), (0, 0, 1)):
        with pytest.raises(PipelineInputError):
            pipe.redraw(start, region, TEXT)


def test_vary_redraws_the_chosen_share_of_codes(pipe):
    start = pipe(TEXT, num_candidates=1, seed=8).best
    result = pipe.vary(start, strength=0.25, num_candidates=3, seed=1)
    assert result.source["cells"] == 4 and result.description == TEXT
    for candidate in result.candidates:
        assert (candidate.codes != start.codes).sum() <= 4
    for strength in (0, -0.1, 1.5, float("nan")):
        with pytest.raises(PipelineInputError):
            pipe.vary(start, strength=strength)


def test_vary_without_a_description(pipe):
    grid = pipe(TEXT, num_candidates=1, seed=8).best.codes
    result = pipe.vary(grid, strength=1.0, num_candidates=2, seed=0)
    assert result.description == "" and len(result.candidates) == 2


def test_png_of_a_montage_becomes_a_grid(pipe, tmp_path):
    best = pipe(TEXT, num_candidates=1, seed=2).best
    best.image.save(tmp_path / "m.png")
    grid = pipe.as_grid(str(tmp_path / "m.png"))
    assert grid.shape == (4, 4) and grid.dtype == np.int64
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(PipelineInputError, match="cannot read"):
        pipe.as_grid(tmp_path / "bad.png")


def test_save_load_round_trip_keeps_fingerprint_and_output(tmp_path):
    built = build_tiny_pipeline(seed=3)
    folder = built.save_pretrained(tmp_path / "p")
    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    assert index["_class_name"] == "MontagePipeline" and index["dalle"] == ["text2montage", "KoDalle"]
    assert set(index) >= {"tokenizer", "vqgan", "dalle", "_text2montage_version"} and "reranker" not in index
    loaded = MontagePipeline.from_pretrained(folder)
    assert loaded.fingerprint == built.fingerprint
    a, b = built(TEXT, 2, seed=0), loaded(TEXT, 2, seed=0)
    assert [c.code for c in a.candidates] == [c.code for c in b.candidates]
    assert not list(tmp_path.glob(".p.*")), "no build folder left behind"


def test_decode_checks_grids(pipe):
    with pytest.raises(PipelineInputError):
        pipe.decode(np.zeros((2, 3, 3), np.int64))
    with pytest.raises(PipelineInputError):
        pipe.decode(np.full((1, 4, 4), 99, np.int64))
    assert pipe.decode(torch.zeros(4, 4, dtype=torch.long)).shape == (32, 32)
