"""Pages in `subprocess` children: per-page isolation that a daemon process may use.

A stock Dask worker (``dask worker``, dask-jobqueue, dask-kubernetes, Coiled)
runs its tasks in a daemon process, and a daemon process may not start
`multiprocessing` children, so the local executor's pebble pool cannot run
there. A child started with `subprocess` is an ordinary program, which any
process may start. Each child is long-lived (the OCR model loads once per
child, not per page) and serves one page at a time over its standard input
and output:

* time limit: the parent waits for the answer up to the page timeout, then
  kills the child's whole process group (the child leads one: Tesseract
  programs it started die with it) and starts a fresh child for the next page;
* memory cap: the child caps its own address space (``--max-memory``) before
  it reads a task, so a runaway page fails with MemoryError or dies, alone;
* crash containment: a child that dies mid-page (a segfault, the OOM killer)
  is reported as ``pebble.ProcessExpired`` with its exit code and the last
  line it wrote on stderr, exactly as the local executor reports a dead
  worker, and the next page gets a new child;
* no orphans: the child exits the moment its parent is gone (``procs.watch_batch``).

Frames on the pipes are pickles with an 8-byte length; the child's own
standard output is pointed at its stderr, so what a C library prints cannot
corrupt a frame.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..errors import MagscanError

_LEN = struct.Struct("!Q")


def _write_frame(fd: int, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    """``n`` bytes from ``fd``; None at end of file; TimeoutError past ``deadline``."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, n - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None = None):
    head = _read_exact(fd, _LEN.size, deadline)
    if head is None:
        raise EOFError
    body = _read_exact(fd, _LEN.unpack(head)[0], deadline)
    if body is None:
        raise EOFError
    return pickle.loads(body)


def _shippable(e: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a MagscanError saying what it was."""
    try:
        pickle.loads(pickle.dumps(e))
        return e
    except Exception:  # noqa: BLE001 - any exception may refuse pickling its own way
        return MagscanError(f"{type(e).__name__}: {e}")


class PageChild:
    """One child process serving pages."""

    def __init__(self, max_memory: int | None, tmpdir: str | None):
        from .. import __file__ as pkg_init
        root = str(Path(pkg_init).resolve().parent.parent)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        # A Dask worker's nanny sets OMP_NUM_THREADS=1 (its pre-spawn-environ):
        # the cluster runs pages side by side on its cores, so OpenCV keeps
        # to the same thread count as the other native libraries.
        if "OMP_NUM_THREADS" in env:
            env.setdefault("OPENCV_FOR_THREADS_NUM", env["OMP_NUM_THREADS"])
        # the child imports this very copy of magscan (and whatever the parent
        # could import: plug-in engines named on PYTHONPATH)
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
        if tmpdir:
            env["TMPDIR"] = tmpdir
        cmd = [sys.executable, "-m", "pipeline.batch.pagechild", "--parent", str(os.getpid()),
               "--max-memory", str(max_memory or 0), "--tmpdir", tmpdir or ""]
        self.tmpdir = tmpdir
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, start_new_session=True, close_fds=True)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, task, timeout: float):
        """("ok", PageOutcome) or ("error", what the page raised); raises
        TimeoutError (the child is killed) or ProcessExpired (it died)."""
        try:
            _write_frame(self.proc.stdin.fileno(), task)
            return _read_frame(self.proc.stdout.fileno(), time.monotonic() + timeout)
        except TimeoutError:
            self.kill()
            raise
        except (EOFError, OSError, pickle.UnpicklingError):
            raise self._died() from None

    def _died(self):
        from pebble import ProcessExpired

        from .procs import last_words
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        e = ProcessExpired("Abnormal termination", code=code, pid=self.proc.pid)
        e.last_words = last_words(self.tmpdir, self.proc.pid)
        return e

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass

    def close(self) -> None:
        """Ask the child to stop (end of its input), then make sure it has."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class ChildPool:
    """Children shared by the threads of one process: a task takes an idle
    child (or starts one), and gives it back unless it was killed or died."""

    def __init__(self, max_memory: int | None, tmpdir: str | None):
        self.max_memory, self.tmpdir = max_memory, tmpdir
        self._idle: list[PageChild] = []
        self._all: set[PageChild] = set()
        self._lock = threading.Lock()
        self.closed = False

    def run(self, task, timeout: float):
        with self._lock:
            if self.closed:
                raise MagscanError("the page processes of this worker are shutting down")
            child = self._idle.pop() if self._idle else None
        if child is None or not child.alive:
            if child is not None:
                child.kill()
            child = PageChild(self.max_memory, self.tmpdir)
            with self._lock:
                self._all.add(child)
        ok = False
        try:
            kind, payload = child.run(task, timeout)
            ok = True                   # the child answered: it serves the next page
        finally:
            with self._lock:
                keep = ok and not self.closed and child.alive
                if keep:
                    self._idle.append(child)
                else:
                    self._all.discard(child)
            if not keep:
                child.kill()
        if kind == "ok":
            return payload
        raise payload

    def close(self) -> None:
        with self._lock:
            self.closed = True
            children, self._all, self._idle = list(self._all), set(), []
        for c in children:
            c.close()


def _serve(parent: int, max_memory: int, tmpdir: str) -> None:
    from .procs import quiet_stderr, use_tmpdir, watch_batch
    from .worker import limit_memory, process_page

    proto_in, proto_out = os.dup(0), os.dup(1)
    os.dup2(2, 1)              # stray prints go to stderr, never into a frame
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    quiet_stderr(tmpdir or None)
    watch_batch(parent)        # before the memory cap: starting a thread needs memory
    use_tmpdir(tmpdir or None)
    limit_memory(max_memory or None)
    while True:
        try:
            task = _read_frame(proto_in)
        except EOFError:
            return
        try:
            reply = ("ok", process_page(task))
        except Exception as e:  # noqa: BLE001 - the page's failure, shipped to the parent
            reply = ("error", _shippable(e))
        _write_frame(proto_out, reply)


def main(argv: list[str] | None = None) -> None:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m pipeline.batch.pagechild")
    ap.add_argument("--parent", type=int, required=True)
    ap.add_argument("--max-memory", type=int, default=0)
    ap.add_argument("--tmpdir", default="")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides when a page stops
    _serve(a.parent, a.max_memory, a.tmpdir)


if __name__ == "__main__":
    main()
