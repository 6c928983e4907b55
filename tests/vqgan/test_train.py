"""VQGAN training: outputs, exact resume, refusal to overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2montage.vqgan.model import VQGAN
from text2montage.vqgan.train import TrainOptions, train_vqgan


def options(data: Path, out: Path, **kw) -> TrainOptions:
    return TrainOptions(data=data, out=out, preset="tiny", show_progress=False, **kw)


def test_training_writes_model_checkpoint_samples_logs(prepared: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    history = train_vqgan(options(prepared, out, steps=10))
    assert len(history) == 10 and "loss/disc" in history[-1]  # tiny preset: disc starts at step 5
    VQGAN.from_pretrained(out / "model")
    assert json.loads((out / "checkpoint" / "trainer_state.json").read_text())["step"] == 10
    assert list((out / "samples").glob("step_*.png"))
    assert list((out / "tensorboard").iterdir())
    assert len((out / "losses.jsonl").read_text().splitlines()) == 10


def test_resume_reproduces_uninterrupted_run(prepared: Path, tmp_path: Path) -> None:
    full = train_vqgan(options(prepared, tmp_path / "a", steps=14))
    first = train_vqgan(options(prepared, tmp_path / "b", steps=14, stop_at=7))  # mid-epoch, mid-window
    rest = train_vqgan(options(prepared, tmp_path / "b", steps=14, resume=True))
    assert len(first) == 7 and first + rest == full
    logged = [json.loads(line) for line in (tmp_path / "b" / "losses.jsonl").read_text().splitlines()]
    assert [e["step"] for e in logged] == list(range(14))


def test_resume_with_gradient_accumulation(prepared: Path, tmp_path: Path) -> None:
    full = train_vqgan(options(prepared, tmp_path / "a", steps=6, grad_accum=2))
    first = train_vqgan(options(prepared, tmp_path / "b", steps=6, grad_accum=2, stop_at=3))
    rest = train_vqgan(options(prepared, tmp_path / "b", steps=6, grad_accum=2, resume=True))
    assert first + rest == full


def test_refuses_to_overwrite_without_resume(prepared: Path, tmp_path: Path) -> None:
    train_vqgan(options(prepared, tmp_path / "a", steps=2))
    with pytest.raises(FileExistsError):
        train_vqgan(options(prepared, tmp_path / "a", steps=2))
