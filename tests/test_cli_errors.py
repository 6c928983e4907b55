"""How the CLI reports errors: the project's errors and OSError as one line with exit code 2, bugs with
their traceback, and --debug showing the traceback of a user error too."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from text2montage.cli.common import ReportingGroup
from text2montage.cli.groups import main
from text2montage.errors import CheckpointError, DataError

runner = CliRunner()


def _app(error: Exception) -> typer.Typer:
    app = typer.Typer(cls=ReportingGroup)
    app.callback()(main)
    sub = typer.Typer()
    app.add_typer(sub, name="stage")

    @sub.command("run")
    def run() -> None:
        raise error

    return app


@pytest.mark.parametrize("error", [DataError("no records (e.g. [PAD] [bold]x[/])"), CheckpointError("x"),
                                   FileNotFoundError(2, "No such file or directory", "/nope/codes.npy")])
def test_user_errors_are_one_line_with_exit_code_2(error: Exception) -> None:
    result = runner.invoke(_app(error), ["stage", "run"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "Traceback" not in result.output
    assert result.output.startswith("error: ")
    if isinstance(error, DataError):
        assert "[PAD] [bold]x[/]" in result.output  # shown as written, not read as markup
    if isinstance(error, OSError):
        assert "No such file or directory: /nope/codes.npy" in result.output


def test_bugs_keep_their_traceback_and_debug_shows_user_errors() -> None:
    bug = runner.invoke(_app(ValueError("inside numpy")), ["stage", "run"])
    assert bug.exit_code == 1 and isinstance(bug.exception, ValueError)
    debug = runner.invoke(_app(DataError("bad data")), ["--debug", "stage", "run"])
    assert isinstance(debug.exception, DataError)
