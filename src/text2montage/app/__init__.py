"""The montage artist's web app: a Gradio page over one MontagePipeline (`text2montage serve`).

    from text2montage.app import launch
    launch(model=None, host="127.0.0.1", port=7860)

studio.py holds what the page does (testable without a browser), ui.py the page itself.
"""

from __future__ import annotations

import os
from typing import Any

from text2montage.errors import OptionError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
QUEUE_SIZE = 64  # requests waiting beyond this are refused with a "queue full" message
MAX_UPLOAD = "1mb"
SESSIONS = 500  # per-session states kept (the oldest are dropped)


def quiet_environment() -> None:
    """No phoning home: Gradio analytics and Hugging Face telemetry off, the Hub offline."""
    for key, value in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_OFFLINE", "1"),
                       ("HF_HUB_DISABLE_TELEMETRY", "1"), ("GRADIO_TELEMETRY_ENABLED", "False")):
        os.environ[key] = value


def build(pipe: Any, queue_size: int = QUEUE_SIZE) -> Any:
    """The Gradio Blocks for a pipeline, its queue bounded."""
    quiet_environment()
    from text2montage.app.studio import Studio

    try:
        from text2montage.app.ui import build_app
    except ImportError as err:
        missing = f"the web app needs gradio ({err.name} is missing)"
        raise OptionError(f"{missing}: pip install 'text2montage[app]'") from err

    demo = build_app(Studio(pipe))
    return demo.queue(max_size=queue_size, default_concurrency_limit=1, api_open=False)


def launch(pipe: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, queue_size: int = QUEUE_SIZE,
           block: bool = True) -> Any:
    """Serve the app (127.0.0.1 unless told otherwise). block=False returns the running gradio Blocks
    (its `local_url`; `.close()` stops it)."""
    demo = build(pipe, queue_size)
    demo.launch(
        server_name=host, server_port=port, share=False, inbrowser=False, quiet=True, show_error=True,
        max_file_size=MAX_UPLOAD, state_session_capacity=SESSIONS, prevent_thread_lock=not block,
        footer_links=[], ssr_mode=False, mcp_server=False, pwa=False,
    )  # fmt: skip
    return demo
