"""Sampling: cached == recompute, seeds, guidance, filters, priming, streaming, region redraw."""

from __future__ import annotations

import pytest
import torch

from text2montage.dalle.config import preset_config
from text2montage.dalle.model import DalleInputError, KoDalle
from text2montage.dalle.regions import REGIONS, combine_regions, redraw_region, region_mask
from text2montage.dalle.sampling import (
    SamplingConfig,
    filter_logits,
    generate,
    guide,
    reference_generate,
)


@pytest.fixture(scope="module")
def model() -> KoDalle:
    torch.manual_seed(0)
    model = KoDalle(preset_config("tiny", text_vocab_size=50, grid_size=4)).eval()
    with torch.no_grad():  # sharpen the random model a little so sampling is not uniform noise
        model.image_head.weight.mul_(20)
    return model


def text_for(model: KoDalle, descriptions: int = 1) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    text = torch.randint(
        1, model.config.text_vocab_size, (descriptions, model.config.text_len), generator=generator
    )
    text[:, 6:] = model.config.text_pad_id
    return text


@pytest.mark.parametrize(
    "config",
    [
        SamplingConfig(seed=1, guidance_scale=3.0),
        SamplingConfig(seed=2, guidance_scale=1.0, top_k=5),
        SamplingConfig(seed=3, guidance_scale=2.0, top_p=0.8, temperature=0.7),
        SamplingConfig(guidance_scale=3.0, temperature=0.0),
    ],
)
def test_cached_equals_recompute(model: KoDalle, config: SamplingConfig) -> None:
    text = text_for(model, descriptions=2)
    cached = generate(model, text, 3, config)
    assert cached.shape == (6, model.config.image_len)
    assert torch.equal(cached, reference_generate(model, text, 3, config))


@pytest.mark.parametrize("text_len", [1, 6])
def test_cached_equals_recompute_for_prompts_shorter_than_the_window(model: KoDalle, text_len: int) -> None:
    text = text_for(model, descriptions=2)[:, :text_len]  # (2, L), L < text_len: padded to the batch only
    config = SamplingConfig(seed=4, guidance_scale=3.0)
    assert torch.equal(generate(model, text, 2, config), reference_generate(model, text, 2, config))


def test_same_seed_same_codes_other_seed_differs(model: KoDalle) -> None:
    text = text_for(model)
    first = generate(model, text, 4, SamplingConfig(seed=7))
    assert torch.equal(first, generate(model, text, 4, SamplingConfig(seed=7)))
    assert not torch.equal(first, generate(model, text, 4, SamplingConfig(seed=8)))


def test_guidance_scale_one_equals_unguided() -> None:
    cond, uncond = torch.randn(4, 32), torch.randn(4, 32)
    assert torch.equal(guide(cond, uncond, 1.0), cond)
    assert torch.allclose(guide(cond, uncond, 3.0), uncond + 3.0 * (cond - uncond), atol=1e-5)


def test_guidance_one_matches_plain_conditional_sampling(model: KoDalle) -> None:
    """At scale 1 the sampler draws exactly what sampling the conditional logits alone gives."""
    from text2montage.dalle.sampling import CachedSampler, make_generator, sample_codes

    text = text_for(model)
    config = SamplingConfig(seed=5, guidance_scale=1.0)
    codes = generate(model, text, 2, config)
    generator, expected = make_generator(5, text.device), torch.zeros(2, 0, dtype=torch.long)
    for _ in range(model.config.image_len):
        logits = model.image_logits(text.repeat(2, 1), expected)[:, -1]
        expected = torch.cat([expected, sample_codes(logits, config, generator)[:, None]], 1)
    assert torch.equal(codes, expected)
    assert isinstance(CachedSampler(model), CachedSampler)


def test_filters() -> None:
    logits = torch.tensor([[3.0, 2.0, 1.0, 0.0]])
    assert torch.isinf(filter_logits(logits, 2, None)).tolist() == [[False, False, True, True]]
    probs_top = filter_logits(logits, None, 0.5)
    assert torch.isfinite(probs_top).sum() == 1  # the top code always stays
    assert torch.equal(filter_logits(logits, None, 1.0), logits)


def test_priming_keeps_first_codes(model: KoDalle) -> None:
    text = text_for(model)
    base = generate(model, text, 1, SamplingConfig(seed=1))
    primed = generate(model, text, 3, SamplingConfig(seed=2), prime=base[:, :5])
    assert torch.equal(primed[:, :5], base[:, :5].expand(3, -1))
    assert torch.equal(primed, reference_generate(model, text, 3, SamplingConfig(seed=2), prime=base[:, :5]))


def test_streaming_reports_partial_grids(model: KoDalle) -> None:
    seen: list[torch.Tensor] = []
    codes = generate(model, text_for(model), 2, SamplingConfig(seed=1), on_step=seen.append, stream_every=4)
    assert len(seen) == model.config.image_len // 4
    assert (seen[0][:, 4:] == -1).all() and (seen[0][:, :4] >= 0).all()
    assert torch.equal(seen[-1], codes)


@pytest.mark.parametrize("region", REGIONS)
def test_region_masks(region: str) -> None:
    for grid in (4, 8, 16):
        mask = region_mask(region, grid)
        assert mask.shape == (grid, grid) and mask.dtype == torch.bool and mask.any() and not mask.all()


def test_redraw_keeps_every_outside_code_and_ranks(model: KoDalle) -> None:
    grid = model.config.grid_size
    text = text_for(model)
    original = generate(model, text, 1, SamplingConfig(seed=1))[0]
    mask = combine_regions(["eyes", "nose"], grid)
    result = redraw_region(model, text, original, mask, n=6, config=SamplingConfig(seed=3))
    outside = ~mask.reshape(-1)
    assert result.codes.shape == (6, grid * grid)
    assert (result.codes[:, outside] == original[outside]).all()
    assert (result.codes >= 0).all()
    assert (result.scores[:-1] >= result.scores[1:]).all()
    first = int(mask.reshape(-1).nonzero()[0])
    kept_after = outside & (torch.arange(grid * grid) > first)
    log_probs = model.code_log_likelihood(text.expand(6, -1), result.codes)
    assert torch.allclose(log_probs[:, kept_after].sum(1), result.scores, atol=1e-4)


def test_bad_sampling_inputs(model: KoDalle) -> None:
    text = text_for(model)
    with pytest.raises(ValueError, match="top_p"):
        SamplingConfig(top_p=0.0)
    with pytest.raises(ValueError, match="temperature"):
        SamplingConfig(temperature=-1.0)
    with pytest.raises(DalleInputError, match="positive integer"):
        generate(model, text, 0)
    with pytest.raises(DalleInputError, match="prime codes"):
        generate(model, text, 1, prime=torch.zeros(1, model.config.image_len, dtype=torch.long))
    codes = torch.zeros(model.config.image_len, dtype=torch.long)
    empty = torch.zeros(model.config.grid_size, model.config.grid_size, dtype=torch.bool)
    with pytest.raises(DalleInputError, match="empty"):
        redraw_region(model, text, codes, empty)
    with pytest.raises(DalleInputError, match="unknown region"):
        region_mask("ears", 8)
