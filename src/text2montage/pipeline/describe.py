"""AIHub attribute fields -> a Korean description in the annotators' register (the app's attribute form).

The prose comes from the synthetic corpus's describer (data/synth/describe.py: the same phrase tables,
hedges and connectives the training captions were written with), run at level 3 on exactly the fields
given; sections with no field given are left out, so the text says nothing the user did not choose.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from text2montage.data.synth.describe import IMPRESSIONS, describe_person
from text2montage.data.vocab import ALL_FIELDS, SECTIONS, VOCAB, Person, is_known
from text2montage.pipeline.errors import PipelineInputError
from text2montage.text.normalize import normalize_text

FORM_FIELDS: tuple[str, ...] = tuple(key for key in ALL_FIELDS if not key.startswith("neck."))


def field_choices(key: str) -> list[str]:
    """The vocabulary values of one 'section.field' (for a dropdown), most frequent first."""
    section, name = _split(key)
    values = VOCAB[section][name]
    return [value for value, _ in sorted(values, key=lambda pair: -pair[1])]


def describe_attributes(attributes: Mapping[str, str], seed: int = 0) -> str:
    """{'face.type': '계란형', 'eyes.size': '작다', ...} -> '계란형 얼굴이며 ... 눈이 작은 편이다.'

    Unknown markers (알수없음, 분류없음, 해당사항없음) and empty values are skipped; a key outside the AIHub
    schema is an error. The same attributes and seed give the same text."""
    known = _known_fields(attributes)
    if not known:
        raise PipelineInputError("choose at least one attribute (e.g. 얼굴형: 계란형) to write a description")
    person = Person(org_id=0, gender="", age=0, attributes=known)
    sections = describe_person(person, level=3, rng=np.random.default_rng(seed))
    chosen = {key.split(".")[0] for key in known}
    parts = [sections[s] for s in SECTIONS if s in chosen and s != "impression" and sections.get(s)]
    if "impression.type" in known:
        parts.append(_impression(known["impression.type"], seed))
    return normalize_text(" ".join(parts))


def _known_fields(attributes: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(attributes, Mapping):
        raise PipelineInputError("attributes must map AIHub fields ('face.type') to values")
    known = {}
    for key, value in attributes.items():
        _split(key)
        if value is not None and not isinstance(value, str):
            raise PipelineInputError(f"the value of {key} must be text, got {type(value).__name__}")
        if value is not None and is_known(value):
            known[key] = normalize_text(value)
    return known


def _impression(value: str, seed: int) -> str:
    variants = IMPRESSIONS.get(value)
    if not variants:  # a value outside the vocabulary: say it plainly
        return f"{normalize_text(value).rstrip('.')} 인상이다."
    choice = variants[seed % len(variants)].replace("{h}", "")
    return normalize_text(choice) + "."


def _split(key: str) -> tuple[str, str]:
    section, _, name = str(key).partition(".")
    if section not in VOCAB or name not in VOCAB[section]:
        raise PipelineInputError(f"{key!r} is not an AIHub attribute field (e.g. face.type, eyes.size)")
    return section, name
