"""A tiny random-weight MontagePipeline (4x4 code grids, 32x32 images) for pipeline, CLI and app tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

CAPTIONS = [
    "얼굴형은 계란형이다. 눈이 작고 입술이 도톰하다.",
    "긴 생머리에 앞머리가 눈썹 아래까지 내려온다.",
    "코가 크고 콧대가 높다. 입꼬리가 올라가 있다.",
    "둥근 얼굴에 눈썹이 진하고 눈꼬리가 내려가 있다.",
    "각진 턱에 광대가 튀어나와 있으며 이마가 넓다.",
]


def build_tiny_pipeline(seed: int = 0, text_len: int = 24):  # noqa: ANN201 - MontagePipeline
    from text2montage.dalle.config import preset_config
    from text2montage.dalle.model import KoDalle
    from text2montage.pipeline import MontagePipeline
    from text2montage.text.tokenizer import train_text_tokenizer
    from text2montage.vqgan.config import get_preset
    from text2montage.vqgan.model import VQGAN

    torch.manual_seed(seed)
    tokenizer = train_text_tokenizer(CAPTIONS * 4, vocab_size=600)
    dalle = KoDalle(preset_config("tiny", text_vocab_size=len(tokenizer), text_pad_id=tokenizer.pad_token_id,
                                  text_len=text_len))
    vqgan = VQGAN(replace(get_preset("tiny").model, channels=(8, 16, 16, 16)))  # 32x32 -> 4x4 codes
    return MontagePipeline(tokenizer, vqgan, dalle)


def save_tiny_pipeline(folder: Path, seed: int = 0) -> Path:
    build_tiny_pipeline(seed).save_pretrained(folder)
    return folder
