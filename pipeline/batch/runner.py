"""Batch runner: inputs -> planned page tasks (manifest) -> worker pool -> files.

One scanned page is one task. The manifest decides what still has to run
(resume), the pool runs tasks in separate processes with a per-page timeout
(a page that hangs, crashes or runs out of memory takes only its own worker
down), and each result is committed to the manifest as it arrives, so a
batch killed at any moment resumes where it stopped.

The steps have their modules: ``outdir`` (the output folder and its lock:
``open_batch`` is the only way to a writable manifest), ``plan`` (what to
run), ``documents`` (the document files); this module runs the tasks,
records each outcome, and holds the two entries, ``run_batch`` and
``rerun_batch``.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Callable

from ..text.plausibility import doubts
from ..outputs.formats.stale import join_formats, split_formats
from ..errors import OUT_OF_MEMORY, InputError, MagscanError, UsageError, is_out_of_memory, one_line, shown
from ..ingest.files import file_hash
from ..logs import current_level, replay
from .documents import page_formats, write_documents
from .manifest import Manifest, OutputLock, Row
from ..options import Options
from .outdir import open_batch
from .plan import RERUN_MARK, plan
from .progress import Progress
from .settings import BatchResult, RunSettings, default_log
from .worker import PageOutcome, PageTask

log_ = logging.getLogger(__name__)

__all__ = ["RunSettings", "BatchResult", "OutputLock", "open_batch", "run_batch", "rerun_batch",
           "UsageError"]

# --- running -------------------------------------------------------------------------------

_CAPPED_DEATHS = {-11: "SIGSEGV", -6: "SIGABRT", -7: "SIGBUS", 1: None}


def _died(exc, max_memory: int | None) -> str:
    code = getattr(exc, "exitcode", None)
    said = getattr(exc, "last_words", "")
    said = f"; its last words: {said}" if said else ""
    if code in (-9, 137):
        return f"worker process died with exit code {code} (killed: {OUT_OF_MEMORY}?){said}"
    if max_memory and code in _CAPPED_DEATHS:
        sig = _CAPPED_DEATHS[code]
        return (f"worker process died with exit code {code}{f' ({sig})' if sig else ''}, most "
                f"likely {OUT_OF_MEMORY} under --max-memory {max_memory >> 20} MB (raise it){said}")
    return f"worker process died with exit code {code}{said}"


def _failure_reason(exc: BaseException, settings: RunSettings) -> tuple[str, str]:
    """(status, one-line reason) for a task that did not return."""
    from concurrent.futures import TimeoutError as FutTimeout

    from ..errors import EngineTimeout
    if isinstance(exc, (FutTimeout, TimeoutError, EngineTimeout)):
        return "timeout", (f"page took longer than {settings.page_timeout:.0f} s "
                           "(--page-timeout) and was stopped")
    if isinstance(exc, InputError):
        return "failed", exc.reason
    if isinstance(exc, MagscanError):
        return "failed", one_line(str(exc))
    try:
        from pebble import ProcessExpired
    except ImportError:  # pragma: no cover - pebble is a dependency
        ProcessExpired = ()  # noqa: N806
    if isinstance(exc, ProcessExpired):
        return "failed", _died(exc, settings.max_memory)
    if is_out_of_memory(exc):
        return "failed", f"{OUT_OF_MEMORY} ({type(exc).__name__}: {one_line(exc)}); raise --max-memory"
    return "failed", one_line(f"internal error: {type(exc).__name__}: {exc}")


def record_outcome(manifest: Manifest, task: PageTask, outcome: PageOutcome | None,
                   exc: BaseException | None, settings: RunSettings) -> tuple[bool, str]:
    row = manifest.get(task.input, task.page_number)
    attempts = (row.attempts if row else 0) + 1
    if outcome is not None:
        manifest.update(task.input, task.page_number, status="done", error=None,
                        attempts=attempts, seconds=outcome.seconds, mean_conf=outcome.mean_conf,
                        n_blocks=outcome.n_blocks, n_columns=outcome.n_columns,
                        engine=outcome.engine, outputs=json.dumps(outcome.outputs),
                        timings=json.dumps(outcome.timings), peak_mb=outcome.peak_mb,
                        flags=json.dumps(outcome.flags, ensure_ascii=False),
                        flagged=int(bool(doubts(outcome.flags))),
                        formats=join_formats(set(outcome.formats) | _doc_level(row, task)),
                        orientation=outcome.orientation, lang=outcome.lang or None)
        return True, ""
    status, reason = _failure_reason(exc, settings)
    manifest.update(task.input, task.page_number, status=status, error=reason, attempts=attempts,
                    flags=None, flagged=0)
    return False, reason


def _doc_level(row: Row | None, task: PageTask) -> set[str]:
    """The document files the page was in before this run (its PDF): kept in
    the record, so that they are rewritten with the page's new text."""
    if row is None:
        return set()
    if row.formats is not None:
        return set(split_formats(row.formats)) & {"pdf", "pdfa"}
    return {"pdf"} if (Path(task.out_dir) / f"{task.doc}.pdf").is_file() else set()


def execute(tasks: list[PageTask], manifest: Manifest, settings: RunSettings,
            result: BatchResult, log) -> None:
    """Run the tasks on the chosen executor, committing each result as it comes."""
    from .executors import make_executor

    if not tasks:
        return
    progress = Progress(len(tasks), enabled=settings.progress)

    def started(task: PageTask) -> None:
        manifest.update(task.input, task.page_number, status="running")
        log_.debug("%s:%s: started (%s page %s)", task.doc, task.page_number, shown(task.input),
                   task.page_number)

    try:
        with make_executor(settings) as ex:
            for task, outcome, exc in ex.run(tasks, on_start=started):
                ok, reason = record_outcome(manifest, task, outcome, exc, settings)
                label = f"{shown(task.input)} page {task.page_number}"
                if ok:
                    replay(outcome.log, f"{task.doc}:{task.page_number}")
                    log_.info("%s:%s: done in %.1f s: %s, %d column(s), %d block(s), mean "
                              "confidence %.0f%s", task.doc, task.page_number, outcome.seconds,
                              outcome.engine, outcome.n_columns, outcome.n_blocks,
                              outcome.mean_conf, "; flagged" if doubts(outcome.flags) else "")
                    result.done += 1
                    if doubts(outcome.flags):
                        result.flagged.append(f"{task.doc}:{task.page_number}: "
                                              + "; ".join(doubts(outcome.flags)))
                else:
                    result.failed += 1
                    result.errors.append(f"{label}: {reason}")
                    progress.write(f"magscan: error: {label}: {reason}")
                progress.update(ok)
    finally:
        progress.close()


def _convert(inputs, out_dir: Path, options: Options, manifest: Manifest,
             settings: RunSettings, log) -> BatchResult:
    result = BatchResult()
    tasks = plan(inputs, out_dir, options, manifest, settings, result, log)
    if result.skipped:
        log(f"magscan: {result.skipped} page(s) already done with these options; skipped")
    execute(tasks, manifest, settings, result, log)
    # documents whose text file a killed run never got to write, too
    docs = {t.doc for t in tasks} | {r.doc for r in manifest.rows()
                                     if r.page_number and not (out_dir / f"{r.doc}.txt").is_file()}
    result.documents = write_documents(out_dir, manifest, docs, settings.formats, settings.pdfa,
                                       result, log)
    return result


def run_batch(inputs, out_dir: Path, options: Options, settings: RunSettings | None = None,
              log=None) -> BatchResult:
    settings = settings or RunSettings()
    log = log or default_log
    out_dir = Path(out_dir)
    with open_batch(out_dir) as manifest:
        return _convert(inputs, out_dir, options, manifest, settings, log)


# --- rerun ---------------------------------------------------------------------------------

def options_of(row: Row) -> Options:
    d = {k: v for k, v in row.options_dict.items() if not k.startswith("_")}
    return Options.from_dict(d)


def _rerun_options(rows: list[Row], changes: dict) -> list[tuple[Row, Options]]:
    out = []
    for r in rows:
        try:
            out.append((r, options_of(r).with_(**changes)))
        except (TypeError, ValueError) as e:
            raise UsageError(str(e)) from e
    return out


def _rerun_task(manifest: Manifest, r: Row, options: Options, changes: dict, out_dir: Path,
                settings: RunSettings, result: BatchResult, log) -> PageTask | None:
    try:
        digest = file_hash(r.input)
    except InputError as e:
        manifest.update(r.input, r.page_number, status="failed", error=e.reason,
                        attempts=r.attempts + 1, flags=None, flagged=0)
        result.failed += 1
        result.errors.append(f"{shown(r.input)}: {e.reason}")
        log(f"magscan: error: {shown(r.input)}: {e.reason}")
        return None
    keep = changes or r.options_dict.get(RERUN_MARK)
    recorded = options.to_dict() | ({RERUN_MARK: True} if keep else {})
    manifest.update(r.input, r.page_number, status="pending", input_hash=digest,
                    fingerprint=options.fingerprint(), options=json.dumps(recorded))
    return PageTask(r.input, r.doc, r.page_number, digest, options.to_dict(), str(out_dir),
                    settings.overlays, page_formats(r, settings, out_dir), log_level=current_level())


def rerun_batch(out_dir: Path, select: Callable[[Manifest], list[Row]], changes: dict,
                settings: RunSettings, check: Callable[[Options], None] | None = None,
                log=None) -> BatchResult | None:
    """Re-run the rows `select` picks, under the output lock from the first
    read to the last write. None when nothing matches."""
    log = log or default_log
    out_dir = Path(out_dir)
    with open_batch(out_dir) as manifest:
        chosen = _rerun_options(select(manifest), changes)
        if not chosen:
            return None
        if check is not None and settings.executor == "local":
            check(chosen[0][1])
        log(f"magscan: re-running {len(chosen)} page(s)")
        result, tasks = BatchResult(), []
        for r, options in chosen:
            if r.page_number:
                task = _rerun_task(manifest, r, options, changes, out_dir, settings, result, log)
                tasks += [task] if task else []
        execute(tasks, manifest, settings, result, log)
        result.documents = write_documents(out_dir, manifest, {t.doc for t in tasks},
                                           settings.formats, settings.pdfa, result, log)
        for r, options in chosen:
            if not r.page_number:  # the file itself failed to open: plan it afresh
                result.add(_convert([r.input], out_dir, options, manifest, settings, log))
    return result
