"""`text2montage train dalle` (drawing montages is `text2montage generate`, cli/generate.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from text2montage.cli.common import console, set_threads
from text2montage.cli.groups import train_app
from text2montage.cli.options import LEARNING_RATE, MAX_TRAIN_SEED
from text2montage.dalle.config import PRESETS
from text2montage.dalle.train_config import TrainConfig, TrainInputs
from text2montage.training.run import MIXED_PRECISION, RunFolder, RunOptions

DallePreset = Literal[tuple(PRESETS)]
Precision = Literal[MIXED_PRECISION]
OUT_HELP = ("Run folder: the model in OUT/dalle/ and its tokenizer in OUT/tokenizer/; checkpoint, logs and "
            "samples in OUT/training/dalle/.")


@train_app.command("dalle")
def train_dalle_command(
    codes: Path = typer.Option(..., "--codes", help="Codes folder (text2montage data extract-codes)."),
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder (text2montage data prepare)."),
    tokenizer: str = typer.Option(..., "--tokenizer", help="Caption tokenizer folder or cached Hub name."),
    out: Path = typer.Option(..., "--out", help=OUT_HELP),
    preset: DallePreset = typer.Option(TrainInputs.preset, "--preset"),
    steps: int = typer.Option(TrainConfig.steps, "--steps", min=1, help="Optimizer steps in total."),
    batch_size: int = typer.Option(TrainConfig.batch_size, "--batch-size", min=1, help="Per process."),
    grad_accum: int = typer.Option(RunOptions.grad_accum, "--grad-accum", min=1, help="Micro-batches/step."),
    lr: float = typer.Option(TrainConfig.lr, "--lr", parser=LEARNING_RATE, help="Peak learning rate."),
    text_len: int | None = typer.Option(None, "--text-len", min=1, help="Text tokens (default: preset)."),
    caption_dropout: float = typer.Option(
        TrainConfig.caption_dropout, "--caption-dropout", min=0.0, max=1.0, help="Empty captions (guidance)."
    ),
    resume: bool = typer.Option(RunOptions.resume, "--resume", help="Continue from the run's checkpoint."),
    text_encoder: str | None = typer.Option(
        None, "--text-encoder", help="Take text embeddings from this HF model (local path or cached name)."
    ),
    freeze_text_embeddings: bool = typer.Option(False, "--freeze-text-embeddings", help="Do not train them."),
    init_from: Path | None = typer.Option(
        None, "--init-from", help="Start from this trained dalle folder (a longer --text-len keeps its rows)."
    ),
    mixed_precision: Precision = typer.Option(RunOptions.mixed_precision, "--mixed-precision"),
    vqgan: Path | None = typer.Option(None, "--vqgan", help="VQGAN folder: also decode samples to PNG."),
    checkpoint_every: int = typer.Option(TrainConfig.checkpoint_every, "--checkpoint-every", min=1),
    eval_every: int = typer.Option(TrainConfig.eval_every, "--eval-every", min=1, help="Held-out loss."),
    sample_every: int = typer.Option(TrainConfig.sample_every, "--sample-every", min=1),
    seed: int = typer.Option(RunOptions.seed, "--seed", min=0, max=MAX_TRAIN_SEED),
    stop_at: int | None = typer.Option(RunOptions.stop_at, "--stop-at", min=1, help="Stop (checkpointed)."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="torch threads per process."),
) -> None:
    """Train the KoDALLE transformer on extracted codes (several processes: `accelerate launch`)."""
    from text2montage.dalle.train import COMPONENT, train_dalle
    from text2montage.outputs import check_target_folder

    check_target_folder(out, "--out")

    set_threads(threads)
    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, caption_dropout=caption_dropout,
                         checkpoint_every=checkpoint_every, eval_every=eval_every, sample_every=sample_every)
    inputs = TrainInputs(codes_dir=codes, prepared_dir=data, tokenizer=tokenizer, preset=preset,
                         text_encoder=text_encoder, freeze_text_embeddings=freeze_text_embeddings,
                         vqgan=vqgan, model_overrides={} if text_len is None else {"text_len": text_len},
                         init_from=init_from)
    options = RunOptions(out=out, resume=resume, seed=seed, mixed_precision=mixed_precision,
                         grad_accum=grad_accum, stop_at=stop_at)
    result = train_dalle(inputs, config, options)
    scalars = {k: round(v, 4) for k, v in result.logged.items() if "/" in k}
    this_run = result.step - result.start_step
    console.print(f"done at step {result.step} ({this_run} this run): {json.dumps(scalars)}")
    folder = RunFolder(out, COMPONENT)
    console.print(f"model: {folder.component_dir}  checkpoint, logs, samples: {folder.work_dir}")
