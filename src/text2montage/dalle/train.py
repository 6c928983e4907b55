"""Training the KoDALLE transformer on pre-extracted codes, on the shared scaffold (text2montage.training).

Writes OUT/dalle/ (the model) and OUT/tokenizer/ (the caption tokenizer it was trained with) as a pipeline
folder holds them, and OUT/training/dalle/: checkpoint/, logs/ (train/loss, lr, val/image_code_ce),
samples/step_XXXXXXX.json (captions + code grids; .png when a VQGAN is given), train_config.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader

from text2montage.checkpoint import EpochSampler, iterate_from, seed_everything
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
from text2montage.dalle.train_config import TrainConfig, TrainInputs
from text2montage.data.store import RECORDS_FILE, SPLITS
from text2montage.errors import OptionError
from text2montage.text.tokenizer import load_text_tokenizer
from text2montage.training.loop import (
    AfterStep,
    RunLogger,
    RunResult,
    TrainingRun,
    checkpoint_to_resume,
    make_accelerator,
    restore,
    train_steps,
    warmup_cosine_schedule,
    write_run_config,
)
from text2montage.training.run import RunFolder, RunOptions

COMPONENT, TOKENIZER_DIR = "dalle", "tokenizer"
SAMPLE_CAPTIONS = 4
SAMPLE_GUIDANCE = 3.0
PROGRESS_KEYS = ("train/loss",)


# --------------------------------------------------------------------------------------------------
# model and data
# --------------------------------------------------------------------------------------------------
def build_model(inputs: TrainInputs, checkpoint: Path | None, tokenizer_size: int, pad_id: int) -> KoDalle:
    """The model to train: from the checkpoint's config when resuming, else preset + data + encoder."""
    if checkpoint is not None:
        return KoDalle(DalleConfig.load(checkpoint))  # the weights come from restore
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


def _has_split(inputs: TrainInputs, split: str) -> bool:
    return (inputs.codes_dir / f"{split}.npy").is_file() and (
        inputs.prepared_dir / split / RECORDS_FILE
    ).is_file()


def open_datasets(
    inputs: TrainInputs, encoder: CaptionEncoder, model_config: DalleConfig, config: TrainConfig, seed: int
) -> tuple[CodeCaptionDataset, CodeCaptionDataset | None]:
    """The training split (captions with dropout) and the first held-out split there is (none: None)."""

    def one(split: str, dropout: float) -> CodeCaptionDataset:
        options = CaptionOptions(dropout=dropout)
        return open_split(inputs.codes_dir, inputs.prepared_dir, split, encoder, options,
                          model_config.grid_size, model_config.codebook_size, seed)  # fmt: skip

    held_out = next((s for s in SPLITS[1:] if _has_split(inputs, s)), None)
    return one("train", config.caption_dropout), one(held_out, 0.0) if held_out else None


# --------------------------------------------------------------------------------------------------
# one step, and what is evaluated and drawn along the way
# --------------------------------------------------------------------------------------------------
@dataclass
class Trainer:
    """What a transformer step needs; the model, optimizer and scheduler are prepared."""

    accelerator: Accelerator
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    batches: Iterator[Any]
    config: TrainConfig
    grad_accum: int


def take_step(t: Trainer, index: int) -> dict[str, float]:
    """One optimizer step over grad_accum micro-batches -> its mean loss."""
    total = 0.0
    for _ in range(t.grad_accum):
        text_ids, codes = next(t.batches)  # (B, L), (B, N)
        with t.accelerator.accumulate(t.model):
            loss = t.model(text_ids, codes)
            t.accelerator.backward(loss)
            if t.accelerator.sync_gradients:
                t.accelerator.clip_grad_norm_(t.model.parameters(), t.config.grad_clip)
            t.optimizer.step()
            if t.accelerator.sync_gradients:
                t.scheduler.step()
            t.optimizer.zero_grad(set_to_none=True)
        total += float(loss.detach())
    return {"train/loss": total / t.grad_accum}


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


def sample_captions(dataset: CodeCaptionDataset, count: int = SAMPLE_CAPTIONS) -> list[str]:
    """Full descriptions (all sections that fit) of the first records: fixed across the run."""
    records = dataset.records[:count]
    return [fit_sentences(record_sections(r), dataset.encoder.fits) for r in records]


def write_samples(
    model: KoDalle, dataset: CodeCaptionDataset, samples_dir: Path, vqgan: Path | None, step: int
) -> Path:
    """Draw one grid per sample caption; write step_XXXXXXX.json (+ .png with a VQGAN) in samples_dir."""
    captions = sample_captions(dataset)
    was_training = model.training
    model.eval()
    text_ids = dataset.encoder.encode(captions).to(next(model.parameters()).device)  # (C, L)
    codes = generate(model, text_ids, 1, SamplingConfig(seed=step, guidance_scale=SAMPLE_GUIDANCE))  # (C, N)
    model.train(was_training)
    grid = model.config.grid_size
    grids = codes.cpu().numpy().reshape(-1, grid, grid)  # (C, G, G)
    path = samples_dir / f"step_{step:07d}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"step": step, "captions": captions, "codes": grids.tolist()}, ensure_ascii=False)
    )
    if vqgan is not None:
        decode_to_png(vqgan, grids, path.with_suffix(".png"))
    return path


def _evaluate_and_draw(
    t: Trainer, inputs: TrainInputs, folder: RunFolder, val_set: CodeCaptionDataset | None,
    sample_set: CodeCaptionDataset,
) -> AfterStep:  # fmt: skip
    """Held-out loss every eval_every steps, samples every sample_every steps, both at the last step."""
    config, accelerator = t.config, t.accelerator

    def after_step(done: int, logger: RunLogger) -> dict[str, float]:
        last = done == config.steps
        values: dict[str, float] = {}
        if val_set is not None and (done % config.eval_every == 0 or last) and accelerator.is_main_process:
            values["val/image_code_ce"] = held_out_loss(accelerator.unwrap_model(t.model), val_set, config)
            logger.scalars(values, done)
        if (done % config.sample_every == 0 or last) and accelerator.is_main_process:
            model = accelerator.unwrap_model(t.model)
            write_samples(model, sample_set, folder.samples_dir, inputs.vqgan, done)
        accelerator.wait_for_everyone()
        return values

    return after_step


# --------------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------------
def train_dalle(inputs: TrainInputs, config: TrainConfig, options: RunOptions) -> RunResult:
    """Train (or resume) to config.steps; the model lands in OUT/dalle/ after the last step."""
    folder = RunFolder(options.out, COMPONENT)
    checkpoint = checkpoint_to_resume(folder, options.resume)
    accelerator = make_accelerator(options)
    seed_everything(options.seed)
    tokenizer = load_text_tokenizer(inputs.tokenizer)
    model = build_model(inputs, checkpoint, len(tokenizer), CaptionEncoder(tokenizer, 1).pad_id)
    encoder = CaptionEncoder(tokenizer, model.config.text_len)
    if inputs.vqgan is not None:
        check_vqgan(inputs.vqgan, model.config.grid_size)
    train_set, val_set = open_datasets(inputs, encoder, model.config, config, options.seed)
    loader = _train_loader(train_set, config, options.seed)
    optimizer = optimizer_for(model, config)
    scheduler = warmup_cosine_schedule(optimizer, config.warmup_steps, config.steps, config.min_lr_ratio)
    model, optimizer, scheduler, loader = accelerator.prepare(model, optimizer, scheduler, loader)
    run = TrainingRun(accelerator, folder, options, model, scheduler, config.steps, config.log_every,
                      config.checkpoint_every, {"preset": inputs.preset}, PROGRESS_KEYS)  # fmt: skip
    start = restore(run)
    _write_run_files(accelerator, folder, tokenizer, {
        "train": asdict(config), "inputs": asdict(inputs), "options": asdict(options),
        "full_description_tokens": caption_length_stats(train_set.records, encoder)})  # fmt: skip
    batches = iterate_from(accelerator, loader, start * options.grad_accum)
    t = Trainer(accelerator, model, optimizer, scheduler, batches, config, options.grad_accum)
    after_step = _evaluate_and_draw(t, inputs, folder, val_set, val_set or train_set)
    return train_steps(run, start, lambda index: take_step(t, index), after_step)


def _train_loader(dataset: CodeCaptionDataset, config: TrainConfig, seed: int) -> DataLoader:
    return DataLoader(dataset, batch_size=config.batch_size, sampler=EpochSampler(len(dataset), seed),
                      drop_last=True, num_workers=config.num_workers, collate_fn=dataset.collate)  # fmt: skip


def _write_run_files(accelerator: Accelerator, folder: RunFolder, tokenizer: Any, info: dict) -> None:
    """OUT/tokenizer/ (beside OUT/dalle/, as a pipeline folder holds it) and train_config.json."""
    if accelerator.is_main_process:
        tokenizer.save_pretrained(str(Path(folder.out) / TOKENIZER_DIR))
    write_run_config(accelerator, folder, info)


def check_vqgan(vqgan: Path, grid_size: int) -> None:
    """Fail before training, not at the first sample, when the VQGAN cannot decode these grids."""
    from text2montage.vqgan.codes import load_model

    model = load_model(vqgan)
    if model.config.grid_size != grid_size:
        raise OptionError(
            f"{vqgan} decodes {model.config.grid_size}x{model.config.grid_size} grids, "
            f"but the codes are {grid_size}x{grid_size}"
        )


def decode_to_png(vqgan: Path, grids: np.ndarray, path: Path) -> None:
    """Decode (C, G, G) codes with a VQGAN folder and save them side by side."""
    from text2montage.vqgan.codes import decode_codes, load_model
    from text2montage.vqgan.data import save_png

    images = decode_codes(load_model(vqgan), grids)  # (C, S, S) uint8
    save_png(path, np.concatenate(list(images), axis=1))
