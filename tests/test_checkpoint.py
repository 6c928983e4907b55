"""Atomic checkpoints and exact resume with the shared training utilities (a tiny model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from accelerate import Accelerator
from safetensors.torch import save_file
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from text2montage import checkpoint as ckpt
from text2montage.checkpoint import (
    CheckpointError,
    EpochSampler,
    iterate_from,
    load_checkpoint,
    save_checkpoint,
)


class TinyModel(nn.Module):
    def __init__(self, width: int = 4) -> None:
        super().__init__()
        self.linear = nn.Linear(3, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).sum(-1)  # (B,)

    def save_pretrained(self, folder: Path) -> None:
        (Path(folder) / "config.json").write_text(json.dumps({"width": self.linear.out_features}))
        save_file(self.state_dict(), str(Path(folder) / "model.safetensors"))


def _setup(width: int = 4):
    torch.manual_seed(0)
    accelerator = Accelerator(cpu=True)
    model = TinyModel(width)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = TensorDataset(torch.randn(12, 3))
    loader = DataLoader(data, batch_size=4, sampler=EpochSampler(12, seed=1), drop_last=True)
    model, opt, loader = accelerator.prepare(model, opt, loader)
    return accelerator, model, opt, loader


def _train(accelerator, model, opt, loader, start: int, end: int) -> list[float]:
    losses = []
    batches = iterate_from(accelerator, loader, start)
    for _ in range(start, end):
        (x,) = next(batches)
        loss = (model(x) ** 2).mean() + 0.01 * torch.randn(()).abs()  # global RNG in the loss on purpose
        accelerator.backward(loss)
        opt.step()
        opt.zero_grad()
        losses.append(float(loss.detach()))
    return losses


def test_no_checkpoint_returns_none(tmp_path: Path) -> None:
    accelerator, *_ = _setup()
    assert load_checkpoint(accelerator, tmp_path) is None


def test_resume_reproduces_uninterrupted_losses(tmp_path: Path) -> None:
    full = _train(*_setup(), 0, 8)
    acc, model, opt, loader = _setup()
    first = _train(acc, model, opt, loader, 0, 5)
    save_checkpoint(acc, model, tmp_path, 5, {"note": "x"})
    acc, model, opt, loader = _setup()  # a fresh process
    state = load_checkpoint(acc, tmp_path)
    assert state == {"step": 5, "note": "x"}
    assert first + _train(acc, model, opt, loader, 5, 8) == full


def test_layout(tmp_path: Path) -> None:
    acc, model, *_ = _setup()
    folder = save_checkpoint(acc, model, tmp_path, 3)
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "trainer_state.json", "state"} <= names
    assert not list(tmp_path.glob(".checkpoint-tmp-*"))


def test_crash_during_write_keeps_previous(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    acc, model, *_ = _setup()
    save_checkpoint(acc, model, tmp_path, 1)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed while writing")

    monkeypatch.setattr(TinyModel, "save_pretrained", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(acc, model, tmp_path, 2)
    acc, model, *_ = _setup()
    assert load_checkpoint(acc, tmp_path)["step"] == 1


def test_crash_between_renames_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    acc, model, *_ = _setup()
    save_checkpoint(acc, model, tmp_path, 1)
    real_replace = ckpt.os.replace
    calls = []

    def replace_then_die(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # checkpoint already moved to checkpoint.old, new one not yet in place
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(ckpt.os, "replace", replace_then_die)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(acc, model, tmp_path, 2)
    monkeypatch.setattr(ckpt.os, "replace", real_replace)
    assert not (tmp_path / "checkpoint").exists()
    acc, model, *_ = _setup()
    assert load_checkpoint(acc, tmp_path)["step"] == 1


def test_truncated_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    acc, model, *_ = _setup()
    folder = save_checkpoint(acc, model, tmp_path, 1)
    weights = folder / "state" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:20])
    with pytest.raises(CheckpointError, match="cannot resume"):
        load_checkpoint(_setup()[0], tmp_path)


def test_mismatched_model_is_a_clear_error(tmp_path: Path) -> None:
    acc, model, *_ = _setup(width=4)
    save_checkpoint(acc, model, tmp_path, 1)
    acc, *_ = _setup(width=5)
    with pytest.raises(CheckpointError):
        load_checkpoint(acc, tmp_path)


def test_epoch_sampler_is_deterministic() -> None:
    s = EpochSampler(10, seed=3)
    s.set_epoch(2)
    a = list(s)
    s.set_epoch(3)
    b = list(s)
    s.set_epoch(2)
    assert list(s) == a != b and sorted(a) == list(range(10))


class _EpochItems(torch.utils.data.Dataset):
    """Items that say which epoch the dataset was told it is in."""

    def __init__(self) -> None:
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor(self.epoch)


@pytest.mark.parametrize("start", [0, 3])
def test_datasets_that_draw_per_epoch_are_told_the_epoch(start: int) -> None:
    accelerator = Accelerator(cpu=True)
    loader = accelerator.prepare(DataLoader(_EpochItems(), batch_size=2, sampler=EpochSampler(4, seed=0)))
    batches = iterate_from(accelerator, loader, start)
    seen = [int(next(batches)[0]) for _ in range(6 - start)]
    assert seen == [0, 0, 1, 1, 2, 2][start:]
