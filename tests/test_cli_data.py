"""The data commands end to end, and clear errors (no tracebacks) for a user's mistakes."""

from __future__ import annotations

from typer.testing import CliRunner

from text2montage.cli import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_synth_prepare_tokenizer_end_to_end(tmp_path):
    raw, prepared, tok = tmp_path / "raw", tmp_path / "prepared", tmp_path / "tok"
    result = _run(
        "data",
        "synth",
        "--out",
        raw,
        "--n",
        6,
        "--seed",
        3,
        "--width",
        135,
        "--height",
        180,
        "--preview",
        tmp_path / "sheet.png",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sheet.png").stat().st_size > 1000
    result = _run("data", "prepare", raw, "--out", prepared, "--size", 32)
    assert result.exit_code == 0, result.output
    assert "18 records of 18 prepared" in result.output
    result = _run("train", "tokenizer", "--data", prepared, "--out", tok, "--vocab-size", 300)
    assert result.exit_code == 0, result.output
    assert (tok / "tokenizer.json").is_file()


def test_user_mistakes_are_clear_errors(tmp_path):
    cases = [
        (("data", "prepare", tmp_path / "missing", "--out", tmp_path / "o"), "is not a folder"),
        (("data", "prepare", tmp_path, "--out", tmp_path / "o"), "no JSON records"),
        (("data", "prepare", tmp_path, "--out", tmp_path / "o", "--fit", "stretch"), "--fit must be"),
        (("data", "prepare", tmp_path, "--out", tmp_path / "o", "--split", "0.5,0.5"), "three"),
        (
            ("data", "prepare", tmp_path, "--out", tmp_path / "o", "--captions", "poem"),
            "unknown caption mode",
        ),
        (("train", "tokenizer", "--data", tmp_path, "--out", tmp_path / "t"), "data prepare"),
        (("data", "preview", tmp_path, "--out", tmp_path / "p.png"), "no usable records"),
    ]
    for args, message in cases:
        result = _run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    bad_n = _run("data", "synth", "--out", tmp_path / "s", "--n", 0)
    assert bad_n.exit_code != 0 and "Traceback" not in bad_n.output
