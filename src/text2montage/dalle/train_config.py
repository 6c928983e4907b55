"""What a KoDALLE transformer run is given: its training recipe and inputs (light to import, so the CLI
takes its defaults from here; how the run goes, seed and resume included, is training.run.RunOptions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text2montage.errors import OptionError


@dataclass
class TrainConfig:
    steps: int = 20_000
    batch_size: int = 16  # per process, per micro-batch
    lr: float = 3e-4  # peak learning rate
    warmup_steps: int = 200
    min_lr_ratio: float = 0.1  # cosine decay to lr * min_lr_ratio at the last step
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    caption_dropout: float = 0.1  # empty captions, for classifier-free guidance
    log_every: int = 20
    checkpoint_every: int = 500
    sample_every: int = 1000
    eval_every: int = 500
    eval_batches: int = 8
    num_workers: int = 0

    def __post_init__(self) -> None:
        counts = ("steps", "batch_size", "log_every", "checkpoint_every", "sample_every", "eval_every",
                  "eval_batches")  # fmt: skip
        for name in counts:
            if getattr(self, name) < 1:
                raise OptionError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0 or self.warmup_steps < 0 or self.num_workers < 0:
            raise OptionError("lr must be positive; warmup_steps and num_workers must be >= 0")
        for name in ("min_lr_ratio", "caption_dropout"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise OptionError(f"{name} must be in [0, 1], got {getattr(self, name)}")


@dataclass
class TrainInputs:
    codes_dir: Path  # text2montage data extract-codes
    prepared_dir: Path  # text2montage data prepare
    tokenizer: str  # caption tokenizer folder or cached Hub name
    preset: str = "default"  # tiny | default | large (dalle.config.PRESETS)
    text_encoder: str | None = None  # KoDALLE route: text embeddings from this Hugging Face model
    freeze_text_embeddings: bool = False
    vqgan: Path | None = None  # also decode the samples drawn while training to PNG
    model_overrides: dict[str, Any] = field(default_factory=dict)  # DalleConfig fields, e.g. text_len
    init_from: Path | None = None  # start from this trained dalle folder (KoDalle.warm_start_from)

    def __post_init__(self) -> None:
        self.codes_dir, self.prepared_dir = Path(self.codes_dir), Path(self.prepared_dir)
