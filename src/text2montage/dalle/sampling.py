"""Drawing code grids from a KoDalle: prefill / decode-one-code / generate with a KV cache.

- N candidates per description in one batch; classifier-free guidance runs the conditional and the
  unconditional (all-pad text) rows in ONE batched forward: logits = cond + (s - 1) * (cond - uncond),
  which is exactly `cond` at s = 1 (and then the unconditional rows are not computed at all).
- The prompt is prefilled once per distinct row (one conditional and one unconditional row per
  description, not one per candidate); its keys and values are then copied into a static cache that
  holds every candidate row. The decode step can be compiled (`compile_decode=True`); eager is the
  default and the fallback.
- Sampling: temperature, top-k, top-p; a seeded generator draws the noise, so the same seed gives the
  same codes (the exponential-race form of categorical sampling: argmax(p / E), E ~ Exp(1)).
- Kept codes: a draw can keep some codes of a reference grid (priming keeps the first k; region redraw
  keeps everything outside a mask). Kept codes are fed in, not sampled, and the model's log-likelihood
  of each kept code after the first drawn one is summed: how well the redrawn part fits the rest.
- `reference_generate` recomputes the whole sequence at every step (no cache) for equality checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import torch
from transformers import DynamicCache, StaticCache

from text2montage.dalle.model import DalleInputError, KoDalle

logger = logging.getLogger(__name__)

StepCallback = Callable[[torch.Tensor], None]  # receives (rows, N) codes, -1 where not drawn yet


# Chosen by measurement (bench/sampling_grid.py: eval's signal retained over a grid of settings, README)
DEFAULT_GUIDANCE = 5.0
DEFAULT_TEMPERATURE = 0.8


@dataclass
class SamplingConfig:
    """How to draw: temperature 0 is greedy; top_k / top_p None means no filtering."""

    temperature: float = DEFAULT_TEMPERATURE
    top_k: int | None = None
    top_p: float | None = None
    guidance_scale: float = DEFAULT_GUIDANCE
    seed: int | None = None

    def __post_init__(self) -> None:
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {self.top_k}")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if not self.guidance_scale >= 0:
            raise ValueError(f"guidance_scale must be >= 0, got {self.guidance_scale}")

    @property
    def guided(self) -> bool:
        return self.guidance_scale != 1.0


@dataclass
class DrawResult:
    codes: torch.Tensor  # (R, N) long
    kept_log_likelihood: torch.Tensor  # (R,) summed log p of kept codes after the first drawn code


# --------------------------------------------------------------------------------------------------
# logits -> codes
# --------------------------------------------------------------------------------------------------
def guide(cond: torch.Tensor, uncond: torch.Tensor, scale: float) -> torch.Tensor:
    """Classifier-free guidance on (R, V) logits; exactly `cond` when scale == 1."""
    return cond + (scale - 1.0) * (cond - uncond)  # (R, V)


def filter_logits(logits: torch.Tensor, top_k: int | None, top_p: float | None) -> torch.Tensor:
    """Set logits outside the top-k and outside the top-p nucleus to -inf: (R, V) -> (R, V)."""
    if top_k is not None and top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]  # (R, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1.0:
        sorted_logits, order = torch.sort(logits, dim=-1, descending=True)  # (R, V)
        probs = torch.softmax(sorted_logits, dim=-1)  # (R, V)
        outside = (torch.cumsum(probs, dim=-1) - probs) > top_p  # (R, V); the top code always stays
        logits = logits.masked_fill(outside.scatter(-1, order, outside), float("-inf"))
    return logits


def sample_codes(logits: torch.Tensor, config: SamplingConfig, generator: torch.Generator) -> torch.Tensor:
    """(R, V) logits -> (R,) codes."""
    if config.temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(filter_logits(logits.float() / config.temperature, config.top_k, config.top_p), -1)
    noise = torch.empty_like(probs).exponential_(1.0, generator=generator)  # (R, V)
    return (probs / noise).argmax(dim=-1)  # (R,)


def make_generator(seed: int | None, device: torch.device) -> torch.Generator:
    generator = torch.Generator(device=device)
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(int(seed))
    return generator


# --------------------------------------------------------------------------------------------------
# where the logits come from: KV cache, or full recompute (reference)
# --------------------------------------------------------------------------------------------------
@dataclass
class _Rows:
    """The batch layout: unique prompt rows and, per batch row, which unique row it copies."""

    text_ids: torch.Tensor  # (U, T)
    prefix: torch.Tensor  # (U, K) codes kept before the first drawn one
    expand: torch.Tensor  # (R,) index into the U unique rows


class CachedSampler:
    """Prefill once, then one cached decode step per code. Reusable across calls."""

    def __init__(self, model: KoDalle, compile_decode: bool = False) -> None:
        self.model = model
        # static-cache slots; a decode step at sequence position p attends to slots <= p
        self._slots = torch.arange(model.config.seq_len, device=next(model.parameters()).device)  # (S,)
        self._prompt_len = model.config.text_len  # text length of the prompts being drawn (set by prefill)
        self._decode_fn: Callable[..., torch.Tensor] = self._decode_eager
        if compile_decode:
            self._decode_fn = torch.compile(self._decode_eager, fullgraph=True, dynamic=False)

    @property
    def compiled(self) -> bool:
        """True while the compiled decode step is in use (False after a fallback to eager)."""
        return self._decode_fn != self._decode_eager

    def prefill(self, rows: _Rows) -> tuple[StaticCache, torch.Tensor]:
        """Run the unique prompts, copy their keys/values into a static cache of R rows -> (cache, (R, V))."""
        model = self.model
        small = DynamicCache(config=model.backbone.config)
        self._prompt_len = rows.text_ids.shape[1]
        embeds = model.embed_sequence(rows.text_ids, rows.prefix)  # (U, T+K, W)
        hidden = model.hidden_states(embeds, 0, small)  # (U, T+K, W)
        logits = model.image_head(hidden[:, -1])  # (U, V)
        cache = StaticCache(config=model.backbone.config, max_cache_len=model.config.seq_len)
        for layer_idx, layer in enumerate(small.layers):
            keys = layer.keys.index_select(0, rows.expand)  # (R, H, T+K, D)
            values = layer.values.index_select(0, rows.expand)  # (R, H, T+K, D)
            cache.update(keys, values, layer_idx)
        return cache, logits.index_select(0, rows.expand)  # (R, V)

    def decode_one(self, cache: StaticCache, codes: torch.Tensor, index: int) -> torch.Tensor:
        """Feed (R,) codes at grid index `index`; -> (R, V) logits for the code at index + 1."""
        index_t = torch.tensor(index, device=codes.device)
        position = torch.tensor(self._prompt_len + index, device=codes.device)  # a tensor: no recompiles
        try:
            return self._decode_fn(cache, codes, index_t, position)
        except Exception as err:  # noqa: BLE001 - a compiler failure must not lose the drawing
            if not self.compiled:
                raise
            logger.warning("compiled decode step failed (%s); falling back to eager", err)
            self._decode_fn = self._decode_eager
            return self._decode_fn(cache, codes, index_t, position)

    def _decode_eager(
        self, cache: StaticCache, codes: torch.Tensor, index: torch.Tensor, position: torch.Tensor
    ) -> torch.Tensor:
        model = self.model
        embeds = model.embed_codes(codes.unsqueeze(1), index)  # (R, 1, W)
        mask = (self._slots <= position).reshape(1, 1, 1, -1)  # (1, 1, 1, S)
        hidden = model.hidden_states(embeds, position, cache, mask)  # (R, 1, W)
        return model.image_head(hidden[:, 0])  # (R, V)

    def start(self, rows: _Rows) -> tuple[StaticCache, torch.Tensor]:
        return self.prefill(rows)

    def advance(self, state: StaticCache, codes: torch.Tensor, index: int) -> torch.Tensor:
        return self.decode_one(state, codes, index)


class RecomputeSampler:
    """The reference: every step runs the whole sequence again, one row per batch row, no cache."""

    def __init__(self, model: KoDalle) -> None:
        self.model = model

    def start(self, rows: _Rows) -> tuple[list[torch.Tensor], torch.Tensor]:
        text = rows.text_ids.index_select(0, rows.expand)  # (R, T)
        prefix = rows.prefix.index_select(0, rows.expand)  # (R, K)
        state = [text, prefix]
        return state, self.model.image_logits(text, prefix)[:, -1]  # (R, V)

    def advance(self, state: list[torch.Tensor], codes: torch.Tensor, index: int) -> torch.Tensor:
        state[1] = torch.cat([state[1], codes.unsqueeze(1)], dim=1)  # (R, index+1)
        return self.model.image_logits(state[0], state[1])[:, -1]  # (R, V)


# --------------------------------------------------------------------------------------------------
# the drawing loop shared by generate, priming, redraw and the reference
# --------------------------------------------------------------------------------------------------
@torch.no_grad()
def draw(
    engine: CachedSampler | RecomputeSampler,
    text_ids: torch.Tensor,
    n: int,
    config: SamplingConfig,
    reference: torch.Tensor | None = None,
    keep: torch.Tensor | None = None,
    on_step: StepCallback | None = None,
    stream_every: int = 8,
) -> DrawResult:
    """Draw n grids per description: (D, T) text -> DrawResult with (D*n, N) codes, description-major.

    reference (D, N) and keep (N,) bool: positions where keep is True take the reference's code.
    """
    model = engine.model
    keep, reference = _check_draw_inputs(model, text_ids, n, reference, keep)
    if stream_every < 1:
        raise DalleInputError(f"stream_every must be >= 1, got {stream_every}")
    kept = keep.tolist()  # N Python bools: no device sync inside the loop
    first = kept.index(False)
    rows = _make_rows(model, text_ids, reference[:, :first], n, config.guided)
    n_cond = text_ids.shape[0] * n
    targets = reference.repeat_interleave(n, dim=0)  # (Rc, N)
    codes = torch.full_like(targets, -1)  # (Rc, N)
    codes[:, :first] = targets[:, :first]
    score = torch.zeros(n_cond, device=text_ids.device)  # (Rc,)
    generator = make_generator(config.seed, text_ids.device)
    state, logits = engine.start(rows)  # logits (R, V) for code `first`
    for index in range(first, model.config.image_len):
        cond = logits[:n_cond].float()  # (Rc, V)
        if kept[index]:
            chosen = targets[:, index]  # (Rc,)
            score += torch.log_softmax(cond, -1).gather(-1, chosen.unsqueeze(-1)).squeeze(-1)
        else:
            guided = guide(cond, logits[n_cond:].float(), config.guidance_scale) if config.guided else cond
            chosen = sample_codes(guided, config, generator)  # (Rc,)
        codes[:, index] = chosen
        if on_step is not None and ((index + 1) % stream_every == 0 or index + 1 == model.config.image_len):
            on_step(codes.clone())
        if index + 1 < model.config.image_len:
            fed = chosen.repeat(len(rows.expand) // n_cond)  # (R,)
            logits = engine.advance(state, fed, index)
    return DrawResult(codes=codes, kept_log_likelihood=score)


def _make_rows(model: KoDalle, text_ids: torch.Tensor, prefix: torch.Tensor, n: int, guided: bool) -> _Rows:
    descriptions = text_ids.shape[0]
    expand = torch.arange(descriptions, device=text_ids.device).repeat_interleave(n)  # (D*n,)
    if not guided:
        return _Rows(text_ids=text_ids, prefix=prefix, expand=expand)
    empty = torch.full_like(text_ids, model.config.text_pad_id)  # (D, T) unconditional prompts
    return _Rows(
        text_ids=torch.cat([text_ids, empty]),  # (2D, T)
        prefix=torch.cat([prefix, prefix]),  # (2D, K)
        expand=torch.cat([expand, expand + descriptions]),  # (2*D*n,)
    )


def _check_draw_inputs(
    model: KoDalle, text_ids: torch.Tensor, n: int, reference: torch.Tensor | None, keep: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    cfg = model.config
    if not isinstance(n, int) or n < 1:
        raise DalleInputError(f"n (candidates per description) must be a positive integer, got {n!r}")
    if reference is None:
        reference = torch.zeros(text_ids.shape[0], cfg.image_len, dtype=torch.long, device=text_ids.device)
    model.check_inputs(text_ids, reference, allow_full=True)
    if reference.shape[1] != cfg.image_len:
        raise DalleInputError(
            f"reference codes must be (batch, {cfg.image_len}), got {tuple(reference.shape)}"
        )
    if keep is None:
        keep = torch.zeros(cfg.image_len, dtype=torch.bool, device=text_ids.device)
    keep = keep.reshape(-1).bool()
    if keep.numel() != cfg.image_len:
        raise DalleInputError(f"keep mask must have {cfg.image_len} entries, got {keep.numel()}")
    if bool(keep.all()):
        raise DalleInputError("the mask keeps every code: nothing to draw")
    return keep, reference


# --------------------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------------------
def generate(
    model: KoDalle,
    text_ids: torch.Tensor,
    n: int = 8,
    config: SamplingConfig | None = None,
    prime: torch.Tensor | None = None,
    on_step: StepCallback | None = None,
    stream_every: int = 8,
    sampler: CachedSampler | None = None,
) -> torch.Tensor:
    """n code grids per description with the KV cache: (D, T) text -> (D*n, N) codes.

    prime (D, K): keep these first K codes of each description's grid and draw the rest.
    on_step: called every `stream_every` codes with the partial grids (-1 = not drawn yet).
    sampler: reuse a CachedSampler (e.g. one with a compiled decode step) across calls.
    """
    engine = sampler or CachedSampler(model)
    reference, keep = _priming(model, text_ids, prime)
    return draw(engine, text_ids, n, config or SamplingConfig(), reference, keep, on_step, stream_every).codes


def reference_generate(
    model: KoDalle,
    text_ids: torch.Tensor,
    n: int = 8,
    config: SamplingConfig | None = None,
    prime: torch.Tensor | None = None,
) -> torch.Tensor:
    """Same as `generate` but recomputing the whole sequence at every step (slow; for equality checks)."""
    reference, keep = _priming(model, text_ids, prime)
    return draw(RecomputeSampler(model), text_ids, n, config or SamplingConfig(), reference, keep).codes


def _priming(
    model: KoDalle, text_ids: torch.Tensor, prime: torch.Tensor | None
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    if prime is None:
        return None, None
    cfg = model.config
    if prime.ndim != 2 or prime.shape[0] != text_ids.shape[0] or prime.shape[1] >= cfg.image_len:
        raise DalleInputError(
            f"prime codes must be (descriptions={text_ids.shape[0]}, K < {cfg.image_len}), "
            f"got {tuple(prime.shape)}"
        )
    reference = torch.zeros(prime.shape[0], cfg.image_len, dtype=torch.long, device=prime.device)
    reference[:, : prime.shape[1]] = prime
    keep = torch.arange(cfg.image_len, device=prime.device) < prime.shape[1]
    return reference, keep
