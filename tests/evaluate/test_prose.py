"""The hand-written free-prose set: enough entries, every register, valid AIHub targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2montage.errors import DataError
from text2montage.evaluate.prose import REGISTERS, load_free_prose


def test_shipped_free_prose_is_valid_and_covers_every_register() -> None:
    entries = load_free_prose()
    assert len(entries) >= 30
    assert len({e.id for e in entries}) == len(entries) and len({e.text for e in entries}) == len(entries)
    assert {r for e in entries for r in e.register} == REGISTERS
    assert all(e.attributes for e in entries)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [({"face.colour": "흰색"}, "not an AIHub attribute field"), ({"face.type": "세모"}, "not a value of")],
)
def test_bad_entries_are_named(tmp_path: Path, attributes: dict, message: str) -> None:
    good = {"id": "a", "text": "얼굴이 둥글어요.", "attributes": {"face.type": "둥근형"}}
    bad = {"id": "b", "text": "얼굴이 이상해요.", "attributes": attributes}
    path = tmp_path / "prose.jsonl"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in (good, bad)), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_free_prose(path)
