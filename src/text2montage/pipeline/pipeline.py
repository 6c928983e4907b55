"""MontagePipeline: text -> ranked montages, and the witness loop around them (redraw, vary, codes).

    pipe = MontagePipeline.from_pretrained()          # the shipped default; or a folder / cached Hub id
    result = pipe("계란형 얼굴에 눈이 작고 입술이 도톰하다.", num_candidates=8, seed=0)
    result.best.image.save("best.png"); print(result.best.code)
    again = pipe.redraw(result.best, "eyes", "눈이 크고 쌍꺼풀이 있다.")
    same = pipe.from_code(result.best.code)           # the identical montage

Drawing is KoDALLE's cached sampler (dalle/sampling.py), region redraw is dalle/regions.py, images come
from the VQGAN decoder; candidates are ranked by the reranker when the pipeline holds one, otherwise by
the transformer's mean log-likelihood of each candidate's codes given the description (`result.scorer`
says which).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from text2montage.dalle.sampling import DEFAULT_GUIDANCE, DEFAULT_TEMPERATURE
from text2montage.pipeline.codes import decode_montage_code, encode_montage_code
from text2montage.pipeline.errors import PipelineInputError, PipelineLoadError
from text2montage.pipeline.fingerprint import combine, component_digest
from text2montage.pipeline.inputs import (
    CleanDescription,
    Settings,
    check_region,
    check_strength,
    clean_description,
)
from text2montage.pipeline.loading import (
    INDEX_FILE,
    Components,
    check_fit,
    load_component,
    load_components,
    make_index,
    resolve_pipeline_dir,
)
from text2montage.pipeline.results import Candidate, Montage, MontageResult

MontageLike = Montage | str | np.ndarray | torch.Tensor | Image.Image | Path
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the image
MAX_ROWS_PER_BATCH = 128  # candidate rows drawn together by generate_codes (guidance doubles them)
SCORE_BATCH = 32
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
MIN_BOX_COVERAGE = 0.3  # a cell belongs to a box when the box covers this much of it


class MontagePipeline:
    """Tokenizer + KoDALLE transformer + VQGAN (+ reranker, + attribute classifier), loaded together."""

    def __init__(
        self,
        tokenizer: Any,
        vqgan: Any,
        dalle: Any,
        reranker: Any | None = None,
        attributes: Any | None = None,
        source: Path | None = None,
        component_sources: dict[str, Path] | None = None,
    ) -> None:
        from text2montage.dalle.captions import CaptionEncoder
        from text2montage.dalle.sampling import CachedSampler

        self.components = Components(tokenizer, vqgan.eval(), dalle.eval(), reranker, attributes)
        check_fit(self.components, source or "the pipeline")
        parts = {name: part for name, part in vars(self.components).items() if part is not None}
        self.source = source
        from_source = {name: source / name for name in parts} if source else {}
        self.component_sources = component_sources or from_source
        self._encoder = CaptionEncoder(tokenizer, dalle.config.text_len)
        self._sampler = CachedSampler(dalle)
        digests = {name: component_digest(part) for name, part in parts.items()}
        self.vqgan_digest = digests["vqgan"]
        self.fingerprint = combine(digests)

    # ----------------------------------------------------------------------------------------------
    # loading and saving
    # ----------------------------------------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, path_or_hub_id: str | Path | None = None) -> MontagePipeline:
        """Load a pipeline folder, a cached Hub id (never downloads), or None: the shipped default."""
        root = resolve_pipeline_dir(path_or_hub_id)
        parts = load_components(root)
        return cls(**vars(parts), source=root)

    @classmethod
    def from_components(cls, **folders: str | Path | None) -> MontagePipeline:
        """Assemble a pipeline from component folders (tokenizer=, vqgan=, dalle=, reranker=, attributes=),
        e.g. a training run's outputs; save it with save_pretrained."""
        given = {name: Path(path) for name, path in folders.items() if path is not None}
        missing = [name for name in ("tokenizer", "vqgan", "dalle") if name not in given]
        if missing:
            raise PipelineLoadError(f"a pipeline needs {', '.join(missing)} too")
        parts = {name: load_component(name, path) for name, path in given.items()}
        return cls(**parts, component_sources=given)

    def save_pretrained(self, folder: str | Path) -> Path:
        """Write the pipeline (model_index.json + one folder per component) whole or not at all."""
        folder = Path(folder)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise PipelineLoadError(f"{folder} already exists and is not an empty folder; choose a new one")
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            self._write_components(building)
            if folder.exists():
                folder.rmdir()
            building.rename(folder)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return folder

    def _write_components(self, out: Path) -> None:
        from text2montage.data.store import write_json_atomic

        for name, part in vars(self.components).items():
            if part is None:
                continue
            _save_component(name, part, out / name)
            origin = self.component_sources.get(name)
            for card in origin.glob("*.md") if origin is not None and origin.is_dir() else ():
                shutil.copy2(card, out / name / card.name)
        write_json_atomic(out / INDEX_FILE, make_index(self.components))

    # ----------------------------------------------------------------------------------------------
    # components
    # ----------------------------------------------------------------------------------------------
    @property
    def dalle(self) -> Any:
        return self.components.dalle

    @property
    def vqgan(self) -> Any:
        return self.components.vqgan

    @property
    def tokenizer(self) -> Any:
        return self.components.tokenizer

    @property
    def reranker(self) -> Any | None:
        return self.components.reranker

    @property
    def attributes(self) -> Any | None:
        return self.components.attributes

    @property
    def grid_size(self) -> int:
        return self.dalle.config.grid_size

    @property
    def image_size(self) -> int:
        return self.vqgan.config.image_size

    @property
    def text_len(self) -> int:
        return self.dalle.config.text_len

    @property
    def scorer(self) -> str:
        return "reranker" if self.reranker is not None else "likelihood"

    # ----------------------------------------------------------------------------------------------
    # text -> ranked montages
    # ----------------------------------------------------------------------------------------------
    def __call__(
        self,
        description: str,
        num_candidates: int = 8,
        seed: int | None = None,
        guidance_scale: float = DEFAULT_GUIDANCE,
        temperature: float = DEFAULT_TEMPERATURE,
        top_k: int | None = None,
        top_p: float | None = None,
        rerank: bool = True,
    ) -> MontageResult:
        """Draw num_candidates montages for a Korean description, best first."""
        clean = clean_description(description)
        settings = Settings(num_candidates, seed, guidance_scale, temperature, top_k, top_p)
        text_ids, notes = self._encode(clean)
        with torch.inference_mode():
            codes = self._draw(text_ids, settings)  # (n, N)
        grids = codes.numpy().reshape(-1, self.grid_size, self.grid_size)
        return self._result("generate", clean.text, grids, settings, notes, rerank)

    def generate_codes(
        self,
        descriptions: Sequence[str],
        num_candidates: int = 8,
        seed: int | None = 0,
        guidance_scale: float = DEFAULT_GUIDANCE,
        temperature: float = DEFAULT_TEMPERATURE,
        top_k: int | None = None,
        top_p: float | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Batched drawing for evaluation: D descriptions -> int64 (D, num_candidates, G, G) code grids.

        Descriptions are drawn in batches of up to MAX_ROWS_PER_BATCH candidate rows; batch b uses seed
        + b, so a call is reproducible for a given seed. on_batch(k) is told k more descriptions are done.
        """
        settings = Settings(num_candidates, seed, guidance_scale, temperature, top_k, top_p)
        texts = [clean_description(d).text for d in descriptions]
        per_batch = max(1, MAX_ROWS_PER_BATCH // settings.num_candidates)
        out = np.zeros((len(texts), settings.num_candidates, self.grid_size, self.grid_size), np.int64)
        for batch, start in enumerate(range(0, len(texts), per_batch)):
            chunk = texts[start : start + per_batch]
            config = settings.sampling_config()
            config.seed = settings.seed + batch
            with torch.inference_mode():
                codes = self._draw(self._encoder.encode(chunk), settings, config)  # (d*n, N)
            out[start : start + len(chunk)] = codes.numpy().reshape(len(chunk), settings.num_candidates,
                                                                    self.grid_size, self.grid_size)
            if on_batch is not None:
                on_batch(len(chunk))
        return out

    def decode(self, codes: np.ndarray | torch.Tensor) -> np.ndarray:
        """Code grids (..., G, G) -> uint8 grayscale images (..., S, S), each decoded on its own."""
        from text2montage.vqgan.codes import decode_codes

        array = np.asarray(codes.cpu() if isinstance(codes, torch.Tensor) else codes)
        g = self.grid_size
        if array.ndim < 2 or array.shape[-2:] != (g, g):
            raise PipelineInputError(f"code grids must end in ({g}, {g}), got {array.shape}")
        _check_code_range(array, self.dalle.config.codebook_size)
        lead = array.shape[:-2]
        with torch.inference_mode():
            # one image per decoder call: batched convolutions may round differently, and a montage
            # code must rebuild the identical image whatever it was decoded with
            images = decode_codes(self.vqgan, array.reshape(-1, g, g).astype(np.int64), batch_size=1)
        return images.reshape(*lead, self.image_size, self.image_size)

    def score(self, description: str, grids: np.ndarray, images: np.ndarray | None = None) -> np.ndarray:
        """How well each (n, G, G) grid fits the description (higher is better), by `self.scorer`."""
        text = clean_description(description).text if description else ""
        if self.reranker is not None:
            images = self.decode(grids) if images is None else images
            return np.asarray(self.reranker.score(text, images), dtype=np.float64).reshape(-1)
        return self.likelihood(text, grids)

    def likelihood(self, description: str, grids: np.ndarray) -> np.ndarray:
        """Mean log-probability per code of each (n, G, G) grid given the description -> (n,)."""
        text_ids = self._encoder.encode([description])  # (1, T)
        codes = torch.as_tensor(np.asarray(grids), dtype=torch.long).reshape(len(grids), -1)  # (n, N)
        scores = []
        with torch.inference_mode():
            for start in range(0, len(codes), SCORE_BATCH):
                part = codes[start : start + SCORE_BATCH]
                per_code = self.dalle.code_log_likelihood(text_ids.expand(len(part), -1), part)  # (b, N)
                scores.append(per_code.mean(dim=1))
        return torch.cat(scores).double().numpy()

    # ----------------------------------------------------------------------------------------------
    # the witness loop: redraw one region, vary, montage codes
    # ----------------------------------------------------------------------------------------------
    def redraw(
        self,
        montage: MontageLike,
        region: str | Box,
        description: str,
        num_candidates: int = 8,
        seed: int | None = None,
        guidance_scale: float = DEFAULT_GUIDANCE,
        temperature: float = DEFAULT_TEMPERATURE,
        top_k: int | None = None,
        top_p: float | None = None,
    ) -> MontageResult:
        """Redraw one region (hair, eyebrows, eyes, nose, mouth, face_outline, or a box of image fractions)
        under a (new) description; every code outside the region is kept. Candidates ranked."""
        from text2montage.dalle.regions import redraw_region

        grid = self.as_grid(montage)
        mask, region_name = self.region_mask(region)
        clean = clean_description(description)
        settings = Settings(num_candidates, seed, guidance_scale, temperature, top_k, top_p)
        text_ids, notes = self._encode(clean)
        with torch.inference_mode():
            drawn = redraw_region(self.dalle, text_ids, torch.from_numpy(grid), mask, settings.num_candidates,
                                  settings.sampling_config(), self._sampler)
        grids = drawn.codes.numpy().reshape(-1, self.grid_size, self.grid_size)
        source = {"code": self.encode_code(grid), "region": region_name, "cells": int(mask.sum())}
        return self._result("redraw", clean.text, grids, settings, notes, True, source)

    def vary(
        self,
        montage: MontageLike,
        strength: float = 0.3,
        num_candidates: int = 8,
        seed: int | None = None,
        description: str | None = None,
        guidance_scale: float = DEFAULT_GUIDANCE,
        temperature: float = DEFAULT_TEMPERATURE,
    ) -> MontageResult:
        """"More like this": redraw a random `strength` share of the montage's codes (the same cells for
        every candidate), under its description when known. Candidates ranked."""
        from text2montage.dalle.sampling import draw

        grid = self.as_grid(montage)
        strength = check_strength(strength)
        if description is None and isinstance(montage, Montage):
            description = montage.description
        settings = Settings(num_candidates, seed, guidance_scale, temperature)
        clean = clean_description(description) if description else CleanDescription("", [])
        text_ids, notes = self._encode(clean)
        keep = self._vary_keep(strength, settings.seed)  # (N,)
        config = settings.sampling_config()
        if not clean.text:
            config.guidance_scale = 1.0  # no description: conditional and unconditional rows are the same
        reference = torch.from_numpy(grid).reshape(1, -1)  # (1, N)
        with torch.inference_mode():
            drawn = draw(self._sampler, text_ids, settings.num_candidates, config, reference, keep)
        grids = drawn.codes.numpy().reshape(-1, self.grid_size, self.grid_size)
        source = {"code": self.encode_code(grid), "strength": strength, "cells": int((~keep).sum())}
        return self._result("vary", clean.text, grids, settings, notes, True, source)

    def _vary_keep(self, strength: float, seed: int) -> torch.Tensor:
        cells = self.grid_size**2
        redrawn = max(1, round(strength * cells))
        chosen = random.Random(seed).sample(range(cells), redrawn)
        keep = torch.ones(cells, dtype=torch.bool)
        keep[chosen] = False
        return keep

    def describe(self, attributes: dict[str, str], seed: int = 0) -> str:
        """AIHub fields ('face.type' -> '계란형', ...) -> a Korean description in the annotators' register."""
        from text2montage.pipeline.describe import describe_attributes

        return describe_attributes(attributes, seed=seed)

    def encode_code(self, grid: np.ndarray | torch.Tensor) -> str:
        """A (G, G) code grid -> its montage code."""
        array = np.asarray(grid.cpu() if isinstance(grid, torch.Tensor) else grid)
        return encode_montage_code(array.reshape(self.grid_size, self.grid_size),
                                   self.dalle.config.codebook_size, self.vqgan_digest)

    def from_code(self, code: str) -> Montage:
        """Rebuild the identical montage from its code (MontageCodeError: another model's or a bad code)."""
        grid = decode_montage_code(code, self.dalle.config.codebook_size, self.grid_size, self.vqgan_digest)
        return self.montage(grid)

    def montage(self, grid: np.ndarray, description: str | None = None) -> Montage:
        """A Montage (image, grid, code) for one (G, G) code grid."""
        grid = np.asarray(grid, dtype=np.int64).reshape(self.grid_size, self.grid_size)
        image = Image.fromarray(self.decode(grid[None])[0], mode="L")
        return Montage(image=image, codes=grid, code=self.encode_code(grid), description=description)

    def encode_image(self, image: Image.Image | np.ndarray | str | Path) -> np.ndarray:
        """A picture (PIL, uint8 array or image file) -> its (G, G) code grid through the VQGAN encoder."""
        from text2montage.vqgan.codes import encode_images

        array = _grayscale_square(image)
        with torch.inference_mode():
            return encode_images(self.vqgan, array[None])[0].astype(np.int64)  # (G, G)

    def as_grid(self, montage: MontageLike) -> np.ndarray:
        """Anything that stands for a montage -> its (G, G) int64 code grid."""
        if isinstance(montage, Montage):
            grid = montage.codes
        elif isinstance(montage, str) and Path(montage).suffix.lower() not in IMAGE_SUFFIXES:
            grid = decode_montage_code(montage, self.dalle.config.codebook_size, self.grid_size,
                                       self.vqgan_digest)
        elif isinstance(montage, (str, Path, Image.Image)):
            grid = self.encode_image(montage)
        else:
            grid = np.asarray(montage.cpu() if isinstance(montage, torch.Tensor) else montage)
        grid = np.asarray(grid)
        if grid.size != self.grid_size**2:
            raise PipelineInputError(f"a montage here is a {self.grid_size}x{self.grid_size} code grid, "
                                     f"got shape {grid.shape}")
        _check_code_range(grid, self.dalle.config.codebook_size)
        return grid.reshape(self.grid_size, self.grid_size).astype(np.int64)

    def region_mask(self, region: str | Box) -> tuple[torch.Tensor, str]:
        """A named region or a box -> ((G, G) bool mask, name)."""
        from text2montage.dalle.regions import region_mask

        checked = check_region(region)
        if isinstance(checked, str):
            return region_mask(checked, self.grid_size), checked
        return box_mask(checked, self.grid_size), "box(" + ", ".join(f"{v:.3g}" for v in checked) + ")"

    # ----------------------------------------------------------------------------------------------
    # shared steps
    # ----------------------------------------------------------------------------------------------
    def _encode(self, clean: CleanDescription) -> tuple[torch.Tensor, list[str]]:
        notes = list(clean.notes)
        if clean.text and not self._encoder.fits(clean.text):
            notes.append(f"the description is longer than the model's window of {self.text_len} tokens: "
                         "only its beginning was used")
        return self._encoder.encode([clean.text]), notes  # (1, T)

    def _draw(self, text_ids: torch.Tensor, settings: Settings, config: Any = None) -> torch.Tensor:
        from text2montage.dalle.sampling import generate

        config = config or settings.sampling_config()
        return generate(self.dalle, text_ids, settings.num_candidates, config, sampler=self._sampler)

    def _result(
        self,
        kind: str,
        description: str,
        grids: np.ndarray,
        settings: Settings,
        notes: list[str],
        rerank: bool,
        source: dict[str, Any] | None = None,
    ) -> MontageResult:
        images = self.decode(grids)  # (n, S, S)
        scores = self.score(description, grids, images)
        order = np.argsort(-scores, kind="stable") if rerank else np.arange(len(grids))
        candidates = [
            Candidate(image=Image.fromarray(images[i], mode="L"), codes=grids[i],
                      code=self.encode_code(grids[i]), description=description, rank=rank,
                      score=float(scores[i]))
            for rank, i in enumerate(order, start=1)
        ]
        return MontageResult(kind=kind, description=description, candidates=candidates,
                             scorer=self.scorer if rerank else f"none (unranked; scores by {self.scorer})",
                             settings=settings.to_dict(), fingerprint=self.fingerprint, notes=notes,
                             source=source or {})


def box_mask(box: Sequence[float], grid_size: int) -> torch.Tensor:
    """(x0, y0, x1, y1) image fractions -> (G, G) bool: cells the box covers by MIN_BOX_COVERAGE or more."""
    checked = check_region(box)
    if isinstance(checked, str):
        raise PipelineInputError(f"a box is four numbers (x0, y0, x1, y1), got {box!r}")
    x0, y0, x1, y1 = checked
    edges = torch.arange(grid_size + 1, dtype=torch.float64) / grid_size  # (G+1,)
    cover_x = (edges[1:].clamp(max=x1) - edges[:-1].clamp(min=x0)).clamp(min=0)  # (G,)
    cover_y = (edges[1:].clamp(max=y1) - edges[:-1].clamp(min=y0)).clamp(min=0)  # (G,)
    coverage = torch.outer(cover_y, cover_x) * grid_size**2  # (G, G) share of each cell inside the box
    mask = coverage >= MIN_BOX_COVERAGE
    mask.view(-1)[coverage.argmax()] = True
    return mask


def _save_component(name: str, part: Any, folder: Path) -> None:
    """The component's own save_pretrained; a scorer wrapping a model saves the model and its tokenizer."""
    if hasattr(part, "save_pretrained"):
        part.save_pretrained(folder)
    elif hasattr(getattr(part, "model", None), "save_pretrained"):
        part.model.save_pretrained(folder)
        if getattr(part, "tokenizer", None) is not None:
            part.tokenizer.save_pretrained(folder / "tokenizer")
    else:
        raise PipelineLoadError(f"cannot save {name}: {type(part).__name__} has no save_pretrained")


def _check_code_range(array: np.ndarray, codebook_size: int) -> None:
    if array.size and (not np.issubdtype(array.dtype, np.integer) or array.min() < 0
                       or array.max() >= codebook_size):
        raise PipelineInputError(f"codes must be whole numbers in [0, {codebook_size})")


def _grayscale_square(image: Image.Image | np.ndarray | str | Path) -> np.ndarray:
    if isinstance(image, (str, Path)):
        try:
            with Image.open(image) as opened:
                image = opened.convert("L")
        except (OSError, ValueError) as err:
            raise PipelineInputError(f"cannot read the image {image}: {err}") from err
    array = np.asarray(image.convert("L") if isinstance(image, Image.Image) else image)
    if array.ndim == 3:
        array = array.mean(axis=2)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.size == 0:
        raise PipelineInputError(f"a montage image must be square and grayscale, got shape {array.shape}")
    return array.astype(np.uint8)

