"""Contact sheets: sketches beside their captions, so a person can look at a corpus."""

from __future__ import annotations

import functools
import io
import subprocess
import textwrap
from collections import defaultdict
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from text2montage.data.aihub import AIHubRecord, RecordError, iter_records, load_gray_image
from text2montage.outputs import write_bytes_atomic

THUMB_WIDTH, THUMB_HEIGHT = 150, 200
TEXT_WIDTH = 640
FONT_SIZE = 15
WRAP_CHARS = 40  # Hangul syllables are about one em wide: ~40 fit in TEXT_WIDTH at FONT_SIZE
TEXT_LINES = 12
# Fonts with Hangul, tried in order, then any font fontconfig knows for Korean. scripts/install.sh
# installs Debian's fonts-nanum (NanumGothic, SIL Open Font License) where apt-get is available.
KOREAN_FONTS = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/AppleSDGothicNeo.ttc",
    "C:/Windows/Fonts/malgun.ttf",
)


def korean_font(size: int = FONT_SIZE) -> ImageFont.ImageFont | ImageFont.FreeTypeFont | None:
    """A font that draws Hangul, or None when the machine has none."""
    path = korean_font_file()
    return ImageFont.truetype(str(path), size) if path is not None else None


@functools.cache
def korean_font_file() -> Path | None:
    """The first of KOREAN_FONTS on disk, else the first file `fc-list :lang=ko` names, else None."""
    for path in map(Path, KOREAN_FONTS):
        if path.is_file():
            return path
    try:
        listed = subprocess.run(["fc-list", ":lang=ko", "file"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":")[0].strip() for line in listed.stdout.splitlines() if line.strip())
    return next((Path(f) for f in files if f.lower().endswith((".ttf", ".otf", ".ttc"))), None)


def _persons(root: Path, n: int) -> list[list[AIHubRecord]]:
    """The first `n` persons' usable records, each person's levels in order."""
    by_person: dict[int, list[AIHubRecord]] = defaultdict(list)
    for item in iter_records(root):
        if isinstance(item, AIHubRecord):
            by_person[item.person_id].append(item)
    chosen = sorted(by_person)[:n]
    return [sorted(by_person[p], key=lambda r: r.level or 0) for p in chosen]


def _thumb(path: Path | None) -> Image.Image:
    try:
        image = load_gray_image(path) if path else None
    except RecordError:
        image = None
    if image is None:
        return Image.new("L", (THUMB_WIDTH, THUMB_HEIGHT), 200)
    return Image.fromarray(image).resize((THUMB_WIDTH, THUMB_HEIGHT), Image.Resampling.LANCZOS)


def _caption_lines(records: list[AIHubRecord]) -> list[str]:
    top = records[-1]  # the richest level
    head = f"#{top.person_id}  {top.gender or '?'} {top.age or '?'}세"
    text = " ".join(top.sections.get(s, "") for s in ("impression", "face", "eyes", "nose", "mouth"))
    return [head, *textwrap.wrap(text, WRAP_CHARS)][:TEXT_LINES]


def contact_sheet(root: str | Path, out: str | Path, n_persons: int = 8) -> Path:
    """Write a PNG: one row per person (org sketch, L, M, H) with the level-3 captions beside it.

    Without a Hangul font the captions go to a .txt file next to the PNG instead.
    """
    persons = _persons(Path(root), n_persons)
    if not persons:
        raise FileNotFoundError(f"no usable records under {root}")
    font = korean_font()
    row_h = THUMB_HEIGHT + 10
    sheet = Image.new("L", (4 * THUMB_WIDTH + TEXT_WIDTH + 30, row_h * len(persons) + 10), 255)
    draw = ImageDraw.Draw(sheet)
    text_rows = []
    for i, records in enumerate(persons):
        y = 10 + i * row_h
        paths = [records[0].org_sketch_path] + [r.image_path for r in records[:3]]
        for j, path in enumerate(paths):
            sheet.paste(_thumb(path), (10 + j * THUMB_WIDTH, y))
        lines = _caption_lines(records)
        text_rows.append("\n".join(lines))
        if font is not None:
            draw.multiline_text((20 + 4 * THUMB_WIDTH, y), "\n".join(lines), fill=0, font=font, spacing=2)
    out = Path(out)
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG")
    write_bytes_atomic(out, buffer.getvalue())
    if font is None:
        write_bytes_atomic(out.with_suffix(".txt"), ("\n\n".join(text_rows) + "\n").encode("utf-8"))
    return out
