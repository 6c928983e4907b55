"""What `train reranker` is given: the training recipe and the inputs (light to import: no torch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text2montage.errors import OptionError


@dataclass
class TrainConfig:
    steps: int = 1500
    batch_size: int = 64
    lr: float = 5e-4
    warmup_steps: int = 100
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.05
    grad_clip: float = 1.0
    log_every: int = 20
    checkpoint_every: int = 250
    eval_every: int = 250
    eval_size: int = 256  # held-out persons scored at each evaluation
    length_window: int = 32  # batches per window sorted by caption length (1: no grouping)
    num_workers: int = 0

    def __post_init__(self) -> None:
        for name in ("steps", "log_every", "checkpoint_every", "eval_every", "eval_size", "length_window"):
            if getattr(self, name) < 1:
                raise OptionError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.batch_size < 2:
            raise OptionError("batch_size must be >= 2: a contrastive batch needs negatives")
        if self.lr <= 0 or self.num_workers < 0:
            raise OptionError("lr must be positive and num_workers >= 0")


@dataclass
class TrainInputs:
    data: Path  # prepared dataset folder
    tokenizer: str | None = None  # None: the text encoder's own, else the shipped caption tokenizer
    text_encoder: str | None = None  # a Hugging Face text model (local path or cached name)
    preset: str = "default"
    model_overrides: dict[str, Any] = field(default_factory=dict)
