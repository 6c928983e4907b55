"""`text2montage train vqgan`, `eval vqgan`, `vqgan encode/decode`, `data extract-codes`.

`--vqgan` names a VQGAN folder, or a run or pipeline folder holding one in vqgan/; without it the
shipped default is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from text2montage.cli.common import console, progress_bar
from text2montage.cli.groups import data_app, eval_app, train_app, vqgan_app
from text2montage.data.store import SPLITS
from text2montage.errors import DataError
from text2montage.training.run import MIXED_PRECISION, RunFolder, RunOptions
from text2montage.vqgan.config import PRESETS

RUN = RunOptions(out=Path("."))  # the defaults every training command shares
Preset = Literal[tuple(PRESETS)]
Precision = Literal[MIXED_PRECISION]
Split = Literal[SPLITS]
VQGAN_HELP = "VQGAN folder, or a run/pipeline folder with vqgan/ (default: the shipped model)."


@train_app.command("vqgan")
def train_vqgan_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder (text2montage data prepare)."),
    out: Path = typer.Option(..., "--out", help="Run folder: the model in OUT/vqgan/, training files in "
                                                "OUT/training/vqgan/ (checkpoint, logs, samples)."),
    preset: Preset = typer.Option("default", "--preset"),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Optimizer steps (preset's if unset)."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="Per-process batch size."),
    lr: float | None = typer.Option(None, "--lr", min=0.0, help="Peak learning rate (G and D)."),
    disc_start: int | None = typer.Option(None, "--disc-start", min=0, help="Step the GAN loss starts."),
    resume: bool = typer.Option(RUN.resume, "--resume", help="Continue from the run's checkpoint exactly."),
    mixed_precision: Precision = typer.Option(RUN.mixed_precision, "--mixed-precision"),
    grad_accum: int = typer.Option(RUN.grad_accum, "--grad-accum", min=1, help="Micro-batches per step."),
    seed: int = typer.Option(RUN.seed, "--seed"),
    stop_at: int | None = typer.Option(RUN.stop_at, "--stop-at", min=1, help="Stop (checkpointed) here."),
    perceptual_weights: Path | None = typer.Option(
        None, "--perceptual-weights", exists=True, dir_okay=False,
        help="VGG16 features (safetensors on disk): optional perceptual loss.",
    ),  # fmt: skip
) -> None:
    """Train the VQGAN image tokenizer (Accelerate: CPU, one or many GPUs)."""
    from text2montage.vqgan.train import COMPONENT, TrainInputs, preset_recipe, train_vqgan

    inputs = TrainInputs(data=data, preset=preset, perceptual_weights=perceptual_weights)
    recipe = preset_recipe(preset, steps=steps, batch_size=batch_size, lr=lr, disc_start=disc_start)
    options = RunOptions(out=out, resume=resume, seed=seed, mixed_precision=mixed_precision,
                         grad_accum=grad_accum, stop_at=stop_at)  # fmt: skip
    result = train_vqgan(inputs, recipe, options)
    losses = {k: round(v, 4) for k, v in result.logged.items() if k.startswith("loss/")}
    console.print(f"done at step {result.step} ({result.step - result.start_step} this run); losses {losses}")
    folder = RunFolder(out, COMPONENT)
    console.print(f"model: {folder.component_dir}  checkpoint, logs, samples: {folder.work_dir}")


@eval_app.command("vqgan")
def eval_vqgan_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help=VQGAN_HELP),
    split: Split = typer.Option("val", "--split"),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for vqgan_eval_SPLIT.png/.json (default: beside the VQGAN folder)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON report."),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Evaluate only the first N images."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, cuda:1, ..."),
) -> None:
    """Reconstruction PSNR/SSIM, codebook usage/perplexity and Haar face rates on a split."""
    from text2montage.data.store import load_split
    from text2montage.vqgan.codes import load_model, vqgan_folder
    from text2montage.vqgan.evaluate import evaluate

    model = load_model(vqgan, device=device)
    images = load_split(data, split).images
    images = images[:limit] if limit is not None else images
    out = out if out is not None or vqgan is None else vqgan_folder(vqgan).parent
    grid = out / f"vqgan_eval_{split}.png" if out is not None else None
    report = {"split": split, "vqgan": str(vqgan_folder(vqgan)), **evaluate(model, images, batch_size, grid)}
    if out is not None:
        (out / f"vqgan_eval_{split}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(report))
        return
    for key, value in report.items():
        console.print(f"{key:>16}: {value:.4f}" if isinstance(value, float) else f"{key:>16}: {value}")
    if out is None:
        console.print("[yellow]note:[/] pass --out DIR to save the report and the side-by-side grid")


@vqgan_app.command("encode")
def encode_command(
    images: list[Path] = typer.Argument(..., help="Image files (grayscale sketches, square)."),
    out: Path = typer.Option(..., "--out", help="Output .npy: uint16 (N, G, G) codes."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help=VQGAN_HELP),
) -> None:
    """Encode image files into code grids."""
    import numpy as np

    from text2montage.vqgan.codes import encode_images, load_model, read_images

    codes = encode_images(load_model(vqgan), read_images(images))
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, codes)
    console.print(f"wrote {codes.shape} codes to {out}")


@vqgan_app.command("decode")
def decode_command(
    codes_file: Path = typer.Argument(..., help="A .npy of integer codes, (N, G, G) or (G, G)."),
    out: Path = typer.Option(..., "--out", help="Folder for the decoded PNGs."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help=VQGAN_HELP),
) -> None:
    """Decode code grids back into images."""
    from text2montage.vqgan.codes import decode_codes, load_model
    from text2montage.vqgan.data import save_png

    images = decode_codes(load_model(vqgan), _read_codes(codes_file))
    for i, image in enumerate(images):
        save_png(out / f"{i:06d}.png", image)
    console.print(f"wrote {len(images)} images to {out}")


def _read_codes(path: Path):  # noqa: ANN202 - numpy is imported lazily
    import numpy as np

    try:
        codes = np.load(path, allow_pickle=False)
    except ValueError as err:
        raise DataError(f"{path} is not a readable .npy file: {err}") from err
    return codes[None] if codes.ndim == 2 else codes


@data_app.command("extract-codes")
def extract_codes_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    out: Path = typer.Option(..., "--out", help="Codes folder: SPLIT.npy uint16 (N, G, G) + meta.json."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help=VQGAN_HELP),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    device: str = typer.Option("cpu", "--device"),
) -> None:
    """Encode every split of a prepared dataset once, for transformer training (resumable)."""
    from text2montage.vqgan.codes import extract_codes, load_model, model_fingerprint, vqgan_folder

    model = load_model(vqgan, device=device)
    fingerprint = model_fingerprint(vqgan_folder(vqgan))
    with progress_bar() as bar:
        tasks: dict[str, int] = {}

        def on_progress(split: str, done: int, total: int) -> None:
            if split not in tasks:
                tasks[split] = bar.add_task(f"codes {split}", total=total)
            bar.update(tasks[split], completed=done)

        rows = extract_codes(model, fingerprint, data, out, batch_size=batch_size, on_progress=on_progress)
    console.print(f"wrote codes to {out}: {rows}")
