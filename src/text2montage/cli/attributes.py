"""`text2montage train attributes` and `eval attributes`: the attribute classifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from text2montage.cli.common import console
from text2montage.cli.groups import eval_app, train_app
from text2montage.cli.options import LEARNING_RATE, MAX_TRAIN_SEED
from text2montage.data.store import SPLITS

Split = Literal[SPLITS]


@train_app.command("attributes")
def train_attributes_command(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder (text2montage data prepare)."),
    out: Path = typer.Option(..., "--out", help="Run folder: the classifier in OUT/attributes/, its "
                                                "checkpoint and logs in OUT/training/attributes/."),
    steps: int = typer.Option(3000, "--steps", min=1, help="Optimizer steps."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Per-process batch size."),
    lr: float = typer.Option(2e-3, "--lr", parser=LEARNING_RATE, help="Peak learning rate (AdamW, cosine)."),
    seed: int = typer.Option(0, "--seed", min=0, max=MAX_TRAIN_SEED),
    resume: bool = typer.Option(False, "--resume", help="Continue from the run's checkpoint exactly."),
    image_size: int | None = typer.Option(None, "--image-size", min=8, help="Input size (default: data's)."),
) -> None:
    """Train the attribute classifier (one head per AIHub field) on the prepared train split."""
    from text2montage.attributes.train import COMPONENT, TrainOptions, train_attributes
    from text2montage.outputs import check_target_folder
    from text2montage.training.run import RunFolder

    check_target_folder(out, "--out")
    options = TrainOptions(data=data, out=out, steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                           resume=resume, image_size=image_size)
    history = train_attributes(options)
    last = history[-1] if history else {}
    console.print(f"done: {len(history)} log rows this run; last: {json.dumps(last)}")
    folder = RunFolder(out, COMPONENT)
    console.print(f"model: {folder.component_dir}  checkpoint and logs: {folder.work_dir}")


@eval_app.command("attributes")
def eval_attributes_command(
    model: Path = typer.Option(..., "--model", help="Attribute-classifier folder, or a run/pipeline "
                                                    "folder holding attributes/ (train attributes --out)."),
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    split: Split = typer.Option("test", "--split"),
    images: Path | None = typer.Option(
        None, "--images", help="uint8 (N, S, S) .npy to read instead of the split's sketches (row for row)."
    ),
    level: int | None = typer.Option(None, "--level", min=1, max=3, help="Only records of this level."),
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON report."),
) -> None:
    """Per-field accuracy, balanced accuracy and majority-class accuracy on real (or given) sketches."""
    from text2montage.attributes.evaluate import field_report
    from text2montage.attributes.model import AttributeClassifier
    from text2montage.attributes.train import COMPONENT
    from text2montage.training.run import component_dir

    classifier = AttributeClassifier.from_pretrained(component_dir(model, COMPONENT))
    pixels, records, train_records = _eval_inputs(data, split, images, level)
    report = field_report(classifier, pixels, records, train_records)
    report = {"model": str(model), "split": split, "images": str(images) if images else None,
              "level": level, "n": len(records), **report}
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    _print_table(report)


def _eval_inputs(data: Path, split: str, images: Path | None, level: int | None):
    import numpy as np

    from text2montage.data.store import load_split
    from text2montage.errors import DataError

    evaluated = load_split(data, split)
    pixels = evaluated.images if images is None else _read_images(images)
    if len(pixels) != len(evaluated):
        n_records = len(evaluated)
        raise DataError(f"{images} holds {len(pixels)} images but split {split!r} has {n_records} records")
    rows = [i for i, r in enumerate(evaluated.records) if level is None or r.get("level") == level]
    if not rows:
        raise DataError(f"split {split!r} has no records of level {level}")
    records = [evaluated.records[i].get("attributes", {}) for i in rows]
    train_records = [r.get("attributes", {}) for r in load_split(data, "train").records]
    return np.asarray(pixels[rows]), records, train_records


def _read_images(path: Path):
    import numpy as np

    from text2montage.errors import DataError

    if not path.is_file():
        raise DataError(f"no such images file: {path}")
    try:
        pixels = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as err:
        raise DataError(f"{path} is not a readable .npy file: {err}") from err
    if pixels.ndim != 3 or pixels.dtype != np.uint8:
        raise DataError(f"{path} must hold uint8 images (N, S, S); got {pixels.dtype} {pixels.shape}")
    return pixels


def _print_table(report: dict) -> None:
    from rich.table import Table

    table = Table(title=f"attribute classifier on {report['split']} ({report['n']} sketches)")
    for column in ("field", "accuracy", "balanced", "majority", "n", "readable"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, row in report["fields"].items():
        table.add_row(name, f"{row['accuracy']:.3f}", f"{row['balanced_accuracy']:.3f}",
                      f"{row['majority_accuracy']:.3f}", str(row["n"]), "yes" if row["readable"] else "no")
    console.print(table)
    mean = report["readable_mean_accuracy"]
    console.print(f"readable: {report['readable_count']} of {len(report['fields'])} fields, mean accuracy "
                  f"{mean:.3f}" if mean is not None else "readable: none")
    console.print(f"unreadable: {', '.join(report['unreadable']) or 'none'}")
