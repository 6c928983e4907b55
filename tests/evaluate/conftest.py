"""Fixtures for the montage-evaluation tests: the drawn attribute data, a classifier trained on it, a tiny
random pipeline and a tiny random reranker, each saved to a folder once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from attributes.drawn import make_attribute_data


@pytest.fixture(scope="session")
def eval_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_attribute_data(tmp_path_factory.mktemp("eval") / "prepared")


@pytest.fixture(scope="session")
def classifier_dir(eval_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from text2montage.attributes.train import TrainOptions, train_attributes

    out = tmp_path_factory.mktemp("eval") / "classifier"  # a run folder: the classifier in attributes/
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    train_attributes(
        TrainOptions(
            data=eval_data, out=out, steps=120, batch_size=32, lr=3e-3, show_progress=False, eval_every=1000
        )
    )
    torch.set_num_threads(threads)
    return out / "attributes"


@pytest.fixture(scope="session")
def pipeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_pipeline import save_tiny_pipeline

    return save_tiny_pipeline(tmp_path_factory.mktemp("eval") / "pipeline")


@pytest.fixture(scope="session")
def reranker_dir(pipeline_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from text2montage.reranker import RerankerModel, preset_config
    from text2montage.text.tokenizer import load_text_tokenizer

    tokenizer = load_text_tokenizer(pipeline_dir / "tokenizer")
    torch.manual_seed(0)
    model = RerankerModel(
        preset_config("tiny", text_vocab_size=len(tokenizer), text_pad_id=tokenizer.pad_token_id)
    )
    out = tmp_path_factory.mktemp("eval") / "reranker"
    model.save_pretrained(out)
    tokenizer.save_pretrained(str(out / "tokenizer"))
    return out
