"""Write a synthetic corpus in exactly the AIHub montage layout and JSON schema (aihub-format.md).

```
OUT/1.Training/라벨링데이터/TL/json/{L,M,H}/<org_id>_<sketch_id>.json
OUT/1.Training/라벨링데이터/TL/Images/sketch/{L,M,H}/<org_id>_<sketch_id>.jpg
OUT/1.Training/라벨링데이터/TL/Images/org_sketch/<org_id>.png
OUT/2.Validation/라벨링데이터/VL/...            (every tenth person, as AIHub's ~10% validation share)
```
Each person is drawn from its own generator seeded by (seed, org_id), so the output is byte-identical
for a seed whatever the number of worker processes, and an interrupted run can simply be repeated.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from text2montage.data.store import write_bytes_atomic
from text2montage.data.synth.describe import describe_person
from text2montage.data.synth.person import sample_person
from text2montage.data.synth.render import render_person_sketches
from text2montage.data.vocab import LEVEL_LETTERS, VOCAB, Person, fields_for_level

TRAIN_ROOT = Path("1.Training/라벨링데이터/TL")
VALID_ROOT = Path("2.Validation/라벨링데이터/VL")
VALIDATION_EVERY = 10  # every tenth person goes to the validation folder
FIRST_ORG_ID = 1
JPEG_QUALITY = 92
PNG_COMPRESSION = 1  # fast; the level sketches (JPEG) are what training reads
CHUNK_PERSONS = 16  # persons per worker task: small enough for a smooth progress bar


@dataclass(frozen=True)
class SynthOptions:
    out: Path
    n_persons: int
    seed: int
    width: int = 540
    height: int = 720


def person_root(org_id: int) -> Path:
    return VALID_ROOT if org_id % VALIDATION_EVERY == 0 else TRAIN_ROOT


def sketch_id(org_id: int, level: int) -> int:
    return org_id * 3 + level - 1 + 10000


def _encode(image: np.ndarray, ext: str) -> bytes:
    params = (
        [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
        if ext == ".jpg"
        else [cv2.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION]
    )
    ok, buffer = cv2.imencode(ext, image, params)
    if not ok:
        raise RuntimeError(f"OpenCV could not encode a {ext} image")
    return buffer.tobytes()


def _section_fields(person: Person, level: int, texts: dict[str, str]) -> dict[str, dict[str, str]]:
    """The `descripton` sections of one level's record: the fields this level fills, then its prose."""
    filled = fields_for_level(level)
    sections: dict[str, dict[str, str]] = {}
    for section in VOCAB:
        body = {f: person.attributes[f"{section}.{f}"] for f in VOCAB[section] if f"{section}.{f}" in filled}
        text = texts.get(section, "")
        if not body and not text:
            continue
        body["description"] = text
        sections[section] = body
    return sections


def build_record(
    person: Person, level: int, texts: dict[str, str], sizes_kb: dict[str, int], options: SynthOptions
) -> dict[str, Any]:
    """One level's JSON record, structured like the real level-3 record in aihub-format.md."""
    letter, sid, pix = (
        LEVEL_LETTERS[level],
        sketch_id(person.org_id, level),
        f"{options.width}x{options.height}",
    )
    oid = person.org_id
    return {
        "info": [
            {
                "org_id": oid,
                "org_img_name": str(oid),
                "org_path": f"/Images/montage/{oid}.png",
                "org_img_size": sizes_kb["org"],
                "org_img_pix": pix,
                "age": person.age,
                "gender": person.gender,
                "level": level,
            }
        ],
        "descripton": [{"org_id": oid, **_section_fields(person, level, texts)}],
        "sketch_info": [
            {
                "org_id": oid,
                "sketch_id": sid,
                "img_name": f"{oid}_{sid}",
                "img_path": f"/Images/sketch/{letter}/{oid}_{sid}.jpg",
                "img_size": sizes_kb[letter],
                "img_pix": pix,
            }
        ],
        "org_sketch_info": [
            {
                "org_id": oid,
                "org_sketch_id": oid + 30000,
                "img_name": str(oid),
                "img_path": f"/Images/org_sketch/{oid}.png",
                "img_size": sizes_kb["org"],
                "img_pix": pix,
            }
        ],
    }


def write_person(org_id: int, options: SynthOptions) -> None:
    """Draw, describe and write one person: an org_sketch, three level sketches and their records."""
    rng = np.random.default_rng([options.seed, org_id])
    person = sample_person(org_id, rng)
    sketches = render_person_sketches(
        person, seed=int(rng.integers(2**31)), width=options.width, height=options.height
    )
    root = options.out / person_root(org_id)
    files = {"org": (root / "Images/org_sketch" / f"{org_id}.png", _encode(sketches["org"], ".png"))}
    for level, letter in LEVEL_LETTERS.items():
        name = f"{org_id}_{sketch_id(org_id, level)}"
        files[letter] = (root / "Images/sketch" / letter / f"{name}.jpg", _encode(sketches[letter], ".jpg"))
    for path, data in files.values():
        write_bytes_atomic(path, data)
    sizes_kb = {key: max(1, len(data) // 1024) for key, (_, data) in files.items()}
    for level, letter in LEVEL_LETTERS.items():
        record = build_record(person, level, describe_person(person, level, rng), sizes_kb, options)
        text = json.dumps(record, ensure_ascii=False, indent=1)
        name = f"{org_id}_{sketch_id(org_id, level)}.json"
        write_bytes_atomic(root / "json" / letter / name, text.encode("utf-8"))


def _write_chunk(args: tuple[list[int], SynthOptions]) -> int:
    org_ids, options = args
    for org_id in org_ids:
        write_person(org_id, options)
    return len(org_ids)


def _chunks(options: SynthOptions) -> Iterator[tuple[list[int], SynthOptions]]:
    ids = list(range(FIRST_ORG_ID, FIRST_ORG_ID + options.n_persons))
    for start in range(0, len(ids), CHUNK_PERSONS):
        yield ids[start : start + CHUNK_PERSONS], options


def synthesize(
    options: SynthOptions, workers: int = 0, on_progress: Callable[[int], None] | None = None
) -> None:
    """Write `options.n_persons` persons; `workers` processes (0: one per core)."""
    if options.n_persons < 1:
        raise ValueError("--n must be at least 1")
    workers = workers or multiprocessing.cpu_count()
    report = on_progress or (lambda n: None)
    if workers == 1:
        for chunk in _chunks(options):
            report(_write_chunk(chunk))
        return
    # spawn, not fork: a forked child of a process whose OpenMP pool is running (torch loaded) can hang
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=cv2.setNumThreads, initargs=(1,)) as pool:
        for done in pool.imap_unordered(_write_chunk, _chunks(options)):
            report(done)
