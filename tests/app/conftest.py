"""A Studio over the tiny pipeline, one torch thread."""

from __future__ import annotations

import pytest
from tiny_pipeline import build_tiny_pipeline


@pytest.fixture(scope="session")
def tiny_pipe():  # noqa: ANN201
    return build_tiny_pipeline()


@pytest.fixture
def studio(tiny_pipe, tmp_path):  # noqa: ANN201
    from text2montage.app.studio import Studio

    studio = Studio(tiny_pipe, work_dir=tmp_path / "app")
    yield studio
    studio.close()
