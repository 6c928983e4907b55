"""KoDALLE: a transformers Llama decoder over [text tokens; image codes], with the montage parts around it.

- Separate vocabularies: text tokens come from `text_embed` (optionally a pretrained language model's
  table, projected to the model width); image codes from `image_embed`. The only output head predicts
  image codes, so drawing can never produce a text token.
- Text padding: every pad position gets its own learned pad embedding instead of a token embedding, so
  padding is never confused with content and no attention mask is needed (training and prefill run
  plain causal SDPA). An all-pad text is the unconditional prompt used for classifier-free guidance.
- Image positions know the grid: each code adds a row embedding and a column embedding (the Llama
  rotary embedding adds 1-D relative positions over the whole sequence on top).

Sequence layout (N = grid_size**2): inputs [t_0 .. t_{L-1}, c_0 .. c_{N-2}]; the output at position
L-1+j predicts code c_j. The text length L is that of the batch (1 <= L <= text_len): a batch is padded
only to its longest caption, so short captions cost short sequences; rotary positions are relative, and
the image's row/column embeddings do not depend on L.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from transformers import Cache, LlamaConfig, LlamaModel

from text2montage.dalle.config import DalleConfig
from text2montage.errors import ModelLoadError, OptionError
from text2montage.weights import load_weights_strict, save_weights


class DalleInputError(OptionError):
    """Token ids or codes of the wrong shape or outside their vocabulary."""


class DalleLoadError(ModelLoadError):
    """A saved model folder is missing, truncated or does not match its config."""


def llama_config(config: DalleConfig) -> LlamaConfig:
    """The backbone's configuration; its token embedding table is unused (inputs_embeds drive it)."""
    return LlamaConfig(
        vocab_size=1,
        hidden_size=config.width,
        intermediate_size=config.ffn_mult * config.width,
        num_hidden_layers=config.layers,
        num_attention_heads=config.heads,
        num_key_value_heads=config.heads,
        max_position_embeddings=config.seq_len,
        attention_dropout=config.attention_dropout,
        rope_theta=config.rope_theta,
        initializer_range=config.init_std,
        tie_word_embeddings=False,
        pad_token_id=None,
        bos_token_id=None,
        eos_token_id=None,
        attn_implementation="sdpa",
    )


class KoDalle(nn.Module):
    """Decoder-only text-to-image-code transformer; see the module docstring for the layout."""

    def __init__(self, config: DalleConfig) -> None:
        super().__init__()
        self.config = config
        width, embed = config.width, config.embed_width
        self.text_embed = nn.Embedding(config.text_vocab_size, embed)
        self.text_pos = nn.Embedding(config.position_rows, embed)
        self.text_proj = nn.Linear(embed, width) if embed != width else nn.Identity()
        self.text_pad = nn.Parameter(torch.empty(config.text_len, width))  # (T, W)
        self.image_embed = nn.Embedding(config.codebook_size, width)
        self.image_row = nn.Embedding(config.grid_size, width)
        self.image_col = nn.Embedding(config.grid_size, width)
        self.backbone = LlamaModel(llama_config(config))
        self.backbone.embed_tokens = None  # never used: the backbone is driven with inputs_embeds
        self.image_head = nn.Linear(width, config.codebook_size, bias=False)
        self._init_own_weights()
        self.set_text_embeddings_frozen(config.freeze_text_embeddings)

    def _init_own_weights(self) -> None:
        std = self.config.init_std
        for table in (self.text_embed, self.text_pos, self.image_embed, self.image_row, self.image_col):
            nn.init.normal_(table.weight, std=std)
        nn.init.normal_(self.text_pad, std=std)
        nn.init.normal_(self.image_head.weight, std=std)
        if isinstance(self.text_proj, nn.Linear):
            nn.init.normal_(self.text_proj.weight, std=std)
            nn.init.zeros_(self.text_proj.bias)

    def set_text_embeddings_frozen(self, frozen: bool) -> None:
        """Freeze (or unfreeze) the text token and text position tables (KoDALLE's pretrained route)."""
        self.config.freeze_text_embeddings = frozen
        self.text_embed.weight.requires_grad_(not frozen)
        self.text_pos.weight.requires_grad_(not frozen)

    # ----------------------------------------------------------------------------------------------
    # embeddings
    # ----------------------------------------------------------------------------------------------
    def embed_text(self, text_ids: torch.Tensor) -> torch.Tensor:
        """(B, T) token ids -> (B, T, W); pad positions get their per-position pad embedding."""
        cfg = self.config
        offset = cfg.text_position_offset
        positions = self.text_pos.weight[offset : offset + text_ids.shape[1]]  # (T, E)
        tokens = self.text_proj(self.text_embed(text_ids) + positions)  # (B, T, W)
        is_pad = (text_ids == cfg.text_pad_id).unsqueeze(-1)  # (B, T, 1)
        return torch.where(is_pad, self.text_pad[: text_ids.shape[1]], tokens)  # (B, T, W)

    def embed_codes(self, codes: torch.Tensor, start: int | torch.Tensor = 0) -> torch.Tensor:
        """(B, K) codes at grid indices start .. start+K-1 -> (B, K, W), with row and column embeddings."""
        grid = self.config.grid_size
        index = torch.arange(codes.shape[1], device=codes.device) + start  # (K,)
        return self.image_embed(codes) + self.image_row(index // grid) + self.image_col(index % grid)

    def embed_sequence(self, text_ids: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """(B, T) text + (B, K) leading codes -> (B, T+K, W)."""
        return torch.cat([self.embed_text(text_ids), self.embed_codes(codes)], dim=1)

    # ----------------------------------------------------------------------------------------------
    # transformer
    # ----------------------------------------------------------------------------------------------
    def hidden_states(
        self,
        embeds: torch.Tensor,
        start: int | torch.Tensor = 0,
        cache: Cache | None = None,
        attention_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """(B, L, W) embeddings at sequence positions start .. start+L-1 -> (B, L, W) final hidden states.

        With a cache, the keys and values of these positions are appended to it (prefill / decode).
        attention_mask: an optional ready 4-D bool mask (1, 1, L, S) (True = attend); None = causal.
        """
        positions = (torch.arange(embeds.shape[1], device=embeds.device) + start).unsqueeze(0)  # (1, L)
        out = self.backbone(
            inputs_embeds=embeds,
            position_ids=positions,
            cache=cache,
            use_cache=cache is not None,
            attention_mask=attention_mask,
        )
        return out.last_hidden_state  # (B, L, W)

    def image_logits(self, text_ids: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """Full forward without cache: (B, T) text and (B, K) leading codes (0 <= K < N) -> (B, K+1, V)
        logits for codes 0 .. K (the training forward when K = N-1; the reference sampler otherwise)."""
        self.check_inputs(text_ids, codes, allow_full=False)
        hidden = self.hidden_states(self.embed_sequence(text_ids, codes))  # (B, L+K, W)
        return self.image_head(hidden[:, text_ids.shape[1] - 1 :])  # (B, K+1, V)

    def forward(self, text_ids: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """The training loss (so DDP wrappers see a forward call): same as `loss`."""
        return self.loss(text_ids, codes)

    def loss(self, text_ids: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of all N image codes given the text: (B, T), (B, N) -> scalar."""
        self.check_inputs(text_ids, codes, allow_full=True)
        if codes.shape[1] != self.config.image_len:
            raise DalleInputError(f"loss needs all {self.config.image_len} codes, got {codes.shape[1]}")
        logits = self.image_logits(text_ids, codes[:, :-1])  # (B, N, V)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), codes.reshape(-1))

    def code_log_likelihood(self, text_ids: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """Per-code log-probabilities of (B, N) codes given (B, T) text -> (B, N)."""
        logits = self.image_logits(text_ids, codes[:, :-1])  # (B, N, V)
        log_probs = torch.log_softmax(logits.float(), dim=-1)  # (B, N, V)
        return log_probs.gather(-1, codes.unsqueeze(-1)).squeeze(-1)  # (B, N)

    # ----------------------------------------------------------------------------------------------
    # input checks (entry points only; the decode loop trusts its own tensors)
    # ----------------------------------------------------------------------------------------------
    def check_inputs(self, text_ids: torch.Tensor, codes: torch.Tensor, allow_full: bool) -> None:
        cfg = self.config
        if text_ids.ndim != 2 or not 1 <= text_ids.shape[1] <= cfg.text_len:
            raise DalleInputError(f"text ids must be (batch, 1..{cfg.text_len}), got {tuple(text_ids.shape)}")
        if codes.ndim != 2 or codes.shape[0] != text_ids.shape[0]:
            raise DalleInputError(f"codes must be (batch={text_ids.shape[0]}, K), got {tuple(codes.shape)}")
        limit = cfg.image_len if allow_full else cfg.image_len - 1
        if codes.shape[1] > limit:
            raise DalleInputError(f"at most {limit} codes here, got {codes.shape[1]}")
        _check_range(text_ids, cfg.text_vocab_size, "text token ids")
        _check_range(codes, cfg.codebook_size, "image codes")

    # ----------------------------------------------------------------------------------------------
    # persistence
    # ----------------------------------------------------------------------------------------------
    def save_pretrained(self, folder: str | Path) -> None:
        """Write config.json and model.safetensors into folder."""
        folder = Path(folder)
        self.config.save(folder)
        save_weights(self, folder)

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> KoDalle:
        """Load a folder written by save_pretrained; every weight must be present with its saved shape."""
        folder = Path(folder)
        if not folder.is_dir():
            raise DalleLoadError(f"{folder} is not a folder with a trained dalle model")
        model = cls(DalleConfig.load(folder))
        load_weights_strict(model, folder, DalleLoadError)
        return model.eval()

    def warm_start_from(self, folder: str | Path) -> None:
        """Start from a trained model's weights (same architecture; the text window may differ).

        A longer window keeps the trained text positions and pad embeddings and leaves the new rows as
        initialised; a shorter one keeps the first rows. Anything else that differs is an error.
        """
        other = KoDalle.from_pretrained(folder)
        mine, theirs = self.config.to_dict(), other.config.to_dict()
        window_keys = {"text_len", "text_position_rows"}
        differ = sorted(k for k in mine if k not in window_keys and mine[k] != theirs[k])
        if differ:
            detail = ", ".join(f"{k} {theirs[k]} vs {mine[k]}" for k in differ)
            raise DalleLoadError(f"cannot start from {folder}: its config differs ({detail})")
        with torch.no_grad():
            for name, target in self.state_dict().items():
                source = other.state_dict()[name]
                rows = min(len(source), len(target)) if name in ("text_pos.weight", "text_pad") else None
                if rows is None:
                    target.copy_(source)
                else:
                    target[:rows].copy_(source[:rows])

    def num_parameters(self, trainable_only: bool = False) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)


def _check_range(ids: torch.Tensor, size: int, what: str) -> None:
    if ids.dtype != torch.int64:
        raise DalleInputError(f"{what} must be an int64 (long) tensor, got {ids.dtype}")
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= size):
        raise DalleInputError(f"{what} must lie in [0, {size}), got [{int(ids.min())}, {int(ids.max())}]")
