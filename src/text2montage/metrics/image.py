"""Image fidelity metrics: PSNR and SSIM for grayscale batches.

A short implementation instead of torchmetrics (not installed here; these two are 30 lines). Both take
float tensors (B, 1, H, W) with values in [0, data_range] and return one value per image, so callers
average as they like. SSIM follows Wang et al. 2004 (and skimage / torchmetrics defaults): an 11x11
Gaussian window with sigma 1.5, K1 = 0.01, K2 = 0.03, valid-region averaging.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_K1, SSIM_K2 = 0.01, 0.03


def _check(pred: torch.Tensor, target: torch.Tensor) -> None:
    if pred.shape != target.shape or pred.ndim != 4:
        raise ValueError(f"pred and target must share one (B, C, H, W) shape; got {pred.shape}, "
                         f"{target.shape}")


def psnr(pred: torch.Tensor, target: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB per image, (B,); +inf where the images are identical."""
    _check(pred, target)
    mse = ((pred.double() - target.double()) ** 2).flatten(1).mean(1)  # (B,)
    return (10 * torch.log10(data_range**2 / mse)).float()  # mse 0 -> +inf


def _gaussian_window(channels: int, device: torch.device) -> torch.Tensor:
    coords = torch.arange(SSIM_WINDOW, dtype=torch.float64, device=device) - SSIM_WINDOW // 2
    g = torch.exp(-(coords**2) / (2 * SSIM_SIGMA**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).expand(channels, 1, SSIM_WINDOW, SSIM_WINDOW)  # (C, 1, k, k)


def ssim(pred: torch.Tensor, target: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Structural similarity per image, (B,); 1.0 for identical images."""
    _check(pred, target)
    if min(pred.shape[-2:]) < SSIM_WINDOW:
        raise ValueError(f"SSIM needs images of at least {SSIM_WINDOW}x{SSIM_WINDOW}")
    x, y = pred.double(), target.double()
    channels = x.shape[1]
    window = _gaussian_window(channels, x.device)

    def blur(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(t, window, groups=channels)  # (B, C, H-k+1, W-k+1)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return ssim_map.flatten(1).mean(1).float()  # (B,)


def code_usage(counts: torch.Tensor) -> float:
    """Share of codebook entries used at least once; counts (K,) is a histogram of code indices."""
    return float((counts > 0).float().mean())


def code_perplexity(counts: torch.Tensor) -> float:
    """exp(entropy) of the code histogram: the effective number of codes in use."""
    total = counts.sum()
    if total <= 0:
        return 0.0
    p = counts.double() / total
    entropy = -(p[p > 0] * p[p > 0].log()).sum()
    return float(entropy.exp())
