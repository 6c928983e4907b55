"""`text2montage` command line: importing the stage modules registers their commands."""

from text2montage.cli import app as _app  # noqa: F401
from text2montage.cli import attributes as _attributes  # noqa: F401
from text2montage.cli import dalle as _dalle  # noqa: F401
from text2montage.cli import data as _data  # noqa: F401
from text2montage.cli import evaluate as _evaluate  # noqa: F401
from text2montage.cli import generate as _generate  # noqa: F401
from text2montage.cli import reranker as _reranker  # noqa: F401
from text2montage.cli import vqgan as _vqgan  # noqa: F401
from text2montage.cli.groups import app

__all__ = ["app"]
