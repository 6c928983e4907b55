"""The evaluation report folder: report.json, report.md, sample grids and per-field bar charts (PNG)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from text2montage.data.store import write_bytes_atomic, write_json_atomic

TEXT_PANEL = 360
FONT_SIZE = 14
PAD = 6
BAR_ROW = 16
BAR_WIDTH = 420
LABEL_WIDTH = 190
SERIES = (("ceiling", "real sketch", 40), ("first", "first candidate", 110),
          ("reranked", "reranked top-1", 160), ("first_control", "control", 215))


def _font(size: int = FONT_SIZE) -> ImageFont.ImageFont:
    from text2montage.data.preview import korean_font

    return korean_font(size) or ImageFont.load_default()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: int) -> list[str]:
    """Break text into lines that fit `width` pixels (Korean has no hyphenation: break anywhere)."""
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width and line:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    return lines + ([line] if line else [])


def sample_grid(rows: list[dict]) -> Image.Image:
    """One row per description: its text, the real sketch (when there is one), candidates best first."""
    size = rows[0]["candidates"].shape[-1]
    k = rows[0]["candidates"].shape[0]
    has_real = rows[0]["real"] is not None
    width = TEXT_PANEL + (k + int(has_real)) * (size + PAD) + PAD
    sheet = Image.new("L", (width, len(rows) * (size + PAD) + PAD), 255)
    draw, font = ImageDraw.Draw(sheet), _font()
    max_lines = max(1, size // (FONT_SIZE + 2))
    for r, row in enumerate(rows):
        y = PAD + r * (size + PAD)
        lines = _wrap(draw, row["description"], font, TEXT_PANEL - 2 * PAD)
        draw.multiline_text((PAD, y), "\n".join(lines[:max_lines]), fill=0, font=font, spacing=2)
        images = ([row["real"]] if has_real else []) + list(row["candidates"])
        for c, image in enumerate(images):
            x = TEXT_PANEL + c * (size + PAD)
            sheet.paste(Image.fromarray(np.asarray(image, np.uint8), mode="L").resize((size, size)), (x, y))
            if has_real and c == 0:
                draw.rectangle((x - 2, y - 2, x + size + 1, y + size + 1), outline=0, width=2)
    return sheet


def field_chart(signal: dict, title: str) -> Image.Image:
    """Horizontal bars per field: real-sketch ceiling, first candidate, reranked top-1, control."""
    fields = [f for f, row in signal["fields"].items() if row.get("first") is not None]
    series = [s for s in SERIES if any(signal["fields"][f].get(s[0]) is not None for f in fields)]
    row_height = BAR_ROW * len(series) + PAD
    legend = 22 * len(series) + 30
    image = Image.new("L", (LABEL_WIDTH + BAR_WIDTH + 60, legend + row_height * len(fields) + PAD), 255)
    draw, font = ImageDraw.Draw(image), _font(12)
    draw.text((PAD, PAD), title, fill=0, font=font)
    for i, (_, label, shade) in enumerate(series):
        y = 28 + 22 * i
        draw.rectangle((PAD, y, PAD + 30, y + 14), fill=shade)
        draw.text((PAD + 40, y), label, fill=0, font=font)
    for f_index, name in enumerate(fields):
        y0 = legend + f_index * row_height
        draw.text((PAD, y0 + 2), name, fill=0, font=font)
        for s_index, (key, _, shade) in enumerate(series):
            value = signal["fields"][name].get(key)
            if value is None:
                continue
            y, end = y0 + s_index * BAR_ROW, LABEL_WIDTH + int(value * BAR_WIDTH)
            draw.rectangle((LABEL_WIDTH, y, end, y + BAR_ROW - 3), fill=shade)
            draw.text((end + 4, y), f"{value:.2f}", fill=0, font=font)
    return image


def _png(path: Path, image: Image.Image) -> None:
    from io import BytesIO

    buffer = BytesIO()
    image.save(buffer, format="PNG")
    write_bytes_atomic(path, buffer.getvalue())


def write_report(report: dict, samples: dict[str, dict], out: str | Path) -> Path:
    """Write OUT/report.json, OUT/report.md, OUT/samples_MODE.png and OUT/fields_MODE.png."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "report.json", report)
    for mode, sample in samples.items():
        if sample["rows"]:
            _png(out / f"samples_{mode}.png", sample_grid(sample["rows"]))
        chart = field_chart(report["attributes"][mode], f"attribute accuracy: {mode}")
        _png(out / f"fields_{mode}.png", chart)
    write_bytes_atomic(out / "report.md", markdown(report, samples).encode("utf-8"))
    return out / "report.md"


def _num(value: object, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(report: dict, samples: dict[str, dict]) -> str:
    lines = [
        "# Montage evaluation",
        "",
        f"Model `{report['model']}` (fingerprint `{report['pipeline_fingerprint']}`), "
        f"split `{report['split']}`, "
        f"{report['n']} level-3 records, {report['sampling']['candidates']} candidates each, seed "
        f"{report['seed']}; reranker: {report['reranker'] or 'none'}.",
        "",
        "## Attribute signal (mean over readable fields)",
        "",
        "signal retained = (montage − control) / (ceiling − control); control = the same montages scored "
        "against another record's attributes.",
        "",
        "| captions | fields | ceiling | first | first control | reranked | reranked control "
        "| signal retained, first | signal retained, reranked |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode, signal in report["attributes"].items():
        m = signal["mean"]
        lines.append(f"| {mode} | {m['fields']} | {_num(m['ceiling'])} | {_num(m.get('first'))} | "
                     f"{_num(m.get('first_control'))} | {_num(m.get('reranked'))} | "
                     f"{_num(m.get('reranked_control'))} | {_num(m.get('first_signal_retained'))} | "
                     f"{_num(m.get('reranked_signal_retained'))} |")
    readable = report["readable_fields"]
    lines += ["", f"Readable fields ({len(readable)}): {', '.join(readable)}.",
              "", f"Unreadable at this resolution: {', '.join(report['unreadable_fields']) or 'none'}.", ""]
    lines += _metric_lines(report) + _image_lines(report, samples)
    lines += ["", "## Notes", ""] + [f"- {note}" for note in report["notes"]]
    return "\n".join(lines) + "\n"


def _metric_lines(report: dict) -> list[str]:
    t = report["timing"]
    lines = ["## Image metrics", "", "```json",
             json.dumps({k: report[k] for k in ("fid", "fid_floor", "inception_score", "clip_score",
                                                "r_precision", "haar_rate")}, ensure_ascii=False, indent=1),
             "```", "",
             f"Wall time {t['wall_seconds']:.1f} s; {t['images_drawn']} montages drawn in "
             f"{t['sampling_seconds']:.1f} s ({_num(t['seconds_per_image'], 4)} s per image).", ""]
    return lines


def _image_lines(report: dict, samples: dict[str, dict]) -> list[str]:
    lines = ["## Samples and per-field accuracy", ""]
    for mode, sample in samples.items():
        lines += [f"### {mode}", "", f"Candidates ordered by {sample['ranked_by']}"
                  + ("; the framed image is the real sketch." if sample["rows"] and
                     sample["rows"][0]["real"] is not None else "."), "",
                  f"![samples {mode}](samples_{mode}.png)", "", f"![fields {mode}](fields_{mode}.png)", ""]
    return lines
