"""Captions and the codes loader."""

from __future__ import annotations

import random

import numpy as np
import pytest

from text2montage.dalle.captions import (
    CaptionEncoder,
    CaptionError,
    CaptionOptions,
    build_caption,
    caption_length_stats,
    fit_sentences,
    record_sections,
)
from text2montage.dalle.data import CodeCaptionDataset, CodesDataError, infer_grid, load_codes
from text2montage.text.tokenizer import train_text_tokenizer

RECORD = {
    "sections": {
        "eyes": "눈이  작고 쌍꺼풀이 없다.",
        "face": "계란형 얼굴이다.",
        "nose": "코가 높다.",
        "neck": "",
    },
    "attributes": {"face.type": "계란형", "eyes.size": "작다"},
    "captions": {"full": "계란형 얼굴에 눈이 작다."},
}


@pytest.fixture(scope="module")
def encoder() -> CaptionEncoder:
    texts = [" ".join(RECORD["sections"].values())] * 5 + ["얼굴형은 계란형이다. 눈 크기는 작다."] * 5
    return CaptionEncoder(train_text_tokenizer(texts, vocab_size=300), text_len=16)


def test_sections_in_canonical_order_and_normalised() -> None:
    assert record_sections(RECORD) == ["계란형 얼굴이다.", "눈이 작고 쌍꺼풀이 없다.", "코가 높다."]


def test_captions_vary_fit_and_drop(encoder: CaptionEncoder) -> None:
    rng = random.Random(0)
    options = CaptionOptions(dropout=0.0)
    captions = {build_caption(RECORD, rng, options, encoder.fits) for _ in range(60)}
    assert len(captions) > 5 and "" not in captions
    assert all(encoder.fits(c) or " " not in c for c in captions)
    always_empty = CaptionOptions(dropout=1.0)
    assert build_caption(RECORD, rng, always_empty, encoder.fits) == ""


def test_fit_sentences_drops_whole_parts() -> None:
    assert fit_sentences(["가 나.", "다 라.", "마 바."], lambda t: len(t) <= 10) == "가 나. 다 라."
    assert fit_sentences(["아주 긴 문장입니다."], lambda t: False) == "아주 긴 문장입니다."


def test_encoder_pads_truncates_and_rejects_empty(encoder: CaptionEncoder) -> None:
    ids = encoder.encode(["계란형 얼굴", "", "눈 " * 40])
    assert ids.shape == (3, 16)
    assert (ids[1] == encoder.pad_id).all() and (ids[2] != encoder.pad_id).all()
    _, truncated = encoder.encode_description("눈 " * 40)
    assert truncated
    with pytest.raises(CaptionError, match="empty"):
        encoder.encode_description("   ")
    stats = caption_length_stats([RECORD], encoder)
    assert stats["max"] > 0 and stats["records"] == 1


def test_caption_options_validated() -> None:
    with pytest.raises(CaptionError, match="probability"):
        CaptionOptions(dropout=1.5)


@pytest.mark.parametrize("shape", [(5, 4, 4), (5, 16)])
def test_load_codes_accepts_both_shapes(tmp_path, shape: tuple[int, ...]) -> None:
    codes = np.arange(80).reshape(shape).astype(np.uint16) % 32
    np.save(tmp_path / "train.npy", codes)
    loaded = load_codes(tmp_path, "train", grid_size=4, codebook_size=32)
    assert loaded.shape == (5, 16) and loaded.dtype == np.int64
    assert infer_grid(tmp_path) == (4, 32)


def test_load_codes_errors(tmp_path, encoder: CaptionEncoder) -> None:
    with pytest.raises(CodesDataError, match="extract-codes"):
        load_codes(tmp_path, "train", 4, 32)
    np.save(tmp_path / "train.npy", np.zeros((3, 5, 5), dtype=np.int64))
    with pytest.raises(CodesDataError, match="expected"):
        load_codes(tmp_path, "train", 4, 32)
    np.save(tmp_path / "train.npy", np.full((3, 16), 40, dtype=np.int64))
    with pytest.raises(CodesDataError, match="outside the codebook"):
        load_codes(tmp_path, "train", 4, 32)
    with pytest.raises(CodesDataError, match="not the same split"):
        CodeCaptionDataset(np.zeros((2, 16), dtype=np.int64), [RECORD], encoder, CaptionOptions())


def test_dataset_captions_depend_on_epoch_and_index_only(encoder: CaptionEncoder) -> None:
    dataset = CodeCaptionDataset(
        np.zeros((1, 16), dtype=np.int64), [RECORD], encoder, CaptionOptions(), seed=3
    )
    first = [dataset.caption(0) for _ in range(3)]
    assert len(set(first)) == 1
    text, codes = dataset[0]
    assert text.shape == (16,) and codes.shape == (16,)


def test_every_caption_fills_the_window_so_the_image_starts_at_one_position(encoder: CaptionEncoder) -> None:
    short, longer = encoder.encode(["눈"]), encoder.encode(["눈이 작다 입술"])
    assert short.shape == longer.shape == (1, encoder.text_len)
    assert (short[0, encoder.token_count("눈") :] == encoder.pad_id).all()
