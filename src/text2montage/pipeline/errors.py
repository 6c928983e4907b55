"""The pipeline's user-facing errors: each carries a one-line message the CLI and the app show as is."""

from __future__ import annotations

try:  # the project-wide error family, when present
    from text2montage.errors import Text2MontageError

    _BASES: tuple[type, ...] = (Text2MontageError,) if issubclass(Text2MontageError, ValueError) else (
        Text2MontageError, ValueError)
except ImportError:  # pragma: no cover - before text2montage.errors exists
    _BASES = (ValueError,)


class PipelineError(*_BASES):  # type: ignore[misc]
    """Anything a user can get wrong about a pipeline call or folder."""


class PipelineLoadError(PipelineError):
    """A pipeline folder (or Hub id) is missing, incomplete, truncated or its components do not fit."""


class PipelineInputError(PipelineError):
    """A description, setting or montage the pipeline cannot use."""


class MontageCodeError(PipelineError):
    """A montage code that is malformed, damaged, or made by another model."""
