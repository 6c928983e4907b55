"""Training the KoDalle on pre-extracted codes with Accelerate (one process, or DDP across several).

OUT/ after a run:
  checkpoint/   atomic, resumable (text2montage.checkpoint); config.json + model.safetensors inside
  dalle/        the final model (config.json + model.safetensors)
  tokenizer/    the caption tokenizer the model was trained with
  logs/         TensorBoard: loss, lr, val_loss
  samples/      step_XXXXXXX.json (captions + code grids), .png when a VQGAN is given
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader

from text2montage.checkpoint import (
    EpochSampler,
    ScalarLogger,
    find_checkpoint,
    iterate_from,
    load_checkpoint,
    save_checkpoint,
    seed_everything,
)
from text2montage.dalle.captions import (
    CaptionEncoder,
    CaptionOptions,
    caption_length_stats,
    fit_sentences,
    record_sections,
)
from text2montage.dalle.config import DalleConfig, preset_config
from text2montage.dalle.data import (
    CodeCaptionDataset,
    CodesDataError,
    codebook_size_of,
    infer_grid,
    open_split,
)
from text2montage.dalle.model import KoDalle
from text2montage.dalle.sampling import SamplingConfig, generate
from text2montage.dalle.text_init import (
    adapt_config,
    check_tokenizer_fits,
    copy_text_embeddings,
    load_text_embeddings,
)
from text2montage.data.store import RECORDS_FILE, SPLITS
from text2montage.text.tokenizer import load_text_tokenizer

MODEL_DIR, TOKENIZER_DIR, SAMPLES_DIR, LOGS_DIR = "dalle", "tokenizer", "samples", "logs"
SAMPLE_CAPTIONS = 4


@dataclass
class TrainConfig:
    steps: int = 20_000
    batch_size: int = 16
    grad_accum: int = 1
    lr: float = 3e-4
    warmup_steps: int = 200
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    caption_dropout: float = 0.1
    seed: int = 0
    log_every: int = 20
    checkpoint_every: int = 500
    sample_every: int = 1000
    eval_every: int = 500
    eval_batches: int = 8
    num_workers: int = 0
    mixed_precision: str = "no"
    stop_at: int | None = None  # stop (with a checkpoint) at this step, e.g. to train in chunks; resume later

    def __post_init__(self) -> None:
        for name in (
            "steps",
            "batch_size",
            "grad_accum",
            "log_every",
            "checkpoint_every",
            "sample_every",
            "eval_every",
            "eval_batches",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.stop_at is not None and self.stop_at < 1:
            raise ValueError(f"stop_at must be >= 1, got {self.stop_at}")
        if self.mixed_precision not in ("no", "fp16", "bf16"):
            raise ValueError(f"mixed_precision must be no, fp16 or bf16, got {self.mixed_precision!r}")


@dataclass
class TrainInputs:
    codes_dir: Path
    prepared_dir: Path
    tokenizer: str
    out_dir: Path
    preset: str = "default"
    text_encoder: str | None = None
    freeze_text_embeddings: bool = False
    vqgan: Path | None = None
    model_overrides: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# model and data
# --------------------------------------------------------------------------------------------------
def build_model(inputs: TrainInputs, tokenizer_size: int, pad_id: int) -> KoDalle:
    """The model to train: from the run's checkpoint config when resuming, else preset + data + encoder."""
    checkpoint = find_checkpoint(inputs.out_dir)
    if checkpoint is not None:
        return KoDalle(DalleConfig.load(checkpoint))  # weights come from load_checkpoint
    grid, max_code = infer_grid(inputs.codes_dir)
    codebook = codebook_size_of(inputs.codes_dir) or max(max_code, preset_config(inputs.preset).codebook_size)
    if max_code > codebook:
        raise CodesDataError(f"codes reach {max_code - 1} but the VQGAN codebook has {codebook} entries")
    overrides = {
        "grid_size": grid,
        "codebook_size": codebook,
        "text_vocab_size": tokenizer_size,
        "text_pad_id": pad_id,
        **inputs.model_overrides,
    }
    config = preset_config(inputs.preset, **overrides)
    if inputs.text_encoder is None:
        config.freeze_text_embeddings = inputs.freeze_text_embeddings
        return KoDalle(config)
    embeddings = load_text_embeddings(inputs.text_encoder)
    check_tokenizer_fits(tokenizer_size, embeddings)
    model = KoDalle(adapt_config(config, embeddings, pad_id))
    copy_text_embeddings(model, embeddings)
    model.set_text_embeddings_frozen(inputs.freeze_text_embeddings)
    return model


def optimizer_for(model: KoDalle, config: TrainConfig) -> torch.optim.Optimizer:
    """Fused AdamW; weight decay on 2-D weights (matrices, embedding tables), none on norms and biases."""
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    fused = all(p.device.type in ("cpu", "cuda") for p in params)  # one kernel instead of ~10 passes
    return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.95), fused=fused)


def lr_factor(step: int, config: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to min_lr_ratio."""
    if step < config.warmup_steps:
        return (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps))
    return config.min_lr_ratio + (1 - config.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def _has_split(inputs: TrainInputs, split: str) -> bool:
    return (inputs.codes_dir / f"{split}.npy").is_file() and (
        inputs.prepared_dir / split / RECORDS_FILE
    ).is_file()


def open_datasets(
    inputs: TrainInputs, encoder: CaptionEncoder, model_config: DalleConfig, config: TrainConfig
) -> tuple[CodeCaptionDataset, CodeCaptionDataset | None]:
    def one(split: str, dropout: float) -> CodeCaptionDataset:
        options = CaptionOptions(dropout=dropout)
        return open_split(
            inputs.codes_dir,
            inputs.prepared_dir,
            split,
            encoder,
            options,
            model_config.grid_size,
            model_config.codebook_size,
            config.seed,
        )

    held_out = next((s for s in SPLITS[1:] if _has_split(inputs, s)), None)
    return one("train", config.caption_dropout), one(held_out, 0.0) if held_out else None


# --------------------------------------------------------------------------------------------------
# the loop
# --------------------------------------------------------------------------------------------------
@dataclass
class _Run:
    accelerator: Accelerator
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    batches: Iterator[Any]
    config: TrainConfig


def train_step(run: _Run) -> torch.Tensor:
    """One optimizer step over grad_accum micro-batches -> the mean loss (a detached scalar)."""
    total = torch.zeros(())
    for _ in range(run.config.grad_accum):
        text_ids, codes = next(run.batches)  # (B, T), (B, N)
        with run.accelerator.accumulate(run.model):
            loss = run.model(text_ids, codes)
            run.accelerator.backward(loss)
            if run.accelerator.sync_gradients:
                run.accelerator.clip_grad_norm_(run.model.parameters(), run.config.grad_clip)
            run.optimizer.step()
            if run.accelerator.sync_gradients:
                run.scheduler.step()
            run.optimizer.zero_grad(set_to_none=True)
        total += loss.detach().float().cpu()
    return total / run.config.grad_accum


@dataclass
class TrainResult:
    summary: dict[str, Any]  # start_step, step, loss, val_loss
    model: KoDalle  # this process's trained model (unwrapped)


def train_dalle(inputs: TrainInputs, config: TrainConfig, show_progress: bool = True) -> TrainResult:
    """Train (or resume) to config.steps; every process returns its model and the run summary."""
    accelerator = Accelerator(
        gradient_accumulation_steps=config.grad_accum, mixed_precision=config.mixed_precision
    )
    seed_everything(config.seed)
    tokenizer = load_text_tokenizer(inputs.tokenizer)
    encoder = CaptionEncoder(tokenizer, 1)
    model = build_model(inputs, len(tokenizer), encoder.pad_id)
    encoder = CaptionEncoder(tokenizer, model.config.text_len)
    if inputs.vqgan is not None:
        check_vqgan(inputs.vqgan, model.config.grid_size)
    train_set, val_set = open_datasets(inputs, encoder, model.config, config)
    loader = DataLoader(
        train_set,
        batch_size=config.batch_size,
        sampler=EpochSampler(len(train_set), config.seed),
        drop_last=True,
        num_workers=config.num_workers,
        collate_fn=train_set.collate,
    )
    optimizer = optimizer_for(model, config)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, config))
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    accelerator.register_for_checkpointing(scheduler)
    state = load_checkpoint(accelerator, inputs.out_dir) or {"step": 0}
    _write_run_files(accelerator, inputs, config, tokenizer, caption_length_stats(train_set.records, encoder))
    batches = iterate_from(accelerator, loader, state["step"] * config.grad_accum)
    run = _Run(accelerator, model, optimizer, scheduler, batches, config)
    summary = _loop(run, inputs, val_set, val_set or train_set, int(state["step"]), show_progress)
    if summary["step"] > int(state["step"]):
        save_checkpoint(accelerator, model, inputs.out_dir, summary["step"])
    if accelerator.is_main_process and summary["step"] == config.steps:
        accelerator.unwrap_model(model).save_pretrained(inputs.out_dir / MODEL_DIR)
    accelerator.wait_for_everyone()
    return TrainResult(summary=summary, model=accelerator.unwrap_model(model))


def _loop(
    run: _Run,
    inputs: TrainInputs,
    val_set: CodeCaptionDataset | None,
    sample_set: CodeCaptionDataset,
    start: int,
    show_progress: bool,
) -> dict[str, Any]:
    config, accelerator = run.config, run.accelerator
    logger = ScalarLogger(accelerator, inputs.out_dir / LOGS_DIR)
    summary: dict[str, Any] = {"start_step": start, "step": start}
    last = min(config.steps, config.stop_at or config.steps)
    with _progress(accelerator.is_main_process and show_progress, config.steps, start) as advance:
        for step in range(start + 1, last + 1):
            loss = train_step(run)
            if step % config.log_every == 0 or step == last:
                mean_loss = float(accelerator.reduce(loss.to(accelerator.device), reduction="mean"))
                logger.scalars({"train/loss": mean_loss, "train/lr": run.scheduler.get_last_lr()[0]}, step)
                summary.update(step=step, loss=mean_loss)
            if val_set is not None and (step % config.eval_every == 0 or step == config.steps):
                summary["val_loss"] = _evaluate_and_log(run, val_set, logger, step)
            if step % config.sample_every == 0 or step == config.steps:
                _save_samples(run, inputs, sample_set, step)
            if step % config.checkpoint_every == 0 and step != last:
                save_checkpoint(accelerator, run.model, inputs.out_dir, step)
            summary["step"] = step
            advance(f"loss {float(loss):.3f}")
    logger.close()
    return summary


def _evaluate_and_log(
    run: _Run, val_set: CodeCaptionDataset, logger: ScalarLogger, step: int
) -> float | None:
    value = None
    if run.accelerator.is_main_process:
        value = held_out_loss(run.accelerator.unwrap_model(run.model), val_set, run.config)
        logger.scalars({"val/image_code_ce": value}, step)
    run.accelerator.wait_for_everyone()
    return value


@torch.no_grad()
def held_out_loss(model: KoDalle, dataset: CodeCaptionDataset, config: TrainConfig) -> float:
    """Mean image-code cross-entropy over up to eval_batches batches (deterministic captions)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    loader = DataLoader(dataset, batch_size=config.batch_size, shuffle=False, collate_fn=dataset.collate)
    losses = []
    for batch_index, (text_ids, codes) in enumerate(loader):
        if batch_index >= config.eval_batches:
            break
        losses.append(float(model.loss(text_ids.to(device), codes.to(device))) * len(codes))
    model.train(was_training)
    return sum(losses) / max(1, min(len(dataset), config.eval_batches * config.batch_size))


# --------------------------------------------------------------------------------------------------
# files around the run
# --------------------------------------------------------------------------------------------------
def _write_run_files(
    accelerator: Accelerator,
    inputs: TrainInputs,
    config: TrainConfig,
    tokenizer: Any,
    lengths: dict[str, float],
) -> None:
    """train_config.json (options, inputs, measured caption token lengths) and the tokenizer."""
    if accelerator.is_main_process:
        inputs.out_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.save_pretrained(str(inputs.out_dir / TOKENIZER_DIR))
        run_info = {
            "train": asdict(config),
            "inputs": {k: str(v) for k, v in asdict(inputs).items()},
            "full_description_tokens": lengths,
        }
        (inputs.out_dir / "train_config.json").write_text(json.dumps(run_info, indent=1, ensure_ascii=False))
    accelerator.wait_for_everyone()


def sample_captions(dataset: CodeCaptionDataset, count: int = SAMPLE_CAPTIONS) -> list[str]:
    """Full descriptions (all sections that fit) of the first records: fixed across the run."""
    records = dataset.records[:count]
    return [fit_sentences(record_sections(r), dataset.encoder.fits) for r in records]


def _save_samples(run: _Run, inputs: TrainInputs, dataset: CodeCaptionDataset, step: int) -> None:
    if run.accelerator.is_main_process:
        write_samples(run.accelerator.unwrap_model(run.model), dataset, inputs, step)
    run.accelerator.wait_for_everyone()


def write_samples(model: KoDalle, dataset: CodeCaptionDataset, inputs: TrainInputs, step: int) -> Path:
    """Draw one grid per sample caption; write samples/step_XXXXXXX.json (+ .png with a VQGAN)."""
    captions = sample_captions(dataset)
    was_training = model.training
    model.eval()
    text_ids = dataset.encoder.encode(captions).to(next(model.parameters()).device)  # (C, T)
    codes = generate(model, text_ids, 1, SamplingConfig(seed=step, guidance_scale=3.0))  # (C, N)
    model.train(was_training)
    grid = model.config.grid_size
    grids = codes.cpu().numpy().reshape(-1, grid, grid)  # (C, G, G)
    path = inputs.out_dir / SAMPLES_DIR / f"step_{step:07d}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"step": step, "captions": captions, "codes": grids.tolist()}, ensure_ascii=False)
    )
    if inputs.vqgan is not None:
        decode_to_png(inputs.vqgan, grids, path.with_suffix(".png"))
    return path


def check_vqgan(vqgan_dir: Path, grid_size: int) -> None:
    """Fail before training, not at the first sample, when the VQGAN cannot decode these grids."""
    from text2montage.vqgan.codes import load_model

    vqgan = load_model(vqgan_dir)
    if vqgan.config.grid_size != grid_size:
        raise ValueError(
            f"{vqgan_dir} decodes {vqgan.config.grid_size}x{vqgan.config.grid_size} grids, "
            f"but the codes are {grid_size}x{grid_size}"
        )


def decode_to_png(vqgan_dir: Path, grids: np.ndarray, path: Path) -> None:
    """Decode (C, G, G) codes with a VQGAN folder and save them side by side."""
    from text2montage.vqgan.codes import decode_codes, load_model
    from text2montage.vqgan.data import save_png

    images = decode_codes(load_model(vqgan_dir), grids)  # (C, S, S) uint8
    save_png(path, np.concatenate(list(images), axis=1))


class _progress:
    """A rich progress bar on the main process; a no-op elsewhere. Yields advance(description)."""

    def __init__(self, enabled: bool, total: int, completed: int) -> None:
        self.enabled, self.total, self.completed = enabled, total, completed

    def __enter__(self):  # noqa: ANN204 - returns the advance callable
        if not self.enabled:
            return lambda description: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("dalle"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
        )
        self._bar.start()
        task = self._bar.add_task("", total=self.total, completed=self.completed)
        return lambda description: self._bar.update(task, advance=1, description=description)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._bar.stop()
