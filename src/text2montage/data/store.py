"""The prepared-dataset format that every training stage reads.

```
PREPARED/
  meta.json                      size, caption modes, counts per split, source folder
  report.json                    every skipped record and why
  {train,val,test}/images.npy    uint8 (N, size, size) grayscale, memory-mapped on read
  {train,val,test}/records.jsonl one JSON object per image row, same order
```
A .npy file is read with `np.load(mmap_mode="r")`: no decoding, no copy, random access from any
number of data-loader workers, and readable by anything that reads NumPy.

The codes folder `data extract-codes` writes from it (vqgan/codes.py) and the transformer reads:
CODES/{split}.npy uint16 (N, G, G), row i = record i; CODES/meta.json grid_size, codebook_size, ...
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from text2montage import outputs
from text2montage.errors import DataError

SPLITS: tuple[str, ...] = ("train", "val", "test")
IMAGES_FILE = "images.npy"
RECORDS_FILE = "records.jsonl"
META_FILE = "meta.json"
REPORT_FILE = "report.json"
CODES_META = "meta.json"  # in a codes folder
NPY_MAGIC = b"\x93NUMPY"


class PreparedDataError(DataError):
    """A prepared-dataset folder is missing or unreadable; the message says what to run."""


@dataclass
class PreparedSplit:
    """One split of a prepared dataset: images (memory-mapped) and their records, row for row."""

    images: np.ndarray  # uint8 (N, S, S)
    records: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.records)


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write JSON through a temporary file and a rename, so readers never see half a file."""
    write_bytes_atomic(path, json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Through a hidden temp file and a rename, with the usual permissions (text2montage.outputs)."""
    outputs.write_bytes_atomic(path, data)


def write_split(split_dir: Path, images: np.ndarray, records: list[dict[str, Any]]) -> None:
    """Write one split's images and records, each atomically."""
    if len(images) != len(records):
        raise ValueError(f"{len(images)} images but {len(records)} records")
    with outputs.atomic_file(split_dir / IMAGES_FILE) as handle:
        np.save(handle, np.ascontiguousarray(images, dtype=np.uint8))
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    write_bytes_atomic(split_dir / RECORDS_FILE, lines.encode("utf-8"))


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_npy(path: str | Path, mmap: bool = False) -> np.ndarray:
    """A .npy array, never unpickled; a foreign, pickled or truncated file is a DataError naming it."""
    path = Path(path)
    with path.open("rb") as handle:  # a missing file: FileNotFoundError naming it
        if handle.read(len(NPY_MAGIC)) != NPY_MAGIC:
            raise DataError(f"{path} is not a .npy file (no NumPy header)")
    try:
        return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except ValueError as err:
        if "pickle" in str(err) or "Python objects" in str(err):
            raise DataError(f"{path} holds Python objects (pickled), not numbers; it is not loaded") from None
        raise DataError(f"{path} is not a readable .npy file: {err}") from None
    except (OSError, EOFError) as err:
        raise DataError(f"{path} is truncated or unreadable: {err}") from None


def load_meta(prepared_dir: str | Path) -> dict[str, Any]:
    path = Path(prepared_dir) / META_FILE
    if not path.is_file():
        raise PreparedDataError(
            f"{prepared_dir} is not a prepared dataset (no {META_FILE}); "
            "run `text2montage data prepare SRC --out DIR` first"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def load_split(prepared_dir: str | Path, split: str) -> PreparedSplit:
    """Open one split; images stay on disk (memory-mapped) until indexed."""
    if split not in SPLITS:
        raise PreparedDataError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    load_meta(prepared_dir)
    split_dir = Path(prepared_dir) / split
    try:
        images = np.load(split_dir / IMAGES_FILE, mmap_mode="r")
        records = list(read_records(split_dir / RECORDS_FILE))
    except (OSError, ValueError) as err:
        raise PreparedDataError(f"cannot read split {split!r} of {prepared_dir}: {err}") from err
    if images.ndim != 3 or len(images) != len(records):
        raise PreparedDataError(f"split {split!r} of {prepared_dir} is inconsistent; re-run data prepare")
    return PreparedSplit(images=images, records=records)
