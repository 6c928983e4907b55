"""What every command module shares: the console, the progress bar, and how user errors are reported.

The app reports errors itself (`ReportingGroup`): a `Text2MontageError` (a user's mistake in options,
data, model folders or checkpoints) or an `OSError` (a path that cannot be read or written) becomes
one line on stderr and exit code 2; `text2montage --debug ...` re-raises it with its traceback. Any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any

import click
import typer
from rich.markup import escape
from typer.core import TyperGroup

from text2montage.errors import Text2MontageError
from text2montage.progress import console, progress_bar

__all__ = ["DEBUG_KEY", "ReportingGroup", "console", "error_message", "progress_bar", "set_threads"]

DEBUG_KEY = "text2montage.debug"  # click context meta: re-raise user errors with their traceback


def error_message(err: Text2MontageError | OSError) -> str:
    """One line: the project's message, or an OSError's reason and path."""
    if isinstance(err, OSError) and err.strerror and err.filename:
        return f"{err.strerror}: {err.filename}"
    return str(err)


class ReportingGroup(TyperGroup):
    """The root command group: user errors from any command -> one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (Text2MontageError, OSError) as err:
            if ctx.meta.get(DEBUG_KEY):
                raise
            console.print(f"[bold red]error:[/] {escape(error_message(err))}", highlight=False)
            raise typer.Exit(code=2) from None


def set_threads(threads: int | None) -> None:
    """torch's intra-op threads for this process (None: torch's default)."""
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
