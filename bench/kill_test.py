"""Kill test: `train vqgan` and `train dalle` killed with SIGKILL at random moments, resumed each time.

    OMP_NUM_THREADS=1 .venv/bin/python bench/kill_test.py --json          # 10 kills per trainer
    .venv/bin/python bench/kill_test.py --kills 4 --steps 120 --keep /tmp/kill

For each trainer, on a tiny corpus (synthetic faces, 32x32, tiny presets): one uninterrupted reference
run, then the same run started with --resume again and again and killed with SIGKILL. Half the kills
fall at a random step of the run (each in its own share of the steps, plus a random part of a logging
interval, so they spread over the whole run); half while a checkpoint is being written (the moment a
new temporary checkpoint folder or the swap's checkpoint.old appears, plus 0-10 ms). After every kill
the checkpoint that is left is looked up and its weights loaded strictly, and the next run must resume
from it. When the kills are spent, the run finishes and its logged losses and final weights are
compared with the reference run's; a run that finishes before the kills are spent is compared too, and
the kills go on in a new run folder. Checkpoints fall on logging steps (vqgan's tiny preset: every 10
steps, logs every 2; dalle: every 20, logs every 20), so a resumed run logs the same means.

Reports per trainer: kills (and how many landed inside a checkpoint write), corrupt checkpoints
(target 0), failed resumes (target 0), the largest difference between the resumed and the uninterrupted
loss curves (every logged point) and between the final weights.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHECKPOINT_WRITE_MARKERS = (".checkpoint-tmp-*", "checkpoint.old")
POLL_S = 0.002
WRITE_JITTER_S = 0.01
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "OMP_NUM_THREADS": "1"}


@dataclass
class Trainer:
    name: str  # the component: vqgan, dalle
    args: Callable[[Path], list[str]]  # the `train ...` arguments for a run folder
    load: Callable[[Path], object]  # loads a model folder strictly (config.json + model.safetensors)
    steps: int
    log_every: int  # steps between lines of scalars.jsonl


@dataclass
class Tally:
    kills: int = 0
    during_checkpoint_write: int = 0
    corrupt_checkpoints: int = 0
    failed_resumes: int = 0
    runs: int = 0
    rounds: int = 0  # killed runs brought to the end and compared with the reference
    checkpoint_steps_seen: list[int] = field(default_factory=list)
    loss_divergence: float = 0.0
    weight_difference: float = 0.0
    logged_points: int = 0


def cli() -> list[str]:
    return [str(Path(sys.executable).parent / "text2montage")]


def run_cli(args: list[str]) -> None:
    done = subprocess.run(cli() + args, env=ENV, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"`text2montage {' '.join(args[:2])}` failed ({done.returncode}):\n{done.stderr[-3000:]}")


# --------------------------------------------------------------------------------------------------
# the corpus and the two trainers
# --------------------------------------------------------------------------------------------------
def make_corpus(root: Path, persons: int) -> dict[str, Path]:
    paths = {"raw": root / "raw", "prepared": root / "prepared", "tokenizer": root / "tokenizer"}
    run_cli(["data", "synth", "--out", str(paths["raw"]), "--n", str(persons), "--seed", "3",
             "--width", "96", "--height", "128", "--workers", "1"])  # fmt: skip
    run_cli(["data", "prepare", str(paths["raw"]), "--out", str(paths["prepared"]), "--size", "32",
             "--workers", "1"])  # fmt: skip
    run_cli(["train", "tokenizer", "--data", str(paths["prepared"]), "--out", str(paths["tokenizer"]),
             "--vocab-size", "400"])  # fmt: skip
    return paths


def vqgan_trainer(corpus: dict[str, Path], steps: int) -> Trainer:
    from text2montage.vqgan.model import VQGAN

    def args(out: Path) -> list[str]:
        return ["train", "vqgan", "--data", str(corpus["prepared"]), "--out", str(out), "--preset", "tiny",
                "--steps", str(steps), "--batch-size", "4", "--seed", "0"]  # fmt: skip

    return Trainer("vqgan", args, VQGAN.from_pretrained, steps, log_every=2)  # the tiny preset's


def dalle_trainer(corpus: dict[str, Path], codes: Path, steps: int) -> Trainer:
    from text2montage.dalle.model import KoDalle

    def args(out: Path) -> list[str]:
        return ["train", "dalle", "--codes", str(codes), "--data", str(corpus["prepared"]),
                "--tokenizer", str(corpus["tokenizer"]), "--out", str(out), "--preset", "tiny",
                "--steps", str(steps), "--batch-size", "4", "--checkpoint-every", "20", "--eval-every",
                str(steps), "--sample-every", str(steps * 10), "--seed", "0", "--threads", "1"]  # fmt: skip

    return Trainer("dalle", args, KoDalle.from_pretrained, steps, log_every=20)  # TrainConfig's


# --------------------------------------------------------------------------------------------------
# killing and checking
# --------------------------------------------------------------------------------------------------
def work_dir(out: Path, component: str) -> Path:
    return out / "training" / component


def write_markers(work: Path) -> set[tuple[str, int]]:
    """The temporary folders a checkpoint write makes, by name and inode (a new write: a new inode)."""
    found = set()
    for pattern in CHECKPOINT_WRITE_MARKERS:
        for path in work.glob(pattern):
            try:
                found.add((path.name, path.stat().st_ino))
            except FileNotFoundError:  # renamed or removed while we looked
                continue
    return found


@dataclass(frozen=True)
class Moment:
    """When to kill: in the next checkpoint write, or once training has logged `step` (then `delay_s`)."""

    in_write: bool
    step: int = 0
    delay_s: float = 0.0


def kill_once(trainer: Trainer, out: Path, moment: Moment, timeout_s: float, rng: random.Random) -> str:
    """Start a resumed run and SIGKILL it; 'killed', 'killed-in-write' or 'finished' (it ended first)."""
    work = work_dir(out, trainer.name)
    stale, log = write_markers(work), LogWatch(work / "logs" / "scalars.jsonl")
    process = subprocess.Popen(cli() + trainer.args(out) + ["--resume"], env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if moment.in_write and write_markers(work) - stale:  # not one an earlier kill left
            time.sleep(rng.uniform(0.0, WRITE_JITTER_S))
            break
        if not moment.in_write and log.step() >= moment.step:
            time.sleep(moment.delay_s)
            break
        time.sleep(POLL_S)
    if process.poll() is not None:
        stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        if process.returncode != 0:
            raise ResumeFailed(stderr[-2000:])
        return "finished"
    in_write = bool(write_markers(work) - stale)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return "killed-in-write" if in_write else "killed"


class LogWatch:
    """The last step this run logged (scalars.jsonl; lines an earlier, killed run left do not count)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mtime = self._mtime()

    def _mtime(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def step(self) -> int:
        if self._mtime() == self.mtime:
            return -1  # untouched since the start: the earlier run's lines
        for line in reversed(self.path.read_bytes().splitlines()):
            try:
                return int(json.loads(line)["step"])
            except (ValueError, KeyError):
                continue  # a line being written
        return -1


class ResumeFailed(RuntimeError):
    """A run that could not start from what an earlier kill left."""


def check_checkpoint(trainer: Trainer, out: Path, tally: Tally) -> None:
    """The checkpoint a kill left (if any) must be found and its weights must load strictly."""
    from text2montage.checkpoint import TRAINER_STATE_FILE, find_checkpoint
    from text2montage.errors import Text2MontageError

    try:
        folder = find_checkpoint(work_dir(out, trainer.name))
        if folder is None:
            return
        trainer.load(folder)
        state = json.loads((folder / TRAINER_STATE_FILE).read_text(encoding="utf-8"))
        tally.checkpoint_steps_seen.append(int(state["step"]))
    except (Text2MontageError, OSError, ValueError, KeyError) as err:
        tally.corrupt_checkpoints += 1
        print(f"  corrupt checkpoint after a kill: {err}", file=sys.stderr)


def kill_and_resume(trainer: Trainer, out: Path, tally: Tally, kills: int, window: tuple[float, float],
                    rng: random.Random) -> bool:
    """Kill runs in `out` until `kills` are spent or the run ends; then run it to the end. False: a resume
    failed."""
    while tally.kills < kills:
        moment = next_moment(trainer, out, tally.kills, kills, window, rng)
        try:
            outcome = kill_once(trainer, out, moment, 3 * window[1], rng)
        except ResumeFailed as err:
            tally.failed_resumes += 1
            print(f"  a resume failed: {err}", file=sys.stderr)
            return False
        tally.runs += 1
        if outcome == "finished":
            return True
        tally.kills += 1
        tally.during_checkpoint_write += outcome == "killed-in-write"
        check_checkpoint(trainer, out, tally)
    done = subprocess.run(cli() + trainer.args(out) + ["--resume"], env=ENV, capture_output=True, text=True,
                          check=False)  # fmt: skip
    tally.runs += 1
    if done.returncode != 0:
        tally.failed_resumes += 1
        print(f"  the final resume failed:\n{done.stderr[-2000:]}", file=sys.stderr)
    return done.returncode == 0


def next_moment(trainer: Trainer, out: Path, index: int, kills: int, window: tuple[float, float],
                rng: random.Random) -> Moment:
    """Odd kills: in a checkpoint write. Even kills: at a random step of their own share of the run (kill
    2k falls in the k-th of kills/2 equal parts, or just past the checkpoint when that is further), plus
    up to one logging interval, so the kills spread over the whole run."""
    if index % 2 == 1:
        return Moment(in_write=True)
    from text2montage.checkpoint import TRAINER_STATE_FILE, find_checkpoint

    work = work_dir(out, trainer.name)
    folder = find_checkpoint(work) if work.is_dir() else None
    done = json.loads((folder / TRAINER_STATE_FILE).read_text())["step"] if folder is not None else 0
    share, part = max(1, kills // 2), index // 2
    low = max(done + 1, trainer.steps * part // share)
    step = min(trainer.steps - 1, rng.randint(low, max(low, trainer.steps * (part + 1) // share)))
    step_s = (window[1] - window[0]) / trainer.steps
    return Moment(in_write=False, step=step, delay_s=rng.uniform(0.0, step_s * trainer.log_every))


def compare(trainer: Trainer, reference: Path, resumed: Path, tally: Tally) -> None:
    """Fold one finished killed run's distance from the reference into the tally."""
    curves = loss_curve(reference, trainer.name), loss_curve(resumed, trainer.name)
    divergence, points = curve_divergence(*curves)
    weights = weight_difference(reference / trainer.name, resumed / trainer.name)
    tally.loss_divergence = max(tally.loss_divergence, divergence)
    tally.weight_difference = max(tally.weight_difference, weights)
    tally.logged_points += points
    tally.rounds += 1


# --------------------------------------------------------------------------------------------------
# comparing with the uninterrupted run
# --------------------------------------------------------------------------------------------------
def loss_curve(out: Path, component: str) -> dict[int, dict[str, float]]:
    """step -> the logged losses (scalars.jsonl; a resumed run drops what it logged after its checkpoint)."""
    path = work_dir(out, component) / "logs" / "scalars.jsonl"
    curve = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        curve[row["step"]] = {k: v for k, v in row.items() if "loss" in k}
    return curve


def curve_divergence(reference: dict, resumed: dict) -> tuple[float, int]:
    """(largest |difference| over every logged loss at every step, logged points compared)."""
    if reference.keys() != resumed.keys():
        return float("inf"), 0
    worst = 0.0
    for step, losses in reference.items():
        for name, value in losses.items():
            worst = max(worst, abs(value - resumed[step].get(name, float("inf"))))
    return worst, len(reference)


def weight_difference(reference: Path, resumed: Path) -> float:
    from safetensors.torch import load_file

    a, b = load_file(str(reference / "model.safetensors")), load_file(str(resumed / "model.safetensors"))
    if a.keys() != b.keys():
        return float("inf")
    return max(float((a[k].double() - b[k].double()).abs().max()) if a[k].numel() else 0.0 for k in a)


def timed_run(trainer: Trainer, out: Path) -> tuple[float, float]:
    """Run to the end: (seconds until its training folder appeared, seconds to the end)."""
    started = time.monotonic()
    process = subprocess.Popen(cli() + trainer.args(out), env=ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)  # fmt: skip
    training = None
    while process.poll() is None:
        if training is None and work_dir(out, trainer.name).is_dir():
            training = time.monotonic() - started
        time.sleep(POLL_S * 10)
    if process.returncode != 0:
        sys.exit(f"the reference {trainer.name} run failed:\n{process.stderr.read().decode()[-3000:]}")
    ended = time.monotonic() - started
    return min(training if training is not None else 0.0, ended), ended


def test_trainer(trainer: Trainer, root: Path, kills: int, seed: int) -> dict:
    reference = root / f"{trainer.name}-reference"
    started = time.monotonic()
    window = timed_run(trainer, reference)
    tally, rng = Tally(), random.Random(seed)
    while tally.kills < kills and tally.rounds < 2 * kills:
        killed = root / f"{trainer.name}-killed-{tally.rounds + 1}"
        if not kill_and_resume(trainer, killed, tally, kills, window, rng):
            break
        compare(trainer, reference, killed, tally)
    return {
        "kills": tally.kills, "during_checkpoint_write": tally.during_checkpoint_write,
        "corrupt_checkpoints": tally.corrupt_checkpoints, "failed_resumes": tally.failed_resumes,
        "runs": tally.runs, "rounds": tally.rounds,
        "checkpoint_steps_after_kills": tally.checkpoint_steps_seen,
        "logged_points_compared": tally.logged_points, "max_loss_divergence": tally.loss_divergence,
        "max_weight_difference": tally.weight_difference,
        "reference_start_s": round(window[0], 1), "reference_wall_s": round(window[1], 1),
        "wall_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="kills per trainer")
    parser.add_argument("--steps", type=int, default=300, help="optimizer steps per run")
    parser.add_argument("--persons", type=int, default=24, help="synthetic persons in the corpus")
    parser.add_argument("--seed", type=int, default=0, help="seeds the kill moments")
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep it (default: a temp dir)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="kill-test-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        figures = run_all(root, args)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(figures, indent=None if args.json else 1))


def run_all(root: Path, args: argparse.Namespace) -> dict:
    started = time.monotonic()
    corpus = make_corpus(root / "corpus", args.persons)
    results = {"vqgan": test_trainer(vqgan_trainer(corpus, args.steps), root, args.kills, args.seed)}
    codes = root / "corpus" / "codes"
    run_cli(["data", "extract-codes", "--data", str(corpus["prepared"]), "--vqgan",
             str(root / "vqgan-reference"), "--out", str(codes)])  # fmt: skip
    results["dalle"] = test_trainer(dalle_trainer(corpus, codes, args.steps), root, args.kills, args.seed + 1)
    totals = {key: sum(r[key] for r in results.values())
              for key in ("kills", "during_checkpoint_write", "corrupt_checkpoints", "failed_resumes")}
    return {
        **totals, "max_loss_divergence": max(r["max_loss_divergence"] for r in results.values()),
        "max_weight_difference": max(r["max_weight_difference"] for r in results.values()),
        "steps": args.steps, "trainers": results, "wall_s": round(time.monotonic() - started, 1),
        "command": "OMP_NUM_THREADS=1 .venv/bin/python bench/kill_test.py --json",
    }  # fmt: skip


if __name__ == "__main__":
    main()
