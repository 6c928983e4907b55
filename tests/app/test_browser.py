"""The web app in a real browser: Playwright driving Debian's chromium (never `playwright install`).

Types a Korean description, draws, checks the gallery holds real PNGs of the model's size, selects a
candidate, redraws its eyes, loads a montage code, and shows a bad request as a message in the page.
The screenshot goes to $APP_SCREENSHOT (the README's docs/app.png is made with
`APP_SCREENSHOT=docs/app.png pytest tests/app/test_browser.py`), else to the test's temporary folder.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [  # DESIGN.md: offline, no background traffic, no sandbox in containers
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter",
]  # fmt: skip
TEXT = "긴 생머리에 앞머리가 눈썹 아래까지 내려온다. 얼굴은 계란형이고 눈이 작다."
WAIT_MS = 60_000


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (bash scripts/install.sh --dev installs it)"
    if not CHROMIUM.is_file() and shutil.which("chromium") is None:
        return "Debian's chromium is not installed and could not be (scripts/install.sh --dev tries apt-get)"
    return None


REASON = _skip_reason()
if REASON:
    print(f"SKIP browser test: {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served():  # noqa: ANN201 - (url, pipeline)
    import torch

    from text2montage.app import launch
    from text2montage.pipeline import MontagePipeline

    torch.set_num_threads(1)
    pipe = MontagePipeline.from_pretrained(None)
    demo = launch(pipe, port=_free_port(), block=False)
    yield demo.local_url, pipe
    demo.close()


@pytest.fixture(scope="module")
def page(served):  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="ko-KR")
        page.set_default_timeout(WAIT_MS)
        page.goto(served[0])
        yield page
        browser.close()


def _text(page, elem_id: str) -> str:  # noqa: ANN001
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first.input_value()


def _wait_for_new_code(page, old: str) -> str:  # noqa: ANN001
    page.wait_for_function(
        "old => { const e = document.querySelector('#code textarea, #code input'); return e && e.value && "
        "e.value !== old; }",
        arg=old,
    )
    return _text(page, "code")


def test_the_witness_loop_in_a_browser(served, page, tmp_path):
    url, pipe = served
    page.locator("#description textarea").fill(TEXT)
    page.locator("#seed textarea, #seed input").first.fill("7")
    page.click("#draw")
    page.wait_for_function("() => document.querySelectorAll('#gallery img').length === 8")
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('후보 8개')")

    for image in page.locator("#gallery img").all():
        body = page.request.get(image.get_attribute("src")).body()
        assert body[:8] == b"\x89PNG\r\n\x1a\n", "the gallery serves PNGs"
        assert Image.open(io.BytesIO(body)).size == (pipe.image_size, pipe.image_size)
    first_code = _wait_for_new_code(page, "")
    assert pipe.from_code(first_code).codes.shape == (pipe.grid_size, pipe.grid_size)

    page.locator("#gallery img").nth(2).click()
    picked = _wait_for_new_code(page, first_code)

    page.locator("#redraw-text textarea").fill("눈이 크고 쌍꺼풀이 있다.")
    page.click("#redraw")
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('부위 다시 그리기')")
    redrawn = _wait_for_new_code(page, picked)
    kept = ~pipe.region_mask("eyes")[0].numpy()
    assert (pipe.from_code(redrawn).codes[kept] == pipe.from_code(picked).codes[kept]).all()

    page.locator("#load-code textarea, #load-code input").first.fill(first_code)
    page.click("#load")
    assert _wait_for_new_code(page, redrawn) == first_code
    assert page.locator("#history img").count() >= 3

    shot = Path(os.environ.get("APP_SCREENSHOT") or tmp_path / "app.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert Image.open(shot).size[0] == 1400


def test_a_bad_request_is_a_message_in_the_page(page):
    page.locator("#description textarea").fill("   ")
    page.click("#draw")
    toast = page.locator(".toast-body").filter(has_text="empty")
    toast.first.wait_for(state="visible")
    assert page.locator("#gallery").is_visible(), "the page stays usable"
