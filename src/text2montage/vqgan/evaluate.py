"""Reconstruction quality of a VQGAN on a prepared split: PSNR, SSIM, codebook use, Haar face rates, and
(with an attribute classifier) how much of each readable attribute field the reconstructions keep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from text2montage.metrics.image import code_perplexity, code_usage, psnr, ssim
from text2montage.vqgan.data import resize_square, save_png, side_by_side_grid, to_tensor, to_uint8
from text2montage.vqgan.model import VQGAN

MAX_PSNR_DB = 100.0  # per-image cap, so identical images give a finite JSON number
GRID_COUNT = 16


@torch.no_grad()
def reconstruct(model: VQGAN, images: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """uint8 (B, H, W) -> inputs (B, 1, S, S) in [-1, 1], reconstructions likewise, codes (B, G, G)."""
    device = next(model.parameters()).device
    x = to_tensor(images, model.config.image_size).to(device)  # (B, 1, S, S)
    out = model(x)
    return x, out.reconstruction.clamp(-1, 1), out.codes


PairCheck = Callable[[np.ndarray, np.ndarray], dict]  # (originals, reconstructions) uint8 -> a report


def evaluate(
    model: VQGAN,
    images: np.ndarray,
    batch_size: int = 64,
    grid_path: Path | None = None,
    haar: bool = True,
    attributes: PairCheck | None = None,
) -> dict:
    """Metrics over uint8 (N, H, W) images; PSNR/SSIM on [0, 1] intensities, averaged per image.
    `attributes` compares originals and reconstructions (e.g. attribute-classifier accuracy per field)."""
    if len(images) == 0:
        raise ValueError("no images to evaluate")
    model.eval()
    psnrs, ssims, originals, recons = [], [], [], []
    counts = torch.zeros(model.config.codebook_size, dtype=torch.float64)
    for start in range(0, len(images), batch_size):
        x, r, codes = reconstruct(model, np.asarray(images[start : start + batch_size]))
        x01, r01 = (x.float().cpu() + 1) / 2, (r.float().cpu() + 1) / 2  # (b, 1, S, S)
        psnrs.append(psnr(r01, x01).clamp(max=MAX_PSNR_DB))
        ssims.append(ssim(r01, x01))
        counts += torch.bincount(codes.flatten().cpu(), minlength=len(counts)).double()
        originals.append(to_uint8(x))
        recons.append(to_uint8(r))
    orig_u8, recon_u8 = np.concatenate(originals), np.concatenate(recons)  # (N, S, S)
    report: dict[str, float | int | str] = {
        "psnr": float(torch.cat(psnrs).mean()),
        "ssim": float(torch.cat(ssims).mean()),
        "code_usage": code_usage(counts),
        "perplexity": code_perplexity(counts),
        "n": len(images),
    }
    if haar:
        report.update(haar_rates(images, recon_u8))
    if attributes is not None:
        report["attributes"] = attributes(orig_u8, recon_u8)
    if grid_path is not None:
        save_png(Path(grid_path), side_by_side_grid(orig_u8[:GRID_COUNT], recon_u8[:GRID_COUNT]))
        report["grid"] = str(grid_path)
    return report


def haar_rates(originals: np.ndarray, reconstructions: np.ndarray) -> dict[str, float]:
    """Share of originals and of reconstructions in which the Haar frontal-face cascade finds a face."""
    from text2montage.metrics.haar import haar_face_rate

    size = reconstructions.shape[-1]
    return {
        "haar_rate_recon": float(haar_face_rate(list(reconstructions))),
        "haar_rate_orig": float(haar_face_rate([resize_square(np.asarray(o), size) for o in originals])),
    }
