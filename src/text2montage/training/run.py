"""What every training run is given and where it writes; light to import (no torch).

A run folder holds each trained component exactly as a pipeline folder holds it, so the stages can
share one OUT that becomes a pipeline folder (`train vqgan --out P`, then `train dalle --out P`)::

    OUT/<component>/                  the trained component: config.json + model.safetensors (vqgan/, dalle/)
    OUT/tokenizer/                    the caption tokenizer the transformer was trained with (train dalle)
    OUT/training/<component>/
      checkpoint/                     atomic and resumable (text2montage.checkpoint)
      logs/                           TensorBoard event files and scalars.jsonl (one JSON line per log)
      samples/                        what the trainer draws while it trains (grids, code grids)
      train_config.json               the run's options and inputs
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from text2montage.errors import OptionError
from text2montage.weights import CONFIG_FILE

TRAINING_DIR = "training"
LOGS_DIR = "logs"
SAMPLES_DIR = "samples"
SCALARS_FILE = "scalars.jsonl"
RUN_CONFIG_FILE = "train_config.json"
MIXED_PRECISION = ("no", "fp16", "bf16")


@dataclass
class RunOptions:
    """How a run goes, whatever it trains: folder, resume, seed, precision, accumulation, early stop."""

    out: Path
    resume: bool = False  # continue from the run's checkpoint; without it a checkpoint there is an error
    seed: int = 0
    mixed_precision: str = "no"
    grad_accum: int = 1  # micro-batches per optimizer step
    stop_at: int | None = None  # end this run (checkpointed) after this step, e.g. to train in chunks
    show_progress: bool = True

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if self.mixed_precision not in MIXED_PRECISION:
            raise OptionError(f"mixed precision must be one of {', '.join(MIXED_PRECISION)}, "
                              f"got {self.mixed_precision!r}")
        if self.grad_accum < 1:
            raise OptionError(f"gradient accumulation must be >= 1, got {self.grad_accum}")
        if self.stop_at is not None and self.stop_at < 1:
            raise OptionError(f"stop_at must be >= 1, got {self.stop_at}")


def component_dir(path: str | Path, component: str) -> Path:
    """The `component` folder that `path` names: path itself when it holds a config.json, else its
    `component`/ sub-folder when there is one (a run or pipeline folder), else path as given."""
    path = Path(path)
    if not (path / CONFIG_FILE).is_file() and (path / component).is_dir():
        return path / component
    return path


@dataclass(frozen=True)
class RunFolder:
    """The paths of one component's run inside OUT."""

    out: Path
    component: str  # "vqgan", "dalle", ...: the pipeline folder's name for it

    @property
    def component_dir(self) -> Path:
        return Path(self.out) / self.component

    @property
    def work_dir(self) -> Path:
        """Where the checkpoint, logs and samples of this component's training live."""
        return Path(self.out) / TRAINING_DIR / self.component

    @property
    def logs_dir(self) -> Path:
        return self.work_dir / LOGS_DIR

    @property
    def samples_dir(self) -> Path:
        return self.work_dir / SAMPLES_DIR

    @property
    def run_config_file(self) -> Path:
        return self.work_dir / RUN_CONFIG_FILE
