"""What the transformer's text window holds and what it costs (a benchmark, not a test).

    python bench/text_window.py --data work/prepared128 --codes work/codes --json

- Token lengths of every level-3 full description in the training split and of the five seed
  descriptions (../shared/seeds), with the shipped caption tokenizer: what `text_len` must hold.
- Training samples/s of the shipped-size transformer (random weights, batch 16, AdamW) on real training
  captions, three ways, interleaved so machine noise hits all alike: the old 48-token window, a 224-token
  window padded to the full window, and the same window padded only to the batch's longest caption.
- Guided sampling ms/image (batch 8) for a short prompt and for a full description.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from text2montage.dalle.captions import CaptionEncoder, CaptionOptions, build_caption, record_sections
from text2montage.dalle.config import preset_config
from text2montage.dalle.data import load_codes
from text2montage.dalle.model import KoDalle
from text2montage.dalle.sampling import SamplingConfig, generate
from text2montage.data.store import load_split
from text2montage.pipeline.loading import DEFAULT_PIPELINE_DIR
from text2montage.text.tokenizer import load_text_tokenizer

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_9f14abac14211dff.txt"
OLD_WINDOW, WINDOW, BATCH = 48, 224, 16


def seed_descriptions() -> list[str]:
    """The five descriptions of the seed README's table (first column)."""
    rows = re.findall(
        r"^\| (.+?) \| !\[\]\(assets/output\d\.png\) \|$", SEEDS.read_text(encoding="utf-8"), re.M
    )
    return [row.strip() for row in rows]


def length_figures(encoder: CaptionEncoder, records: list[dict]) -> dict[str, object]:
    full = np.array([encoder.token_count(" ".join(record_sections(r))) for r in records])
    seeds = [encoder.token_count(text) for text in seed_descriptions()]
    return {
        "full_level3_descriptions": len(full),
        **{f"tokens_p{q}": float(np.percentile(full, q)) for q in (50, 90, 99)},
        "tokens_max": int(full.max()),
        f"share_within_{WINDOW}": float((full <= WINDOW).mean()),
        f"share_within_{OLD_WINDOW}": float((full <= OLD_WINDOW).mean()),
        "seed_tokens": seeds,
    }


def caption_batches(records: list[dict], encoder: CaptionEncoder, count: int) -> list[list[str]]:
    """`count` batches of real training captions (the training mixture, fixed seed)."""
    rng, options = random.Random(0), CaptionOptions()
    return [
        [
            build_caption(records[rng.randrange(len(records))], rng, options, encoder.fits)
            for _ in range(BATCH)
        ]
        for _ in range(count)
    ]


def train_seconds(model: KoDalle, batches: list[torch.Tensor], codes: torch.Tensor) -> float:
    """Median seconds of one optimizer step over the given text batches."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    times = []
    for text in batches:
        start = time.perf_counter()
        loss = model.loss(text, codes)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def training_figures(tokenizer, records: list[dict], codes: np.ndarray, steps: int) -> dict[str, object]:  # noqa: ANN001
    torch.manual_seed(0)
    batch_codes = torch.from_numpy(codes[:BATCH].astype(np.int64))
    ways = {}
    for name, window, full_pad in (("old_48", OLD_WINDOW, True), ("224_full_pad", WINDOW, True),
                                   ("224_batch_pad", WINDOW, False)):  # fmt: skip
        encoder = CaptionEncoder(tokenizer, window)
        texts = caption_batches(records, encoder, steps + 1)
        encoded = [encoder.encode(batch) for batch in texts]
        if full_pad:
            encoded = [
                torch.nn.functional.pad(t, (0, window - t.shape[1]), value=encoder.pad_id) for t in encoded
            ]
        model = KoDalle(preset_config("default", text_vocab_size=len(tokenizer), text_len=window,
                                      text_pad_id=encoder.pad_id)).train()  # fmt: skip
        ways[name] = (model, encoded)
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(2):  # interleaved rounds
        for name, (model, encoded) in ways.items():
            seconds[name].append(train_seconds(model, encoded, batch_codes))
    figures = {f"train_samples_per_s_{name}": round(BATCH / min(s), 2) for name, s in seconds.items()}
    figures["mean_batch_text_len_224_batch_pad"] = float(
        np.mean([t.shape[1] for t in ways["224_batch_pad"][1]])
    )
    return figures


def sampling_figures(tokenizer, records: list[dict]) -> dict[str, object]:  # noqa: ANN001
    encoder = CaptionEncoder(tokenizer, WINDOW)
    model = KoDalle(preset_config("default", text_vocab_size=len(tokenizer), text_len=WINDOW,
                                  text_pad_id=encoder.pad_id)).eval()  # fmt: skip
    config = SamplingConfig(seed=0, guidance_scale=3.0, top_k=256)
    prompts = {
        "short_prompt": seed_descriptions()[-1],
        "full_description": " ".join(record_sections(records[0])),
    }
    figures = {}
    for name, text in prompts.items():
        ids = encoder.encode([text])
        generate(model, ids, 8, config)  # warm-up
        start = time.perf_counter()
        generate(model, ids, 8, config)
        figures[f"sampling_ms_per_image_b8_{name}"] = round(1000 * (time.perf_counter() - start) / 8, 1)
        figures[f"sampling_prompt_tokens_{name}"] = int(ids.shape[1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="prepared dataset (data prepare)")
    parser.add_argument("--codes", type=Path, required=True, help="codes folder (data extract-codes)")
    parser.add_argument("--tokenizer", default=str(DEFAULT_PIPELINE_DIR / "tokenizer"))
    parser.add_argument("--steps", type=int, default=6, help="timed optimizer steps per way and round")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tokenizer = load_text_tokenizer(args.tokenizer)
    records = load_split(args.data, "train").records
    level3 = [r for r in records if r.get("level") == 3]
    codes = load_codes(args.codes, "train", 8, 1 << 16)
    figures = {
        **length_figures(CaptionEncoder(tokenizer, 10_000), level3),
        **training_figures(tokenizer, records, codes, args.steps),
        **sampling_figures(tokenizer, level3),
        "threads": args.threads,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
