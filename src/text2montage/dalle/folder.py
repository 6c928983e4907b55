"""Finding a trained transformer on disk: a pipeline folder (or a training run's OUT) holding
`dalle/` (config.json + model.safetensors), `tokenizer/` and optionally `vqgan/`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from text2montage.dalle.captions import CaptionEncoder
from text2montage.dalle.config import CONFIG_FILE
from text2montage.dalle.model import DalleLoadError, KoDalle
from text2montage.dalle.sampling import SamplingConfig, generate
from text2montage.text.tokenizer import load_text_tokenizer

DEFAULT_PIPELINE_DIR = Path(__file__).resolve().parent.parent / "pretrained" / "default"
DALLE_DIR, TOKENIZER_DIR, VQGAN_DIR = "dalle", "tokenizer", "vqgan"


@dataclass
class LoadedDalle:
    model: KoDalle
    tokenizer: PreTrainedTokenizerBase
    vqgan_dir: Path | None

    @property
    def encoder(self) -> CaptionEncoder:
        return CaptionEncoder(self.tokenizer, self.model.config.text_len)


def resolve_folders(path: str | Path | None) -> tuple[Path, Path, Path | None]:
    """(dalle folder, tokenizer folder, vqgan folder or None) for a pipeline folder or a dalle folder."""
    root = Path(path) if path is not None else DEFAULT_PIPELINE_DIR
    if not root.is_dir():
        hint = " (the shipped default model is not installed; pass --model)" if path is None else ""
        raise DalleLoadError(f"no model folder at {root}{hint}; train one with `text2montage train dalle`")
    if (root / DALLE_DIR / CONFIG_FILE).is_file():
        dalle, base = root / DALLE_DIR, root
    elif (root / CONFIG_FILE).is_file():
        dalle, base = root, root.parent
    else:
        raise DalleLoadError(f"{root} holds neither {DALLE_DIR}/{CONFIG_FILE} nor {CONFIG_FILE}")
    tokenizer = next((p for p in (dalle / TOKENIZER_DIR, base / TOKENIZER_DIR) if p.is_dir()), None)
    if tokenizer is None:
        raise DalleLoadError(f"no {TOKENIZER_DIR}/ folder beside {dalle}")
    vqgan = base / VQGAN_DIR
    return dalle, tokenizer, vqgan if vqgan.is_dir() else None


def load_dalle(path: str | Path | None = None) -> LoadedDalle:
    """Model (eval mode), tokenizer and VQGAN location from a pipeline folder (None: the shipped default)."""
    dalle, tokenizer_dir, vqgan = resolve_folders(path)
    model = KoDalle.from_pretrained(dalle)
    tokenizer = load_text_tokenizer(tokenizer_dir)
    if tokenizer.pad_token_id != model.config.text_pad_id or len(tokenizer) > model.config.text_vocab_size:
        raise DalleLoadError(f"{tokenizer_dir} is not the tokenizer {dalle} was trained with")
    return LoadedDalle(model=model, tokenizer=tokenizer, vqgan_dir=vqgan)


def sample_description(loaded: LoadedDalle, description: str, n: int, config: SamplingConfig) -> np.ndarray:
    """Draw n code grids for one description -> int64 (n, G, G)."""
    text_ids, _ = loaded.encoder.encode_description(description)  # (1, T)
    with torch.inference_mode():
        codes = generate(loaded.model, text_ids, n, config)  # (n, N)
    grid = loaded.model.config.grid_size
    return codes.numpy().reshape(n, grid, grid)
