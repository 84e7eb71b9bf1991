"""Logging for `-v` / `--verbose`: standard `logging` under the "pipeline"
logger, shown on stderr as `magscan: info: ...` / `magscan: debug: ...`.

Pages run in worker processes whose stderr is kept out of sight (C
libraries' noise), possibly on other machines (Dask). So a worker records
its page's log messages at the level the command asked for (`capture`) and
returns them with the page's outcome; the batch runner replays them here,
in the command's process, prefixed with the page (`replay`).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

ROOT = "pipeline"


def level_for(verbose: int) -> int:
    """0: warnings only; -v: info (what each page became); -vv: debug (why)."""
    return logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG


class _StderrHandler(logging.Handler):
    """One line per message on stderr, written so that a progress bar survives."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from .batch.progress import write_line
            write_line(self.format(record))
        except Exception:  # noqa: BLE001 - logging never breaks a run
            self.handleError(record)


def setup(verbose: int) -> None:
    """Show the "pipeline" logger's messages at the level -v asked for."""
    log = logging.getLogger(ROOT)
    log.setLevel(level_for(verbose))
    for h in [h for h in log.handlers if isinstance(h, _StderrHandler)]:
        log.removeHandler(h)
    h = _StderrHandler()
    h.setFormatter(_Formatter())
    log.addHandler(h)
    log.propagate = False


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from .errors import one_line
        return f"magscan: {record.levelname.lower()}: {one_line(record.getMessage())}"


def current_level() -> int:
    return logging.getLogger(ROOT).getEffectiveLevel()


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[tuple[int, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.records.append((record.levelno, record.name, record.getMessage()))
        except Exception:  # noqa: BLE001
            self.handleError(record)


@contextmanager
def capture(level: int) -> Iterator[list[tuple[int, str, str]]]:
    """In a worker: the "pipeline" messages at `level` or above, as
    (level, logger name, message), collected for the parent to replay."""
    log = logging.getLogger(ROOT)
    old_level, old_propagate = log.level, log.propagate
    h = _Collect()
    log.addHandler(h)
    log.setLevel(level)
    log.propagate = False  # the worker's own stderr is not where they are read
    try:
        yield h.records
    finally:
        log.removeHandler(h)
        log.setLevel(old_level)
        log.propagate = old_propagate


def replay(records, prefix: str) -> None:
    """Emit a worker's messages here, each prefixed with the page it is about."""
    for level, name, msg in records or ():
        logging.getLogger(name).log(level, "%s: %s", prefix, msg)
