"""The Gradio page (Korean UI) over a Studio: describe, draw, pick, redraw a region, vary, keep codes.

Drawing events share one queue slot (`concurrency_id="model"`): the CPU draws one request at a time and
the bounded queue holds the rest; a bad request is an error message in the page (gr.Error), never a
broken page.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from text2montage.app.studio import APP_MAX_CANDIDATES, REGION_CHOICES, Studio, View, describe_form, new_state
from text2montage.dalle.sampling import DEFAULT_GUIDANCE
from text2montage.data.phrases import FIELD_LABELS
from text2montage.data.vocab import SECTION_NAMES_KO, SECTIONS
from text2montage.errors import Text2MontageError
from text2montage.pipeline.describe import FORM_FIELDS, field_choices
from text2montage.pipeline.inputs import MAX_DESCRIPTION_CHARS

logger = logging.getLogger(__name__)

EXAMPLES_FILE = Path(__file__).with_name("examples.txt")  # the seed's five descriptions first
INTRO = (
    "# 몽타주 그리기 · text2montage\n"
    "인상착의를 한국어로 설명하면 후보 몽타주를 그려 순위를 매깁니다. "
    "후보를 고른 뒤 부위만 다시 그리거나 비슷한 얼굴을 더 그릴 수 있고, "
    "몽타주 코드로 언제든 똑같이 다시 불러올 수 있습니다."
)
UNCHOSEN = ("선택 안 함", "")


def examples() -> list[str]:
    """The example descriptions (examples.txt: one per line, # comments)."""
    lines = EXAMPLES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def guarded(action: Callable[..., Any]) -> Callable[..., Any]:
    """A user mistake -> an error message in the page; anything else is logged and reported briefly."""

    @functools.wraps(action)  # gradio reads the signature (gr.SelectData parameters)
    def run(*args: Any) -> Any:
        try:
            return action(*args)
        except Text2MontageError as err:
            raise gr.Error(str(err), title="입력 확인") from None
        except gr.Error:
            raise
        except Exception as err:  # noqa: BLE001 - the page must stay usable
            logger.exception("request failed")
            raise gr.Error(f"요청을 처리하지 못했습니다 ({type(err).__name__})", title="오류") from None

    return run


def build_app(studio: Studio) -> gr.Blocks:
    """The whole page; `studio` holds the pipeline."""
    with gr.Blocks(title="text2montage · 몽타주", analytics_enabled=False, delete_cache=(600, 3600)) as demo:
        state = gr.State(new_state)
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=2):
                inputs = _description_panel(studio)
            with gr.Column(scale=3):
                outputs = _result_panel()
                edit = _edit_panel()
        _wire(studio, state, inputs, outputs, edit)
    return demo


def _description_panel(studio: Studio) -> dict[str, Any]:
    description = gr.Textbox(label="인상착의 설명", lines=5, max_length=MAX_DESCRIPTION_CHARS,
                             elem_id="description", placeholder="예: 계란형 얼굴에 눈이 작다.")
    gr.Examples(examples=[[text] for text in examples()], inputs=[description], label="예시 설명")
    with gr.Row():
        num = gr.Slider(1, APP_MAX_CANDIDATES, value=8, step=1, label="후보 수", elem_id="num")
        seed = gr.Textbox(value="", label="시드 (비우면 무작위)", max_length=20, elem_id="seed")
        guidance = gr.Slider(
            0.0, 10.0, value=DEFAULT_GUIDANCE, step=0.5, label="가이던스 (설명을 따르는 정도)"
        )
    draw = gr.Button("몽타주 그리기", variant="primary", elem_id="draw")
    with gr.Accordion("속성으로 설명 쓰기", open=False):
        form = _attribute_form()
        write = gr.Button("설명 쓰기", elem_id="describe")
    write.click(guarded(lambda *values: describe_form(studio.pipe, FORM_FIELDS, values)), inputs=form,
                outputs=description, api_name="describe")
    return {"description": description, "num": num, "seed": seed, "guidance": guidance, "draw": draw}


def _attribute_form() -> list[gr.Dropdown]:
    dropdowns: dict[str, gr.Dropdown] = {}
    with gr.Tabs():
        for section in (s for s in SECTIONS if any(k.startswith(s + ".") for k in FORM_FIELDS)):
            with gr.Tab(SECTION_NAMES_KO.get(section, section)):
                for key in (k for k in FORM_FIELDS if k.startswith(section + ".")):
                    choices = [UNCHOSEN] + [(value, value) for value in field_choices(key)]
                    dropdowns[key] = gr.Dropdown(choices=choices, value="", label=FIELD_LABELS.get(key, key),
                                                 elem_id=f"attr-{key.replace('.', '-')}")
    return [dropdowns[key] for key in FORM_FIELDS]


def _result_panel() -> dict[str, Any]:
    status = gr.Markdown(elem_id="status")
    gallery = gr.Gallery(label="후보 (순위순, 눌러서 고르기)", columns=4, format="png", object_fit="contain",
                         allow_preview=False, elem_id="gallery", height="auto", fit_columns=False)
    with gr.Row():
        selected = gr.Image(label="고른 몽타주", type="pil", format="png", interactive=False, height=256,
                            elem_id="selected")
        with gr.Column():
            code = gr.Textbox(label="몽타주 코드 (복사해 두면 똑같이 다시 불러옵니다)", interactive=False,
                              elem_id="code", buttons=["copy"])
            files = gr.File(label="내려받기 (PNG, 결과 JSON)", file_count="multiple", interactive=False,
                            elem_id="files")
    return {"status": status, "gallery": gallery, "selected": selected, "code": code, "files": files}


def _edit_panel() -> dict[str, Any]:
    with gr.Accordion("고른 몽타주 고치기", open=True):
        with gr.Row():
            region = gr.Dropdown(choices=REGION_CHOICES, value="eyes", label="다시 그릴 부위",
                                 elem_id="region")
            redraw_text = gr.Textbox(label="고친 설명", lines=2, max_length=MAX_DESCRIPTION_CHARS,
                                     elem_id="redraw-text", placeholder="예: 눈이 더 작고 눈꼬리가 처졌다.")
        redraw = gr.Button("부위 다시 그리기", elem_id="redraw")
        with gr.Row():
            strength = gr.Slider(0.05, 1.0, value=0.3, step=0.05, label="변화 정도")
            vary = gr.Button("비슷하게 더 그리기", elem_id="vary")
    with gr.Row():
        load_box = gr.Textbox(label="몽타주 코드 불러오기", max_length=4096, elem_id="load-code", scale=4)
        load = gr.Button("불러오기", elem_id="load", scale=1)
    history = gr.Gallery(label="이번 세션에 남긴 몽타주", columns=8, format="png", allow_preview=False,
                         height=180, elem_id="history", fit_columns=False)
    return {"region": region, "redraw_text": redraw_text, "redraw": redraw, "strength": strength,
            "vary": vary, "load_box": load_box, "load": load, "history": history}


def _wire(studio: Studio, state: gr.State, inputs: dict, outputs: dict, edit: dict) -> None:
    shown = [outputs["gallery"], outputs["status"], outputs["selected"], outputs["code"], outputs["files"],
             edit["history"], state]
    picked = shown[2:]

    def full(view: View, state_value: dict) -> tuple:
        return (view.gallery, view.status, view.selected_image, view.selected_code, view.files, view.history,
                state_value)

    def pick(view: View, state_value: dict) -> tuple:
        return view.selected_image, view.selected_code, view.files, view.history, state_value

    def generate(description: str, num: Any, seed: Any, guidance: Any, st: dict) -> tuple:
        return full(studio.generate(st, description, num, seed, guidance), st)

    def redraw(region: str, text: str, num: Any, seed: Any, guidance: Any, st: dict) -> tuple:
        return full(studio.redraw(st, region, text, num, seed, guidance), st)

    def vary(strength: Any, num: Any, seed: Any, st: dict) -> tuple:
        return full(studio.vary(st, strength, num, seed), st)

    def select(st: dict, event: gr.SelectData) -> tuple:
        return pick(studio.select(st, event.index), st)

    def select_history(st: dict, event: gr.SelectData) -> tuple:
        return pick(studio.select_history(st, event.index), st)

    def load(code: str, st: dict) -> tuple:
        return pick(studio.load_code(st, code), st)

    model = {"concurrency_id": "model", "concurrency_limit": 1}
    description, num, seed = inputs["description"], inputs["num"], inputs["seed"]
    guidance = inputs["guidance"]
    for trigger in (inputs["draw"].click, description.submit):
        trigger(guarded(generate), [description, num, seed, guidance, state], shown, api_name=False, **model)
    inputs["draw"].click(lambda text: text, description, edit["redraw_text"], api_name=False, queue=False)
    edit["redraw"].click(guarded(redraw), [edit["region"], edit["redraw_text"], num, seed, guidance, state],
                         shown, api_name="redraw", **model)
    edit["vary"].click(guarded(vary), [edit["strength"], num, seed, state], shown, api_name="vary", **model)
    outputs["gallery"].select(guarded(select), [state], picked, api_name=False, **model)
    edit["history"].select(guarded(select_history), [state], picked, api_name=False, **model)
    edit["load"].click(guarded(load), [edit["load_box"], state], picked, api_name="load_code", **model)
    gr.api(_api_generate(studio), api_name="generate", concurrency_id="model", concurrency_limit=1)


def _api_generate(studio: Studio) -> Callable[..., dict]:
    """The /generate API endpoint (load tests, scripts): results.json's record for a description."""

    def generate(description: str, num_candidates: int = 8, seed: int | None = None,
                 guidance_scale: float = DEFAULT_GUIDANCE) -> dict:
        state = new_state()
        studio.generate(state, description, num_candidates, seed, guidance_scale)
        return json.loads(Path(state["results_json"]).read_text(encoding="utf-8"))

    return guarded(generate)
