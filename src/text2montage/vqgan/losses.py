"""Training-only parts: PatchGAN discriminator, hinge loss, adaptive GAN weight, optional perceptual
loss, and the codebook-usage tracker that drives dead-code restarts."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn


class PatchDiscriminator(nn.Module):
    """PatchGAN (pix2pix / taming): strided convs to a grid of real/fake logits, one per patch."""

    def __init__(self, channels: int = 64, layers: int = 3) -> None:
        super().__init__()
        blocks: list[nn.Module] = [nn.Conv2d(1, channels, 4, 2, 1), nn.LeakyReLU(0.2)]
        width = channels
        for i in range(1, layers + 1):
            out = channels * min(2**i, 8)
            stride = 2 if i < layers else 1
            conv = nn.Conv2d(width, out, 4, stride, 1, bias=False)
            blocks += [conv, nn.GroupNorm(8, out), nn.LeakyReLU(0.2)]
            width = out
        blocks.append(nn.Conv2d(width, 1, 4, 1, 1))
        self.net = nn.Sequential(*blocks)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)  # (B, 1, P, P) logits


class TrainingParts(nn.Module):
    """Everything trained beside the VQGAN: the discriminator and the code-usage counts.

    One module so accelerate saves both in its state (counts included, so a resume restarts the
    same codes the uninterrupted run would have).
    """

    def __init__(self, codebook_size: int, disc_channels: int, disc_layers: int) -> None:
        super().__init__()
        self.discriminator = PatchDiscriminator(disc_channels, disc_layers)
        self.register_buffer("code_counts", torch.zeros(codebook_size))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.discriminator(images)  # (B, 1, P, P)


def hinge_d_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * (F.relu(1.0 - logits_real).mean() + F.relu(1.0 + logits_fake).mean())


def adaptive_gan_weight(
    rec_loss: torch.Tensor, gan_loss: torch.Tensor, last_layer: torch.Tensor, max_weight: float = 1e4
) -> torch.Tensor:
    """Taming's lambda = |grad rec| / |grad gan| at the decoder's last layer (a detached scalar)."""
    rec_grad = torch.autograd.grad(rec_loss, last_layer, retain_graph=True)[0]
    gan_grad = torch.autograd.grad(gan_loss, last_layer, retain_graph=True)[0]
    weight = rec_grad.norm() / (gan_grad.norm() + 1e-4)
    return weight.clamp(0.0, max_weight).detach()


class VGGPerceptualLoss(nn.Module):
    """LPIPS-style distance on VGG16 conv features (unit-normalised per channel, no learned heads).

    Weights come only from a local safetensors file with torchvision's `features.N.*` key names
    (e.g. converted from vgg16 once, offline); nothing is downloaded.
    """

    CONFIG: tuple[int | str, ...] = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512)
    TAPS = (3, 8, 15, 22)  # indices after relu1_2, relu2_2, relu3_3, relu4_3
    MEAN = (0.485, 0.456, 0.406)
    STD = (0.229, 0.224, 0.225)

    def __init__(self, weights: Path) -> None:
        super().__init__()
        self.features = self._build()
        state = load_file(str(weights))
        state = {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
        self.features.load_state_dict(state, strict=True)
        self.features.requires_grad_(False).eval()
        self.register_buffer("mean", torch.tensor(self.MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(self.STD).view(1, 3, 1, 1))

    def _build(self) -> nn.Sequential:
        layers: list[nn.Module] = []
        width = 3
        for item in self.CONFIG:
            if item == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(width, int(item), 3, padding=1), nn.ReLU()]
                width = int(item)
        return nn.Sequential(*layers)

    def _taps(self, images: torch.Tensor) -> list[torch.Tensor]:
        x = ((images.repeat(1, 3, 1, 1) + 1) / 2 - self.mean) / self.std  # (B, 3, S, S)
        out = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.TAPS:
                out.append(x / (x.norm(dim=1, keepdim=True) + 1e-10))
            if i >= self.TAPS[-1]:
                break
        return out

    def forward(self, images: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        pairs = zip(self._taps(images), self._taps(target), strict=True)
        return sum(((a - b) ** 2).sum(1).mean() for a, b in pairs)  # scalar
