"""The synthetic corpus: AIHub layout and schema, determinism, and `data prepare` reading it unchanged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from text2montage.data.aihub import find_record_files, parse_record
from text2montage.data.prepare import PrepareOptions, prepare_dataset
from text2montage.data.store import load_split
from text2montage.data.synth.corpus import TRAIN_ROOT, VALID_ROOT, SynthOptions, synthesize
from text2montage.data.vocab import VOCAB, fields_for_level

N = 12
SMALL = {"width": 135, "height": 180}


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synthesize(SynthOptions(out=out, n_persons=N, seed=7, **SMALL), workers=1)
    return out


def test_layout_matches_aihub(corpus):
    assert (corpus / TRAIN_ROOT / "Images/org_sketch/1.png").is_file()
    assert (corpus / VALID_ROOT / "Images/org_sketch/10.png").is_file()  # every tenth person validates
    records = find_record_files(corpus)
    assert len(records) == 3 * N
    levels = {p.parent.name for p in records}
    assert levels == {"L", "M", "H"}
    for letter in "LMH":
        assert len(list(corpus.rglob(f"Images/sketch/{letter}/*.jpg"))) == N


def test_records_follow_the_schema_and_level_fields(corpus):
    for path in find_record_files(corpus):
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert set(raw) == {"info", "descripton", "sketch_info", "org_sketch_info"}
        assert all(isinstance(raw[k], list) and len(raw[k]) == 1 for k in raw)
        record = parse_record(path)
        assert record.image_path.is_file() and record.org_sketch_path.is_file()
        filled = {k for k in record.attributes if k.split(".")[0] in VOCAB}
        assert filled == set(fields_for_level(record.level))
        for key, value in record.attributes.items():
            section, field = key.split(".")
            assert value in {v for v, _ in VOCAB[section][field]}
        for section in ("face", "hairstyle", "eyes", "nose", "mouth"):
            assert record.sections.get(section), f"{path.name} has no {section} text"


def test_same_seed_gives_byte_identical_files(corpus, tmp_path):
    again = tmp_path / "again"
    synthesize(SynthOptions(out=again, n_persons=N, seed=7, **SMALL), workers=2)  # other worker count
    assert _digest(again) == _digest(corpus)
    other = tmp_path / "other"
    synthesize(SynthOptions(out=other, n_persons=2, seed=8, **SMALL), workers=1)
    first = "1.Training/라벨링데이터/TL/Images/org_sketch/1.png"
    assert _digest(other)[first] != _digest(corpus)[first]


def test_prepare_reads_the_corpus_unchanged(corpus, tmp_path):
    report = prepare_dataset(corpus, tmp_path / "prepared", PrepareOptions(size=32), workers=1)
    assert report.n_records == 3 * N and not report.skipped
    rows = [r for s in ("train", "val", "test") for r in load_split(tmp_path / "prepared", s).records]
    assert all(r["captions"]["impression"] and r["captions"]["full"] for r in rows)
    assert {r["level"] for r in rows} == {1, 2, 3}
