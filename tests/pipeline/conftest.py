"""A tiny pipeline saved once per session; tests load it (or copy it to break it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tiny_pipeline import save_tiny_pipeline


@pytest.fixture(autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("tiny") / "pipeline")


@pytest.fixture(scope="session")
def pipe(tiny_dir: Path):  # noqa: ANN201
    from text2montage.pipeline import MontagePipeline

    return MontagePipeline.from_pretrained(tiny_dir)
