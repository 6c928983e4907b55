"""Strict pipeline loading: a clear PipelineLoadError for every way a folder can be wrong."""

from __future__ import annotations

import json
import shutil

import pytest
from tiny_pipeline import build_tiny_pipeline

from text2montage.pipeline import MontagePipeline, PipelineLoadError


@pytest.fixture
def broken(tiny_dir, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(tiny_dir, folder)
    return folder


def _index(folder):
    return json.loads((folder / "model_index.json").read_text(encoding="utf-8"))


def _write_index(folder, index):
    (folder / "model_index.json").write_text(json.dumps(index), encoding="utf-8")


def test_missing_weights_name_the_component(broken):
    (broken / "dalle" / "model.safetensors").unlink()
    with pytest.raises(PipelineLoadError, match="dalle component.*model.safetensors"):
        MontagePipeline.from_pretrained(broken)


def test_truncated_weights_are_reported(broken):
    weights = broken / "vqgan" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(PipelineLoadError, match="vqgan component.*truncated"):
        MontagePipeline.from_pretrained(broken)


def test_missing_component_folder(broken):
    shutil.rmtree(broken / "tokenizer")
    with pytest.raises(PipelineLoadError, match="no tokenizer/ folder"):
        MontagePipeline.from_pretrained(broken)


def test_a_vqgan_that_does_not_fit_the_transformer(broken, tmp_path):
    from dataclasses import replace

    from text2montage.vqgan.model import VQGAN

    other = build_tiny_pipeline()
    shutil.rmtree(broken / "vqgan")
    VQGAN(replace(other.vqgan.config, codebook_size=16)).save_pretrained(broken / "vqgan")
    with pytest.raises(PipelineLoadError, match="does not match the transformer"):
        MontagePipeline.from_pretrained(broken)


def test_a_config_that_does_not_match_its_weights(broken):
    config = json.loads((broken / "dalle" / "config.json").read_text(encoding="utf-8"))
    config["width"] = 64
    (broken / "dalle" / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(PipelineLoadError, match="dalle component.*does not match"):
        MontagePipeline.from_pretrained(broken)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda index: index.pop("vqgan"), "names no vqgan"),
        (lambda index: index.update(dalle=["text2montage", "GPT2"]), "component dalle"),
        (lambda index: index.update(upscaler=["text2montage", "X"]), "unknown component"),
        (lambda index: index.update(_format_version=99), "upgrade text2montage"),
        (lambda index: index.update(_class_name="StableDiffusionPipeline"), "does not describe"),
        (lambda index: index.update(reranker=["text2montage", "Reranker"]), "no reranker/ folder"),
    ],
)
def test_index_problems(broken, change, message):
    index = _index(broken)
    change(index)
    _write_index(broken, index)
    with pytest.raises(PipelineLoadError, match=message):
        MontagePipeline.from_pretrained(broken)


def test_no_index_and_unreadable_index(broken, tmp_path):
    (broken / "model_index.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PipelineLoadError, match="cannot read"):
        MontagePipeline.from_pretrained(broken)
    (broken / "model_index.json").unlink()
    with pytest.raises(PipelineLoadError, match="pipeline assemble"):
        MontagePipeline.from_pretrained(broken)


def test_paths_and_hub_ids_that_are_not_there(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(PipelineLoadError, match="never downloads"):
        MontagePipeline.from_pretrained("nobody/no-such-pipeline")
    with pytest.raises(PipelineLoadError, match="no pipeline folder"):
        MontagePipeline.from_pretrained(tmp_path / "absent" / "deeper")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(PipelineLoadError, match="is a file"):
        MontagePipeline.from_pretrained(tmp_path / "file.txt")


def test_save_refuses_a_folder_with_files(tmp_path, pipe):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(PipelineLoadError, match="already exists"):
        pipe.save_pretrained(tmp_path / "full")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
