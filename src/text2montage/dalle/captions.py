"""Training captions from a prepared record, and caption -> fixed-length token ids.

A record's caption is rebuilt at every visit: a random non-empty subset of its section descriptions,
in the canonical section order or shuffled, optionally with some attribute sentences ("얼굴형은
계란형이다."), so a one-line description and a long one both look like training data. Whole sentences
are dropped (never cut) until the caption fits the text length. With probability `dropout` the caption
is empty: the unconditional prompt that classifier-free guidance needs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from text2montage.data.phrases import attribute_sentences
from text2montage.data.vocab import SECTIONS
from text2montage.errors import DataError
from text2montage.text.normalize import normalize_text

Fits = Callable[[str], bool]


class CaptionError(DataError):
    """A description that cannot be used (empty after clean-up), or a tokenizer without a pad token."""


@dataclass
class CaptionOptions:
    dropout: float = 0.1  # probability of the empty (unconditional) caption
    shuffle_prob: float = 0.5  # probability of a shuffled (not canonical) section order
    all_sections_prob: float = 0.3  # probability of using every section (the "full" description)
    attribute_prob: float = 0.3  # probability of adding attribute sentences
    prepared_caption_prob: float = 0.2  # probability of using one of the record's prepared captions

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not 0.0 <= value <= 1.0:
                raise CaptionError(f"caption option {name} must be a probability in [0, 1], got {value}")


def record_sections(record: Mapping[str, Any]) -> list[str]:
    """The record's non-empty section descriptions in canonical section order."""
    sections = record.get("sections") or {}
    return [
        normalize_text(sections[s])
        for s in SECTIONS
        if isinstance(sections.get(s), str) and sections[s].strip()
    ]


def record_attribute_sentences(record: Mapping[str, Any]) -> list[str]:
    """Attribute sentences ('얼굴형은 계란형이다.') for the record's categorical attributes."""
    return attribute_sentences(record.get("attributes") or {})


def build_caption(record: Mapping[str, Any], rng: random.Random, options: CaptionOptions, fits: Fits) -> str:
    """One random training caption for a record ('' = unconditional)."""
    if rng.random() < options.dropout:
        return ""
    prepared = [normalize_text(c) for c in (record.get("captions") or {}).values() if isinstance(c, str)]
    prepared = [c for c in prepared if c and fits(c)]
    if prepared and rng.random() < options.prepared_caption_prob:
        return rng.choice(prepared)
    parts = _choose_sections(record_sections(record), rng, options)
    if rng.random() < options.attribute_prob:
        sentences = record_attribute_sentences(record)
        parts += rng.sample(sentences, k=rng.randint(1, len(sentences))) if sentences else []
        if rng.random() < options.shuffle_prob:
            rng.shuffle(parts)
    return fit_sentences(parts, fits)


def _choose_sections(sections: list[str], rng: random.Random, options: CaptionOptions) -> list[str]:
    if not sections:
        return []
    if rng.random() < options.all_sections_prob:
        chosen = list(sections)
    else:
        indices = sorted(rng.sample(range(len(sections)), k=rng.randint(1, len(sections))))
        chosen = [sections[i] for i in indices]
    if rng.random() < options.shuffle_prob:
        rng.shuffle(chosen)
    return chosen


def fit_sentences(parts: Sequence[str], fits: Fits) -> str:
    """Join parts with spaces, dropping whole parts from the end until the text fits (at least one part
    is kept; a single part too long on its own is left for the tokenizer to truncate)."""
    parts = [p for p in parts if p]
    while len(parts) > 1 and not fits(" ".join(parts)):
        parts.pop()
    return normalize_text(" ".join(parts))


class CaptionEncoder:
    """Caption text -> (T,) token ids, padded with the tokenizer's pad id, no special tokens added."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, text_len: int) -> None:
        if tokenizer.pad_token_id is None:
            raise CaptionError("the tokenizer has no pad token; give it one (e.g. [PAD]) before training")
        self.tokenizer, self.text_len, self.pad_id = tokenizer, text_len, int(tokenizer.pad_token_id)

    def token_count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def fits(self, text: str) -> bool:
        return self.token_count(text) <= self.text_len

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """Normalised, truncated to text_len and padded to it: -> (B, T) long.

        Always the whole window, in training and in drawing alike: the image then starts at the same
        position for every caption. (Padding a short prompt only to its own length puts the image
        where training never had it, and the drawing falls apart; padding training batches only to
        their longest caption saved just 6% here, bench/text_window.py, since most batches hold a
        whole description.)"""
        rows = [
            self.tokenizer(normalize_text(text), add_special_tokens=False)["input_ids"][: self.text_len]
            for text in texts
        ]
        ids = torch.full((len(texts), self.text_len), self.pad_id, dtype=torch.long)  # (B, T)
        for row, tokens in enumerate(rows):
            ids[row, : len(tokens)] = torch.tensor(tokens, dtype=torch.long)
        return ids

    def encode_description(self, description: str) -> tuple[torch.Tensor, bool]:
        """A user's description -> ((1, T) ids, truncated?). Empty descriptions are an error."""
        text = normalize_text(description)
        if not text:
            raise CaptionError("the description is empty; describe the face (e.g. '계란형 얼굴에 눈이 작다')")
        return self.encode([text]), not self.fits(text)


def caption_length_stats(records: Sequence[Mapping[str, Any]], encoder: CaptionEncoder) -> dict[str, float]:
    """Token counts of every record's full description (all sections): to choose the text length."""
    counts = np.array([encoder.token_count(" ".join(record_sections(r))) for r in records] or [0])
    return {
        "records": len(records),
        "mean": float(counts.mean()),
        **{f"p{q}": float(np.percentile(counts, q)) for q in (50, 90, 95, 99)},
        "max": float(counts.max()),
    }
