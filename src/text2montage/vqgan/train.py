"""VQGAN training on a prepared dataset, on the shared scaffold (text2montage.training).

Per step: generator loss = L1 + L2 (+ perceptual) + codebook/commitment (+ adaptive-weighted hinge GAN
loss once step >= disc_start); then the PatchGAN discriminator's hinge loss. Every `restart_every`
steps, codes unused since the last restart are re-seeded from current encoder outputs.

Writes OUT/vqgan/ (the model, as a pipeline folder holds it) and OUT/training/vqgan/ (checkpoint, logs,
reconstruction grids in samples/); see text2montage.training.run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from accelerate.utils import broadcast
from torch.func import functional_call
from torch.utils.data import DataLoader

from text2montage.checkpoint import EpochSampler, iterate_from
from text2montage.data.store import PreparedDataError, load_split
from text2montage.errors import DataError, OptionError
from text2montage.metrics.image import code_perplexity, code_usage
from text2montage.training.loop import (
    AfterStep,
    RunLogger,
    RunResult,
    TrainingRun,
    open_run,
    restore,
    train_steps,
    warmup_cosine_schedule,
    write_run_config,
)
from text2montage.training.run import RunOptions
from text2montage.vqgan.codes import COMPONENT
from text2montage.vqgan.config import PRESETS, TrainConfig, get_preset
from text2montage.vqgan.data import ImageArrayDataset, save_png, side_by_side_grid, to_uint8
from text2montage.vqgan.losses import TrainingParts, VGGPerceptualLoss, adaptive_gan_weight, hinge_d_loss
from text2montage.vqgan.model import VQGAN

GRID_IMAGES = 8
PERCEPTUAL_WEIGHT = 0.1  # used when perceptual weights are given and the recipe has none
PROGRESS_KEYS = ("loss/l1", "loss/vq", "loss/g_adv", "loss/disc")


@dataclass
class TrainInputs:
    data: Path  # prepared dataset folder (text2montage data prepare)
    preset: str  # tiny | default | large: the network, and the recipe preset_recipe starts from
    perceptual_weights: Path | None = None  # VGG16 features (safetensors) on disk: adds a perceptual loss

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise OptionError(f"unknown VQGAN preset {self.preset!r}; choose one of {', '.join(PRESETS)}")


def preset_recipe(
    preset: str,
    steps: int | None = None,
    batch_size: int | None = None,
    lr: float | None = None,
    disc_start: int | None = None,
) -> TrainConfig:
    """The preset's training recipe with these fields replaced (None keeps the preset's; lr sets both
    the generator's and the discriminator's)."""
    if preset not in PRESETS:
        raise OptionError(f"unknown VQGAN preset {preset!r}; choose one of {', '.join(PRESETS)}")
    overrides = {"steps": steps, "batch_size": batch_size, "lr": lr, "disc_lr": lr, "disc_start": disc_start}
    recipe = replace(get_preset(preset).train, **{k: v for k, v in overrides.items() if v is not None})
    if recipe.steps < 1 or recipe.batch_size < 1 or recipe.lr <= 0:
        raise OptionError("steps, batch size and learning rate must be positive")
    return recipe


@dataclass
class Trainer:
    """What a VQGAN step needs; the models, optimizers, scheduler and loader are prepared."""

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


def build_trainer(
    inputs: TrainInputs, recipe: TrainConfig, options: RunOptions, accelerator: Accelerator
) -> Trainer:
    if inputs.perceptual_weights is not None and recipe.perceptual_weight == 0:
        recipe = replace(recipe, perceptual_weight=PERCEPTUAL_WEIGHT)
    size = get_preset(inputs.preset).model.image_size
    loader = _train_loader(inputs.data, size, recipe.batch_size, options.seed)
    model = VQGAN(get_preset(inputs.preset).model)
    parts = TrainingParts(model.config.codebook_size, recipe.disc_channels, recipe.disc_layers)
    opt_g = torch.optim.Adam(model.parameters(), lr=recipe.lr, betas=recipe.adam_betas)
    opt_d = torch.optim.Adam(parts.parameters(), lr=recipe.disc_lr, betas=recipe.adam_betas)
    scheduler = warmup_cosine_schedule(opt_g, recipe.warmup_steps, recipe.steps, recipe.min_lr_ratio)
    model, parts, opt_g, opt_d, scheduler, loader = accelerator.prepare(
        model, parts, opt_g, opt_d, scheduler, loader
    )
    perceptual = None
    if inputs.perceptual_weights is not None:
        perceptual = VGGPerceptualLoss(Path(inputs.perceptual_weights)).to(accelerator.device)
    grid = _grid_images(inputs.data, size).to(accelerator.device)
    return Trainer(accelerator, recipe, model, parts, opt_g, opt_d, scheduler, loader, perceptual,
                   options.seed, grid)


def _train_loader(data: Path, size: int, batch_size: int, seed: int) -> DataLoader:
    images = load_split(data, "train").images
    if len(images) < batch_size:
        n = len(images)
        raise DataError(f"the train split of {data} has {n} images, fewer than one batch ({batch_size})")
    dataset = ImageArrayDataset(images, size)
    sampler = EpochSampler(len(dataset), seed)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=True)


def _grid_images(data: Path, size: int) -> torch.Tensor:
    """The first few validation images (train when there is no val split): (n, 1, S, S)."""
    try:
        split = load_split(data, "val")
    except PreparedDataError:
        split = load_split(data, "train")
    dataset = ImageArrayDataset(split.images, size)
    n = min(GRID_IMAGES, len(dataset))
    if n == 0:
        return torch.zeros(0, 1, size, size)
    return torch.stack([dataset[i] for i in range(n)])  # (n, 1, S, S)


# --------------------------------------------------------------------------------------------------
# one step
# --------------------------------------------------------------------------------------------------
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


def take_step(t: Trainer, batches: Iterator[Any], grad_accum: int, index: int) -> dict[str, float]:
    """Optimizer step `index` (0-based) over grad_accum micro-batches; dead codes restart on schedule."""
    for _ in range(grad_accum):
        logs, latents = train_step(t, next(batches), index)
    done = index + 1
    if done % t.recipe.restart_every == 0:
        counts = t.accelerator.unwrap_model(t.parts).code_counts
        logs["codes/usage_window"] = code_usage(counts)
        logs["codes/perplexity_window"] = code_perplexity(counts)
        logs["codes/restarted"] = restart_dead_codes(t, latents, done)
    return logs


def write_grid(t: Trainer, samples_dir: Path, step: int, logger: RunLogger) -> None:
    """Originals beside reconstructions: samples/step_XXXXXXX.png and a TensorBoard image."""
    if not t.accelerator.is_main_process or len(t.grid_images) == 0:
        return
    model = t.accelerator.unwrap_model(t.model)
    model.eval()
    with torch.no_grad():
        recon = model(t.grid_images).reconstruction  # (n, 1, S, S)
    model.train()
    grid = side_by_side_grid(to_uint8(t.grid_images), to_uint8(recon))
    save_png(samples_dir / f"step_{step:07d}.png", grid)
    logger.image("reconstructions", grid, step)


def _grids_on_schedule(t: Trainer, samples_dir: Path) -> AfterStep:
    def after_step(done: int, logger: RunLogger) -> dict[str, float]:
        if done % t.recipe.image_every == 0 or done == t.recipe.steps:
            write_grid(t, samples_dir, done, logger)
        return {}

    return after_step


# --------------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------------
def train_vqgan(inputs: TrainInputs, recipe: TrainConfig, options: RunOptions) -> RunResult:
    """Train (or resume) to recipe.steps; the model lands in OUT/vqgan/ after the last step."""
    folder, _, accelerator = open_run(options, COMPONENT)
    t = build_trainer(inputs, recipe, options, accelerator)
    r = t.recipe
    run = TrainingRun(t.accelerator, folder, options, t.model, t.scheduler, r.steps, r.log_every,
                      r.checkpoint_every, {"preset": inputs.preset}, PROGRESS_KEYS)
    start = restore(run)
    write_run_config(t.accelerator, folder, {"inputs": asdict(inputs), "recipe": asdict(r),
                                             "options": asdict(options)})
    batches = iterate_from(t.accelerator, t.loader, start * options.grad_accum)
    t.model.train()
    step = functools.partial(take_step, t, batches, options.grad_accum)
    return train_steps(run, start, step, _grids_on_schedule(t, folder.samples_dir))
