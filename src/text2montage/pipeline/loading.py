"""A pipeline folder on disk: model_index.json naming each component, one sub-folder per component.

    PIPELINE/model_index.json   {"_class_name": "MontagePipeline", "_text2montage_version": ...,
                                 "_format_version": 1, "tokenizer": ["transformers", "<class>"],
                                 "vqgan": ["text2montage", "VQGAN"], "dalle": ["text2montage", "KoDalle"],
                                 "reranker": [...], "attributes": [...]}   (the last two optional)
    PIPELINE/{tokenizer,vqgan,dalle,reranker,attributes}/

The index follows diffusers' model_index.json: component name -> [library, class]. Loading is strict:
a component the index names must load completely (strict safetensors), the tokenizer must be the one the
transformer was trained with, and the VQGAN must decode the transformer's code grids.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from text2montage.pipeline.errors import PipelineLoadError

INDEX_FILE = "model_index.json"
FORMAT_VERSION = 1
PIPELINE_CLASS = "MontagePipeline"
DEFAULT_PIPELINE_DIR = Path(__file__).resolve().parent.parent / "pretrained" / "default"
REQUIRED = ("tokenizer", "vqgan", "dalle")
OPTIONAL = ("reranker", "attributes")
CLASSES: dict[str, tuple[str, str | None]] = {  # component -> (library, class; None = any of the library)
    "tokenizer": ("transformers", None),
    "vqgan": ("text2montage", "VQGAN"),
    "dalle": ("text2montage", "KoDalle"),
    "reranker": ("text2montage", "Reranker"),
    "attributes": ("text2montage", "AttributeClassifier"),
}
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


@dataclass
class Components:
    """The loaded parts of a pipeline (reranker and attributes may be absent)."""

    tokenizer: Any  # transformers PreTrainedTokenizerBase
    vqgan: Any  # text2montage.vqgan.model.VQGAN
    dalle: Any  # text2montage.dalle.model.KoDalle
    reranker: Any | None = None
    attributes: Any | None = None


# --------------------------------------------------------------------------------------------------
# where the folder is
# --------------------------------------------------------------------------------------------------
def resolve_pipeline_dir(path_or_hub_id: str | Path | None) -> Path:
    """A local pipeline folder for a path, a cached Hub id, or None (the shipped default). Never downloads."""
    if path_or_hub_id is None:
        if not (DEFAULT_PIPELINE_DIR / INDEX_FILE).is_file():
            raise PipelineLoadError(
                f"the shipped default pipeline is not installed ({DEFAULT_PIPELINE_DIR}); pass a folder"
            )
        return DEFAULT_PIPELINE_DIR
    path = Path(path_or_hub_id).expanduser()
    if path.exists():
        if not path.is_dir():
            raise PipelineLoadError(f"{path} is a file; give the pipeline folder that holds {INDEX_FILE}")
        return path
    name = str(path_or_hub_id)
    if not _HUB_ID.match(name):
        raise PipelineLoadError(f"no pipeline folder at {name}")
    return _cached_hub_snapshot(name)


def _cached_hub_snapshot(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError, OSError) as err:
        raise PipelineLoadError(
            f"{repo_id!r} is neither a local folder nor a pipeline in the Hugging Face cache; this program "
            f"never downloads at run time: fetch it once where you have network (`hf download {repo_id}`) "
            "or pass a local folder"
        ) from err


# --------------------------------------------------------------------------------------------------
# the index
# --------------------------------------------------------------------------------------------------
def read_index(root: Path) -> dict[str, Any]:
    """The validated model_index.json of a pipeline folder."""
    path = root / INDEX_FILE
    if not path.is_file():
        hint = ""
        if (root / "dalle").is_dir() or (root / "config.json").is_file():
            hint = " (a training run's folder? build a pipeline with `text2montage pipeline assemble`)"
        raise PipelineLoadError(f"{root} is not a pipeline folder: no {INDEX_FILE}{hint}")
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise PipelineLoadError(f"cannot read {path}: {err}") from err
    if not isinstance(index, dict) or index.get("_class_name") != PIPELINE_CLASS:
        raise PipelineLoadError(f"{path} does not describe a {PIPELINE_CLASS}")
    version = index.get("_format_version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise PipelineLoadError(f"{path} has format version {version!r}; this text2montage reads up to "
                                f"{FORMAT_VERSION}: upgrade text2montage")
    _check_entries(index, path)
    return index


def _check_entries(index: dict[str, Any], path: Path) -> None:
    for name in REQUIRED:
        if name not in index:
            raise PipelineLoadError(f"{path} names no {name} component")
    for name, entry in index.items():
        if name.startswith("_"):
            continue
        if name not in CLASSES:
            raise PipelineLoadError(f"{path} names an unknown component {name!r}")
        library, class_name = CLASSES[name]
        ok = isinstance(entry, list) and len(entry) == 2 and entry[0] == library
        if not ok or (class_name is not None and entry[1] != class_name):
            expected = f'["{library}", "{class_name or "<class>"}"]'
            raise PipelineLoadError(f"{path}: component {name} is {entry!r}, expected {expected}")


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("text2montage")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "unknown"


def make_index(components: Components) -> dict[str, Any]:
    index: dict[str, Any] = {
        "_class_name": PIPELINE_CLASS,
        "_text2montage_version": package_version(),
        "_format_version": FORMAT_VERSION,
        "tokenizer": ["transformers", type(components.tokenizer).__name__],
    }
    for name in ("vqgan", "dalle", *OPTIONAL):
        if getattr(components, name) is not None:
            index[name] = list(CLASSES[name])
    return index


# --------------------------------------------------------------------------------------------------
# the components
# --------------------------------------------------------------------------------------------------
def load_components(root: Path) -> Components:
    """Load every component the index names; PipelineLoadError naming the component that fails."""
    index = read_index(root)
    for name in (n for n in index if not n.startswith("_")):
        if not (root / name).is_dir():
            raise PipelineLoadError(f"{root} names a {name} component but has no {name}/ folder")
    parts = {name: _load_one(name, root / name) for name in (*REQUIRED, *OPTIONAL) if name in index}
    components = Components(**parts)
    check_fit(components, root)
    return components


def load_component(name: str, folder: Path) -> Any:
    """One component from its own folder (e.g. a training run's dalle/); PipelineLoadError on any problem."""
    if name not in _LOADERS:
        raise PipelineLoadError(f"unknown component {name!r}; pipelines hold {', '.join(_LOADERS)}")
    if not Path(folder).is_dir():
        raise PipelineLoadError(f"no {name} folder at {folder}")
    return _load_one(name, Path(folder))


def _load_one(name: str, folder: Path) -> Any:
    try:
        return _LOADERS[name](folder)
    except PipelineLoadError:
        raise
    except (ValueError, RuntimeError, OSError, KeyError, TypeError) as err:
        message = str(err.args[0]) if err.args else str(err)
        raise PipelineLoadError(f"cannot load the {name} component: {message}") from err


def _load_tokenizer(folder: Path) -> Any:
    from text2montage.text.tokenizer import load_text_tokenizer

    return load_text_tokenizer(folder)


def _load_vqgan(folder: Path) -> Any:
    from text2montage.vqgan.model import VQGAN

    return VQGAN.from_pretrained(folder)


def _load_dalle(folder: Path) -> Any:
    from text2montage.dalle.model import KoDalle

    return KoDalle.from_pretrained(folder)


def _load_reranker(folder: Path) -> Any:
    try:
        from text2montage.reranker import Reranker
    except ImportError as err:
        raise PipelineLoadError(
            "the pipeline holds a reranker but this installation of text2montage has no reranker module"
        ) from err
    return Reranker.from_pretrained(folder)


def _load_attributes(folder: Path) -> Any:
    try:
        from text2montage.attributes import AttributeClassifier
    except ImportError as err:
        raise PipelineLoadError(
            "the pipeline holds an attribute classifier but this installation cannot load one"
        ) from err
    return AttributeClassifier.from_pretrained(folder)


_LOADERS = {
    "tokenizer": _load_tokenizer,
    "vqgan": _load_vqgan,
    "dalle": _load_dalle,
    "reranker": _load_reranker,
    "attributes": _load_attributes,
}


def check_fit(components: Components, where: Path | str) -> None:
    """The parts must work together: tokenizer <-> transformer, transformer <-> VQGAN."""
    dalle_cfg, vq_cfg, tokenizer = components.dalle.config, components.vqgan.config, components.tokenizer
    if tokenizer.pad_token_id != dalle_cfg.text_pad_id or len(tokenizer) > dalle_cfg.text_vocab_size:
        raise PipelineLoadError(f"{where}: the tokenizer is not the one the transformer was trained with "
                                f"(pad id {tokenizer.pad_token_id} vs {dalle_cfg.text_pad_id}, vocabulary "
                                f"{len(tokenizer)} vs {dalle_cfg.text_vocab_size})")
    if vq_cfg.grid_size != dalle_cfg.grid_size or vq_cfg.codebook_size != dalle_cfg.codebook_size:
        raise PipelineLoadError(
            f"{where}: the VQGAN ({vq_cfg.grid_size}x{vq_cfg.grid_size} grid, {vq_cfg.codebook_size} codes) "
            f"does not match the transformer ({dalle_cfg.grid_size}x{dalle_cfg.grid_size}, "
            f"{dalle_cfg.codebook_size} codes)"
        )
