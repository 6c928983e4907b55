"""The product: one MontagePipeline folder (tokenizer/, vqgan/, dalle/, reranker/, model_index.json) loaded
together; the CLI's generate/redraw/show, the web app and the evaluation all go through it."""

from text2montage.pipeline.errors import (
    MontageCodeError,
    PipelineError,
    PipelineInputError,
    PipelineLoadError,
)
from text2montage.pipeline.pipeline import MontagePipeline
from text2montage.pipeline.results import Candidate, Montage, MontageResult

__all__ = [
    "Candidate",
    "Montage",
    "MontageCodeError",
    "MontagePipeline",
    "MontageResult",
    "PipelineError",
    "PipelineInputError",
    "PipelineLoadError",
]
