"""Tiny data for the reranker and metric tests: six kinds of drawn sketch, each with its own Korean
description (imported as `reranker.sketches`: tests/ is on the path)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch

from text2montage.data.store import META_FILE, write_json_atomic, write_split
from text2montage.reranker import Reranker, RerankerModel, preset_config
from text2montage.text.tokenizer import load_text_tokenizer, train_text_tokenizer

SIZE = 32
DESCRIPTIONS = [
    "얼굴이 둥글고 눈이 크다.",
    "얼굴이 네모나고 턱이 각졌다.",
    "긴 머리가 어깨까지 내려온다.",
    "눈썹이 진하고 콧수염이 있다.",
    "이마에 주름이 많고 입이 작다.",
    "코가 길고 입술이 두껍다.",
]
SECTIONS = ["face", "hairstyle", "eyebrows", "eyes", "nose", "mouth"]


def draw(kind: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 (SIZE, SIZE): a white sheet with one of six pencil figures, slightly jittered."""
    img = np.full((SIZE, SIZE), 255, np.uint8)
    c, d = SIZE // 2 + int(rng.integers(-1, 2)), int(rng.integers(40, 80))
    if kind == 0:
        cv2.circle(img, (c, c), 10, d, 2)
    elif kind == 1:
        cv2.rectangle(img, (c - 9, c - 9), (c + 9, c + 9), d, 2)
    elif kind == 2:
        for x in range(4, SIZE - 4, 6):
            cv2.line(img, (x, 2), (x, SIZE - 3), d, 2)
    elif kind == 3:
        cv2.line(img, (4, 4), (SIZE - 5, SIZE - 5), d, 3)
        cv2.line(img, (4, SIZE - 5), (SIZE - 5, 4), d, 3)
    elif kind == 4:
        for y in range(4, SIZE - 4, 6):
            cv2.line(img, (2, y), (SIZE - 3, y), d, 2)
    else:
        img[c - 8 : c + 8, c - 8 : c + 8] = d
    return img


def drawn_set(count: int, seed: int) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    kinds = [i % len(DESCRIPTIONS) for i in range(count)]
    return np.stack([draw(k, rng) for k in kinds]), kinds


NECKS = ["목이 길다.", "목이 굵고 짧다.", "목에 주름이 있다."]  # a second section: captions vary per visit


def record(kind: int, person: int) -> dict:
    neck = NECKS[person % len(NECKS)]
    return {
        "person_id": person,
        "level": 3,
        "sections": {SECTIONS[kind]: DESCRIPTIONS[kind], "neck": neck},
        "attributes": {},
        "captions": {"full": f"{DESCRIPTIONS[kind]} {neck}"},
    }


def make_tokenizer(path: Path) -> Path:
    """A tiny caption tokenizer over the drawn sets' descriptions, saved in path."""
    train_text_tokenizer((DESCRIPTIONS + NECKS) * 4, vocab_size=300).save_pretrained(str(path))
    return path


def make_prepared(root: Path, counts: tuple[int, int, int] = (36, 12, 12)) -> Path:
    """A prepared dataset: one record per person, sketch kind = person % 6."""
    person = 0
    for seed, (split, n) in enumerate(zip(("train", "val", "test"), counts, strict=True)):
        images, kinds = drawn_set(n, seed)
        records = [record(k, person + i) for i, k in enumerate(kinds)]
        person += n
        write_split(root / split, images, records)
    split_counts = dict(zip(("train", "val", "test"), counts, strict=True))
    write_json_atomic(root / META_FILE, {"size": SIZE, "counts": split_counts})
    return root


def tiny_reranker(tokenizer_dir: Path, seed: int = 0, **overrides) -> Reranker:
    tokenizer = load_text_tokenizer(tokenizer_dir)
    torch.manual_seed(seed)
    config = preset_config(
        "tiny", text_vocab_size=len(tokenizer), text_pad_id=tokenizer.pad_token_id, **overrides
    )
    return Reranker(RerankerModel(config), tokenizer)


def overfit(reranker: Reranker, images: np.ndarray, texts: list[str], steps: int = 150) -> Reranker:
    """Train on these pairs only (one batch, every step); pairs with the same text are one group, so
    they are not each other's negatives."""
    model = reranker.model.train()
    pixels = model.pixels(torch.from_numpy(images))
    ids, mask = reranker.batcher.encode(texts)
    groups = torch.tensor([sorted(set(texts)).index(t) for t in texts])
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(steps):
        loss = model(pixels, ids, mask, groups)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    return reranker


def trained_on_kinds(tokenizer_dir: Path, copies: int = 4) -> Reranker:
    """A tiny reranker overfit on `copies` jittered sketches of each kind with the kind's description."""
    images, kinds = drawn_set(copies * len(DESCRIPTIONS), seed=0)
    return overfit(tiny_reranker(tokenizer_dir), images, [DESCRIPTIONS[k] for k in kinds])
