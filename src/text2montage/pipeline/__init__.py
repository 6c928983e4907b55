"""The product: one MontagePipeline folder (tokenizer/, vqgan/, dalle/, reranker/, model_index.json) loaded
together; the CLI's generate/redraw/show, the web app and the evaluation all go through it.

Names are imported on first use, so `text2montage.pipeline.errors` and friends stay light for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "MontagePipeline": "text2montage.pipeline.pipeline",
    "Candidate": "text2montage.pipeline.results",
    "Montage": "text2montage.pipeline.results",
    "MontageResult": "text2montage.pipeline.results",
    "MontageCodeError": "text2montage.pipeline.errors",
    "PipelineError": "text2montage.pipeline.errors",
    "PipelineInputError": "text2montage.pipeline.errors",
    "PipelineLoadError": "text2montage.pipeline.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'text2montage.pipeline' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
