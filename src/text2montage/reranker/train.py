"""Training the reranker on the shared scaffold (text2montage.training): Accelerate, one process or DDP.

OUT/ after a run (see text2montage.training.run):
  reranker/                 the model, self-contained: config.json, model.safetensors, tokenizer/
                            (`Reranker.from_pretrained(OUT)` or `(OUT/reranker)` loads it)
  training/reranker/        checkpoint/ (atomic, resumable), logs/ (TensorBoard + scalars.jsonl),
                            train_config.json
Batches group captions of similar token length (LengthGroupedSampler) so the text tower pads little.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader
from transformers import PreTrainedTokenizerBase

from text2montage.checkpoint import iterate_from
from text2montage.data.store import PreparedDataError, load_split
from text2montage.errors import DataError, OptionError
from text2montage.reranker.config import RerankerConfig, preset_config
from text2montage.reranker.data import (
    LengthGroupedSampler,
    PairCollator,
    PairDataset,
    full_description,
    one_per_person,
)
from text2montage.reranker.evaluate import evaluate_pairs
from text2montage.reranker.model import RerankerModel, with_pretrained_text
from text2montage.reranker.scorer import PIPELINE_SUBDIR, TOKENIZER_DIR, Reranker
from text2montage.reranker.text import TextBatcher
from text2montage.reranker.train_config import TrainConfig, TrainInputs
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

COMPONENT = PIPELINE_SUBDIR  # "reranker"
HELD_OUT_SPLITS = ("val", "test")
PROGRESS_KEYS = ("train/loss", "train/logit_scale")
R_PRECISION_POOL = 100


# --------------------------------------------------------------------------------------------------
# model, tokenizer, data
# --------------------------------------------------------------------------------------------------
def resolve_tokenizer(
    inputs: TrainInputs, folder: RunFolder, checkpoint: Path | None
) -> PreTrainedTokenizerBase:
    """The run's own tokenizer when resuming; else --tokenizer, the text encoder's, or the shipped one."""
    from text2montage.pipeline.loading import DEFAULT_PIPELINE_DIR

    saved = folder.work_dir / TOKENIZER_DIR
    if checkpoint is not None and saved.is_dir():
        return load_text_tokenizer(saved)
    default = DEFAULT_PIPELINE_DIR / TOKENIZER_DIR
    return load_text_tokenizer(inputs.tokenizer or inputs.text_encoder or default)


def build_model(
    inputs: TrainInputs, checkpoint: Path | None, tokenizer: PreTrainedTokenizerBase, image_size: int
) -> RerankerModel:
    """From the checkpoint's config when resuming, else the preset sized for the data and tokenizer."""
    if checkpoint is not None:
        return RerankerModel(RerankerConfig.load(checkpoint))  # the weights come from restore()
    sized = {"image_size": image_size, "text_vocab_size": len(tokenizer),
             "text_pad_id": tokenizer.pad_token_id}  # fmt: skip
    config = preset_config(inputs.preset, **{**sized, **inputs.model_overrides})
    if inputs.text_encoder is None:
        return RerankerModel(config)
    model = with_pretrained_text(config, inputs.text_encoder)
    if len(tokenizer) > model.config.text_vocab_size:
        raise OptionError(
            f"the tokenizer has {len(tokenizer)} tokens but {inputs.text_encoder} embeds "
            f"{model.config.text_vocab_size}: use the text encoder's own tokenizer"
        )
    return model


def optimizer_for(model: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW; weight decay on matrices only (not on norms, biases, the temperature)."""
    return adamw(model, config.lr, config.weight_decay, betas=(0.9, 0.98), eps=1e-6)


def train_loader(dataset: PairDataset, config: TrainConfig, image_size: int, seed: int) -> DataLoader:
    if len(dataset) < config.batch_size:
        n = len(dataset)
        raise DataError(f"the train split has {n} images, fewer than one batch ({config.batch_size})")
    sampler = LengthGroupedSampler(dataset, config.batch_size, seed, config.length_window)
    collate = PairCollator(dataset.batcher, image_size)
    return DataLoader(dataset, batch_size=config.batch_size, sampler=sampler, drop_last=True,
                      num_workers=config.num_workers, collate_fn=collate)  # fmt: skip


@dataclass
class HeldOut:
    descriptions: list[str]
    images: np.ndarray  # uint8 (N, S, S)
    split: str


def held_out_pairs(prepared_dir: Path, size: int) -> HeldOut | None:
    """Up to `size` persons of the first held-out split: full description + most detailed sketch."""
    for split in HELD_OUT_SPLITS:
        try:
            data = load_split(prepared_dir, split)
        except PreparedDataError:
            continue
        rows = one_per_person(data.records)[:size]
        if len(rows) >= 2:
            texts = [full_description(data.records[i]) for i in rows]
            return HeldOut(texts, np.asarray(data.images[rows]), split)
    return None


# --------------------------------------------------------------------------------------------------
# steps
# --------------------------------------------------------------------------------------------------
def take_step(t: AccumulatedSteps, index: int) -> dict[str, float]:
    """One optimizer step over grad_accum micro-batches (each its own set of negatives) -> scalars."""
    loss = t.step(lambda batch: t.model(**batch))
    scale = float(t.accelerator.unwrap_model(t.model).logit_scale().detach())
    return {"train/loss": loss, "train/logit_scale": scale}


def _evaluate_on_schedule(
    t: AccumulatedSteps, config: TrainConfig, held_out: HeldOut | None, tokenizer: PreTrainedTokenizerBase
) -> AfterStep:
    """Held-out R-precision and recall@K every eval_every steps and at the last step."""

    def after_step(done: int, logger: RunLogger) -> dict[str, float]:
        due = done % config.eval_every == 0 or done == config.steps
        values: dict[str, float] = {}
        if held_out is not None and due and t.accelerator.is_main_process:
            model = t.accelerator.unwrap_model(t.model)
            report = evaluate_pairs(Reranker(model, tokenizer), held_out.descriptions, held_out.images,
                                    pool=R_PRECISION_POOL, seed=0)  # fmt: skip
            model.train()
            values = {f"{held_out.split}/{k}": v for k, v in report.items() if isinstance(v, float)}
            logger.scalars(values, done)
        t.accelerator.wait_for_everyone()
        return values

    return after_step


# --------------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------------
def train_reranker(inputs: TrainInputs, config: TrainConfig, options: RunOptions) -> RunResult:
    """Train (or resume) to config.steps; the model lands in OUT/reranker/ after the last step."""
    folder, checkpoint, accelerator = open_run(options, COMPONENT)
    train = load_split(inputs.data, "train")
    tokenizer = resolve_tokenizer(inputs, folder, checkpoint)
    model = build_model(inputs, checkpoint, tokenizer, int(train.images.shape[1]))
    dataset = PairDataset(train.images, train.records, TextBatcher(tokenizer, model.config.text_max_len),
                          seed=options.seed)  # fmt: skip
    loader = train_loader(dataset, config, model.config.image_size, options.seed)
    optimizer = optimizer_for(model, config)
    scheduler = warmup_cosine_schedule(optimizer, config.warmup_steps, config.steps, config.min_lr_ratio)
    model, optimizer, scheduler, loader = accelerator.prepare(model, optimizer, scheduler, loader)
    run = TrainingRun(accelerator, folder, options, model, scheduler, config.steps, config.log_every,
                      config.checkpoint_every, {"preset": inputs.preset}, PROGRESS_KEYS)  # fmt: skip
    start = restore(run)
    _write_run_files(accelerator, folder, tokenizer, {
        "train": asdict(config), "inputs": asdict(inputs), "options": asdict(options),
        "parameters": accelerator.unwrap_model(model).num_parameters()})  # fmt: skip
    batches = iterate_from(accelerator, loader, start * options.grad_accum)
    t = AccumulatedSteps(accelerator, model, optimizer, scheduler, batches, options.grad_accum,
                         config.grad_clip)
    held_out = held_out_pairs(inputs.data, config.eval_size)
    model.train()
    evaluate = _evaluate_on_schedule(t, config, held_out, tokenizer)
    result = train_steps(run, start, lambda index: take_step(t, index), evaluate)
    if result.step == config.steps and accelerator.is_main_process:  # the component is self-contained
        tokenizer.save_pretrained(str(folder.component_dir / TOKENIZER_DIR))
    accelerator.wait_for_everyone()
    return result


def _write_run_files(accelerator: Accelerator, folder: RunFolder, tokenizer: Any, info: dict) -> None:
    """The tokenizer beside the checkpoint (a resumed run reads it back) and train_config.json."""
    if accelerator.is_main_process:
        tokenizer.save_pretrained(str(folder.work_dir / TOKENIZER_DIR))
    write_run_config(accelerator, folder, info)
