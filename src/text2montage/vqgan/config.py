"""VQGAN presets: the network shape (saved with the weights) and the training recipe (not saved).

- tiny: tests; 32x32 input, 4x4 codes, runs in milliseconds.
- default: the shipped model; 128x128 input, downsample 16 -> 8x8 = 64 codes per image, because the
  transformer's CPU training cost grows with the code sequence length (DESIGN.md). Sized to train on
  2 CPU cores in under an hour.
- large: GPUs; 256x256 input, downsample 16 -> 16x16 = 256 codes, wider channels, bigger codebook.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class VQGANConfig:
    """The network: diffusers VQModel encoder/decoder with 1-channel input and output."""

    image_size: int = 128
    # per resolution, len-1 halvings; narrow at full resolution because CPU time goes to the 128x128
    # convolutions (measured: (32, 32, ...) 5 img/s, (16, 16, ...) 19 img/s for forward+backward)
    channels: tuple[int, ...] = (16, 16, 32, 64, 128)
    layers_per_block: int = 1
    norm_groups: int = 8
    mid_attention: bool = False
    latent_channels: int = 64  # encoder output width before the 1x1 projection to code_dim
    codebook_size: int = 512
    code_dim: int = 16  # low-dimensional codes keep more of the codebook in use
    commitment: float = 0.25  # beta: weight of ||z - sg(e)||^2

    @property
    def downsample(self) -> int:
        return 2 ** (len(self.channels) - 1)

    @property
    def grid_size(self) -> int:
        return self.image_size // self.downsample

    @property
    def tokens_per_image(self) -> int:
        return self.grid_size**2

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = list(self.channels)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VQGANConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"model_type", "format_version"})
        if unknown:
            raise ValueError(f"unknown VQGAN config keys: {', '.join(unknown)}")
        values = {k: v for k, v in data.items() if k in known}
        if "channels" in values:
            values["channels"] = tuple(int(c) for c in values["channels"])
        return cls(**values).validated()

    def validated(self) -> VQGANConfig:
        if self.image_size % self.downsample:
            raise ValueError(f"image_size {self.image_size} is not divisible by downsample {self.downsample}")
        if any(c % self.norm_groups for c in self.channels):
            raise ValueError(f"channel counts {self.channels} must divide by norm_groups {self.norm_groups}")
        if not 2 <= self.codebook_size <= 65535:
            raise ValueError("codebook_size must be within 2..65535 (codes are stored as uint16)")
        return self


@dataclass(frozen=True)
class TrainConfig:
    """The training recipe of a preset; every field can be overridden from the CLI where it has a flag."""

    # default recipe sized for <= 50 min on 2 CPU cores: ~1.0 s/step before the GAN starts, ~1.5 s after
    steps: int = 2400
    batch_size: int = 16
    lr: float = 4e-4
    disc_lr: float = 4e-4
    warmup_steps: int = 200
    min_lr_ratio: float = 0.1  # cosine decay to lr * min_lr_ratio at the last step
    l1_weight: float = 1.0
    l2_weight: float = 1.0  # MSE term: PSNR is an L2 metric
    perceptual_weight: float = 0.0  # used only when --perceptual-weights points at a file on disk
    disc_start: int = 1600
    disc_weight: float = 0.1
    disc_channels: int = 32
    disc_layers: int = 3
    restart_every: int = 100  # dead-code restart interval (steps)
    restart_min_uses: float = 1.0  # codes used fewer times than this since the last restart are reseeded
    log_every: int = 25
    image_every: int = 400
    checkpoint_every: int = 200
    adam_betas: tuple[float, float] = (0.5, 0.9)


@dataclass(frozen=True)
class Preset:
    model: VQGANConfig
    train: TrainConfig = field(default_factory=TrainConfig)


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        VQGANConfig(image_size=32, channels=(8, 16, 16), norm_groups=4, latent_channels=8,
                    codebook_size=32, code_dim=4),
        TrainConfig(steps=20, batch_size=4, warmup_steps=2, disc_start=5, disc_channels=8, disc_layers=2,
                    restart_every=5, log_every=2, image_every=10, checkpoint_every=10),
    ),
    "default": Preset(VQGANConfig(), TrainConfig()),
    "large": Preset(
        VQGANConfig(image_size=256, channels=(64, 128, 128, 256, 256), layers_per_block=2, norm_groups=32,
                    mid_attention=True, latent_channels=256, codebook_size=1024, code_dim=64),
        TrainConfig(steps=40000, batch_size=32, lr=2e-4, disc_lr=2e-4, warmup_steps=1000, disc_start=10000,
                    disc_weight=0.5, disc_channels=64, disc_layers=3, restart_every=200,
                    log_every=50, image_every=1000, checkpoint_every=1000),
    ),
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise KeyError(f"unknown VQGAN preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]
