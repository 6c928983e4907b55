"""The reranker network: transformers' VisionTextDualEncoderModel over a 1-channel ViT and a BERT-style
text encoder, with a symmetric InfoNCE loss and a learnable temperature (CLIP's recipe).

- Image tower: ViTModel (num_channels=1, no pooler); the mean of its final token states is projected.
- Text tower: a BertModel sized by the config over the caption tokenizer, or any Hugging Face text model
  (KoDALLE's route, e.g. klue/roberta-large); the mean of its final states over the text's tokens is
  projected. Mean pooling, not the [CLS] pooler: at initialisation a BERT's [CLS] state is the same for
  every text (measured: cosine 1.000 between six different descriptions), so a [CLS]-pooled tower must
  first learn to route the text into that token: the tiny preset fitted 5 of 6 (sketch, description)
  pairs after 150 steps at lr 3e-3 with the pooler (loss 0.61), all 6 with mean pooling (loss 5e-5).
- Between pooling and projection, a RunningNorm (a BatchNorm that always applies its running statistics)
  centres the pooled states. Sketches share most of their pixels and descriptions most of their words,
  so the pooled states of a fresh model point almost the same way (measured on 32 level-3 pairs of the
  synthetic corpus at the default size: mean cosine 0.99 for images, 0.995 for texts) and the contrastive
  loss barely moves until the projections learn to remove that common part. Fitting those 32 pairs at
  lr 5e-4: loss 3.43 -> 3.01 in 30 steps without a norm; 3.21 -> 0.06 in 40 steps with the RunningNorm
  (a per-batch BatchNorm fits faster, 0.02 in 10 steps, but its statistics would differ between batches
  grouped by caption length and between training and eval).
- Embeddings are L2-normalised; the logits are cos(text, image) * exp(logit_scale), logit_scale learnable
  and clamped at ln 100.
- Pixels: uint8 sketches (N, S, S) -> float (N, 1, H, W) in [-1, 1], resized (antialiased) to image_size.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from transformers import (
    AutoConfig,
    AutoModel,
    BertConfig,
    PretrainedConfig,
    PreTrainedModel,
    VisionTextDualEncoderConfig,
    VisionTextDualEncoderModel,
    ViTConfig,
    ViTModel,
)

from text2montage.errors import DataError, ModelLoadError
from text2montage.reranker.config import RerankerConfig, RerankerConfigError
from text2montage.weights import load_weights_strict, save_weights


class RerankerLoadError(ModelLoadError):
    """A saved reranker folder is missing, truncated or does not match its config."""


class RerankerInputError(DataError):
    """Images or texts the reranker cannot score (wrong dtype or shape, an empty description)."""


def vision_config(config: RerankerConfig) -> ViTConfig:
    return ViTConfig(
        image_size=config.image_size,
        patch_size=config.patch_size,
        num_channels=1,
        hidden_size=config.vision_width,
        num_hidden_layers=config.vision_layers,
        num_attention_heads=config.vision_heads,
        intermediate_size=config.ffn_mult * config.vision_width,
        hidden_dropout_prob=config.dropout,
        attention_probs_dropout_prob=config.dropout,
    )


def text_config(config: RerankerConfig) -> PretrainedConfig:
    """The text tower's config: the pretrained model's own, or a small BERT over the caption tokenizer."""
    if config.text_config is not None:
        return AutoConfig.for_model(**config.text_config)
    return BertConfig(
        vocab_size=config.text_vocab_size,
        hidden_size=config.text_width,
        num_hidden_layers=config.text_layers,
        num_attention_heads=config.text_heads,
        intermediate_size=config.ffn_mult * config.text_width,
        max_position_embeddings=config.text_max_len,
        type_vocab_size=1,
        pad_token_id=config.text_pad_id,
        hidden_dropout_prob=config.dropout,
        attention_probs_dropout_prob=config.dropout,
    )


def text_positions(text: PretrainedConfig) -> int:
    """Tokens the text tower can read (RoBERTa-style tables lose pad_token_id + 1 rows to the offset)."""
    rows = int(getattr(text, "max_position_embeddings", 0) or 0)
    if getattr(text, "model_type", "") in ("roberta", "xlm-roberta", "camembert"):
        rows -= int(getattr(text, "pad_token_id", 1) or 0) + 1
    return rows


def to_pixels(images: torch.Tensor, size: int) -> torch.Tensor:
    """uint8 (N, S, S) -> float (N, 1, size, size) in [-1, 1] (antialiased resize when S != size)."""
    x = images.to(torch.float32).unsqueeze(1) / 127.5 - 1.0  # (N, 1, S, S)
    if x.shape[-2:] != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return x  # (N, 1, size, size)


class RunningNorm(nn.BatchNorm1d):
    """(N, W) -> (N, W) standardised with the running mean and variance, in training too (each training
    batch updates them, without gradient). Unlike a BatchNorm's per-batch statistics this is one transform
    for every batch, whatever its make-up (batches grouped by caption length differ in mean), and the
    same in training and at eval time. The first updates weigh 1, 1/2, 1/3, ... until `momentum`."""

    def __init__(self, width: int, momentum: float = 0.1) -> None:
        super().__init__(width, momentum=momentum, affine=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            with torch.no_grad():
                weight = max(self.momentum, 1.0 / float(self.num_batches_tracked + 1))
                F.batch_norm(x, self.running_mean, self.running_var, training=True, momentum=weight)
                self.num_batches_tracked += 1
        return F.batch_norm(x, self.running_mean, self.running_var, training=False, eps=self.eps)


class RerankerModel(nn.Module):
    """Dual encoder (image, text) -> unit embeddings in one space; forward(...) is the training loss."""

    def __init__(self, config: RerankerConfig, text_model: PreTrainedModel | None = None) -> None:
        super().__init__()
        self.config = config
        vision = ViTModel(vision_config(config), add_pooling_layer=False)
        text = text_model if text_model is not None else AutoModel.from_config(text_config(config))
        if getattr(text, "pooler", None) is not None:
            text.pooler = None  # unused (mean pooling): no dead weights, nothing DDP would wait for
        if config.text_max_len > text_positions(text.config):
            raise RerankerConfigError(
                f"text_max_len {config.text_max_len} exceeds the {text_positions(text.config)} positions "
                "of the text model"
            )
        dual_config = VisionTextDualEncoderConfig.from_vision_text_configs(
            vision.config,
            text.config,
            projection_dim=config.projection_dim,
            logit_scale_init_value=config.logit_scale_init,
        )
        self.dual = VisionTextDualEncoderModel(dual_config, vision_model=vision, text_model=text)
        # Centre and scale the pooled states over the batch (running statistics at eval time) before the
        # projections: see the module docstring.
        self.image_norm = RunningNorm(vision.config.hidden_size)
        self.text_norm = RunningNorm(text.config.hidden_size)

    # ----------------------------------------------------------------------------------------------
    # inputs
    # ----------------------------------------------------------------------------------------------
    def pixels(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, S, S) sketches -> float (N, 1, H, W) in [-1, 1] at the model's image size."""
        if images.dtype != torch.uint8 or images.ndim != 3:
            raise RerankerInputError(
                f"images must be uint8 (N, S, S) grayscale, got {images.dtype} {tuple(images.shape)}"
            )
        return to_pixels(images.to(self.dual.logit_scale.device), self.config.image_size)

    # ----------------------------------------------------------------------------------------------
    # embeddings and loss
    # ----------------------------------------------------------------------------------------------
    def image_embeds(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) pixels -> (N, D) unit vectors (mean of the final token states, projected)."""
        hidden = self.dual.vision_model(pixel_values=pixel_values).last_hidden_state  # (N, 1 + P, W)
        pooled = self.image_norm(hidden.mean(dim=1))  # (N, W)
        return F.normalize(self.dual.visual_projection(pooled), dim=-1)  # (N, D)

    def text_embeds(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(N, L) token ids and mask -> (N, D) unit vectors (mean over the text's tokens, projected)."""
        hidden = self.dual.text_model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (N, L, 1)
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)  # (N, W)
        return F.normalize(self.dual.text_projection(self.text_norm(pooled)), dim=-1)  # (N, D)

    def logit_scale(self) -> torch.Tensor:
        """exp of the learnable log-scale, clamped (1 / temperature)."""
        return self.dual.logit_scale.clamp(max=self.config.max_logit_scale).exp()

    def forward(
        self,
        pixel_values: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        groups: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Symmetric InfoNCE over the batch's (text, image) pairs -> scalar loss.

        groups (B,): pairs with the same group id (the same person's other sketches) are not counted as
        negatives of each other, since their descriptions may fit both images.
        """
        image = self.image_embeds(pixel_values)  # (B, D)
        text = self.text_embeds(input_ids, attention_mask)  # (B, D)
        logits = self.logit_scale() * text @ image.t()  # (B, B): text i vs image j
        if groups is not None:
            same = groups[:, None] == groups[None, :]  # (B, B)
            same.fill_diagonal_(False)
            logits = logits.masked_fill(same, float("-inf"))
        targets = torch.arange(len(logits), device=logits.device)
        return 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets))

    # ----------------------------------------------------------------------------------------------
    # persistence
    # ----------------------------------------------------------------------------------------------
    def save_pretrained(self, folder: str | Path) -> None:
        """Write config.json and model.safetensors into folder."""
        folder = Path(folder)
        self.config.save(folder)
        save_weights(self, folder)

    @classmethod
    def from_pretrained(cls, folder: str | Path, device: str | torch.device = "cpu") -> RerankerModel:
        """Load a folder written by save_pretrained; every weight must be present with its saved shape."""
        folder = Path(folder)
        if not folder.is_dir():
            raise RerankerLoadError(f"{folder} is not a folder with a trained reranker")
        try:
            config = RerankerConfig.load(folder)
        except RerankerConfigError as err:
            raise RerankerLoadError(str(err)) from err
        model = cls(config)
        load_weights_strict(model, folder, RerankerLoadError)
        return model.to(device).eval()

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def with_pretrained_text(config: RerankerConfig, name_or_path: str) -> RerankerModel:
    """A reranker whose text tower starts from a local or cached Hugging Face model (never downloads)."""
    from text2montage.dalle.text_init import TextEncoderNotFoundError

    try:
        text = AutoModel.from_pretrained(name_or_path, local_files_only=True)
    except (OSError, ValueError, TypeError) as err:
        where = "the folder" if Path(name_or_path).exists() else "the Hugging Face cache"
        raise TextEncoderNotFoundError(
            f"cannot load text encoder {name_or_path!r} from {where}: {err}. This program never downloads: "
            f"fetch it once where you have network (`huggingface-cli download {name_or_path}`) or pass a "
            "local path"
        ) from err
    text_dict = text.config.to_dict()
    config.text_config, config.text_encoder = text_dict, name_or_path
    config.text_vocab_size = int(text.config.vocab_size)
    config.text_width = int(text.config.hidden_size)
    return RerankerModel(config, text_model=text)
