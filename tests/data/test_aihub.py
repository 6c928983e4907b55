"""The AIHub loader reads every schema variant the real data has and reports unusable records."""

from __future__ import annotations

import json
import unicodedata

import pytest
from aihub_fixtures import TL, real_style_record, write_record

from text2montage.data.aihub import RecordError, build_caption, parse_record


def test_real_record_parses_with_misspelled_keys(tmp_path):
    path = write_record(tmp_path, real_style_record(4197))
    record = parse_record(path)
    assert record.person_id == 4197 and record.level == 3 and record.gender == "M" and record.age == 55
    assert record.attributes["face.type"] == "긴형"
    assert record.attributes["wrinkle.lib"] == "보통" and record.attributes["feature.tatoo"] == "해당사항없음"
    assert record.attributes["face.cheek"] == "광대돌출(예: 비대칭은 분류 없음 선택 후 기술)"
    assert record.sections["face"] == "긴 얼굴형에 턱이 길고 주걱턱이다."  # whitespace cleaned
    assert "feature" not in record.sections  # empty prose is no section text
    assert record.image_path == tmp_path / TL / "Images/sketch/H/4197_24594.jpg"
    assert record.org_sketch_path == tmp_path / TL / "Images/org_sketch/4197.png"


def test_bare_dicts_and_alternative_description_key(tmp_path):
    raw = real_style_record(7)
    record = {k: (v[0] if isinstance(v, list) else v) for k, v in raw.items()}
    record["description"] = record.pop("descripton")
    parsed = parse_record(write_record(tmp_path, record))
    assert parsed.person_id == 7 and parsed.attributes["hairstyle.type"] == "곱슬머리"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_encodings(tmp_path, encoding):
    parsed = parse_record(write_record(tmp_path, real_style_record(11), encoding=encoding))
    assert parsed.sections["impression"] == "정직하고 성실한 인상을 준다."


def test_decomposed_hangul_is_normalised_to_nfc(tmp_path):
    record = real_style_record(12)
    record["descripton"][0]["eyes"]["description"] = unicodedata.normalize("NFD", "눈이 작다.")
    parsed = parse_record(write_record(tmp_path, record))
    assert parsed.sections["eyes"] == "눈이 작다."
    assert unicodedata.is_normalized("NFC", parsed.sections["eyes"])


def test_unknown_values_and_sections_are_kept(tmp_path):
    record = real_style_record(13)
    record["descripton"][0]["eyes"]["size"] = "아주 독특함"
    record["descripton"][0]["ears"] = {"size": "크다", "description": "귀가 크다."}
    parsed = parse_record(write_record(tmp_path, record))
    assert parsed.attributes["eyes.size"] == "아주 독특함"
    assert parsed.attributes["ears.size"] == "크다"
    assert build_caption(parsed, "full").endswith("귀가 크다.")


def test_level_comes_from_sketch_path(tmp_path):
    record = real_style_record(14, level=1)
    record["info"][0]["level"] = 3  # the path (sketch/L) wins
    assert parse_record(write_record(tmp_path, record)).level == 1


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: r.pop("info"), "missing section 'info'"),
        (lambda r: r.pop("descripton"), "missing section 'descripton'"),
        (lambda r: r.update(sketch_info=[]), "missing section 'sketch_info'"),
    ],
)
def test_missing_sections_raise_with_reason(tmp_path, mutate, reason):
    record = real_style_record(15)
    mutate(record)
    path = tmp_path / "json" / "H" / "x.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RecordError, match=reason):
        parse_record(path)


def test_unreadable_json_raises(tmp_path):
    path = tmp_path / "json" / "H" / "bad.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"info": [', encoding="utf-8")
    with pytest.raises(RecordError, match="unreadable JSON"):
        parse_record(path)


def test_caption_modes(tmp_path):
    parsed = parse_record(write_record(tmp_path, real_style_record(16)))
    assert build_caption(parsed, "impression") == "정직하고 성실한 인상을 준다."
    full = build_caption(parsed, "full")
    assert full.startswith("긴 얼굴형에") and full.index("곱슬머리") < full.index("눈꼬리")
    attributes = build_caption(parsed, "attributes")
    assert "긴형" in attributes
    combined = build_caption(parsed, "impression+attributes")
    assert combined.startswith("정직하고") and "긴형" in combined
    parsed.sections.pop("impression")
    assert build_caption(parsed, "impression") == parsed.sections["face"]  # the original project's fallback
    with pytest.raises(ValueError, match="unknown caption mode"):
        build_caption(parsed, "poetry")
