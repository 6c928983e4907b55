"""`text2montage train reranker`, `text2montage eval reranker`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from text2montage.cli.common import console, set_threads
from text2montage.cli.groups import eval_app, train_app
from text2montage.cli.options import LEARNING_RATE, MAX_TRAIN_SEED
from text2montage.data.store import SPLITS
from text2montage.reranker.config import PRESETS
from text2montage.reranker.train_config import TrainConfig, TrainInputs
from text2montage.training.run import MIXED_PRECISION, RunFolder, RunOptions

RerankerPreset = Literal[tuple(PRESETS)]
Precision = Literal[MIXED_PRECISION]
Split = Literal[SPLITS]
OUT_HELP = (
    "Run folder: the model in OUT/reranker/ (with its tokenizer/); checkpoint and logs in "
    "OUT/training/reranker/."
)
TOKENIZER_HELP = (
    "Tokenizer folder or cached Hub name (default: the text encoder's, else the shipped caption tokenizer)."
)


@train_app.command("reranker")
def train_reranker_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder (text2montage data prepare)."),
    out: Path = typer.Option(..., "--out", help=OUT_HELP),
    tokenizer: str | None = typer.Option(None, "--tokenizer", help=TOKENIZER_HELP),
    text_encoder: str | None = typer.Option(
        None, "--text-encoder", help="Start the text tower from this HF model (local path or cached name)."
    ),
    preset: RerankerPreset = typer.Option(TrainInputs.preset, "--preset"),
    steps: int = typer.Option(TrainConfig.steps, "--steps", min=1, help="Optimizer steps in total."),
    batch_size: int = typer.Option(TrainConfig.batch_size, "--batch-size", min=2, help="Pairs per process."),
    grad_accum: int = typer.Option(RunOptions.grad_accum, "--grad-accum", min=1, help="Micro-batches/step."),
    lr: float = typer.Option(TrainConfig.lr, "--lr", parser=LEARNING_RATE, help="Peak learning rate."),
    text_len: int | None = typer.Option(None, "--text-len", min=2, help="Text window (default: preset)."),
    resume: bool = typer.Option(RunOptions.resume, "--resume", help="Continue from the run's checkpoint."),
    mixed_precision: Precision = typer.Option(RunOptions.mixed_precision, "--mixed-precision"),
    checkpoint_every: int = typer.Option(TrainConfig.checkpoint_every, "--checkpoint-every", min=1),
    eval_every: int = typer.Option(TrainConfig.eval_every, "--eval-every", min=1, help="Held-out retrieval."),
    num_workers: int = typer.Option(TrainConfig.num_workers, "--num-workers", min=0, help="Loader workers."),
    seed: int = typer.Option(RunOptions.seed, "--seed", min=0, max=MAX_TRAIN_SEED),
    stop_at: int | None = typer.Option(RunOptions.stop_at, "--stop-at", min=1, help="Stop (checkpointed)."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="torch threads per process."),
) -> None:
    """Train the contrastive reranker on prepared sketches and their captions."""
    from text2montage.outputs import check_target_folder
    from text2montage.reranker.train import COMPONENT, train_reranker

    check_target_folder(out, "--out")

    set_threads(threads)
    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, checkpoint_every=checkpoint_every,
                         eval_every=eval_every, num_workers=num_workers)  # fmt: skip
    inputs = TrainInputs(data=data, tokenizer=tokenizer, text_encoder=text_encoder, preset=preset,
                         model_overrides={} if text_len is None else {"text_max_len": text_len})  # fmt: skip
    options = RunOptions(out=out, resume=resume, seed=seed, mixed_precision=mixed_precision,
                         grad_accum=grad_accum, stop_at=stop_at)  # fmt: skip
    result = train_reranker(inputs, config, options)
    shown = {k: round(v, 4) for k, v in result.logged.items() if "/" in k}
    console.print(
        f"done at step {result.step} ({result.step - result.start_step} this run): {json.dumps(shown)}"
    )
    folder = RunFolder(out, COMPONENT)
    console.print(f"model: {folder.component_dir}  checkpoint, logs: {folder.work_dir}")


@eval_app.command("reranker")
def eval_reranker_command(
    model: Path = typer.Option(..., "--model", help="Reranker folder (or a pipeline folder with reranker/)."),
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    split: Split = typer.Option("test", "--split"),
    caption: str = typer.Option(
        "full", "--caption", help="Prepared caption mode: full | attributes | impression"
    ),
    limit: int | None = typer.Option(None, "--limit", min=2, help="Evaluate only the first N persons."),
    pool: int = typer.Option(
        100, "--pool", min=2, help="Descriptions per R-precision trial (true + others)."
    ),
    seed: int = typer.Option(0, "--seed", min=0, max=MAX_TRAIN_SEED),
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON report."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="torch threads."),
) -> None:
    """Held-out R-precision and image<->text recall@1/5 (one level-3 record per person)."""
    from text2montage.reranker import Reranker
    from text2montage.reranker.evaluate import evaluate_reranker

    _check_caption(data, caption)
    set_threads(threads)
    reranker = Reranker.from_pretrained(model)
    report = evaluate_reranker(reranker, data, split, caption, limit, pool, seed)
    report = {"model": str(model), **report}
    if report["cut_to_window"]:
        console.print(
            f"[yellow]note:[/] {report['cut_to_window']} of {report['n']} descriptions are longer than "
            f"the reranker's {report['text_window']}-token window; only their beginning was scored"
        )
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        console.print(f"{key:>24}: {value:.4f}" if isinstance(value, float) else f"{key:>24}: {value}")


def _check_caption(data: Path, caption: str) -> None:
    """--caption must be a caption mode the prepared dataset holds (read before any model loads)."""
    from text2montage.data.store import load_meta
    from text2montage.errors import OptionError

    modes = load_meta(data).get("options", {}).get("caption_modes")
    if modes and caption not in modes:
        raise OptionError(f"--caption {caption!r}: {data} was prepared with captions {', '.join(modes)}")
