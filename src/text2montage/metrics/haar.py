"""Realism check for face images: the share of images in which OpenCV's frontal-face Haar cascade
finds a face. A plausible face sketch is found; the same image with its tiles shuffled is not.

Detection runs on a copy scaled to DETECT_WIDTH pixels wide (small images, e.g. 128x128 VQGAN
reconstructions, are upscaled), so the parameters below mean the same thing at every input size:
- SCALE_FACTOR 1.1: the usual pyramid step; finer steps find a few more faces but are slower;
- MIN_NEIGHBORS 5: a face must be confirmed by 5 overlapping windows, which rejects the isolated
  hits that eye- or nose-like strokes produce in shuffled tiles;
- MIN_SIZE_FRACTION 0.3: a face must be at least 30% of the image width; montages are
  portraits whose face fills about half of the width, so smaller hits are texture, not the face.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import cv2
import numpy as np

CASCADE_FILE = "haarcascade_frontalface_default.xml"
DETECT_WIDTH = 256
SCALE_FACTOR = 1.1
MIN_NEIGHBORS = 5
MIN_SIZE_FRACTION = 0.3


@functools.lru_cache(maxsize=1)
def _cascade() -> cv2.CascadeClassifier:
    path = cv2.data.haarcascades + CASCADE_FILE
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise RuntimeError(f"could not load the OpenCV face cascade {path}")
    return cascade


def _to_gray_u8(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image)
    if img.ndim == 3:
        img = (
            img[..., 0]
            if img.shape[2] == 1
            else cv2.cvtColor(img[..., :3].astype(np.uint8), cv2.COLOR_RGB2GRAY)
        )
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    return img


def has_face(image: np.ndarray) -> bool:
    """True when the frontal-face cascade finds at least one face in a grayscale (or RGB) image."""
    img = _to_gray_u8(image)
    h, w = img.shape
    scale = DETECT_WIDTH / w
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(img, (DETECT_WIDTH, max(1, round(h * scale))), interpolation=interp)
    min_side = int(MIN_SIZE_FRACTION * DETECT_WIDTH)
    faces = _cascade().detectMultiScale(
        small, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBORS, minSize=(min_side, min_side)
    )
    return len(faces) > 0


def haar_face_rate(images: Iterable[np.ndarray]) -> float:
    """Fraction of images (uint8 grayscale, any size) in which a frontal face is detected."""
    found = [has_face(image) for image in images]
    if not found:
        raise ValueError("haar_face_rate needs at least one image")
    return sum(found) / len(found)


def shuffle_tiles(image: np.ndarray, grid: int, rng: np.random.Generator) -> np.ndarray:
    """The image cut into grid x grid tiles put back in random order (a control: same pixels, no face).
    Edge rows/columns that don't divide evenly are left in place."""
    h, w = image.shape[:2]
    th, tw = h // grid, w // grid
    out = image.copy()
    tiles = [image[r * th : (r + 1) * th, c * tw : (c + 1) * tw] for r in range(grid) for c in range(grid)]
    for i, j in enumerate(rng.permutation(len(tiles))):
        r, c = divmod(i, grid)
        out[r * th : (r + 1) * th, c * tw : (c + 1) * tw] = tiles[j]
    return out
