"""Where page tasks run. An executor takes PageTasks and yields
(task, outcome, exception) as each finishes, in completion order.

`local` is a pool of worker processes on this machine (pebble: it kills a
worker whose task passes its timeout and replaces a worker that died, which
the standard library's pool cannot do).
"""
from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, wait
from typing import Iterator

from .procs import init_local_worker
from .worker import PageOutcome, PageTask, process_page


class LocalExecutor:
    def __init__(self, jobs: int, page_timeout: float, max_memory: int | None):
        self.jobs = max(1, jobs)
        self.page_timeout = page_timeout
        self.max_memory = max_memory
        self.pool = None
        self.temp = None

    def __enter__(self) -> "LocalExecutor":
        import multiprocessing
        import os

        from pebble import ProcessPool

        from .procs import opencv_threads, process_temp
        self.temp = process_temp()
        # forkserver: workers start clean (no inherited sqlite handle, no
        # threads from the parent), and starting one is cheap after the first.
        ctx = multiprocessing.get_context("forkserver")
        self.pool = ProcessPool(max_workers=self.jobs, initializer=init_local_worker,
                                initargs=(self.max_memory, os.getpid(), self.temp,
                                          opencv_threads(self.jobs)),
                                context=ctx)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.pool.stop()  # Ctrl-C or a crash in the parent: do not wait for the rest
        else:
            self.pool.close()
        self.pool.join()

    def run(self, tasks: list[PageTask], on_start=None) -> Iterator[
            tuple[PageTask, PageOutcome | None, BaseException | None]]:
        # No task is queued ahead of the workers: memory stays flat, Ctrl-C is
        # prompt on batches of many thousand pages, and a page handed over is
        # a page a worker is on (`on_start`: `magscan status` shows it running).
        pending = iter(tasks)
        running = {}

        def submit_one() -> bool:
            task = next(pending, None)
            if task is None:
                return False
            if on_start is not None:
                on_start(task)
            fut = self.pool.schedule(process_page, args=(task,), timeout=self.page_timeout)
            running[fut] = task
            return True

        for _ in range(self.jobs):
            if not submit_one():
                break
        while running:
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in done:
                task = running.pop(fut)
                try:
                    yield task, fut.result(), None
                except BaseException as e:  # noqa: BLE001 - every failure is recorded
                    if isinstance(e, (KeyboardInterrupt, SystemExit)):
                        raise
                    if hasattr(e, "exitcode"):  # pebble's ProcessExpired: what did it say?
                        from .procs import last_words
                        e.last_words = last_words(self.temp, getattr(e, "pid", None))
                    yield task, None, e
                submit_one()


def make_executor(settings):
    if settings.executor == "local":
        return LocalExecutor(settings.jobs, settings.page_timeout, settings.max_memory)
    if settings.executor == "dask":
        from .dask_executor import DaskExecutor
        return DaskExecutor(settings)
    raise ValueError(f"unknown executor {settings.executor!r}; use local or dask")
