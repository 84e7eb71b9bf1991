"""Batch runner: inputs -> planned page tasks (manifest) -> worker pool -> files.

One scanned page is one task. The manifest decides what still has to run
(resume), the pool runs tasks in separate processes with a per-page timeout
(a page that hangs, crashes or runs out of memory takes only its own worker
down), and each result is committed to the manifest as it arrives, so a
batch killed at any moment resumes where it stopped.

`open_batch` is the only way to a writable manifest: it takes the output
folder's lock first, and turns what the output folder does wrong (a file in
its place, no permission, a full disk) into one-line errors.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..text.plausibility import doubts
from ..outputs.formats.stale import join_formats, page_formats_on_disk, split_formats
from ..errors import (OUT_OF_MEMORY, InputError, MagscanError, OutputError, UsageError,
                     is_disk_full, is_out_of_memory, one_line, shown)
from ..ingest.files import count_pages, file_hash, find_inputs
from ..logs import current_level, replay
from .manifest import Manifest, OutputLock, Row
from ..options import Options
from ..outputs.names import unique_stems
from .progress import Progress
from .worker import PageOutcome, PageTask

log_ = logging.getLogger(__name__)

__all__ = ["RunSettings", "BatchResult", "OutputLock", "open_batch", "run_batch", "rerun_batch",
           "UsageError"]

RERUN_MARK = "_rerun"  # in a row's recorded options: chosen per page, kept by convert


@dataclass
class RunSettings:
    jobs: int = 1
    page_timeout: float = 180.0
    max_memory: int | None = 4 << 30   # bytes of address space per worker
    max_attempts: int = 3              # convert stops retrying a page after this many
    overlays: bool = True
    # extra formats (page, alto, hocr, md, pdf); for `rerun`, None: the ones
    # each page has (the manifest's formats column)
    formats: tuple | None = ()
    pdfa: bool = False                 # the document PDF as PDF/A-2b
    progress: bool = True
    executor: str = "local"            # or "dask"
    scheduler: str | None = None       # dask scheduler address


@dataclass
class BatchResult:
    done: int = 0
    failed: int = 0
    skipped: int = 0                    # already done with the same input and options
    given_up: int = 0                   # failed max_attempts times; `rerun --failed` retries
    errors: list[str] = field(default_factory=list)   # "file[:page]: reason"
    flagged: list[str] = field(default_factory=list)  # "doc:page: doubt flags" of this run
    documents: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.given_up == 0

    def add(self, other: "BatchResult") -> None:
        self.done += other.done
        self.failed += other.failed
        self.skipped += other.skipped
        self.given_up += other.given_up
        self.errors += other.errors
        self.flagged += other.flagged


def _abs(p: Path) -> str:
    return os.path.abspath(p)


def _default_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- the output folder ---------------------------------------------------------------------

def prepare_out_dir(out_dir: Path) -> Path:
    """OUT, created if need be, or OutputError saying in one line why it cannot be."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{shown(out_dir)}: is a file, not a folder; give -o a folder") from None
    except NotADirectoryError:
        raise OutputError(f"{shown(out_dir)}: cannot be made: part of its path is a file") from None
    except OSError as e:
        raise OutputError(f"{shown(out_dir)}: cannot be made ({e.strerror})") from None
    if not out_dir.is_dir():
        raise OutputError(f"{shown(out_dir)}: is a file, not a folder; give -o a folder")
    return out_dir


def _nearly_full(folder: Path) -> bool:
    """SQLite reports a full disk as "disk I/O error" as often as "database or
    disk is full": the file system says which."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < (1 << 20)


def _output_reason(e: BaseException, out_dir: Path) -> str:
    if is_disk_full(e) or _nearly_full(out_dir):
        return "disk full (free some space, then run the same command again to resume)"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, OSError) and e.strerror:
        return one_line(e.strerror)
    return one_line(f"{type(e).__name__}: {e}")


@contextmanager
def output_errors(out_dir: Path) -> Iterator[None]:
    """What writing OUT raises (the manifest, a document's text) as one line.
    Page failures never get here: they are recorded, not raised."""
    try:
        yield
    except (sqlite3.Error, OSError) as e:
        raise OutputError(f"{shown(out_dir)}: cannot write the results: "
                          f"{_output_reason(e, out_dir)}") from e


def _temp_folders(out_dir: Path, manifest: Manifest) -> list[Path]:
    docs = {r[0] for r in manifest.db.execute("SELECT DISTINCT doc FROM pages")}
    report = [Path(root) for root, _, _ in os.walk(out_dir / "report")]
    return [out_dir, *(out_dir / d for d in sorted(docs)), *report]


@contextmanager
def open_batch(out_dir: Path) -> Iterator[Manifest]:
    """The output folder locked and its manifest open for writing; temporary
    files a killed run left (magscan's own names only) removed before and after."""
    from ..outputs.files import remove_stale_temps

    out_dir = prepare_out_dir(out_dir)
    with OutputLock(out_dir) as lock, output_errors(out_dir), \
            Manifest(out_dir, lock=lock) as manifest:
        remove_stale_temps(_temp_folders(out_dir, manifest))
        yield manifest
        remove_stale_temps(_temp_folders(out_dir, manifest))


# --- planning ------------------------------------------------------------------------------

def fail_input(manifest: Manifest, path: Path, doc: str, error: InputError, options: Options,
               result: BatchResult, log) -> None:
    """The one place an input that cannot be read becomes a failed row (page 0)
    with its reason, and one line on stderr."""
    inp = _abs(path)
    old = manifest.get(inp, 0)
    manifest.upsert(Row(inp, old.doc if old else doc, 0, status="failed", error=error.reason,
                        attempts=(old.attempts if old else 0) + 1,
                        fingerprint=options.fingerprint(), options=json.dumps(options.to_dict())))
    result.failed += 1
    result.errors.append(f"{shown(path)}: {error.reason}")
    log(f"magscan: error: {shown(path)}: {error.reason}")


def _probe(p: Path, options: Options) -> tuple[int, str]:
    """(pages, content hash) of an input, or InputError."""
    return count_pages(p, options), file_hash(p)


def _forget_fixed_folders(manifest: Manifest, searched: list[Path], problems: set[str]) -> None:
    """A folder that failed before (unreadable, empty) and reads now loses its failed row."""
    roots = [_abs(f) for f in searched]
    for r in manifest.rows("WHERE page_number = 0"):
        inside = any(r.input == root or r.input.startswith(root + os.sep) for root in roots)
        if inside and r.input not in problems and os.path.isdir(r.input):
            manifest.delete(r.input, 0)


def _skip_or_give_up(row: Row | None, digest: str, doc: str, fp: str, out_dir: Path,
                     settings: RunSettings) -> str:
    """"skip" (done already), "give-up" (failed too often) or "run"."""
    if row is None or row.input_hash != digest:
        return "run"
    if row.status == "done" and row.doc == doc and _outputs_exist(out_dir, row) \
            and (row.fingerprint == fp or row.options_dict.get(RERUN_MARK)):
        return "skip"  # rerun's per-page choices are kept, not undone
    if row.status in ("failed", "timeout") and row.fingerprint == fp \
            and row.attempts >= settings.max_attempts:
        return "give-up"
    return "run"


def _outputs_exist(out_dir: Path, row: Row) -> bool:
    stems = row.output_stems
    return bool(stems) and all((out_dir / row.doc / f"{s}.json").is_file() for s in stems)


def plan(inputs, out_dir: Path, options: Options, manifest: Manifest, settings: RunSettings,
         result: BatchResult, log) -> list[PageTask]:
    """Record every page of every input in the manifest and return those that
    still need converting."""
    found = find_inputs(inputs, exclude=[out_dir])
    for e in found.skipped:   # images a folder holds that cannot be read: named, not failed
        log(f"magscan: warning: skipped {shown(e.path)}: {e.reason}")
    docs = unique_stems(found.files + [Path(e.path) for e in found.problems],
                        manifest.docs_in_use())
    for e in found.problems:
        fail_input(manifest, Path(e.path), docs[Path(e.path)], e, options, result, log)
    _forget_fixed_folders(manifest, found.folders, {_abs(Path(e.path)) for e in found.problems})
    fp = options.fingerprint()
    tasks: list[PageTask] = []
    per_page: dict[str, float] = {}   # bytes per page of each input
    for p in found.files:
        inp = _abs(p)
        try:
            n_pages, digest = _probe(p, options)
        except InputError as e:
            fail_input(manifest, p, docs[p], e, options, result, log)
            continue
        if manifest.get(inp, 0) is not None:
            manifest.delete(inp, 0)  # the file reads now; its pages get their own rows
        for n in range(1, n_pages + 1):
            row = manifest.get(inp, n)
            fate = _skip_or_give_up(row, digest, docs[p], fp, out_dir, settings)
            if fate == "skip":
                result.skipped += 1
                continue
            if fate == "give-up":
                _give_up(p, n, row, result, log)
                continue
            same_input = row is not None and row.input_hash == digest
            manifest.upsert(Row(inp, docs[p], n, input_hash=digest, status="pending",
                                error=row.error if row and same_input else None,
                                attempts=row.attempts if same_input else 0, fingerprint=fp,
                                options=json.dumps(options.to_dict()),
                                formats=row.formats if row and same_input else None))
            tasks.append(PageTask(inp, docs[p], n, digest, options.to_dict(), str(out_dir),
                                  settings.overlays,
                                  _page_formats(row, settings, out_dir) if same_input else
                                  tuple(settings.formats or ()),
                                  log_level=current_level()))
        per_page[inp] = _size(p) / max(1, n_pages)
    # longest first (by bytes per page, a fair proxy for pixels and ink): the
    # last pages of a run then are short ones, and no worker idles while
    # another finishes a two-page spread
    tasks.sort(key=lambda t: -per_page[t.input])
    return tasks


def _give_up(p: Path, n: int, row: Row, result: BatchResult, log) -> None:
    msg = (f"{shown(p)}:{n} ({row.doc}:{n}): {row.error} (gave up after {row.attempts} "
           "attempts; `magscan rerun --failed` tries again)")
    result.given_up += 1
    result.errors.append(msg)
    log(f"magscan: error: {msg}")


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


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


def _doc_formats(out_dir: Path, doc: str, rows: list[Row], formats, pdfa: bool
                 ) -> tuple[set[str], bool]:
    """The document files to (re)write: those asked for, and those the
    document has already (a page re-run must not leave its old text in them)."""
    wanted = set(formats or ()) & {"pdf", "md"} | ({"pdf"} if pdfa else set())
    had: set[str] = set()
    for r in rows:
        if r.formats is not None:
            had |= set(split_formats(r.formats))
        else:  # a manifest from before the formats column: the files tell
            had |= {"pdf"} if (out_dir / f"{doc}.pdf").is_file() else set()
            had |= {"md"} if (out_dir / f"{doc}.md").is_file() else set()
    if had & {"pdf", "pdfa"}:
        wanted.add("pdf")
    if "md" in had:
        wanted.add("md")
    return wanted, pdfa or "pdfa" in had


def _record_doc_formats(manifest: Manifest, rows: list[Row], pdf: str | None) -> None:
    for r in rows:
        have = set(split_formats(r.formats)) - {"pdf", "pdfa"} if r.formats is not None \
            else _formats_on_disk(manifest.path.parent, r)
        manifest.update(r.input, r.page_number,
                        formats=join_formats(have | ({pdf} if pdf else set())))


def _formats_on_disk(out_dir: Path, r: Row) -> set[str]:
    have: set[str] = set()
    for stem in r.output_stems:
        have |= page_formats_on_disk(out_dir / r.doc, stem)
    return have


def write_documents(out_dir: Path, manifest: Manifest, docs: set[str],
                    formats: tuple | None = (), pdfa: bool = False,
                    result: "BatchResult | None" = None, log=None) -> list[Path]:
    """OUT/<doc>.txt (all pages in order, form feeds between) for each document,
    from the page files that exist; a document with failed pages gets the
    pages that succeeded. Its PDF and Markdown too when asked for or when it
    has them already; one that cannot be written is an error of the batch
    (in ``result``), not the end of it."""
    from ..outputs.files import write_document_text

    written = []
    for doc in sorted(docs):
        rows = [r for r in manifest.rows("WHERE doc = ?", (doc,)) if r.status == "done"]
        texts = []
        for r in rows:
            for stem in r.output_stems:
                f = out_dir / doc / f"{stem}.txt"
                if f.is_file():
                    texts.append(f.read_text(encoding="utf-8"))
        if texts:
            written.append(write_document_text(out_dir, doc, texts))
            doc_formats, as_pdfa = _doc_formats(out_dir, doc, rows, formats, pdfa)
            if not doc_formats:
                continue
            from ..outputs.formats import write_document_formats
            pdf = None
            for fmt in sorted(doc_formats):  # one failing leaves the other
                try:
                    write_document_formats(out_dir, doc, {fmt}, pdfa=as_pdfa)
                    if fmt == "pdf":
                        pdf = "pdfa" if as_pdfa else "pdf"
                except (MagscanError, OSError, ValueError) as e:
                    # the old file holds the old text of the pages just redone
                    (out_dir / f"{doc}.{fmt}").unlink(missing_ok=True)
                    msg = f"{shown(out_dir / doc)}.{fmt} not written: {one_line(str(e))}"
                    if result is not None:
                        result.errors.append(msg)
                        result.failed += 1
                    (log or _default_log)(f"magscan: error: {msg}")
            _record_doc_formats(manifest, rows, pdf)
    return written


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
    log = log or _default_log
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
                    settings.overlays, _page_formats(r, settings, out_dir), log_level=current_level())


def _page_formats(r: Row, settings: RunSettings, out_dir: Path) -> tuple:
    """The per-page formats a re-run writes: those asked for, or those the
    page has (so that none is left with the old result)."""
    from ..outputs.formats import PAGE_FORMATS

    if settings.formats is not None or r is None:
        return tuple(f for f in settings.formats or () if f in PAGE_FORMATS)
    have = set(split_formats(r.formats)) if r.formats is not None else \
        _formats_on_disk(out_dir, r)
    return tuple(f for f in PAGE_FORMATS if f in have)


def rerun_batch(out_dir: Path, select: Callable[[Manifest], list[Row]], changes: dict,
                settings: RunSettings, check: Callable[[Options], None] | None = None,
                log=None) -> BatchResult | None:
    """Re-run the rows `select` picks, under the output lock from the first
    read to the last write. None when nothing matches."""
    log = log or _default_log
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
