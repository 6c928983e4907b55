"""Sampling and training speed of the KoDALLE transformer (a benchmark, not a test).

    python bench/sampling.py --json

Measures, on random weights of the issue's 6.3M-parameter config (width 256, 6 layers, 4 heads of 64,
feed-forward 4x, text vocabulary 8000, codebook 1024, 48 text + 64 image tokens; `--preset` for others):
- identical: the KV-cached sampler and the full-recompute reference draw the same codes (same seed);
- ms per image, cached and recomputed, at batch 1 and batch 8, with classifier-free guidance (scale 3,
  so every step runs 2x the rows: conditional + unconditional);
- training samples per second at batch 16 (forward, backward, AdamW step).
Timings depend on what else runs on the machine; the JSON records the load average and thread count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

import torch

from text2montage.dalle.config import preset_config
from text2montage.dalle.model import KoDalle
from text2montage.dalle.sampling import CachedSampler, SamplingConfig, generate, reference_generate

GUIDANCE = 3.0
WORDS = 30  # non-pad text tokens in the benchmark prompt


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median wall seconds of fn over repeats (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def prompt(model: KoDalle) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    text = torch.randint(4, model.config.text_vocab_size, (1, model.config.text_len), generator=generator)
    text[:, WORDS:] = model.config.text_pad_id
    return text  # (1, T)


def sampling_figures(model: KoDalle, repeats: int, compile_decode: bool) -> dict[str, object]:
    text, config = prompt(model), SamplingConfig(seed=0, guidance_scale=GUIDANCE, top_k=256)
    sampler = CachedSampler(model, compile_decode=compile_decode)
    cached = generate(model, text, 8, config, sampler=sampler)
    recomputed = reference_generate(model, text, 8, config)
    figures: dict[str, object] = {"identical": bool(torch.equal(cached, recomputed))}
    for batch in (1, 8):
        cached_s = timed(lambda b=batch: generate(model, text, b, config, sampler=sampler), repeats)
        recompute_s = timed(lambda b=batch: reference_generate(model, text, b, config), 1)
        figures[f"ms_per_image_cached_b{batch}"] = round(1000 * cached_s / batch, 2)
        figures[f"ms_per_image_recompute_b{batch}"] = round(1000 * recompute_s / batch, 2)
    figures["speedup_b8"] = round(figures["ms_per_image_recompute_b8"] / figures["ms_per_image_cached_b8"], 2)
    figures["compiled_decode_active"] = sampler.compiled  # False if compilation failed and eager ran
    return figures


def train_figure(model: KoDalle, batch: int, steps: int) -> float:
    """Training samples per second: forward + backward + AdamW over (batch, T) text and (batch, N) codes."""
    cfg = model.config
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    text = prompt(model).expand(batch, -1).contiguous()  # (B, T)
    codes = torch.randint(0, cfg.codebook_size, (batch, cfg.image_len))  # (B, N)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        model.loss(text, codes).backward()
        optimizer.step()

    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    model.eval()
    return batch * steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for sampling (2: both cores)")
    parser.add_argument("--train-threads", type=int, nargs="+", default=[1, 2], help="thread counts to try")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--train-steps", type=int, default=6)
    parser.add_argument("--compile", action="store_true", help="torch.compile the decode step")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    torch.manual_seed(0)
    model = KoDalle(preset_config(args.preset)).eval()
    torch.set_num_threads(args.threads)
    figures = sampling_figures(model, args.repeats, args.compile)
    by_threads = {}
    for threads in args.train_threads:
        torch.set_num_threads(threads)
        by_threads[threads] = round(train_figure(model, 16, args.train_steps), 2)
    figures["train_samples_per_s"] = max(by_threads.values())
    figures["train_samples_per_s_by_threads"] = by_threads
    cfg = model.config
    figures["config"] = {
        "preset": args.preset, "width": cfg.width, "layers": cfg.layers, "heads": cfg.heads,
        "head_dim": cfg.width // cfg.heads, "ffn_mult": cfg.ffn_mult, "text_vocab": cfg.text_vocab_size,
        "codebook": cfg.codebook_size, "text_len": cfg.text_len, "image_len": cfg.image_len,
        "transformer_params": sum(p.numel() for p in model.backbone.parameters()),
        "all_params": model.num_parameters(), "guidance": GUIDANCE, "top_k": 256,
        "compiled_decode": args.compile, "sampling_threads": args.threads,
        "train_batch": 16, "train_optimizer": "AdamW(fused)",
    }  # fmt: skip
    figures["machine"] = {
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
