"""Model weights on disk: one `model.safetensors` per model folder, loaded strictly.

Every model class (VQGAN, KoDALLE, reranker, attribute classifier) writes its config.json and weights
through these functions, so a missing file, an unexpected or mis-shaped tensor is always a clear error,
never a silent partial load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are light to import (config modules use them); torch is not
    import torch

CONFIG_FILE = "config.json"  # every model folder: its config beside its weights
WEIGHTS_FILE = "model.safetensors"


def save_config(folder: str | Path, config: dict[str, Any]) -> Path:
    """folder/config.json (the folder made when missing): indented UTF-8 JSON, Korean kept as is."""
    path = Path(folder) / CONFIG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def read_config(folder: str | Path, error: type[Exception], what: str) -> dict[str, Any]:
    """folder/config.json as a dict; a missing, unreadable or non-object file raises `error`."""
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise error(f"{folder} holds no {CONFIG_FILE}; is it a trained {what} folder?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise error(f"cannot read {path}: {err}") from err
    if not isinstance(data, dict):
        raise error(f"{path} does not hold a JSON object")
    return data


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
    config = Path(folder) / CONFIG_FILE
    mismatch = state_mismatch(module, state)
    if mismatch:
        raise error(f"cannot load {weights}: it does not match {config} (saved from another config?): "
                    f"{mismatch}")
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0]
        raise error(f"cannot load {weights}: it does not match {config}: {first}") from err


def state_mismatch(module: torch.nn.Module, state: dict[str, torch.Tensor]) -> str | None:
    """One sentence on how `state` differs from the module's tensors (None: same names and shapes)."""
    expected = {name: tuple(t.shape) for name, t in module.state_dict().items()}
    found = {name: tuple(t.shape) for name, t in state.items()}
    reshaped = sorted(n for n in expected.keys() & found.keys() if expected[n] != found[n])
    missing, unexpected = sorted(expected.keys() - found.keys()), sorted(found.keys() - expected.keys())
    parts = []
    if reshaped:
        name = reshaped[0]
        parts.append(f"{len(reshaped)} tensor(s) of another shape, e.g. {name} {list(found[name])} in the "
                     f"file, {list(expected[name])} by the config")
    if missing:
        parts.append(f"{len(missing)} tensor(s) missing, e.g. {missing[0]}")
    if unexpected:
        parts.append(f"{len(unexpected)} unexpected tensor(s), e.g. {unexpected[0]}")
    return "; ".join(parts) or None
