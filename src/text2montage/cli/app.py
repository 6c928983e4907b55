"""`text2montage serve`: the montage artist's web app (Gradio) on a pipeline."""

from __future__ import annotations

import typer

from text2montage.cli.common import console
from text2montage.cli.groups import app

MAX_QUEUE = 1000


@app.command("serve")
def serve_command(
    model: str | None = typer.Option(
        None, "--model", help="Pipeline folder or cached Hugging Face id (default: the shipped pipeline)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (0.0.0.0: the whole network)."),
    port: int = typer.Option(7860, "--port", min=1, max=65535),
    queue_size: int = typer.Option(64, "--queue-size", min=1, max=MAX_QUEUE, help="Requests that may wait."),
    threads: int = typer.Option(1, "--threads", min=1, help="torch threads for drawing."),
) -> None:
    """Serve the web app: describe, draw ranked montages, redraw a region, vary, keep montage codes."""
    from text2montage.app import launch, quiet_environment

    quiet_environment()
    import torch

    from text2montage.pipeline import MontagePipeline

    torch.set_num_threads(threads)
    pipe = MontagePipeline.from_pretrained(model)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]note:[/] binding {host}: anyone who can reach this machine can use the app")
    console.print(f"serving http://{host}:{port} (ranked by {pipe.scorer}; Ctrl+C stops)")
    launch(pipe, host=host, port=port, queue_size=queue_size)
