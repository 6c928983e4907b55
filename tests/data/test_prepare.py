"""`data prepare`: square images, person-level splits, a skip report, resume."""

from __future__ import annotations

import json

import numpy as np
from aihub_fixtures import TL, real_style_record, write_record

from text2montage.data.prepare import PrepareOptions, fit_square, prepare_dataset, split_of
from text2montage.data.store import load_meta, load_split

N_PERSONS = 30


def _corpus(root):
    for person in range(1, N_PERSONS + 1):
        for level in (1, 2, 3):
            write_record(root, real_style_record(person, level))
    return root


def test_fit_square_pads_without_cutting_or_distorting():
    portrait = np.full((720, 540), 255, np.uint8)
    portrait[:, :12] = 0  # a dark band at the left edge must survive
    portrait[-12:, :] = 0  # and one at the bottom
    square = fit_square(portrait, 128, "pad")  # 540x720 -> 720x720 (90 px white each side) -> 128
    assert square.shape == (128, 128)
    assert square[:, 16:17].max() < 100 and square[:, :15].min() == 255  # band kept, margin white
    assert square[-1, 20:100].max() < 100  # nothing cut at the bottom
    cropped = fit_square(portrait, 64, "crop")
    assert cropped.shape == (64, 64)


def test_prepare_splits_by_person_and_reports_skips(tmp_path):
    src = _corpus(tmp_path / "src")
    (src / TL / "json" / "H" / "broken.json").write_text("{not json", encoding="utf-8")
    write_record(src, real_style_record(999, 3), write_image=False)  # image missing
    corrupt = write_record(src, real_style_record(998, 3))
    image_path = src / TL / real_style_record(998, 3)["sketch_info"][0]["img_path"].lstrip("/")
    image_path.write_bytes(b"not a jpeg")
    report = prepare_dataset(src, tmp_path / "out", PrepareOptions(size=32), workers=1)

    assert report.n_json == 3 * N_PERSONS + 3 and report.n_records == 3 * N_PERSONS
    reasons = {s["file"].split("/")[-1]: s["reason"] for s in report.skipped}
    assert reasons["broken.json"].startswith("unreadable JSON")
    assert reasons["999_" + str(12000 + 999 * 3 + 3) + ".json"].startswith("missing image")
    assert reasons[corrupt.name].startswith("corrupt image")
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(saved["skipped"]) == 3

    persons = {}
    for split in ("train", "val", "test"):
        data = load_split(tmp_path / "out", split)
        assert data.images.shape[1:] == (32, 32) and data.images.dtype == np.uint8
        persons[split] = {r["person_id"] for r in data.records}
        for r in data.records:
            assert set(r["captions"]) == {"impression", "full", "attributes"}
            assert r["attributes"]["face.type"] == "긴형"
    assert persons["train"] and not persons["train"] & persons["val"]
    assert not persons["train"] & persons["test"] and not persons["val"] & persons["test"]
    assert sum(len(p) for p in persons.values()) == N_PERSONS
    assert load_meta(tmp_path / "out")["counts"] == report.counts


def test_rerun_resumes_from_finished_shards(tmp_path, monkeypatch):
    src = _corpus(tmp_path / "src")
    out = tmp_path / "out"
    first = prepare_dataset(src, out, PrepareOptions(size=16), workers=1)
    calls = []
    import text2montage.data.prepare as prepare_module

    monkeypatch.setattr(prepare_module, "prepare_shard", lambda *a: calls.append(a))
    second = prepare_dataset(src, out, PrepareOptions(size=16), workers=1)
    assert calls == [] and second.counts == first.counts
    images = load_split(out, "train").images
    assert len(images) == first.counts["train"]


def test_changed_options_start_over(tmp_path):
    src = _corpus(tmp_path / "src")
    out = tmp_path / "out"
    prepare_dataset(src, out, PrepareOptions(size=16), workers=1)
    prepare_dataset(src, out, PrepareOptions(size=24), workers=1)
    assert load_split(out, "train").images.shape[1:] == (24, 24)


def test_split_is_stable_and_roughly_proportional():
    splits = [split_of(p, (0.8, 0.1, 0.1)) for p in range(2000)]
    assert splits == [split_of(p, (0.8, 0.1, 0.1)) for p in range(2000)]
    assert 0.75 < splits.count("train") / 2000 < 0.85
