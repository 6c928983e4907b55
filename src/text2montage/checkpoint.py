"""Atomic checkpoints and exact resume for every trainer (the rest of the scaffold: text2montage.training).

Checkpoint layout (one per component's training folder, DIR = OUT/training/<component>/, replaced
atomically on every save)::

    DIR/checkpoint/
      config.json, model.safetensors   the unwrapped model, via save_pretrained (loads strictly)
      state/                           accelerator.save_state: every prepared model, optimizer,
                                       scheduler and RNG state
      trainer_state.json               {"step": ..., **extra}; written last, so it marks completeness

A save builds the new checkpoint in a temporary folder beside it, then swaps folders by renames:
``checkpoint`` -> ``checkpoint.old``, ``tmp`` -> ``checkpoint``, then deletes ``checkpoint.old``.
A kill at any moment leaves either ``checkpoint`` or ``checkpoint.old`` complete, and
``load_checkpoint`` takes whichever is complete (the newer first).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader, Sampler

from text2montage.errors import CheckpointError

CHECKPOINT_DIR = "checkpoint"
PREVIOUS_DIR = "checkpoint.old"
STATE_DIR = "state"
TRAINER_STATE_FILE = "trainer_state.json"
_TMP_PREFIX = ".checkpoint-tmp-"


def save_checkpoint(
    accelerator: Accelerator, model: torch.nn.Module, out_dir: Path, step: int, extra: dict | None = None
) -> Path:
    """Write out_dir/checkpoint/ atomically; every process must call this (save_state is collective)."""
    out_dir = Path(out_dir)
    tmp = out_dir / f"{_TMP_PREFIX}{step}"
    if accelerator.is_main_process:
        for stale in out_dir.glob(f"{_TMP_PREFIX}*"):  # what a kill cut off mid-write (any step)
            shutil.rmtree(stale, ignore_errors=True)
        tmp.mkdir(parents=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp / STATE_DIR), safe_serialization=True)
    if accelerator.is_main_process:
        accelerator.unwrap_model(model).save_pretrained(tmp)
        state = {"step": int(step), **(extra or {})}
        (tmp / TRAINER_STATE_FILE).write_text(json.dumps(state, indent=1), encoding="utf-8")
        _fsync_tree(tmp)
        _swap_in(tmp, out_dir)
    accelerator.wait_for_everyone()
    return out_dir / CHECKPOINT_DIR


def _fsync_tree(folder: Path) -> None:
    """Flush every file to disk before the rename makes the folder the current checkpoint."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _swap_in(tmp: Path, out_dir: Path) -> None:
    current, previous = out_dir / CHECKPOINT_DIR, out_dir / PREVIOUS_DIR
    if current.exists():
        if _is_complete(current):
            shutil.rmtree(previous, ignore_errors=True)
            os.replace(current, previous)
        else:
            shutil.rmtree(current)
    os.replace(tmp, current)
    shutil.rmtree(previous, ignore_errors=True)


def _is_complete(folder: Path) -> bool:
    return (folder / TRAINER_STATE_FILE).is_file() and (folder / STATE_DIR).is_dir()


def find_checkpoint(out_dir: Path) -> Path | None:
    """The newest complete checkpoint folder under out_dir, or None when there is none at all."""
    for name in (CHECKPOINT_DIR, PREVIOUS_DIR):
        folder = Path(out_dir) / name
        if folder.is_dir() and _is_complete(folder):
            return folder
    if (Path(out_dir) / CHECKPOINT_DIR).exists():
        raise CheckpointError(
            f"{Path(out_dir) / CHECKPOINT_DIR} is incomplete (no {TRAINER_STATE_FILE} or {STATE_DIR}/); "
            "it was cut off while being written and there is no previous checkpoint to fall back to"
        )
    return None


def load_checkpoint(accelerator: Accelerator, out_dir: Path) -> dict | None:
    """Restore models, optimizers, schedulers and RNG from out_dir's checkpoint; return trainer_state.

    Returns None when out_dir holds no checkpoint. Raises CheckpointError for a truncated checkpoint
    or one whose weights do not match the prepared models (loading is strict).
    """
    folder = find_checkpoint(Path(out_dir))
    if folder is None:
        return None
    try:
        trainer_state = json.loads((folder / TRAINER_STATE_FILE).read_text(encoding="utf-8"))
        rng_file = folder / STATE_DIR / f"random_states_{accelerator.process_index}.pkl"
        if not rng_file.is_file():
            raise FileNotFoundError(f"missing {rng_file.name} (was it saved with another process count?)")
        accelerator.load_state(str(folder / STATE_DIR))
    except Exception as err:  # noqa: BLE001 - any failure here means an unusable checkpoint
        raise CheckpointError(f"cannot resume from {folder}: {type(err).__name__}: {err}") from err
    if not isinstance(trainer_state.get("step"), int):
        raise CheckpointError(f"{folder / TRAINER_STATE_FILE} has no integer 'step'")
    return trainer_state


class EpochSampler(Sampler[int]):
    """A random order of range(n) that depends only on (seed, epoch): resumable by construction."""

    def __init__(self, n: int, seed: int, shuffle: bool = True) -> None:
        self.n, self.seed, self.shuffle, self.epoch = n, seed, shuffle, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[int]:
        if not self.shuffle:
            return iter(range(self.n))
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        return iter(torch.randperm(self.n, generator=generator).tolist())


def iterate_from(accelerator: Accelerator, dataloader: DataLoader, start_batch: int) -> Iterator[Any]:
    """Yield batches forever, epoch after epoch, starting at global batch index start_batch.

    The dataloader must be prepared by accelerator and use an EpochSampler (or any sampler with
    set_epoch whose order depends only on the epoch); then a resumed run sees exactly the batches the
    uninterrupted run would have seen. start_batch counts this process's batches (micro-batches when
    accumulating gradients).
    """
    per_epoch = len(dataloader)
    if per_epoch == 0:
        raise ValueError("the data loader yields no batches (dataset smaller than one batch with drop_last?)")
    epoch, skip = divmod(start_batch, per_epoch)
    while True:
        loader = accelerator.skip_first_batches(dataloader, skip) if skip else dataloader
        loader.set_epoch(epoch)
        if hasattr(dataloader.dataset, "set_epoch"):  # e.g. captions drawn per (epoch, index)
            dataloader.dataset.set_epoch(epoch)  # accelerate only reaches the sampler
        batches = iter(loader)
        # Starting an epoch draws a base seed from the global RNG; keep that draw out of the training
        # RNG stream, or a resumed run (which starts an extra, partial epoch) would drift from the
        # uninterrupted one.
        with torch.random.fork_rng(devices=[]):
            first = next(batches, None)
        if first is not None:
            yield first
            yield from batches
        epoch, skip = epoch + 1, 0


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, torch and device RNGs (accelerate.utils.set_seed)."""
    from accelerate.utils import set_seed

    set_seed(seed)
