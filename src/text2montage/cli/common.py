"""What every command module shares: the console, user-facing errors, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

console = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print a user-facing error (no traceback) and return the exit to raise."""
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Errors a user can cause (bad paths, data, models, options) -> one message and exit code 2."""
    from text2montage.checkpoint import CheckpointError
    from text2montage.vqgan.model import ModelLoadError

    try:
        yield
    except (ModelLoadError, CheckpointError, FileExistsError, FileNotFoundError) as err:
        raise fail(str(err)) from None
    except (ValueError, KeyError) as err:  # the project's input errors are ValueErrors
        raise fail(str(err.args[0] if err.args else err)) from None


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )
