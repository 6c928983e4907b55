"""Training the reranker: the CLI end to end, exact resume, the length-grouped sampler, user errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
from reranker.sketches import DESCRIPTIONS, SECTIONS, drawn_set
from safetensors.torch import load_file
from transformers import BertConfig, BertModel
from typer.testing import CliRunner

from text2montage.cli import app
from text2montage.reranker import Reranker
from text2montage.reranker.data import LengthGroupedSampler, PairDataset, one_per_person
from text2montage.reranker.text import TextBatcher
from text2montage.reranker.train import train_reranker
from text2montage.reranker.train_config import TrainConfig, TrainInputs
from text2montage.text.tokenizer import load_text_tokenizer
from text2montage.training.run import RunOptions

os.environ.setdefault("HF_HUB_OFFLINE", "1")
runner = CliRunner()


def tiny_run(prepared: Path, tokenizer_dir: Path, out: Path, steps: int = 6, **options) -> RunOptions:
    config = TrainConfig(steps=steps, batch_size=8, lr=2e-3, warmup_steps=2, log_every=2, checkpoint_every=2,
                         eval_every=3, eval_size=12)  # fmt: skip
    inputs = TrainInputs(data=prepared, tokenizer=str(tokenizer_dir), preset="tiny")
    run_options = RunOptions(out=out, show_progress=False, **options)
    train_reranker(inputs, config, run_options)
    return run_options


def test_train_and_eval_from_the_cli(prepared: Path, tokenizer_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["train", "reranker", "--data", str(prepared), "--out", str(out), "--tokenizer",
            str(tokenizer_dir), "--preset", "tiny", "--steps", "40", "--batch-size", "12", "--lr", "3e-3",
            "--eval-every", "20", "--checkpoint-every", "20", "--threads", "1"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {p.name for p in (out / "reranker").iterdir()} == {"config.json", "model.safetensors", "tokenizer"}
    logs = (out / "training/reranker/logs/scalars.jsonl").read_text().splitlines()
    assert any("val/r_precision" in json.loads(line) for line in logs)
    result = runner.invoke(app, ["eval", "reranker", "--model", str(out), "--data", str(prepared), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 12 and report["r_precision_pool"] == 12
    assert {"image_to_text_r@1", "text_to_image_r@5", "mean_true_similarity"} <= set(report)
    # held-out persons (six kinds, twice each): well above chance (1/10 others for R-precision)
    assert report["r_precision"] > 0.5 and report["mean_true_similarity"] > report["mean_other_similarity"]
    assert Reranker.from_pretrained(out).score(DESCRIPTIONS[0], drawn_set(3, seed=9)[0]).shape == (3,)


def test_resume_reproduces_the_uninterrupted_run(prepared: Path, tokenizer_dir: Path, tmp_path: Path) -> None:
    tiny_run(prepared, tokenizer_dir, tmp_path / "whole")
    tiny_run(prepared, tokenizer_dir, tmp_path / "parts", stop_at=5)  # 4 batches an epoch: resume mid-epoch 1
    assert not (tmp_path / "parts" / "reranker").exists()  # the model appears only after the last step
    tiny_run(prepared, tokenizer_dir, tmp_path / "parts", resume=True)
    whole = load_file(str(tmp_path / "whole/reranker/model.safetensors"))
    parts = load_file(str(tmp_path / "parts/reranker/model.safetensors"))
    assert whole.keys() == parts.keys()
    for name, tensor in whole.items():
        torch.testing.assert_close(parts[name], tensor, rtol=0, atol=1e-6, msg=name)


def test_user_errors_exit_2_with_one_line(prepared: Path, tokenizer_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    tiny_run(prepared, tokenizer_dir, out, steps=2)
    base = ["train", "reranker", "--data", str(prepared), "--out", str(out), "--preset", "tiny",
            "--tokenizer", str(tokenizer_dir)]  # fmt: skip
    result = runner.invoke(app, base)
    assert result.exit_code == 2 and "--resume" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["train", "reranker", "--data", str(tmp_path / "nothing"), "--out",
                                 str(tmp_path / "r2"), "--preset", "tiny"])  # fmt: skip
    assert result.exit_code == 2 and "prepare" in result.output
    result = runner.invoke(app, [*base[:5], str(tmp_path / "r3"), "--preset", "tiny", "--batch-size", "500"])
    assert result.exit_code == 2 and "fewer than one batch" in result.output
    result = runner.invoke(
        app, ["eval", "reranker", "--model", str(tmp_path / "none"), "--data", str(prepared)]
    )
    assert result.exit_code == 2 and "train reranker" in result.output


def test_text_encoder_route_trains(prepared: Path, tokenizer_dir: Path, tmp_path: Path) -> None:
    tokenizer = load_text_tokenizer(tokenizer_dir)
    bert = BertModel(BertConfig(vocab_size=len(tokenizer), hidden_size=24, num_hidden_layers=1,
                                num_attention_heads=2, intermediate_size=48, max_position_embeddings=64,
                                pad_token_id=tokenizer.pad_token_id))  # fmt: skip
    bert.save_pretrained(tmp_path / "bert")
    config = TrainConfig(steps=2, batch_size=8, log_every=1, checkpoint_every=2, eval_every=2, eval_size=4)
    inputs = TrainInputs(data=prepared, tokenizer=str(tokenizer_dir), text_encoder=str(tmp_path / "bert"),
                         preset="tiny")  # fmt: skip
    train_reranker(inputs, config, RunOptions(out=tmp_path / "run", show_progress=False))
    saved = json.loads((tmp_path / "run/reranker/config.json").read_text())
    assert saved["text_encoder"] == str(tmp_path / "bert") and saved["text_width"] == 24
    assert Reranker.from_pretrained(tmp_path / "run").text_features(DESCRIPTIONS[:2]).shape == (2, 16)


def varied_records(count: int) -> list[dict]:
    """Records with 1..6 sections: captions of very different token lengths."""
    return [{"person_id": i, "sections": {SECTIONS[j]: DESCRIPTIONS[j] for j in range(i % 6 + 1)}}
            for i in range(count)]  # fmt: skip


def test_length_grouped_sampler_is_a_seeded_permutation_of_similar_lengths(tokenizer_dir: Path) -> None:
    batcher = TextBatcher(load_text_tokenizer(tokenizer_dir), 64)
    dataset = PairDataset(np.zeros((96, 4, 4), np.uint8), varied_records(96), batcher, seed=0)
    sampler = LengthGroupedSampler(dataset, batch_size=8, seed=0, window=4)
    order = list(sampler)
    assert sorted(order) == list(range(96)) and order == list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) != order and dataset.epoch == 1  # one epoch for both (accelerate may set either)
    dataset.set_epoch(0)
    assert list(sampler) == order

    def spread(indices: list[int]) -> float:
        lengths = [len(batcher.token_ids(dataset.caption(i, 0))) for i in indices]
        return float(np.mean([max(lengths[b : b + 8]) - min(lengths[b : b + 8]) for b in range(0, 96, 8)]))

    shuffled = torch.randperm(96, generator=torch.Generator().manual_seed(0)).tolist()
    assert spread(order) < 0.5 * spread(shuffled)


def test_one_sketch_per_person_the_most_detailed() -> None:
    records = [{"person_id": 1, "level": 1, "captions": {"full": "a"}},
               {"person_id": 1, "level": 3, "captions": {"full": "b"}},
               {"person_id": 2, "level": 2, "captions": {"full": "c"}},
               {"person_id": 3, "level": 3, "captions": {}}]  # fmt: skip
    assert one_per_person(records) == [1, 2]
