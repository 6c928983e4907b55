"""Reranker: a trained reranker folder as a small scoring API (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from text2montage.reranker.model import RerankerInputError, RerankerLoadError, RerankerModel
from text2montage.reranker.text import TextBatcher, check_descriptions
from text2montage.text.tokenizer import TokenizerNotFoundError, load_text_tokenizer
from text2montage.weights import CONFIG_FILE

TOKENIZER_DIR = "tokenizer"
PIPELINE_SUBDIR = "reranker"
DEFAULT_BATCH = 64


def resolve_folder(path: str | Path) -> tuple[Path, Path]:
    """(model folder, tokenizer folder) for a reranker folder, a pipeline folder holding reranker/, or a
    training run's checkpoint/ (its tokenizer/ sits one level up)."""
    root = Path(path)
    model = root / PIPELINE_SUBDIR if (root / PIPELINE_SUBDIR / CONFIG_FILE).is_file() else root
    if not (model / CONFIG_FILE).is_file():
        raise RerankerLoadError(
            f"no reranker at {root} (no {CONFIG_FILE}); train one with `text2montage train reranker`"
        )
    for candidate in (model / TOKENIZER_DIR, model.parent / TOKENIZER_DIR):
        if candidate.is_dir():
            return model, candidate
    raise RerankerLoadError(f"no {TOKENIZER_DIR}/ folder in or beside {model}")


def as_uint8_images(images: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 (N, S, S) or one (S, S) image, NumPy or torch -> uint8 tensor (N, S, S)."""
    tensor = torch.as_tensor(np.asarray(images)) if not isinstance(images, torch.Tensor) else images
    if tensor.dtype != torch.uint8:
        raise RerankerInputError(f"images must be uint8 grayscale (0..255), got {tensor.dtype}")
    if tensor.ndim == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 3 or tensor.shape[0] == 0 or tensor.shape[1] != tensor.shape[2]:
        raise RerankerInputError(f"images must be square (N, S, S) with N >= 1, got {tuple(tensor.shape)}")
    return tensor


class Reranker:
    """Scores how well sketches match a Korean description: cosine similarity of unit embeddings."""

    def __init__(self, model: RerankerModel, tokenizer: PreTrainedTokenizerBase) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batcher = TextBatcher(tokenizer, model.config.text_max_len)

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str | torch.device = "cpu") -> Reranker:
        """A reranker folder (config.json, model.safetensors, tokenizer/) or a pipeline folder with one."""
        model_dir, tokenizer_dir = resolve_folder(path)
        model = RerankerModel.from_pretrained(model_dir, device=device)
        try:
            tokenizer = load_text_tokenizer(tokenizer_dir)
        except TokenizerNotFoundError as err:
            raise RerankerLoadError(str(err)) from err
        config = model.config
        if tokenizer.pad_token_id != config.text_pad_id or len(tokenizer) > config.text_vocab_size:
            raise RerankerLoadError(f"{tokenizer_dir} is not the tokenizer {model_dir} was trained with")
        return cls(model, tokenizer)

    @property
    def device(self) -> torch.device:
        return self.model.dual.logit_scale.device

    @property
    def embed_dim(self) -> int:
        return self.model.config.projection_dim

    @torch.no_grad()
    def image_features(
        self, images: np.ndarray | torch.Tensor, batch_size: int = DEFAULT_BATCH
    ) -> torch.Tensor:
        """uint8 (N, S, S) sketches -> (N, D) float unit vectors on the CPU."""
        images = as_uint8_images(images)
        chunks = [
            self.model.image_embeds(self.model.pixels(images[i : i + batch_size])).cpu()
            for i in range(0, len(images), batch_size)
        ]
        return torch.cat(chunks)  # (N, D)

    @torch.no_grad()
    def text_features(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> torch.Tensor:
        """Descriptions -> (N, D) float unit vectors on the CPU; too-long ones are cut with a warning."""
        texts = check_descriptions(texts)
        chunks = []
        for i in range(0, len(texts), batch_size):
            ids, mask = self.batcher.encode(texts[i : i + batch_size])  # (b, L), (b, L)
            chunks.append(self.model.text_embeds(ids.to(self.device), mask.to(self.device)).cpu())
        return torch.cat(chunks) if chunks else torch.zeros(0, self.embed_dim)

    def similarity(self, texts: Sequence[str], images: np.ndarray | torch.Tensor) -> np.ndarray:
        """(T, N) cosine similarities between every description and every image."""
        return (self.text_features(texts) @ self.image_features(images).t()).numpy()

    def score(self, description: str, images: np.ndarray | torch.Tensor) -> np.ndarray:
        """(N,) cosine similarity of each image to the description, in [-1, 1]; higher = better match."""
        return self.similarity([description], images)[0]

    def rank(self, description: str, images: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """(indices best first, their scores): the images ordered by score (ties keep input order)."""
        scores = self.score(description, images)
        order = np.argsort(-scores, kind="stable")
        return order, scores[order]
