"""Attribute sentences: the vocabulary's plain Korean, which the loader and the describer share."""

from __future__ import annotations

from text2montage.data.phrases import attribute_sentences, canonical_value, generic_sentence
from text2montage.data.vocab import ABSENT, PRESENT


def test_attribute_sentences_plain() -> None:
    assert attribute_sentences({"face.type": "계란형"}) == ["얼굴형은 계란형이다."]
    both = attribute_sentences({"eyes.size": "작다", "face.type": "긴형"})
    assert both == ["얼굴형은 긴형이다.", "눈이 작다."]  # vocabulary order
    cheek = attribute_sentences({"face.cheek": "광대돌출(예: 비대칭은 분류 없음 선택 후 기술)"})
    assert cheek == ["광대가 돌출되어 있다."]
    unknown = {"face.chinType": "분류없음", "face.foreheadType": "알수없음", "feature.mole": ABSENT,
               "face.cheek": "분류 없음", "eyes.size": ""}
    assert attribute_sentences(unknown) == []
    assert attribute_sentences({"feature.mole": PRESENT}) == ["점이 있다."]


def test_aliases_and_unlisted_values() -> None:
    assert canonical_value("hairstyle.type", "생머리") == "직모(생머리)"
    assert canonical_value("face.cheek", "볼살많음") == "볼살많음(예: 비대칭은 분류 없음 선택 후 기술)"
    assert canonical_value("eyes.size", "아주 크다") is None
    assert generic_sentence("eyes.size", "아주 크다") == "눈 크기는 아주 크다"
    assert generic_sentence("face.type", "하트형") == "얼굴형은 하트형이다"
    assert attribute_sentences({"face.type": "하트형"}) == ["얼굴형은 하트형이다."]
