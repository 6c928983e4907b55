"""Where the synthetic heads sit in the 540x720 portrait, and what a square crop could gain over padding.

    python bench/framing.py --n 3000 --json

Lays out N persons with the renderer's own layout code (head, hair, frame jitter and zoom) and reports,
in portrait pixels, the top of the hair and the chin (percentiles), the tightest square crop that keeps
hair top to chin plus a little neck for 99% of persons, and the scale it gives over `--fit pad` (the
portrait padded to 720x720): the gain in pixels per feature that framing alone could buy.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from text2montage.data.synth import render
from text2montage.data.synth.person import sample_person

NECK_MARGIN = 30.0  # portrait pixels of neck kept below the chin
KEEP = 99.0  # percent of persons whose hair top and chin the crop must keep


def head_extents(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(hair tops, chins) in portrait pixels for persons 0..n-1."""
    tops, chins = [], []
    for org_id in range(n):
        rng = np.random.default_rng(org_id)
        person = sample_person(org_id, rng)
        head = render._make_head(person, rng)
        hair = render._make_hair(person, head, rng)
        render._make_parts(person, head, rng)  # keeps the random stream as data synth draws it
        affine = render._make_frame(head, person, rng, 540, 720).affine
        tops.append(affine[1, :2] @ (head.cx, head.head_top_y - hair.volume) + affine[1, 2])
        chins.append(affine[1, :2] @ (head.cx, head.chin_y) + affine[1, 2])
    return np.array(tops), np.array(chins)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tops, chins = head_extents(args.n)
    side = (np.percentile(chins, KEEP) + NECK_MARGIN) - np.percentile(tops, 100 - KEEP)
    figures = {
        "persons": args.n,
        "hair_top_px_p1_p50_p99": np.percentile(tops, [1, 50, 99]).round(1).tolist(),
        "chin_px_p1_p50_p99": np.percentile(chins, [1, 50, 99]).round(1).tolist(),
        f"square_crop_side_px_keeping_{KEEP:.0f}pct": round(float(side), 1),
        "scale_gain_over_pad": round(720.0 / float(side), 3),
    }
    print(json.dumps(figures, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
