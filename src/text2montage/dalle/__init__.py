"""The KoDALLE transformer: [text tokens; image codes] on a transformers Llama decoder.

config.py    DalleConfig (+ presets tiny / default / large)
model.py     KoDalle: embeddings, backbone, image head, loss, save_pretrained / from_pretrained
text_init.py text embeddings from a pretrained Hugging Face model (KoDALLE's route)
captions.py  training captions from records (+ caption dropout), caption -> token ids
data.py      codes + records -> a training dataset
sampling.py  prefill / decode-one / generate with a KV cache, guidance, priming, reference sampler
regions.py   face-region masks on the code grid and region redraw
train_config.py  TrainConfig (the recipe) and TrainInputs: light, the CLI's defaults
train.py     training on the shared scaffold (text2montage.training)

Import from the modules (`from text2montage.dalle.model import KoDalle`): the package itself imports
nothing, so its light modules (config, train_config) stay light.
"""
