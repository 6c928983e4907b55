"""Fingerprints of loaded components: sha256 over what determines their output (config + weights).

They are computed from the objects, not from files, so a pipeline has the same fingerprint in memory,
after save_pretrained and after from_pretrained; montage codes carry the VQGAN's.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import torch


def module_digest(module: torch.nn.Module, config: dict[str, Any] | None = None) -> str:
    """sha256 hex over a module's config (sorted JSON) and each state tensor (name, dtype, shape, bytes)."""
    digest = hashlib.sha256(json.dumps(config or {}, sort_keys=True, default=str).encode("utf-8"))
    for name, tensor in sorted(module.state_dict().items()):
        flat = tensor.detach().to("cpu").contiguous().reshape(-1)
        digest.update(f"{name}|{flat.dtype}|{tuple(tensor.shape)}".encode())
        digest.update(flat.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def tokenizer_digest(tokenizer: Any) -> str:
    """sha256 hex over the tokenizer's full serialisation (vocabulary, merges, normaliser, special tokens)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    text = backend.to_str() if backend is not None else json.dumps(tokenizer.get_vocab(), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def component_digest(component: Any) -> str:
    """A digest for any component: modules by weights, tokenizers by serialisation, else its class name."""
    if isinstance(component, torch.nn.Module):
        config = getattr(component, "config", None)
        as_dict = config.to_dict() if hasattr(config, "to_dict") else {}
        return module_digest(component, as_dict)
    inner = getattr(component, "model", None)
    if isinstance(inner, torch.nn.Module):
        return module_digest(inner)
    if hasattr(component, "get_vocab"):
        return tokenizer_digest(component)
    return hashlib.sha256(type(component).__qualname__.encode()).hexdigest()


def combine(digests: dict[str, str]) -> str:
    """One short pipeline fingerprint from the component digests."""
    text = "|".join(f"{name}={digests[name]}" for name in sorted(digests))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
