"""The KoDALLE transformer's configuration: a typed dataclass, saved as config.json beside the weights."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from text2montage.errors import OptionError
from text2montage.weights import read_config, save_config

MODEL_TYPE = "text2montage-kodalle"


class DalleConfigError(OptionError):
    """A configuration value is out of range, or a config.json is missing or unreadable."""


@dataclass
class DalleConfig:
    """Architecture of the decoder over [text tokens; image codes].

    The sequence the transformer sees is `text_len` text positions followed by `grid_size**2 - 1` image
    positions (the last code is predicted, never fed), so its length is `text_len + image_len - 1`.
    """

    text_vocab_size: int = 8000
    text_len: int = 224  # the longest text a prompt may hold: every full level-3 description of the corpus
    text_pad_id: int = 0  # the tokenizer's pad id: these positions get per-position pad embeddings
    text_embed_width: int | None = None  # None: width; else a projection maps it to width (KoDALLE route)
    text_position_offset: int = 0  # first row of the text position table used (2 for RoBERTa tables)
    text_position_rows: int | None = None  # rows in the text position table; None: text_len
    freeze_text_embeddings: bool = False
    codebook_size: int = 1024
    grid_size: int = 8
    width: int = 256
    layers: int = 6
    heads: int = 4
    ffn_mult: int = 4
    attention_dropout: float = 0.0
    rope_theta: float = 10000.0
    init_std: float = 0.02

    def __post_init__(self) -> None:
        positive = (
            "text_vocab_size",
            "text_len",
            "codebook_size",
            "grid_size",
            "width",
            "layers",
            "heads",
            "ffn_mult",
        )
        for name in positive:
            if not isinstance(getattr(self, name), int) or getattr(self, name) <= 0:
                raise DalleConfigError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if self.width % self.heads:
            raise DalleConfigError(f"width {self.width} is not divisible by heads {self.heads}")
        if not 0 <= self.text_pad_id < self.text_vocab_size:
            raise DalleConfigError(f"text_pad_id {self.text_pad_id} is outside the text vocabulary")
        if self.text_position_offset + self.text_len > self.position_rows:
            raise DalleConfigError("text_position_offset + text_len exceeds text_position_rows")
        if not 0.0 <= self.attention_dropout < 1.0:
            raise DalleConfigError("attention_dropout must be in [0, 1)")

    @property
    def image_len(self) -> int:
        return self.grid_size * self.grid_size

    @property
    def seq_len(self) -> int:
        """Positions fed to the transformer: every text token and every image code but the last."""
        return self.text_len + self.image_len - 1

    @property
    def embed_width(self) -> int:
        return self.text_embed_width or self.width

    @property
    def position_rows(self) -> int:
        return self.text_position_rows or self.text_len

    def to_dict(self) -> dict[str, Any]:
        return {"model_type": MODEL_TYPE, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DalleConfig:
        data = dict(data)
        if data.pop("model_type", MODEL_TYPE) != MODEL_TYPE:
            raise DalleConfigError(f"config is not a {MODEL_TYPE} config")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DalleConfigError(f"unknown config keys: {', '.join(unknown)}")
        return cls(**data)

    def save(self, folder: str | Path) -> Path:
        return save_config(folder, self.to_dict())

    @classmethod
    def load(cls, folder: str | Path) -> DalleConfig:
        return cls.from_dict(read_config(folder, DalleConfigError, "dalle"))


PRESETS: dict[str, dict[str, Any]] = {
    # tests: seconds on CPU
    "tiny": {"text_len": 12, "grid_size": 4, "codebook_size": 32, "width": 32, "layers": 2, "heads": 2},
    # the shipped default: the 6.3M-parameter transformer measured in bench/sampling.py
    "default": {},
    # for GPUs
    "large": {"width": 512, "layers": 12, "heads": 8},
}


def preset_config(name: str, **overrides: Any) -> DalleConfig:
    """A named preset (tiny, default, large) with keyword overrides."""
    if name not in PRESETS:
        raise DalleConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return DalleConfig(**{**PRESETS[name], **overrides})
