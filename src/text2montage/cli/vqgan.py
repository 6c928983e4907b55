"""`text2montage train vqgan`, `eval vqgan`, `vqgan encode/decode`, `data extract-codes`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from text2montage.cli.common import console, progress_bar, user_errors
from text2montage.cli.groups import data_app, eval_app, train_app, vqgan_app

MIXED_PRECISION = ("no", "fp16", "bf16")




@train_app.command("vqgan")
def train_vqgan_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder (text2montage data prepare)."),
    out: Path = typer.Option(..., "--out", help="Run folder: checkpoint/, model/, samples/, tensorboard/."),
    preset: str = typer.Option("default", "--preset", help="tiny | default | large"),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Optimizer steps (preset's if unset)."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="Per-process batch size."),
    lr: float | None = typer.Option(None, "--lr", min=0.0, help="Peak learning rate (G and D)."),
    disc_start: int | None = typer.Option(None, "--disc-start", min=0, help="Step the GAN loss starts."),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoint exactly."),
    mixed_precision: str = typer.Option("no", "--mixed-precision", help="no | fp16 | bf16"),
    grad_accum: int = typer.Option(1, "--grad-accum", min=1, help="Micro-batches per optimizer step."),
    seed: int = typer.Option(0, "--seed"),
    perceptual_weights: Path | None = typer.Option(
        None, "--perceptual-weights", help="VGG16 features (safetensors on disk): optional perceptual loss."
    ),
) -> None:
    """Train the VQGAN image tokenizer (Accelerate: CPU, one or many GPUs)."""
    from text2montage.vqgan.train import FINAL_MODEL_DIR, TrainOptions, train_vqgan

    if mixed_precision not in MIXED_PRECISION:
        choices = ", ".join(MIXED_PRECISION)
        raise typer.BadParameter(f"choose one of {choices}", param_hint="--mixed-precision")
    if perceptual_weights is not None and not perceptual_weights.is_file():
        raise typer.BadParameter(f"{perceptual_weights} is not a file", param_hint="--perceptual-weights")
    options = TrainOptions(data=data, out=out, preset=preset, steps=steps, batch_size=batch_size, lr=lr,
                           disc_start=disc_start, resume=resume, mixed_precision=mixed_precision,
                           grad_accum=grad_accum, seed=seed, perceptual_weights=perceptual_weights)
    with user_errors():
        history = train_vqgan(options)
    last = history[-1] if history else {}
    console.print(f"done: {len(history)} steps this run; last losses "
                  f"{ {k: round(v, 4) for k, v in last.items() if k.startswith('loss/')} }")
    console.print(f"model: {out / FINAL_MODEL_DIR}  checkpoint: {out / 'checkpoint'}")


@eval_app.command("vqgan")
def eval_vqgan_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    model: Path | None = typer.Option(None, "--model", help="VQGAN folder (default: the shipped model)."),
    split: str = typer.Option("val", "--split", help="train | val | test"),
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON report."),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Evaluate only the first N images."),
    grid: Path | None = typer.Option(None, "--grid", help="Side-by-side PNG (default vqgan_eval_SPLIT.png)."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, cuda:1, ..."),
) -> None:
    """Reconstruction PSNR/SSIM, codebook usage/perplexity and Haar face rates on a split, as JSON."""
    from text2montage.data.store import load_split
    from text2montage.vqgan.codes import load_model
    from text2montage.vqgan.evaluate import evaluate

    with user_errors():
        vq = load_model(model, device=device)
        images = load_split(data, split).images
        images = images[:limit] if limit is not None else images
        report = evaluate(vq, images, batch_size, grid or Path(f"vqgan_eval_{split}.png"))
    report = {"split": split, "model": str(model) if model else "default", **report}
    if as_json:
        typer.echo(json.dumps(report))
        return
    for key, value in report.items():
        console.print(f"{key:>16}: {value:.4f}" if isinstance(value, float) else f"{key:>16}: {value}")


@vqgan_app.command("encode")
def encode_command(
    images: list[Path] = typer.Argument(..., help="Image files (grayscale sketches, square)."),
    out: Path = typer.Option(..., "--out", help="Output .npy: uint16 (N, G, G) codes."),
    model: Path | None = typer.Option(None, "--model", help="VQGAN folder (default: the shipped model)."),
) -> None:
    """Encode image files into code grids."""
    import numpy as np

    from text2montage.vqgan.codes import encode_images, load_model, read_images

    with user_errors():
        vq = load_model(model)
        codes = encode_images(vq, read_images(images))
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, codes)
    console.print(f"wrote {codes.shape} codes to {out}")


@vqgan_app.command("decode")
def decode_command(
    codes_file: Path = typer.Argument(..., help="A .npy of integer codes, (N, G, G) or (G, G)."),
    out: Path = typer.Option(..., "--out", help="Folder for the decoded PNGs."),
    model: Path | None = typer.Option(None, "--model", help="VQGAN folder (default: the shipped model)."),
) -> None:
    """Decode code grids back into images."""
    from text2montage.vqgan.codes import decode_codes, load_model
    from text2montage.vqgan.data import save_png

    with user_errors():
        codes = _read_codes(codes_file)
        vq = load_model(model)
        images = decode_codes(vq, codes)
    for i, image in enumerate(images):
        save_png(out / f"{i:06d}.png", image)
    console.print(f"wrote {len(images)} images to {out}")


def _read_codes(path: Path):
    import numpy as np

    if not path.is_file():
        raise FileNotFoundError(f"no such codes file: {path}")
    try:
        codes = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise ValueError(f"{path} is not a readable .npy file: {err}") from err
    if codes.ndim == 2:
        codes = codes[None]
    if codes.ndim != 3 or not np.issubdtype(codes.dtype, np.integer):
        raise ValueError(f"{path} must hold integer codes (N, G, G); got {codes.dtype} {codes.shape}")
    return codes


@data_app.command("extract-codes")
def extract_codes_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    out: Path = typer.Option(..., "--out", help="Codes folder: SPLIT.npy uint16 (N, G, G) + meta.json."),
    model: Path | None = typer.Option(None, "--model", help="VQGAN folder (default: the shipped model)."),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    device: str = typer.Option("cpu", "--device"),
) -> None:
    """Encode every split of a prepared dataset once, for transformer training (resumable)."""

    from text2montage.vqgan.codes import DEFAULT_MODEL_DIR, extract_codes, load_model, model_fingerprint

    with user_errors():
        vq = load_model(model, device=device)
        fingerprint = model_fingerprint(model if model is not None else DEFAULT_MODEL_DIR)
        with progress_bar() as bar:
            tasks: dict[str, int] = {}

            def on_progress(split: str, done: int, total: int) -> None:
                if split not in tasks:
                    tasks[split] = bar.add_task(f"codes {split}", total=total)
                bar.update(tasks[split], completed=done)

            rows = extract_codes(vq, fingerprint, data, out, batch_size=batch_size, on_progress=on_progress)
    console.print(f"wrote codes to {out}: {rows}")
