"""Prepared-split images -> model tensors, and back."""

from __future__ import annotations

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset


def resize_square(image: np.ndarray, size: int) -> np.ndarray:
    """uint8 (H, W) -> uint8 (size, size); area interpolation when shrinking keeps thin lines grey."""
    if image.shape == (size, size):
        return image
    shrinking = image.shape[0] > size
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)


def to_tensor(images: np.ndarray, size: int) -> torch.Tensor:
    """uint8 (B, H, W) grayscale -> float (B, 1, size, size) in [-1, 1]."""
    batch = np.stack([resize_square(np.asarray(img), size) for img in images])  # (B, size, size)
    return torch.from_numpy(batch).float().div(127.5).sub(1.0).unsqueeze(1)  # (B, 1, size, size)


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """float (B, 1, S, S) in [-1, 1] -> uint8 (B, S, S)."""
    scaled = (images.detach().float().clamp(-1, 1) + 1) * 127.5  # (B, 1, S, S)
    return scaled.round().to(torch.uint8).squeeze(1).cpu().numpy()


class ImageArrayDataset(Dataset):
    """Rows of a (memory-mapped) uint8 (N, H, W) array as float (1, size, size) tensors in [-1, 1]."""

    def __init__(self, images: np.ndarray, size: int) -> None:
        if images.ndim != 3:
            raise ValueError(f"expected images of shape (N, H, W); got {images.shape}")
        self.images, self.size = images, size

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> torch.Tensor:
        return to_tensor(self.images[index : index + 1], self.size)[0]  # (1, size, size)


def side_by_side_grid(originals: np.ndarray, reconstructions: np.ndarray, columns: int = 8) -> np.ndarray:
    """uint8 (B, S, S) pairs -> one uint8 image: rows of originals above rows of reconstructions."""
    n = min(len(originals), len(reconstructions))
    if n == 0:
        raise ValueError("no images for the grid")
    columns = min(columns, n)
    rows = []
    for start in range(0, n, columns):
        row_o = list(originals[start : start + columns])
        row_r = list(reconstructions[start : start + columns])
        pad = columns - len(row_o)
        blank = np.full_like(originals[0], 255)
        rows.append(np.concatenate(row_o + [blank] * pad, axis=1))
        rows.append(np.concatenate(row_r + [blank] * pad, axis=1))
    return np.concatenate(rows, axis=0)  # (2 * ceil(n / columns) * S, columns * S)


def save_png(path, image: np.ndarray) -> None:
    """Write a uint8 image atomically enough (encode in memory, then write)."""
    from text2montage.data.store import write_bytes_atomic

    ok, buffer = cv2.imencode(".png", image)
    if not ok:
        raise OSError(f"could not encode PNG for {path}")
    write_bytes_atomic(path, buffer.tobytes())
