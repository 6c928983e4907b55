"""`data prepare`: an AIHub-format folder -> a training-ready prepared dataset (see store.py).

Work is done in shards of records, each written atomically under OUT/.work/; a re-run skips the
shards already written, so an interrupted run resumes. A record that cannot be used is listed in
report.json with its reason and never stops the run.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from text2montage.data.aihub import (
    AIHubRecord,
    RecordError,
    build_caption,
    find_record_files,
    load_gray_image,
    parse_record,
    validate_caption_modes,
)
from text2montage.data.store import (
    META_FILE,
    REPORT_FILE,
    SPLITS,
    write_bytes_atomic,
    write_json_atomic,
    write_split,
)
from text2montage.data.vocab import CAPTION_MODES
from text2montage.errors import OptionError

WORK_DIR = ".work"
SHARD_RECORDS = 256
FIT_MODES = ("pad", "crop")
DEFAULT_CAPTION_MODES = CAPTION_MODES
DEFAULT_SPLIT = (0.8, 0.1, 0.1)
PAPER_WHITE = 255


@dataclass(frozen=True)
class PrepareOptions:
    size: int = 128
    fit: str = "pad"
    caption_modes: tuple[str, ...] = DEFAULT_CAPTION_MODES
    split: tuple[float, float, float] = DEFAULT_SPLIT

    def check(self) -> None:
        if not 8 <= self.size <= 1024:
            raise OptionError(f"--size must be between 8 and 1024, got {self.size}")
        if self.fit not in FIT_MODES:
            raise OptionError(f"--fit must be one of {', '.join(FIT_MODES)}, got {self.fit!r}")
        try:
            validate_caption_modes(list(self.caption_modes))
        except OptionError as err:
            raise OptionError(f"--captions: {err}") from None
        if len(self.split) != 3 or min(self.split) < 0 or abs(sum(self.split) - 1) > 1e-6:
            raise OptionError(f"--split needs three non-negative fractions that sum to 1, got {self.split}")


@dataclass
class PrepareReport:
    n_json: int = 0
    n_records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)

    @property
    def skip_reasons(self) -> dict[str, int]:
        return dict(Counter(s["reason"].split(":")[0].split(" ")[0] for s in self.skipped))


def fit_square(image: np.ndarray, size: int, fit: str = "pad") -> np.ndarray:
    """Make a portrait sketch square without distorting it, then resize to `size`.

    pad: extend the short side with paper white (nothing is cut); crop: the centred square.
    """
    height, width = image.shape
    if fit == "pad":
        side = max(height, width)
        top, left = (side - height) // 2, (side - width) // 2
        image = cv2.copyMakeBorder(
            image, top, side - height - top, left, side - width - left, cv2.BORDER_CONSTANT, value=PAPER_WHITE
        )
    else:
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        image = image[top : top + side, left : left + side]
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def split_of(person_id: int, fractions: tuple[float, float, float]) -> str:
    """A person's split from a hash of the id: stable across runs, machines and data additions."""
    digest = hashlib.sha256(f"text2montage-person-{person_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u < fractions[0]:
        return SPLITS[0]
    return SPLITS[1] if u < fractions[0] + fractions[1] else SPLITS[2]


def record_row(record: AIHubRecord, root: Path, options: PrepareOptions) -> dict[str, Any]:
    return {
        "person_id": record.person_id,
        "sketch_id": record.sketch_id,
        "level": record.level,
        "gender": record.gender,
        "age": record.age,
        "source": record.json_path.relative_to(root).as_posix(),
        "image": record.image_path.relative_to(root).as_posix(),
        "captions": {mode: build_caption(record, mode) for mode in options.caption_modes},
        "sections": record.sections,
        "attributes": record.attributes,
    }


def _prepare_one(path: Path, root: Path, options: PrepareOptions) -> tuple[np.ndarray, dict[str, Any]]:
    record = parse_record(path)
    image = fit_square(load_gray_image(record.image_path), options.size, options.fit)
    return image, record_row(record, root, options)


def prepare_shard(paths: list[Path], root: Path, options: PrepareOptions, shard_base: Path) -> None:
    """Prepare one shard of records and write it atomically: images first, the JSON (done marker) last."""
    images, rows, skipped = [], [], []
    for path in paths:
        try:
            image, row = _prepare_one(path, root, options)
        except RecordError as err:
            skipped.append({"file": path.relative_to(root).as_posix(), "reason": str(err)})
            continue
        except OSError as err:
            skipped.append({"file": path.relative_to(root).as_posix(), "reason": f"unreadable file: {err}"})
            continue
        images.append(image)
        rows.append(row)
    stack = np.stack(images) if images else np.zeros((0, options.size, options.size), np.uint8)
    with open(shard_base.with_suffix(".npy.tmp"), "wb") as handle:
        np.save(handle, stack)
    shard_base.with_suffix(".npy.tmp").replace(shard_base.with_suffix(".npy"))
    write_json_atomic(shard_base.with_suffix(".json"), {"records": rows, "skipped": skipped})


def _prepare_shard_task(args: tuple[list[Path], Path, PrepareOptions, Path]) -> int:
    prepare_shard(*args)
    return len(args[0])


def _reset_work_if_options_changed(work: Path, options: PrepareOptions) -> None:
    params = work / "options.json"
    wanted = json.dumps(asdict(options), sort_keys=True)
    if params.is_file() and params.read_text(encoding="utf-8") != wanted:
        shutil.rmtree(work)  # shards made with other options would mix two datasets
    work.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(params, wanted.encode("utf-8"))


def prepare_dataset(
    src: str | Path,
    out: str | Path,
    options: PrepareOptions | None = None,
    workers: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
) -> PrepareReport:
    """Prepare `src` into `out`; `on_progress(done, total)` is called as records are processed."""
    options = options or PrepareOptions()
    options.check()
    root, out = Path(src), Path(out)
    paths = find_record_files(root)
    if not paths:
        raise FileNotFoundError(f"no JSON records under {root} (expected .../json/.../*.json, AIHub layout)")
    work = out / WORK_DIR
    _reset_work_if_options_changed(work, options)
    tasks = [
        (paths[i : i + SHARD_RECORDS], root, options, work / f"shard-{i // SHARD_RECORDS:05d}")
        for i in range(0, len(paths), SHARD_RECORDS)
    ]
    done = sum(len(t[0]) for t in tasks if t[3].with_suffix(".json").is_file())
    todo = [t for t in tasks if not t[3].with_suffix(".json").is_file()]
    progress = on_progress or (lambda d, t: None)
    progress(done, len(paths))

    def advance(n_records: int) -> None:
        nonlocal done
        done += n_records
        progress(done, len(paths))

    _run_tasks(todo, workers, advance)
    return _assemble(tasks, out, options, root, n_json=len(paths))


def _run_tasks(tasks: list, workers: int, report: Callable[[int], None]) -> None:
    workers = min(workers or multiprocessing.cpu_count(), max(1, len(tasks)))
    if workers == 1:
        for task in tasks:
            report(_prepare_shard_task(task))
        return
    # spawn, not fork: a forked child of a process whose OpenMP pool is running (torch loaded) can hang
    with multiprocessing.get_context("spawn").Pool(
        workers,
        initializer=cv2.setNumThreads,
        initargs=(1,),  # one OpenCV thread per worker process
    ) as pool:
        for n in pool.imap_unordered(_prepare_shard_task, tasks):
            report(n)


def _assemble(tasks: list, out: Path, options: PrepareOptions, root: Path, n_json: int) -> PrepareReport:
    """Gather the shards into per-split files, then write meta.json last (the 'finished' marker)."""
    report = PrepareReport(n_json=n_json)
    by_split: dict[str, tuple[list[np.ndarray], list[dict[str, Any]]]] = {s: ([], []) for s in SPLITS}
    for *_, shard_base in tasks:
        shard = json.loads(shard_base.with_suffix(".json").read_text(encoding="utf-8"))
        images = np.load(shard_base.with_suffix(".npy"))
        report.skipped.extend(shard["skipped"])
        for image, row in zip(images, shard["records"], strict=True):
            split = split_of(row["person_id"], options.split)
            by_split[split][0].append(image)
            by_split[split][1].append(row)
    for split, (images, rows) in by_split.items():
        stack = np.stack(images) if images else np.zeros((0, options.size, options.size), np.uint8)
        write_split(out / split, stack, rows)
        report.counts[split] = len(rows)
    report.n_records = sum(report.counts.values())
    write_json_atomic(out / REPORT_FILE, {**asdict(report), "skip_reasons": report.skip_reasons})
    write_json_atomic(
        out / META_FILE,
        {
            "format": "text2montage-prepared",
            "version": 1,
            "source": str(root.resolve()),
            "options": asdict(options),
            "counts": report.counts,
            "persons": {s: len({r["person_id"] for r in by_split[s][1]}) for s in SPLITS},
        },
    )
    return report
