"""A tiny prepared dataset whose sketches show three attributes plainly, for the classifier and evaluation
tests (imported as `attributes.drawn`: tests/ is on the path).

face.size (크다 / 작다) is the head ellipse's size, eyebrows.deep (진하다 / 흐리다) the brows' darkness,
feature.mole (서술하기 / 해당사항없음) a dot on the cheek. Every fifth record's eyebrows.deep is 분류없음
(unknown), and face.type has one known value only (no head).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from text2montage.data.store import META_FILE, write_json_atomic, write_split

SIZE = 32
COUNTS = {"train": 320, "val": 40, "test": 120}


def draw(rng: np.random.Generator, big: bool, dark: bool, mole: bool) -> np.ndarray:
    img = np.full((SIZE, SIZE), 255, np.uint8)
    c = SIZE // 2 + int(rng.integers(-1, 2))
    axes = (11, 14) if big else (7, 9)
    cv2.ellipse(img, (c, c), axes, 0, 0, 360, 60, 1)
    brow = 30 if dark else 190
    cv2.line(img, (c - 6, c - 4), (c - 2, c - 4), brow, 1)
    cv2.line(img, (c + 2, c - 4), (c + 6, c - 4), brow, 1)
    if mole:
        cv2.circle(img, (c + 4, c + 3), 1, 0, -1)
    return img


def captions(big: bool, dark: bool, mole: bool) -> dict[str, str]:
    face = "얼굴이 크다." if big else "얼굴이 작다."
    brows = "눈썹이 진하다." if dark else "눈썹이 흐리다."
    mole_text = " 볼에 점이 있다." if mole else ""
    return {"full": f"{face} {brows}{mole_text}", "attributes": f"{face} {brows}"}


def make_attribute_data(root: Path, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for split, n in COUNTS.items():
        images, records = [], []
        for i in range(n):
            big, dark = bool(rng.random() < 0.5), bool(rng.random() < 0.6)
            mole = bool(rng.random() < 0.3)
            images.append(draw(rng, big, dark, mole))
            attributes = {
                "face.type": "계란형",
                "face.size": "크다" if big else "작다",
                "eyebrows.deep": ("진하다" if dark else "흐리다") if i % 5 else "분류없음",
                "feature.mole": "서술하기" if mole else "해당사항없음",
            }
            records.append({"id": f"{split}-{i}", "level": 3, "attributes": attributes,
                            "captions": captions(big, dark, mole)})
        write_split(root / split, np.stack(images), records)
    write_json_atomic(root / META_FILE, {"size": SIZE, "counts": COUNTS})
    return root
