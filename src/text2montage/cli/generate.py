"""`text2montage generate | redraw | vary | show` and `text2montage pipeline assemble | info`.

Every command checks its options and its output path before any model loads, imports the heavy
libraries only when it runs, and writes its output whole or not at all.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

from text2montage.cli.common import console, progress_bar
from text2montage.cli.groups import app, pipeline_app
from text2montage.cli.options import MAX_SEED, Finite
from text2montage.dalle.sampling import DEFAULT_GUIDANCE, DEFAULT_TEMPERATURE
from text2montage.pipeline.errors import PipelineInputError

MODEL_HELP = "Pipeline folder or cached Hugging Face id (default: the shipped pipeline)."
THREADS_HELP = "torch threads (drawing is bound by per-step overhead: 1 is fastest on a busy machine)."
REGION_HELP = "hair | eyebrows | eyes | nose | mouth | face_outline, or a box x0,y0,x1,y1 (image fractions)."
OVERWRITE_HELP = "Replace an earlier result folder at --out whole (without it, one is refused)."
MAX_CANDIDATES = 64  # = pipeline.inputs.MAX_CANDIDATES
MAX_GUIDANCE, MAX_TEMPERATURE = 20.0, 10.0  # = pipeline.inputs.MAX_GUIDANCE, MAX_TEMPERATURE
NUM = {"min": 1, "max": MAX_CANDIDATES, "help": f"Candidates to draw (1-{MAX_CANDIDATES})."}
SEED = {"min": 0, "max": MAX_SEED, "help": "Same seed, same montages (default: a new one)."}
GUIDANCE = Finite(0.0, MAX_GUIDANCE)
TEMPERATURE = Finite(0.0, MAX_TEMPERATURE)
SHARE = Finite(0.0, 1.0, open_low=True)


def _default_out(kind: str) -> Path:
    return Path("montages") / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}"


def _settings(num: int, seed: int | None, guidance: float, temperature: float, top_k: int | None,
              top_p: float | None) -> Any:
    from text2montage.pipeline.inputs import Settings

    return Settings(num, seed, guidance, temperature, top_k, top_p)


def _load(model: str | None, threads: int) -> Any:
    import torch

    from text2montage.pipeline import MontagePipeline

    torch.set_num_threads(threads)
    return MontagePipeline.from_pretrained(model)


def _report(result: Any, out: Path) -> None:
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    best = result.best
    console.print(f"wrote {len(result.candidates)} ranked montages to {out} (ranked by {result.scorer}); "
                  f"best {best.score:.3f}")
    console.print(f"best montage code: {best.code}")


# --------------------------------------------------------------------------------------------------
# generate
# --------------------------------------------------------------------------------------------------
@app.command("generate")
def generate_command(
    description: str | None = typer.Argument(None, help="The face, in Korean prose."),
    num: int = typer.Option(8, "--num", "-n", **NUM),
    seed: int | None = typer.Option(None, "--seed", **SEED),
    out: Path | None = typer.Option(None, "--out", help="Result folder (default: montages/generate-TIME)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    guidance: float = typer.Option(
        DEFAULT_GUIDANCE, "--guidance", parser=GUIDANCE, help="Guidance scale, 0-20 (1 = off)."
    ),
    temperature: float = typer.Option(
        DEFAULT_TEMPERATURE, "--temperature", parser=TEMPERATURE, help="Temperature, 0-10 (0 = greedy)."
    ),
    top_k: int | None = typer.Option(None, "--top-k", min=1, help="Sample among the k likeliest codes."),
    top_p: float | None = typer.Option(
        None, "--top-p", parser=SHARE, help="Sample within this probability mass, (0, 1]."
    ),
    from_file: Path | None = typer.Option(
        None, "--from-file", help="One description per line (# comments and blank lines skipped)."
    ),
    threads: int = typer.Option(1, "--threads", min=1, help=THREADS_HELP),
) -> None:
    """Draw ranked montages for a description: DIR/rank-01.png ..., sheet.png, results.json."""
    from text2montage.pipeline.inputs import clean_description
    from text2montage.pipeline.output import check_out_dir, write_folder, write_result

    if (description is None) == (from_file is None):
        raise PipelineInputError("give a description or --from-file FILE (one of the two)")
    settings = _settings(num, seed, guidance, temperature, top_k, top_p)
    texts = _read_descriptions(from_file) if from_file else [description]
    for text in texts:
        clean_description(text)
    out = check_out_dir(out or _default_out("generate"), overwrite)
    pipe = _load(model, threads)
    if from_file is None:
        result = pipe(texts[0], **_call_args(settings))
        write_folder(out, lambda tmp: write_result(result, tmp), overwrite)
        _report(result, out)
        return
    results = _generate_many(pipe, texts, settings)
    write_folder(out, lambda tmp: _write_many(results, tmp, from_file), overwrite)
    console.print(f"wrote {len(results)} result folders to {out} ({out / 'results.json'})")


def _call_args(settings: Any) -> dict[str, Any]:
    return {"num_candidates": settings.num_candidates, "seed": settings.seed,
            "guidance_scale": settings.guidance_scale, "temperature": settings.temperature,
            "top_k": settings.top_k, "top_p": settings.top_p}


def _read_descriptions(path: Path) -> list[str]:
    if not path.is_file():
        raise PipelineInputError(f"--from-file {path}: no such file")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as err:
        raise PipelineInputError(f"--from-file {path} is not UTF-8 text (byte {err.start})") from err
    texts = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not texts:
        raise PipelineInputError(f"--from-file {path} holds no descriptions")
    return texts


def _generate_many(pipe: Any, texts: list[str], settings: Any) -> list[Any]:
    """One result per description; line i is drawn with seed + i (recorded in its results.json)."""
    results = []
    args = _call_args(settings)
    with progress_bar() as progress:
        task = progress.add_task("drawing montages", total=len(texts))
        for index, text in enumerate(texts):
            results.append(pipe(text, **{**args, "seed": settings.seed + index}))
            progress.advance(task)
    return results


def _write_many(results: list[Any], folder: Path, source: Path) -> None:
    from text2montage.pipeline.output import write_result

    summary = []
    for index, result in enumerate(results, start=1):
        sub = folder / f"{index:03d}"
        sub.mkdir()
        write_result(result, sub)
        summary.append({
            "folder": sub.name, "description": result.description, "seed": result.settings["seed"],
            "best_score": result.best.score, "best_code": result.best.code, "notes": result.notes,
        })  # fmt: skip
    record = {
        "from_file": str(source), "scorer": results[0].scorer, "model_fingerprint": results[0].fingerprint,
        "results": summary,
    }  # fmt: skip
    (folder / "results.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# the witness loop: redraw, vary, show
# --------------------------------------------------------------------------------------------------
@app.command("redraw")
def redraw_command(
    montage: str = typer.Argument(..., help="A montage code, or a montage PNG."),
    description: str = typer.Argument(..., help="The (edited) description, in Korean prose."),
    region: str = typer.Option(..., "--region", "-r", help=REGION_HELP),
    num: int = typer.Option(8, "--num", "-n", **NUM),
    seed: int | None = typer.Option(None, "--seed", **SEED),
    out: Path | None = typer.Option(None, "--out", help="Result folder (default: montages/redraw-TIME)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    guidance: float = typer.Option(DEFAULT_GUIDANCE, "--guidance", parser=GUIDANCE),
    temperature: float = typer.Option(DEFAULT_TEMPERATURE, "--temperature", parser=TEMPERATURE),
    threads: int = typer.Option(1, "--threads", min=1, help=THREADS_HELP),
) -> None:
    """Redraw one region of a montage and keep the rest: ranked candidates like `generate`."""
    from text2montage.pipeline.inputs import clean_description
    from text2montage.pipeline.output import check_out_dir, write_folder, write_result

    settings = _settings(num, seed, guidance, temperature, None, None)
    clean_description(description)
    where = _parse_region(region)
    _check_montage_arg(montage)
    out = check_out_dir(out or _default_out("redraw"), overwrite)
    pipe = _load(model, threads)
    result = pipe.redraw(montage, where, description, **_call_args(settings))
    write_folder(out, lambda tmp: write_result(result, tmp), overwrite)
    _report(result, out)


@app.command("vary")
def vary_command(
    montage: str = typer.Argument(..., help="A montage code, or a montage PNG."),
    description: str | None = typer.Argument(None, help="Its description (optional)."),
    strength: float = typer.Option(
        0.3, "--strength", parser=SHARE, help="Share of the montage to redraw, (0, 1]."
    ),
    num: int = typer.Option(8, "--num", "-n", **NUM),
    seed: int | None = typer.Option(None, "--seed", **SEED),
    out: Path | None = typer.Option(None, "--out", help="Result folder (default: montages/vary-TIME)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    threads: int = typer.Option(1, "--threads", min=1, help=THREADS_HELP),
) -> None:
    """"More like this": candidates near a montage."""
    from text2montage.pipeline.output import check_out_dir, write_folder, write_result

    settings = _settings(num, seed, 3.0, 1.0, None, None)
    _check_montage_arg(montage)
    out = check_out_dir(out or _default_out("vary"), overwrite)
    pipe = _load(model, threads)
    result = pipe.vary(montage, strength, settings.num_candidates, settings.seed, description)
    write_folder(out, lambda tmp: write_result(result, tmp), overwrite)
    _report(result, out)


@app.command("show")
def show_command(
    code: str = typer.Argument(..., help="A montage code."),
    out: Path = typer.Option(..., "--out", help="PNG file to write."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the file at --out."),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
) -> None:
    """Rebuild the exact montage a code stands for, as a PNG."""
    from text2montage.outputs import check_output_file, write_bytes_atomic
    from text2montage.pipeline.codes import NOT_A_CODE, PREFIX

    check_output_file(out, "--out", overwrite, (".png",))
    if not "".join(code.split()).startswith(PREFIX):
        raise PipelineInputError(NOT_A_CODE)
    pipe = _load(model, 1)
    montage = pipe.from_code(code)
    write_bytes_atomic(out, _png_bytes(montage.image))
    console.print(f"wrote {out}")


def _png_bytes(image: Any) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _parse_region(region: str) -> str | tuple[float, ...]:
    from text2montage.pipeline.inputs import check_region

    try:
        if "," not in region:
            return check_region(region)
        box = tuple(float(v) for v in region.split(","))
        if len(box) != 4:
            raise ValueError(len(box))
        return check_region(box)
    except PipelineInputError as err:
        raise PipelineInputError(f"--region {region!r}: {err}") from None
    except ValueError as err:
        raise PipelineInputError(f"--region {region!r}: a box is four numbers x0,y0,x1,y1") from err


def _check_montage_arg(montage: str) -> None:
    from text2montage.pipeline.pipeline import IMAGE_SUFFIXES

    if Path(montage).suffix.lower() in IMAGE_SUFFIXES and not Path(montage).is_file():
        raise PipelineInputError(f"no image file {montage}")


# --------------------------------------------------------------------------------------------------
# pipeline folders
# --------------------------------------------------------------------------------------------------
@pipeline_app.command("assemble")
def assemble_command(
    sources: list[Path] | None = typer.Argument(
        None, help="Run folders holding tokenizer/, vqgan/, dalle/ (reranker/, attributes/): parts to take."
    ),
    out: Path = typer.Option(..., "--out", help="New pipeline folder."),
    dalle: Path | None = typer.Option(None, "--dalle", help="Transformer folder (a run's OUT/dalle)."),
    vqgan: Path | None = typer.Option(None, "--vqgan", help="VQGAN folder (a run's OUT/vqgan)."),
    tokenizer: Path | None = typer.Option(None, "--tokenizer", help="Default: tokenizer/ beside --dalle."),
    reranker: Path | None = typer.Option(None, "--reranker", help="Reranker folder (optional)."),
    attributes: Path | None = typer.Option(None, "--attributes", help="Attribute classifier (optional)."),
) -> None:
    """Build a pipeline folder (model_index.json + components) from trained component folders."""
    from text2montage.outputs import check_output_dir
    from text2montage.pipeline import MontagePipeline

    check_output_dir(out, "--out", what="a pipeline")
    given = {"dalle": dalle, "vqgan": vqgan, "reranker": reranker, "attributes": attributes,
             "tokenizer": tokenizer or (dalle.parent / "tokenizer" if dalle else None)}
    folders = _component_folders(given, sources or [])
    pipe = MontagePipeline.from_components(**folders)
    pipe.save_pretrained(out)
    console.print(f"wrote pipeline {out} (fingerprint {pipe.fingerprint}; ranks by {pipe.scorer})")


def _component_folders(given: dict[str, Path | None], sources: list[Path]) -> dict[str, Path]:
    """Each component: the option naming it, else the first source folder holding it."""
    for source in sources:
        if not source.is_dir():
            raise PipelineInputError(f"{source} is not a folder")
    found = {}
    for name, path in given.items():
        found[name] = path or next((s / name for s in sources if (s / name).is_dir()), None)
    missing = [name for name in ("dalle", "vqgan", "tokenizer") if found[name] is None]
    if missing:
        raise PipelineInputError(f"no {', '.join(missing)} found: name them (--{missing[0]}) or give a run "
                                 "folder that holds them")
    return {name: path for name, path in found.items() if path is not None}


@pipeline_app.command("info")
def info_command(model: str | None = typer.Argument(None, help=MODEL_HELP)) -> None:
    """Print what a pipeline holds as JSON: components, shapes, fingerprint, how it ranks."""
    pipe = _load(model, 1)
    info = {
        "source": str(pipe.source), "fingerprint": pipe.fingerprint, "scorer": pipe.scorer,
        "components": [name for name, part in vars(pipe.components).items() if part is not None],
        "text_len": pipe.text_len, "grid_size": pipe.grid_size, "image_size": pipe.image_size,
        "codebook_size": pipe.dalle.config.codebook_size,
    }  # fmt: skip
    typer.echo(json.dumps(info, ensure_ascii=False, indent=1))
