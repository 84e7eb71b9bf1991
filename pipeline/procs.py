"""Worker processes that live and die with their batch, and a temporary
folder that goes with them.

A page's worker is started by the forkserver, not by the batch, so "die with
the parent" alone would tie it to the forkserver. Each worker instead watches
the process that made its pool and exits the moment it is gone (SIGKILL,
OOM killer, a crash): nothing keeps writing page files into an output folder
whose lock is already free. Each worker leads its own process group, so a
Ctrl-C at the terminal reaches only the batch, which stops its workers
itself; the Tesseract programs a worker starts are killed with it
(tesseract.run_tesseract).

Everything workers and their children put in the temporary folder
(TMPDIR) lands in the batch's own folder, `magscan-<pid>-XXXX`, removed when
the batch ends; one left by a killed batch is removed by the next batch,
once the lock its owner held is free.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

PREFIX = "magscan-"
_LOCK = ".owner"


def _exit_when_gone(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(70)
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        import select
        select.select([fd], [], [])  # readable once the process has exited
    else:  # no pidfd (old kernel): poll
        import time
        while _alive(pid):
            time.sleep(0.5)
    os._exit(70)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_batch(pid: int) -> None:
    """Exit this process as soon as process `pid` (the batch) is gone."""
    threading.Thread(target=_exit_when_gone, args=(pid,), name="magscan-watch",
                     daemon=True).start()


def own_process_group() -> None:
    try:
        os.setpgid(0, 0)
    except OSError:
        pass  # already a group or session leader


def use_tmpdir(path: str | None) -> None:
    if path and os.path.isdir(path):
        os.environ["TMPDIR"] = path
        tempfile.tempdir = path


class BatchTemp:
    """The batch's temporary folder; held by a lock so that another batch can
    tell a live one from one whose batch was killed."""

    def __init__(self) -> None:
        self.path: str | None = None
        self._lock = None

    def __enter__(self) -> "BatchTemp":
        remove_stale()
        self.path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        # locked before it has its name, so no other batch ever sees it unlocked
        lock = Path(self.path) / f"{_LOCK}.new"
        self._lock = _try_lock(lock, create=True)
        os.replace(lock, Path(self.path) / _LOCK)
        return self

    def __exit__(self, *exc) -> None:
        if self.path:
            shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()


def _try_lock(path: Path, create: bool = False):
    import fcntl
    try:
        f = open(path, "a" if create else "r")
    except OSError:
        return None
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    return f


def remove_stale() -> int:
    """Remove batch temporary folders whose batch is gone (their lock is free)."""
    n = 0
    root = Path(tempfile.gettempdir())
    try:
        candidates = [p for p in root.iterdir() if p.name.startswith(PREFIX) and p.is_dir()]
    except OSError:
        return 0
    for d in candidates:
        if not (d / _LOCK).is_file():
            continue  # not a batch folder (or one still being made)
        lock = _try_lock(d / _LOCK)
        if lock is None:
            continue  # its batch still runs
        try:
            shutil.rmtree(d, ignore_errors=True)
            n += 1
        finally:
            lock.close()
    return n
