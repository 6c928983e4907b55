"""The attribute classifier: one small CNN over a grayscale sketch, one linear head per AIHub field.

    image (B, 1, S, S) -> conv stages, each halving the size -> adaptive average pool to P x P
    -> flatten -> Linear -> ReLU -> dropout -> heads (one fused Linear, sliced per field)

Pooling to a small P x P grid (not to 1 x 1) keeps where a feature is: hair above the brows, the
mouth below the nose. Saved as config.json (architecture + every field's class names) and
model.safetensors, loaded strictly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from text2montage.attributes.labels import NO_LABEL, encode_labels
from text2montage.errors import DataError, ModelLoadError
from text2montage.weights import CONFIG_FILE, load_weights_strict, read_config, save_config, save_weights

MODEL_TYPE = "text2montage-attributes"
FORMAT_VERSION = 1
PREDICT_BATCH = 256


class AttributeModelError(ModelLoadError):
    """An attribute-classifier folder is missing, truncated, or does not match its config."""


@dataclass
class AttributeConfig:
    classes: dict[str, list[str]]  # field -> class names (AIHub vocabulary values), in head order
    image_size: int = 128
    channels: tuple[int, ...] = (16, 32, 64, 128)  # one stage each, every stage halves the size
    convs: tuple[int, ...] = (1, 1, 1, 2)  # 3x3 convs per stage; (1, 1, 2, 2) trains 1.5x slower on CPU
    pool: int = 4
    hidden: int = 256
    dropout: float = 0.2

    def __post_init__(self) -> None:
        self.channels = tuple(int(c) for c in self.channels)
        self.convs = tuple(int(n) for n in self.convs)
        if len(self.convs) != len(self.channels) or min(self.convs, default=0) < 1:
            raise AttributeModelError("convs must give one count >= 1 per entry of channels")
        self.classes = {f: [str(c) for c in names] for f, names in self.classes.items()}
        if not self.classes:
            raise AttributeModelError("no attribute field has two or more known classes in the training data")
        if any(len(names) < 2 for names in self.classes.values()):
            raise AttributeModelError("every attribute field needs at least two classes")
        if self.image_size < 2 ** len(self.channels) or not self.channels:
            n = len(self.channels)
            raise AttributeModelError(f"image_size {self.image_size} is too small for {n} stages")

    @property
    def fields(self) -> list[str]:
        return list(self.classes)

    def to_dict(self) -> dict:
        return {**asdict(self), "channels": list(self.channels), "convs": list(self.convs)}


def _conv(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()
    )


class AttributeClassifier(nn.Module):
    def __init__(self, config: AttributeConfig) -> None:
        super().__init__()
        self.config = config
        stages: list[nn.Module] = []
        c_in = 1
        for c_out, n_convs in zip(config.channels, config.convs, strict=True):
            stages += [_conv(c_in, c_out, 2)] + [_conv(c_out, c_out, 1) for _ in range(n_convs - 1)]
            c_in = c_out
        self.features = nn.Sequential(*stages, nn.AdaptiveAvgPool2d(config.pool), nn.Flatten())
        flat = config.channels[-1] * config.pool**2
        self.trunk = nn.Sequential(nn.Linear(flat, config.hidden), nn.ReLU(), nn.Dropout(config.dropout))
        sizes = [len(names) for names in config.classes.values()]
        self.heads = nn.Linear(config.hidden, sum(sizes))
        self.head_sizes = sizes

    @property
    def classes(self) -> dict[str, list[str]]:
        return self.config.classes

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        """images float (B, 1, S, S) in [-1, 1] -> one logits tensor (B, C_f) per field."""
        hidden = self.trunk(self.features(images))  # (B, hidden)
        return list(torch.split(self.heads(hidden), self.head_sizes, dim=1))  # F x (B, C_f)

    @torch.no_grad()
    def predict(self, images: np.ndarray, batch_size: int = PREDICT_BATCH) -> dict[str, np.ndarray]:
        """uint8 (N, S, S) sketches (any square size) -> {field: int64 (N,) class indices}."""
        images = np.asarray(images)
        if images.ndim != 3:
            raise DataError(f"expected uint8 images (N, S, S); got shape {images.shape}")
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        chunks: list[list[np.ndarray]] = [[] for _ in self.classes]
        for start in range(0, len(images), batch_size):
            batch = to_input(images[start : start + batch_size], self.config.image_size).to(device)
            for i, logits in enumerate(self(batch)):
                chunks[i].append(logits.argmax(dim=1).cpu().numpy())
        self.train(was_training)
        empty = np.zeros(0, dtype=np.int64)
        return {f: np.concatenate(c) if c else empty for f, c in zip(self.classes, chunks, strict=True)}

    def field_accuracy(
        self, predictions: Mapping[str, np.ndarray], attribute_dicts: Sequence[Mapping[str, str]]
    ) -> dict[str, tuple[int, int]]:
        return field_accuracy(predictions, attribute_dicts, self.classes)

    def save_pretrained(self, folder: str | Path) -> None:
        header = {"model_type": MODEL_TYPE, "format_version": FORMAT_VERSION}
        save_config(folder, {**header, **self.config.to_dict()})
        save_weights(self, folder, metadata={"model_type": MODEL_TYPE})

    @classmethod
    def from_pretrained(cls, folder: str | Path, device: str | torch.device = "cpu") -> AttributeClassifier:
        """Load strictly: a missing, unexpected or mis-shaped weight is an AttributeModelError."""
        model = cls(attribute_config(Path(folder)))
        load_weights_strict(model, folder, AttributeModelError, device=device)
        return model.to(device).eval()


def attribute_config(folder: Path) -> AttributeConfig:
    data = read_config(folder, AttributeModelError, "attribute-classifier")
    path = folder / CONFIG_FILE
    try:
        if data.pop("model_type", None) != MODEL_TYPE:
            raise ValueError(f"model_type is not {MODEL_TYPE!r}")
        data.pop("format_version", None)
        return AttributeConfig(**data)
    except (ValueError, TypeError, AttributeError) as err:
        raise AttributeModelError(f"invalid attribute-classifier config {path}: {err}") from err


def to_input(images: np.ndarray, size: int) -> torch.Tensor:
    """uint8 (B, H, W) -> float (B, 1, size, size) in [-1, 1] (area-resized when sizes differ)."""
    return scale_images(torch.from_numpy(np.array(images, dtype=np.uint8)), size)  # a writable copy


def scale_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """uint8 tensor (B, H, W) -> float (B, 1, size, size) in [-1, 1] on the same device."""
    batch = images.float().unsqueeze(1)  # (B, 1, H, W)
    if batch.shape[-1] != size or batch.shape[-2] != size:
        batch = F.interpolate(batch, size=(size, size), mode="area" if batch.shape[-1] > size else "bicubic")
    return batch.div(127.5).sub(1.0).clamp(-1.0, 1.0)  # (B, 1, size, size)


def field_accuracy(
    predictions: Mapping[str, np.ndarray],
    attribute_dicts: Sequence[Mapping[str, str]],
    classes: Mapping[str, Sequence[str]],
) -> dict[str, tuple[int, int]]:
    """{field: (correct, n)} over records whose value for the field is a known class of the model.

    Fields missing from `predictions` are skipped; unknown values (and values the model has no class
    for) are not counted.
    """
    fields = [f for f in classes if f in predictions]
    labels = encode_labels(attribute_dicts, {f: classes[f] for f in fields})  # (N, F)
    result: dict[str, tuple[int, int]] = {}
    for col, name in enumerate(fields):
        predicted = np.asarray(predictions[name])
        if len(predicted) != len(attribute_dicts):
            raise DataError(f"{len(predicted)} predictions for {name} but {len(attribute_dicts)} records")
        known = labels[:, col] != NO_LABEL
        result[name] = (int((predicted[known] == labels[known, col]).sum()), int(known.sum()))
    return result


__all__ = ["AttributeClassifier", "AttributeConfig", "AttributeModelError", "field_accuracy", "to_input"]
