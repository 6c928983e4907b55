"""The training scaffold every stage's trainer uses (VQGAN, KoDALLE transformer, reranker, attributes).

- `training.run`: what a run is given (`RunOptions`) and where it writes (`RunFolder`); light to import,
  so the CLI can take its defaults from here.
- `training.loop`: the warm-up/cosine schedule, the Accelerator, the logger (TensorBoard + a jsonl of
  scalars), the one progress bar, checkpoint/resume semantics and the step loop.

A trainer keeps only what is its own: its model, data, losses and what it draws or evaluates while it
trains.
"""
