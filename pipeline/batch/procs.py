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

Everything the batch process, its workers and their children put in the
temporary folder lands in the batch's own folder, `magscan-batch-<pid>-XXXX`,
removed when the batch process ends; one left by a killed batch is removed
by the next batch, once the lock its owner held is free.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

PREFIX = "magscan-batch-"
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


def stderr_log(tmpdir: str, pid: int) -> str:
    return os.path.join(tmpdir, f"worker-{pid}.stderr")


def quiet_stderr(tmpdir: str | None) -> None:
    """What C libraries print in a worker (OpenBLAS, Tesseract, a dying
    interpreter) goes to a file in the batch's temporary folder, not into the
    batch's one-line messages; `last_words` quotes it when the worker dies.
    MAGSCAN_DEBUG keeps it on the terminal."""
    if not tmpdir or os.environ.get("MAGSCAN_DEBUG"):
        return
    try:
        fd = os.open(stderr_log(tmpdir, os.getpid()), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return
    os.dup2(fd, 2)
    os.close(fd)


def last_words(tmpdir: str | None, pid: int | None, limit: int = 200) -> str:
    """The last line a worker wrote to its stderr, if any."""
    if not tmpdir or not pid:
        return ""
    try:
        with open(stderr_log(tmpdir, pid), "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            lines = [ln.strip() for ln in f.read().decode("utf-8", "replace").splitlines()]
    except OSError:
        return ""
    from ..errors import one_line
    said = next((ln for ln in reversed(lines) if ln), "")
    return one_line(said)[:limit]


class BatchTemp:
    """A temporary folder held by a lock, so that another batch can tell a live
    one from one whose batch was killed."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.path: str | None = None
        self._lock = None

    def __enter__(self) -> "BatchTemp":
        remove_stale(self.root)
        self.path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=self.root)
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


_PROCESS_TEMP: BatchTemp | None = None
_MP_NOTE = "multiprocessing-folder"


def process_temp() -> str:
    """This batch process's temporary folder, made on first use and removed
    when the process exits; it lives as long as the process, not one pool, as
    the forkserver does. Workers' TMPDIR and stderr logs go there. The folder
    multiprocessing makes for the forkserver's socket must stay short (a
    socket's path has a limit), so it stays where multiprocessing puts it, and
    ours notes its name: a batch killed with SIGKILL leaves both, and the next
    batch removes both."""
    global _PROCESS_TEMP
    if _PROCESS_TEMP is None:
        from multiprocessing.util import Finalize, get_temp_dir
        t = BatchTemp(tempfile.gettempdir()).__enter__()
        (Path(t.path) / _MP_NOTE).write_text(get_temp_dir())
        # after multiprocessing's own clean-up (exit priority -100)
        Finalize(None, t.__exit__, args=(None, None, None), exitpriority=-200)
        _PROCESS_TEMP = t
    return _PROCESS_TEMP.path


def _remove_noted_mp_folder(d: Path) -> None:
    try:
        noted = Path((d / _MP_NOTE).read_text().strip())
    except OSError:
        return
    if noted.name.startswith("pymp-") and noted.parent == d.parent:
        shutil.rmtree(noted, ignore_errors=True)


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


def remove_stale(root: str) -> int:
    """Remove batch temporary folders in `root` whose batch is gone (their lock is free)."""
    n = 0
    root = Path(root)
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
            _remove_noted_mp_folder(d)
            shutil.rmtree(d, ignore_errors=True)
            n += 1
        finally:
            lock.close()
    return n


def _die_with_parent() -> None:
    """Linux: killed when the process that forked this one (the forkserver)
    dies; the batch itself is watched by watch_batch."""
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def opencv_threads(jobs: int) -> int:
    """OpenCV threads for each of `jobs` page processes: the machine's cores
    shared out. One page alone may use the idle cores (its layout runs 1.35x
    faster on two); pages side by side would only fight over them (the
    same pages took 9% longer each at --jobs 2 on two cores)."""
    import os
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, jobs))


def limit_opencv_threads(n: int) -> None:
    import os
    import sys
    os.environ["OPENCV_FOR_THREADS_NUM"] = str(n)   # read when cv2 loads
    if "cv2" in sys.modules:
        sys.modules["cv2"].setNumThreads(n)


def init_local_worker(max_memory: int | None, batch_pid: int | None = None,
                       tmpdir: str | None = None, cv_threads: int | None = None) -> None:
    """Set-up of a page process of the local pool."""
    import os

    from .worker import limit_memory
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if cv_threads:
        limit_opencv_threads(cv_threads)
    quiet_stderr(tmpdir)
    own_process_group()
    _die_with_parent()
    if batch_pid:
        watch_batch(batch_pid)  # before the memory cap: starting a thread needs memory
    use_tmpdir(tmpdir)
    limit_memory(max_memory)
