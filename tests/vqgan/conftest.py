"""A tiny prepared dataset of drawn faces (ellipses) for the VQGAN tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from text2montage.data.store import META_FILE, write_json_atomic, write_split


def draw_face(rng: np.random.Generator, size: int) -> np.ndarray:
    """uint8 (size, size): white background, a head ellipse, two eyes and a mouth in pencil grey."""
    img = np.full((size, size), 255, np.uint8)
    c = size // 2
    axes = (int(size * rng.uniform(0.25, 0.4)), int(size * rng.uniform(0.32, 0.45)))
    cv2.ellipse(img, (c, c), axes, 0, 0, 360, int(rng.integers(40, 120)), 1)
    for dx in (-1, 1):
        cv2.circle(img, (c + dx * size // 6, c - size // 10), max(1, size // 16), 60, -1)
    cv2.line(img, (c - size // 8, c + size // 5), (c + size // 8, c + size // 5), 80, 1)
    return img


def make_prepared(root: Path, size: int = 32, counts: tuple[int, int, int] = (24, 8, 4),
                  seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for split, n in zip(("train", "val", "test"), counts, strict=True):
        images = np.array([draw_face(rng, size) for _ in range(n)], np.uint8).reshape(n, size, size)
        write_split(root / split, images, [{"id": f"{split}-{i}", "caption": "얼굴"} for i in range(n)])
    split_counts = dict(zip(("train", "val", "test"), counts, strict=True))
    write_json_atomic(root / META_FILE, {"size": size, "counts": split_counts})
    return root


@pytest.fixture
def prepared(tmp_path: Path) -> Path:
    return make_prepared(tmp_path / "prepared")
