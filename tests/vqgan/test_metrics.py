"""PSNR / SSIM / codebook metrics on known inputs."""

from __future__ import annotations

import math

import torch

from text2montage.metrics.image import code_perplexity, code_usage, psnr, ssim


def test_identical_images() -> None:
    x = torch.rand(2, 1, 32, 32)
    assert torch.isinf(psnr(x, x)).all()
    assert torch.allclose(ssim(x, x), torch.ones(2))


def test_known_psnr() -> None:
    x = torch.zeros(1, 1, 16, 16)
    y = torch.full((1, 1, 16, 16), 0.1)  # mse 0.01 -> 20 dB
    assert math.isclose(float(psnr(y, x)), 20.0, rel_tol=1e-5)


def test_ssim_drops_with_noise() -> None:
    torch.manual_seed(0)
    x = torch.rand(1, 1, 32, 32)
    noisy = (x + 0.3 * torch.randn_like(x)).clamp(0, 1)
    assert float(ssim(noisy, x)) < 0.9
    assert float(ssim(1 - x, x)) < 0.0 < float(ssim(noisy, x))


def test_code_usage_and_perplexity() -> None:
    counts = torch.tensor([5.0, 5.0, 0.0, 0.0])
    assert code_usage(counts) == 0.5
    assert math.isclose(code_perplexity(counts), 2.0)
    assert code_perplexity(torch.zeros(4)) == 0.0
