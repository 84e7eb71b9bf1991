"""Typed errors. Raised where the problem is known; turned into messages and
exit codes only at the command line.

Exit codes (README, "exit codes"): 0 every page done; 1 some input or page
failed; 2 usage error; 3 OCR engine missing; 4 the output folder is in use by
another run; 5 the output folder cannot be written; 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import errno as _errno

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ENGINE, EXIT_BUSY, EXIT_OUTPUT = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C

OUT_OF_MEMORY = "out of memory"


def one_line(text: str) -> str:
    """Text for a one-line message: control characters (a newline in a file
    name, a multi-line library error) shown escaped instead of breaking the line."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in str(text))


def shown(path) -> str:
    """A path as it appears in messages: always on one line."""
    return one_line(str(path))


class MagscanError(Exception):
    exit_code = 1


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
    exit_code = EXIT_USAGE


class OutputBusy(MagscanError):
    """Another magscan run holds the output folder; trying again later works."""
    exit_code = EXIT_BUSY


class OutputError(MagscanError):
    """The output folder cannot be created or written (a file, no permission, disk full)."""
    exit_code = EXIT_OUTPUT


class EngineMissing(MagscanError):
    """The OCR program or its language model is not installed."""
    exit_code = 3


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
