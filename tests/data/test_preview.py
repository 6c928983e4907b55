"""Contact sheets show their Korean captions: the install puts a Hangul font where the preview finds it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from text2montage.data.preview import THUMB_WIDTH, contact_sheet, korean_font
from text2montage.data.synth.corpus import SynthOptions, synthesize


def _drawn(text: str) -> np.ndarray:
    font = korean_font()
    assert font is not None, "no Hangul font: scripts/install.sh installs fonts-nanum"
    image = Image.new("L", (80, 30), 255)
    ImageDraw.Draw(image).text((2, 2), text, fill=0, font=font)
    return np.asarray(image)


def test_the_font_draws_hangul_not_boxes() -> None:
    ga, na, box = _drawn("가"), _drawn("나"), _drawn("\uffff")  # a missing glyph draws as a box or nothing
    assert (ga < 128).any() and not np.array_equal(ga, na)
    assert not np.array_equal(ga, box) and not np.array_equal(na, box)


def test_contact_sheet_writes_captions_on_the_sheet(tmp_path: Path) -> None:
    synthesize(SynthOptions(out=tmp_path / "raw", n_persons=2, seed=1, width=135, height=180), workers=1)
    sheet = contact_sheet(tmp_path / "raw", tmp_path / "sheet.png", 2)
    pixels = np.asarray(Image.open(sheet).convert("L"))
    assert (pixels[:, 4 * THUMB_WIDTH + 20 :] < 128).sum() > 500  # caption text beside the sketches
    assert not sheet.with_suffix(".txt").exists()
