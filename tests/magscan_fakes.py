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
        # one line of fixed text per line of the block, about as many
        # characters as fit: a page gives back about as much text as it holds
        # (plausibility.text_missed compares it with a real read of a crop)
        n = max(1, n_lines)
        lh = max(1, h // n)
        text = "假字" * max(1, w // lh)
        return [Line(BBox(0, i * lh, w, (i + 1) * lh), text, 90.0, [Word(BBox(0, i * lh, w, (i + 1) * lh), text, 90.0)])
                for i in range(n)]


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


def _note_pid():
    """Leave this worker's pid in MAGSCAN_FAKE_PIDS (a folder), so a test can
    check that every process a batch started is gone."""
    d = os.environ.get("MAGSCAN_FAKE_PIDS")
    if d:
        Path(d, str(os.getpid())).touch()


class PidEngine(FakeEngine):
    """FakeEngine that leaves each worker's pid behind as it recognises."""

    def recognize(self, crop, kind, n_lines):
        _note_pid()
        return super().recognize(crop, kind, n_lines)


class _LayoutPatch(FakeEngine):
    """Changes what layout analysis does, inside the worker, while armed (the
    engine is made before the page's layout runs)."""

    def __init__(self, options):
        super().__init__(options)
        import pipeline.convert as conv
        real = conv.analyse_layout
        if getattr(real, "_fake", False):
            return
        misbehave = self.layout_misbehave

        def analyse_layout(pimg, opts, *args):
            if _armed():
                misbehave()
            return real(pimg, opts, *args)
        analyse_layout._fake = True
        conv.analyse_layout = analyse_layout

    def layout_misbehave(self):
        pass


class LayoutHogEngine(_LayoutPatch):
    """Runs out of memory inside layout analysis, for real, under --max-memory."""

    def layout_misbehave(self):
        self.hoard = bytearray(64 << 30)


class LayoutFailEngine(_LayoutPatch):
    """Layout analysis raises: the page falls back to a plain layout."""

    def layout_misbehave(self):
        raise ValueError("injected layout failure")


class DiskFillEngine(FakeEngine):
    """Fills the disk holding MAGSCAN_FAKE_FILL (a file path) until no more than
    MAGSCAN_FAKE_LEAVE_KB are free, as another program might, then reads on."""

    def misbehave(self):
        path = os.environ["MAGSCAN_FAKE_FILL"]
        leave = int(os.environ.get("MAGSCAN_FAKE_LEAVE_KB", "0")) << 10
        with open(path, "ab") as f:
            while True:
                st = os.statvfs(path)
                free = st.f_bavail * st.f_frsize
                if free <= leave:
                    break
                try:
                    f.write(b"\0" * min(1 << 16, max(4096, free - leave)))
                    f.flush()
                except OSError:
                    break
