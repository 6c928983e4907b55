"""`text2montage data synth | prepare | preview` and `text2montage train tokenizer`."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import typer

from text2montage.cli.common import console, progress_bar
from text2montage.cli.groups import data_app, train_app
from text2montage.cli.options import MAX_SEED
from text2montage.data.prepare import PrepareOptions
from text2montage.data.store import META_FILE
from text2montage.data.synth.corpus import TRAIN_ROOT, VALID_ROOT, SynthOptions
from text2montage.errors import DataError, OptionError
from text2montage.outputs import check_output_dir, check_output_file, write_folder

PREVIEW_PERSONS = 8
TOKENIZER_FILE = "tokenizer.json"
OVERWRITE_HELP = "Replace an earlier {what} at --out whole (without it, one is refused)."


def _is_corpus(folder: Path) -> bool:
    return any((folder / root.parts[0]).is_dir() for root in (TRAIN_ROOT, VALID_ROOT))


def _is_prepared(folder: Path) -> bool:
    return (folder / META_FILE).is_file()


def _is_tokenizer(folder: Path) -> bool:
    return (folder / TOKENIZER_FILE).is_file()


@data_app.command("synth")
def synth(
    out: Path = typer.Option(..., "--out", help="Folder to write the AIHub-layout corpus into."),
    n: int = typer.Option(120, "--n", min=1, max=1_000_000, help="Number of persons."),
    seed: int = typer.Option(0, "--seed", min=0, max=MAX_SEED, help="Same seed, byte-identical files."),
    width: int = typer.Option(SynthOptions.width, "--width", min=64, max=4096),
    height: int = typer.Option(SynthOptions.height, "--height", min=64, max=4096),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes (0: one per core)."),
    preview: Path | None = typer.Option(None, "--preview", help="Also write a contact sheet PNG here."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an earlier corpus at --out (and the --preview file) whole."
    ),
) -> None:
    """Write a synthetic look-alike of the AIHub montage dataset (same layout and JSON schema)."""
    from text2montage.data.synth.corpus import synthesize

    check_output_dir(out, "--out", overwrite, _is_corpus, "a corpus")
    if preview is not None:
        check_output_file(preview, "--preview", overwrite, (".png",))
    options = SynthOptions(out=out, n_persons=n, seed=seed, width=width, height=height)
    start = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("drawing persons", total=n)
        write_folder(out, lambda tmp: synthesize(replace(options, out=tmp), workers=workers,
                                                 on_progress=lambda k: bar.advance(task, k)),
                     "--out", overwrite, _is_corpus, "a corpus")
    elapsed = time.perf_counter() - start
    console.print(
        f"wrote {n} persons ({4 * n} sketches, {3 * n} records) to {out} "
        f"in {elapsed:.1f} s: {n / elapsed:.1f} persons/s"
    )
    if preview is not None:
        _write_preview(out, preview, PREVIEW_PERSONS)


def _write_preview(root: Path, out: Path, n: int) -> None:
    from text2montage.data.preview import contact_sheet, korean_font

    contact_sheet(root, out, n)
    note = "" if korean_font() else (
        f" (no Hangul font: captions in {out.with_suffix('.txt')}; scripts/install.sh installs fonts-nanum)"
    )
    console.print(f"contact sheet: {out}{note}")


@data_app.command("preview")
def preview(
    src: Path = typer.Argument(..., help="An AIHub-layout folder (real or synthetic)."),
    out: Path = typer.Option(..., "--out", help="PNG to write."),
    n: int = typer.Option(PREVIEW_PERSONS, "--n", min=1, max=200, help="Persons to show."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the file at --out."),
) -> None:
    """Write a contact sheet: each person's sketches (org, L, M, H) with the level-3 descriptions."""
    if not src.is_dir():
        raise DataError(f"{src} is not a folder")
    check_output_file(out, "--out", overwrite, (".png",))
    _write_preview(src, out, n)


@data_app.command("prepare")
def prepare(
    src: Path = typer.Argument(..., help="AIHub-layout folder (real download or `data synth` output)."),
    out: Path = typer.Option(..., "--out", help="Prepared dataset folder."),
    size: int = typer.Option(PrepareOptions.size, "--size", help="Square image side in pixels."),
    fit: str = typer.Option(
        PrepareOptions.fit, "--fit", help="pad: extend with paper white (no cut); crop: centre square."
    ),
    captions: str = typer.Option(
        ",".join(PrepareOptions.caption_modes),
        "--captions",
        help="Caption modes, comma-separated; combine modes with '+', e.g. impression+attributes.",
    ),
    split: str = typer.Option(
        ",".join(map(str, PrepareOptions.split)), "--split", help="train,val,test fractions, split by person."
    ),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes (0: one per core)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP.format(what="prepared dataset")),
) -> None:
    """Turn AIHub JSON records and sketches into square grayscale images, captions and attributes.

    The dataset is built in a hidden .OUT.partial beside OUT and renamed into place when complete; an
    interrupted run resumes from the shards already there.
    """
    from text2montage.data.aihub import find_record_files
    from text2montage.data.prepare import prepare_dataset

    if not src.is_dir():
        raise DataError(f"{src} is not a folder")
    options = PrepareOptions(size=size, fit=fit, split=_fractions(split),
                             caption_modes=tuple(m.strip() for m in captions.split(",") if m.strip()))
    options.check()
    check_output_dir(out, "--out", overwrite, _is_prepared, "a prepared dataset")
    if not find_record_files(src):
        raise DataError(f"no JSON records under {src} (expected .../json/.../*.json, the AIHub layout)")
    with progress_bar() as bar:
        task = bar.add_task("preparing records")
        found = {}

        def fill(tmp: Path) -> None:
            found["report"] = prepare_dataset(src, tmp, options, workers=workers,
                                              on_progress=lambda d, t: bar.update(task, completed=d, total=t))

        write_folder(out, fill, "--out", overwrite, _is_prepared, "a prepared dataset", resumable=True)
    report = found["report"]
    console.print(
        f"{report.n_records} records of {report.n_json} prepared into {out}: "
        f"{json.dumps(report.counts)}; skipped {len(report.skipped)} "
        f"{json.dumps(report.skip_reasons, ensure_ascii=False)} (see {out / 'report.json'})"
    )


def _fractions(split: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in split.split(","))
    except ValueError as err:
        raise OptionError(f"--split needs three fractions such as 0.8,0.1,0.1, got {split!r}") from err


@train_app.command("tokenizer")
def train_tokenizer(
    data: Path = typer.Option(..., "--data", help="Prepared dataset folder."),
    out: Path = typer.Option(..., "--out", help="Folder for tokenizer.json and its config."),
    vocab_size: int | None = typer.Option(
        None, "--vocab-size", min=300, max=200_000, help="Vocabulary size (default: the tokenizer's)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP.format(what="tokenizer")),
) -> None:
    """Train the byte-level BPE caption tokenizer on the training split's captions and section texts."""
    from text2montage.data.store import load_split
    from text2montage.text.tokenizer import train_text_tokenizer

    check_output_dir(out, "--out", overwrite, _is_tokenizer, "a tokenizer")
    records = load_split(data, "train").records
    texts = [t for r in records for t in [*r["captions"].values(), *r["sections"].values()] if t]
    if not texts:
        raise DataError(f"the training split of {data} has no caption text")
    size = {} if vocab_size is None else {"vocab_size": vocab_size}
    tokenizer = train_text_tokenizer(texts, **size)
    write_folder(out, lambda tmp: tokenizer.save_pretrained(str(tmp)), "--out", overwrite, _is_tokenizer,
                 "a tokenizer")
    console.print(f"tokenizer with {len(tokenizer)} tokens trained on {len(texts)} texts: {out}")
