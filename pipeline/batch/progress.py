"""Progress for long batches: a tqdm bar on a terminal, plain periodic lines
otherwise (CI logs, nohup, cron), so that a log shows the batch is alive."""
from __future__ import annotations

import os
import sys
import time

_ACTIVE: "Progress | None" = None   # the bar on screen now, if any


def write_line(msg: str) -> None:
    """One line on stderr that does not break the progress bar on screen."""
    if _ACTIVE is not None and _ACTIVE._bar is not None:
        _ACTIVE.write(msg)
    else:
        print(msg, file=sys.stderr, flush=True)


class Progress:
    def __init__(self, total: int, stream=None, interval: float = 10.0, enabled: bool = True,
                 force_plain: bool = False):
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.interval = interval
        self.enabled = enabled and total > 0
        self.t0 = time.monotonic()
        self._last = self.t0
        self._bar = None
        if self.enabled and not force_plain and _terminal_width(self.stream) > 0:
            from tqdm import tqdm
            self._bar = tqdm(total=total, unit="page", file=self.stream, dynamic_ncols=True,
                             smoothing=0.1, postfix={"failed": 0})
            global _ACTIVE
            _ACTIVE = self

    def rate(self) -> float:
        elapsed = time.monotonic() - self.t0
        return (self.done + self.failed) / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        n = self.done + self.failed
        rate = self.rate()
        left = (self.total - n) / rate if rate > 0 else float("nan")
        eta = f"~{_duration(left)} left" if rate > 0 and n < self.total else ""
        return (f"magscan: {n}/{self.total} pages ({self.failed} failed), "
                f"{rate * 60:.1f} pages/min {eta}").rstrip()

    def update(self, ok: bool) -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix(failed=self.failed, refresh=False)
            self._bar.update(1)
            return
        now = time.monotonic()
        if now - self._last >= self.interval or self.done + self.failed == self.total:
            self._last = now
            print(self.line(), file=self.stream, flush=True)

    def write(self, msg: str) -> None:
        """A message that does not break the bar."""
        if self._bar is not None:
            self._bar.write(msg, file=self.stream)
        else:
            print(msg, file=self.stream, flush=True)

    def close(self) -> None:
        global _ACTIVE
        if _ACTIVE is self:
            _ACTIVE = None
        if self._bar is not None:
            self._bar.close()


def _duration(s: float) -> str:
    s = int(round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _terminal_width(stream) -> int:
    """Columns of the terminal `stream` writes to; 0 when it is not a terminal,
    or a terminal that reports no size (where a bar would draw as blank lines)."""
    try:
        if not stream.isatty():
            return 0
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0
