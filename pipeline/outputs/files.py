"""Writing results: every file goes to a temporary name first and is renamed
into place, so an interrupted run never leaves a half-written output.

Temporary names are magscan's own (`.NAME.XXXXXXXX.magscan-tmp`), so the
clean-up after a killed run removes only files magscan made. Inside
`staged()`, files are renamed into place only when every file of the page
has been written: a page that fails half-way (a full disk) leaves no file of
its attempt behind.
"""
from __future__ import annotations

import json
import os
import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from ..text.assemble import page_text
from ..model import Page
from .names import document_file, page_file


TEMP_SUFFIX = ".magscan-tmp"
# temporary names: "." + the name + "." + 8 random characters + the suffix
TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _create_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path`, made as open() makes files (mode
    0666 less the umask, which the system applies: mkstemp's 0600 would need
    the umask read, and reading it means setting it), never an existing one."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                           0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary name for {path.name}")


def _write_temp(path: Path, data: bytes) -> str:
    """`data` in a temporary file beside `path`; returns its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


class _Stage:
    def __init__(self) -> None:
        self.pending: list[tuple[str, Path]] = []

    def commit(self) -> None:
        # the JSON last: resume takes a page with its JSON on disk as written
        for tmp, path in sorted(self.pending, key=lambda tp: tp[1].suffix == ".json"):
            os.replace(tmp, path)
        self.pending = []

    def abort(self) -> None:
        for tmp, _ in self.pending:
            _unlink(tmp)
        self.pending = []


_STAGE: ContextVar[_Stage | None] = ContextVar("magscan_stage", default=None)


@contextmanager
def staged() -> Iterator[_Stage]:
    """Writes inside go to temporary files; `commit()` renames them all into
    place, leaving the block without it (an error) removes them."""
    stage = _Stage()
    token = _STAGE.set(stage)
    try:
        yield stage
    finally:
        _STAGE.reset(token)
        stage.abort()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = _write_temp(path, data)
    stage = _STAGE.get()
    if stage is not None:
        stage.pending.append((tmp, path))
        return
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def remove_stale_temps(folders) -> int:
    """Temporary files of a run that was killed mid-write, in `folders` (not
    below them): only names magscan gives its temporary files."""
    n = 0
    for d in folders:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            if TEMP_NAME.match(name):
                try:
                    os.unlink(os.path.join(d, name))
                    n += 1
                except OSError:
                    pass
    return n


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def page_record(page: Page) -> dict:
    """The page's JSON: the page, and whether magscan doubts its text (text/plausibility.py)."""
    from ..text.plausibility import doubts

    return {**page.to_dict(), "flagged": bool(doubts(page.flags))}


def page_json(record: dict) -> str:
    """The page's JSON, one top-level field a line and one block a line: as
    easy to read and diff as an indented dump, and written by json's C
    encoder (``indent`` makes json fall back to Python, five times slower:
    a third of a text-layer page's time)."""
    def item(v) -> str:
        if isinstance(v, list) and v:
            return "[\n  " + ",\n  ".join(json.dumps(x, ensure_ascii=False) for x in v) + "\n ]"
        return json.dumps(v, ensure_ascii=False)
    return "{\n" + ",\n".join(f" {json.dumps(k)}: {item(v)}" for k, v in record.items()) + "\n}"


def write_page(doc_dir: Path, page: Page, keep_headers: bool = False,
               overlay: np.ndarray | None = None) -> dict[str, Path]:
    paths = {f: page_file(doc_dir, page.page_number, page.part, f) for f in ("txt", "json")}
    # everything is serialised before anything is written: a page that cannot
    # be written leaves no file behind beside its failed manifest row
    data = {"txt": page_text(page, keep_headers).encode("utf-8"),
            "json": page_json(page_record(page)).encode("utf-8")}
    if overlay is not None:
        ok, buf = cv2.imencode(".png", overlay)
        if ok:
            paths["overlay"] = page_file(doc_dir, page.page_number, page.part, "overlay")
            data["overlay"] = buf.tobytes()
    for key, blob in data.items():
        atomic_write_bytes(paths[key], blob)
    return paths


def read_page(path: Path) -> Page:
    return Page.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def write_document_text(out_dir: Path, doc_stem: str, page_texts: list[str]) -> Path:
    """OUT/<stem>.txt: all pages in order, separated by form feeds."""
    path = document_file(out_dir, doc_stem, "txt")
    atomic_write_text(path, "\f\n".join(page_texts))
    return path
