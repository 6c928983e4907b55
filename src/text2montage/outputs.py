"""Where commands write what users keep: checked before any model loads, written whole or not at all.

Every command that writes a folder of results (generate, redraw, vary, vqgan decode, data synth,
data prepare, train tokenizer, pipeline assemble, eval --report) and every single-file output (show,
vqgan encode, previews) goes through here:

- `check_output_dir` / `check_output_file` run first: the path must be creatable (its nearest existing
  folder writable, no file in the way), and a folder that already holds results -- or a file that
  exists -- is refused unless the user passed --overwrite. A folder holding anything else than an
  earlier result of the same kind is never replaced.
- `write_folder` builds the folder beside its destination and renames it into place at the end (an
  earlier result is swapped out whole, never mixed with the new one); `write_bytes_atomic` does the
  same for one file.
- What is written gets the usual permissions (0666/0777 less the umask), not a temp file's 0600.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from text2montage.errors import OptionError

BUILDING_PREFIX = "."  # build folders and temp files are hidden siblings: .NAME.<token>
IsResult = Callable[[Path], bool]


class OutputError(OptionError):
    """An output path that cannot be written, or that would replace what the user did not ask to."""


def check_output_dir(out: Path | str, option: str = "--out", overwrite: bool = False,
                     is_result: IsResult | None = None, what: str = "results") -> Path:
    """Before any work: `out` is new, an empty folder, or (with --overwrite) an earlier result."""
    out = Path(out)
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise OutputError(f"{option} {out} is a file; give a folder to write {what} into")
        if any(out.iterdir()):
            _check_replaceable(out, option, overwrite, is_result, what)
    check_writable(out, option)
    return out


def _check_replaceable(out: Path, option: str, overwrite: bool, is_result: IsResult | None,
                       what: str) -> None:
    if is_result is None or not is_result(out):
        raise OutputError(f"{option} {out} already holds other files; give a new or empty folder")
    if not overwrite:
        raise OutputError(f"{option} {out} already holds {what}; give a new folder, or pass --overwrite "
                          "to replace the folder whole")


def check_output_file(out: Path | str, option: str = "--out", overwrite: bool = False,
                      suffixes: Iterable[str] = ()) -> Path:
    """Before any work: `out` names a file with one of `suffixes` that is new (or --overwrite)."""
    out = Path(out)
    wanted = tuple(s.lower() for s in suffixes)
    if wanted and out.suffix.lower() not in wanted:
        raise OutputError(f"{option} {out} must name a {' or '.join(wanted)} file")
    if out.is_dir():
        raise OutputError(f"{option} {out} is a folder; name the file to write")
    if out.exists() and not overwrite:
        raise OutputError(f"{option} {out} exists; give a new file name, or pass --overwrite to replace it")
    check_writable(out, option)
    return out


def check_target_folder(out: Path | str, option: str = "--out") -> Path:
    """A folder that files are added to (made when missing, resumable work): no file in the way, writable."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{option} {out} is a file; give a folder")
    check_writable(out, option, inside=out.is_dir())
    return out


def check_writable(out: Path, option: str = "--out", inside: bool = False) -> None:
    """The nearest existing folder above `out` (inside: `out` itself) takes a new entry (tried, removed)."""
    ancestor = out if inside else out.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{option} {out}: {ancestor} is a file, not a folder")
    try:
        probe = make_building_dir(ancestor, ".write-check")
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise OutputError(f"{option} {out}: cannot write in {ancestor} ({reason})") from None
    probe.rmdir()


def make_building_dir(parent: Path, name: str) -> Path:
    """A new hidden folder `.NAME.<token>` in parent, with the usual permissions (umask applies)."""
    while True:
        path = parent / f"{BUILDING_PREFIX}{name}.{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o777)
            return path
        except FileExistsError:
            continue


def write_folder(out: Path | str, fill: Callable[[Path], object], option: str = "--out",
                 overwrite: bool = False, is_result: IsResult | None = None, what: str = "results",
                 resumable: bool = False) -> Path:
    """Build a folder with fill(tmp) beside `out`, then move it into place (an earlier result swapped out).

    resumable: build in `.NAME.partial` and keep it when fill fails or is killed, so a re-run that
    fills it again can skip the work already there (data prepare's shards).
    """
    out = check_output_dir(out, option, overwrite, is_result, what)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = partial_dir(out) if resumable else make_building_dir(out.parent, out.name)
    building.mkdir(mode=0o777, exist_ok=True)
    try:
        fill(building)
        _swap_in(building, out)
    except BaseException:
        if not resumable:
            shutil.rmtree(building, ignore_errors=True)
        raise
    return out


def partial_dir(out: Path) -> Path:
    """Where a resumable folder is built: a hidden sibling with a fixed name."""
    return out.parent / f"{BUILDING_PREFIX}{out.name}.partial"


def _swap_in(building: Path, out: Path) -> None:
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
    if not out.exists():
        building.rename(out)
        return
    old = make_building_dir(out.parent, f"{out.name}.old")
    old.rmdir()
    out.rename(old)
    building.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    """Write through a hidden temp file and a rename: readers see the old file or the new, never half."""
    with atomic_file(path) as handle:
        handle.write(data)


@contextmanager
def atomic_file(path: Path | str) -> Iterator[BinaryIO]:
    """A binary handle on a hidden temp file beside `path`, renamed onto it when the block ends well."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.with_name(f"{BUILDING_PREFIX}{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
