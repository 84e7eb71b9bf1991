"""The output folder's layout, the one place that knows it:

    OUT/manifest.sqlite            the batch manifest (batch/manifest.py)
    OUT/.magscan.lock              held by the run writing OUT
    OUT/report/                    the review site (`magscan report`)
    OUT/<doc>.txt, .pdf, .md       one document's text, searchable PDF, Markdown
    OUT/<doc>/page-NNNN[LR].json   one page (L, R: the halves of a spread), with
        .txt, .overlay.png, .page.xml, .alto.xml, .hocr, .md beside it

and the name of each input's <doc> folder.

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
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.sqlite"
LOCK = ".magscan.lock"
REPORT_DIR = "report"
RESERVED = frozenset({REPORT_DIR})    # OUT/report/: the review site
PAGE_JSON = re.compile(r"^page-(\d+)([LR]?)\.json$")
# one page's files by format: OUT/<doc>/page-NNNN[LR]<suffix>
PAGE_SUFFIXES = {"txt": ".txt", "json": ".json", "overlay": ".overlay.png", "page": ".page.xml",
                 "alto": ".alto.xml", "hocr": ".hocr", "md": ".md"}
# one document's files by format: OUT/<doc><suffix>
DOC_SUFFIXES = {"txt": ".txt", "pdf": ".pdf", "md": ".md"}
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


def page_stem(page_number: int, part: str = "") -> str:
    """page-0003, or page-0003L / page-0003R for the halves of a spread."""
    return f"page-{page_number:04d}{part}"


def page_file(doc_dir: Path, page_number: int, part: str = "", fmt: str = "json") -> Path:
    """The page's file of format ``fmt`` (``PAGE_SUFFIXES``): OUT/<doc>/page-NNNN[LR].<...>."""
    return Path(doc_dir) / f"{page_stem(page_number, part)}{PAGE_SUFFIXES[fmt]}"


def document_file(out_dir: Path, doc: str, fmt: str) -> Path:
    """The document's file of format ``fmt`` (txt, pdf, md): OUT/<doc>.<...>."""
    return Path(out_dir) / f"{doc}{DOC_SUFFIXES[fmt]}"


@dataclass(frozen=True)
class PageFile:
    """One page's JSON in the output folder, and where its other files are."""
    doc: str            # folder stem under OUT/
    page_number: int
    part: str           # "", "L" or "R"
    json_path: Path

    @property
    def stem(self) -> str:
        return self.json_path.name[: -len(".json")]

    def sibling(self, fmt: str) -> Path:
        """This page's file of format ``fmt`` (``PAGE_SUFFIXES``)."""
        return self.json_path.with_name(self.stem + PAGE_SUFFIXES[fmt])


def _page_files(doc_dir: Path) -> list[PageFile]:
    found = []
    for f in doc_dir.iterdir():
        m = PAGE_JSON.match(f.name)
        if m:
            found.append(PageFile(doc_dir.name, int(m.group(1)), m.group(2), f))
    return found


def page_jsons(doc_dir: Path) -> list[PageFile]:
    """The pages of one document folder, in page order (L before R)."""
    doc_dir = Path(doc_dir)
    if not doc_dir.is_dir():
        return []
    return sorted(_page_files(doc_dir), key=lambda p: (p.page_number, p.part))


def find_page_files(out_dir: Path) -> list[PageFile]:
    """Every OUT/<doc>/page-NNNN[LR].json, sorted by document, page and part."""
    found = []
    for doc_dir in sorted(p for p in Path(out_dir).iterdir() if p.is_dir()):
        if doc_dir.name == REPORT_DIR or doc_dir.name.startswith("."):
            continue
        found += _page_files(doc_dir)
    return sorted(found, key=lambda p: (p.doc, p.page_number, p.part))
