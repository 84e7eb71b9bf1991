"""Pages as tasks on a Dask cluster (`--executor dask --scheduler tcp://HOST:PORT`).

Only the client (the `magscan` process) touches the manifest; workers read
inputs and write outputs on storage every machine can reach, as local
workers do. Inside each Dask worker, pages run in a small pebble process
pool, so the per-page timeout can stop a hung page (a Dask task running in
a thread cannot be killed) and the Tesseract model stays loaded between
pages. A Dask worker that dies mid-task has its pages rescheduled by the
scheduler on another worker, up to `distributed.scheduler.allowed-failures`
times; past that the page is recorded as failed.

Workers must be started with daemon processes off so that they may have
children of their own:
    DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker tcp://HOST:8786 --nthreads 1
"""
from __future__ import annotations

import threading
from typing import Iterator

from ..errors import EngineMissing, MagscanError, extra_install_hint
from .worker import PageOutcome, PageTask

_POOL = None
_POOL_LOCK = threading.Lock()


def _pool(size: int, max_memory: int | None):
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or not _POOL.active:
            import multiprocessing

            from pebble import ProcessPool

            import os

            from .procs import init_local_worker, process_temp
            # page processes die with this Dask worker, not only with its
            # forkserver; their temporary files (and the forkserver's) go with it
            _POOL = ProcessPool(max_workers=size, initializer=init_local_worker,
                                initargs=(max_memory, os.getpid(), process_temp()),
                                context=multiprocessing.get_context("forkserver"))
        return _POOL


def run_on_dask_worker(task: PageTask, page_timeout: float, max_memory: int | None):
    """The Dask task: returns ("ok", outcome dict) or ("error", exception).
    Page failures are results, not Dask errors, so Dask never retries them;
    only a dead worker makes Dask run the task again."""
    from distributed import get_worker

    from .worker import process_page
    size = max(1, get_worker().state.nthreads)
    fut = _pool(size, max_memory).schedule(process_page, args=(task,), timeout=page_timeout)
    try:
        return ("ok", fut.result().to_dict())
    except Exception as e:  # noqa: BLE001 - shipped back and recorded by the client
        try:
            import pickle
            pickle.dumps(e)
        except Exception:  # noqa: BLE001
            e = MagscanError(f"{type(e).__name__}: {e}")
        return ("error", e)


def _stop_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.stop()
            _POOL.join(timeout=5)
            _POOL = None


def _pool_closer():
    """A worker plugin that stops the page processes when the Dask worker closes
    (otherwise the nanny waits for them, then kills the worker)."""
    from distributed import WorkerPlugin

    class PoolCloser(WorkerPlugin):
        name = "magscan-pool-closer"

        def teardown(self, worker) -> None:
            _stop_pool()

    return PoolCloser()


def _daemonic() -> bool:
    import multiprocessing
    return bool(multiprocessing.current_process().daemon)


class DaskExecutor:
    def __init__(self, settings):
        self.settings = settings
        self.client = None

    def __enter__(self) -> "DaskExecutor":
        try:
            from distributed import Client
        except ImportError as e:
            raise EngineMissing(f"--executor dask needs Dask (magscan's dask extra); "
                                f"{extra_install_hint('dask')}") from e
        try:
            self.client = Client(self.settings.scheduler, timeout="10s")
        except (OSError, TimeoutError) as e:
            # nothing can run: like an engine that does not answer (exit 3)
            raise EngineMissing(f"cannot reach the Dask scheduler at {self.settings.scheduler} "
                                f"({e})") from e
        daemonic = [w for w, d in self.client.run(_daemonic).items() if d]
        if daemonic:
            self.client.close()
            raise EngineMissing(
                f"Dask worker {daemonic[0]} runs as a daemon process and cannot start page "
                "processes; start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False")
        self.client.register_plugin(_pool_closer())
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.client is not None:
            self.client.close()

    def run(self, tasks: list[PageTask], on_start=None) -> Iterator[
            tuple[PageTask, PageOutcome | None, BaseException | None]]:
        from distributed import as_completed

        s = self.settings
        futs = {}
        for t in tasks:
            if on_start is not None:   # on Dask: handed to the scheduler
                on_start(t)
            # pure=False: a page re-run after `rerun` must really run again
            f = self.client.submit(run_on_dask_worker, t, s.page_timeout, s.max_memory,
                                   pure=False, key=f"magscan-{t.doc}-{t.page_number}-{id(t)}")
            futs[f] = t
        for fut in as_completed(futs):
            task = futs[fut]
            try:
                kind, payload = fut.result()
            except Exception as e:  # noqa: BLE001 - e.g. KilledWorker after repeated deaths
                yield task, None, MagscanError(
                    f"Dask could not run this page ({type(e).__name__}: {e})".splitlines()[0])
                continue
            if kind == "ok":
                yield task, PageOutcome(**payload), None
            else:
                yield task, None, payload
