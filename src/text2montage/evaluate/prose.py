"""The hand-written free-prose descriptions: registers the synthetic captions never use.

`free_prose.jsonl` holds one entry a line: {"id", "register": [...], "text", "attributes": {field: value}}.
Registers: spoken, comparative, hedged, out-of-order, typos, english (mixed-in English words). The
attributes are the fields the text states, in AIHub vocabulary values; a field it does not state is
absent (never guessed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from text2montage.data.vocab import VOCAB
from text2montage.errors import DataError
from text2montage.text.normalize import normalize_text

FREE_PROSE_FILE = Path(__file__).with_name("free_prose.jsonl")
REGISTERS = frozenset({"spoken", "comparative", "hedged", "out-of-order", "typos", "english"})


@dataclass(frozen=True)
class ProseEntry:
    id: str
    text: str
    attributes: dict[str, str]
    register: tuple[str, ...]


def load_free_prose(path: str | Path = FREE_PROSE_FILE) -> list[ProseEntry]:
    """Read and check a free-prose JSONL file (DataError naming the line for anything unusable)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no free-prose file at {path}")
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            entries.append(_entry(line, f"{path}:{number}"))
    if len(entries) < 2:
        raise DataError(f"{path} needs at least two descriptions (the control scores one against another)")
    return entries


def _entry(line: str, where: str) -> ProseEntry:
    try:
        raw = json.loads(line)
        text, attributes = normalize_text(raw["text"]), dict(raw["attributes"])
        register = tuple(raw.get("register", ()))
        entry_id = str(raw.get("id", where))
    except (ValueError, KeyError, TypeError) as err:
        raise DataError(f"{where}: not a free-prose entry ({type(err).__name__}: {err})") from err
    if not text or not attributes:
        raise DataError(f"{where}: an entry needs a text and at least one target attribute")
    unknown_registers = set(register) - REGISTERS
    if unknown_registers:
        raise DataError(f"{where}: unknown register {sorted(unknown_registers)}; use {sorted(REGISTERS)}")
    for field, value in attributes.items():
        section, _, name = field.partition(".")
        values = [v for v, _ in VOCAB.get(section, {}).get(name, ())]
        if not values:
            raise DataError(f"{where}: {field!r} is not an AIHub attribute field")
        if value not in values:
            raise DataError(f"{where}: {value!r} is not a value of {field} ({', '.join(values)})")
    return ProseEntry(entry_id, text, attributes, register)
