"""The bad-input matrix: every command, given what a new user gets wrong, answers with one clear line.

Each case runs a command through the CLI and checks: exit code 2, no traceback, a message naming the
option or file at fault, and nothing in the workspace (models, data, earlier results) created, changed
or removed -- no half-written output. The workspace is built once: a tiny pipeline, a tiny prepared
dataset with its codes, an earlier result folder, and broken copies of each.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_pipeline import build_tiny_pipeline, save_tiny_pipeline
from typer.testing import CliRunner

from text2montage.cli import app

os.environ.setdefault("HF_HUB_OFFLINE", "1")
TEXT = "얼굴형은 계란형이다. 눈이 작고 입술이 도톰하다."
HUGE = "99999999999999999999"
SMALL_EVAL = "--num 2 --candidates 1 --no-free-prose"
MAX_MESSAGE_CHARS = 600
GROUPS = ("data", "train", "eval", "vqgan", "pipeline")  # one sentence, not a wall of "size mismatch" lines
runner = CliRunner()


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    names: tuple[str, ...]  # what the message must mention (case-insensitive): the option or file


def case(name: str, args: str | list[str], *names: str) -> Case:
    """args: a command line split at spaces (or a list); {small} is a montage evaluation kept tiny."""
    if isinstance(args, str):
        args = args.replace("{small}", SMALL_EVAL).split()
    return Case(name, tuple(args), names)


def _break_file(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _wider_dalle(root: Path) -> Path:
    """A pipeline whose transformer config says another width than its weights hold."""
    folder = shutil.copytree(root / "pipe", root / "pipe_wide")
    config_file = folder / "dalle" / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    key = next(k for k in ("hidden_size", "dim", "n_embd", "width") if k in config)
    config[key] = config[key] * 2
    config_file.write_text(json.dumps(config), encoding="utf-8")
    return folder


def _make_inputs(root: Path) -> None:
    """The broken things a user hands the commands."""
    (root / "afile").write_text("not a folder\n", encoding="utf-8")
    (root / "empty").mkdir()
    (root / "other").mkdir()
    (root / "other" / "notes.txt").write_text("someone else's notes\n", encoding="utf-8")
    truncated = shutil.copytree(root / "pipe", root / "pipe_truncated")
    _break_file(truncated / "vqgan" / "model.safetensors")
    _wider_dalle(root)
    (root / "text.npy").write_text("1 2 3\n4 5 6\n", encoding="utf-8")
    (root / "text.png").write_text("not an image\n", encoding="utf-8")
    np.save(root / "pickled.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(root / "floats.npy", np.zeros((2, 4, 4), np.float32))
    np.save(root / "big_codes.npy", np.full((1, 4, 4), 60000, np.uint16))
    np.save(root / "grid3.npy", np.zeros((1, 3, 3), np.uint16))
    pickled_codes = shutil.copytree(root / "codes", root / "codes_pickled")
    np.save(pickled_codes / "train.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (root / "bad_utf8.txt").write_bytes(b"\xff\xfe\xfa broken\n")
    (root / "blank.txt").write_text("# only a comment\n\n", encoding="utf-8")
    (root / "state.pt").write_bytes(pickle.dumps({"weights": [1, 2, 3]}))


def _run(*args: str | Path):  # noqa: ANN202 - click's Result
    return runner.invoke(app, [str(a) for a in args])


def build_workspace(root: Path) -> Path:
    """A tiny pipeline, a prepared dataset with its codes, an earlier result, and broken inputs."""
    save_tiny_pipeline(root / "pipe")
    build_tiny_pipeline(seed=1).save_pretrained(root / "pipe_other")  # another fingerprint
    for args in (
        ["data", "synth", "--out", root / "raw", "--n", "12", "--seed", "1", "--workers", "1",
         "--width", "96", "--height", "128"],
        ["data", "prepare", root / "raw", "--out", root / "prep", "--size", "32", "--workers", "1",
         "--split", "0.5,0.3,0.2"],
        ["data", "extract-codes", "--data", root / "prep", "--vqgan", root / "pipe", "--out", root / "codes"],
        ["generate", TEXT, "--model", root / "pipe", "--out", root / "earlier", "--num", "3", "--seed", "1"],
        ["generate", TEXT, "--model", root / "pipe_other", "--out", root / "other_result", "--num", "1"],
    ):  # fmt: skip
        result = _run(*args)
        assert result.exit_code == 0, result.output
    _make_inputs(root)
    return root


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield build_workspace(tmp_path_factory.mktemp("bad-inputs"))
    torch.set_num_threads(threads)


def _code(root: Path, folder: str = "earlier") -> str:
    return json.loads((root / folder / "results.json").read_text(encoding="utf-8"))["candidates"][0]["code"]


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under root: its kind, size, modification time and mode."""
    found = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        found[str(path.relative_to(root))] = (path.is_dir(), stat.st_size if path.is_file() else 0,
                                              stat.st_mtime_ns if path.is_file() else 0, stat.st_mode)
    return found


def _changes(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    made = [f"created {p}" for p in after.keys() - before.keys()]
    lost = [f"removed {p}" for p in before.keys() - after.keys()]
    changed = [f"changed {p}" for p in before.keys() & after.keys() if before[p] != after[p]]
    return sorted(made + lost + changed)


# --------------------------------------------------------------------------------------------------
# the matrix; {r} is the workspace folder, {code} a montage code of the tiny pipeline
# --------------------------------------------------------------------------------------------------
P = "--model {r}/pipe"
GENERATE = [
    case("out in /proc", ["generate", TEXT, *P.split(), "--out", "/proc/x"], "--out", "/proc"),
    case("out under a file", ["generate", TEXT, *P.split(), "--out", "{r}/afile/x"], "--out", "afile"),
    case("out is a file", ["generate", TEXT, *P.split(), "--out", "{r}/afile"], "--out", "afile"),
    case("out holds other files", ["generate", TEXT, *P.split(), "--out", "{r}/other"], "--out", "other"),
    case("out holds results", ["generate", TEXT, *P.split(), "--out", "{r}/earlier"], "--overwrite"),
    case("invalid utf-8", ["generate", "\udcff\udcfe", *P.split()], "utf-8"),
    case("empty description", ["generate", "  ", *P.split()], "description"),
    case("emoji only", ["generate", "😀😀", *P.split()], "description"),
    case("no description", ["generate", *P.split()], "description"),
    case("both inputs", ["generate", TEXT, "--from-file", "{r}/blank.txt", *P.split()], "--from-file"),
    case("huge seed", ["generate", TEXT, "--seed", HUGE, *P.split()], "--seed"),
    case("negative seed", ["generate", TEXT, "--seed", "-1", *P.split()], "--seed"),
    case("guidance 1e9", ["generate", TEXT, "--guidance", "1e9", *P.split()], "--guidance"),
    case("guidance nan", ["generate", TEXT, "--guidance", "nan", *P.split()], "--guidance"),
    case("guidance negative", ["generate", TEXT, "--guidance", "-1", *P.split()], "--guidance"),
    case("temperature inf", ["generate", TEXT, "--temperature", "inf", *P.split()], "--temperature"),
    case("temperature negative", ["generate", TEXT, "--temperature", "-0.5", *P.split()], "--temperature"),
    case("num 0", ["generate", TEXT, "--num", "0", *P.split()], "--num"),
    case("num 65", ["generate", TEXT, "--num", "65", *P.split()], "--num"),
    case("top-k 0", ["generate", TEXT, "--top-k", "0", *P.split()], "--top-k"),
    case("top-p 0", ["generate", TEXT, "--top-p", "0", *P.split()], "--top-p"),
    case("top-p 2", ["generate", TEXT, "--top-p", "2", *P.split()], "--top-p"),
    case("threads 0", ["generate", TEXT, "--threads", "0", *P.split()], "--threads"),
    case("model missing", ["generate", TEXT, "--model", "{r}/nowhere"], "nowhere"),
    case("model truncated over earlier results",
         ["generate", TEXT, "--model", "{r}/pipe_truncated", "--out", "{r}/earlier", "--overwrite"],
         "vqgan"),
    case("model of another width", ["generate", TEXT, "--model", "{r}/pipe_wide"], "dalle", "another shape"),
    case("model is a pickle", ["generate", TEXT, "--model", "{r}/state.pt"], "state.pt"),
    case("from-file missing", ["generate", "--from-file", "{r}/nowhere.txt", *P.split()], "nowhere.txt"),
    case("from-file not utf-8", ["generate", "--from-file", "{r}/bad_utf8.txt", *P.split()], "bad_utf8"),
    case("from-file blank", ["generate", "--from-file", "{r}/blank.txt", *P.split()], "blank.txt"),
]
WITNESS_LOOP = [
    case("redraw bad code", ["redraw", "Mxyz", TEXT, "--region", "eyes", *P.split()], "code"),
    case("redraw code of another model",
         ["redraw", "{other_code}", TEXT, "--region", "eyes", *P.split()], "code"),
    case("redraw unknown region", ["redraw", "{code}", TEXT, "--region", "potato", *P.split()], "--region"),
    case("redraw box out of range",
         ["redraw", "{code}", TEXT, "--region", "0.5,0.5,0.2,0.9", *P.split()], "--region"),
    case("redraw box not numbers", ["redraw", "{code}", TEXT, "--region", "a,b,c,d", *P.split()], "--region"),
    case("redraw missing png", ["redraw", "{r}/nowhere.png", TEXT, "--region", "eyes", *P.split()],
         "nowhere.png"),
    case("redraw png not an image", ["redraw", "{r}/text.png", TEXT, "--region", "eyes", *P.split()],
         "text.png"),
    case("redraw out is a file",
         ["redraw", "{code}", TEXT, "--region", "eyes", "--out", "{r}/afile", *P.split()], "--out"),
    case("redraw guidance nan",
         ["redraw", "{code}", TEXT, "--region", "eyes", "--guidance", "nan", *P.split()], "--guidance"),
    case("vary strength 0", ["vary", "{code}", "--strength", "0", *P.split()], "--strength"),
    case("vary strength 2", ["vary", "{code}", "--strength", "2", *P.split()], "--strength"),
    case("vary strength nan", ["vary", "{code}", "--strength", "nan", *P.split()], "--strength"),
    case("vary out holds results", ["vary", "{code}", "--out", "{r}/earlier", *P.split()], "--overwrite"),
    case("show out not png", ["show", "{code}", "--out", "{r}/x.txt", *P.split()], "--out"),
    case("show out is a folder", ["show", "{code}", "--out", "{r}/empty", *P.split()], "--out"),
    case("show out in /proc", ["show", "{code}", "--out", "/proc/x.png", *P.split()], "--out"),
    case("show out exists", ["show", "{code}", "--out", "{r}/earlier/rank-01.png", *P.split()],
         "--overwrite"),
    case("show bad code", ["show", "M" + "A" * 60, "--out", "{r}/x.png", *P.split()], "code"),
    case("show code of another model", ["show", "{other_code}", "--out", "{r}/x.png", *P.split()], "code"),
]
PIPELINE = [
    case("assemble out exists", "pipeline assemble {r}/pipe --out {r}/other", "--out"),
    case("assemble out in /proc", "pipeline assemble {r}/pipe --out /proc/x", "--out"),
    case("assemble source missing", "pipeline assemble {r}/nowhere --out {r}/new", "nowhere"),
    case("assemble truncated part", "pipeline assemble {r}/pipe_truncated --out {r}/new", "vqgan"),
    case("info missing", "pipeline info {r}/nowhere", "nowhere"),
    case("info truncated", "pipeline info {r}/pipe_truncated", "vqgan"),
]
DATA = [
    case("synth out in /proc", "data synth --out /proc/x --n 2 --workers 2", "--out", "/proc"),
    case("synth out is a file", "data synth --out {r}/afile --n 2", "--out", "afile"),
    case("synth out under a file", "data synth --out {r}/afile/x --n 2", "--out", "afile"),
    case("synth out holds a corpus", "data synth --out {r}/raw --n 2", "--overwrite"),
    case("synth preview in /proc", "data synth --out {r}/new --n 2 --preview /proc/x/sheet.png",
         "--preview"),
    case("synth preview not png", "data synth --out {r}/new --n 2 --preview {r}/sheet.txt", "--preview"),
    case("synth n 0", "data synth --out {r}/new --n 0", "--n"),
    case("synth huge seed", f"data synth --out {{r}}/new --n 2 --seed {HUGE}", "--seed"),
    case("synth negative seed", "data synth --out {r}/new --n 2 --seed -3", "--seed"),
    case("preview source missing", "data preview {r}/nowhere --out {r}/p.png", "nowhere"),
    case("preview out in /proc", "data preview {r}/raw --out /proc/x.png", "--out"),
    case("prepare out is a file", "data prepare {r}/raw --out {r}/afile", "--out", "afile"),
    case("prepare out in /proc", "data prepare {r}/raw --out /proc/x", "--out"),
    case("prepare out holds a dataset", "data prepare {r}/raw --out {r}/prep", "--overwrite"),
    case("prepare out holds other files", "data prepare {r}/raw --out {r}/other", "--out"),
    case("prepare split words", "data prepare {r}/raw --out {r}/new --split a,b", "--split"),
    case("prepare split two", "data prepare {r}/raw --out {r}/new --split 0.5,0.5", "--split"),
    case("prepare split sum", "data prepare {r}/raw --out {r}/new --split 1,1,1", "--split"),
    case("prepare size 0", "data prepare {r}/raw --out {r}/new --size 0", "--size"),
    case("prepare fit", "data prepare {r}/raw --out {r}/new --fit potato", "--fit"),
    case("prepare captions", "data prepare {r}/raw --out {r}/new --captions potato", "--captions"),
    case("prepare source missing", "data prepare {r}/nowhere --out {r}/new", "nowhere"),
    case("prepare source empty", "data prepare {r}/empty --out {r}/new", "empty"),
    case("extract cuda", "data extract-codes --data {r}/prep --vqgan {r}/pipe --out {r}/new "
         "--device cuda:99", "cuda"),
    case("extract device", "data extract-codes --data {r}/prep --vqgan {r}/pipe --out {r}/new "
         "--device potato", "--device"),
    case("extract out is a file", "data extract-codes --data {r}/prep --vqgan {r}/pipe --out {r}/afile",
         "--out"),
    case("extract truncated vqgan",
         "data extract-codes --data {r}/prep --vqgan {r}/pipe_truncated --out {r}/new", "vqgan"),
    case("extract data not prepared",
         "data extract-codes --data {r}/raw --vqgan {r}/pipe --out {r}/new", "raw"),
]
VQGAN = [
    case("encode out in /proc", "vqgan encode {r}/earlier/rank-01.png --vqgan {r}/pipe "
         "--out /proc/x/codes.npy", "--out"),
    case("encode out not npy", "vqgan encode {r}/earlier/rank-01.png --vqgan {r}/pipe --out {r}/X",
         "--out", ".npy"),
    case("encode out exists", "vqgan encode {r}/earlier/rank-01.png --vqgan {r}/pipe "
         "--out {r}/floats.npy", "--overwrite"),
    case("encode image missing", "vqgan encode {r}/nowhere.png --vqgan {r}/pipe --out {r}/c.npy",
         "nowhere.png"),
    case("encode image is text", "vqgan encode {r}/text.png --vqgan {r}/pipe --out {r}/c.npy",
         "text.png"),
    case("encode truncated vqgan", "vqgan encode {r}/earlier/rank-01.png --vqgan {r}/pipe_truncated "
         "--out {r}/c.npy", "vqgan"),
    case("decode out is a file", "vqgan decode {r}/grid3.npy --vqgan {r}/pipe --out {r}/afile",
         "--out"),
    case("decode out holds results", "vqgan decode {r}/codes/val.npy --vqgan {r}/pipe --out {r}/earlier",
         "--out"),
    case("decode text as npy", "vqgan decode {r}/text.npy --vqgan {r}/pipe --out {r}/new", "text.npy",
         "no numpy header"),
    case("decode pickled", "vqgan decode {r}/pickled.npy --vqgan {r}/pipe --out {r}/new", "pickled.npy",
         "pickled"),
    case("decode floats", "vqgan decode {r}/floats.npy --vqgan {r}/pipe --out {r}/new", "floats.npy",
         "float32"),
    case("decode codes out of range", "vqgan decode {r}/big_codes.npy --vqgan {r}/pipe --out {r}/new",
         "big_codes.npy", "[0, 32)"),
    case("decode wrong grid", "vqgan decode {r}/grid3.npy --vqgan {r}/pipe --out {r}/new", "grid3.npy",
         "(n, 4, 4)"),
    case("decode missing", "vqgan decode {r}/nowhere.npy --vqgan {r}/pipe --out {r}/new", "nowhere"),
    case("eval vqgan cuda", "eval vqgan --data {r}/prep --vqgan {r}/pipe --device cuda:99", "cuda"),
    case("eval vqgan device", "eval vqgan --data {r}/prep --vqgan {r}/pipe --device potato", "--device"),
    case("eval vqgan truncated", "eval vqgan --data {r}/prep --vqgan {r}/pipe_truncated", "vqgan"),
    case("eval vqgan data", "eval vqgan --data {r}/raw --vqgan {r}/pipe", "raw"),
    case("eval vqgan out in /proc", "eval vqgan --data {r}/prep --vqgan {r}/pipe --out /proc/x", "--out"),
    case("eval vqgan out is a file", "eval vqgan --data {r}/prep --vqgan {r}/pipe --out {r}/afile",
         "--out"),
]
TRAIN = [
    case("train vqgan data missing", "train vqgan --data {r}/nowhere --out {r}/run --preset tiny",
         "nowhere"),
    case("train vqgan data not prepared", "train vqgan --data {r}/raw --out {r}/run --preset tiny", "raw"),
    case("train vqgan out is a file", "train vqgan --data {r}/prep --out {r}/afile --preset tiny",
         "--out"),
    case("train vqgan out in /proc", "train vqgan --data {r}/prep --out /proc/x --preset tiny", "--out"),
    case("train vqgan huge seed", f"train vqgan --data {{r}}/prep --out {{r}}/run --steps 1 --seed {HUGE}",
         "--seed"),
    case("train vqgan lr nan", "train vqgan --data {r}/prep --out {r}/run --steps 1 --lr nan", "--lr"),
    case("train dalle codes pickled", "train dalle --codes {r}/codes_pickled --data {r}/prep "
         "--tokenizer {r}/pipe/tokenizer --out {r}/run --preset tiny", "train.npy"),
    case("train dalle codes missing", "train dalle --codes {r}/nowhere --data {r}/prep "
         "--tokenizer {r}/pipe/tokenizer --out {r}/run --preset tiny", "nowhere"),
    case("train dalle tokenizer missing", "train dalle --codes {r}/codes --data {r}/prep "
         "--tokenizer {r}/notok --out {r}/run --preset tiny", "notok"),
    case("train dalle text encoder missing", "train dalle --codes {r}/codes --data {r}/prep "
         "--tokenizer {r}/pipe/tokenizer --out {r}/run --preset tiny --text-encoder {r}/noenc",
         "noenc", "no such folder"),
    case("train dalle out is a file", "train dalle --codes {r}/codes --data {r}/prep "
         "--tokenizer {r}/pipe/tokenizer --out {r}/afile --preset tiny", "--out"),
    case("train dalle codes do not fit data", "train dalle --codes {r}/codes --data {r}/empty "
         "--tokenizer {r}/pipe/tokenizer --out {r}/run --preset tiny", "empty"),
    case("train dalle batch beyond the data", "train dalle --codes {r}/codes --data {r}/prep "
         "--tokenizer {r}/pipe/tokenizer --out {r}/run --preset tiny --steps 1 --batch-size 1000", "batch"),
    case("train vqgan batch beyond the data",
         "train vqgan --data {r}/prep --out {r}/run --preset tiny --steps 1 --batch-size 1000", "batch"),
    case("train attributes batch beyond the data",
         "train attributes --data {r}/prep --out {r}/run --steps 1 --batch-size 1000", "batch"),
    case("train reranker batch beyond the data",
         "train reranker --data {r}/prep --out {r}/run --steps 1 --batch-size 1000", "batch"),
    case("train dalle lr inf", "train dalle --codes {r}/codes --data {r}/prep "
         "--tokenizer {r}/pipe/tokenizer --out {r}/run --preset tiny --steps 1 --lr inf", "--lr"),
    case("train tokenizer data missing", "train tokenizer --data {r}/nowhere --out {r}/tok", "nowhere"),
    case("train tokenizer out is a file", "train tokenizer --data {r}/prep --out {r}/afile", "--out"),
    case("train attributes data missing", "train attributes --data {r}/nowhere --out {r}/clf", "nowhere"),
    case("train attributes out is a file", "train attributes --data {r}/prep --out {r}/afile", "--out"),
    case("train reranker data missing", "train reranker --data {r}/nowhere --out {r}/run", "nowhere"),
    case("train reranker out is a file", "train reranker --data {r}/prep --out {r}/afile", "--out"),
    case("train reranker tokenizer missing",
         "train reranker --data {r}/prep --out {r}/run --tokenizer {r}/notok", "notok"),
]
EVAL = [
    case("eval model truncated", "eval --data {r}/prep --model {r}/pipe_truncated {small}", "vqgan"),
    case("eval data missing", "eval --data {r}/nowhere --model {r}/pipe {small}", "nowhere"),
    case("eval split", "eval --data {r}/prep --model {r}/pipe --split potato {small}", "--split"),
    case("eval captions", "eval --data {r}/prep --model {r}/pipe --captions potato {small}", "--captions"),
    case("eval guidance nan", "eval --data {r}/prep --model {r}/pipe --guidance nan {small}", "--guidance"),
    case("eval report is a file", "eval --data {r}/prep --model {r}/pipe --report {r}/afile {small}",
         "--report"),
    case("eval report holds results", "eval --data {r}/prep --model {r}/pipe --report {r}/earlier {small}",
         "--report"),
    case("eval attributes model missing", "eval attributes --model {r}/nowhere --data {r}/prep",
         "nowhere"),
    case("eval attributes split", "eval attributes --model {r}/pipe --data {r}/prep --split potato",
         "--split"),
    case("eval reranker model missing", "eval reranker --model {r}/nowhere --data {r}/prep", "nowhere"),
    case("eval reranker caption", "eval reranker --model {r}/pipe --data {r}/prep --caption potato",
         "--caption"),
]
SERVE = [
    case("serve model missing", "serve --model {r}/nowhere", "nowhere"),
    case("serve model truncated", "serve --model {r}/pipe_truncated", "vqgan"),
    case("serve port 0", "serve --port 0", "--port"),
    case("serve queue 0", "serve --queue-size 0", "--queue-size"),
]
MATRIX = GENERATE + WITNESS_LOOP + PIPELINE + DATA + VQGAN + TRAIN + EVAL + SERVE


def _fill(arg: str, root: Path) -> str:
    if "{" not in arg:
        return arg
    values = {"r": root}
    if "{code}" in arg:
        values["code"] = _code(root)
    if "{other_code}" in arg:
        values["other_code"] = _code(root, "other_result")
    return arg.format(**values)


def problems(bad: Case, root: Path, cwd: Path) -> list[str]:
    """Run one case from `cwd`; what it did wrong (an empty list: it kept every rule)."""
    args = [_fill(a, root) for a in bad.args]
    before = snapshot(root)
    here = Path.cwd()
    os.chdir(cwd)  # where default output folders (montages/...) would land
    try:
        result = runner.invoke(app, args)
    finally:
        os.chdir(here)
    output, found = result.output, []
    if result.exit_code != 2:
        found.append(f"exit code {result.exit_code}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        found.append(f"raised {type(result.exception).__name__}: {result.exception}")
    if "Traceback" in output:
        found.append("a traceback in the output")
    if len(output) > MAX_MESSAGE_CHARS:
        found.append(f"{len(output)} characters of output")
    flat = " ".join(output.split()).lower()
    found += [f"does not name {name!r}" for name in bad.names if _fill(name, root).lower() not in flat]
    found += _changes(before, snapshot(root))
    return found + ([f"said: {output.strip()[-400:]}"] if found else [])


@pytest.mark.parametrize("bad", MATRIX, ids=[c.name for c in MATRIX])
def test_bad_input_is_one_line_and_changes_nothing(bad: Case, workspace: Path, tmp_path: Path) -> None:
    found = problems(bad, workspace, tmp_path)
    assert not found, "\n".join(found)


def command_of(bad: Case) -> str:
    """'generate', 'data prepare', 'eval' (the montage evaluation), ..."""
    first, second = bad.args[0], bad.args[1] if len(bad.args) > 1 else ""
    return f"{first} {second}" if first in GROUPS and second[:1].isalpha() else first


def cli_commands() -> set[str]:
    """Every command the CLI has: 'generate', 'data prepare', ..., and 'eval' itself (it runs alone)."""
    import typer

    found = set()
    for name, command in typer.main.get_command(app).commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands is None or command.invoke_without_command:
            found.add(name)
        found |= {f"{name} {sub}" for sub in subcommands or ()}
    return found


def test_the_matrix_covers_every_command():
    assert {command_of(bad) for bad in MATRIX} == cli_commands()


# --------------------------------------------------------------------------------------------------
# the app: a bad request is a message in the page (gr.Error titled as a user's mistake), never a bug
# --------------------------------------------------------------------------------------------------
APP_CASES = {
    "empty description": lambda studio, state, code: studio.generate(state, "  ", 4, "", 3.0),
    "invalid utf-8": lambda studio, state, code: studio.generate(state, "\udcff\udcfe", 4, "", 3.0),
    "huge seed": lambda studio, state, code: studio.generate(state, TEXT, 4, HUGE, 3.0),
    "seed not a number": lambda studio, state, code: studio.generate(state, TEXT, 4, "abc", 3.0),
    "guidance nan": lambda studio, state, code: studio.generate(state, TEXT, 4, "", "nan"),
    "guidance 1e9": lambda studio, state, code: studio.generate(state, TEXT, 4, "", 1e9),
    "num not a number": lambda studio, state, code: studio.generate(state, TEXT, "many", "", 3.0),
    "num 1000": lambda studio, state, code: studio.generate(state, TEXT, 1000, "", 3.0),
    "redraw without a selection": lambda studio, state, code: studio.redraw(state, "eyes", TEXT, 2, 0, 3.0),
    "unknown region": lambda studio, state, code: studio.redraw({**state, "selected": code}, "ears", TEXT, 2,
                                                                0, 3.0),
    "strength 0": lambda studio, state, code: studio.vary({**state, "selected": code}, 0, 2, 0),
    "malformed code": lambda studio, state, code: studio.load_code(state, "M" + "A" * 60),
    "code of another model": lambda studio, state, code: studio.load_code(state, code[:-4] + "AAAA"),
}


@pytest.fixture(scope="module")
def studio(workspace: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from text2montage.app.studio import Studio
    from text2montage.pipeline import MontagePipeline

    studio = Studio(MontagePipeline.from_pretrained(workspace / "pipe"), tmp_path_factory.mktemp("app"))
    yield studio
    studio.close()


@pytest.mark.parametrize("name", list(APP_CASES))
def test_a_bad_app_request_is_a_message_in_the_page(name: str, studio, workspace: Path) -> None:
    import gradio as gr

    from text2montage.app.studio import new_state
    from text2montage.app.ui import guarded

    action = guarded(lambda: APP_CASES[name](studio, new_state(), _code(workspace)))
    with pytest.raises(gr.Error) as caught:
        action()
    assert caught.value.title == "입력 확인", caught.value.message  # a user's mistake, not "오류" (a bug)
    assert "Traceback" not in caught.value.message and len(caught.value.message) < MAX_MESSAGE_CHARS


def test_an_oversized_description_is_cut_with_a_note(studio) -> None:
    from text2montage.app.studio import new_state

    view = studio.generate(new_state(), TEXT * 2000, 1, 0, 3.0)
    assert len(view.gallery) == 1
    notes = studio.pipe(TEXT * 2000, num_candidates=1, seed=0).notes
    assert any("cut to its first" in note for note in notes), notes


def test_written_results_have_the_usual_permissions(workspace: Path, tmp_path: Path) -> None:
    """Files a colleague should open: 0666/0777 less the umask, not a temp file's 0600."""
    old = os.umask(0o022)
    try:
        result = _run("generate", TEXT, "--model", workspace / "pipe", "--out", tmp_path / "g", "--num", "1")
        assert result.exit_code == 0, result.output
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in [tmp_path / "g", *(tmp_path / "g").iterdir()]}
    assert modes == {name: 0o755 if name == "g" else 0o644 for name in modes}, modes


def test_overwrite_replaces_an_earlier_result_whole(workspace: Path, tmp_path: Path) -> None:
    """A re-run with fewer candidates leaves none of the earlier ones beside the new."""
    out = shutil.copytree(workspace / "earlier", tmp_path / "earlier")
    result = _run("generate", TEXT, "--model", workspace / "pipe", "--out", out, "--num", "1", "--overwrite")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["rank-01.png", "results.json", "sheet.png"]
    assert [p.name for p in tmp_path.iterdir()] == ["earlier"], "no build folder left beside it"
