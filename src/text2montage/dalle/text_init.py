"""KoDALLE's route: text token and position embeddings taken from a pretrained Hugging Face model.

`load_text_embeddings("klue/roberta-large")` (a cached Hub name or a local folder; never a download)
returns the model's input-embedding table and, when it has a learned one, its position table with the
row where position 0 lives (RoBERTa tables start after their padding row). `adapt_config` sizes a
DalleConfig for them (a projection maps their width to the model width), and `copy_text_embeddings`
copies them into a KoDalle; freeze them with `model.set_text_embeddings_frozen(True)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import torch
from torch import nn

from text2montage.dalle.config import DalleConfig
from text2montage.dalle.model import KoDalle
from text2montage.errors import ModelLoadError

_POSITION_NAMES = ("position_embeddings", "wpe", "embed_positions")


class TextEncoderNotFoundError(ModelLoadError):
    """The named model is neither a local folder nor in the Hugging Face cache, or has no embeddings."""


@dataclass
class TextEmbeddings:
    tokens: torch.Tensor  # (V, E)
    positions: torch.Tensor | None  # (P, E) or None for models without a learned position table
    position_offset: int  # row of position 0 in `positions`
    pad_token_id: int | None
    source: str


def _names_a_path(source: str) -> bool:
    """A folder, not a Hub id ('namespace/name'): absolute, relative with ./ or ~, or deeper than one '/'."""
    return Path(source).is_absolute() or source.startswith((".", "~")) or source.count("/") > 1


def load_text_embeddings(name_or_path: str | Path) -> TextEmbeddings:
    """The token (and position) embedding tables of a local or cached Hugging Face model."""
    from transformers import AutoModel

    source = str(name_or_path)
    if _names_a_path(source) and not Path(source).exists():
        raise TextEncoderNotFoundError(f"--text-encoder {source}: no such folder")
    try:
        model = AutoModel.from_pretrained(source, local_files_only=True)
    except (OSError, ValueError) as err:
        where = "the folder" if Path(source).exists() else "the Hugging Face cache"
        raise TextEncoderNotFoundError(
            f"cannot load text encoder {source!r} from {where}: {err}. This program never downloads: "
            f"fetch it once where you have network (`huggingface-cli download {source}`) or pass a local path"
        ) from err
    table = model.get_input_embeddings()
    if not isinstance(table, nn.Embedding):
        raise TextEncoderNotFoundError(f"{source} has no token embedding table")
    positions, offset = _position_table(model)
    return TextEmbeddings(
        tokens=table.weight.detach().clone(),
        positions=None if positions is None else positions.weight.detach().clone(),
        position_offset=offset,
        pad_token_id=getattr(model.config, "pad_token_id", None),
        source=source,
    )


def _position_table(model: nn.Module) -> tuple[nn.Embedding | None, int]:
    for name, module in model.named_modules():
        if isinstance(module, nn.Embedding) and name.split(".")[-1] in _POSITION_NAMES:
            padding = module.padding_idx
            offset = getattr(module, "offset", None)
            return module, int(offset) if offset is not None else (padding + 1 if padding is not None else 0)
    return None, 0


def adapt_config(config: DalleConfig, embeddings: TextEmbeddings, text_pad_id: int) -> DalleConfig:
    """The config with the text vocabulary, embedding width and position table of the pretrained model."""
    vocab, width = embeddings.tokens.shape
    rows = embeddings.positions.shape[0] if embeddings.positions is not None else None
    if rows is not None and embeddings.position_offset + config.text_len > rows:
        raise TextEncoderNotFoundError(
            f"{embeddings.source} has {rows} positions; text length {config.text_len} does not fit"
        )
    return replace(
        config,
        text_vocab_size=vocab,
        text_embed_width=None if width == config.width else width,
        text_position_rows=rows,
        text_position_offset=embeddings.position_offset if rows is not None else 0,
        text_pad_id=text_pad_id,
    )


def copy_text_embeddings(model: KoDalle, embeddings: TextEmbeddings) -> None:
    """Copy the pretrained tables into the model (shapes must match `adapt_config`'s)."""
    with torch.no_grad():
        if model.text_embed.weight.shape != embeddings.tokens.shape:
            raise TextEncoderNotFoundError(
                "the model's text table does not match the pretrained one; use adapt_config"
            )
        model.text_embed.weight.copy_(embeddings.tokens)
        if embeddings.positions is not None:
            model.text_pos.weight.copy_(embeddings.positions)


def check_tokenizer_fits(tokenizer_size: int, embeddings: TextEmbeddings) -> None:
    """The caption tokenizer's ids must index the pretrained table (use that model's own tokenizer)."""
    if tokenizer_size > embeddings.tokens.shape[0]:
        raise TextEncoderNotFoundError(
            f"the tokenizer has {tokenizer_size} tokens but {embeddings.source} embeds only "
            f"{embeddings.tokens.shape[0]}; pass the text encoder's own tokenizer "
            f"(--tokenizer {embeddings.source})"
        )
