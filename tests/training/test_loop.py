"""The shared training scaffold: schedule, logger, resume refusal, options, a whole tiny run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from text2montage.checkpoint import save_checkpoint
from text2montage.errors import CheckpointError, OptionError
from text2montage.training.loop import (
    AccumulatedSteps,
    RunLogger,
    TrainingRun,
    adamw,
    checkpoint_to_resume,
    make_accelerator,
    restore,
    train_steps,
    warmup_cosine,
    warmup_cosine_schedule,
)
from text2montage.training.run import RunFolder, RunOptions


class Line(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(3))

    def save_pretrained(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "marker.txt").write_text("saved")  # the scaffold calls it; what it writes is the model's


def test_warmup_then_cosine_to_the_floor() -> None:
    factors = [warmup_cosine(s, warmup_steps=4, total_steps=20, min_ratio=0.1) for s in range(25)]
    assert factors[:4] == [0.25, 0.5, 0.75, 1.0]
    assert all(a >= b for a, b in zip(factors[3:], factors[4:], strict=False))
    assert factors[20] == pytest.approx(0.1) and factors[24] == pytest.approx(0.1)


def test_logger_writes_jsonl_and_drops_lines_after_a_resume(tmp_path: Path) -> None:
    accelerator = make_accelerator(RunOptions(out=tmp_path))
    logger = RunLogger(accelerator, tmp_path / "logs")
    for step in (1, 2, 3, 4):
        logger.scalars({"loss": float(step)}, step)
    logger.close()
    RunLogger(accelerator, tmp_path / "logs", start_step=2).close()
    lines = (tmp_path / "logs" / "scalars.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [{"step": 1, "loss": 1.0}, {"step": 2, "loss": 2.0}]


def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="mixed precision"):
        RunOptions(out=tmp_path, mixed_precision="fp8")
    with pytest.raises(OptionError, match="accumulation"):
        RunOptions(out=tmp_path, grad_accum=0)


def _run(out: Path, **options: object) -> tuple[TrainingRun, torch.optim.Optimizer]:
    run_options = RunOptions(out=out, show_progress=False, **options)
    accelerator = make_accelerator(run_options)
    model = Line()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = warmup_cosine_schedule(optimizer, 2, 6, 0.0)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    run = TrainingRun(accelerator, RunFolder(out, "line"), run_options, model, scheduler, total_steps=6,
                      log_every=2, checkpoint_every=4, identity={"preset": "tiny"})  # fmt: skip
    return run, optimizer


def _step(run: TrainingRun, optimizer: torch.optim.Optimizer, index: int) -> dict[str, float]:
    loss = ((run.model.weight - index) ** 2).sum()
    run.accelerator.backward(loss)
    optimizer.step()
    run.scheduler.step()
    optimizer.zero_grad()
    return {"loss": float(loss.detach())}


def test_a_run_stops_resumes_and_saves_its_component(tmp_path: Path) -> None:
    run, optimizer = _run(tmp_path, stop_at=3)
    first = train_steps(run, restore(run), lambda i: _step(run, optimizer, i))
    assert (first.start_step, first.step) == (0, 3) and not (tmp_path / "line").exists()
    with pytest.raises(CheckpointError, match="--resume"):
        checkpoint_to_resume(run.folder, resume=False)
    assert checkpoint_to_resume(run.folder, resume=True) == tmp_path / "training" / "line" / "checkpoint"
    run, optimizer = _run(tmp_path, resume=True)
    seen = []
    rest = train_steps(run, restore(run), lambda i: _step(run, optimizer, i),
                       lambda done, logger: seen.append(done) or {"eval": 1.0})  # fmt: skip
    assert (rest.start_step, rest.step, seen) == (3, 6, [4, 5, 6])
    assert rest.logged["eval"] == 1.0 and "lr" in rest.history[0]
    assert (tmp_path / "line" / "marker.txt").is_file()


def test_resume_refuses_a_checkpoint_of_another_preset(tmp_path: Path) -> None:
    run, _ = _run(tmp_path)
    save_checkpoint(run.accelerator, run.model, run.folder.work_dir, 1, {**run.identity, "preset": "large"})
    run, _ = _run(tmp_path, resume=True)
    with pytest.raises(CheckpointError, match="preset 'large'"):
        restore(run)


def test_adamw_decays_matrices_only() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4))
    optimizer = adamw(model, lr=1e-3, weight_decay=0.1, betas=(0.9, 0.95))
    decayed, plain = optimizer.param_groups
    assert [p.ndim for p in decayed["params"]] == [2] and decayed["weight_decay"] == 0.1
    assert sorted(p.ndim for p in plain["params"]) == [1, 1, 1] and plain["weight_decay"] == 0.0


def test_accumulated_micro_batches_make_one_step_on_the_whole_batch(tmp_path: Path) -> None:
    data = torch.randn(8, 3)

    def trained(grad_accum: int) -> tuple[torch.Tensor, float]:
        torch.manual_seed(0)
        options = RunOptions(out=tmp_path, grad_accum=grad_accum)
        accelerator = make_accelerator(options)
        model = nn.Linear(3, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        scheduler = warmup_cosine_schedule(optimizer, 0, 10, 0.0)
        model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
        batches = iter(data.chunk(grad_accum))
        steps = AccumulatedSteps(accelerator, model, optimizer, scheduler, batches, grad_accum, 10.0)
        loss = steps.step(lambda batch: (model(batch) ** 2).mean())
        return model.weight.detach().clone(), loss

    whole, whole_loss = trained(1)
    halves, halves_loss = trained(2)
    assert torch.allclose(whole, halves, atol=1e-6) and halves_loss == pytest.approx(whole_loss, rel=1e-5)
