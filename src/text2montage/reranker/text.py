"""Description text -> token ids for the reranker's text tower.

Every text starts with the token the tower's pooler reads: the tokenizer's own [CLS]/<s> when it adds
special tokens (Hugging Face models), else [BOS] (the project's caption tokenizer adds none). A batch is
padded to its longest text, not to the window; a text longer than the window is cut to it with a
TextTruncatedWarning (never silently).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from transformers import PreTrainedTokenizerBase

from text2montage.reranker.model import RerankerInputError
from text2montage.text.normalize import normalize_text


class TextTruncatedWarning(UserWarning):
    """A description was longer than the reranker's text window and was cut to it."""


class TextBatcher:
    """Texts -> (ids (B, L), attention mask (B, L)) with L = the longest text in the batch, <= max_len."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, max_len: int) -> None:
        if tokenizer.pad_token_id is None:
            raise RerankerInputError(
                "the tokenizer has no pad token; give it one (e.g. [PAD]) before training"
            )
        start = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
        if start is None:
            raise RerankerInputError(
                "the tokenizer has neither a [CLS] nor a [BOS] token to start texts with"
            )
        self.tokenizer, self.max_len = tokenizer, max_len
        self.pad_id, self.start_id = int(tokenizer.pad_token_id), int(start)
        self._special = set(tokenizer.all_special_ids)

    def token_ids(self, text: str) -> list[int]:
        """The whole text's ids, starting with [CLS]/[BOS] (not cut to the window)."""
        ids = self.tokenizer(normalize_text(text), add_special_tokens=True)["input_ids"]
        return ids if ids and ids[0] in self._special else [self.start_id, *ids]

    def fits(self, text: str) -> bool:
        return len(self.token_ids(text)) <= self.max_len

    def encode(self, texts: Sequence[str], warn: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """-> ids (B, L) long, attention mask (B, L) long; texts cut to max_len (warning when `warn`)."""
        rows = [self.token_ids(text) for text in texts]
        cut = sum(len(r) > self.max_len for r in rows)
        if cut and warn:
            warnings.warn(
                f"{cut} of {len(rows)} description(s) longer than the reranker's {self.max_len}-token window "
                "were cut to it; only their beginning is scored",
                TextTruncatedWarning,
                stacklevel=2,
            )
        rows = [r[: self.max_len] for r in rows]
        length = max([1, *map(len, rows)])
        ids = torch.full((len(rows), length), self.pad_id, dtype=torch.long)  # (B, L)
        mask = torch.zeros((len(rows), length), dtype=torch.long)  # (B, L)
        for row, tokens in enumerate(rows):
            ids[row, : len(tokens)] = torch.tensor(tokens, dtype=torch.long)
            mask[row, : len(tokens)] = 1
        return ids, mask


def check_descriptions(texts: Sequence[str]) -> list[str]:
    """Normalised descriptions; an empty one (after clean-up) is an error."""
    if isinstance(texts, str):
        raise RerankerInputError("give a list of descriptions, not one string")
    cleaned = [normalize_text(t) if isinstance(t, str) else "" for t in texts]
    empty = [i for i, t in enumerate(cleaned) if not t]
    if empty:
        raise RerankerInputError(
            f"description {empty[0]} is empty; describe the face (e.g. '계란형 얼굴에 눈이 작다')"
        )
    return cleaned
