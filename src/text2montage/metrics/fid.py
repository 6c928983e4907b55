"""FID, Inception Score and R-precision for grayscale sketches, offline.

FID and IS are torchmetrics' FrechetInceptionDistance / InceptionScore with a custom `feature` module,
so the Fréchet and KL arithmetic is the maintained one; only the feature extractor is ours:

- Feature extractor (FID): the reranker's image tower (`RerankerImageFeatures`: unit embeddings of
  `projection_dim` values). FID values are therefore on the reranker's scale, comparable only between
  runs that use the same reranker folder (report it), not with published Inception FIDs. Inception-v3
  features are used only when their weights file is on disk and torch-fidelity imports
  (`inception_feature`); nothing is ever downloaded. `extractor_name` says which one produced a value.
- Inception Score classes: there is no ImageNet classifier for sketches, so the "classes" are fixed
  text prototypes: one attribute sentence pair per combination of face shape and side-hair length
  (IS_FIELDS, 6 x 4 = 24 classes, e.g. "얼굴형은 계란형이다. 머리 길이는 숏컷이다."), and a sketch's class
  probabilities are softmax(logit_scale * cosine(image, prototype)) under the reranker
  (`PrototypeLogits`). IS lies in [1, 24]: high when each sketch clearly shows one combination and the
  set covers many. It is only as good as the reranker's reading of those two fields.
- R-precision: for each image, whether its own description scores higher than `pool - 1` other
  descriptions drawn from the same held-out set (the reranker is also the judge here).

Images everywhere are uint8 (N, S, S); torchmetrics receives them as uint8 (N, 1, S, S).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.inception import InceptionScore

from text2montage.errors import DataError, OptionError
from text2montage.reranker.scorer import Reranker, as_uint8_images

IS_FIELDS: tuple[str, ...] = ("face.type", "hairstyle.sizeLength")
R_PRECISION_POOL = 100
BATCH = 64


# --------------------------------------------------------------------------------------------------
# feature modules torchmetrics calls
# --------------------------------------------------------------------------------------------------
def _gray(imgs: torch.Tensor) -> torch.Tensor:
    """What torchmetrics passes (uint8 (N, C, H, W), C = 1 or 3; or float in [0, 1]) -> uint8 (N, H, W)."""
    if imgs.ndim != 4 or imgs.shape[1] not in (1, 3):
        raise DataError(f"expected images (N, 1 or 3, H, W), got {tuple(imgs.shape)}")
    if imgs.dtype != torch.uint8:
        imgs = (imgs.float().clamp(0, 1) * 255).round().to(torch.uint8)
    return imgs.float().mean(dim=1).round().to(torch.uint8) if imgs.shape[1] == 3 else imgs[:, 0]


class RerankerImageFeatures(nn.Module):
    """torchmetrics `feature` module: images -> (N, D) reranker image embeddings (unit vectors)."""

    def __init__(self, reranker: Reranker) -> None:
        super().__init__()
        self.reranker = reranker.model  # registered, so the metric moves it with .to(device)
        self.num_features = reranker.embed_dim

    @torch.no_grad()
    def forward(self, imgs: torch.Tensor) -> torch.Tensor:
        model = self.reranker.eval()
        return model.image_embeds(model.pixels(_gray(imgs)))  # (N, D)


class PrototypeLogits(nn.Module):
    """torchmetrics `feature` module for IS: images -> (N, K) logits over K text prototypes."""

    def __init__(self, reranker: Reranker, prototypes: Sequence[str]) -> None:
        super().__init__()
        if len(prototypes) < 2:
            raise OptionError("the Inception Score needs at least two prototype classes")
        self.reranker = reranker.model
        self.prototypes = list(prototypes)
        self.register_buffer("text", reranker.text_features(self.prototypes))  # (K, D)
        self.num_features = len(self.prototypes)

    @torch.no_grad()
    def forward(self, imgs: torch.Tensor) -> torch.Tensor:
        model = self.reranker.eval()
        image = model.image_embeds(model.pixels(_gray(imgs)))  # (N, D)
        return model.logit_scale() * image @ self.text.to(image.device).t()  # (N, K)


def attribute_prototypes(fields: Sequence[str] = IS_FIELDS) -> list[str]:
    """One attribute-sentence text per combination of the fields' known values (the IS classes)."""
    from text2montage.dalle.captions import record_attribute_sentences
    from text2montage.data.vocab import VOCAB, is_known

    values = []
    for key in fields:
        section, _, field = key.partition(".")
        if field not in VOCAB.get(section, {}):
            raise OptionError(f"unknown attribute field {key!r} for the IS classes")
        values.append([(key, v) for v, _ in VOCAB[section][field] if is_known(v)])
    texts = [
        " ".join(record_attribute_sentences({"attributes": dict(combo)}))
        for combo in itertools.product(*values)
    ]
    if len(set(texts)) != len(texts) or not all(texts):
        raise OptionError(f"the attribute sentences of {', '.join(fields)} do not tell every value apart")
    return texts


class _GrayToRGB(nn.Module):
    """Inception wants uint8 (N, 3, H, W): repeat the gray channel."""

    def __init__(self, inception: nn.Module) -> None:
        super().__init__()
        self.inception, self.num_features = inception, 2048

    def forward(self, imgs: torch.Tensor) -> torch.Tensor:
        return self.inception(_gray(imgs).unsqueeze(1).expand(-1, 3, -1, -1).contiguous())


def inception_feature(weights: str | Path) -> nn.Module:
    """Inception-v3 pool features (2048) from a weights file on disk; an OptionError when unusable."""
    path = Path(weights)
    if not path.is_file():
        raise OptionError(f"no Inception weights at {path}; this program never downloads them")
    try:
        from torchmetrics.image.fid import NoTrainInceptionV3

        inception = NoTrainInceptionV3(
            name="inception-v3-compat", features_list=["2048"], feature_extractor_weights_path=str(path)
        )
    except ModuleNotFoundError as err:
        raise OptionError(
            f"Inception features need torch-fidelity (and its torchvision), not installed here: {err}"
        ) from err
    return _GrayToRGB(inception)


def extractor_name(feature: nn.Module) -> str:
    if isinstance(feature, _GrayToRGB):
        return "inception-v3 (torch-fidelity weights from disk)"
    return f"reranker image tower ({feature.num_features}-d embeddings)"


# --------------------------------------------------------------------------------------------------
# the metrics
# --------------------------------------------------------------------------------------------------
def _batches(images: np.ndarray | torch.Tensor, batch_size: int) -> list[torch.Tensor]:
    tensor = as_uint8_images(images)
    return [tensor[i : i + batch_size].unsqueeze(1) for i in range(0, len(tensor), batch_size)]  # (b,1,S,S)


@torch.no_grad()
def frechet_distance(
    real: np.ndarray | torch.Tensor,
    fake: np.ndarray | torch.Tensor,
    feature: nn.Module,
    batch_size: int = BATCH,
) -> float:
    """FID between two uint8 (N, S, S) sets (each N >= 2) in the feature module's space."""
    if len(real) < 2 or len(fake) < 2:
        raise DataError(
            f"FID needs at least 2 images per set, got {len(real)} real and {len(fake)} generated"
        )
    metric = FrechetInceptionDistance(feature=feature, normalize=False)
    for chunk in _batches(real, batch_size):
        metric.update(chunk, real=True)
    for chunk in _batches(fake, batch_size):
        metric.update(chunk, real=False)
    return float(metric.compute())


@torch.no_grad()
def inception_score(
    images: np.ndarray | torch.Tensor,
    logits: nn.Module,
    splits: int = 10,
    seed: int = 0,
    batch_size: int = BATCH,
) -> tuple[float, float]:
    """(mean, std) of the Inception Score over `splits` random splits (seeded), torchmetrics' formula."""
    if len(images) < 2 * splits:
        raise DataError(
            f"the Inception Score over {splits} splits needs >= {2 * splits} images, got {len(images)}"
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*will save all extracted features.*")
        metric = InceptionScore(feature=logits, splits=splits)
    for chunk in _batches(images, batch_size):
        metric.update(chunk)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # compute() shuffles with the global RNG
        mean, std = metric.compute()
    return float(mean), float(std)


def r_precision_from_similarity(
    similarity: np.ndarray,
    pool: int = R_PRECISION_POOL,
    seed: int = 0,
    descriptions: Sequence[str] | None = None,
) -> float:
    """similarity (N, N): description i vs image j, matched on the diagonal. The fraction of images whose
    own description scores strictly above (a tie is a miss) `pool - 1` others drawn at random (seeded)
    from the rest. With `descriptions`, a text identical to image i's own is not one of its "others"
    (fewer others are drawn when fewer differ)."""
    sim = np.asarray(similarity)
    n = len(sim)
    if sim.ndim != 2 or sim.shape != (n, n) or n < 2:
        raise DataError(f"R-precision needs a square similarity matrix of >= 2 pairs, got {sim.shape}")
    if descriptions is not None and len(descriptions) != n:
        raise DataError(f"{len(descriptions)} descriptions for {n} pairs")
    codes = np.arange(n)  # one code per distinct description
    if descriptions is not None:
        codes = np.unique(np.asarray(descriptions), return_inverse=True)[1]
    rng, hits = np.random.default_rng(seed), 0
    for i in range(n):
        others = np.flatnonzero(codes != codes[i])  # every other pair with a different description
        if len(others) == 0:
            raise DataError("R-precision needs at least two different descriptions")
        drawn = rng.choice(others, size=min(pool - 1, len(others)), replace=False)
        hits += bool(sim[i, i] > sim[drawn, i].max())
    return hits / n


def r_precision(
    reranker: Reranker,
    descriptions: Sequence[str],
    images: np.ndarray | torch.Tensor,
    pool: int = R_PRECISION_POOL,
    seed: int = 0,
) -> float:
    """R-precision of image i against description i among `pool` descriptions (min(pool, N) when the set
    is smaller): 1.0 = every image picks out its own description, 1 / pool = chance."""
    if len(descriptions) != len(images):
        raise DataError(f"{len(descriptions)} descriptions but {len(images)} images")
    texts = list(descriptions)
    return r_precision_from_similarity(reranker.similarity(texts, images), pool, seed, texts)
