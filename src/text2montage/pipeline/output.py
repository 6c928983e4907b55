"""Writing results for people: ranked PNGs, a contact sheet with Hangul captions, results.json.

A result folder is built beside its destination and renamed into place, so it appears whole or not at
all (text2montage.outputs); an existing folder is only replaced when it holds an earlier text2montage
result and the user passed --overwrite.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from text2montage import outputs
from text2montage.outputs import check_output_dir
from text2montage.pipeline.results import MontageResult

RESULTS_FILE = "results.json"
SHEET_FILE = "sheet.png"
SHEET_COLUMNS = 4
THUMB = 192  # pixels per montage on the sheet
PAD = 10
PAPER, INK, GREY = 255, 20, 110
_NUMBER_LIST = re.compile(r"\[\s*(-?\d[-\d.,\s]*?)\s*\]")


def is_result_folder(folder: Path) -> bool:
    return (Path(folder) / RESULTS_FILE).is_file()


def check_out_dir(out: Path, overwrite: bool = False) -> Path:
    """Before any model loads: `out` is new, an empty folder, or (with overwrite) an earlier result folder."""
    return check_output_dir(out, "--out", overwrite, is_result_folder, "montages")


def write_folder(out: Path, fill: Callable[[Path], None], overwrite: bool = False) -> Path:
    """Build a folder with fill(tmp) beside `out`, then move it into place (an earlier result swapped out)."""
    return outputs.write_folder(out, fill, "--out", overwrite, is_result_folder, "montages")


def write_result(result: MontageResult, folder: Path, extra: dict[str, Any] | None = None) -> list[str]:
    """rank-01.png ..., sheet.png and results.json into an existing folder; returns the file names."""
    names = []
    for candidate in result.candidates:
        names.append(f"rank-{candidate.rank:02d}.png")
        candidate.image.save(folder / names[-1], format="PNG")
    contact_sheet(result).save(folder / SHEET_FILE, format="PNG")
    record = {**result.to_dict(), **(extra or {})}
    for entry, name in zip(record["candidates"], names, strict=True):
        entry["file"] = name
    (folder / RESULTS_FILE).write_text(results_json(record), encoding="utf-8")
    return [*names, SHEET_FILE, RESULTS_FILE]


def results_json(record: dict[str, Any]) -> str:
    """Indented JSON with each list of numbers (a code-grid row) kept on one line."""
    text = json.dumps(record, ensure_ascii=False, indent=1)
    return _NUMBER_LIST.sub(lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text)


# --------------------------------------------------------------------------------------------------
# the contact sheet
# --------------------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def hangul_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font that draws Hangul (data.preview finds Nanum, Noto CJK, ...), else Pillow's default."""
    from text2montage.data.preview import korean_font

    return korean_font(size) or ImageFont.load_default(size)


def contact_sheet(result: MontageResult, columns: int = SHEET_COLUMNS) -> Image.Image:
    """All candidates in rank order with '1위 · score' under each and the description on top."""
    font, small = hangul_font(18), hangul_font(15)
    columns = max(1, min(columns, len(result.candidates)))
    rows = -(-len(result.candidates) // columns)
    header = _wrap(result.description or "(설명 없음)", columns * (THUMB + PAD) // 18)
    header_h = PAD + 24 * len(header) + PAD
    cell_h = THUMB + 26
    sheet = Image.new("L", (PAD + columns * (THUMB + PAD), header_h + rows * (cell_h + PAD)), PAPER)
    draw = ImageDraw.Draw(sheet)
    for line_no, line in enumerate(header):
        draw.text((PAD, PAD + 24 * line_no), line, fill=INK, font=font)
    for index, candidate in enumerate(result.candidates):
        x = PAD + (index % columns) * (THUMB + PAD)
        y = header_h + (index // columns) * (cell_h + PAD)
        sheet.paste(candidate.image.convert("L").resize((THUMB, THUMB), Image.Resampling.LANCZOS), (x, y))
        draw.text((x, y + THUMB + 4), f"{candidate.rank}위 · {candidate.score:.3f}", fill=GREY, font=small)
    return sheet


def _wrap(text: str, width: int) -> list[str]:
    lines = textwrap.wrap(text, width=max(10, width)) or [""]
    return lines[:4] + (["…"] if len(lines) > 4 else [])
