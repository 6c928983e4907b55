"""Hand-written AIHub-format records for loader tests (independent of the synthetic corpus)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

TL = Path("1.Training/라벨링데이터/TL")


def real_style_record(org_id: int, level: int = 3, sketch_id: int | None = None) -> dict[str, Any]:
    """A record shaped like aihub-format.md's real level-3 record of person 4197."""
    letter = "LMH"[level - 1]
    sid = sketch_id if sketch_id is not None else 12000 + org_id * 3 + level
    return {
        "info": [
            {
                "org_id": org_id,
                "org_img_name": str(org_id),
                "org_path": f"/Images/montage/{org_id}.png",
                "org_img_size": 153,
                "org_img_pix": "540x720",
                "age": 55,
                "gender": "M",
                "level": level,
            }
        ],
        "descripton": [
            {
                "org_id": org_id,
                "face": {
                    "type": "긴형",
                    "size": "크다",
                    "foreheadType": "알수없음",
                    "foreheadSize": "넓다",
                    "chinType": "주걱형",
                    "chinSize": "길다",
                    "cheek": "광대돌출(예: 비대칭은 분류 없음 선택 후 기술)",
                    "description": "긴 얼굴형에  턱이 길고 주걱턱이다.  ",
                },
                "hairstyle": {
                    "type": "곱슬머리",
                    "topLength": "앞머리올림",
                    "sizeLength": "숏컷(귀보임)",
                    "part": "오른쪽가르마",
                    "description": "짧은 곱슬머리를 위로 올렸다.",
                },
                "eyes": {
                    "size": "보통",
                    "type": "외꺼풀",
                    "slant": "내려감",
                    "description": "눈꼬리가 내려갔다.",
                },
                "wrinkle": {"forehead": "없다", "lib": "보통", "description": "입가에 주름이 보인다."},
                "feature": {"frekles": "해당사항없음", "tatoo": "해당사항없음", "description": ""},
                "impression": {"type": "정직함", "description": "정직하고 성실한 인상을 준다."},
            }
        ],
        "sketch_info": [
            {
                "org_id": org_id,
                "sketch_id": sid,
                "img_name": f"{org_id}_{sid}",
                "img_path": f"/Images/sketch/{letter}/{org_id}_{sid}.jpg",
                "img_size": 135,
                "img_pix": "540x720",
            }
        ],
        "org_sketch_info": [
            {
                "org_id": org_id,
                "org_sketch_id": 34139,
                "img_name": str(org_id),
                "img_path": f"/Images/org_sketch/{org_id}.png",
                "img_size": 218,
                "img_pix": "540x720",
            }
        ],
    }


def sketch_image(seed: int, width: int = 54, height: int = 72) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.full((height, width), 250, np.uint8)
    cv2.ellipse(
        image, (width // 2, height // 2), (width // 3, height // 3), 0, 0, 360, int(rng.integers(0, 99)), 2
    )
    return image


def write_record(
    root: Path, record: dict[str, Any], *, encoding: str = "utf-8", write_image: bool = True, name: str = ""
) -> Path:
    """Write a record's JSON (and its sketch image) under root in the AIHub layout; returns the JSON path."""
    sketch = record["sketch_info"][0] if isinstance(record["sketch_info"], list) else record["sketch_info"]
    letter = sketch["img_path"].split("/")[-2]
    json_path = root / TL / "json" / letter / (name or f"{sketch['img_name']}.json")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_bytes(json.dumps(record, ensure_ascii=False).encode(encoding))
    if write_image:
        image_path = root / TL / sketch["img_path"].lstrip("/")
        image_path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(image_path), sketch_image(sketch["sketch_id"]))
    return json_path
