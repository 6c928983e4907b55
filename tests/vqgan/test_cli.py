"""The VQGAN commands: clear errors for user mistakes, encode/decode, eval JSON, extract-codes."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from text2montage.cli import app
from text2montage.data.store import load_split
from text2montage.vqgan import codes as codes_module
from text2montage.vqgan.config import PRESETS
from text2montage.vqgan.model import VQGAN

runner = CliRunner()


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    VQGAN(PRESETS["tiny"].model).save_pretrained(tmp_path / "vq")
    return tmp_path / "vq"


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def assert_clean_error(result, text: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and text in result.output


def test_missing_model_is_a_clear_error(prepared: Path, tmp_path: Path) -> None:
    result = run("eval", "vqgan", "--data", prepared, "--vqgan", tmp_path / "nope")
    assert_clean_error(result, "no VQGAN model")


def test_corrupt_model_is_a_clear_error(prepared: Path, model_dir: Path) -> None:
    (model_dir / "model.safetensors").write_bytes(b"\x00" * 10)
    assert_clean_error(run("eval", "vqgan", "--data", prepared, "--vqgan", model_dir), "cannot load")


def test_missing_default_model_is_a_clear_error(prepared: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(codes_module, "DEFAULT_MODEL_DIR", tmp_path / "absent")
    assert_clean_error(run("eval", "vqgan", "--data", prepared), "shipped default")


def test_bad_data_is_a_clear_error(tmp_path: Path, model_dir: Path) -> None:
    assert_clean_error(run("eval", "vqgan", "--data", tmp_path, "--vqgan", model_dir), "data prepare")
    result = run("train", "vqgan", "--data", tmp_path, "--out", tmp_path / "o", "--preset", "tiny")
    assert_clean_error(result, "data prepare")


def test_bad_preset_and_resume_of_garbage(prepared: Path, tmp_path: Path) -> None:
    assert_clean_error(run("train", "vqgan", "--data", prepared, "--out", tmp_path / "o", "--preset", "huge"),
                       "'huge' is not one of")
    (tmp_path / "r" / "training" / "vqgan" / "checkpoint").mkdir(parents=True)
    result = run("train", "vqgan", "--data", prepared, "--out", tmp_path / "r", "--preset", "tiny",
                 "--resume")
    assert_clean_error(result, "incomplete")


def test_eval_json_and_where_it_writes(prepared: Path, model_dir: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "ev"
    result = run("eval", "vqgan", "--data", prepared, "--vqgan", model_dir, "--json", "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    keys = {"psnr", "ssim", "code_usage", "perplexity", "haar_rate_recon", "haar_rate_orig", "n"}
    assert keys <= set(report) and report["n"] == 8
    assert cv2.imread(str(tmp_path / "ev" / "vqgan_eval_val.png")) is not None
    assert json.loads((tmp_path / "ev" / "vqgan_eval_val.json").read_text())["n"] == 8
    run_folder = tmp_path / "run"  # a run or pipeline folder: the VQGAN in vqgan/, the grid beside it
    run_folder.mkdir()
    model_dir.rename(run_folder / "vqgan")
    result = run("eval", "vqgan", "--data", prepared, "--vqgan", run_folder, "--split", "test",
                 "--limit", "2")
    assert result.exit_code == 0, result.output
    assert (run_folder / "vqgan_eval_test.png").is_file() and not list(tmp_path.glob("*.png"))


def test_encode_decode_cli(prepared: Path, model_dir: Path, tmp_path: Path) -> None:
    images = load_split(prepared, "val").images
    paths = []
    for i in range(2):
        paths.append(tmp_path / f"{i}.png")
        cv2.imwrite(str(paths[-1]), images[i])
    result = run("vqgan", "encode", *paths, "--out", tmp_path / "codes.npy", "--vqgan", model_dir)
    assert result.exit_code == 0, result.output
    codes = np.load(tmp_path / "codes.npy")
    assert codes.shape == (2, 8, 8) and codes.dtype == np.uint16
    result = run("vqgan", "decode", tmp_path / "codes.npy", "--out", tmp_path / "dec", "--vqgan", model_dir)
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "dec").glob("*.png"))) == 2
    assert_clean_error(run("vqgan", "encode", tmp_path / "missing.png", "--out", tmp_path / "x.npy",
                           "--vqgan", model_dir), "cannot read image")
    (tmp_path / "bad.npy").write_bytes(b"nope")
    result = run("vqgan", "decode", tmp_path / "bad.npy", "--out", tmp_path / "d2", "--vqgan", model_dir)
    assert_clean_error(result, "not a .npy file")
    np.save(tmp_path / "wide.npy", np.zeros((1, 4, 4), np.int64))  # the tiny VQGAN decodes 8x8 grids
    result = run("vqgan", "decode", tmp_path / "wide.npy", "--out", tmp_path / "d3", "--vqgan", model_dir)
    assert_clean_error(result, "(N, 8, 8) code grids")
    result = run("vqgan", "decode", tmp_path / "absent.npy", "--out", tmp_path / "d4", "--vqgan", model_dir)
    assert_clean_error(result, "No such file or directory")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "vqgan", "decode", str(tmp_path / "absent.npy"), "--out",
                                 str(tmp_path)])  # fmt: skip
    assert isinstance(result.exception, FileNotFoundError)


def test_extract_codes_matches_encode_and_resumes(prepared: Path, model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "codes"
    result = run("data", "extract-codes", "--data", prepared, "--vqgan", model_dir, "--out", out,
                 "--batch-size", "2")
    assert result.exit_code == 0, result.output
    train = np.load(out / "train.npy")
    model = VQGAN.from_pretrained(model_dir)
    assert np.array_equal(train, codes_module.encode_images(model, load_split(prepared, "train").images))
    meta = json.loads((out / "meta.json").read_text())
    assert meta["rows"] == {"train": 24, "val": 8, "test": 4}
    # an interrupted extraction: a partial file with 16 of 24 rows done (rows past 16 are garbage)
    partial_path = out / ".train.partial.npy"
    partial = np.lib.format.open_memmap(partial_path, mode="w+", dtype=np.uint16, shape=train.shape)
    partial[:16] = train[:16]
    partial[16:] = 1
    del partial
    (out / ".train.progress.json").write_text(json.dumps({"done": 16, "model_sha256": meta["model_sha256"]}))
    (out / "train.npy").unlink()
    assert run("data", "extract-codes", "--data", prepared, "--vqgan", model_dir, "--out", out).exit_code == 0
    assert np.array_equal(np.load(out / "train.npy"), train)
    assert not (out / ".train.partial.npy").exists()
