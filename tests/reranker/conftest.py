"""Shared fixtures for the reranker tests (data helpers live in sketches.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reranker.sketches import make_prepared, make_tokenizer


@pytest.fixture(scope="session")
def tokenizer_dir(tmp_path_factory) -> Path:
    return make_tokenizer(tmp_path_factory.mktemp("tokenizer"))


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Path:
    return make_prepared(tmp_path_factory.mktemp("prepared"))
