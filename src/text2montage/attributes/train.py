"""Train the attribute classifier on a prepared dataset's train split (Accelerate; CPU or GPUs).

Loss: the mean over fields of each field's cross-entropy over the records that have a known label
for it (unknown values are left out). Light augmentation: a small random shift and a contrast change
of the pencil strokes against the white paper, drawn from a generator seeded by (seed, step) so a
resumed run sees exactly the same batches.

Runs on the shared scaffold (text2montage.training): the classifier lands in OUT/attributes/ (as a
pipeline folder holds it), checkpoint/, logs/ and train_config.json in OUT/training/attributes/.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from accelerate import Accelerator
from torch.utils.data import DataLoader, TensorDataset

from text2montage.attributes.labels import NO_LABEL, build_classes, encode_labels
from text2montage.attributes.model import AttributeClassifier, AttributeConfig, scale_images
from text2montage.checkpoint import EpochSampler, iterate_from
from text2montage.data.store import PreparedDataError, load_split
from text2montage.errors import DataError, OptionError
from text2montage.training.loop import (
    AfterStep,
    RunLogger,
    TrainingRun,
    open_run,
    restore,
    train_steps,
    warmup_cosine_schedule,
    write_run_config,
)
from text2montage.training.run import RunOptions

COMPONENT = "attributes"
WARMUP_STEPS = 100
MIN_LR_RATIO = 0.05


@dataclass
class TrainOptions:
    data: Path
    out: Path
    steps: int = 3000
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    resume: bool = False
    image_size: int | None = None  # None: the prepared images' size
    max_shift: float = 0.04  # largest random shift, as a fraction of the image side
    contrast: tuple[float, float] = (0.75, 1.25)  # range of the stroke-darkness factor
    checkpoint_every: int = 250
    log_every: int = 25
    eval_every: int = 500
    shuffle_labels: bool = False  # permute the training labels (the honesty test's control)
    stop_at: int | None = None  # end this run after this step (checkpointed), as if interrupted
    show_progress: bool = True

    def run_options(self) -> RunOptions:
        return RunOptions(out=self.out, resume=self.resume, seed=self.seed, stop_at=self.stop_at,
                          show_progress=self.show_progress)


@dataclass
class Trainer:
    accelerator: Accelerator
    options: TrainOptions
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    loader: DataLoader
    val: tuple[np.ndarray, list[dict]] | None


def train_attributes(options: TrainOptions) -> list[dict[str, float]]:
    """Train (or resume); the classifier lands in OUT/attributes/ after the last step. -> this run's
    per-step scalars (loss, lr, and val/mean_accuracy where it was evaluated)."""
    _check_options(options)
    folder, _, accelerator = open_run(options.run_options(), COMPONENT)
    t = build_trainer(options, accelerator)
    run = TrainingRun(t.accelerator, folder, options.run_options(), t.model, t.scheduler, options.steps,
                      options.log_every, options.checkpoint_every, progress_keys=("loss",))  # fmt: skip
    start = restore(run)
    write_run_config(t.accelerator, folder, asdict(options))
    batches = iterate_from(t.accelerator, t.loader, start)
    t.model.train()
    step = functools.partial(take_step, t, batches)
    return train_steps(run, start, step, _evaluate_on_schedule(t)).history


def _check_options(options: TrainOptions) -> None:
    if options.steps < 1 or options.batch_size < 1 or options.lr <= 0:
        raise OptionError("steps, batch size and learning rate must be positive")
    if not 0 <= options.max_shift < 0.5 or not 0 < options.contrast[0] <= options.contrast[1]:
        raise OptionError("max_shift must be in [0, 0.5) and the contrast range positive and ordered")


def build_trainer(options: TrainOptions, accelerator: Accelerator) -> Trainer:
    split = load_split(options.data, "train")
    records = [r.get("attributes", {}) for r in split.records]
    classes = build_classes(records)
    if not classes:
        raise DataError(f"no attribute field of {options.data} has two known values in the train split")
    labels = encode_labels(records, classes)  # (N, F)
    if options.shuffle_labels:
        labels = labels[np.random.default_rng(options.seed).permutation(len(labels))]
    size = options.image_size or int(split.images.shape[-1])
    if len(split) < options.batch_size:
        n, b = len(split), options.batch_size
        raise DataError(f"the train split has {n} images, fewer than one batch ({b})")
    images = torch.from_numpy(np.array(split.images))  # uint8 (N, S0, S0), a writable copy in memory
    dataset = TensorDataset(images, torch.from_numpy(labels))
    sampler = EpochSampler(len(dataset), options.seed)
    loader = DataLoader(dataset, batch_size=options.batch_size, sampler=sampler, drop_last=True)
    model = AttributeClassifier(AttributeConfig(classes=classes, image_size=size))
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.lr, weight_decay=options.weight_decay)
    warmup = min(WARMUP_STEPS, max(1, options.steps // 10))
    scheduler = warmup_cosine_schedule(optimizer, warmup, options.steps, MIN_LR_RATIO)
    model, optimizer, scheduler, loader = accelerator.prepare(model, optimizer, scheduler, loader)
    return Trainer(accelerator, options, model, optimizer, scheduler, loader, _val_split(options.data))


def _val_split(data: Path) -> tuple[np.ndarray, list[dict]] | None:
    try:
        split = load_split(data, "val")
    except PreparedDataError:
        return None
    if not len(split):
        return None
    return np.asarray(split.images), [r.get("attributes", {}) for r in split.records]


def augment(images: torch.Tensor, options: TrainOptions, step: int) -> torch.Tensor:
    """float (B, 1, S, S) in [-1, 1] -> shifted by up to max_shift and with strokes darker or lighter."""
    generator = torch.Generator().manual_seed(options.seed * 1_000_003 + step)
    b = images.shape[0]
    shift = (torch.rand(b, 2, generator=generator) * 2 - 1) * options.max_shift * 2  # (B, 2) in grid units
    low, high = options.contrast
    factor = torch.rand(b, 1, 1, 1, generator=generator) * (high - low) + low  # (B, 1, 1, 1)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta.to(images.device), list(images.shape), align_corners=False)
    moved = F.grid_sample(images, grid, padding_mode="border", align_corners=False)  # (B, 1, S, S)
    return (1.0 + (moved - 1.0) * factor.to(images.device)).clamp(-1.0, 1.0)  # white (1.0) stays white


def attribute_loss(logits: list[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
    """Mean over fields (with any known label in the batch) of the cross-entropy on known labels."""
    losses = []
    for col, field_logits in enumerate(logits):
        target = labels[:, col]  # (B,)
        if bool((target != NO_LABEL).any()):
            losses.append(F.cross_entropy(field_logits, target, ignore_index=NO_LABEL))
    if not losses:
        return logits[0].sum() * 0.0
    return torch.stack(losses).mean()


def train_step(t: Trainer, batch: tuple[torch.Tensor, torch.Tensor], step: int) -> float:
    images, labels = batch
    size = t.accelerator.unwrap_model(t.model).config.image_size
    inputs = augment(scale_images(images, size), t.options, step)
    loss = attribute_loss(t.model(inputs), labels)
    t.accelerator.backward(loss)
    t.optimizer.step()
    t.scheduler.step()
    t.optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())


def take_step(t: Trainer, batches: Iterator[tuple[torch.Tensor, ...]], index: int) -> dict[str, float]:
    return {"loss": train_step(t, next(batches), index)}


def _validate(t: Trainer) -> dict[str, float]:
    """Mean per-field accuracy on the val split (known labels only)."""
    if t.val is None or not t.accelerator.is_main_process:
        return {}
    model = t.accelerator.unwrap_model(t.model)
    scores = model.field_accuracy(model.predict(t.val[0]), t.val[1])
    accuracies = [correct / n for correct, n in scores.values() if n]
    return {"val/mean_accuracy": float(np.mean(accuracies))} if accuracies else {}


def _evaluate_on_schedule(t: Trainer) -> AfterStep:
    """Val accuracy every eval_every steps and after the last step."""

    def after_step(done: int, logger: RunLogger) -> dict[str, float]:
        if done % t.options.eval_every and done != t.options.steps:
            return {}
        values = _validate(t)
        t.model.train()
        logger.scalars(values, done)
        return values

    return after_step
