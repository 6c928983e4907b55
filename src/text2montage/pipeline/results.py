"""What the pipeline hands back: montages (image + code grid + montage code) and ranked results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image


@dataclass
class Montage:
    """One montage: its image, the code grid it decodes from, and the montage code that rebuilds it."""

    image: Image.Image  # grayscale ("L"), S x S
    codes: np.ndarray  # (G, G) int64
    code: str  # the montage code (pipe.from_code(code) rebuilds this montage)
    description: str | None = None  # what it was drawn for, when known


@dataclass
class Candidate(Montage):
    """A ranked montage: rank 1 is the best."""

    rank: int = 0
    score: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "score": round(float(self.score), 6), "code": self.code,
                "codes": self.codes.tolist()}


@dataclass
class MontageResult:
    """Ranked candidates for one request (generate, redraw or vary) and how they were made."""

    kind: str  # "generate" | "redraw" | "vary"
    description: str  # as the model saw it (cleaned)
    candidates: list[Candidate]
    scorer: str  # "reranker" (higher = fits the description better) or "likelihood" (mean log p per code)
    settings: dict[str, Any]
    fingerprint: str  # the pipeline's (all components)
    notes: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)  # redraw/vary: the montage code and region changed

    @property
    def images(self) -> list[Image.Image]:
        return [c.image for c in self.candidates]

    @property
    def best(self) -> Candidate:
        return self.candidates[0]

    def to_dict(self) -> dict[str, Any]:
        """The results.json record: description, settings, scores, montage codes, model fingerprint."""
        return {
            "kind": self.kind,
            "description": self.description,
            "scorer": self.scorer,
            "settings": self.settings,
            "model_fingerprint": self.fingerprint,
            "notes": self.notes,
            **({"source": self.source} if self.source else {}),
            "candidates": [c.to_dict() for c in self.candidates],
        }
