"""Face regions as code-grid masks, and redrawing one region of an existing montage.

Regions are drawn in image fractions (x right, y down, 0..1) for the prepared montages' framing (a
front-facing head centred in a square: hairline near y 0.26, eyes near 0.49, chin near 0.84) and
rasterised onto any code grid: a cell belongs to a region when the region covers at least
`MIN_COVERAGE` of it (the best-covered cell always does, so small parts survive coarse grids).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from text2montage.dalle.model import DalleInputError, KoDalle
from text2montage.dalle.sampling import CachedSampler, SamplingConfig, draw

MIN_COVERAGE = 0.3
SUPERSAMPLE = 8  # sample points per cell side when rasterising

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
_BOXES: dict[str, tuple[Box, ...]] = {
    "hair": ((0.0, 0.0, 1.0, 0.27), (0.0, 0.27, 0.27, 0.8), (0.73, 0.27, 1.0, 0.8)),
    "eyebrows": ((0.27, 0.38, 0.73, 0.47),),
    "eyes": ((0.27, 0.44, 0.73, 0.55),),
    "nose": ((0.40, 0.45, 0.60, 0.67),),
    "mouth": ((0.34, 0.64, 0.66, 0.77),),
}
_FACE_CENTER, _FACE_RADII = (0.5, 0.56), (0.23, 0.31)  # the face oval
_OUTLINE_BAND = (0.75, 1.2)  # inner and outer scale of the outline ring
REGIONS: tuple[str, ...] = (*_BOXES, "face_outline")


def region_mask(name: str, grid_size: int) -> torch.Tensor:
    """(grid_size, grid_size) bool mask of a named region: hair, eyebrows, eyes, nose, mouth, face_outline."""
    if name not in REGIONS:
        raise DalleInputError(f"unknown region {name!r}; choose one of {', '.join(REGIONS)}")
    if grid_size < 1:
        raise DalleInputError(f"grid_size must be positive, got {grid_size}")
    side = grid_size * SUPERSAMPLE
    centers = (torch.arange(side, dtype=torch.float32) + 0.5) / side  # (S,)
    y, x = torch.meshgrid(centers, centers, indexing="ij")  # (S, S) each
    inside = _outline(x, y) if name == "face_outline" else _boxes(x, y, _BOXES[name])  # (S, S)
    coverage = (
        inside.float().reshape(grid_size, SUPERSAMPLE, grid_size, SUPERSAMPLE).mean(dim=(1, 3))
    )  # (G, G)
    mask = coverage >= MIN_COVERAGE
    mask.view(-1)[coverage.argmax()] = True
    return mask


def _boxes(x: torch.Tensor, y: torch.Tensor, boxes: tuple[Box, ...]) -> torch.Tensor:
    inside = torch.zeros_like(x, dtype=torch.bool)
    for x0, y0, x1, y1 in boxes:
        inside |= (x >= x0) & (x < x1) & (y >= y0) & (y < y1)
    return inside


def _outline(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    radius = (
        ((x - _FACE_CENTER[0]) / _FACE_RADII[0]) ** 2 + ((y - _FACE_CENTER[1]) / _FACE_RADII[1]) ** 2
    ).sqrt()
    return (radius >= _OUTLINE_BAND[0]) & (radius <= _OUTLINE_BAND[1])


def combine_regions(names: list[str], grid_size: int) -> torch.Tensor:
    """The union of several named regions: (grid_size, grid_size) bool."""
    if not names:
        raise DalleInputError("name at least one region to redraw")
    mask = torch.zeros(grid_size, grid_size, dtype=torch.bool)
    for name in names:
        mask |= region_mask(name, grid_size)
    return mask


@dataclass
class RedrawResult:
    codes: torch.Tensor  # (n, N) candidates, best first
    scores: torch.Tensor  # (n,) log-likelihood of the kept codes after the region starts, best first
    mask: torch.Tensor  # (G, G) bool: the redrawn cells


@torch.no_grad()
def redraw_region(
    model: KoDalle,
    text_ids: torch.Tensor,
    codes: torch.Tensor,
    mask: torch.Tensor,
    n: int = 8,
    config: SamplingConfig | None = None,
    sampler: CachedSampler | None = None,
) -> RedrawResult:
    """Redraw the cells of `mask` in one montage under a (new) description; keep every other code.

    text_ids (1, T) or (T,); codes (N,) or (G, G) or (1, N); mask (G, G) or (N,) bool.
    Candidates are ranked by the model's log-likelihood of the kept codes that follow the redrawn ones.
    """
    cfg = model.config
    text_ids = text_ids.reshape(1, -1)
    if codes.numel() != cfg.image_len:
        raise DalleInputError(
            f"codes must hold one {cfg.grid_size}x{cfg.grid_size} grid, got {tuple(codes.shape)}"
        )
    if mask.numel() != cfg.image_len or mask.dtype != torch.bool:
        raise DalleInputError(
            f"mask must be a bool {cfg.grid_size}x{cfg.grid_size} grid, got {tuple(mask.shape)}"
        )
    if not bool(mask.any()):
        raise DalleInputError("the mask is empty: no code to redraw")
    keep = ~mask.reshape(-1)  # (N,)
    engine = sampler or CachedSampler(model)
    result = draw(engine, text_ids, n, config or SamplingConfig(), codes.reshape(1, -1).long(), keep)
    order = torch.argsort(result.kept_log_likelihood, descending=True, stable=True)  # (n,)
    return RedrawResult(
        codes=result.codes[order],
        scores=result.kept_log_likelihood[order],
        mask=mask.reshape(cfg.grid_size, -1),
    )
