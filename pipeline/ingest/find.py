"""Finding inputs: files as given, folders searched recursively by extension,
each real file once, magscan's own output folders never read back in."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .filetypes import INPUT_EXTS, KINDS, NOT_READ

OUTPUT_MARK = "manifest.sqlite"   # a folder holding one is a magscan output, never an input


@dataclass
class FoundInputs:
    files: list[Path] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)   # unreadable or empty folders
    folders: list[Path] = field(default_factory=list)           # named folders that were searched
    skipped: list[InputError] = field(default_factory=list)    # images in folders not read, and why


def _is_output_folder(d: Path, exclude: set[str]) -> bool:
    try:
        return os.path.realpath(d) in exclude or (d / OUTPUT_MARK).is_file()
    except OSError:
        return False


def _walk(top: Path, exclude: set[str], found: FoundInputs) -> int:
    """Input files under `top`, following symbolic links to folders (each real
    folder once); folders that cannot be read are problems, not silence."""
    seen: set[tuple[int, int]] = set()
    n = 0

    def onerror(e: OSError) -> None:
        found.problems.append(InputError(e.filename or top, f"cannot read folder ({e.strerror})"))

    for root, dirs, files in os.walk(top, onerror=onerror, followlinks=True):
        try:
            st = os.stat(root)
        except OSError as e:
            onerror(e)
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # a link loop, or a folder linked twice
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs[:] = sorted(d for d in dirs if not _is_output_folder(Path(root) / d, exclude))
        for f in sorted(files):
            if f.startswith("."):
                continue
            ext = Path(f).suffix.lower()
            if ext in INPUT_EXTS:
                found.files.append(Path(root) / f)
                n += 1
            elif ext in NOT_READ:
                found.skipped.append(InputError(Path(root) / f, NOT_READ[ext]))
    return n


def _is_dir(p: Path) -> bool:
    try:
        return p.is_dir()
    except OSError:   # a path under an unreadable folder: read as a file, which says why
        return False


def find_inputs(paths, exclude=()) -> FoundInputs:
    """Files as given, and folders searched recursively for inputs by extension,
    each real file once. Folders in `exclude` (the output folder) and other
    magscan output folders are not searched: outputs are never read back in."""
    ex = {os.path.realpath(p) for p in exclude}
    found = FoundInputs()
    for p in map(Path, paths):
        if _is_dir(p):
            found.folders.append(p)
            if os.path.realpath(p) in ex:
                found.problems.append(InputError(p, "is the output folder (-o); outputs are "
                                                    "never read as input"))
                continue
            before = len(found.problems)
            if not _walk(p, ex, found) and len(found.problems) == before:
                found.problems.append(InputError(p, f"no {KINDS} file in this folder"))
        else:
            found.files.append(p)
    found.files = _unique(found.files)
    return found


def _unique(files: list[Path]) -> list[Path]:
    """The same file named twice (a folder and a file in it, a link and its
    target) is one input: the first name given keeps it."""
    seen, out = set(), []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
