"""The evaluation's one door to the generator: descriptions -> K candidate montages each, and the
reranker's pick among them. Everything else in the evaluation sees only uint8 image arrays."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from text2montage.dalle.sampling import DEFAULT_GUIDANCE, DEFAULT_TEMPERATURE


@dataclass
class Sampling:
    """How candidates are drawn (recorded in the report)."""

    candidates: int = 8
    seed: int = 0
    guidance_scale: float = DEFAULT_GUIDANCE
    temperature: float = DEFAULT_TEMPERATURE
    top_k: int | None = None
    top_p: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Drawn:
    images: np.ndarray  # uint8 (D, K, S, S)
    seconds: float  # drawing and decoding, wall clock


def draw_montages(
    pipe: Any, descriptions: Sequence[str], sampling: Sampling, on_done: Callable[[int], None] | None = None
) -> Drawn:
    """K montages per description through MontagePipeline.generate_codes and the VQGAN decoder."""
    from text2montage.vqgan.codes import decode_codes

    started = time.perf_counter()
    codes = pipe.generate_codes(
        list(descriptions), num_candidates=sampling.candidates, seed=sampling.seed,
        guidance_scale=sampling.guidance_scale, temperature=sampling.temperature, top_k=sampling.top_k,
        top_p=sampling.top_p, on_batch=on_done,
    )  # (D, K, G, G)
    d, k, g, _ = codes.shape
    with torch.inference_mode():
        images = decode_codes(pipe.vqgan, codes.reshape(d * k, g, g))  # (D*K, S, S)
    size = images.shape[-1]
    return Drawn(images.reshape(d, k, size, size), time.perf_counter() - started)


def rerank_scores(reranker: Any, descriptions: Sequence[str], images: np.ndarray) -> np.ndarray:
    """float (D, K): the reranker's similarity of each candidate to its own description."""
    d, k, s, _ = images.shape
    text = reranker.text_features(list(descriptions))  # (D, E)
    image = reranker.image_features(images.reshape(d * k, s, s)).reshape(d, k, -1)  # (D, K, E)
    return torch.einsum("de,dke->dk", text, image).numpy()


def reconstruct(pipe: Any, images: np.ndarray) -> np.ndarray:
    """uint8 (N, S, S) real sketches -> their VQGAN reconstructions (the FID floor)."""
    from text2montage.vqgan.codes import decode_codes, encode_images

    with torch.inference_mode():
        return decode_codes(pipe.vqgan, encode_images(pipe.vqgan, np.asarray(images)))
