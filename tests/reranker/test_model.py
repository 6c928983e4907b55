"""The reranker model and its scoring API: shapes, loss, overfitting, save/load, input errors."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from reranker.sketches import DESCRIPTIONS, drawn_set, tiny_reranker, trained_on_kinds
from transformers import BertConfig, BertModel

from text2montage.reranker import (
    Reranker,
    RerankerInputError,
    RerankerLoadError,
    TextTruncatedWarning,
    preset_config,
)
from text2montage.reranker.model import with_pretrained_text
from text2montage.reranker.text import TextBatcher
from text2montage.text.tokenizer import load_text_tokenizer


@pytest.fixture(scope="module")
def trained(tokenizer_dir: Path) -> Reranker:
    return trained_on_kinds(tokenizer_dir)


def test_embeddings_are_unit_vectors_and_loss_is_finite(tokenizer_dir: Path) -> None:
    reranker = tiny_reranker(tokenizer_dir)
    images, _ = drawn_set(4, seed=1)
    features = reranker.image_features(images)
    assert features.shape == (4, reranker.embed_dim)
    assert torch.allclose(features.norm(dim=-1), torch.ones(4), atol=1e-5)
    texts = reranker.text_features(DESCRIPTIONS[:3])
    assert texts.shape == (3, reranker.embed_dim)
    ids, mask = reranker.batcher.encode(DESCRIPTIONS[:4])
    loss = reranker.model(reranker.model.pixels(torch.from_numpy(images)), ids, mask)
    assert loss.ndim == 0 and torch.isfinite(loss)


def test_same_person_pairs_are_not_negatives(tokenizer_dir: Path) -> None:
    reranker = tiny_reranker(tokenizer_dir)
    images, _ = drawn_set(4, seed=1)
    pixels, (ids, mask) = (
        reranker.model.pixels(torch.from_numpy(images)),
        reranker.batcher.encode(DESCRIPTIONS[:4]),
    )
    with torch.no_grad():
        apart = reranker.model(pixels, ids, mask, torch.tensor([0, 1, 2, 3]))
        together = reranker.model(pixels, ids, mask, torch.tensor([0, 0, 1, 1]))
        plain = reranker.model(pixels, ids, mask)
    assert torch.allclose(apart, plain)
    assert together < apart  # fewer negatives, lower loss


def test_untrained_model_does_not_rank_every_true_pair_first(tokenizer_dir: Path) -> None:
    images, _ = drawn_set(len(DESCRIPTIONS), seed=0)
    sim = tiny_reranker(tokenizer_dir).similarity(DESCRIPTIONS, images)
    assert (sim.argmax(axis=0) == np.arange(len(DESCRIPTIONS))).mean() < 1.0


def test_overfit_reranker_ranks_the_true_pair_first(trained: Reranker) -> None:
    images, _ = drawn_set(len(DESCRIPTIONS), seed=0)
    sim = trained.similarity(DESCRIPTIONS, images)  # (T, N)
    assert (sim.argmax(axis=0) == np.arange(len(DESCRIPTIONS))).all()  # each image -> its own text
    assert (sim.argmax(axis=1) == np.arange(len(DESCRIPTIONS))).all()  # each text -> its own image
    order, scores = trained.rank(DESCRIPTIONS[2], images)
    assert order[0] == 2 and np.all(np.diff(scores) <= 0)


def test_save_load_round_trip_gives_identical_scores(trained: Reranker, tmp_path: Path) -> None:
    out = tmp_path / "reranker"
    trained.model.save_pretrained(out)
    trained.tokenizer.save_pretrained(str(out / "tokenizer"))
    loaded = Reranker.from_pretrained(out)
    images, _ = drawn_set(8, seed=3)
    for text in DESCRIPTIONS:
        np.testing.assert_array_equal(loaded.score(text, images), trained.score(text, images))
    pipeline = tmp_path / "pipeline"  # a pipeline folder holding reranker/ loads too
    pipeline.mkdir()
    out.rename(pipeline / "reranker")
    np.testing.assert_array_equal(Reranker.from_pretrained(pipeline).score(DESCRIPTIONS[0], images),
                                  trained.score(DESCRIPTIONS[0], images))  # fmt: skip


def test_broken_folders_are_clear_errors(trained: Reranker, tmp_path: Path) -> None:
    with pytest.raises(RerankerLoadError, match="no reranker"):
        Reranker.from_pretrained(tmp_path / "missing")
    out = tmp_path / "r"
    trained.model.save_pretrained(out)
    with pytest.raises(RerankerLoadError, match="tokenizer"):
        Reranker.from_pretrained(out)
    trained.tokenizer.save_pretrained(str(out / "tokenizer"))
    weights = out / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(RerankerLoadError, match="truncated"):
        Reranker.from_pretrained(out)
    trained.model.save_pretrained(out)
    config = json.loads((out / "config.json").read_text())
    (out / "config.json").write_text(json.dumps({**config, "projection_dim": 8}))
    with pytest.raises(RerankerLoadError, match="does not match"):
        Reranker.from_pretrained(out)
    (out / "config.json").write_text(json.dumps({**config, "model_type": "other"}))
    with pytest.raises(RerankerLoadError, match="not a text2montage-reranker"):
        Reranker.from_pretrained(out)


def test_long_descriptions_are_cut_with_a_warning(tokenizer_dir: Path) -> None:
    reranker = tiny_reranker(tokenizer_dir, text_max_len=16)
    long = " ".join(DESCRIPTIONS)
    with pytest.warns(TextTruncatedWarning, match="16-token window"):
        reranker.text_features([long])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reranker.text_features([DESCRIPTIONS[0]])  # fits: no warning
    ids, mask = reranker.batcher.encode([long, DESCRIPTIONS[0]], warn=False)
    assert ids.shape[1] == 16 and mask[1].sum() < 16  # padded to the longest, never beyond the window


def test_batches_pad_to_the_longest_and_start_with_bos(tokenizer_dir: Path) -> None:
    tokenizer = load_text_tokenizer(tokenizer_dir)
    ids, mask = TextBatcher(tokenizer, 64).encode(["눈", DESCRIPTIONS[0]])
    assert ids[:, 0].tolist() == [tokenizer.bos_token_id] * 2
    assert ids.shape[1] == int(mask[1].sum()) < 64
    assert ids[0, int(mask[0].sum()) :].eq(tokenizer.pad_token_id).all()


def test_bad_inputs_are_clear_errors(tokenizer_dir: Path) -> None:
    reranker = tiny_reranker(tokenizer_dir)
    images, _ = drawn_set(2, seed=0)
    with pytest.raises(RerankerInputError, match="empty"):
        reranker.score("   ", images)
    with pytest.raises(RerankerInputError, match="uint8"):
        reranker.score(DESCRIPTIONS[0], images.astype(np.float32))
    with pytest.raises(RerankerInputError, match="square"):
        reranker.score(DESCRIPTIONS[0], images[:, :, :20])
    bigger = np.repeat(np.repeat(images, 3, axis=1), 3, axis=2)  # any square size is resized
    assert reranker.score(DESCRIPTIONS[0], bigger).shape == (2,)
    assert reranker.score(DESCRIPTIONS[0], images[0]).shape == (1,)


def test_text_tower_from_a_pretrained_model_keeps_its_weights(tokenizer_dir: Path, tmp_path: Path) -> None:
    tokenizer = load_text_tokenizer(tokenizer_dir)
    bert = BertModel(BertConfig(vocab_size=len(tokenizer) + 5, hidden_size=24, num_hidden_layers=1,
                                num_attention_heads=2, intermediate_size=48, max_position_embeddings=40,
                                pad_token_id=tokenizer.pad_token_id))  # fmt: skip
    bert.save_pretrained(tmp_path / "bert")
    config = preset_config("tiny", text_vocab_size=len(tokenizer), text_pad_id=tokenizer.pad_token_id,
                           text_max_len=40)  # fmt: skip
    model = with_pretrained_text(config, str(tmp_path / "bert"))
    original = bert.embeddings.word_embeddings.weight
    assert torch.equal(model.dual.text_model.embeddings.word_embeddings.weight, original)
    assert model.config.text_width == 24 and model.config.text_config["model_type"] == "bert"
    model.save_pretrained(tmp_path / "r")
    tokenizer.save_pretrained(str(tmp_path / "r" / "tokenizer"))
    loaded = Reranker.from_pretrained(tmp_path / "r")
    assert torch.equal(loaded.model.dual.text_model.embeddings.word_embeddings.weight, original)
    with pytest.raises(Exception, match="never downloads"):
        with_pretrained_text(config, str(tmp_path / "nothing-here"))


def test_running_norm_is_one_transform_in_training_and_eval() -> None:
    from text2montage.reranker.model import RunningNorm

    norm = RunningNorm(3)
    batch = torch.tensor([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]])
    trained = norm.train()(batch)  # the first batch sets the statistics outright
    torch.testing.assert_close(norm.running_mean, batch.mean(0))
    torch.testing.assert_close(trained, norm.eval()(batch))
    shifted = norm.train()(batch + 100.0)  # a batch of another make-up moves the statistics only partly
    assert (shifted.mean(0) > 1.0).all()
