"""VQGAN training on the shared scaffold: run-folder layout, exact resume, refusal to overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2montage.errors import CheckpointError, OptionError
from text2montage.training.run import RunOptions
from text2montage.vqgan.model import VQGAN
from text2montage.vqgan.train import TrainInputs, preset_recipe, train_vqgan


def train(data: Path, out: Path, steps: int, resume: bool = False, **run: object):
    inputs = TrainInputs(data=data, preset="tiny")
    options = RunOptions(out=out, resume=resume, show_progress=False, **run)
    return train_vqgan(inputs, preset_recipe("tiny", steps=steps), options)


def test_training_writes_the_component_and_its_run_files(prepared: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = train(prepared, out, steps=10)
    assert len(result.history) == 10 and "loss/disc" in result.history[-1]  # tiny: disc starts at step 5
    VQGAN.from_pretrained(out / "vqgan")
    work = out / "training" / "vqgan"
    assert json.loads((work / "checkpoint" / "trainer_state.json").read_text())["step"] == 10
    assert list((work / "samples").glob("step_*.png"))
    assert list((work / "logs").glob("events.out.tfevents.*"))
    logged = [json.loads(line) for line in (work / "logs" / "scalars.jsonl").read_text().splitlines()]
    assert [entry["step"] for entry in logged] == [2, 4, 6, 8, 10]  # tiny: log_every 2
    assert {"loss/l1", "lr", "speed/steps_per_s"} <= set(logged[-1])
    assert json.loads((work / "train_config.json").read_text())["inputs"]["preset"] == "tiny"


def test_resume_reproduces_uninterrupted_run(prepared: Path, tmp_path: Path) -> None:
    full = train(prepared, tmp_path / "a", steps=14)
    first = train(prepared, tmp_path / "b", steps=14, stop_at=7)  # mid-epoch, mid-window
    assert not (tmp_path / "b" / "vqgan").exists()
    rest = train(prepared, tmp_path / "b", steps=14, resume=True)
    assert (first.step, rest.start_step, rest.step) == (7, 7, 14)
    assert first.history + rest.history == full.history
    logs = tmp_path / "b" / "training" / "vqgan" / "logs" / "scalars.jsonl"
    assert [json.loads(line)["step"] for line in logs.read_text().splitlines()] == [2, 4, 6, 7, 8, 10, 12, 14]


def test_resume_with_gradient_accumulation(prepared: Path, tmp_path: Path) -> None:
    full = train(prepared, tmp_path / "a", steps=6, grad_accum=2)
    first = train(prepared, tmp_path / "b", steps=6, grad_accum=2, stop_at=3)
    rest = train(prepared, tmp_path / "b", steps=6, grad_accum=2, resume=True)
    assert first.history + rest.history == full.history


def test_refuses_to_overwrite_or_to_resume_another_run(prepared: Path, tmp_path: Path) -> None:
    train(prepared, tmp_path / "a", steps=2)
    with pytest.raises(CheckpointError, match="--resume"):
        train(prepared, tmp_path / "a", steps=2)
    with pytest.raises(CheckpointError, match="grad_accum"):
        train(prepared, tmp_path / "a", steps=4, resume=True, grad_accum=2)
    with pytest.raises(OptionError, match="unknown VQGAN preset"):
        preset_recipe("huge")
