"""Gathering what the report shows: one entry per page file (or per failed
scan page), from the batch manifest when there is one, else from the page
JSONs alone (outputs written before the manifest existed)."""
from __future__ import annotations

import json
import shlex
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ...batch.manifest import Manifest, Row
from ...errors import MagscanError
from ..files import read_page
from ...model import Page
from ..names import MANIFEST, PageFile, find_page_files, page_stem
# statuses a reviewer has to act on; "missing": done by the manifest, but
# its page file is gone or unreadable
FAILED_STATUSES = frozenset({"failed", "timeout", "missing"})


class ManifestError(MagscanError):
    def __init__(self, path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{self.path}: {reason}")


@dataclass
class PageEntry:
    doc: str                      # output folder stem under OUT/
    page_number: int              # 1-based; 0: the whole input failed before any page
    part: str = ""                # "", "L", "R"
    input: str = ""               # the input file as recorded
    status: str = "done"
    error: str = ""
    attempts: int = 0
    seconds: float | None = None
    mean_conf: float | None = None
    n_columns: int | None = None
    n_blocks: int | None = None
    files: PageFile | None = None  # the page's files on disk, when it has them
    page: Page | None = None
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)   # the page's flags ("code: detail")

    @property
    def flag_codes(self) -> list[str]:
        """The kinds of flag the page has, each once, in order."""
        from ...text.plausibility import code
        return list(dict.fromkeys(code(f) for f in self.flags))

    @property
    def flagged(self) -> bool:
        """A flag says the text is in doubt (``doubt.DOUBT_CODES``)."""
        from ...text.plausibility import doubts
        return bool(doubts(self.flags))

    @property
    def stem(self) -> str:
        return self.files.stem if self.files else (
            page_stem(self.page_number, self.part) if self.page_number else "")

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def label(self) -> str:
        if not self.page_number:
            return "whole file"
        return f"page {self.page_number}{self.part}"

    def rerun_command(self, out_arg: str) -> str:
        sel = f"{self.doc}:{self.page_number}" if self.page_number else self.doc
        return f"magscan rerun {shlex.quote(out_arg)} --pages {shlex.quote(sel)}"


def _fill_from_page(e: PageEntry, page: Page) -> None:
    e.page = page
    e.flags = e.flags or list(page.flags)
    e.mean_conf = round(page.mean_conf, 2)
    e.n_columns = len(page.columns)
    e.n_blocks = len(page.blocks)
    e.input = e.input or page.source


def _load(e: PageEntry, problems: list[str]) -> None:
    try:
        _fill_from_page(e, read_page(e.files.json_path))
    except (OSError, ValueError, KeyError, TypeError) as ex:
        e.status, e.error = "missing", f"unreadable page JSON ({type(ex).__name__}: {ex})"
        problems.append(f"{e.files.json_path}: {e.error}")


def read_manifest(out_dir: Path) -> list[Row]:
    """The manifest's rows, read-only (the batch may still be writing it: WAL
    mode lets a reader in beside the writer; no -wal/-shm is left behind)."""
    path = Path(out_dir) / MANIFEST
    try:
        manifest = Manifest(out_dir, readonly=True)
    except (sqlite3.Error, OSError) as e:
        raise ManifestError(path, f"cannot open manifest ({e})") from e
    try:
        return manifest.rows()
    except sqlite3.Error as e:
        raise ManifestError(path, f"cannot read manifest ({e})") from e
    finally:
        manifest.close()


def _outputs(row: Row) -> list[str]:
    try:
        out = json.loads(row.outputs or "[]")
    except ValueError:
        return []
    return [s for s in out if isinstance(s, str)] if isinstance(out, list) else []


def _flags(row: Row) -> list[str]:
    try:
        got = json.loads(row.flags or "[]")
    except ValueError:
        return []
    return [f for f in got if isinstance(f, str)] if isinstance(got, list) else []


def _num(v, kind=float):
    try:
        return None if v is None else kind(v)
    except (TypeError, ValueError):
        return None


def entries_from_manifest(out_dir: Path, rows: list[Row], files: list[PageFile],
                          problems: list[str]) -> list[PageEntry]:
    by_stem = {(f.doc, f.stem): f for f in files}
    by_page: dict[tuple[str, int], list[PageFile]] = {}
    for f in files:
        by_page.setdefault((f.doc, f.page_number), []).append(f)
    used: set[tuple[str, str]] = set()
    entries = []
    for row in rows:
        doc, n = str(row.doc or ""), _num(row.page_number, int) or 0
        base = dict(doc=doc, page_number=n, input=str(row.input or ""),
                    status=str(row.status or "pending"), error=str(row.error or ""),
                    attempts=_num(row.attempts, int) or 0,
                    seconds=_num(row.seconds), mean_conf=_num(row.mean_conf),
                    n_columns=_num(row.n_columns, int), n_blocks=_num(row.n_blocks, int),
                    flags=_flags(row))
        if base["status"] != "done":
            entries.append(PageEntry(**base))
            continue
        stems = _outputs(row)
        found = [by_stem.get((doc, s)) for s in stems] if stems else by_page.get((doc, n), [])
        if not found:
            e = PageEntry(**base)
            e.status, e.error = "missing", "done in the manifest, but no page file was found"
            problems.append(f"{out_dir / doc}: page {n}: {e.error}")
            entries.append(e)
            continue
        for stem, f in zip(stems or [f.stem for f in found], found):
            if f is None:
                e = PageEntry(**base)
                e.part = stem[-1] if stem[-1:] in ("L", "R") else ""
                e.status, e.error = "missing", f"{stem}.json listed in the manifest but not found"
                problems.append(f"{out_dir / doc / (stem + '.json')}: not found")
                entries.append(e)
                continue
            used.add((f.doc, f.stem))
            e = PageEntry(**{**base, "part": f.part}, files=f)
            _load(e, problems)
            entries.append(e)
    for f in files:  # outputs on disk that the manifest does not know about
        if (f.doc, f.stem) not in used:
            e = PageEntry(f.doc, f.page_number, f.part, files=f, notes=["not in the manifest"])
            _load(e, problems)
            if e.page is not None:
                e.seconds = round(sum(e.page.timings.values()), 3)
            entries.append(e)
    return entries


def entries_from_files(files: list[PageFile], problems: list[str]) -> list[PageEntry]:
    entries = []
    for f in files:
        e = PageEntry(f.doc, f.page_number, f.part, files=f)
        _load(e, problems)
        if e.page is not None:
            e.seconds = round(sum(e.page.timings.values()), 3)
        entries.append(e)
    return entries


def collect(out_dir: Path) -> tuple[list[PageEntry], list[str]]:
    """All page entries of OUT in document, page, part order, and the problems
    met on the way (one line each, naming the file)."""
    out_dir = Path(out_dir)
    files = find_page_files(out_dir)
    problems: list[str] = []
    if (out_dir / MANIFEST).exists():
        entries = entries_from_manifest(out_dir, read_manifest(out_dir), files, problems)
    else:
        entries = entries_from_files(files, problems)
    entries.sort(key=lambda e: (e.doc, e.page_number, e.part))
    return entries, problems
