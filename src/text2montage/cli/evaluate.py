"""`text2montage eval --model PIPELINE --data P ...`: the montage evaluation (the bare `eval` group).

`eval vqgan`, `eval attributes`, `eval reranker` stay subcommands of the same group; the group's
callback runs the montage evaluation only when no subcommand is given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from text2montage.cli.common import console, progress_bar
from text2montage.cli.groups import eval_app
from text2montage.cli.options import MAX_SEED, Finite
from text2montage.dalle.sampling import DEFAULT_GUIDANCE, DEFAULT_TEMPERATURE
from text2montage.data.store import SPLITS

Split = Literal[SPLITS]
REPORT_FILE = "report.json"

MONTAGE_EVAL_HELP = (
    "Evaluate a stage and print a JSON report. Without a subcommand: the montage evaluation -- for N "
    "held-out level-3 records draw K candidates per description and report attribute signal retained "
    "(first and reranked), FID (+ floor), IS, CLIP score, R-precision and the Haar face rate."
)


@eval_app.callback(invoke_without_command=True, help=MONTAGE_EVAL_HELP)
def montage_eval_command(
    ctx: typer.Context,
    data: Path | None = typer.Option(None, "--data", help="Prepared dataset folder."),
    model: str | None = typer.Option(None, "--model", help="Pipeline folder or cached Hub id."),
    split: Split = typer.Option("test", "--split"),
    num: int = typer.Option(200, "--num", min=2, help="Held-out level-3 records (descriptions) to draw for."),
    candidates: int = typer.Option(8, "--candidates", min=1, max=64, help="Candidates per description."),
    seed: int = typer.Option(
        0, "--seed", min=0, max=MAX_SEED, help="Seeds the record choice, the control and the drawing."
    ),
    attributes: Path | None = typer.Option(
        None, "--attributes", help="Attribute-classifier folder (default: the pipeline's attributes/)."
    ),
    reranker: Path | None = typer.Option(None, "--reranker", help="Reranker folder (default: pipeline's)."),
    captions: str = typer.Option("full,attributes", "--captions", help="Caption modes: full, attributes."),
    free_prose: Path | None = typer.Option(
        None, "--free-prose", help="Free-prose JSONL (default: the hand-written set shipped in the package)."
    ),
    no_free_prose: bool = typer.Option(False, "--no-free-prose", help="Skip the free-prose set."),
    guidance: float = typer.Option(
        DEFAULT_GUIDANCE, "--guidance", parser=Finite(0.0, 20.0), help="Classifier-free guidance scale, 0-20."
    ),
    temperature: float = typer.Option(
        DEFAULT_TEMPERATURE, "--temperature", parser=Finite(0.0, 10.0), help="0-10."
    ),
    top_k: int | None = typer.Option(None, "--top-k", min=1),
    top_p: float | None = typer.Option(None, "--top-p", parser=Finite(0.0, 1.0, open_low=True)),
    report_dir: Path | None = typer.Option(None, "--report", help="Folder for report.md/json + PNGs."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier report at --report."),
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON report on stdout."),
    threads: int = typer.Option(1, "--threads", min=1, help="torch threads (drawing is overhead bound)."),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if data is None:
        raise typer.BadParameter("the montage evaluation needs --data (or name a subcommand)",
                                 param_hint="--data")
    import torch

    from text2montage.evaluate.drawing import Sampling
    from text2montage.evaluate.prose import FREE_PROSE_FILE
    from text2montage.evaluate.run import EvalOptions, run_evaluation
    from text2montage.outputs import check_output_dir

    if report_dir is not None:
        check_output_dir(report_dir, "--report", overwrite, _is_report, "an evaluation report")
    torch.set_num_threads(threads)
    sampling = Sampling(candidates=candidates, seed=seed, guidance_scale=guidance, temperature=temperature,
                        top_k=top_k, top_p=top_p)
    options = EvalOptions(
        data=data, model=model, split=split, num=num, sampling=sampling, attributes=attributes,
        reranker=reranker, captions=tuple(c.strip() for c in captions.split(",") if c.strip()),
        free_prose=None if no_free_prose else (free_prose or FREE_PROSE_FILE),
    )
    with progress_bar() as bar:
        tasks: dict[str, int] = {}

        def on_progress(task: str, done: int, total: int) -> None:
            if task not in tasks:
                tasks[task] = bar.add_task(f"drawing ({task})", total=total)
            bar.update(tasks[task], completed=done)

        report, samples = run_evaluation(options, on_progress)
    report["threads"] = threads
    if report_dir is not None:
        from text2montage.evaluate.report import write_report
        from text2montage.outputs import write_folder

        write_folder(report_dir, lambda tmp: write_report(report, samples, tmp), "--report", overwrite,
                     _is_report, "an evaluation report")
        console.print(f"report: {report_dir / 'report.md'}")
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    _print_summary(report)


def _is_report(folder: Path) -> bool:
    return (folder / REPORT_FILE).is_file()


def _print_summary(report: dict) -> None:
    from rich.table import Table

    table = Table(title=f"montage evaluation: {report['n']} records, {report['sampling']['candidates']} "
                        "candidates each (mean over readable fields)")
    for column in ("captions", "fields", "ceiling", "first", "reranked", "control", "retained first",
                   "retained reranked"):
        table.add_column(column, justify="left" if column == "captions" else "right")
    for mode, signal in report["attributes"].items():
        m = signal["mean"]
        cells = [m["ceiling"], m.get("first"), m.get("reranked"), m.get("first_control"),
                 m.get("first_signal_retained"), m.get("reranked_signal_retained")]
        table.add_row(mode, str(m["fields"]), *("–" if v is None else f"{v:.3f}" for v in cells))
    console.print(table)
    console.print(f"fid {report['fid']}  floor {report['fid_floor']}")
    console.print(f"haar {report['haar_rate']}")
    timing = report["timing"]
    console.print(f"wall {timing['wall_seconds']:.1f} s, {timing['seconds_per_image']} s per image")
