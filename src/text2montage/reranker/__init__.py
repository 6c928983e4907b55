"""The reranker: a contrastive dual encoder (transformers' VisionTextDualEncoderModel: a 1-channel ViT and a
BERT-style text encoder) that scores how well a sketch matches a Korean description. It reranks drawn
montages, and its image tower is the offline feature extractor for FID / IS (text2montage.metrics.fid).

Python API (everything another stage needs)::

    from text2montage.reranker import Reranker
    reranker = Reranker.from_pretrained(DIR)   # a `train reranker` OUT, or a pipeline folder with reranker/
    scores = reranker.score(description, images)   # uint8 (N, S, S) -> (N,) cosine, higher = better match
    order, sorted_scores = reranker.rank(description, images)   # indices best first
    reranker.image_features(images)            # (N, D) float unit vectors (CPU tensor)
    reranker.text_features(descriptions)       # (T, D) float unit vectors
    reranker.similarity(descriptions, images)  # (T, N) NumPy cosine matrix

Images of any square size are resized (antialiased) to the model's image size. A description longer
than the text window (config.text_max_len tokens) is cut to it with a TextTruncatedWarning; an empty
one raises RerankerInputError (a DataError). Loading problems raise RerankerLoadError (a ModelLoadError).

Metrics on top of it (text2montage.metrics.fid): frechet_distance(real, fake, RerankerImageFeatures(r)),
inception_score(images, PrototypeLogits(r, attribute_prototypes())), r_precision(r, descriptions, images).

config.py    RerankerConfig (+ presets tiny / default / large)
model.py     RerankerModel: towers, InfoNCE loss with a learnable temperature, save/load (strict)
text.py      descriptions -> token ids (pad to the longest, cut with a warning)
data.py      training pairs: sketches + captions drawn like the transformer's (dalle.captions)
scorer.py    Reranker: the scoring API above
train.py     the Accelerate training loop (atomic checkpoints, exact resume)
evaluate.py  held-out R-precision and recall@K
"""

from text2montage.reranker.config import RerankerConfig, preset_config
from text2montage.reranker.model import RerankerInputError, RerankerLoadError, RerankerModel
from text2montage.reranker.scorer import Reranker
from text2montage.reranker.text import TextTruncatedWarning

__all__ = [
    "Reranker",
    "RerankerConfig",
    "RerankerInputError",
    "RerankerLoadError",
    "RerankerModel",
    "TextTruncatedWarning",
    "preset_config",
]
