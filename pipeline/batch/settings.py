"""What a batch run is given beyond the options (workers, limits, formats)
and what it returns."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RunSettings", "BatchResult", "default_log"]


@dataclass
class RunSettings:
    jobs: int = 1
    page_timeout: float = 180.0
    max_memory: int | None = 4 << 30   # bytes of address space per worker
    max_attempts: int = 3              # convert stops retrying a page after this many
    overlays: bool = True
    # extra formats (page, alto, hocr, md, pdf); for `rerun`, None: the ones
    # each page has (the manifest's formats column)
    formats: tuple | None = ()
    pdfa: bool = False                 # the document PDF as PDF/A-2b
    progress: bool = True
    executor: str = "local"            # or "dask"
    scheduler: str | None = None       # dask scheduler address


@dataclass
class BatchResult:
    done: int = 0
    failed: int = 0
    skipped: int = 0                    # already done with the same input and options
    given_up: int = 0                   # failed max_attempts times; `rerun --failed` retries
    errors: list[str] = field(default_factory=list)   # "file[:page]: reason"
    flagged: list[str] = field(default_factory=list)  # "doc:page: doubt flags" of this run
    documents: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.given_up == 0

    def add(self, other: "BatchResult") -> None:
        self.done += other.done
        self.failed += other.failed
        self.skipped += other.skipped
        self.given_up += other.given_up
        self.errors += other.errors
        self.flagged += other.flagged


def default_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
