"""Held-out retrieval figures for a reranker: R-precision and image<->text recall@K.

One record per person (the most detailed level, i.e. the level-3 sketch where there is one) with its
full description, so no other sketch of the same person can be counted as a wrong match.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from text2montage.data.store import load_split
from text2montage.errors import DataError
from text2montage.metrics.fid import R_PRECISION_POOL, r_precision_from_similarity
from text2montage.reranker.data import full_description, one_per_person
from text2montage.reranker.scorer import Reranker
from text2montage.reranker.text import TextTruncatedWarning

RECALL_KS = (1, 5)


def recall_at(similarity: np.ndarray, ks: tuple[int, ...] = RECALL_KS) -> dict[str, float]:
    """similarity (N, N), text i vs image j, matched on the diagonal -> image->text and text->image R@K."""
    sim = np.asarray(similarity)
    true = np.diag(sim)
    # rank of the true match = how many candidates score strictly higher
    text_rank = (sim > true[None, :]).sum(axis=0)  # (N,) per image: descriptions above its own
    image_rank = (sim > true[:, None]).sum(axis=1)  # (N,) per description: images above its own
    out = {}
    for k in ks:
        out[f"image_to_text_r@{k}"] = float((text_rank < k).mean())
        out[f"text_to_image_r@{k}"] = float((image_rank < k).mean())
    return out


def evaluate_pairs(
    reranker: Reranker, descriptions: list[str], images: np.ndarray, pool: int, seed: int
) -> dict[str, Any]:
    """Every figure for matched (description i, image i) pairs."""
    if len(descriptions) < 2:
        raise DataError(f"evaluation needs at least 2 description/image pairs, got {len(descriptions)}")
    with warnings.catch_warnings():  # counted in the report instead
        warnings.simplefilter("ignore", TextTruncatedWarning)
        sim = reranker.similarity(descriptions, images)  # (N, N)
    return {
        "n": len(descriptions),
        "text_window": reranker.batcher.max_len,
        "cut_to_window": sum(not reranker.batcher.fits(text) for text in descriptions),
        "r_precision": r_precision_from_similarity(sim, pool, seed, descriptions),
        "r_precision_pool": min(pool, len(descriptions)),
        "r_precision_chance": 1 / min(pool, len(descriptions)),
        **recall_at(sim),
        "mean_true_similarity": float(np.diag(sim).mean()),
        "mean_other_similarity": float((sim.sum() - np.trace(sim)) / max(1, sim.size - len(sim))),
    }


def evaluate_reranker(
    reranker: Reranker,
    prepared_dir: str | Path,
    split: str = "test",
    caption: str = "full",
    limit: int | None = None,
    pool: int = R_PRECISION_POOL,
    seed: int = 0,
) -> dict[str, Any]:
    """The split's figures (first `limit` persons when given) as a JSON-ready dict."""
    start = time.perf_counter()
    data = load_split(prepared_dir, split)
    rows = one_per_person(data.records, caption)[:limit]
    if not rows:
        raise DataError(f"split {split!r} of {prepared_dir} has no records with a {caption!r} caption")
    descriptions = [full_description(data.records[i], caption) for i in rows]
    images = np.asarray(data.images[rows])  # (N, S, S)
    report = evaluate_pairs(reranker, descriptions, images, pool, seed)
    return {"split": split, "caption": caption, "seed": seed, **report,
            "seconds": round(time.perf_counter() - start, 2)}  # fmt: skip
