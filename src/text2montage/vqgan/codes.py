"""Images <-> code grids: batched encode/decode, the shipped default model, and extract-codes.

Extracted codes layout (one file per split, row i = record i of the prepared split)::

    CODES_DIR/meta.json        grid_size, codebook_size, model fingerprint, rows per split
    CODES_DIR/{split}.npy      uint16 (N, G, G)

Extraction is resumable: rows go into CODES_DIR/.{split}.partial.npy (memory-mapped) with a progress
file recording how many rows are done and for which model; a rerun continues from there, and the
finished file is renamed into place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch

from text2montage.data.store import CODES_META, SPLITS, load_split, write_json_atomic
from text2montage.errors import DataError, ModelLoadError
from text2montage.training.run import component_dir
from text2montage.vqgan.data import to_tensor, to_uint8
from text2montage.vqgan.model import VQGAN
from text2montage.weights import WEIGHTS_FILE

COMPONENT = "vqgan"  # a run or pipeline folder's sub-folder for the VQGAN
CODES_DTYPE = np.uint16
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "pretrained" / "default" / "vqgan"


def vqgan_folder(path: str | Path | None = None) -> Path:
    """The VQGAN folder `path` names: itself, or its vqgan/ (a run or pipeline folder); the shipped
    default when path is None. ModelLoadError when there is none."""
    folder = component_dir(path, COMPONENT) if path is not None else DEFAULT_MODEL_DIR
    if not folder.is_dir():
        hint = "" if path is not None else (
            " (the shipped default model is not installed; train one with `text2montage train vqgan --out R` "
            "and pass --vqgan R)"
        )
        raise ModelLoadError(f"no VQGAN model folder at {folder}{hint}")
    return folder


def load_model(path: str | Path | None = None, device: str = "cpu") -> VQGAN:
    """Load the VQGAN folder `path` names (see vqgan_folder), strictly."""
    return VQGAN.from_pretrained(vqgan_folder(path), device=device)


def model_device(model: VQGAN) -> torch.device:
    return next(model.parameters()).device


def encode_images(model: VQGAN, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """uint8 (N, H, W) grayscale -> uint16 (N, G, G) codes (images resized to the model's size)."""
    size, g = model.config.image_size, model.config.grid_size
    out = np.zeros((len(images), g, g), dtype=CODES_DTYPE)
    for start in range(0, len(images), batch_size):
        batch = to_tensor(images[start : start + batch_size], size).to(model_device(model))  # (b, 1, S, S)
        out[start : start + len(batch)] = model.encode(batch).cpu().numpy().astype(CODES_DTYPE)
    return out


def decode_codes(model: VQGAN, codes: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """integer (N, G, G) codes -> uint8 (N, S, S) images; DataError for codes this model cannot decode."""
    check_codes(model, codes)
    size = model.config.image_size
    out = np.zeros((len(codes), size, size), dtype=np.uint8)
    for start in range(0, len(codes), batch_size):
        batch = torch.from_numpy(np.asarray(codes[start : start + batch_size]).astype(np.int64))  # (b, G, G)
        out[start : start + len(batch)] = to_uint8(model.decode(batch.to(model_device(model))))
    return out


def check_codes(model: VQGAN, codes: np.ndarray) -> None:
    """DataError unless codes are integer (N, G, G) grids of this model's codebook."""
    g, k = model.config.grid_size, model.config.codebook_size
    if codes.ndim != 3 or codes.shape[1:] != (g, g) or not np.issubdtype(codes.dtype, np.integer):
        got = f"{codes.dtype} {codes.shape}"
        raise DataError(f"this VQGAN decodes integer (N, {g}, {g}) code grids; got {got}")
    if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= k):
        raise DataError(f"codes must lie in [0, {k}); got [{int(codes.min())}, {int(codes.max())}]")


def read_images(paths: Sequence[Path]) -> np.ndarray:
    """Image files -> uint8 (N, S, S) grayscale, each resized to the first one's square size.

    Raises DataError naming the first unreadable or non-square file.
    """
    images = []
    for path in paths:
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is None:
            raise DataError(f"cannot read image {path}")
        if img.shape[0] != img.shape[1]:
            raise DataError(f"{path} is {img.shape[1]}x{img.shape[0]}; VQGAN inputs must be square")
        if images:
            img = cv2.resize(img, images[0].shape[::-1], interpolation=cv2.INTER_AREA)
        images.append(img)
    if not images:
        raise DataError("no images given")
    return np.stack(images)


def model_fingerprint(folder: Path) -> str:
    """sha256 of the weights file: extracted codes are only valid for the model that made them."""
    digest = hashlib.sha256()
    with (Path(folder) / WEIGHTS_FILE).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def extract_codes(
    model: VQGAN,
    fingerprint: str,
    prepared_dir: Path,
    codes_dir: Path,
    splits: Sequence[str] = SPLITS,
    batch_size: int = 64,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Encode every image of each split into CODES_DIR/{split}.npy; returns rows per split."""
    codes_dir = Path(codes_dir)
    codes_dir.mkdir(parents=True, exist_ok=True)
    rows = {}
    for split in splits:
        images = load_split(prepared_dir, split).images  # uint8 (N, S, S), memory-mapped
        rows[split] = _extract_split(model, fingerprint, images, codes_dir, split, batch_size, on_progress)
    meta = {"grid_size": model.config.grid_size, "codebook_size": model.config.codebook_size,
            "image_size": model.config.image_size, "model_sha256": fingerprint,
            "prepared": str(Path(prepared_dir).resolve()), "rows": rows, "dtype": np.dtype(CODES_DTYPE).name}
    write_json_atomic(codes_dir / CODES_META, meta)
    return rows


def _extract_split(
    model: VQGAN,
    fingerprint: str,
    images: np.ndarray,
    codes_dir: Path,
    split: str,
    batch_size: int,
    on_progress: Callable[[str, int, int], None] | None,
) -> int:
    final, partial = codes_dir / f"{split}.npy", codes_dir / f".{split}.partial.npy"
    progress_file = codes_dir / f".{split}.progress.json"
    g, n = model.config.grid_size, len(images)
    if _finished(final, codes_dir, fingerprint, (n, g, g)):
        return n
    done = _resume_point(partial, progress_file, fingerprint, (n, g, g))
    mode = "r+" if done else "w+"
    out = np.lib.format.open_memmap(partial, mode=mode, dtype=CODES_DTYPE, shape=(n, g, g))
    chunk = batch_size * 8
    for start in range(done, n, chunk):
        out[start : start + chunk] = encode_images(model, images[start : start + chunk], batch_size)
        out.flush()
        write_json_atomic(progress_file, {"done": min(n, start + chunk), "model_sha256": fingerprint})
        if on_progress is not None:
            on_progress(split, min(n, start + chunk), n)
    del out
    partial.replace(final)
    progress_file.unlink(missing_ok=True)
    return n


def _finished(final: Path, codes_dir: Path, fingerprint: str, shape: tuple[int, ...]) -> bool:
    meta_path = codes_dir / CODES_META
    if not (final.is_file() and meta_path.is_file()):
        return False
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    codes = np.load(final, mmap_mode="r")
    return meta.get("model_sha256") == fingerprint and codes.shape == shape


def _resume_point(partial: Path, progress_file: Path, fingerprint: str, shape: tuple[int, ...]) -> int:
    if not (partial.is_file() and progress_file.is_file()):
        return 0
    try:
        progress = json.loads(progress_file.read_text(encoding="utf-8"))
        same_shape = np.load(partial, mmap_mode="r").shape == shape
    except (OSError, ValueError):
        return 0
    if progress.get("model_sha256") != fingerprint or not same_shape:
        return 0
    return int(progress.get("done", 0))
