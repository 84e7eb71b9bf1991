"""Fake OCR engines for fault injection in batch tests (plug-in engines:
`--engine magscan_fakes:FakeEngine`, with tests/ on PYTHONPATH).

They are fast and deterministic; what they do wrong is switched on by a
marker file named in MAGSCAN_FAKE_MARKER, so a test can make a batch fail
and then, with the marker gone, let `rerun --failed` succeed.
"""
import os
import signal
import time
from pathlib import Path

from pipeline.errors import EngineError
from pipeline.model import BBox, Line, Word


def _armed() -> bool:
    m = os.environ.get("MAGSCAN_FAKE_MARKER")
    return bool(m) and Path(m).exists()


class FakeEngine:
    """Recognises every block as one line of fixed text, after a short nap so
    that a batch takes long enough to be killed part-way."""
    name = "fake"

    def __init__(self, options):
        self.delay = float(os.environ.get("MAGSCAN_FAKE_DELAY", "0"))

    def check(self):
        pass

    def misbehave(self):
        pass

    def recognize(self, crop, kind, n_lines):
        if _armed():
            self.misbehave()
        if self.delay:
            time.sleep(self.delay)
        h, w = crop.shape
        box = BBox(0, 0, w, h)
        return [Line(box, "假字", 90.0, [Word(box, "假字", 90.0)])]


class FailEngine(FakeEngine):
    def misbehave(self):
        raise EngineError("injected failure")


class HangEngine(FakeEngine):
    def misbehave(self):
        time.sleep(3600)


class CrashEngine(FakeEngine):
    def misbehave(self):
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would


class HogEngine(FakeEngine):
    def misbehave(self):
        self.hoard = bytearray(64 << 30)  # far beyond any --max-memory
