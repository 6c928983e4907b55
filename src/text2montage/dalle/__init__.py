"""The KoDALLE transformer: [text tokens; image codes] on a transformers Llama decoder.

config.py    DalleConfig (+ presets tiny / default / large)
model.py     KoDalle: embeddings, backbone, image head, loss, save_pretrained / from_pretrained
text_init.py text embeddings from a pretrained Hugging Face model (KoDALLE's route)
captions.py  training captions from records (+ caption dropout), caption -> token ids
data.py      codes + records -> a training dataset
sampling.py  prefill / decode-one / generate with a KV cache, guidance, priming, reference sampler
regions.py   face-region masks on the code grid and region redraw
train.py     the Accelerate training loop
folder.py    loading a trained model folder for sampling
"""

from text2montage.dalle.config import DalleConfig, preset_config
from text2montage.dalle.model import KoDalle
from text2montage.dalle.regions import REGIONS, redraw_region, region_mask
from text2montage.dalle.sampling import CachedSampler, SamplingConfig, generate, reference_generate

__all__ = [
    "REGIONS",
    "CachedSampler",
    "DalleConfig",
    "KoDalle",
    "SamplingConfig",
    "generate",
    "preset_config",
    "redraw_region",
    "reference_generate",
    "region_mask",
]
