"""What the web app does, without the web: one session's witness loop over a MontagePipeline.

Every method takes the session's state (a plain dict gradio keeps per browser session) and returns a
`View` the page shows; user mistakes raise the pipeline's errors, which the page turns into a message.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from text2montage.pipeline.errors import PipelineInputError
from text2montage.pipeline.inputs import REGION_LABELS_KO, REGION_NAMES, check_count
from text2montage.pipeline.results import Montage, MontageResult

HISTORY_LIMIT = 24  # montages kept per session (the history strip)
APP_MAX_CANDIDATES = 16
KEPT_DOWNLOAD_DIRS = 64  # result folders on disk at once; older ones are deleted
CACHED_IMAGES = 512  # decoded montages kept in memory (history strips re-show them)
SCORER_KO = {"reranker": "리랭커 점수 (설명과의 일치도)", "likelihood": "모델 우도 (리랭커 없음)"}
KIND_KO = {"generate": "새로 그리기", "redraw": "부위 다시 그리기", "vary": "비슷하게 더 그리기"}
REGION_CHOICES: list[tuple[str, str]] = [(REGION_LABELS_KO[name], name) for name in REGION_NAMES]


def new_state() -> dict[str, Any]:
    """A session: the shown candidates' codes, the selection, the description, the kept montages."""
    return {"codes": [], "selected": None, "description": "", "history": [], "results_json": None}


@dataclass
class View:
    """What the page shows after an action."""

    gallery: list[tuple[Image.Image, str]]
    status: str
    selected_image: Image.Image | None
    selected_code: str
    files: list[str]
    history: list[tuple[Image.Image, str]] = field(default_factory=list)


class Studio:
    """The app's actions over one pipeline (shared by every session; drawing runs one at a time)."""

    def __init__(self, pipe: Any, work_dir: Path | None = None) -> None:
        self.pipe = pipe
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="text2montage-app-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._download_dirs: deque[Path] = deque()
        self._images: OrderedDict[str, Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    # ----------------------------------------------------------------------------------------------
    # actions
    # ----------------------------------------------------------------------------------------------
    def generate(self, state: dict, description: str, num: Any, seed: Any, guidance: Any) -> View:
        result = self.pipe(description, num_candidates=_count(num), seed=_seed(seed),
                           guidance_scale=_number(guidance, "가이던스"))
        return self._show(state, result)

    def redraw(self, state: dict, region: str, description: str, num: Any, seed: Any, guidance: Any) -> View:
        code = _selected(state)
        result = self.pipe.redraw(code, region, description, num_candidates=_count(num), seed=_seed(seed),
                                  guidance_scale=_number(guidance, "가이던스"))
        return self._show(state, result)

    def vary(self, state: dict, strength: Any, num: Any, seed: Any) -> View:
        code = _selected(state)
        description = state.get("description") or None
        result = self.pipe.vary(code, _number(strength, "변화 정도"), num_candidates=_count(num),
                                seed=_seed(seed), description=description)
        return self._show(state, result)

    def select(self, state: dict, index: int) -> View:
        """A gallery click: that candidate becomes the selection and joins the history strip."""
        codes = state.get("codes") or []
        if not 0 <= index < len(codes):
            raise PipelineInputError("먼저 몽타주를 그린 뒤 후보를 고르세요 (choose a candidate first)")
        return self._select_code(state, codes[index])

    def select_history(self, state: dict, index: int) -> View:
        history = state.get("history") or []
        if not 0 <= index < len(history):
            raise PipelineInputError("no such montage in the history")
        return self._select_code(state, history[index])

    def load_code(self, state: dict, code: str) -> View:
        """A pasted montage code becomes the selection (the identical montage)."""
        montage = self.pipe.from_code((code or "").strip())
        return self._select_code(state, montage.code, montage)

    # ----------------------------------------------------------------------------------------------
    # building views
    # ----------------------------------------------------------------------------------------------
    def _show(self, state: dict, result: MontageResult) -> View:
        state["codes"] = [c.code for c in result.candidates]
        if result.description:
            state["description"] = result.description
        files = self._write_downloads(result)
        state["results_json"] = files[-1]
        best = result.best
        state["selected"] = best.code
        self._remember(state, best.code)
        self._cache([(c.code, c.image) for c in result.candidates])
        gallery = [(c.image, f"{c.rank}위 · {c.score:.3f}") for c in result.candidates]
        return View(gallery=gallery, status=_status(result), selected_image=best.image,
                    selected_code=best.code, files=files, history=self.history(state))

    def _select_code(self, state: dict, code: str, montage: Montage | None = None) -> View:
        montage = montage or self.pipe.from_code(code)
        state["selected"] = montage.code
        self._remember(state, montage.code)
        files = [self._write_png(montage)] + ([state["results_json"]] if state.get("results_json") else [])
        return View(gallery=[], status="", selected_image=montage.image, selected_code=montage.code,
                    files=files, history=self.history(state))

    def history(self, state: dict) -> list[tuple[Image.Image, str]]:
        return [(self.image(code), f"#{i + 1}") for i, code in enumerate(state["history"])]

    def image(self, code: str) -> Image.Image:
        """The montage a code stands for (decoded once, then cached)."""
        with self._lock:
            if code in self._images:
                self._images.move_to_end(code)
                return self._images[code]
        image = self.pipe.from_code(code).image
        self._cache([(code, image)])
        return image

    def _cache(self, items: Sequence[tuple[str, Image.Image]]) -> None:
        with self._lock:
            self._images.update(items)
            while len(self._images) > CACHED_IMAGES:
                self._images.popitem(last=False)

    @staticmethod
    def _remember(state: dict, code: str) -> None:
        history = [c for c in state.get("history", []) if c != code] + [code]
        state["history"] = history[-HISTORY_LIMIT:]

    # ----------------------------------------------------------------------------------------------
    # downloads
    # ----------------------------------------------------------------------------------------------
    def _write_downloads(self, result: MontageResult) -> list[str]:
        from text2montage.pipeline.output import write_result

        folder = self._new_download_dir()
        write_result(result, folder)
        return [str(folder / "rank-01.png"), str(folder / "sheet.png"), str(folder / "results.json")]

    def _write_png(self, montage: Montage) -> str:
        folder = self._new_download_dir()
        path = folder / "montage.png"
        montage.image.save(path, format="PNG")
        return str(path)

    def _new_download_dir(self) -> Path:
        with self._lock:
            folder = Path(tempfile.mkdtemp(dir=self.work_dir))
            self._download_dirs.append(folder)
            while len(self._download_dirs) > KEPT_DOWNLOAD_DIRS:
                shutil.rmtree(self._download_dirs.popleft(), ignore_errors=True)
        return folder

    def close(self) -> None:
        shutil.rmtree(self.work_dir, ignore_errors=True)


def describe_form(pipe: Any, keys: Sequence[str], values: Sequence[Any]) -> str:
    """The attribute form's dropdowns -> a description (pipe.describe); empty choices are skipped."""
    chosen = {key: value for key, value in zip(keys, values, strict=True) if isinstance(value, str) and value}
    if not chosen:
        raise PipelineInputError("속성을 하나 이상 고르세요 (choose at least one attribute)")
    return pipe.describe(chosen)


def _status(result: MontageResult) -> str:
    lines = [f"**{KIND_KO.get(result.kind, result.kind)}** · 후보 {len(result.candidates)}개 · "
             f"순위: {SCORER_KO.get(result.scorer, result.scorer)} · 시드 {result.settings['seed']}"]
    lines += [f"- 참고: {note}" for note in result.notes]
    return "\n".join(lines)


def _selected(state: dict) -> str:
    code = state.get("selected")
    if not code:
        raise PipelineInputError("먼저 후보 하나를 고르세요 (select a montage first)")
    return code


def _count(value: Any) -> int:
    number = _number(value, "후보 수")
    if number != int(number):
        raise PipelineInputError(f"후보 수는 정수여야 합니다, got {value!r}")
    count = check_count(int(number))
    if count > APP_MAX_CANDIDATES:
        raise PipelineInputError(f"후보 수는 1-{APP_MAX_CANDIDATES} (at most {APP_MAX_CANDIDATES} here)")
    return count


def _seed(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(value, "시드")
    if number != int(number):
        raise PipelineInputError(f"시드는 정수여야 합니다, got {value!r}")
    return int(number)


def _number(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise PipelineInputError(f"{name}: a number is needed, got {value!r}") from err
    if not math.isfinite(number):
        raise PipelineInputError(f"{name}: a finite number is needed, got {value!r}")
    return number
