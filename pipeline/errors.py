"""Typed errors. Raised where the problem is known; turned into messages and
exit codes only at the command line."""
from __future__ import annotations


class MagscanError(Exception):
    exit_code = 1


class InputError(MagscanError):
    """An input file that cannot be read as a page image or PDF."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):
        # errors cross process boundaries (worker -> batch runner) by pickle
        return (type(self), (self.path, self.reason))


class EngineMissing(MagscanError):
    """The OCR program or its language model is not installed."""
    exit_code = 3


class EngineError(MagscanError):
    """The OCR engine ran but failed on a page or block."""


class EngineTimeout(EngineError):
    """The OCR engine took longer than allowed."""
