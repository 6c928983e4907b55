"""The pipeline's user-facing errors, in the project's Text2MontageError family (text2montage.errors):
each carries a one-line message the CLI and the app show as is."""

from __future__ import annotations

from text2montage.errors import DataError, ModelLoadError, OptionError, Text2MontageError


class PipelineError(Text2MontageError, ValueError):
    """Anything a user can get wrong about a pipeline call or folder."""


class PipelineLoadError(PipelineError, ModelLoadError):
    """A pipeline folder (or Hub id) is missing, incomplete, truncated or its components do not fit."""


class PipelineInputError(PipelineError, OptionError):
    """A description, setting, region or montage the pipeline cannot use."""


class MontageCodeError(PipelineError, DataError):
    """A montage code that is malformed, damaged, or made by another model."""
