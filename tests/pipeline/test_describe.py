"""pipe.describe: AIHub fields -> Korean prose the model's captions are written in."""

from __future__ import annotations

import pytest

from text2montage.pipeline import PipelineInputError
from text2montage.pipeline.describe import FORM_FIELDS, describe_attributes, field_choices


def test_fields_become_korean_sentences_about_only_those_fields():
    text = describe_attributes({"face.type": "계란형", "eyes.size": "작다", "mouth.thick": "두껍다"})
    assert "계란형" in text or "달걀형" in text
    assert "눈" in text and "입술" in text and text.endswith(".")
    assert "코" not in text and "머리" not in text


def test_same_fields_same_text_and_seeds_vary_it():
    fields = {"face.type": "둥근형", "eyes.size": "크다", "eyes.slant": "내려감", "nose.size": "크다"}
    assert describe_attributes(fields) == describe_attributes(dict(fields))
    assert len({describe_attributes(fields, seed=s) for s in range(6)}) > 1


def test_impression_and_unknown_markers():
    text = describe_attributes({"impression.type": "지적임", "face.foreheadType": "알수없음"})
    assert "지적" in text and "이마" not in text


def test_every_form_field_with_each_value_describes():
    for key in FORM_FIELDS:
        for value in field_choices(key):
            if value not in ("알수없음", "분류없음", "분류 없음", "해당사항없음"):
                assert describe_attributes({key: value}), (key, value)


@pytest.mark.parametrize(
    "attributes", [{}, {"face.type": "분류없음"}, {"face.colour": "x"}, {"face.type": 3}]
)
def test_bad_attributes(attributes):
    with pytest.raises(PipelineInputError):
        describe_attributes(attributes)


def test_the_pipeline_exposes_describe(pipe):
    assert "계란형" in pipe.describe({"face.type": "계란형"}, seed=0) or "달걀형" in pipe.describe(
        {"face.type": "계란형"}, seed=0)
