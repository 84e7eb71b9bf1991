"""The output folder of a batch: made, locked, its manifest opened, and what
goes wrong writing it (a file in its place, no permission, a full disk)
turned into one-line errors. ``open_batch`` is the only way to a writable
manifest."""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import OutputError, is_disk_full, one_line, shown
from .manifest import Manifest, OutputLock

__all__ = ["prepare_out_dir", "output_errors", "open_batch"]


def prepare_out_dir(out_dir: Path) -> Path:
    """OUT, created if need be, or OutputError saying in one line why it cannot be."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{shown(out_dir)}: is a file, not a folder; give -o a folder") from None
    except NotADirectoryError:
        raise OutputError(f"{shown(out_dir)}: cannot be made: part of its path is a file") from None
    except OSError as e:
        raise OutputError(f"{shown(out_dir)}: cannot be made ({e.strerror})") from None
    if not out_dir.is_dir():
        raise OutputError(f"{shown(out_dir)}: is a file, not a folder; give -o a folder")
    return out_dir


def _nearly_full(folder: Path) -> bool:
    """SQLite reports a full disk as "disk I/O error" as often as "database or
    disk is full": the file system says which."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < (1 << 20)


def _output_reason(e: BaseException, out_dir: Path) -> str:
    if is_disk_full(e) or _nearly_full(out_dir):
        return "disk full (free some space, then run the same command again to resume)"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, OSError) and e.strerror:
        return one_line(e.strerror)
    return one_line(f"{type(e).__name__}: {e}")


@contextmanager
def output_errors(out_dir: Path) -> Iterator[None]:
    """What writing OUT raises (the manifest, a document's text) as one line.
    Page failures never get here: they are recorded, not raised."""
    try:
        yield
    except (sqlite3.Error, OSError) as e:
        raise OutputError(f"{shown(out_dir)}: cannot write the results: "
                          f"{_output_reason(e, out_dir)}") from e


def _temp_folders(out_dir: Path, manifest: Manifest) -> list[Path]:
    docs = {r[0] for r in manifest.db.execute("SELECT DISTINCT doc FROM pages")}
    report = [Path(root) for root, _, _ in os.walk(out_dir / "report")]
    return [out_dir, *(out_dir / d for d in sorted(docs)), *report]


@contextmanager
def open_batch(out_dir: Path) -> Iterator[Manifest]:
    """The output folder locked and its manifest open for writing; temporary
    files a killed run left (magscan's own names only) removed before and after."""
    from ..outputs.files import remove_stale_temps

    out_dir = prepare_out_dir(out_dir)
    with OutputLock(out_dir) as lock, output_errors(out_dir), \
            Manifest(out_dir, lock=lock) as manifest:
        remove_stale_temps(_temp_folders(out_dir, manifest))
        yield manifest
        remove_stale_temps(_temp_folders(out_dir, manifest))
