"""Synthetic-corpus throughput: persons per second written (4 sketches, 3 records each), as JSON.

    python bench/synth_speed.py --n 1000 --workers 2 --json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from text2montage.data.aihub import find_record_files, load_gray_image, parse_record
from text2montage.data.synth.corpus import SynthOptions, synthesize
from text2montage.metrics.haar import haar_face_rate, shuffle_tiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--haar-persons", type=int, default=200, help="persons whose level sketches to check")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        options = SynthOptions(out=Path(tmp), n_persons=args.n, seed=args.seed)
        start = time.perf_counter()
        synthesize(options, workers=args.workers)
        elapsed = time.perf_counter() - start
        paths = find_record_files(tmp)[: 3 * args.haar_persons]
        sketches = [load_gray_image(parse_record(p).image_path) for p in paths]
    rng = np.random.default_rng(0)
    result = {
        "persons": args.n,
        "workers": args.workers,
        "seconds": round(elapsed, 2),
        "persons_per_s": round(args.n / elapsed, 1),
        "haar_rate_level_sketches": round(haar_face_rate(sketches), 4),
        "haar_rate_tiles_shuffled": round(haar_face_rate(shuffle_tiles(s, 4, rng) for s in sketches), 4),
        "haar_n": len(sketches),
        "size": f"{options.width}x{options.height}",
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
