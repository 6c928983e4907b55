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
from text2montage.cli.options import LEARNING_RATE, MAX_TRAIN_SEED, parse_device
from text2montage.data.store import SPLITS
from text2montage.errors import DataError
from text2montage.outputs import check_output_dir, check_output_file, check_target_folder, write_folder
from text2montage.training.run import MIXED_PRECISION, RunFolder, RunOptions
from text2montage.vqgan.config import PRESETS

RUN = RunOptions(out=Path("."))  # the defaults every training command shares
Preset = Literal[tuple(PRESETS)]
Precision = Literal[MIXED_PRECISION]
Split = Literal[SPLITS]
VQGAN_HELP = "VQGAN folder, or a run/pipeline folder with vqgan/ (default: the shipped model)."
DEVICE_HELP = "cpu, cuda, cuda:1, mps (one this machine has)."
DECODED_NAME = "{:06d}.png"


@train_app.command("vqgan")
def train_vqgan_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder (text2montage data prepare)."),
    out: Path = typer.Option(..., "--out", help="Run folder: the model in OUT/vqgan/, training files in "
                                                "OUT/training/vqgan/ (checkpoint, logs, samples)."),
    preset: Preset = typer.Option("default", "--preset"),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Optimizer steps (preset's if unset)."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="Per-process batch size."),
    lr: float | None = typer.Option(None, "--lr", parser=LEARNING_RATE, help="Peak learning rate (G and D)."),
    disc_start: int | None = typer.Option(None, "--disc-start", min=0, help="Step the GAN loss starts."),
    resume: bool = typer.Option(RUN.resume, "--resume", help="Continue from the run's checkpoint exactly."),
    mixed_precision: Precision = typer.Option(RUN.mixed_precision, "--mixed-precision"),
    grad_accum: int = typer.Option(RUN.grad_accum, "--grad-accum", min=1, help="Micro-batches per step."),
    seed: int = typer.Option(RUN.seed, "--seed", min=0, max=MAX_TRAIN_SEED),
    stop_at: int | None = typer.Option(RUN.stop_at, "--stop-at", min=1, help="Stop (checkpointed) here."),
    perceptual_weights: Path | None = typer.Option(
        None, "--perceptual-weights", exists=True, dir_okay=False,
        help="VGG16 features (safetensors on disk): optional perceptual loss.",
    ),  # fmt: skip
) -> None:
    """Train the VQGAN image tokenizer (Accelerate: CPU, one or many GPUs)."""
    from text2montage.vqgan.train import COMPONENT, TrainInputs, preset_recipe, train_vqgan

    check_target_folder(out, "--out")
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
    device: str = typer.Option("cpu", "--device", parser=parse_device, help=DEVICE_HELP),
    attributes: Path | None = typer.Option(
        None, "--attributes", help="Attribute classifier (train attributes): per-field accuracy kept."
    ),
) -> None:
    """Reconstruction PSNR/SSIM, codebook usage/perplexity and Haar face rates on a split; with
    --attributes, each readable field's classifier accuracy on reconstructions next to the originals."""
    from text2montage.data.store import load_split
    from text2montage.outputs import write_bytes_atomic
    from text2montage.vqgan.codes import load_model, vqgan_folder
    from text2montage.vqgan.evaluate import evaluate

    if out is not None:
        check_target_folder(out, "--out")
    images = load_split(data, split).images
    images = images[:limit] if limit is not None else images
    if len(images) == 0:
        raise DataError(f"the {split} split of {data} has no images; choose another --split")
    model = load_model(vqgan, device=device)
    check = _attribute_check(attributes, data, split, limit) if attributes is not None else None
    out = out if out is not None or vqgan is None else vqgan_folder(vqgan).parent
    grid = out / f"vqgan_eval_{split}.png" if out is not None else None
    metrics = evaluate(model, images, batch_size, grid, attributes=check)
    report = {"split": split, "vqgan": str(vqgan_folder(vqgan)), **metrics}
    if out is not None:
        write_bytes_atomic(out / f"vqgan_eval_{split}.json", json.dumps(report, indent=1).encode("utf-8"))
    if as_json:
        typer.echo(json.dumps(report))
        return
    for key, value in report.items():
        if key == "attributes":
            _print_fidelity(value)
            continue
        console.print(f"{key:>16}: {value:.4f}" if isinstance(value, float) else f"{key:>16}: {value}")
    if out is None:
        console.print("[yellow]note:[/] pass --out DIR to save the report and the side-by-side grid")


def _attribute_check(classifier_dir: Path, data: Path, split: str, limit: int | None):  # noqa: ANN202
    """(originals, reconstructions) -> the per-field fidelity report for the split's records."""
    from text2montage.attributes.evaluate import reconstruction_fidelity
    from text2montage.attributes.model import AttributeClassifier
    from text2montage.attributes.train import COMPONENT
    from text2montage.data.store import load_split
    from text2montage.training.run import component_dir

    classifier = AttributeClassifier.from_pretrained(component_dir(classifier_dir, COMPONENT))
    records = [r["attributes"] for r in load_split(data, split).records[:limit]]
    train_records = [r["attributes"] for r in load_split(data, "train").records]
    return lambda originals, recons: reconstruction_fidelity(
        classifier, originals, recons, records, train_records
    )


def _print_fidelity(report: dict) -> None:
    console.print(f"{'field':>20}  original  recon  kept")
    for name, row in report["fields"].items():
        console.print(f"{name:>20}  {row['original']:.3f}     {row['reconstruction']:.3f}  {row['kept']:.3f}")
    console.print(
        f"{report['fields_keeping_target']}/{report['readable_on_originals']} readable fields keep "
        f">= {report['keep_target']:.0%} of their accuracy (min {report['min_kept']})"
    )


@vqgan_app.command("encode")
def encode_command(
    images: list[Path] = typer.Argument(..., help="Image files (grayscale sketches, square)."),
    out: Path = typer.Option(..., "--out", help="Output .npy: uint16 (N, G, G) codes."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the file at --out."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help=VQGAN_HELP),
) -> None:
    """Encode image files into code grids."""
    import numpy as np

    from text2montage.outputs import atomic_file
    from text2montage.vqgan.codes import encode_images, load_model, read_images

    check_output_file(out, "--out", overwrite, (".npy",))
    pixels = read_images(images)
    codes = encode_images(load_model(vqgan), pixels)
    with atomic_file(out) as handle:
        np.save(handle, codes)
    console.print(f"wrote {codes.shape} codes to {out}")


@vqgan_app.command("decode")
def decode_command(
    codes_file: Path = typer.Argument(..., help="A .npy of integer codes, (N, G, G) or (G, G)."),
    out: Path = typer.Option(..., "--out", help="Folder for the decoded PNGs."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace earlier decoded images at --out."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help=VQGAN_HELP),
) -> None:
    """Decode code grids back into images."""
    from text2montage.vqgan.codes import check_codes, decode_codes, load_model
    from text2montage.vqgan.data import save_png

    check_output_dir(out, "--out", overwrite, _is_decoded, "decoded images")
    codes = _read_codes(codes_file)
    model = load_model(vqgan)
    try:
        check_codes(model, codes)
    except DataError as err:
        raise DataError(f"{codes_file}: {err}") from None
    images = decode_codes(model, codes)

    def fill(folder: Path) -> None:
        for i, image in enumerate(images):
            save_png(folder / DECODED_NAME.format(i), image)

    write_folder(out, fill, "--out", overwrite, _is_decoded, "decoded images")
    console.print(f"wrote {len(images)} images to {out}")


def _is_decoded(folder: Path) -> bool:
    """A folder `vqgan decode` wrote: only 000000.png, 000001.png, ..."""
    names = [p.name for p in folder.iterdir()]
    return bool(names) and all(n == DECODED_NAME.format(i) for i, n in enumerate(sorted(names)))


def _read_codes(path: Path):  # noqa: ANN202 - numpy is imported lazily
    import numpy as np

    from text2montage.data.store import load_npy

    codes = load_npy(path)
    if not np.issubdtype(codes.dtype, np.integer):
        raise DataError(f"{path} holds {codes.dtype} values, not integer codes")
    if codes.ndim not in (2, 3):
        raise DataError(f"{path} has shape {codes.shape}; expected code grids (N, G, G) or one (G, G)")
    return codes[None] if codes.ndim == 2 else codes


@data_app.command("extract-codes")
def extract_codes_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    out: Path = typer.Option(..., "--out", help="Codes folder: SPLIT.npy uint16 (N, G, G) + meta.json."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help=VQGAN_HELP),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    device: str = typer.Option("cpu", "--device", parser=parse_device, help=DEVICE_HELP),
) -> None:
    """Encode every split of a prepared dataset once, for transformer training (resumable)."""
    from text2montage.data.store import load_meta
    from text2montage.vqgan.codes import extract_codes, load_model, model_fingerprint, vqgan_folder

    load_meta(data)
    check_target_folder(out, "--out")
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
