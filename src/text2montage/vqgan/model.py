"""The VQGAN image tokenizer: diffusers' VQModel (encoder, vector quantiser, decoder) for 1-channel
sketches, with save_pretrained / from_pretrained as config.json + model.safetensors (strict).

Images enter as float tensors in [-1, 1] (white background = +1), shape (B, 1, S, S); codes are
int64 (B, G, G) with G = S / downsample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from diffusers import VQModel
from torch import nn

from text2montage.errors import ModelLoadError
from text2montage.vqgan.config import VQGANConfig
from text2montage.weights import CONFIG_FILE, load_weights_strict, read_config, save_config, save_weights

MODEL_TYPE = "text2montage-vqgan"
FORMAT_VERSION = 1


@dataclass
class VQGANOutput:
    reconstruction: torch.Tensor  # (B, 1, S, S)
    latents: torch.Tensor  # (B, D, G, G) encoder output before quantisation
    codes: torch.Tensor  # (B, G, G) int64
    vq_loss: torch.Tensor  # scalar: codebook + commitment


class VQGAN(nn.Module):
    def __init__(self, config: VQGANConfig) -> None:
        super().__init__()
        self.config = config.validated()
        n_blocks = len(config.channels)
        self.vq = VQModel(
            in_channels=1,
            out_channels=1,
            down_block_types=("DownEncoderBlock2D",) * n_blocks,
            up_block_types=("UpDecoderBlock2D",) * n_blocks,
            block_out_channels=tuple(config.channels),
            layers_per_block=config.layers_per_block,
            latent_channels=config.latent_channels,
            sample_size=config.image_size,
            num_vq_embeddings=config.codebook_size,
            vq_embed_dim=config.code_dim,
            norm_num_groups=config.norm_groups,
            mid_block_add_attention=config.mid_attention,
        )
        # diffusers keeps a legacy loss that puts beta on the codebook term; use the paper's form.
        self.vq.quantize.legacy = False
        self.vq.quantize.beta = config.commitment

    @property
    def codebook(self) -> nn.Embedding:
        return self.vq.quantize.embedding

    @property
    def last_layer(self) -> torch.Tensor:
        """The decoder's output conv weight, for the GAN loss's adaptive weight."""
        return self.vq.decoder.conv_out.weight

    def encode_latents(self, images: torch.Tensor) -> torch.Tensor:
        return self.vq.encode(images).latents  # (B, D, G, G)

    def quantize(self, latents: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """latents (B, D, G, G) -> quantised (B, D, G, G), codes (B, G, G), vq loss (scalar)."""
        quant, vq_loss, (_, _, flat_codes) = self.vq.quantize(latents)
        b, _, g, w = latents.shape
        return quant, flat_codes.view(b, g, w), vq_loss

    def decode_quantized(self, quant: torch.Tensor) -> torch.Tensor:
        return self.vq.decoder(self.vq.post_quant_conv(quant))  # (B, 1, S, S)

    def forward(self, images: torch.Tensor) -> VQGANOutput:
        latents = self.encode_latents(images)  # (B, D, G, G)
        quant, codes, vq_loss = self.quantize(latents)
        return VQGANOutput(self.decode_quantized(quant), latents, codes, vq_loss)

    @torch.no_grad()
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 1, S, S) in [-1, 1] -> codes (B, G, G) int64."""
        self._check_images(images)
        return self.quantize(self.encode_latents(images))[1]

    @torch.no_grad()
    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """codes (B, G, G) integer -> images (B, 1, S, S) float in [-1, 1]."""
        g = self.config.grid_size
        if codes.ndim != 3 or codes.shape[1:] != (g, g):
            raise ValueError(f"codes must have shape (B, {g}, {g}); got {tuple(codes.shape)}")
        if codes.numel() and (int(codes.min()) < 0 or int(codes.max()) >= self.config.codebook_size):
            raise ValueError(f"codes must lie in [0, {self.config.codebook_size}); got {int(codes.max())}")
        quant = self.codebook(codes.long().to(self.codebook.weight.device))  # (B, G, G, D)
        return self.decode_quantized(quant.permute(0, 3, 1, 2)).clamp(-1, 1)  # (B, 1, S, S)

    def _check_images(self, images: torch.Tensor) -> None:
        s = self.config.image_size
        if images.ndim != 4 or images.shape[1:] != (1, s, s):
            raise ValueError(f"images must have shape (B, 1, {s}, {s}); got {tuple(images.shape)}")

    def save_pretrained(self, folder: str | Path) -> None:
        header = {"model_type": MODEL_TYPE, "format_version": FORMAT_VERSION}
        save_config(folder, {**header, **self.config.to_dict()})
        save_weights(self, folder, metadata={"model_type": MODEL_TYPE})

    @classmethod
    def from_pretrained(cls, folder: str | Path, device: str | torch.device = "cpu") -> VQGAN:
        """Load strictly: a missing, unexpected or mis-shaped weight is a ModelLoadError."""
        folder = Path(folder)
        model = cls(vqgan_config(folder))
        load_weights_strict(model, folder, ModelLoadError, device=device)
        return model.to(device).eval()


def vqgan_config(folder: Path) -> VQGANConfig:
    data = read_config(folder, ModelLoadError, "VQGAN")
    path = Path(folder) / CONFIG_FILE
    try:
        if data.get("model_type") != MODEL_TYPE:
            raise ValueError(f"model_type is {data.get('model_type')!r}, expected {MODEL_TYPE!r}")
        return VQGANConfig.from_dict(data)
    except (ValueError, TypeError, AttributeError) as err:
        raise ModelLoadError(f"invalid VQGAN config {path}: {err}") from err
