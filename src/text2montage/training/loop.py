"""The step loop and what every trainer shares: schedule, Accelerator, logging, progress, resume.

A trainer opens its run (`open_run`: the folder, the checkpoint it continues, a seeded Accelerator),
builds its model, optimizers and data (from the checkpoint's config when it resumes), prepares them,
calls `restore`, then hands `train_steps` a function that takes one optimizer step (`AccumulatedSteps`
for the models trained with one optimizer over accumulated micro-batches). The loop logs
(averaged over processes) every `log_every` steps and at the end, checkpoints every `checkpoint_every`
steps and at the end of the run, and saves the component into OUT/<component>/ once the last step is
reached. A run stopped early (`stop_at`, a kill) resumes exactly where its checkpoint left it.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator

from text2montage.checkpoint import find_checkpoint, load_checkpoint, save_checkpoint, seed_everything
from text2montage.errors import CheckpointError
from text2montage.progress import progress_bar
from text2montage.training.run import SCALARS_FILE, RunFolder, RunOptions


def warmup_cosine(step: int, warmup_steps: int, total_steps: int, min_ratio: float) -> float:
    """The learning-rate factor: linear warm-up over warmup_steps, then cosine decay to min_ratio."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_cosine_schedule(
    optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int, min_ratio: float
) -> torch.optim.lr_scheduler.LambdaLR:
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, warmup_steps, total_steps, min_ratio)
    )


def make_accelerator(options: RunOptions) -> Accelerator:
    """One process, or one of several under `accelerate launch`; schedulers step once per optimizer step."""
    return Accelerator(
        mixed_precision=options.mixed_precision,
        gradient_accumulation_steps=options.grad_accum,
        step_scheduler_with_optimizer=False,
    )


def adamw(
    model: torch.nn.Module, lr: float, weight_decay: float, betas: tuple[float, float], eps: float = 1e-8
) -> torch.optim.AdamW:
    """AdamW decaying matrices and embedding tables only (not norms, biases or scalars), fused where
    the device has the kernel (one pass instead of ~10)."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
    fused = all(p.device.type in ("cpu", "cuda") for p in params)
    return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, fused=fused)


@dataclass
class AccumulatedSteps:
    """One optimizer step over grad_accum micro-batches: backward each, clip, step the optimizer and the
    schedule at the accumulation boundary. The model, optimizer and scheduler are prepared."""

    accelerator: Accelerator
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    batches: Iterator[Any]
    grad_accum: int
    grad_clip: float | None = None

    def step(self, loss_of: Callable[[Any], torch.Tensor]) -> float:
        """loss_of(batch) -> the micro-batch's loss; returns the step's mean loss."""
        acc, total = self.accelerator, 0.0
        for _ in range(self.grad_accum):
            batch = next(self.batches)
            with acc.accumulate(self.model):
                loss = loss_of(batch)
                acc.backward(loss)
                if acc.sync_gradients and self.grad_clip is not None:
                    acc.clip_grad_norm_(self.model.parameters(), self.grad_clip)
                self.optimizer.step()
                if acc.sync_gradients:
                    self.scheduler.step()
                self.optimizer.zero_grad(set_to_none=True)
            total += float(loss.detach())
        return total / self.grad_accum


# --------------------------------------------------------------------------------------------------
# resume semantics
# --------------------------------------------------------------------------------------------------
def open_run(options: RunOptions, component: str) -> tuple[RunFolder, Path | None, Accelerator]:
    """Start a run: its folder, the checkpoint it continues (None: a fresh run; see
    checkpoint_to_resume) and the Accelerator, with every RNG seeded."""
    folder = RunFolder(options.out, component)
    checkpoint = checkpoint_to_resume(folder, options.resume)
    accelerator = make_accelerator(options)
    seed_everything(options.seed)
    return folder, checkpoint, accelerator

def checkpoint_to_resume(folder: RunFolder, resume: bool) -> Path | None:
    """The checkpoint a run continues from (None: a fresh run). A run that is not told to resume
    refuses to start in a folder that holds a checkpoint, rather than overwrite it."""
    found = find_checkpoint(folder.work_dir)
    if found is not None and not resume:
        raise CheckpointError(
            f"{folder.work_dir} holds a {folder.component} checkpoint already; "
            "pass --resume (resume=True) to continue it, or a new --out"
        )
    return found




def write_run_config(accelerator: Accelerator, folder: RunFolder, info: dict[str, Any]) -> None:
    """OUT/training/<component>/train_config.json: the run's options and inputs (paths as strings)."""
    if accelerator.is_main_process:
        folder.work_dir.mkdir(parents=True, exist_ok=True)
        text = json.dumps(info, indent=1, ensure_ascii=False, default=str)
        folder.run_config_file.write_text(text, encoding="utf-8")
    accelerator.wait_for_everyone()


# --------------------------------------------------------------------------------------------------
# logging and progress
# --------------------------------------------------------------------------------------------------
class RunLogger:
    """TensorBoard scalars and images plus logs/scalars.jsonl, from the main process only.

    Opened at a resumed step, it drops what the interrupted run logged after that step (the jsonl lines,
    TensorBoard's events), so the logs read as one uninterrupted run."""

    def __init__(self, accelerator: Accelerator, logs_dir: Path, start_step: int = 0) -> None:
        self._writer, self._jsonl = None, Path(logs_dir) / SCALARS_FILE
        if accelerator.is_main_process:
            from torch.utils.tensorboard import SummaryWriter

            Path(logs_dir).mkdir(parents=True, exist_ok=True)
            _drop_lines_after(self._jsonl, start_step)
            purge = start_step + 1 if start_step else None
            self._writer = SummaryWriter(log_dir=str(logs_dir), purge_step=purge)

    def scalars(self, values: dict[str, float], step: int) -> None:
        if self._writer is None:
            return
        for name, value in values.items():
            self._writer.add_scalar(name, value, step)
        with self._jsonl.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"step": step, **values}) + "\n")

    def image(self, tag: str, image: np.ndarray, step: int) -> None:
        """image: uint8 (H, W) grayscale or (H, W, 3)."""
        if self._writer is not None:
            self._writer.add_image(tag, image, step, dataformats="HW" if image.ndim == 2 else "HWC")

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _drop_lines_after(path: Path, step: int) -> None:
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if json.loads(line)["step"] <= step]
        path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def mean_over_processes(accelerator: Accelerator, values: dict[str, float]) -> dict[str, float]:
    """Each scalar averaged over the processes (a collective: every process calls it)."""
    if accelerator.num_processes == 1:
        return dict(values)
    keys = sorted(values)
    stacked = torch.tensor([values[k] for k in keys], dtype=torch.float64, device=accelerator.device)
    return dict(zip(keys, accelerator.reduce(stacked, reduction="mean").tolist(), strict=True))


class StepProgress:
    """The progress bar of a run on the main process (silent elsewhere): steps and the latest scalars."""

    def __init__(self, enabled: bool, label: str, start: int, total: int, keys: tuple[str, ...]) -> None:
        self._bar = progress_bar() if enabled else None
        self._label, self._keys = label, keys
        if self._bar is not None:
            self._task = self._bar.add_task(label, total=total, completed=start)

    def __enter__(self) -> StepProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def advance(self, logs: dict[str, float]) -> None:
        if self._bar is not None:
            shown = " ".join(f"{k.rsplit('/', 1)[-1]}={logs[k]:.4f}" for k in self._keys if k in logs)
            self._bar.update(self._task, advance=1, description=f"{self._label} {shown}")

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


# --------------------------------------------------------------------------------------------------
# the loop
# --------------------------------------------------------------------------------------------------
StepFn = Callable[[int], dict[str, float]]  # the index of the step to take (0-based) -> its scalars
AfterStep = Callable[[int, RunLogger], dict[str, float]]  # steps done, logger -> scalars it logged


@dataclass
class TrainingRun:
    accelerator: Accelerator
    folder: RunFolder
    options: RunOptions
    model: torch.nn.Module  # prepared; its unwrapped save_pretrained is the component
    scheduler: Any  # its learning rate is logged as "lr"
    total_steps: int
    log_every: int
    checkpoint_every: int
    identity: dict[str, Any] = field(default_factory=dict)  # saved with checkpoints, checked on resume
    progress_keys: tuple[str, ...] = ()  # scalars the progress bar shows

    def __post_init__(self) -> None:
        self.identity = {"seed": self.options.seed, "grad_accum": self.options.grad_accum, **self.identity}

    @property
    def end_step(self) -> int:
        """Where this run stops: the last step, or stop_at when that comes first."""
        return min(self.total_steps, self.options.stop_at or self.total_steps)


def restore(run: TrainingRun) -> int:
    """Load the run's checkpoint into the prepared objects; -> the step to start from (0: none).

    The checkpoint must have been trained with the run's identity (seed, grad_accum, preset, ...)."""
    state = load_checkpoint(run.accelerator, run.folder.work_dir)
    if state is None:
        return 0
    for key, value in run.identity.items():
        if state.get(key) != value:
            raise CheckpointError(
                f"the checkpoint in {run.folder.work_dir} was trained with {key} {state.get(key)!r}, "
                f"not {value!r}; resume with the same {key} or train into a new --out"
            )
    return int(state["step"])


@dataclass
class RunResult:
    start_step: int
    step: int  # the step the run ended at
    history: list[dict[str, float]]  # this process's scalars of each step this run took
    logged: dict[str, float]  # the latest logged scalars (averaged over processes) and evaluations
    model: torch.nn.Module  # this process's trained model, unwrapped


def train_steps(
    run: TrainingRun, start: int, step_fn: StepFn, after_step: AfterStep | None = None
) -> RunResult:
    """Take steps start+1 .. end_step; checkpoint at the end; save the component after the last step."""
    options, accelerator = run.options, run.accelerator
    logger = RunLogger(accelerator, run.folder.logs_dir, start)
    history: list[dict[str, float]] = []
    logged: dict[str, float] = {}
    started = time.perf_counter()
    show = options.show_progress and accelerator.is_main_process
    with StepProgress(show, run.folder.component, start, run.total_steps, run.progress_keys) as progress:
        for done in range(start + 1, run.end_step + 1):
            logs = {**step_fn(done - 1), "lr": run.scheduler.get_last_lr()[0]}
            if done % run.log_every == 0 or done == run.end_step:
                mean = mean_over_processes(accelerator, logs)
                logged.update(mean)
                rate = (done - start) / (time.perf_counter() - started)
                logger.scalars({**mean, "speed/steps_per_s": rate}, done)
            if after_step is not None:
                extra = after_step(done, logger)
                logs.update(extra)
                logged.update(extra)
            history.append(logs)
            if done % run.checkpoint_every == 0 and done != run.end_step:
                save_checkpoint(accelerator, run.model, run.folder.work_dir, done, run.identity)
            progress.advance(logs)
    logger.close()
    end = max(start, run.end_step)
    _finish(run, start, end)
    return RunResult(start, end, history, logged, accelerator.unwrap_model(run.model))


def _finish(run: TrainingRun, start: int, end: int) -> None:
    if end > start:
        save_checkpoint(run.accelerator, run.model, run.folder.work_dir, end, run.identity)
    if end == run.total_steps and run.accelerator.is_main_process:
        run.accelerator.unwrap_model(run.model).save_pretrained(run.folder.component_dir)
    run.accelerator.wait_for_everyone()
