"""`text2montage train attributes` and `eval attributes` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from text2montage.cli import app
from text2montage.data.store import load_split

runner = CliRunner()


def test_train_then_eval_json_and_table(attribute_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "clf"
    result = runner.invoke(app, ["train", "attributes", "--data", str(attribute_data), "--out", str(out),
                                 "--steps", "3", "--batch-size", "16"])
    assert result.exit_code == 0, result.output
    assert (out / "attributes" / "config.json").is_file()
    assert (out / "attributes" / "model.safetensors").is_file()
    logs = out / "training" / "attributes" / "logs"
    assert (logs / "scalars.jsonl").is_file() and list(logs.glob("events.out.tfevents.*"))

    result = runner.invoke(app, ["eval", "attributes", "--model", str(out), "--data", str(attribute_data),
                                 "--split", "test", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 120 and set(report["fields"]) == {"face.size", "eyebrows.deep", "feature.mole"}
    row = report["fields"]["face.size"]
    assert {"accuracy", "balanced_accuracy", "majority_accuracy", "n", "readable"} <= set(row)
    assert report["readable_count"] + len(report["unreadable"]) == 3

    blank = tmp_path / "blank.npy"
    np.save(blank, np.full_like(np.asarray(load_split(attribute_data, "test").images), 255))
    result = runner.invoke(app, ["eval", "attributes", "--model", str(out), "--data", str(attribute_data),
                                 "--images", str(blank)])
    assert result.exit_code == 0, result.output
    assert "readable" in result.output


def test_user_mistakes_exit_2(attribute_data: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "attributes", "--model", str(tmp_path / "none"),
                                 "--data", str(attribute_data)])
    assert result.exit_code == 2
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((3, 32, 32), np.uint8))
    result = runner.invoke(app, ["eval", "attributes", "--model", str(tmp_path / "none"),
                                 "--data", str(attribute_data), "--images", str(wrong)])
    assert result.exit_code == 2
    (tmp_path / "m").mkdir()
    result = runner.invoke(app, ["train", "attributes", "--data", str(tmp_path / "nothing"), "--out",
                                 str(tmp_path / "m"), "--steps", "1"])
    assert result.exit_code == 2
