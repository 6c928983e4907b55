"""The caption tokenizer: Hangul round trips, save/load, and clear errors for missing tokenizers."""

from __future__ import annotations

import unicodedata

import pytest

from text2montage.text.normalize import normalize_text
from text2montage.text.tokenizer import TokenizerNotFoundError, load_text_tokenizer, train_text_tokenizer

CAPTIONS = [
    "계란형 얼굴에 눈이 작고 입술이 도톰하다.",
    "앞머리가 눈썹 위로 내려와 있으며 눈매가 부드럽다.",
] * 20


@pytest.fixture(scope="module")
def tokenizer():
    return train_text_tokenizer(CAPTIONS, vocab_size=400)


@pytest.mark.parametrize(
    "text",
    [
        "계란형 얼굴에 눈이 작고 입술이 도톰하다.",
        "뷁 똠얌꿍 쀍 — unseen syllables",
        "왼쪽 볼에 점(2mm)이 있다!",
    ],
)
def test_hangul_round_trip(tokenizer, text):
    ids = tokenizer(text)["input_ids"]
    assert tokenizer.decode(ids) == text


def test_decomposed_input_and_spaces_normalise(tokenizer):
    decomposed = unicodedata.normalize("NFD", "눈이  작다 ")
    assert tokenizer.decode(tokenizer(decomposed)["input_ids"]) == "눈이 작다"
    assert normalize_text(decomposed) == "눈이 작다"


def test_trained_captions_compress(tokenizer):
    text = CAPTIONS[0]
    assert len(tokenizer(text)["input_ids"]) < len(text.encode("utf-8")) / 3


def test_save_and_load_round_trip(tokenizer, tmp_path):
    tokenizer.save_pretrained(str(tmp_path))
    assert (tmp_path / "tokenizer.json").is_file()
    loaded = load_text_tokenizer(tmp_path)
    assert loaded(CAPTIONS[1])["input_ids"] == tokenizer(CAPTIONS[1])["input_ids"]
    assert loaded.pad_token == "[PAD]"


def test_missing_hub_tokenizer_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    with pytest.raises(TokenizerNotFoundError, match="never downloads"):
        load_text_tokenizer("klue/roberta-large-not-cached")
    with pytest.raises(TokenizerNotFoundError, match="readable tokenizer"):
        load_text_tokenizer(tmp_path)
