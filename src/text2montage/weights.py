"""Model weights on disk: one `model.safetensors` per model folder, loaded strictly.

Every model class (VQGAN, KoDALLE) writes its own config.json and uses these two functions for the
weights, so a missing, unexpected or mis-shaped tensor is always a clear error, never a silent
partial load.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names below are light to import (config modules use them); torch is not
    import torch

CONFIG_FILE = "config.json"  # every model folder: its config beside its weights
WEIGHTS_FILE = "model.safetensors"


def save_weights(module: torch.nn.Module, folder: str | Path, metadata: dict[str, str] | None = None) -> None:
    """Write the module's state dict to folder/model.safetensors (contiguous CPU copies)."""
    from safetensors.torch import save_file

    tensors = {name: t.detach().contiguous().cpu() for name, t in module.state_dict().items()}
    save_file(tensors, str(Path(folder) / WEIGHTS_FILE), metadata={"format": "pt", **(metadata or {})})


def load_weights_strict(
    module: torch.nn.Module, folder: str | Path, error: type[Exception], device: str | torch.device = "cpu"
) -> None:
    """Load folder/model.safetensors into module; any problem raises `error` with the reason."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    weights = Path(folder) / WEIGHTS_FILE
    if not weights.is_file():
        raise error(f"{folder} holds no {WEIGHTS_FILE}")
    try:
        state = load_file(str(weights), device=str(device))
    except (SafetensorError, OSError) as err:
        raise error(f"cannot load {weights}: unreadable or truncated: {err}") from err
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as err:
        config = Path(folder) / CONFIG_FILE
        raise error(f"cannot load {weights}: it does not match {config}: {err}") from err
