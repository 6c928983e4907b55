"""VQGAN network: shapes, strict save/load, encode/decode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from text2montage.vqgan.codes import decode_codes, encode_images
from text2montage.vqgan.config import PRESETS, VQGANConfig
from text2montage.vqgan.model import VQGAN, ModelLoadError


def tiny() -> VQGAN:
    torch.manual_seed(0)
    return VQGAN(PRESETS["tiny"].model).eval()


def test_forward_shapes() -> None:
    model = tiny()
    cfg = model.config
    x = torch.rand(2, 1, cfg.image_size, cfg.image_size) * 2 - 1
    out = model(x)
    assert out.reconstruction.shape == x.shape
    assert out.codes.shape == (2, cfg.grid_size, cfg.grid_size) and out.codes.dtype == torch.int64
    assert out.latents.shape == (2, cfg.code_dim, cfg.grid_size, cfg.grid_size)
    assert out.vq_loss.ndim == 0


def test_default_preset_geometry() -> None:
    cfg = PRESETS["default"].model
    assert (cfg.image_size, cfg.downsample, cfg.tokens_per_image) == (128, 16, 64)
    assert 512 <= cfg.codebook_size <= 1024
    assert PRESETS["large"].model.image_size == 256


def test_save_load_round_trip(tmp_path: Path) -> None:
    model = tiny()
    x = torch.rand(2, 1, 32, 32) * 2 - 1
    model.save_pretrained(tmp_path)
    loaded = VQGAN.from_pretrained(tmp_path)
    assert loaded.config == model.config
    with torch.no_grad():
        assert torch.equal(model(x).reconstruction, loaded(x).reconstruction)


def test_load_is_strict(tmp_path: Path) -> None:
    tiny().save_pretrained(tmp_path)
    other = VQGAN(VQGANConfig(image_size=32, channels=(8, 16, 16), norm_groups=4, latent_channels=8,
                              codebook_size=64, code_dim=4))
    other.save_pretrained(tmp_path / "other")
    (tmp_path / "model.safetensors").write_bytes((tmp_path / "other" / "model.safetensors").read_bytes())
    with pytest.raises(ModelLoadError, match="cannot load"):
        VQGAN.from_pretrained(tmp_path)


def test_missing_and_corrupt_folders(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="no config.json"):
        VQGAN.from_pretrained(tmp_path)
    tiny().save_pretrained(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelLoadError):
        VQGAN.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="cannot read .*config.json"):
        VQGAN.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text('{"model_type": "text2montage-vqgan", "image_size": 30}')
    with pytest.raises(ModelLoadError, match="invalid VQGAN config"):
        VQGAN.from_pretrained(tmp_path)


def test_encode_decode_shapes_and_dtypes() -> None:
    model = tiny()
    images = np.full((3, 64, 64), 255, np.uint8)  # resized to the model's 32x32
    codes = encode_images(model, images, batch_size=2)
    g = model.config.grid_size
    assert codes.shape == (3, g, g) and codes.dtype == np.uint16
    assert int(codes.max()) < model.config.codebook_size
    decoded = decode_codes(model, codes, batch_size=2)
    assert decoded.shape == (3, 32, 32) and decoded.dtype == np.uint8
    assert model.encode(torch.zeros(2, 1, 32, 32)).shape == (2, g, g)


def test_decode_rejects_bad_codes() -> None:
    model = tiny()
    with pytest.raises(ValueError, match="shape"):
        model.decode(torch.zeros(1, 3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="lie in"):
        model.decode(torch.full((1, 8, 8), 999))
