"""Typed errors. Raised where the problem is known; turned into messages and
exit codes only at the command line.

`ExitCode` is the one list of exit codes (README, "exit codes"): each kind of
failure has its own, and each error class carries the code of its kind.
"""
from __future__ import annotations

import errno as _errno
import sys
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0            # every page done (flagged pages too)
    FAILED = 1        # some input or page failed; the others were converted
    USAGE = 2         # a command line that cannot mean anything
    ENGINE = 3        # an OCR engine, language model or Python extra is missing
    BUSY = 4          # another run holds the output folder
    OUTPUT = 5        # the output folder cannot be made, written or read
    INTERNAL = 70     # a bug (sysexits' EX_SOFTWARE)
    INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


OUT_OF_MEMORY = "out of memory"


def one_line(text: str) -> str:
    """Text for a one-line message: control characters (a newline in a file
    name, a multi-line library error) shown escaped instead of breaking the line."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in str(text))


def shown(path) -> str:
    """A path as it appears in messages: always on one line."""
    return one_line(str(path))


class MagscanError(Exception):
    exit_code: ExitCode = ExitCode.FAILED


class InputError(MagscanError):
    """An input file that cannot be read as a page image or PDF."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = one_line(reason)
        super().__init__(f"{shown(self.path)}: {self.reason}")

    def __reduce__(self):
        # errors cross process boundaries (worker -> batch runner) by pickle
        return (type(self), (self.path, self.reason))


class UsageError(MagscanError):
    """A command line that cannot mean anything (found only once the batch is read)."""
    exit_code = ExitCode.USAGE


class OutputBusy(MagscanError):
    """Another magscan run holds the output folder; trying again later works."""
    exit_code = ExitCode.BUSY


class OutputError(MagscanError):
    """The output folder cannot be created or written (a file, no permission, disk full)."""
    exit_code = ExitCode.OUTPUT


class EngineMissing(MagscanError):
    """The OCR program, its language model or a Python extra (ppocr, dask) is
    not installed; the message says how to install it."""
    exit_code = ExitCode.ENGINE


def _checkout() -> Path | None:
    """The source checkout magscan runs from (an editable install), if any."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def extra_install_hint(extra: str) -> str:
    """How to add an optional extra to the magscan that is running: magscan is
    installed from its checkout, so the advice names that checkout and the
    Python environment in use (never a package index, where magscan is not)."""
    from shlex import quote

    root = _checkout()
    py = quote(sys.executable or "python3")
    if root is None:
        return f"install it into this environment: {py} -m pip install 'PATH/TO/magscan[{extra}]'"
    # the Makefile's set-up installs the test extra (which holds dask), ppocr and openvino
    make = " (or `make setup` there)" if extra in ("ppocr", "openvino", "dask") else ""
    return (f"install it from the magscan checkout: cd {quote(str(root))} && "
            f"{py} -m pip install -e '.[{extra}]'{make}")


class EngineError(MagscanError):
    """The OCR engine ran but failed on a page or block."""


class EngineTimeout(EngineError):
    """The OCR engine took longer than allowed."""


_NO_MEMORY_WORDS = ("insufficient memory", "failed to allocate", "out of memory",
                    "cannot allocate memory", "failed to map segment", "bad_alloc",
                    "bad allocation")


def is_out_of_memory(exc: BaseException | None) -> bool:
    """Whether an exception, or one it was raised from, means memory ran out.
    Libraries say it in their own ways: MemoryError (numpy, Python), cv2.error
    "Insufficient memory", ENOMEM, an ImportError "failed to map segment" when
    a capped worker cannot even load a shared library."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, MemoryError):
            return True
        if isinstance(exc, OSError) and exc.errno == _errno.ENOMEM:
            return True
        # any type: onnxruntime, cv2 and C++ extensions each have their own
        if any(w in str(exc).lower() for w in _NO_MEMORY_WORDS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


_DISK_FULL = {_errno.ENOSPC, _errno.EDQUOT, _errno.EFBIG}


def is_disk_full(exc: BaseException | None) -> bool:
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        return True
    return "disk is full" in str(exc).lower() or "no space left" in str(exc).lower()
