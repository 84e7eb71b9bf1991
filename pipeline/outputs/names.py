"""Output names: the one place that turns an input path into the name of its
output folder OUT/<stem>/ (and OUT/<stem>.txt, .pdf, .md).

Any input name must give a name that stays inside OUT, never clashes with
what magscan keeps there (manifest.sqlite and its -wal/-shm, .magscan.lock,
report/) nor with another document's files, and prints on one line. So a stem:
has no dot (OUT/<stem>/ can never equal another document's OUT/<stem>.txt,
and no stem can be one of magscan's own dotted names), no control character,
no leading dot or dash, is not empty, not "report", and fits in a file name
with the suffixes magscan adds. Uniqueness ignores case, for file systems
that do.
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

RESERVED = frozenset({"report"})      # OUT/report/: the review site
MAX_STEM_BYTES = 120                  # + "-9999" + ".overlay.png" etc. stays under NAME_MAX
SUFFIX_BYTES = 12                     # what making a stem unique may add
FALLBACK = "input"


def _clean_char(ch: str) -> str:
    if ch in "./\\" or unicodedata.category(ch)[0] in "CZ" and ch != " ":
        return "_"
    return ch


def _truncate(stem: str, limit: int = MAX_STEM_BYTES) -> str:
    while len(stem.encode("utf-8")) > limit:
        stem = stem[:-1]
    return stem


def safe_stem(path: str | os.PathLike) -> str:
    """The output stem an input path asks for, before making it unique."""
    p = Path(path)
    stem = p.stem if p.suffix else p.name   # as pathlib splits it, like the input's type
    stem = unicodedata.normalize("NFC", stem)
    stem = _truncate("".join(_clean_char(ch) for ch in stem)).strip(" ").lstrip("-")
    if not stem.strip("_ "):
        stem = FALLBACK
    if stem.casefold() in RESERVED:
        stem += "_"
    return stem


def is_safe(stem: str) -> bool:
    """A stem recorded by an earlier run is reused only if it is still safe."""
    return (bool(stem.strip("_ ")) and stem == stem.strip(" ") and not stem.startswith("-")
            and len(stem.encode("utf-8")) <= MAX_STEM_BYTES + SUFFIX_BYTES
            and all(_clean_char(ch) == ch for ch in stem) and stem.casefold() not in RESERVED)


def _candidates(path: Path, base: str):
    yield base
    ext = "".join(_clean_char(c) for c in path.suffix.lstrip(".").lower())
    if ext:
        yield f"{base}-{_truncate(ext, SUFFIX_BYTES - 1)}"
    for i in range(2, 10 ** (SUFFIX_BYTES - 2)):
        yield f"{base}-{i}"


def unique_stems(paths: list[Path], in_use: dict[str, str]) -> dict[Path, str]:
    """Output stem per input: an input keeps the stem the manifest gave it (if
    still safe), a new one gets a safe stem no other input of this folder has."""
    by_input = {inp: doc for doc, inp in in_use.items() if is_safe(doc)}
    taken = {doc.casefold() for doc in in_use}
    out: dict[Path, str] = {}
    for p in paths:
        key = os.path.abspath(p)
        if key in by_input:
            out[p] = by_input[key]
            continue
        stem = next(c for c in _candidates(Path(p), safe_stem(p)) if c.casefold() not in taken)
        taken.add(stem.casefold())
        out[p] = stem
    return out
