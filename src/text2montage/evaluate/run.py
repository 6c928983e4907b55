"""`text2montage eval`: the montage evaluation (attribute signal, FID/IS, CLIP score, R-precision, Haar).

For N held-out level-3 records (a seeded choice), each caption mode's description draws K candidates.
The attribute classifier reads the first candidate, the reranker's top-1 of K and the real sketch;
attribute_signal turns that into signal retained. Only fields the classifier reads on the split's real
level-3 sketches (accuracy >= majority + 0.10) count. The hand-written free-prose set is scored the same
way against its own target attributes; it has no real sketches, so its ceiling is the classifier's
real-sketch accuracy on the split for each field (what it can read at best), and its control scores each
entry's montages against another entry's targets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from text2montage.attributes.evaluate import report_from_predictions
from text2montage.data.store import load_meta, load_split
from text2montage.errors import DataError, OptionError
from text2montage.evaluate.drawing import Sampling, draw_montages, reconstruct, rerank_scores
from text2montage.evaluate.prose import FREE_PROSE_FILE, load_free_prose
from text2montage.evaluate.signal import accuracy_by_field, attribute_signal

CAPTION_MODES = ("full", "attributes")
FREE_PROSE = "free_prose"
EVAL_LEVEL = 3
IS_MAX_SPLITS = 10
R_PRECISION_POOL = 100

OnProgress = Callable[[str, int, int], None]  # (task, done now, total)


@dataclass
class EvalOptions:
    data: Path
    model: str | Path | None = None  # pipeline folder / cached Hub id; None: the shipped default
    split: str = "test"
    num: int = 200
    sampling: Sampling = field(default_factory=Sampling)
    attributes: Path | None = None  # classifier folder; None: the pipeline's attributes/ component
    reranker: Path | None = None  # reranker folder; None: the pipeline's reranker/ (if any)
    captions: tuple[str, ...] = CAPTION_MODES
    free_prose: Path | None = FREE_PROSE_FILE  # None: skip the free-prose set
    sample_rows: int = 6  # descriptions shown per sample grid


@dataclass
class Instruments:
    pipe: Any
    classifier: Any
    reranker: Any | None
    reranker_source: str | None


@dataclass
class HeldOut:
    images: np.ndarray  # uint8 (N, S, S) real sketches
    targets: list[dict[str, str]]
    captions: dict[str, list[str]]
    ids: list[str]


@dataclass
class ModeResult:
    """What one caption mode produced: descriptions, candidates (K each) and the reranker's scores."""

    descriptions: list[str]
    images: np.ndarray  # uint8 (D, K, S, S)
    scores: np.ndarray | None  # (D, K) reranker similarities
    seconds: float

    @property
    def first(self) -> np.ndarray:
        return self.images[:, 0]

    @property
    def reranked(self) -> np.ndarray | None:
        if self.scores is None:
            return None
        return self.images[np.arange(len(self.images)), self.scores.argmax(axis=1)]


def _check(options: EvalOptions) -> None:
    if options.num < 2:
        raise OptionError("--num must be at least 2 (the control scores each record against another's)")
    unknown = [c for c in options.captions if c not in CAPTION_MODES]
    if unknown or not options.captions:
        raise OptionError(f"--captions: unknown caption mode {', '.join(map(repr, unknown)) or '(none)'}; "
                          f"choose from {', '.join(CAPTION_MODES)}")
    if options.sampling.candidates < 1:
        raise OptionError("--candidates must be at least 1")
    load_meta(options.data)  # a prepared dataset, before any model loads


def load_instruments(options: EvalOptions) -> Instruments:
    from text2montage.attributes import AttributeClassifier
    from text2montage.pipeline import MontagePipeline

    pipe = MontagePipeline.from_pretrained(options.model)
    if options.attributes is not None:
        classifier = AttributeClassifier.from_pretrained(options.attributes)
    elif pipe.attributes is not None:
        classifier = pipe.attributes
    else:
        raise OptionError("the evaluation needs an attribute classifier: pass --attributes DIR "
                          "(text2montage train attributes) or use a pipeline that holds one")
    reranker, source = pipe.reranker, "pipeline" if pipe.reranker is not None else None
    if options.reranker is not None:
        from text2montage.reranker import Reranker

        reranker, source = Reranker.from_pretrained(options.reranker), str(options.reranker)
    return Instruments(pipe, classifier, reranker, source)


def held_out(options: EvalOptions) -> tuple[HeldOut, dict]:
    """The N evaluated records and the classifier's readability report on all level-3 sketches."""
    split = load_split(options.data, options.split)
    rows = [i for i, r in enumerate(split.records) if r.get("level") == EVAL_LEVEL]
    if len(rows) < 2:
        where = f"split {options.split!r} of {options.data}"
        raise DataError(f"{where} has {len(rows)} level-3 records; the evaluation needs at least 2")
    chosen = [rows[i] for i in np.random.default_rng(options.sampling.seed).permutation(len(rows))]
    chosen = chosen[: options.num]
    records = [split.records[i] for i in chosen]
    captions = {mode: [_caption(r, mode) for r in records] for mode in options.captions}
    held = HeldOut(np.asarray(split.images[chosen]), [r.get("attributes", {}) for r in records], captions,
                   [str(r.get("sketch_id", r.get("id", i))) for r, i in zip(records, chosen, strict=True)])
    level3 = [split.records[i].get("attributes", {}) for i in rows]
    return held, {"rows": rows, "images": split.images, "targets": level3}


def _caption(record: dict, mode: str) -> str:
    text = record.get("captions", {}).get(mode)
    if not text:
        raise DataError(f"record {record.get('sketch_id', '?')} has no {mode!r} caption; "
                        f"prepare the data with --captions including {mode}")
    return text


def readability(classifier: Any, level3: dict, data: Path) -> dict:
    train = [r.get("attributes", {}) for r in load_split(data, "train").records]
    predictions = classifier.predict(np.asarray(level3["images"][level3["rows"]]))
    return report_from_predictions(predictions, level3["targets"], train, classifier.classes)


def run_evaluation(options: EvalOptions, on_progress: OnProgress | None = None) -> tuple[dict, dict]:
    """(the JSON report, sample rows for the report's grids)."""
    _check(options)
    started = time.perf_counter()
    tools = load_instruments(options)
    held, level3 = held_out(options)
    readable_report = readability(tools.classifier, level3, options.data)
    readable = readable_report["readable_fields"]
    report = _header(options, tools, held, readable_report)
    reconstructions = reconstruct(tools.pipe, held.images)
    metrics = ImageMetrics(tools.reranker, held.images, options.sampling.seed, report["notes"])
    samples: dict[str, dict] = {}
    ceiling = _rates(accuracy_by_field(tools.classifier, held.images, held.targets, readable))
    for mode in options.captions:
        result = _draw_mode(tools, held.captions[mode], options.sampling, mode, on_progress)
        # the tokenizer's reconstructions of the real sketches: the most any montage on it can carry
        sets = {"real": held.images, "reconstruction": reconstructions, "first": result.first,
                **_reranked(result)}
        report["attributes"][mode] = attribute_signal(tools.classifier, sets, held.targets, readable, ceiling,
                                                      options.sampling.seed)
        metrics.add_mode(report, mode, result)
        samples[mode] = _sample_rows(result, held.images, options.sample_rows)
        report["timing"]["sampling_seconds"] += result.seconds
        report["timing"]["images_drawn"] += result.images.shape[0] * result.images.shape[1]
    if options.free_prose is not None:
        samples[FREE_PROSE] = _free_prose(tools, options, readable_report, report, metrics, on_progress)
    metrics.add_references(report, reconstructions, held.captions)
    report["signal_retained"] = _headline(report["attributes"])
    _finish_timing(report, started)
    return report, samples


def _header(options: EvalOptions, tools: Instruments, held: HeldOut, readable_report: dict) -> dict:
    return {
        "model": str(options.model) if options.model else "default",
        "pipeline_fingerprint": tools.pipe.fingerprint,
        "attributes_model": str(options.attributes) if options.attributes else "pipeline",
        "reranker": tools.reranker_source,
        "data": str(options.data),
        "split": options.split,
        "level": EVAL_LEVEL,
        "n": len(held.targets),
        "seed": options.sampling.seed,
        "sampling": options.sampling.to_dict(),
        "caption_modes": list(options.captions) + ([FREE_PROSE] if options.free_prose else []),
        "readable_fields": readable_report["readable_fields"],
        "unreadable_fields": readable_report["unreadable"],
        "readability": readable_report["fields"],
        "attributes": {},
        "fid": {}, "fid_floor": None, "inception_score": {}, "clip_score": {}, "r_precision": {},
        "haar_rate": {},
        "timing": {"sampling_seconds": 0.0, "images_drawn": 0},
        "notes": [],
    }


def _rates(scores: dict[str, tuple[int, int]]) -> dict[str, float | None]:
    return {f: (c / n if n else None) for f, (c, n) in scores.items()}


def _reranked(result: ModeResult) -> dict[str, np.ndarray]:
    reranked = result.reranked
    return {} if reranked is None else {"reranked": reranked}


def _draw_mode(tools: Instruments, descriptions: list[str], sampling: Sampling, task: str,
               on_progress: OnProgress | None) -> ModeResult:
    total = len(descriptions)
    done = [0]

    def on_done(k: int) -> None:
        done[0] += k
        if on_progress is not None:
            on_progress(task, done[0], total)

    if on_progress is not None:
        on_progress(task, 0, total)
    drawn = draw_montages(tools.pipe, descriptions, sampling, on_done)
    scores = None if tools.reranker is None else rerank_scores(tools.reranker, descriptions, drawn.images)
    return ModeResult(descriptions, drawn.images, scores, drawn.seconds)


def _sample_rows(result: ModeResult, real: np.ndarray | None, rows: int) -> dict:
    """The first `rows` descriptions: text, real sketch, candidates best first (by the reranker)."""
    out = []
    for i in range(min(rows, len(result.descriptions))):
        order = np.arange(result.images.shape[1])
        if result.scores is not None:
            order = np.argsort(-result.scores[i], kind="stable")
        out.append({"description": result.descriptions[i], "real": None if real is None else real[i],
                    "candidates": result.images[i, order],
                    "scores": None if result.scores is None else result.scores[i, order].tolist()})
    return {"rows": out, "ranked_by": "reranker" if result.scores is not None else "drawing order"}


def _free_prose(tools: Instruments, options: EvalOptions, readable_report: dict, report: dict,
                metrics: ImageMetrics, on_progress: OnProgress | None) -> dict:
    entries = load_free_prose(options.free_prose)
    descriptions = [e.text for e in entries]
    result = _draw_mode(tools, descriptions, options.sampling, FREE_PROSE, on_progress)
    readable = [f for f in readable_report["readable_fields"] if any(f in e.attributes for e in entries)]
    ceiling = {f: readable_report["fields"][f]["accuracy"] for f in readable}
    sets = {"first": result.first, **_reranked(result)}
    signal = attribute_signal(tools.classifier, sets, [e.attributes for e in entries], readable, ceiling,
                              options.sampling.seed)
    signal["entries"] = len(entries)
    signal["ceiling_definition"] = ("per field, the classifier's accuracy on the split's real level-3 "
                                    "sketches (what it reads at best); control: each entry's montages "
                                    "scored against another entry's targets")
    report["attributes"][FREE_PROSE] = signal
    metrics.add_mode(report, FREE_PROSE, result, with_real=False)
    report["timing"]["sampling_seconds"] += result.seconds
    report["timing"]["images_drawn"] += result.images.shape[0] * result.images.shape[1]
    return _sample_rows(result, None, options.sample_rows)


def _headline(attributes: dict) -> dict:
    """{mode: {"first": ..., "reranked": ..., "reconstruction": ...}}: signal retained of the field means,
    the report's headline (reconstruction: the image tokenizer's own ceiling; absent for free prose)."""
    kinds = ("first", "reranked", "reconstruction")
    return {mode: {kind: signal["mean"].get(f"{kind}_signal_retained") for kind in kinds}
            for mode, signal in attributes.items()}


def _finish_timing(report: dict, started: float) -> None:
    timing = report["timing"]
    timing["wall_seconds"] = time.perf_counter() - started
    drawn = timing["images_drawn"]
    timing["seconds_per_image"] = timing["sampling_seconds"] / drawn if drawn else None


class ImageMetrics:
    """FID (+ floor), IS, CLIP score, R-precision (all need the reranker) and the Haar face rate."""

    def __init__(self, reranker: Any | None, real: np.ndarray, seed: int, notes: list[str]) -> None:
        self.reranker, self.real, self.seed, self.notes = reranker, real, seed, notes
        if reranker is None:
            notes.append("fid, fid_floor, inception_score, clip_score and r_precision are null: no reranker "
                         "(its image tower is the feature extractor); pass --reranker DIR")
        else:
            notes.append("clip_score and r_precision are judged by the reranker that also picks the "
                         "reranked candidate; FID/IS use its image tower, so they compare only across "
                         "runs with the same reranker")
        self._feature = self._logits = None

    def add_mode(self, report: dict, mode: str, result: ModeResult, with_real: bool = True) -> None:
        from text2montage.metrics.haar import haar_face_rate

        reranked = result.reranked
        report["haar_rate"][mode] = {"first": haar_face_rate(result.first),
                                     "reranked": None if reranked is None else haar_face_rate(reranked)}
        if self.reranker is None:
            report["clip_score"][mode] = None
            if with_real:
                report["fid"][mode] = report["r_precision"][mode] = report["inception_score"][mode] = None
            return
        report["clip_score"][mode] = {"first": float(result.scores[:, 0].mean()),
                                      "reranked": float(result.scores.max(axis=1).mean())}
        report["inception_score"][mode] = self._inception(result.first)
        if with_real:
            report["fid"][mode] = self._fid(result.first)
            report["r_precision"][mode] = {"first": self._r_precision(result.descriptions, result.first),
                                           "pool": min(R_PRECISION_POOL, len(result.first))}

    def add_references(self, report: dict, reconstructions: np.ndarray, captions: dict[str, list[str]]
                       ) -> None:
        from text2montage.metrics.haar import haar_face_rate

        report["haar_rate"]["real"] = haar_face_rate(self.real)
        report["haar_rate"]["reconstructions"] = haar_face_rate(reconstructions)
        if self.reranker is None:
            return
        report["fid_floor"] = self._fid(reconstructions)
        report["inception_score"]["real"] = self._inception(self.real)
        for mode, texts in captions.items():
            similarity = self.reranker.similarity(texts, self.real)  # (N, N)
            report["clip_score"][mode]["real"] = float(np.diag(similarity).mean())
            report["r_precision"][mode]["real"] = self._r_precision(texts, self.real)

    def _fid(self, images: np.ndarray) -> float:
        from text2montage.metrics.fid import RerankerImageFeatures, frechet_distance

        if self._feature is None:
            self._feature = RerankerImageFeatures(self.reranker)
        return frechet_distance(self.real, images, self._feature)

    def _inception(self, images: np.ndarray) -> dict | None:
        from text2montage.metrics.fid import PrototypeLogits, attribute_prototypes, inception_score

        splits = min(IS_MAX_SPLITS, len(images) // 2)
        if splits < 1:
            return None
        if self._logits is None:
            self._logits = PrototypeLogits(self.reranker, attribute_prototypes())
        mean, std = inception_score(images, self._logits, splits=splits, seed=self.seed)
        return {"mean": mean, "std": std, "splits": splits}

    def _r_precision(self, descriptions: list[str], images: np.ndarray) -> float:
        """The share of images[i] whose own description beats pool - 1 others (pool = min(100, N))."""
        from text2montage.metrics.fid import r_precision

        pool = min(R_PRECISION_POOL, len(images))
        return r_precision(self.reranker, descriptions, images, pool=pool, seed=self.seed)
