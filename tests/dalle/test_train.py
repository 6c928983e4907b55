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

from text2montage.dalle.train import train_dalle
from text2montage.dalle.train_config import TrainConfig, TrainInputs
from text2montage.data.store import write_json_atomic, write_split
from text2montage.errors import CheckpointError, OptionError
from text2montage.text.tokenizer import load_text_tokenizer, train_text_tokenizer
from text2montage.training.run import RunOptions

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


def inputs_for(corpus: dict[str, Path]) -> TrainInputs:
    return TrainInputs(
        codes_dir=corpus["codes"],
        prepared_dir=corpus["prepared"],
        tokenizer=str(corpus["tokenizer"]),
        preset="tiny",
    )


def small_config(**overrides: object) -> TrainConfig:
    base = dict(steps=6, batch_size=4, lr=3e-3, warmup_steps=2, log_every=1, checkpoint_every=100,
                sample_every=100, eval_every=100, eval_batches=2, caption_dropout=0.2)  # fmt: skip
    return TrainConfig(**{**base, **overrides})


def run_in(out: Path, **options: object) -> RunOptions:
    return RunOptions(out=out, show_progress=False, **options)


def test_train_writes_the_pipeline_components_and_run_files(corpus, tmp_path) -> None:
    from text2montage.pipeline.loading import load_component

    add_tiny_vqgan(tmp_path / "vqgan")
    inputs = inputs_for(corpus)
    inputs.vqgan = tmp_path / "vqgan"
    out = tmp_path / "run"
    result = train_dalle(inputs, small_config(steps=4), run_in(out))
    assert result.step == 4 and np.isfinite(result.logged["train/loss"])
    assert "val/image_code_ce" in result.logged
    assert load_component("dalle", out / "dalle").config.grid_size == 4  # as a pipeline folder holds it
    tokenizer = load_component("tokenizer", out / "tokenizer")
    assert len(tokenizer) == len(load_text_tokenizer(corpus["tokenizer"]))
    work = out / "training" / "dalle"
    sample = json.loads((work / "samples" / "step_0000004.json").read_text())
    assert len(sample["captions"]) == 4 and np.array(sample["codes"]).shape == (4, 4, 4)
    assert (work / "samples" / "step_0000004.png").is_file()
    assert (work / "checkpoint" / "trainer_state.json").is_file()
    logged = [json.loads(line) for line in (work / "logs" / "scalars.jsonl").read_text().splitlines()]
    assert [e["step"] for e in logged if "train/loss" in e] == [1, 2, 3, 4]
    assert [e["step"] for e in logged if "val/image_code_ce" in e] == [4]
    assert json.loads((work / "train_config.json").read_text())["train"]["steps"] == 4
    add_tiny_vqgan(tmp_path / "vqgan32", image_size=32)  # 8x8 grids: cannot decode 4x4 codes
    inputs.vqgan = tmp_path / "vqgan32"
    with pytest.raises(OptionError, match="decodes 8x8 grids"):
        train_dalle(inputs, small_config(steps=4), run_in(tmp_path / "other"))


def test_resume_equals_uninterrupted_run(corpus, tmp_path) -> None:
    straight = train_dalle(inputs_for(corpus), small_config(), run_in(tmp_path / "a"))
    first = train_dalle(inputs_for(corpus), small_config(), run_in(tmp_path / "b", stop_at=3))
    assert first.step == 3 and not (tmp_path / "b" / "dalle").exists()
    with pytest.raises(CheckpointError, match="--resume"):
        train_dalle(inputs_for(corpus), small_config(), run_in(tmp_path / "b"))
    resumed = train_dalle(inputs_for(corpus), small_config(), run_in(tmp_path / "b", resume=True))
    assert (resumed.start_step, resumed.step) == (3, 6)
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name


def test_resume_across_epochs_equals_uninterrupted_run(corpus, tmp_path) -> None:
    """24 records in batches of 4: epochs end at steps 6 and 12, so the resume starts mid-epoch 1 and the
    captions (drawn per epoch) must follow the sampler's epoch there too (bench/kill_test.py found them
    apart before iterate_from told the dataset its epoch)."""
    config = small_config(steps=14)
    straight = train_dalle(inputs_for(corpus), config, run_in(tmp_path / "a"))
    train_dalle(inputs_for(corpus), config, run_in(tmp_path / "b", stop_at=9))
    resumed = train_dalle(inputs_for(corpus), config, run_in(tmp_path / "b", resume=True))
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name


def test_cli_trains_refuses_to_overwrite_and_resumes(corpus, tmp_path) -> None:
    from text2montage.cli import app

    runner = CliRunner()
    out = tmp_path / "run"
    args = ["train", "dalle", "--codes", str(corpus["codes"]), "--data", str(corpus["prepared"]),
            "--tokenizer", str(corpus["tokenizer"]), "--out", str(out), "--preset", "tiny",
            "--batch-size", "4"]  # fmt: skip
    result = runner.invoke(app, [*args, "--steps", "2"])
    assert result.exit_code == 0, result.output
    assert (out / "dalle" / "model.safetensors").is_file() and "done at step 2" in result.output
    again = runner.invoke(app, [*args, "--steps", "2"])
    assert again.exit_code == 2 and "--resume" in again.output and "Traceback" not in again.output
    more = runner.invoke(app, [*args, "--steps", "3", "--resume"])
    assert more.exit_code == 0 and "done at step 3 (1 this run)" in more.output, more.output
    bad = runner.invoke(app, [*args, "--preset", "huge"])
    assert bad.exit_code == 2 and "'huge' is not one of" in bad.output


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
    from text2montage.dalle.train import train_dalle
    from text2montage.dalle.train_config import TrainConfig, TrainInputs
    from text2montage.training.run import RunOptions

    codes, prepared, tokenizer, out = sys.argv[1:5]
    inputs = TrainInputs(codes_dir=Path(codes), prepared_dir=Path(prepared), tokenizer=tokenizer,
                         preset="tiny")
    config = TrainConfig(steps=3, batch_size=4, lr=3e-3, warmup_steps=1, log_every=1, checkpoint_every=100,
                         sample_every=100, eval_every=100, eval_batches=1)
    result = train_dalle(inputs, config, RunOptions(out=Path(out), show_progress=False))
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
    inputs = inputs_for(corpus)
    inputs.codes_dir = codes
    model = build_model(inputs, None, tokenizer_size=300, pad_id=0)
    assert (model.config.codebook_size, model.config.grid_size, model.config.text_vocab_size) == (40, 4, 300)
