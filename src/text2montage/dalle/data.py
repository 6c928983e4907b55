"""Training data for the transformer: pre-extracted VQGAN codes plus the prepared records' captions.

CODES_DIR/<split>.npy holds integer codes, (N, G, G) or (N, G*G), aligned row for row with
PREPARED/<split>/records.jsonl.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from text2montage.dalle.captions import CaptionEncoder, CaptionOptions, build_caption
from text2montage.data.store import CODES_META, load_npy, load_split
from text2montage.errors import DataError


class CodesDataError(DataError):
    """A codes file that is missing, misshapen, out of range or not aligned with its records."""


def load_codes(codes_dir: str | Path, split: str, grid_size: int, codebook_size: int) -> np.ndarray:
    """CODES_DIR/<split>.npy -> int64 (N, grid_size**2), checked against the grid and the codebook."""
    path = Path(codes_dir) / f"{split}.npy"
    if not path.is_file():
        raise CodesDataError(f"no {path}; run `text2montage data extract-codes` first")
    codes = _load(path)
    if not np.issubdtype(codes.dtype, np.integer):
        raise CodesDataError(f"{path} holds {codes.dtype}, not integer codes")
    image_len = grid_size * grid_size
    if codes.ndim == 3 and codes.shape[1:] == (grid_size, grid_size):
        codes = codes.reshape(len(codes), image_len)
    if codes.ndim != 2 or codes.shape[1] != image_len:
        raise CodesDataError(
            f"{path} has shape {codes.shape}; expected (N, {grid_size}, {grid_size}) or (N, {image_len})"
        )
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and (codes.min() < 0 or codes.max() >= codebook_size):
        raise CodesDataError(
            f"{path} has codes in [{codes.min()}, {codes.max()}], outside the codebook of {codebook_size}"
        )
    return codes


def infer_grid(codes_dir: str | Path, split: str = "train") -> tuple[int, int]:
    """(grid_size, max code + 1) of a codes file, to size a model for it."""
    path = Path(codes_dir) / f"{split}.npy"
    if not path.is_file():
        raise CodesDataError(f"no {path}; run `text2montage data extract-codes` first")
    codes = _load(path)
    side = (
        codes.shape[1] if codes.ndim == 3 else int(round(np.sqrt(codes.shape[1]))) if codes.ndim == 2 else 0
    )
    if side < 1 or side * side != int(np.prod(codes.shape[1:])):
        raise CodesDataError(f"{path} has shape {codes.shape}, not a square code grid per row")
    return side, int(codes.max()) + 1 if codes.size else 0


def _load(path: Path) -> np.ndarray:
    try:
        return load_npy(path, mmap=True)
    except DataError as err:
        raise CodesDataError(str(err)) from None


def codebook_size_of(codes_dir: str | Path) -> int | None:
    """The VQGAN codebook size recorded in CODES_DIR/meta.json by extract-codes (None when absent)."""
    path = Path(codes_dir) / CODES_META
    if not path.is_file():
        return None
    try:
        size = json.loads(path.read_text(encoding="utf-8")).get("codebook_size")
    except (OSError, ValueError) as err:
        raise CodesDataError(f"cannot read {path}: {err}") from err
    if size is not None and (not isinstance(size, int) or size < 1):
        raise CodesDataError(f"{path} has an invalid codebook_size {size!r}")
    return size


class CodeCaptionDataset(Dataset):
    """(text ids (T,), codes (N,)) pairs; each visit draws a new caption from (seed, epoch, index)."""

    def __init__(
        self,
        codes: np.ndarray,
        records: list[dict[str, Any]],
        encoder: CaptionEncoder,
        options: CaptionOptions,
        seed: int = 0,
    ) -> None:
        if len(codes) != len(records):
            raise CodesDataError(f"{len(codes)} code grids but {len(records)} records: not the same split?")
        self.codes, self.records, self.encoder, self.options, self.seed = (
            codes,
            records,
            encoder,
            options,
            seed,
        )
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.records)

    def caption(self, index: int) -> str:
        rng = random.Random(f"{self.seed}:{self.epoch}:{index}")
        return build_caption(self.records[index], rng, self.options, self.encoder.fits)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        text = self.encoder.encode([self.caption(index)])[0]  # (T,)
        return text, torch.from_numpy(self.codes[index].copy())  # (T,), (N,)


def open_split(
    codes_dir: str | Path,
    prepared_dir: str | Path,
    split: str,
    encoder: CaptionEncoder,
    options: CaptionOptions,
    grid_size: int,
    codebook_size: int,
    seed: int = 0,
) -> CodeCaptionDataset:
    """One split as a dataset (prepared records + codes)."""
    records = load_split(prepared_dir, split).records
    codes = load_codes(codes_dir, split, grid_size, codebook_size)
    return CodeCaptionDataset(codes, records, encoder, options, seed)
