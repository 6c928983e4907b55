"""Checking what users hand the pipeline: descriptions, candidate counts, sampling settings, seeds.

Every problem is a PipelineInputError with a one-line message; things the pipeline can work around
(emoji, control characters, text beyond the window, no Korean) become notes on the result instead.
"""

from __future__ import annotations

import math
import numbers
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from text2montage.dalle.sampling import DEFAULT_GUIDANCE, DEFAULT_TEMPERATURE
from text2montage.pipeline.errors import PipelineInputError
from text2montage.text.normalize import normalize_text

MAX_CANDIDATES = 64
MAX_DESCRIPTION_CHARS = 2000  # the app's box holds this much; longer input is cut before tokenising
MAX_GUIDANCE = 20.0  # beyond this guidance only sharpens noise
MAX_TEMPERATURE = 10.0
MAX_SEED = 2**63 - 1
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "So", "Sk"})  # control, format, emoji, ...
_KEPT_SYMBOLS = frozenset("·※→←~")  # symbols annotators use in prose
_UNDECODABLE_LOW, _UNDECODABLE_HIGH = "\udc80", "\udcff"  # bytes Python's surrogateescape could not decode


@dataclass
class CleanDescription:
    text: str
    notes: list[str]


def clean_description(description: Any) -> CleanDescription:
    """NFC, single spaces, no control characters or emoji; a note for each thing changed."""
    if not isinstance(description, str):
        raise PipelineInputError(f"the description must be text, got {type(description).__name__}")
    notes = []
    if len(description) > MAX_DESCRIPTION_CHARS:
        description = description[:MAX_DESCRIPTION_CHARS]
        notes.append(f"the description was cut to its first {MAX_DESCRIPTION_CHARS} characters")
    undecodable = sum(1 for ch in description if _UNDECODABLE_LOW <= ch <= _UNDECODABLE_HIGH)
    if undecodable:
        description = "".join(ch for ch in description if not _UNDECODABLE_LOW <= ch <= _UNDECODABLE_HIGH)
        notes.append(f"{undecodable} byte(s) that are not valid UTF-8 were left out")
    text = unicodedata.normalize("NFC", description)
    kept = "".join(ch for ch in text if ch.isspace() or not _dropped(ch))
    dropped = len(text) - len(kept)
    text = normalize_text(kept)
    if not text:
        what = "not valid UTF-8 text" if undecodable else (
            "only emoji, symbols or control characters" if dropped else "empty")
        raise PipelineInputError(
            f"the description is {what}; describe the face in words (e.g. '계란형 얼굴에 눈이 작다')"
        )
    if dropped:
        notes.append(f"{dropped} emoji, symbol or control character(s) were left out")
    if not any(_is_hangul(ch) for ch in text):
        notes.append("the description has no Korean; the model was trained on Korean descriptions, so it "
                     "may follow it poorly")
    return CleanDescription(text=text, notes=notes)


def _dropped(ch: str) -> bool:
    return ch not in _KEPT_SYMBOLS and unicodedata.category(ch) in _DROPPED_CATEGORIES


def _is_hangul(ch: str) -> bool:
    return "가" <= ch <= "힣" or "ᄀ" <= ch <= "ᇿ" or "㄰" <= ch <= "㆏"


@dataclass
class Settings:
    """How candidates are drawn (checked); recorded in results.json."""

    num_candidates: int = 8
    seed: int | None = None
    guidance_scale: float = DEFAULT_GUIDANCE
    temperature: float = DEFAULT_TEMPERATURE
    top_k: int | None = None
    top_p: float | None = None

    def __post_init__(self) -> None:
        self.num_candidates = check_count(self.num_candidates)
        self.seed = check_seed(self.seed)
        self.guidance_scale = _finite("guidance_scale", self.guidance_scale, 0.0, MAX_GUIDANCE)
        self.temperature = _finite("temperature", self.temperature, 0.0, MAX_TEMPERATURE)
        if self.top_k is not None and (_not_int(self.top_k) or self.top_k < 1):
            raise PipelineInputError(f"top_k must be a positive whole number or None, got {self.top_k!r}")
        if self.top_p is not None:
            self.top_p = _finite("top_p", self.top_p, 0.0, 1.0)
            if self.top_p == 0:
                raise PipelineInputError("top_p must be in (0, 1]")

    def sampling_config(self) -> Any:
        from text2montage.dalle.sampling import SamplingConfig

        return SamplingConfig(temperature=self.temperature, top_k=self.top_k, top_p=self.top_p,
                              guidance_scale=self.guidance_scale, seed=self.seed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


REGION_NAMES = ("hair", "eyebrows", "eyes", "nose", "mouth", "face_outline")  # = dalle.regions.REGIONS
REGION_ALIASES: dict[str, str] = {
    "머리": "hair", "헤어": "hair", "눈썹": "eyebrows", "눈": "eyes", "코": "nose", "입": "mouth",
    "얼굴형": "face_outline", "윤곽": "face_outline", "face": "face_outline", "outline": "face_outline",
    "face-outline": "face_outline",
}
REGION_LABELS_KO: dict[str, str] = {
    "hair": "머리", "eyebrows": "눈썹", "eyes": "눈", "nose": "코", "mouth": "입",
    "face_outline": "얼굴 윤곽",
}


def check_region(region: Any) -> str | tuple[float, float, float, float]:
    """A region name (English or Korean) -> its canonical name; a box (x0, y0, x1, y1) -> floats, checked."""
    if isinstance(region, str):
        name = REGION_ALIASES.get(region.strip(), region.strip())
        if name not in REGION_NAMES:
            raise PipelineInputError(f"unknown region {region!r}; choose one of {', '.join(REGION_NAMES)} "
                                     "or a box (x0, y0, x1, y1)")
        return name
    try:
        x0, y0, x1, y1 = (float(v) for v in region)
    except (TypeError, ValueError) as err:
        raise PipelineInputError(f"a box is four numbers (x0, y0, x1, y1), got {region!r}") from err
    if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
        raise PipelineInputError(f"a box needs 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, got {region!r}")
    return x0, y0, x1, y1


def check_count(value: Any, name: str = "num_candidates") -> int:
    if _not_int(value) or not 1 <= value <= MAX_CANDIDATES:
        raise PipelineInputError(f"{name} must be a whole number from 1 to {MAX_CANDIDATES}, got {value!r}")
    return int(value)


def check_seed(seed: Any) -> int:
    """A given seed (0 .. 2**63-1), or a fresh random one so every result can be drawn again."""
    if seed is None:
        return secrets.randbelow(2**31)
    if _not_int(seed) or not 0 <= seed <= MAX_SEED:
        raise PipelineInputError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return int(seed)


def check_strength(strength: Any) -> float:
    return _finite("strength", strength, 0.0, 1.0, open_low=True)


def _finite(name: str, value: Any, low: float, high: float, open_low: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise PipelineInputError(f"{name} must be a finite number, got {value!r}")
    if value < low or value > high or (open_low and value == low):
        bracket = "(" if open_low else "["
        raise PipelineInputError(f"{name} must be in {bracket}{low:g}, {high:g}], got {value!r}")
    return float(value)


def _not_int(value: Any) -> bool:
    return isinstance(value, bool) or not isinstance(value, numbers.Integral)
