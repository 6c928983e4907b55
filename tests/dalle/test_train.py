"""Training: a tiny run end to end, exact resume, the CLI, and two processes under accelerate launch."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from typer.testing import CliRunner

from text2montage.dalle.train import TrainConfig, TrainInputs, train_dalle
from text2montage.data.store import write_json_atomic, write_split
from text2montage.text.tokenizer import train_text_tokenizer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
FACES = ["계란형 얼굴이다.", "둥근형 얼굴이다.", "긴형 얼굴이다."]
EYES = ["눈이 작다.", "눈이 크고 쌍꺼풀이 있다.", "눈꼬리가 올라갔다."]
NOSES = ["코가 높다.", "코가 낮고 뭉툭하다."]


def make_records(count: int, offset: int) -> list[dict]:
    return [
        {
            "sections": {
                "face": FACES[(i + offset) % 3],
                "eyes": EYES[(i + offset) % 3 - 1],
                "nose": NOSES[i % 2],
            },
            "attributes": {"face.type": "계란형"},
            "captions": {"full": FACES[(i + offset) % 3]},
        }
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    prepared, codes_dir = root / "prepared", root / "codes"
    write_json_atomic(prepared / "meta.json", {"size": 8})
    rng = np.random.default_rng(0)
    codes_dir.mkdir()
    for split, count in (("train", 24), ("val", 8)):
        records = make_records(count, 0 if split == "train" else 1)
        write_split(prepared / split, np.zeros((count, 8, 8), dtype=np.uint8), records)
        np.save(codes_dir / f"{split}.npy", rng.integers(0, 32, (count, 4, 4)).astype(np.uint16))
    texts = [" ".join(r["sections"].values()) for r in make_records(24, 0)]
    train_text_tokenizer(texts, vocab_size=300).save_pretrained(str(root / "tokenizer"))
    return {"prepared": prepared, "codes": codes_dir, "tokenizer": root / "tokenizer", "root": root}


def inputs_for(corpus: dict[str, Path], out: Path) -> TrainInputs:
    return TrainInputs(
        codes_dir=corpus["codes"],
        prepared_dir=corpus["prepared"],
        tokenizer=str(corpus["tokenizer"]),
        out_dir=out,
        preset="tiny",
    )


def small_config(**overrides: object) -> TrainConfig:
    base = dict(steps=6, batch_size=4, lr=3e-3, warmup_steps=2, log_every=1, checkpoint_every=100,
                sample_every=100, eval_every=100, eval_batches=2, caption_dropout=0.2)  # fmt: skip
    return TrainConfig(**{**base, **overrides})


def test_train_writes_model_tokenizer_samples_and_logs(corpus, tmp_path) -> None:
    add_tiny_vqgan(tmp_path / "vqgan")
    inputs = inputs_for(corpus, tmp_path / "run")
    inputs.vqgan = tmp_path / "vqgan"
    result = train_dalle(inputs, small_config(steps=4), show_progress=False)
    tmp_path = tmp_path / "run"
    assert (
        result.summary["step"] == 4 and np.isfinite(result.summary["loss"]) and "val_loss" in result.summary
    )
    assert (tmp_path / "dalle" / "model.safetensors").is_file() and (tmp_path / "tokenizer").is_dir()
    sample = json.loads((tmp_path / "samples" / "step_0000004.json").read_text())
    assert len(sample["captions"]) == 4 and np.array(sample["codes"]).shape == (4, 4, 4)
    assert any((tmp_path / "logs").iterdir()) and (tmp_path / "checkpoint" / "trainer_state.json").is_file()
    assert (tmp_path / "samples" / "step_0000004.png").is_file()
    add_tiny_vqgan(tmp_path.parent / "vqgan32", image_size=32)  # 8x8 grids: cannot decode 4x4 codes
    inputs.vqgan, inputs.out_dir = tmp_path.parent / "vqgan32", tmp_path.parent / "other"
    with pytest.raises(ValueError, match="decodes 8x8 grids"):
        train_dalle(inputs, small_config(steps=4), show_progress=False)


def test_resume_equals_uninterrupted_run(corpus, tmp_path) -> None:
    straight = train_dalle(inputs_for(corpus, tmp_path / "a"), small_config(), show_progress=False)
    first = train_dalle(inputs_for(corpus, tmp_path / "b"), small_config(stop_at=3), show_progress=False)
    assert first.summary["step"] == 3 and not (tmp_path / "b" / "dalle").exists()
    resumed = train_dalle(inputs_for(corpus, tmp_path / "b"), small_config(), show_progress=False)
    assert resumed.summary["start_step"] == 3 and resumed.summary["step"] == 6
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name


def test_cli_train_then_sample(corpus, tmp_path) -> None:
    from text2montage.cli import app

    runner = CliRunner()
    out = tmp_path / "run"
    args = ["train", "dalle", "--codes", str(corpus["codes"]), "--data", str(corpus["prepared"]),
            "--tokenizer", str(corpus["tokenizer"]), "--out", str(out), "--preset", "tiny", "--steps", "2",
            "--batch-size", "4"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--resume" in again.output
    samples = tmp_path / "samples"
    sample_args = [
        "sample",
        "계란형 얼굴에 눈이 작다",
        "--model",
        str(out),
        "--out",
        str(samples),
        "--n",
        "3",
    ]
    result = runner.invoke(app, [*sample_args, "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert np.load(samples / "codes.npy").shape == (3, 4, 4)
    first = np.load(samples / "codes.npy")
    again = runner.invoke(app, [*sample_args, "--seed", "1"])
    assert again.exit_code == 0 and json.loads((samples / "samples.json").read_text())["seed"] == 1
    assert np.array_equal(np.load(samples / "codes.npy"), first)
    add_tiny_vqgan(out / "vqgan")
    result = runner.invoke(app, [*sample_args, "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert len(list(samples.glob("candidate_*.png"))) == 3
    empty = runner.invoke(app, ["sample", "  ", "--model", str(out), "--out", str(samples)])
    assert empty.exit_code == 2 and "empty" in empty.output
    missing = runner.invoke(
        app, ["sample", "눈이 작다", "--model", str(tmp_path / "nope"), "--out", str(samples)]
    )
    assert missing.exit_code == 2 and "no model folder" in missing.output


def add_tiny_vqgan(folder: Path, image_size: int = 16) -> None:
    from text2montage.vqgan.config import VQGANConfig
    from text2montage.vqgan.model import VQGAN

    config = VQGANConfig(image_size=image_size, channels=(8, 16, 16), norm_groups=4, latent_channels=8,
                         codebook_size=32, code_dim=4)  # fmt: skip
    VQGAN(config).save_pretrained(folder)


RANK_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from safetensors.torch import save_file
    from text2montage.dalle.train import TrainConfig, TrainInputs, train_dalle

    codes, prepared, tokenizer, out = sys.argv[1:5]
    inputs = TrainInputs(codes_dir=Path(codes), prepared_dir=Path(prepared), tokenizer=tokenizer,
                         out_dir=Path(out), preset="tiny")
    config = TrainConfig(steps=3, batch_size=4, lr=3e-3, warmup_steps=1, log_every=1, checkpoint_every=100,
                         sample_every=100, eval_every=100, eval_batches=1)
    result = train_dalle(inputs, config, show_progress=False)
    state = {k: v.contiguous() for k, v in result.model.state_dict().items()}
    save_file(state, str(Path(out) / f"rank{result.model_rank}.safetensors"))
    """
).replace("result.model_rank", "__import__('os').environ['RANK']")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_processes_end_with_identical_weights(corpus, tmp_path) -> None:
    script = tmp_path / "rank_train.py"
    script.write_text(RANK_SCRIPT)
    env = {**os.environ, "ACCELERATE_USE_CPU": "1", "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1",
           "HF_HUB_OFFLINE": "1"}  # fmt: skip
    command = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
               "--num_machines", "1", "--mixed_precision", "no", "--main_process_port", str(free_port()),
               str(script), str(corpus["codes"]), str(corpus["prepared"]), str(corpus["tokenizer"]),
               str(tmp_path / "out")]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    rank0, rank1 = (load_file(str(tmp_path / "out" / f"rank{r}.safetensors")) for r in (0, 1))
    assert rank0.keys() == rank1.keys()
    for name in rank0:
        assert torch.equal(rank0[name], rank1[name]), name
    fresh = load_file(str(tmp_path / "out" / "dalle" / "model.safetensors"))
    assert all(torch.equal(fresh[name], rank0[name]) for name in rank0)  # the saved model is the ranks' one


def test_model_sized_from_codes_meta(corpus, tmp_path) -> None:
    import shutil

    from text2montage.dalle.train import build_model

    codes = tmp_path / "codes"
    shutil.copytree(corpus["codes"], codes)
    write_json_atomic(codes / "meta.json", {"grid_size": 4, "codebook_size": 40})
    inputs = inputs_for(corpus, tmp_path / "out")
    inputs.codes_dir = codes
    model = build_model(inputs, tokenizer_size=300, pad_id=0)
    assert (model.config.codebook_size, model.config.grid_size, model.config.text_vocab_size) == (40, 4, 300)
