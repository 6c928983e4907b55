"""VQGAN training on a prepared dataset with Accelerate (CPU, one GPU, many GPUs / machines).

Per step: generator loss = L1 + L2 (+ perceptual) + codebook/commitment (+ adaptive-weighted hinge GAN
loss once step >= disc_start); then the PatchGAN discriminator's hinge loss. Every `restart_every`
steps, codes unused since the last restart are re-seeded from current encoder outputs.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from accelerate.utils import broadcast
from torch.func import functional_call
from torch.utils.data import DataLoader

from text2montage.checkpoint import (
    EpochSampler,
    ScalarLogger,
    iterate_from,
    load_checkpoint,
    save_checkpoint,
    seed_everything,
)
from text2montage.data.store import load_split
from text2montage.metrics.image import code_perplexity, code_usage
from text2montage.vqgan.config import Preset, TrainConfig, get_preset
from text2montage.vqgan.data import ImageArrayDataset, save_png, side_by_side_grid, to_uint8
from text2montage.vqgan.losses import TrainingParts, VGGPerceptualLoss, adaptive_gan_weight, hinge_d_loss
from text2montage.vqgan.model import VQGAN

FINAL_MODEL_DIR = "model"
LOSS_LOG = "losses.jsonl"
GRID_IMAGES = 8


@dataclass
class TrainOptions:
    data: Path
    out: Path
    preset: str = "default"
    steps: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    disc_start: int | None = None
    resume: bool = False
    mixed_precision: str = "no"
    grad_accum: int = 1
    seed: int = 0
    perceptual_weights: Path | None = None
    stop_at: int | None = None  # end this run after this step (checkpointed), as if interrupted
    show_progress: bool = True


@dataclass
class Trainer:
    accelerator: Accelerator
    recipe: TrainConfig
    model: Any  # VQGAN, possibly DDP-wrapped
    parts: Any  # TrainingParts, possibly DDP-wrapped
    opt_g: Any
    opt_d: Any
    scheduler: Any
    loader: DataLoader
    perceptual: VGGPerceptualLoss | None
    seed: int
    grid_images: torch.Tensor  # (n, 1, S, S) fixed images for reconstruction grids


def resolve_recipe(preset: Preset, options: TrainOptions) -> TrainConfig:
    overrides = {"steps": options.steps, "batch_size": options.batch_size, "lr": options.lr,
                 "disc_start": options.disc_start}
    recipe = replace(preset.train, **{k: v for k, v in overrides.items() if v is not None})
    if options.lr is not None:
        recipe = replace(recipe, disc_lr=options.lr)
    if options.perceptual_weights is not None and recipe.perceptual_weight == 0:
        recipe = replace(recipe, perceptual_weight=0.1)
    if recipe.steps < 1 or recipe.batch_size < 1 or recipe.lr <= 0:
        raise ValueError("steps, batch size and learning rate must be positive")
    return recipe


def lr_lambda(recipe: TrainConfig):
    """Linear warm-up, then cosine decay to min_lr_ratio at the last step."""

    def factor(step: int) -> float:
        if step < recipe.warmup_steps:
            return (step + 1) / recipe.warmup_steps
        progress = min(1.0, (step - recipe.warmup_steps) / max(1, recipe.steps - recipe.warmup_steps))
        return recipe.min_lr_ratio + (1 - recipe.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def build_trainer(options: TrainOptions) -> Trainer:
    preset = get_preset(options.preset)
    recipe = resolve_recipe(preset, options)
    accelerator = Accelerator(
        mixed_precision=options.mixed_precision,
        gradient_accumulation_steps=options.grad_accum,
        step_scheduler_with_optimizer=False,
    )
    seed_everything(options.seed)
    size = preset.model.image_size
    train_split = load_split(options.data, "train")
    if len(train_split) < recipe.batch_size:
        n = len(train_split)
        raise ValueError(f"the train split has {n} images, fewer than one batch ({recipe.batch_size})")
    dataset = ImageArrayDataset(train_split.images, size)
    sampler = EpochSampler(len(dataset), options.seed)
    loader = DataLoader(dataset, batch_size=recipe.batch_size, sampler=sampler, drop_last=True)
    model = VQGAN(preset.model)
    parts = TrainingParts(preset.model.codebook_size, recipe.disc_channels, recipe.disc_layers)
    opt_g = torch.optim.Adam(model.parameters(), lr=recipe.lr, betas=recipe.adam_betas)
    opt_d = torch.optim.Adam(parts.parameters(), lr=recipe.disc_lr, betas=recipe.adam_betas)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt_g, lr_lambda(recipe))
    model, parts, opt_g, opt_d, scheduler, loader = accelerator.prepare(
        model, parts, opt_g, opt_d, scheduler, loader
    )
    perceptual = None
    if options.perceptual_weights is not None:
        perceptual = VGGPerceptualLoss(Path(options.perceptual_weights)).to(accelerator.device)
    grid = _grid_images(options.data, size).to(accelerator.device)
    return Trainer(accelerator, recipe, model, parts, opt_g, opt_d, scheduler, loader, perceptual,
                   options.seed, grid)


def _grid_images(data: Path, size: int) -> torch.Tensor:
    """The first few validation images (train when there is no val split): (n, 1, S, S)."""
    try:
        split = load_split(data, "val")
    except ValueError:
        split = load_split(data, "train")
    dataset = ImageArrayDataset(split.images, size)
    n = min(GRID_IMAGES, len(dataset))
    if n == 0:
        return torch.zeros(0, 1, size, size)
    return torch.stack([dataset[i] for i in range(n)])  # (n, 1, S, S)


def generator_loss(t: Trainer, images: torch.Tensor, step: int) -> tuple[torch.Tensor, dict, Any]:
    out = t.model(images)
    r = t.recipe
    l1 = F.l1_loss(out.reconstruction, images)
    l2 = F.mse_loss(out.reconstruction, images)
    rec = r.l1_weight * l1 + r.l2_weight * l2
    logs = {"loss/l1": l1, "loss/l2": l2, "loss/vq": out.vq_loss}
    if t.perceptual is not None:
        perceptual = t.perceptual(out.reconstruction, images)
        rec = rec + r.perceptual_weight * perceptual
        logs["loss/perceptual"] = perceptual
    total = rec + out.vq_loss
    if step >= r.disc_start:
        disc = t.accelerator.unwrap_model(t.parts)
        frozen = {k: v.detach() for k, v in disc.named_parameters()}
        logits_fake = functional_call(disc, frozen, (out.reconstruction,))  # (B, 1, P, P)
        g_adv = -logits_fake.mean()
        weight = adaptive_gan_weight(rec, g_adv, t.accelerator.unwrap_model(t.model).last_layer)
        total = total + r.disc_weight * weight * g_adv
        logs.update({"loss/g_adv": g_adv, "loss/gan_weight": weight})
    logs["loss/total"] = total
    return total, logs, out


def discriminator_loss(t: Trainer, images: torch.Tensor, fakes: torch.Tensor) -> torch.Tensor:
    return hinge_d_loss(t.parts(images), t.parts(fakes.detach()))


def count_codes(t: Trainer, codes: torch.Tensor) -> None:
    """Add this batch's code histogram (summed over processes) to the usage counts."""
    parts = t.accelerator.unwrap_model(t.parts)
    hist = torch.bincount(codes.flatten(), minlength=parts.code_counts.numel()).float()  # (K,)
    parts.code_counts += t.accelerator.reduce(hist, reduction="sum")


@torch.no_grad()
def restart_dead_codes(t: Trainer, latents: torch.Tensor, step: int) -> int:
    """Re-seed codes used fewer than restart_min_uses times since the last restart; returns how many."""
    parts = t.accelerator.unwrap_model(t.parts)
    codebook = t.accelerator.unwrap_model(t.model).codebook.weight  # (K, D)
    dead = parts.code_counts < t.recipe.restart_min_uses  # (K,)
    n_dead = int(dead.sum())
    if n_dead:
        pool = latents.detach().float().permute(0, 2, 3, 1).reshape(-1, codebook.shape[1])  # (B*G*G, D)
        generator = torch.Generator().manual_seed(t.seed * 1_000_003 + step)
        picks = torch.randint(len(pool), (n_dead,), generator=generator).to(pool.device)
        noise = torch.randn(n_dead, codebook.shape[1], generator=generator).to(pool.device) * 1e-3
        codebook[dead] = (pool[picks] + noise).to(codebook.dtype)
        codebook.copy_(broadcast(codebook.data.clone(), from_process=0))
    parts.code_counts.zero_()
    return n_dead


def train_step(t: Trainer, images: torch.Tensor, step: int) -> tuple[dict[str, float], torch.Tensor]:
    """One micro-batch; optimizers step when the accumulation boundary is reached."""
    with t.accelerator.accumulate(t.model, t.parts):
        total, logs, out = generator_loss(t, images, step)
        t.accelerator.backward(total)
        t.opt_g.step()
        if t.accelerator.sync_gradients:
            t.scheduler.step()
        t.opt_g.zero_grad(set_to_none=True)
        count_codes(t, out.codes)
        if step >= t.recipe.disc_start:
            d_loss = discriminator_loss(t, images, out.reconstruction)
            t.accelerator.backward(d_loss)
            t.opt_d.step()
            t.opt_d.zero_grad(set_to_none=True)
            logs["loss/disc"] = d_loss
    return {k: float(v.detach()) for k, v in logs.items()}, out.latents


def write_grid(t: Trainer, out_dir: Path, step: int, logger: ScalarLogger) -> None:
    if not t.accelerator.is_main_process or len(t.grid_images) == 0:
        return
    model = t.accelerator.unwrap_model(t.model)
    model.eval()
    with torch.no_grad():
        recon = model(t.grid_images).reconstruction  # (n, 1, S, S)
    model.train()
    grid = side_by_side_grid(to_uint8(t.grid_images), to_uint8(recon))
    save_png(out_dir / "samples" / f"step_{step:07d}.png", grid)
    logger.image("reconstructions", grid, step)


def append_losses(out_dir: Path, step: int, logs: dict[str, float]) -> None:
    with (out_dir / LOSS_LOG).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"step": step, **logs}) + "\n")


def _restore(t: Trainer, options: TrainOptions) -> int:
    if not options.resume:
        if (Path(options.out) / "checkpoint").exists():
            raise FileExistsError(f"{options.out} holds a checkpoint already; pass --resume or a new --out")
        return 0
    state = load_checkpoint(t.accelerator, Path(options.out))
    if state is None:
        return 0
    if state.get("preset") != options.preset:
        raise ValueError(f"the checkpoint in {options.out} was trained with preset {state.get('preset')!r}")
    _truncate_loss_log(Path(options.out), state["step"])
    return int(state["step"])


def _truncate_loss_log(out_dir: Path, step: int) -> None:
    """Drop loss lines written after the checkpoint, so the log reads as one uninterrupted run."""
    path = out_dir / LOSS_LOG
    if path.is_file():
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if json.loads(ln)["step"] < step]
        path.write_text("".join(ln + "\n" for ln in lines), encoding="utf-8")


def train_vqgan(options: TrainOptions) -> list[dict[str, float]]:
    """Train (or resume) and return this run's per-step logs; the final model lands in OUT/model/."""
    out_dir = Path(options.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    t = build_trainer(options)
    start = _restore(t, options)
    end = min(t.recipe.steps, options.stop_at) if options.stop_at is not None else t.recipe.steps
    logger = ScalarLogger(t.accelerator, out_dir / "tensorboard")
    history = _run_loop(t, options, start, end, logger)
    logger.close()
    if end >= t.recipe.steps and t.accelerator.is_main_process:
        t.accelerator.unwrap_model(t.model).save_pretrained(out_dir / FINAL_MODEL_DIR)
    t.accelerator.wait_for_everyone()
    return history


def _run_loop(t: Trainer, options: TrainOptions, start: int, end: int, logger: ScalarLogger) -> list[dict]:
    out_dir, r, acc = Path(options.out), t.recipe, t.accelerator
    batches = iterate_from(acc, t.loader, start * options.grad_accum)
    history: list[dict[str, float]] = []
    progress = _Progress(options.show_progress and acc.is_main_process, start, end)
    step, started = start, time.perf_counter()
    t.model.train()
    while step < end:
        for _ in range(options.grad_accum):
            logs, latents = train_step(t, next(batches), step)
        step += 1
        if step % r.restart_every == 0:
            logs["codes/usage_window"] = code_usage(acc.unwrap_model(t.parts).code_counts)
            logs["codes/perplexity_window"] = code_perplexity(acc.unwrap_model(t.parts).code_counts)
            logs["codes/restarted"] = restart_dead_codes(t, latents, step)
        logs["lr"] = t.scheduler.get_last_lr()[0]
        history.append(logs)
        _periodic(t, options, step, logs, logger, (step - start) / (time.perf_counter() - started))
        progress.update(step, logs)
    progress.close()
    if step % r.checkpoint_every:
        save_checkpoint(acc, t.model, out_dir, step, _extra(options))
    return history


def _periodic(
    t: Trainer, options: TrainOptions, step: int, logs: dict, logger: ScalarLogger, rate: float
) -> None:
    out_dir, r = Path(options.out), t.recipe
    if t.accelerator.is_main_process:
        append_losses(out_dir, step - 1, logs)
    if step % r.log_every == 0:
        logger.scalars({**logs, "speed/steps_per_s": rate}, step)
    if step % r.image_every == 0 or step == r.steps:
        write_grid(t, out_dir, step, logger)
    if step % r.checkpoint_every == 0:
        save_checkpoint(t.accelerator, t.model, out_dir, step, _extra(options))


def _extra(options: TrainOptions) -> dict[str, Any]:
    return {"preset": options.preset, "seed": options.seed, "grad_accum": options.grad_accum}


class _Progress:
    """A rich progress bar with the latest losses and steps/s (silent when disabled)."""

    def __init__(self, enabled: bool, start: int, end: int) -> None:
        self._bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("vqgan"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]:.2f} step/s"), TimeRemainingColumn(),
                                 TextColumn("{task.fields[losses]}"))
            self._bar.start()
            self._task = self._bar.add_task("train", total=end, completed=start, rate=0.0, losses="")
            self._start, self._t0 = start, time.perf_counter()

    def update(self, step: int, logs: dict[str, float]) -> None:
        if self._bar is None:
            return
        rate = (step - self._start) / max(1e-9, time.perf_counter() - self._t0)
        keys = ("loss/l1", "loss/vq", "loss/g_adv", "loss/disc")
        losses = " ".join(f"{k.split('/')[1]}={logs[k]:.4f}" for k in keys if k in logs)
        self._bar.update(self._task, completed=step, rate=rate, losses=losses)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
