"""The app's actions without a browser: the witness loop, downloads, history, and bad requests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from text2montage.app import studio as studio_module
from text2montage.app.studio import describe_form, new_state
from text2montage.errors import Text2MontageError
from text2montage.pipeline.describe import FORM_FIELDS

TEXT = "얼굴형은 계란형이다. 눈이 작고 입술이 도톰하다."


def test_generate_shows_ranked_candidates_and_downloads(studio):
    state = new_state()
    view = studio.generate(state, TEXT, 4, "3", 3.0)
    assert len(view.gallery) == 4 and view.gallery[0][1].startswith("1위 · ")
    assert "모델 우도" in view.status and "시드 3" in view.status
    assert view.selected_code == state["selected"] == state["codes"][0]
    names = [Path(f).name for f in view.files]
    assert names == ["rank-01.png", "sheet.png", "results.json"]
    record = json.loads(Path(view.files[-1]).read_text(encoding="utf-8"))
    assert record["description"] == TEXT and record["settings"]["seed"] == 3
    assert len(view.history) == 1


def test_select_redraw_vary_and_load_a_code(studio):
    state = new_state()
    first = studio.generate(state, TEXT, 3, 1, 3.0)
    picked = studio.select(state, 2)
    assert picked.selected_code == state["codes"][2] and picked.gallery == []
    assert Path(picked.files[0]).name == "montage.png"
    redrawn = studio.redraw(state, "eyes", "눈이 크다", 2, 0, 3.0)
    assert "부위 다시 그리기" in redrawn.status and len(redrawn.gallery) == 2
    varied = studio.vary(state, 0.5, 2, 0)
    assert "비슷하게" in varied.status
    loaded = studio.load_code(new_state(), first.selected_code)
    assert np.array_equal(np.asarray(loaded.selected_image), np.asarray(first.selected_image))


def test_history_keeps_the_latest_montages_without_repeats(studio, monkeypatch):
    monkeypatch.setattr(studio_module, "HISTORY_LIMIT", 3)
    state = new_state()
    studio.generate(state, TEXT, 4, 0, 3.0)
    for index in (0, 1, 2, 3, 1):
        studio.select(state, index)
    assert state["history"] == [state["codes"][i] for i in (2, 3, 1)]
    again = studio.select_history(state, 0)
    assert again.selected_code == state["codes"][2]


def test_download_folders_are_bounded(studio, monkeypatch):
    monkeypatch.setattr(studio_module, "KEPT_DOWNLOAD_DIRS", 2)
    state = new_state()
    for seed in range(4):
        studio.generate(state, TEXT, 1, seed, 3.0)
    assert len([p for p in studio.work_dir.iterdir() if p.is_dir()]) == 2


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda s, st: s.generate(st, "   ", 4, "", 3.0), "empty"),
        (lambda s, st: s.generate(st, TEXT, 0, "", 3.0), "num_candidates"),
        (lambda s, st: s.generate(st, TEXT, 17, "", 3.0), "1-16"),
        (lambda s, st: s.generate(st, TEXT, float("nan"), "", 3.0), "finite"),
        (lambda s, st: s.generate(st, TEXT, 4, "abc", 3.0), "시드"),
        (lambda s, st: s.generate(st, TEXT, 4, "-5", 3.0), "seed"),
        (lambda s, st: s.generate(st, TEXT, 4, "", float("inf")), "가이던스"),
        (lambda s, st: s.redraw(st, "eyes", TEXT, 4, "", 3.0), "select"),
        (lambda s, st: s.vary(st, 0.3, 4, ""), "select"),
        (lambda s, st: s.select(st, 0), "choose a candidate"),
        (lambda s, st: s.load_code(st, "not a code"), "not a montage code"),
        (lambda s, st: s.load_code(st, ""), "not a montage code"),
    ],
)
def test_bad_requests_are_user_errors(studio, action, message):
    with pytest.raises(Text2MontageError, match=message):
        action(studio, new_state())


def test_attribute_form_writes_a_description(tiny_pipe):
    values = ["" for _ in FORM_FIELDS]
    values[FORM_FIELDS.index("face.type")] = "계란형"
    values[FORM_FIELDS.index("eyes.size")] = "작다"
    text = describe_form(tiny_pipe, FORM_FIELDS, values)
    assert ("계란형" in text or "달걀형" in text) and "눈" in text
    with pytest.raises(Text2MontageError, match="choose at least one"):
        describe_form(tiny_pipe, FORM_FIELDS, ["" for _ in FORM_FIELDS])


def test_the_page_builds_with_every_control(tiny_pipe, studio):
    from text2montage.app.ui import build_app, examples

    demo = build_app(studio)
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    for needed in ("description", "draw", "gallery", "selected", "code", "files", "region", "redraw", "vary",
                   "load-code", "load", "history", "describe", "seed", "num"):
        assert needed in ids, needed
    assert len([i for i in ids if i and i.startswith("attr-")]) == len(FORM_FIELDS)
    seeds = examples()
    assert len(seeds) >= 5 and seeds[4] == "눈이 작고 여성스러운 이미지를 가지고 있으며 입술은 도톰하다."
