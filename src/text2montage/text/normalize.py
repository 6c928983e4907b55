"""Korean text clean-up shared by the loader, the tokenizer and the app: NFC, single spaces, no folding."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFC-normalise (so decomposed jamo from some keyboards match composed syllables) and collapse
    runs of whitespace into one space. Never folds to ASCII: Hangul stays Hangul."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
