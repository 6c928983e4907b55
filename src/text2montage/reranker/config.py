"""The reranker's configuration: a typed dataclass, saved as config.json beside the weights."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from text2montage.errors import OptionError
from text2montage.weights import read_config, save_config

MODEL_TYPE = "text2montage-reranker"


class RerankerConfigError(OptionError):
    """A configuration value is out of range, or a config.json is missing or unreadable."""


@dataclass
class RerankerConfig:
    """A ViT over 1-channel sketches and a BERT-style text encoder, both projected to one space.

    `text_config` is None for the project's own text tower (a BertModel sized by the text_* fields over
    the caption tokenizer); for the KoDALLE route it holds the Hugging Face config of the pretrained text
    model (e.g. klue/roberta-large), and `text_encoder` names where its initial weights came from.
    """

    image_size: int = 128
    patch_size: int = 16
    vision_width: int = 192
    vision_layers: int = 4
    vision_heads: int = 4
    text_vocab_size: int = 8000
    text_pad_id: int = 0
    text_max_len: int = (
        224  # tokens incl. the leading [BOS]/[CLS]; level-3 full descriptions: p50 179, max 206
    )
    text_width: int = 128
    text_layers: int = 4
    text_heads: int = 4
    ffn_mult: int = 4
    projection_dim: int = 128
    logit_scale_init: float = math.log(1 / 0.07)  # CLIP's initial temperature 0.07
    max_logit_scale: float = math.log(100.0)  # CLIP's clamp: similarities are scaled by at most 100
    dropout: float = 0.0
    text_encoder: str | None = None
    text_config: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        positive = ("image_size", "patch_size", "vision_width", "vision_layers", "vision_heads",
                    "text_vocab_size", "text_max_len", "text_width", "text_layers", "text_heads",
                    "ffn_mult", "projection_dim")  # fmt: skip
        for name in positive:
            if not isinstance(getattr(self, name), int) or getattr(self, name) <= 0:
                raise RerankerConfigError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if self.image_size % self.patch_size:
            raise RerankerConfigError(f"image_size {self.image_size} is not a multiple of {self.patch_size}")
        for width, heads, what in ((self.vision_width, self.vision_heads, "vision"),
                                   (self.text_width, self.text_heads, "text")):  # fmt: skip
            if width % heads:
                raise RerankerConfigError(f"{what} width {width} is not divisible by {heads} heads")
        if not 0 <= self.text_pad_id < self.text_vocab_size:
            raise RerankerConfigError(f"text_pad_id {self.text_pad_id} is outside the text vocabulary")
        if not 0.0 <= self.dropout < 1.0:
            raise RerankerConfigError("dropout must be in [0, 1)")

    def to_dict(self) -> dict[str, Any]:
        return {"model_type": MODEL_TYPE, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RerankerConfig:
        data = dict(data)
        if data.pop("model_type", None) != MODEL_TYPE:
            raise RerankerConfigError(f"config is not a {MODEL_TYPE} config")
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise RerankerConfigError(f"unknown config keys: {', '.join(unknown)}")
        return cls(**data)

    def save(self, folder: str | Path) -> Path:
        return save_config(folder, self.to_dict())

    @classmethod
    def load(cls, folder: str | Path) -> RerankerConfig:
        return cls.from_dict(read_config(folder, RerankerConfigError, "reranker"))


PRESETS: dict[str, dict[str, Any]] = {
    # tests: a second or two on CPU
    "tiny": {"image_size": 32, "patch_size": 8, "vision_width": 32, "vision_layers": 1, "vision_heads": 2,
             "text_max_len": 64, "text_width": 32, "text_layers": 1, "text_heads": 2, "ffn_mult": 2,
             "projection_dim": 16},
    # the 2-core CPU budget (3.1M parameters): 1,500 steps of 64 (4 epochs of the 24k-image corpus at
    # 128x128) in about 15-20 minutes; measured 0.90 CPU-seconds per step of 64 on one thread, with captions
    # grouped by length (mean padded length 102 tokens instead of 191)
    "default": {},
    # for GPUs
    "large": {"vision_width": 384, "vision_layers": 8, "vision_heads": 6, "text_width": 384,
              "text_layers": 8, "text_heads": 6, "projection_dim": 256},
}  # fmt: skip


def preset_config(name: str, **overrides: Any) -> RerankerConfig:
    """A named preset (tiny, default, large) with keyword overrides."""
    if name not in PRESETS:
        raise RerankerConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return RerankerConfig(**{**PRESETS[name], **overrides})
