"""The errors a user can cause, one family: the CLI and the app show their message as one line.

    Text2MontageError            anything a user can get wrong (the CLI exits with code 2)
    ├── OptionError              an option, setting or name out of range or unknown
    ├── DataError                a dataset, record, codes folder, image or description that cannot be used
    ├── ModelLoadError           a model, tokenizer or text-encoder folder missing, truncated or mismatched
    └── CheckpointError          a checkpoint that cannot be resumed, or a run folder that holds one already

Each stage subclasses the branch that fits (RecordError is a DataError, DalleLoadError a ModelLoadError).
Anything else that escapes, a ValueError from inside numpy or torch included, is a bug and keeps its
traceback. OptionError, DataError and ModelLoadError are also ValueErrors: a bad value is a ValueError.
The module imports nothing, so every part can raise these without a heavy import.
"""

from __future__ import annotations


class Text2MontageError(Exception):
    """A mistake in what a user gave (options, data, model folders, checkpoints); the message says which."""


class OptionError(Text2MontageError, ValueError):
    """An option, setting or name that is out of range or unknown."""


class DataError(Text2MontageError, ValueError):
    """Input data that cannot be used: a dataset, record, codes folder, image or description."""


class ModelLoadError(Text2MontageError, ValueError):
    """A model, tokenizer or text-encoder folder that is missing, truncated or does not match its config."""


class CheckpointError(Text2MontageError):
    """A checkpoint that is missing, truncated or does not fit the run, or a run that would overwrite one."""
