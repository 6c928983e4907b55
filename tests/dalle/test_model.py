"""KoDalle model: shapes, padding, overfitting, save/load, text-encoder init, bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from text2montage.dalle.config import DalleConfig, DalleConfigError, preset_config
from text2montage.dalle.model import DalleInputError, DalleLoadError, KoDalle
from text2montage.dalle.text_init import (
    TextEncoderNotFoundError,
    adapt_config,
    copy_text_embeddings,
    load_text_embeddings,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def tiny(**overrides: object) -> KoDalle:
    torch.manual_seed(0)
    return KoDalle(preset_config("tiny", text_vocab_size=50, **overrides))


def batch(model: KoDalle, rows: int = 3, words: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    cfg = model.config
    text = torch.randint(1, cfg.text_vocab_size, (rows, cfg.text_len))
    text[:, words:] = cfg.text_pad_id
    codes = torch.randint(0, cfg.codebook_size, (rows, cfg.image_len))
    return text, codes


def test_shapes_and_loss() -> None:
    model = tiny()
    text, codes = batch(model)
    assert model.image_logits(text, codes[:, :-1]).shape == (
        3,
        model.config.image_len,
        model.config.codebook_size,
    )
    assert model.image_logits(text, codes[:, :0]).shape == (3, 1, model.config.codebook_size)
    loss = model.loss(text, codes)
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert torch.equal(model(text, codes), loss)


def test_pad_positions_use_pad_embeddings_not_token_embeddings() -> None:
    model = tiny()
    text, _ = batch(model, rows=1)
    before = model.embed_text(text)
    with torch.no_grad():
        model.text_embed.weight[model.config.text_pad_id] += 10.0
    after = model.embed_text(text)
    assert torch.equal(before, after)  # the pad token's own embedding never reaches the transformer
    assert not torch.allclose(before[0, 0], before[0, -1])


def test_image_positions_know_the_grid() -> None:
    model = tiny()
    codes = torch.zeros(1, model.config.image_len, dtype=torch.long)
    embeds = model.embed_codes(codes)  # same code everywhere: positions differ by row and column
    grid = model.config.grid_size
    expected = model.image_embed.weight[0] + model.image_row.weight[1] + model.image_col.weight[2]
    assert torch.allclose(embeds[0, grid + 2], expected)


def test_loss_decreases_on_tiny_overfit_set() -> None:
    model = tiny()
    text, codes = batch(model, rows=4)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    first = float(model.loss(text, codes).detach())
    for _ in range(60):
        optimizer.zero_grad()
        loss = model.loss(text, codes)
        loss.backward()
        optimizer.step()
    assert float(loss.detach()) < 0.5 * first


def test_save_load_round_trip(tmp_path) -> None:
    model = tiny().eval()
    text, codes = batch(model)
    model.save_pretrained(tmp_path)
    loaded = KoDalle.from_pretrained(tmp_path)
    assert loaded.config == model.config
    assert torch.equal(loaded.image_logits(text, codes[:, :-1]), model.image_logits(text, codes[:, :-1]))


def test_load_rejects_missing_truncated_and_mismatched(tmp_path) -> None:
    with pytest.raises(DalleLoadError, match="not a folder"):
        KoDalle.from_pretrained(tmp_path / "absent")
    tiny().save_pretrained(tmp_path)
    weights = tmp_path / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(DalleLoadError, match="unreadable or truncated"):
        KoDalle.from_pretrained(tmp_path)
    weights.write_bytes(data)
    DalleConfig(**{**preset_config("tiny", text_vocab_size=50).__dict__, "width": 64}).save(tmp_path)
    with pytest.raises(DalleLoadError, match="does not match"):
        KoDalle.from_pretrained(tmp_path)


def test_bad_inputs_are_clear_errors() -> None:
    model = tiny()
    text, codes = batch(model)
    with pytest.raises(DalleInputError, match="text ids must be"):
        model.loss(torch.cat([text, text], dim=1), codes)  # longer than the text window
    with pytest.raises(DalleInputError, match="text ids must be"):
        model.loss(text[:, :0], codes)
    with pytest.raises(DalleInputError, match="image codes must lie"):
        model.loss(text, codes + model.config.codebook_size)
    with pytest.raises(DalleInputError, match="text token ids must lie"):
        model.loss(text - 100, codes)
    with pytest.raises(DalleInputError, match="int64"):
        model.loss(text, codes.float())
    with pytest.raises(DalleConfigError, match="divisible"):
        DalleConfig(width=30, heads=4)
    with pytest.raises(DalleConfigError, match="unknown preset"):
        preset_config("huge")


@pytest.mark.parametrize("kind", ["bert", "roberta"])
def test_text_encoder_init_from_local_model(tmp_path, kind: str) -> None:
    from transformers import BertConfig, BertModel, RobertaConfig, RobertaModel

    kwargs = dict(vocab_size=60, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                  intermediate_size=32, max_position_embeddings=40)  # fmt: skip
    hf = (
        BertModel(BertConfig(**kwargs))
        if kind == "bert"
        else RobertaModel(RobertaConfig(pad_token_id=1, **kwargs))
    )
    hf.save_pretrained(tmp_path / kind)
    embeddings = load_text_embeddings(tmp_path / kind)
    offset = 0 if kind == "bert" else 2
    assert embeddings.position_offset == offset
    config = adapt_config(preset_config("tiny"), embeddings, text_pad_id=1)
    assert (config.text_vocab_size, config.text_embed_width) == (60, 16)  # tiny width is 32: a projection
    model = KoDalle(config)
    copy_text_embeddings(model, embeddings)
    model.set_text_embeddings_frozen(True)
    assert torch.equal(model.text_embed.weight, hf.get_input_embeddings().weight)
    positions = hf.embeddings.position_embeddings.weight[offset : offset + config.text_len]
    assert torch.equal(model.text_pos.weight[offset : offset + config.text_len], positions)
    assert not model.text_embed.weight.requires_grad and model.text_proj.weight.requires_grad
    text, codes = batch(model)
    model.loss(text, codes).backward()
    assert model.text_embed.weight.grad is None


def test_text_encoder_missing_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(TextEncoderNotFoundError, match="never downloads"):
        load_text_embeddings("no-such-org/no-such-model-xyz")


def test_warm_start_keeps_trained_weights_and_grows_the_text_window(tmp_path: Path) -> None:
    trained = tiny()
    trained.save_pretrained(tmp_path)
    longer = KoDalle(preset_config("tiny", text_vocab_size=50, text_len=20))
    longer.warm_start_from(tmp_path)
    rows = trained.config.text_len
    assert torch.equal(longer.text_pos.weight[:rows], trained.text_pos.weight)
    assert torch.equal(longer.text_pad[:rows], trained.text_pad)
    assert torch.equal(longer.image_head.weight, trained.image_head.weight)
    text, codes = batch(trained)
    assert torch.allclose(longer.loss(text, codes), trained.loss(text, codes))  # same model on short text
    wider = KoDalle(preset_config("tiny", text_vocab_size=50, width=64))
    with pytest.raises(DalleLoadError, match="width 32 vs 64"):
        wider.warm_start_from(tmp_path)
