"""`text2montage train dalle`, `text2montage sample`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from text2montage.cli.common import console, set_threads, user_errors
from text2montage.cli.groups import app, train_app
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
    lr: float = typer.Option(TrainConfig.lr, "--lr", min=0.0, help="Peak learning rate."),
    text_len: int | None = typer.Option(None, "--text-len", min=1, help="Text tokens (default: preset)."),
    caption_dropout: float = typer.Option(
        TrainConfig.caption_dropout, "--caption-dropout", min=0.0, max=1.0, help="Empty captions (guidance)."
    ),
    resume: bool = typer.Option(RunOptions.resume, "--resume", help="Continue from the run's checkpoint."),
    text_encoder: str | None = typer.Option(
        None, "--text-encoder", help="Take text embeddings from this HF model (local path or cached name)."
    ),
    freeze_text_embeddings: bool = typer.Option(False, "--freeze-text-embeddings", help="Do not train them."),
    mixed_precision: Precision = typer.Option(RunOptions.mixed_precision, "--mixed-precision"),
    vqgan: Path | None = typer.Option(None, "--vqgan", help="VQGAN folder: also decode samples to PNG."),
    checkpoint_every: int = typer.Option(TrainConfig.checkpoint_every, "--checkpoint-every", min=1),
    eval_every: int = typer.Option(TrainConfig.eval_every, "--eval-every", min=1, help="Held-out loss."),
    sample_every: int = typer.Option(TrainConfig.sample_every, "--sample-every", min=1),
    seed: int = typer.Option(RunOptions.seed, "--seed"),
    stop_at: int | None = typer.Option(RunOptions.stop_at, "--stop-at", min=1, help="Stop (checkpointed)."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="torch threads per process."),
) -> None:
    """Train the KoDALLE transformer on extracted codes (several processes: `accelerate launch`)."""
    from text2montage.dalle.train import COMPONENT, train_dalle

    set_threads(threads)
    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, caption_dropout=caption_dropout,
                         checkpoint_every=checkpoint_every, eval_every=eval_every, sample_every=sample_every)
    inputs = TrainInputs(codes_dir=codes, prepared_dir=data, tokenizer=tokenizer, preset=preset,
                         text_encoder=text_encoder, freeze_text_embeddings=freeze_text_embeddings,
                         vqgan=vqgan, model_overrides={} if text_len is None else {"text_len": text_len})
    options = RunOptions(out=out, resume=resume, seed=seed, mixed_precision=mixed_precision,
                         grad_accum=grad_accum, stop_at=stop_at)
    result = train_dalle(inputs, config, options)
    scalars = {k: round(v, 4) for k, v in result.logged.items() if "/" in k}
    this_run = result.step - result.start_step
    console.print(f"done at step {result.step} ({this_run} this run): {json.dumps(scalars)}")
    folder = RunFolder(out, COMPONENT)
    console.print(f"model: {folder.component_dir}  checkpoint, logs, samples: {folder.work_dir}")


@app.command("sample")
def sample_command(
    description: str = typer.Argument(..., help="The face, in Korean prose."),
    out: Path = typer.Option(..., "--out", help="Folder for codes.npy, samples.json and PNGs."),
    model: Path | None = typer.Option(None, "--model", help="Pipeline folder (dalle/, tokenizer/, vqgan/)."),
    n: int = typer.Option(8, "--n", min=1, max=64, help="Candidates to draw."),
    guidance: float = typer.Option(
        3.0, "--guidance", min=0.0, help="Classifier-free guidance scale (1 = off)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Same seed, same montages."),
    temperature: float = typer.Option(1.0, "--temperature", min=0.0),
    top_k: int | None = typer.Option(None, "--top-k", min=1),
    top_p: float | None = typer.Option(None, "--top-p", min=0.0, max=1.0),
    threads: int | None = typer.Option(
        None, "--threads", min=1, help="torch threads (1 is best on busy CPUs)."
    ),
) -> None:
    """Draw candidate montages for a description (no reranking)."""
    from text2montage.dalle.folder import load_dalle, sample_description
    from text2montage.dalle.sampling import SamplingConfig

    set_threads(threads)
    with user_errors():
        config = SamplingConfig(
            temperature=temperature, top_k=top_k, top_p=top_p, guidance_scale=guidance, seed=seed
        )
        loaded = load_dalle(model)
        if not loaded.encoder.fits(description.strip()):
            console.print(f"[yellow]note:[/] the description is cut to {loaded.model.config.text_len} tokens")
        grids = sample_description(loaded, description, n, config)
    written = _write_samples(out, description, grids, config, loaded.vqgan_dir)
    console.print(f"wrote {', '.join(written)} to {out}")


def _write_samples(out: Path, description: str, grids, config, vqgan_dir: Path | None) -> list[str]:  # noqa: ANN001
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "codes.npy", grids)
    meta = {
        "description": description,
        "seed": config.seed,
        "guidance": config.guidance_scale,
        "temperature": config.temperature,
        "top_k": config.top_k,
        "top_p": config.top_p,
        "codes": grids.tolist(),
    }
    (out / "samples.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    written = ["codes.npy", "samples.json"]
    if vqgan_dir is None:
        console.print("[yellow]note:[/] no vqgan/ in the model folder: codes only, no PNGs")
        return written
    return written + _decode_pngs(out, grids, vqgan_dir)


def _decode_pngs(out: Path, grids, vqgan_dir: Path) -> list[str]:  # noqa: ANN001
    from text2montage.vqgan.codes import decode_codes, load_model
    from text2montage.vqgan.data import save_png

    with user_errors():
        vqgan = load_model(vqgan_dir)
        if vqgan.config.grid_size != grids.shape[1]:
            raise ValueError(
                f"{vqgan_dir} decodes {vqgan.config.grid_size}x{vqgan.config.grid_size} code grids but the "
                f"transformer draws {grids.shape[1]}x{grids.shape[2]}; codes.npy is saved, PNGs are not"
            )
        images = decode_codes(vqgan, grids)  # (n, S, S) uint8
    names = []
    for index, image in enumerate(images):
        names.append(f"candidate_{index:02d}.png")
        save_png(out / names[-1], image)
    return names
