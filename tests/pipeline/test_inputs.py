"""What users type: descriptions, counts and sampling settings."""

from __future__ import annotations

import pytest

from text2montage.pipeline import PipelineInputError
from text2montage.pipeline.inputs import MAX_DESCRIPTION_CHARS, Settings, clean_description


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀🎉", "\x00\x07", 42, None])
def test_unusable_descriptions(text):
    with pytest.raises(PipelineInputError):
        clean_description(text)


def test_emoji_and_control_characters_are_left_out_with_a_note():
    clean = clean_description("눈이 작다 😀\x07 입술이\u200b 도톰하다")
    assert clean.text == "눈이 작다 입술이 도톰하다"
    assert any("left out" in note for note in clean.notes)


def test_decomposed_hangul_is_composed_never_folded():
    decomposed = "\u1102\u116e\u11ab\u110b\u1175 \u110c\u1161\u11a8\u1103\u1161"  # 눈이 작다 as jamo
    assert clean_description(decomposed).text == "눈이 작다"


def test_non_korean_text_works_with_a_note():
    clean = clean_description("small eyes, thick lips")
    assert clean.text == "small eyes, thick lips" and "no Korean" in clean.notes[0]


def test_very_long_text_is_cut_with_a_note():
    clean = clean_description("눈이 작다. " * 1000)
    assert len(clean.text) <= MAX_DESCRIPTION_CHARS and "cut" in clean.notes[0]


@pytest.mark.parametrize(
    "settings",
    [
        {"num_candidates": 0}, {"num_candidates": -3}, {"num_candidates": 65}, {"num_candidates": 2.5},
        {"num_candidates": True}, {"guidance_scale": float("nan")}, {"guidance_scale": float("inf")},
        {"guidance_scale": -1.0}, {"temperature": -0.5}, {"temperature": float("inf")}, {"top_k": 0},
        {"top_p": 0.0}, {"top_p": 1.5}, {"seed": -1}, {"seed": "7"}, {"seed": 2**64},
    ],
)
def test_bad_settings(settings):
    with pytest.raises(PipelineInputError):
        Settings(**settings)


def test_good_settings_and_a_chosen_seed():
    settings = Settings(num_candidates=64, guidance_scale=0, temperature=0, top_k=5, top_p=1.0, seed=0)
    assert settings.seed == 0 and settings.sampling_config().temperature == 0
    assert isinstance(Settings().seed, int)


def test_the_pipeline_reports_notes(pipe):
    result = pipe("small eyes 😀", num_candidates=1, seed=0)
    assert len(result.notes) == 2
    result = pipe("눈이 작다. " * 60, num_candidates=1, seed=0)
    assert any("window" in note for note in result.notes)
