"""`generate`, `redraw`, `vary`, `show`, `pipeline assemble/info`: outputs, and clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from text2montage.cli import app

runner = CliRunner()
TEXT = "얼굴형은 계란형이다. 눈이 작고 입술이 도톰하다."


def run(*args: str):  # noqa: ANN201
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def generated(tiny_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "out"
    result = run("generate", TEXT, "--model", tiny_dir, "--out", out, "--num", "3", "--seed", "4")
    assert result.exit_code == 0, result.output
    return out


def test_generate_writes_ranked_pngs_sheet_and_results(generated, tiny_dir):
    names = sorted(p.name for p in generated.iterdir())
    assert names == ["rank-01.png", "rank-02.png", "rank-03.png", "results.json", "sheet.png"]
    record = json.loads((generated / "results.json").read_text(encoding="utf-8"))
    assert record["description"] == TEXT and record["settings"]["seed"] == 4
    assert record["scorer"] == "likelihood" and len(record["model_fingerprint"]) == 16
    scores = [c["score"] for c in record["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert Image.open(generated / "rank-01.png").size == (32, 32)
    assert not list(generated.parent.glob(".out.*")), "no build folder left"


def test_show_rebuilds_the_identical_png(generated, tiny_dir, tmp_path):
    record = json.loads((generated / "results.json").read_text(encoding="utf-8"))
    code = record["candidates"][0]["code"]
    result = run("show", code, "--model", tiny_dir, "--out", tmp_path / "again.png")
    assert result.exit_code == 0, result.output
    again = np.asarray(Image.open(tmp_path / "again.png"))
    assert np.array_equal(again, np.asarray(Image.open(generated / "rank-01.png")))


def test_redraw_from_a_code_and_from_a_png(generated, tiny_dir, tmp_path):
    record = json.loads((generated / "results.json").read_text(encoding="utf-8"))
    code = record["candidates"][0]["code"]
    for source, out in ((code, tmp_path / "r1"), (generated / "rank-01.png", tmp_path / "r2")):
        result = run("redraw", source, "눈이 크다", "--region", "eyes", "--model", tiny_dir, "--out", out,
                     "--num", "2", "--seed", "0")
        assert result.exit_code == 0, result.output
        redrawn = json.loads((out / "results.json").read_text(encoding="utf-8"))
        assert redrawn["kind"] == "redraw" and redrawn["source"]["region"] == "eyes"
    box = run("redraw", code, "눈이 크다", "--region", "0.2,0.4,0.8,0.6", "--model", tiny_dir,
              "--out", tmp_path / "r3", "--num", "2")
    assert box.exit_code == 0, box.output


def test_vary_and_rerun_into_the_same_folder(generated, tiny_dir, tmp_path):
    record = json.loads((generated / "results.json").read_text(encoding="utf-8"))
    code = record["candidates"][1]["code"]
    for again in ([], ["--overwrite"]):  # a second run replaces the earlier result folder whole
        result = run("vary", code, "--strength", "0.5", "--model", tiny_dir, "--out", tmp_path / "v",
                     "--num", "2", *again)
        assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "v").glob("rank-*.png"))) == 2


def test_from_file_with_progress(tiny_dir, tmp_path):
    source = tmp_path / "texts.txt"
    source.write_text("# witness 1\n눈이 작다\n\n코가 크다\n", encoding="utf-8")
    result = run("generate", "--from-file", source, "--model", tiny_dir, "--out", tmp_path / "many",
                 "--num", "2", "--seed", "10")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "many" / "results.json").read_text(encoding="utf-8"))
    assert [r["description"] for r in summary["results"]] == ["눈이 작다", "코가 크다"]
    assert [r["seed"] for r in summary["results"]] == [10, 11]
    assert (tmp_path / "many" / "002" / "rank-02.png").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "   "], "empty"),
        (["generate", "😀😀"], "emoji"),
        (["generate", TEXT, "--num", "0"], "--num"),
        (["generate", TEXT, "--num", "100000"], "--num"),
        (["generate", TEXT, "--guidance", "nan"], "guidance"),
        (["generate", TEXT, "--guidance", "-2"], "guidance"),
        (["generate", TEXT, "--temperature", "inf"], "temperature"),
        (["generate"], "description or --from-file"),
        (["show", "hello", "--out", "x.png"], "not a montage code"),
        (["show", "M" + "A" * 100, "--out", "x.txt"], ".png"),
        (["redraw", "MAAAA", "눈이 크다", "--region", "ears"], "region"),
        (["redraw", "missing.png", "눈이 크다", "--region", "eyes"], "no image file"),
        (["vary", "MAAAA", "--strength", "2"], "strength"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tiny_dir, tmp_path, args, message):
    out = tmp_path / "never"
    extra = ["--model", str(tiny_dir)] + (["--out", str(out)] if args[0] != "show" else [])
    result = run(*args, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_out_problems_are_found_before_any_model_loads(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("keep")
    absent_model = tmp_path / "no-model"
    for out, message in ((tmp_path / "file", "is a file"), (tmp_path / "busy", "holds other files")):
        result = run("generate", TEXT, "--out", out, "--model", absent_model)
        assert result.exit_code == 2 and message in result.output, result.output
    assert (tmp_path / "busy" / "mine.txt").read_text() == "keep"


def test_a_missing_or_corrupt_model_is_one_line(tiny_dir, tmp_path):
    result = run("generate", TEXT, "--model", tmp_path / "absent", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "no pipeline folder" in result.output
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_dir, broken)
    (broken / "vqgan" / "model.safetensors").write_bytes(b"\0" * 10)
    result = run("generate", TEXT, "--model", broken, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "vqgan" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_a_foreign_montage_code_is_refused(tiny_dir, tmp_path):
    from tiny_pipeline import build_tiny_pipeline

    code = build_tiny_pipeline(seed=7)("눈이 작다", num_candidates=1, seed=0).best.code
    result = run("show", code, "--model", tiny_dir, "--out", tmp_path / "x.png")
    assert result.exit_code == 2 and "another model" in result.output
    assert not (tmp_path / "x.png").exists()


def test_pipeline_assemble_and_info(tiny_dir, tmp_path):
    result = run("pipeline", "assemble", "--dalle", tiny_dir / "dalle", "--vqgan", tiny_dir / "vqgan",
                 "--tokenizer", tiny_dir / "tokenizer", "--out", tmp_path / "assembled")
    assert result.exit_code == 0, result.output
    info = run("pipeline", "info", tmp_path / "assembled")
    assert info.exit_code == 0, info.output
    data = json.loads(info.stdout)
    assert data["grid_size"] == 4 and data["components"] == ["tokenizer", "vqgan", "dalle"]
    again = run("pipeline", "assemble", "--dalle", tiny_dir / "dalle", "--vqgan", tiny_dir / "vqgan",
                "--out", tmp_path / "assembled")
    assert again.exit_code == 2 and "already holds" in again.output
    from_run = run("pipeline", "assemble", tiny_dir, "--out", tmp_path / "from-run")
    assert from_run.exit_code == 0, from_run.output
    info_run = json.loads(run("pipeline", "info", tmp_path / "from-run").stdout)
    assert info_run["fingerprint"] == data["fingerprint"]
    nothing = run("pipeline", "assemble", tmp_path, "--out", tmp_path / "none")
    assert nothing.exit_code == 2 and "no dalle, vqgan, tokenizer found" in nothing.output
