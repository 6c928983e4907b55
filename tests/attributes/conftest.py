"""Fixtures for the attribute-classifier tests (the drawn data lives in drawn.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from attributes.drawn import make_attribute_data


@pytest.fixture(scope="session")
def attribute_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_attribute_data(tmp_path_factory.mktemp("attributes") / "prepared")
