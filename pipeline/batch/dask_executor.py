"""Pages as tasks on a Dask cluster (`--executor dask --scheduler tcp://HOST:PORT`).

Only the client (the `magscan` process) touches the manifest; workers read
inputs and write outputs on storage every machine can reach, as local
workers do. Inside each Dask worker, pages run in `subprocess` children
(``pagechild``), so the per-page timeout can stop a hung page (a Dask task
running in a thread cannot be killed), the memory cap and a crash stay with
the page, and the OCR model stays loaded between pages. A child started by
`subprocess` is no `multiprocessing` child, so this works inside any stock
Dask worker, whose tasks run in daemon processes. A Dask worker that dies
mid-task has its pages rescheduled by the scheduler on another worker, up
to `distributed.scheduler.allowed-failures` times; past that the page is
recorded as failed.
"""
from __future__ import annotations

import threading
from typing import Iterator

from ..errors import EngineMissing, MagscanError, extra_install_hint
from .worker import PageOutcome, PageTask

_POOL = None
_POOL_LOCK = threading.Lock()


def _pool(max_memory: int | None):
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.closed or _POOL.max_memory != max_memory:
            from .pagechild import ChildPool
            from .procs import process_temp
            if _POOL is not None:
                _POOL.close()
            # the children's temporary files (and Tesseract's) go to a folder
            # of this Dask worker's own, removed when it exits
            _POOL = ChildPool(max_memory, process_temp())
        return _POOL


def run_on_dask_worker(task: PageTask, page_timeout: float, max_memory: int | None):
    """The Dask task: returns ("ok", outcome dict) or ("error", exception).
    Page failures are results, not Dask errors, so Dask never retries them;
    only a dead worker makes Dask run the task again."""
    from .pagechild import _shippable
    try:
        return ("ok", _pool(max_memory).run(task, page_timeout).to_dict())
    except Exception as e:  # noqa: BLE001 - shipped back and recorded by the client
        return ("error", _shippable(e))


def _stop_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.close()
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
        self.client.register_plugin(_pool_closer())
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.client is not None:
            self.client.close()

    def run(self, tasks: list[PageTask], on_start=None) -> Iterator[
            tuple[PageTask, PageOutcome | None, BaseException | None]]:
        from distributed import as_completed

        # As many pages are handed to the cluster as it has worker threads,
        # and the next when one finishes: the scheduler otherwise gives each
        # one-thread worker a second page at once (worker-saturation 1.1) and
        # steals it back only sometimes, so a batch ended with one worker on
        # its third page while the other idled (two workers were 1.35x one).
        # Handing pages out here also keeps the longest-first order of the
        # plan, and a worker added mid-batch is used from the next page.
        pending = iter(tasks)
        futs = {}
        done = as_completed()

        def submit_one() -> bool:
            t = next(pending, None)
            if t is None:
                return False
            if on_start is not None:   # on Dask: handed to the scheduler
                on_start(t)
            # pure=False: a page re-run after `rerun` must really run again
            f = self.client.submit(run_on_dask_worker, t, self.settings.page_timeout,
                                   self.settings.max_memory, pure=False,
                                   key=f"magscan-{t.doc}-{t.page_number}-{id(t)}")
            futs[f] = t
            done.add(f)
            return True

        for _ in range(self._slots()):
            if not submit_one():
                break
        for fut in done:
            task = futs.pop(fut)
            yield self._outcome(task, fut)
            while len(futs) < self._slots() and submit_one():
                pass

    def _slots(self) -> int:
        """Worker threads in the cluster now (at least one: a cluster still
        starting its workers gets one page, which waits for them)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except (OSError, TimeoutError):
            return 1

    @staticmethod
    def _outcome(task: PageTask, fut) -> tuple[PageTask, PageOutcome | None, BaseException | None]:
        try:
            kind, payload = fut.result()
        except Exception as e:  # noqa: BLE001 - e.g. KilledWorker after repeated deaths
            return task, None, MagscanError(
                f"Dask could not run this page ({type(e).__name__}: {e})".splitlines()[0])
        if kind == "ok":
            return task, PageOutcome(**payload), None
        return task, None, payload
