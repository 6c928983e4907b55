"""The shipped default model: what the README's main command relies on, offline."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from text2montage.cli import app
from text2montage.dalle.folder import load_dalle
from text2montage.vqgan.codes import load_model

runner = CliRunner()
DESCRIPTION = "긴 생머리에 앞머리가 눈썹 아래까지 내려온다. 얼굴은 계란형이다."


def test_default_components_load_and_fit_together():
    vqgan = load_model(None)
    loaded = load_dalle(None)
    assert vqgan.config.grid_size == loaded.model.config.grid_size
    assert vqgan.config.codebook_size == loaded.model.config.codebook_size
    assert loaded.vqgan_dir is not None


def test_sample_command_draws_the_same_montages_for_the_same_seed(tmp_path):
    for run in ("a", "b"):
        result = runner.invoke(
            app, ["sample", DESCRIPTION, "--out", str(tmp_path / run), "--n", "2", "--seed", "3"]
        )
        assert result.exit_code == 0, result.output
    codes_a, codes_b = (np.load(tmp_path / run / "codes.npy") for run in ("a", "b"))
    assert codes_a.shape == (2, 8, 8) and np.array_equal(codes_a, codes_b)
    assert (tmp_path / "a" / "candidate_01.png").stat().st_size > 500
    saved = json.loads((tmp_path / "a" / "samples.json").read_text(encoding="utf-8"))
    assert DESCRIPTION in json.dumps(saved, ensure_ascii=False)


def test_empty_description_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["sample", "   ", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Traceback" not in result.output
