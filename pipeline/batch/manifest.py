"""The batch manifest: OUT/manifest.sqlite, one row per scanned page.

It is the single source of truth for what a batch has done: resume, rerun,
status and the report all read it. Only the parent process writes it (workers
return results), every change is its own transaction, and WAL mode lets
readers (`status`, `report`) look while a batch runs. A row is keyed by
(input, page_number); page_number 0 stands for a file that failed before any
page could be read.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputBusy, OutputError, shown
from ..outputs.names import LOCK as LOCKNAME, MANIFEST as FILENAME
STATUSES = ("pending", "running", "done", "failed", "timeout")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    input TEXT NOT NULL,
    doc TEXT NOT NULL,
    page_number INTEGER NOT NULL,
    input_hash TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    seconds REAL,
    mean_conf REAL,
    n_blocks INTEGER,
    n_columns INTEGER,
    fingerprint TEXT,
    options TEXT,
    engine TEXT,
    outputs TEXT,
    timings TEXT,
    peak_mb REAL,
    flags TEXT,
    flagged INTEGER DEFAULT 0,
    formats TEXT,
    orientation INTEGER,
    lang TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (input, page_number)
);
CREATE INDEX IF NOT EXISTS pages_doc ON pages (doc, page_number);
CREATE INDEX IF NOT EXISTS pages_status ON pages (status);
"""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Row:
    input: str
    doc: str
    page_number: int
    input_hash: str | None = None
    status: str = "pending"
    error: str | None = None
    attempts: int = 0
    seconds: float | None = None
    mean_conf: float | None = None
    n_blocks: int | None = None
    n_columns: int | None = None
    fingerprint: str | None = None
    options: str | None = None
    engine: str | None = None
    outputs: str | None = None
    timings: str | None = None
    peak_mb: float | None = None       # the worker's peak resident memory during this page
    flags: str | None = None           # JSON list of the page's flags (page.flags)
    flagged: int | None = 0            # 1: a flag says the text is in doubt (text/plausibility.py)
    # the formats the page has, comma-separated (formats/stale.py): txt,json,
    # overlay,page,alto,hocr,md per page; pdf or pdfa for its document's PDF
    formats: str | None = None
    orientation: int | None = None     # degrees the scan was turned clockwise to stand upright
    lang: str | None = None            # the recognition language(s) the page was read with
    created_at: str = ""
    updated_at: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.input, self.page_number)

    @property
    def options_dict(self) -> dict:
        return json.loads(self.options) if self.options else {}

    @property
    def output_stems(self) -> list[str]:
        return json.loads(self.outputs) if self.outputs else []

    @property
    def flag_list(self) -> list[str]:
        return json.loads(self.flags) if self.flags else []

    @property
    def label(self) -> str:
        return f"{self.doc}:{self.page_number}" if self.page_number else self.doc


_COLUMNS = list(Row.__dataclass_fields__)


class OutputLock:
    """One batch at a time per output folder: two runs writing the same
    manifest and files would each redo the other's pages."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / LOCKNAME
        self.f = None

    @property
    def held(self) -> bool:
        return self.f is not None

    def __enter__(self) -> "OutputLock":
        import fcntl
        try:
            f = open(self.path, "a+")
        except OSError as e:
            raise OutputError(f"{shown(self.path.parent)}: cannot write to this folder "
                              f"({e.strerror})") from e
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise OutputBusy(f"{shown(self.path.parent)}: another magscan run is writing to this "
                             "output folder; wait for it or use another -o") from None
        self.f = f
        return self

    def __exit__(self, *exc) -> None:
        if self.f is not None:
            self.f.close()  # closing releases the lock; the file may stay
            self.f = None


def batch_running(out_dir: Path) -> bool | None:
    """Whether a magscan run holds OUT's lock now, found without taking it (a
    reader that took the lock, even for a moment, could turn a batch starting
    at that moment away): Linux lists every flock in /proc/locks. None where
    that cannot be known."""
    import os
    try:
        st = os.stat(Path(out_dir) / LOCKNAME)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks") as f:
            return any(ln.split()[1:2] == ["FLOCK"] and dev in ln.split() for ln in f)
    except OSError:
        return None


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A connection that never writes. Opened read-write (with writes refused)
    where the folder allows it, because a read-only connection to a WAL
    database leaves manifest.sqlite-wal and -shm behind: only a connection
    that may write removes them when it closes last."""
    uri = path.resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=rw", uri=True, timeout=30)
        db.execute("PRAGMA query_only=1")
        db.execute("SELECT COUNT(*) FROM pages").fetchone()
        return db
    except sqlite3.Error:
        pass
    # a folder we may not write: with no -wal file no batch is writing, and
    # the database can be read as it stands, without the -shm SQLite cannot make
    wal = path.with_name(path.name + "-wal")
    return sqlite3.connect(f"{uri}?mode=ro" + ("" if wal.exists() else "&immutable=1"),
                           uri=True, timeout=30)


class Manifest:
    def __init__(self, out_dir: Path, readonly: bool = False, lock: OutputLock | None = None):
        self.path = Path(out_dir) / FILENAME
        if readonly:
            if not self.path.is_file():
                raise FileNotFoundError(f"{self.path}: no manifest (not a magscan output folder?)")
            self.db = open_for_reading(self.path)
        else:
            if lock is None or not lock.held or lock.path.parent != self.path.parent:
                raise RuntimeError("the manifest is opened for writing only under the output lock")
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode still never corrupts; a power cut may lose the
            # last page's row, which resume then simply redoes.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self._add_new_columns()
        self.db.row_factory = sqlite3.Row

    def _add_new_columns(self) -> None:
        """Manifests written by an older magscan lack newer columns."""
        have = {r[1] for r in self.db.execute("PRAGMA table_info(pages)")}
        types = {"peak_mb": "REAL", "flagged": "INTEGER DEFAULT 0", "orientation": "INTEGER"}
        for col in _COLUMNS:
            if col not in have:
                self.db.execute(f"ALTER TABLE pages ADD COLUMN {col} {types.get(col, 'TEXT')}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Manifest":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _columns(self) -> list[str]:
        """The row fields this manifest has: all of them, but for reading a
        manifest an older magscan wrote (its missing columns read as defaults)."""
        if not hasattr(self, "_have"):
            have = {r[1] for r in self.db.execute("PRAGMA table_info(pages)")}
            self._have = [c for c in _COLUMNS if c in have]
        return self._have

    def rows(self, where: str = "", params: tuple = ()) -> list[Row]:
        sql = (f"SELECT {', '.join(self._columns())} FROM pages {where} "
               "ORDER BY doc, input, page_number")
        return [Row(**dict(r)) for r in self.db.execute(sql, params)]

    def get(self, input: str, page_number: int) -> Row | None:
        found = self.rows("WHERE input = ? AND page_number = ?", (input, page_number))
        return found[0] if found else None

    def docs_in_use(self) -> dict[str, str]:
        """doc stem -> input path, for every input already in this output folder."""
        return {r[0]: r[1] for r in self.db.execute("SELECT DISTINCT doc, input FROM pages")}

    def upsert(self, row: Row) -> None:
        """Insert or replace one page's row, in its own transaction."""
        now = _now()
        old = self.get(row.input, row.page_number)
        row.created_at = old.created_at if old else now
        row.updated_at = now
        cols = ", ".join(_COLUMNS)
        marks = ", ".join("?" for _ in _COLUMNS)
        with self.db:
            self.db.execute(f"INSERT OR REPLACE INTO pages ({cols}) VALUES ({marks})",
                            tuple(getattr(row, c) for c in _COLUMNS))

    def update(self, input: str, page_number: int, **fields) -> None:
        fields["updated_at"] = _now()
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.db:
            self.db.execute(f"UPDATE pages SET {sets} WHERE input = ? AND page_number = ?",
                            (*fields.values(), input, page_number))

    def delete(self, input: str, page_number: int) -> None:
        with self.db:
            self.db.execute("DELETE FROM pages WHERE input = ? AND page_number = ?",
                            (input, page_number))

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for status, n in self.db.execute("SELECT status, COUNT(*) FROM pages GROUP BY status"):
            out[status] = n
        return out
