"""Training pairs for the reranker: a prepared split's sketches with captions drawn like the transformer's.

Each visit draws a new caption for the record from (seed, epoch, index) with dalle.captions.build_caption
(section subsets, shuffled orders, full descriptions, attribute sentences, prepared captions) and never
the empty caption. A batch carries the person ids too, so one person's other sketches are not used as
negatives of each other.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from text2montage.dalle.captions import CaptionOptions, build_caption, fit_sentences, record_sections
from text2montage.reranker.model import RerankerInputError, to_pixels
from text2montage.reranker.text import TextBatcher


def person_key(record: Mapping[str, Any], index: int) -> str:
    """The record's person (records without one count as a person of their own)."""
    person = record.get("person_id")
    return f"p:{person}" if person is not None else f"r:{index}"


def person_groups(records: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """(N,) int64: one integer per distinct person."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(person_key(r, i), len(ids)) for i, r in enumerate(records)], np.int64)


class PairDataset(Dataset):
    """(image uint8 (S, S), caption, person group) triples; captions change with the epoch."""

    def __init__(
        self,
        images: np.ndarray,
        records: list[dict[str, Any]],
        batcher: TextBatcher,
        options: CaptionOptions | None = None,
        seed: int = 0,
    ) -> None:
        if len(images) != len(records):
            raise RerankerInputError(f"{len(images)} images but {len(records)} records: not the same split?")
        self.images, self.records, self.batcher, self.seed = images, records, batcher, seed
        self.options = options or CaptionOptions(dropout=0.0)
        self.groups = person_groups(records)
        self.epoch, self._cached_epoch, self._cache = 0, -1, {}

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.records)

    def caption(self, index: int, epoch: int | None = None) -> str:
        """The record's caption in this (or the current) epoch; the same every time it is asked for."""
        epoch = self.epoch if epoch is None else epoch
        if self._cached_epoch != epoch:
            self._cached_epoch, self._cache = epoch, {}
        if index not in self._cache:
            rng = random.Random(f"{self.seed}:{epoch}:{index}")
            self._cache[index] = build_caption(self.records[index], rng, self.options, self.batcher.fits)
        return self._cache[index]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, str, int]:
        image = torch.from_numpy(np.array(self.images[index], dtype=np.uint8))  # (S, S)
        return image, self.caption(index), int(self.groups[index])


class LengthGroupedSampler(Sampler[int]):
    """A random order of the dataset that depends only on (seed, epoch), in which every run of
    `batch_size` indices holds captions of similar token length, so padding to the longest in the batch
    wastes little (the text tower's cost grows with the padded length).

    The epoch's permutation is cut into windows of `window` batches; each window is sorted by caption
    length, cut into batches, and its batches are shuffled. Used with DataLoader(batch_size, drop_last).
    """

    def __init__(self, dataset: PairDataset, batch_size: int, seed: int, window: int = 32) -> None:
        self.dataset, self.batch_size, self.seed, self.window = dataset, batch_size, seed, window

    # One epoch for the sampler and the dataset: accelerate's DataLoaderShard.set_epoch reaches only one of
    # them in some set-ups (under DDP the sampler, not the dataset; after skip_first_batches the dataset).
    @property
    def epoch(self) -> int:
        return self.dataset.epoch

    def set_epoch(self, epoch: int) -> None:
        self.dataset.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.dataset)

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        order = torch.randperm(len(self.dataset), generator=generator).tolist()
        span = self.window * self.batch_size
        for start in range(0, len(order), span):
            yield from self._window(order[start : start + span], generator)

    def _window(self, indices: list[int], generator: torch.Generator) -> list[int]:
        tokens = self.dataset.batcher.token_ids
        length = {i: len(tokens(self.dataset.caption(i, self.epoch))) for i in indices}
        ranked = sorted(indices, key=lambda i: (length[i], i))
        batches = [ranked[b : b + self.batch_size] for b in range(0, len(ranked), self.batch_size)]
        full = [batches[b] for b in torch.randperm(len(batches), generator=generator).tolist()]
        full.sort(key=len, reverse=True)  # a short remainder batch goes last (drop_last drops it)
        return [i for batch in full for i in batch]


class PairCollator:
    """A list of triples -> the model's keyword inputs (pixels at image_size, ids padded to the longest)."""

    def __init__(self, batcher: TextBatcher, image_size: int) -> None:
        self.batcher, self.image_size = batcher, image_size

    def __call__(self, batch: list[tuple[torch.Tensor, str, int]]) -> dict[str, torch.Tensor]:
        images, captions, groups = zip(*batch, strict=True)
        ids, mask = self.batcher.encode(captions, warn=False)  # (B, L), (B, L)
        return {
            "pixel_values": to_pixels(torch.stack(images), self.image_size),  # (B, 1, H, W)
            "input_ids": ids,
            "attention_mask": mask,
            "groups": torch.tensor(groups, dtype=torch.long),  # (B,)
        }


def full_description(record: Mapping[str, Any], mode: str = "full") -> str:
    """The record's prepared caption of this mode ('full', 'attributes', ...); for 'full' without one,
    every section description joined."""
    caption = (record.get("captions") or {}).get(mode)
    if isinstance(caption, str) and caption.strip():
        return caption
    return fit_sentences(record_sections(record), lambda _: True) if mode == "full" else ""


def one_per_person(records: Sequence[Mapping[str, Any]], mode: str = "full") -> list[int]:
    """Indices of one record per person that has a `mode` caption: the most detailed level (3 = H)."""
    best: dict[str, int] = {}
    for index, record in enumerate(records):
        if not full_description(record, mode):
            continue
        key = person_key(record, index)
        if key not in best or _level(record) > _level(records[best[key]]):
            best[key] = index
    return sorted(best.values())


def _level(record: Mapping[str, Any]) -> int:
    level = record.get("level")
    return level if isinstance(level, int) else 0
