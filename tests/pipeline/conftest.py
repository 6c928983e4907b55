"""A tiny pipeline saved once per session; tests load it (or copy it to break it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_pipeline import save_tiny_pipeline


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("tiny") / "pipeline")


@pytest.fixture(scope="session")
def pipe(tiny_dir: Path):  # noqa: ANN201
    from text2montage.pipeline import MontagePipeline

    return MontagePipeline.from_pretrained(tiny_dir)
