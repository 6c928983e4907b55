"""Read AIHub montage records (real or synthetic) exactly as aihub-format.md describes them.

Tolerant where the real data varies (one-element lists or bare dicts, `descripton` or `description`,
utf-8 / utf-8-sig / cp949, unlisted values), strict where a record is unusable: a record that cannot be
used raises `RecordError` with a reason, which `data prepare` writes to its skip report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from text2montage.data.phrases import attribute_sentences
from text2montage.data.vocab import CAPTION_MODES, LETTER_LEVELS, SECTIONS
from text2montage.errors import DataError, OptionError
from text2montage.text.normalize import normalize_text

ENCODINGS = ("utf-8-sig", "cp949")  # utf-8-sig also reads plain utf-8
DESCRIPTION_KEYS = ("descripton", "description")  # the real data misspells the key


class RecordError(DataError):
    """This record cannot be used; the message is the reason shown in the skip report."""


@dataclass
class AIHubRecord:
    """One level sketch with its description record."""

    json_path: Path
    person_id: int
    sketch_id: int | None
    level: int | None
    gender: str | None
    age: int | None
    image_path: Path
    org_sketch_path: Path | None
    attributes: dict[str, str] = field(default_factory=dict)  # "section.field" -> value
    sections: dict[str, str] = field(default_factory=dict)  # section -> description prose


def find_record_files(root: str | Path) -> list[Path]:
    """Every JSON record under `root` (any release folder, any sub-folder), in a stable order."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    return sorted(p for p in root.rglob("*.json") if "json" in p.relative_to(root).parts[:-1])


def read_json(path: Path) -> Any:
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            return json.loads(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
        except json.JSONDecodeError as err:
            raise RecordError(f"unreadable JSON: {err.msg} at line {err.lineno}") from err
    raise RecordError(f"unreadable JSON: not {' or '.join(ENCODINGS)} text")


def _one(record: dict[str, Any], key: str, *, required: bool = True) -> dict[str, Any] | None:
    """A section given either as a one-element list or as a bare dict."""
    value = record.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return value
    if required:
        raise RecordError(f"missing section {key!r}")
    return None


def _base_folder(json_path: Path) -> Path:
    """The TL/VL folder that `/Images/...` paths are relative to: the parent of the `json` folder."""
    for parent in json_path.parents:
        if parent.name == "json":
            return parent.parent
    return json_path.parent


def _image_path(base: Path, info: dict[str, Any] | None) -> Path | None:
    rel = (info or {}).get("img_path")
    return base / str(rel).lstrip("/\\") if rel else None


def _level(image_path: Path, info: dict[str, Any]) -> int | None:
    """Best read from the sketch path (sketch/L|M|H); else the info block's level."""
    if image_path.parent.name in LETTER_LEVELS:
        return LETTER_LEVELS[image_path.parent.name]
    return _int_or_none(info.get("level"))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _descriptions(description: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Split the description block into categorical attributes and section prose."""
    attributes: dict[str, str] = {}
    sections: dict[str, str] = {}
    for section, body in description.items():
        if not isinstance(body, dict):
            continue  # org_id and any stray scalar
        for key, value in body.items():
            if value is None or isinstance(value, (dict, list)):
                continue
            text = normalize_text(str(value))
            if key == "description":
                if text:
                    sections[section] = text
            elif text:
                attributes[f"{section}.{key}"] = text
    return attributes, sections


def parse_record(json_path: Path) -> AIHubRecord:
    """Parse one JSON record; raises RecordError with the reason when it is unusable."""
    data = read_json(json_path)
    if not isinstance(data, dict):
        raise RecordError("unreadable JSON: top level is not an object")
    info = _one(data, "info")
    description = next((d for k in DESCRIPTION_KEYS if (d := _one(data, k, required=False))), None)
    if description is None:
        raise RecordError("missing section 'descripton'")
    base = _base_folder(json_path)
    image_path = _image_path(base, _one(data, "sketch_info"))
    if image_path is None:
        raise RecordError("sketch_info has no img_path")
    person_id = _int_or_none(info.get("org_id", description.get("org_id")))
    if person_id is None:
        raise RecordError("info has no org_id")
    attributes, sections = _descriptions(description)
    gender = str(info["gender"]).strip().upper() if info.get("gender") else None
    return AIHubRecord(
        json_path=json_path,
        person_id=person_id,
        sketch_id=_int_or_none((_one(data, "sketch_info") or {}).get("sketch_id")),
        level=_level(image_path, info),
        gender=gender,
        age=_int_or_none(info.get("age")),
        image_path=image_path,
        org_sketch_path=_image_path(base, _one(data, "org_sketch_info", required=False)),
        attributes=attributes,
        sections=sections,
    )


def load_gray_image(path: Path) -> np.ndarray:
    """A grayscale uint8 image; RecordError when it is missing or cannot be decoded."""
    if not path.is_file():
        raise RecordError(f"missing image {path.name}")
    image = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        raise RecordError(f"corrupt image {path.name}")
    return image


def build_caption(record: AIHubRecord, mode: str) -> str:
    """A caption in one mode, or several joined with '+': impression, full, attributes."""
    parts = [_caption_part(record, m.strip()) for m in mode.split("+")]
    return normalize_text(" ".join(p for p in parts if p))


def _caption_part(record: AIHubRecord, mode: str) -> str:
    if mode == "impression":  # the original project's caption: impression text, else face description
        return record.sections.get("impression") or record.sections.get("face", "")
    if mode == "full":
        order = [s for s in SECTIONS if s in record.sections]
        order += sorted(s for s in record.sections if s not in SECTIONS)
        return " ".join(record.sections[s] for s in order)
    if mode == "attributes":
        return " ".join(attribute_sentences(record.attributes))
    raise _unknown_mode(mode)


def validate_caption_modes(modes: list[str]) -> None:
    """OptionError naming the first mode that is not one of CAPTION_MODES or a '+' combination of them."""
    for mode in modes:
        for part in mode.split("+"):
            if part.strip() not in CAPTION_MODES:
                raise _unknown_mode(part)


def _unknown_mode(mode: str) -> OptionError:
    return OptionError(f"unknown caption mode {mode!r}; use {', '.join(CAPTION_MODES)} or a '+' combination")


def iter_records(root: str | Path) -> Iterator[AIHubRecord | tuple[Path, RecordError]]:
    """Every record under `root`, or (path, error) for one that cannot be used."""
    for path in find_record_files(root):
        try:
            yield parse_record(path)
        except RecordError as err:
            yield path, err
