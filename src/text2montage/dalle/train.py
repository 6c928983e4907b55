"""Training the KoDALLE transformer on pre-extracted codes, on the shared scaffold (text2montage.training).

Writes OUT/dalle/ (the model) and OUT/tokenizer/ (the caption tokenizer it was trained with) as a pipeline
folder holds them, and OUT/training/dalle/: checkpoint/, logs/ (train/loss, lr, val/image_code_ce),
samples/step_XXXXXXX.json (captions + code grids; .png when a VQGAN is given), train_config.json.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader

from text2montage.checkpoint import EpochSampler, iterate_from
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
from text2montage.errors import DataError, OptionError
from text2montage.text.tokenizer import load_text_tokenizer
from text2montage.training.loop import (
    AccumulatedSteps,
    AfterStep,
    RunLogger,
    RunResult,
    TrainingRun,
    adamw,
    open_run,
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
        model = KoDalle(config)
        if inputs.init_from is not None:
            model.warm_start_from(inputs.init_from)
        return model
    embeddings = load_text_embeddings(inputs.text_encoder)
    check_tokenizer_fits(tokenizer_size, embeddings)
    model = KoDalle(adapt_config(config, embeddings, pad_id))
    copy_text_embeddings(model, embeddings)
    model.set_text_embeddings_frozen(inputs.freeze_text_embeddings)
    return model


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
def take_step(steps: AccumulatedSteps, index: int) -> dict[str, float]:
    """One optimizer step: batches are (B, L) text ids and (B, N) codes; the model returns the loss."""
    return {"train/loss": steps.step(lambda batch: steps.model(*batch))}


@torch.no_grad()
def held_out_loss(model: KoDalle, dataset: CodeCaptionDataset, config: TrainConfig) -> float:
    """Mean image-code cross-entropy over up to eval_batches batches (deterministic captions)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    loader = DataLoader(dataset, batch_size=config.batch_size, shuffle=False)
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
    t: AccumulatedSteps, config: TrainConfig, inputs: TrainInputs, folder: RunFolder,
    val_set: CodeCaptionDataset | None, sample_set: CodeCaptionDataset,
) -> AfterStep:  # fmt: skip
    """Held-out loss every eval_every steps, samples every sample_every steps, both at the last step."""
    accelerator = t.accelerator

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
    folder, checkpoint, accelerator = open_run(options, COMPONENT)
    tokenizer = load_text_tokenizer(inputs.tokenizer)
    model = build_model(inputs, checkpoint, len(tokenizer), CaptionEncoder(tokenizer, 1).pad_id)
    encoder = CaptionEncoder(tokenizer, model.config.text_len)
    if inputs.vqgan is not None:
        check_vqgan(inputs.vqgan, model.config.grid_size)
    train_set, val_set = open_datasets(inputs, encoder, model.config, config, options.seed)
    if len(train_set) < config.batch_size:  # before the run folder gets logs, tokenizer/ and a config
        raise DataError(f"the train split has {len(train_set)} records, fewer than one batch "
                        f"({config.batch_size}); lower --batch-size")
    loader = _train_loader(train_set, config, options.seed)
    optimizer = adamw(model, config.lr, config.weight_decay, betas=(0.9, 0.95))
    scheduler = warmup_cosine_schedule(optimizer, config.warmup_steps, config.steps, config.min_lr_ratio)
    model, optimizer, scheduler, loader = accelerator.prepare(model, optimizer, scheduler, loader)
    run = TrainingRun(accelerator, folder, options, model, scheduler, config.steps, config.log_every,
                      config.checkpoint_every, {"preset": inputs.preset}, PROGRESS_KEYS)  # fmt: skip
    start = restore(run)
    _write_run_files(accelerator, folder, tokenizer, {
        "train": asdict(config), "inputs": asdict(inputs), "options": asdict(options),
        "full_description_tokens": caption_length_stats(train_set.records, encoder)})  # fmt: skip
    batches = iterate_from(accelerator, loader, start * options.grad_accum)
    t = AccumulatedSteps(accelerator, model, optimizer, scheduler, batches, options.grad_accum,
                         config.grad_clip)
    after_step = _evaluate_and_draw(t, config, inputs, folder, val_set, val_set or train_set)
    return train_steps(run, start, functools.partial(take_step, t), after_step)


def _train_loader(dataset: CodeCaptionDataset, config: TrainConfig, seed: int) -> DataLoader:
    return DataLoader(dataset, batch_size=config.batch_size, sampler=EpochSampler(len(dataset), seed),
                      drop_last=True, num_workers=config.num_workers)  # fmt: skip


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
