"""Cold start to eight ranked PNGs: `text2montage generate` in a fresh process, timed by /usr/bin/time.

    .venv/bin/python bench/cold_start.py --json            # the shipped pipeline, 3 runs
    .venv/bin/python bench/cold_start.py --model P --runs 5

Each run is a new process (imports, model loading, drawing 8 candidates, decoding, ranking, writing the
PNGs, the contact sheet and results.json), so nothing is cached but the operating system's file cache.
Reports the median and worst wall time, peak memory (max RSS) and the load average around the runs:
the target is <= 8 s on the 2-core development machine. Timings depend on what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

DESCRIPTION = "긴 생머리에 앞머리가 눈썹 아래까지 내려온다. 얼굴은 계란형이고 눈이 작다."
TIME = "/usr/bin/time"
TARGET_S = 8.0


def one_run(cli: Path, out: Path, model: str | None, num: int) -> dict[str, float]:
    """Run generate once under /usr/bin/time -> wall seconds, max RSS (MiB), PNGs written."""
    command = [TIME, "-f", "%e %M", str(cli), "generate", DESCRIPTION, "--num", str(num), "--seed", "0",
               "--out", str(out)] + (["--model", model] if model else [])  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"generate failed ({done.returncode}):\n{done.stderr[-2000:]}")
    wall, rss_kb = done.stderr.strip().splitlines()[-1].split()
    pngs = len(list(out.glob("rank-*.png")))
    return {"wall_s": float(wall), "max_rss_mib": round(int(rss_kb) / 1024, 1), "pngs": pngs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--num", type=int, default=8)
    parser.add_argument("--model", default=None, help="pipeline folder (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not Path(TIME).is_file():
        sys.exit(f"{TIME} is missing (Debian: apt-get install time)")
    cli = Path(sys.executable).parent / "text2montage"
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="cold-start-"))
    try:
        runs = [one_run(cli, work / f"run{i}", args.model, args.num) for i in range(args.runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    walls = [r["wall_s"] for r in runs]
    figures = {
        "median_wall_s": round(statistics.median(walls), 2), "max_wall_s": max(walls),
        "target_s": TARGET_S, "within_target": statistics.median(walls) <= TARGET_S,
        "max_rss_mib": max(r["max_rss_mib"] for r in runs), "pngs_per_run": runs[0]["pngs"],
        "runs": runs, "candidates": args.num, "model": args.model or "shipped default",
        "machine": {"cpus": os.cpu_count(), "loadavg_before": load_before,
                    "loadavg_after": os.getloadavg()[0]},
    }  # fmt: skip
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
