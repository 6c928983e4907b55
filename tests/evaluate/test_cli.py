"""`text2montage eval` end to end on a tiny pipeline: JSON report, report folder, the other eval commands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from text2montage.cli import app

runner = CliRunner()


def test_montage_eval_json_and_report(eval_data: Path, classifier_dir: Path, pipeline_dir: Path,
                                      reranker_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, [
        "eval", "--model", str(pipeline_dir), "--data", str(eval_data), "--num", "20", "--candidates", "3",
        "--attributes", str(classifier_dir), "--reranker", str(reranker_dir), "--json",
        "--report", str(tmp_path / "report"),
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 20 and report["sampling"]["candidates"] == 3
    assert set(report["attributes"]) == {"full", "attributes", "free_prose"}
    mean = report["attributes"]["full"]["mean"]
    assert mean["real_signal_retained"] == 1.0 and mean["reranked"] is not None
    assert report["signal_retained"]["full"] == {"first": mean["first_signal_retained"],
                                                 "reranked": mean["reranked_signal_retained"],
                                                 "reconstruction": mean["reconstruction_signal_retained"]}
    assert report["fid"]["full"] > 0 and report["fid_floor"] is not None
    assert report["r_precision"]["full"]["pool"] == 20
    assert 0 <= report["haar_rate"]["real"] <= 1
    assert report["timing"]["images_drawn"] == (20 + 20 + report["attributes"]["free_prose"]["entries"]) * 3
    for name in ("report.md", "report.json", "samples_full.png", "fields_full.png", "samples_free_prose.png"):
        assert (tmp_path / "report" / name).is_file(), name
    assert "signal retained" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")


def test_without_reranker_the_reranker_metrics_are_null_with_a_reason(
    eval_data: Path, classifier_dir: Path, pipeline_dir: Path
) -> None:
    result = runner.invoke(app, [
        "eval", "--model", str(pipeline_dir), "--data", str(eval_data), "--num", "6", "--candidates", "2",
        "--attributes", str(classifier_dir), "--captions", "full", "--no-free-prose", "--json",
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["fid"] == {"full": None} and report["fid_floor"] is None
    assert "reranked" not in report["attributes"]["full"]["mean"]
    assert any("no reranker" in note for note in report["notes"])


def test_user_mistakes_exit_2_and_subcommands_still_work(eval_data: Path, pipeline_dir: Path) -> None:
    result = runner.invoke(app, ["eval", "--model", str(pipeline_dir), "--data", str(eval_data)])
    assert result.exit_code == 2 and "attribute classifier" in result.output
    assert runner.invoke(app, ["eval", "--model", str(pipeline_dir)]).exit_code == 2
    poetry = ["eval", "--data", str(eval_data), "--captions", "poetry", "--attributes", "x"]
    result = runner.invoke(app, poetry)
    assert result.exit_code == 2
    assert runner.invoke(app, ["eval", "vqgan", "--help"]).exit_code == 0
    assert runner.invoke(app, ["eval", "attributes", "--help"]).exit_code == 0
    assert runner.invoke(app, ["eval"]).exit_code in (0, 2)  # no arguments: the help
