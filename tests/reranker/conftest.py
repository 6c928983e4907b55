"""Shared fixtures for the reranker tests (data helpers live in sketches.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reranker.sketches import DESCRIPTIONS, NECKS, make_prepared

from text2montage.text.tokenizer import train_text_tokenizer


@pytest.fixture(scope="session")
def tokenizer_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tokenizer")
    train_text_tokenizer((DESCRIPTIONS + NECKS) * 4, vocab_size=300).save_pretrained(str(path))
    return path


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Path:
    return make_prepared(tmp_path_factory.mktemp("prepared"))
