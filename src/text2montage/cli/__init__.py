"""`text2montage` command line: importing the stage modules registers their commands."""

from text2montage.cli import data as _data  # noqa: F401
from text2montage.cli.groups import app

__all__ = ["app"]
