"""Batch runner: inputs -> planned page tasks (manifest) -> worker pool -> files.

One scanned page is one task. The manifest decides what still has to run
(resume), the pool runs tasks in separate processes with a per-page timeout
(a page that hangs, crashes or runs out of memory takes only its own worker
down), and each result is committed to the manifest as it arrives, so a
batch killed at any moment resumes where it stopped.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .ingest import count_pages, expand_inputs, file_hash
from .manifest import Manifest, Row
from .options import Options
from .progress import Progress
from .worker import PageOutcome, PageTask

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass
class RunSettings:
    jobs: int = 1
    page_timeout: float = 180.0
    max_memory: int | None = 4 << 30   # bytes of address space per worker
    max_attempts: int = 3              # convert stops retrying a page after this many
    overlays: bool = True
    formats: tuple = ()
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
    documents: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.given_up == 0


def _abs(p: Path) -> str:
    return os.path.abspath(p)


def assign_docs(files: list[Path], in_use: dict[str, str]) -> dict[Path, str]:
    """Output folder stem per input: stable across runs (an input keeps the stem
    the manifest gave it) and unique within the output folder."""
    by_input = {inp: doc for doc, inp in in_use.items()}
    taken = set(in_use)
    out: dict[Path, str] = {}
    for p in files:
        if _abs(p) in by_input:
            out[p] = by_input[_abs(p)]
            continue
        cands = [p.stem, f"{p.stem}-{p.suffix.lstrip('.').lower()}"]
        cands += [f"{p.stem}-{i}" for i in range(2, 10_000)]
        stem = next(c for c in cands if c not in taken)
        taken.add(stem)
        out[p] = stem
    return out


def _outputs_exist(out_dir: Path, row: Row) -> bool:
    stems = row.output_stems
    return bool(stems) and all((out_dir / row.doc / f"{s}.json").is_file() for s in stems)


def plan(inputs, out_dir: Path, options: Options, manifest: Manifest, settings: RunSettings,
         result: BatchResult, log) -> list[PageTask]:
    """Record every page of every input in the manifest and return those that
    still need converting."""
    files = expand_inputs(inputs)
    docs = assign_docs(files, manifest.docs_in_use())
    fp = options.fingerprint()
    tasks: list[PageTask] = []
    per_page: dict[str, float] = {}   # bytes per page of each input
    for p in files:
        inp = _abs(p)
        try:
            n_pages = count_pages(p, options)
            digest = file_hash(p)
        except InputError as e:
            old = manifest.get(inp, 0)
            manifest.upsert(Row(inp, docs[p], 0, status="failed", error=e.reason,
                                attempts=(old.attempts if old else 0) + 1, fingerprint=fp,
                                options=json.dumps(options.to_dict())))
            result.failed += 1
            result.errors.append(f"{p}: {e.reason}")
            log(f"magscan: error: {p}: {e.reason}")
            continue
        if manifest.get(inp, 0) is not None:
            manifest.delete(inp, 0)  # the file reads now; its pages get their own rows
        for n in range(1, n_pages + 1):
            row = manifest.get(inp, n)
            same_input = row is not None and row.input_hash == digest
            if same_input and row.status == "done" and _outputs_exist(out_dir, row) \
                    and (row.fingerprint == fp or row.options_dict.get("_rerun")):
                result.skipped += 1  # rerun's per-page choices are kept, not undone
                continue
            if same_input and row.status in ("failed", "timeout") and row.fingerprint == fp \
                    and row.attempts >= settings.max_attempts:
                result.given_up += 1
                result.errors.append(f"{p}:{n}: {row.error} (gave up after {row.attempts} "
                                     f"attempts; `magscan rerun --failed` tries again)")
                continue
            attempts = row.attempts if same_input else 0
            manifest.upsert(Row(inp, docs[p], n, input_hash=digest, status="pending",
                                error=row.error if row and same_input else None,
                                attempts=attempts, fingerprint=fp,
                                options=json.dumps(options.to_dict())))
            tasks.append(PageTask(inp, docs[p], n, digest, options.to_dict(), str(out_dir),
                                  settings.overlays, tuple(settings.formats)))
        per_page[inp] = _size(p) / max(1, n_pages)
    # longest first (by bytes per page, a fair proxy for pixels and ink): the
    # last pages of a run then are short ones, and no worker idles while
    # another finishes a two-page spread
    tasks.sort(key=lambda t: -per_page[t.input])
    return tasks


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _failure_reason(exc: BaseException, timeout: float) -> tuple[str, str]:
    """(status, one-line reason) for a task that did not return."""
    from concurrent.futures import TimeoutError as FutTimeout

    from .errors import EngineTimeout, MagscanError
    if isinstance(exc, (FutTimeout, TimeoutError, EngineTimeout)):
        return "timeout", f"page took longer than {timeout:.0f} s (--page-timeout) and was stopped"
    if isinstance(exc, InputError):
        return "failed", exc.reason
    if isinstance(exc, MagscanError):
        return "failed", str(exc)
    try:
        from pebble import ProcessExpired
    except ImportError:  # pragma: no cover - pebble is a dependency
        ProcessExpired = ()  # noqa: N806
    if isinstance(exc, ProcessExpired):
        code = getattr(exc, "exitcode", None)
        why = " (killed: out of memory?)" if code in (-9, 137) else ""
        return "failed", f"worker process died with exit code {code}{why}"
    return "failed", f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]


def record_outcome(manifest: Manifest, task: PageTask, outcome: PageOutcome | None,
                   exc: BaseException | None, timeout: float) -> tuple[bool, str]:
    row = manifest.get(task.input, task.page_number)
    attempts = (row.attempts if row else 0) + 1
    if outcome is not None:
        manifest.update(task.input, task.page_number, status="done", error=None,
                        attempts=attempts, seconds=outcome.seconds, mean_conf=outcome.mean_conf,
                        n_blocks=outcome.n_blocks, n_columns=outcome.n_columns,
                        engine=outcome.engine, outputs=json.dumps(outcome.outputs),
                        timings=json.dumps(outcome.timings), peak_mb=outcome.peak_mb)
        return True, ""
    status, reason = _failure_reason(exc, timeout)
    manifest.update(task.input, task.page_number, status=status, error=reason, attempts=attempts)
    return False, reason


def execute(tasks: list[PageTask], manifest: Manifest, settings: RunSettings,
            result: BatchResult, log) -> None:
    """Run the tasks on the chosen executor, committing each result as it comes."""
    from .executors import make_executor

    progress = Progress(len(tasks), enabled=settings.progress)
    try:
        with make_executor(settings) as ex:
            for task, outcome, exc in ex.run(tasks):
                ok, reason = record_outcome(manifest, task, outcome, exc, settings.page_timeout)
                if ok:
                    result.done += 1
                else:
                    result.failed += 1
                    label = f"{task.input} page {task.page_number}"
                    result.errors.append(f"{label}: {reason}")
                    progress.write(f"magscan: error: {label}: {reason}")
                progress.update(ok)
    finally:
        progress.close()


def write_documents(out_dir: Path, manifest: Manifest, docs: set[str],
                    formats: tuple = ()) -> list[Path]:
    """OUT/<doc>.txt (all pages in order, form feeds between) for each document,
    from the page files that exist; a document with failed pages gets the
    pages that succeeded."""
    from .export import write_document_text

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
            if formats:
                from .formats import DOC_FORMATS, write_document_formats
                doc_formats = tuple(f for f in formats if f in DOC_FORMATS or f == "md")
                if doc_formats:
                    write_document_formats(out_dir, doc, doc_formats)
    return written


class OutputLock:
    """One batch at a time per output folder: two runs writing the same
    manifest and files would each redo the other's pages."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / ".magscan.lock"

    def __enter__(self) -> "OutputLock":
        import fcntl

        from .errors import MagscanError
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.f = open(self.path, "a+")
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.f.close()
            raise MagscanError(f"{self.path.parent}: another magscan run is writing to this "
                               "output folder; wait for it or use another -o") from None
        return self

    def __exit__(self, *exc) -> None:
        self.f.close()  # closing releases the lock; the file may stay


def remove_stale_temps(out_dir: Path) -> int:
    """Temporary files left by a run that was killed mid-write (the real
    files are only ever replaced by a rename, so these are garbage)."""
    n = 0
    for tmp in Path(out_dir).glob("**/.*.tmp"):
        try:
            tmp.unlink()
            n += 1
        except OSError:
            pass
    return n


def run_batch(inputs, out_dir: Path, options: Options, settings: RunSettings | None = None,
              log=None) -> BatchResult:
    settings = settings or RunSettings()
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    out_dir = Path(out_dir)
    result = BatchResult()
    with OutputLock(out_dir), Manifest(out_dir) as manifest:
        remove_stale_temps(out_dir)
        tasks = plan(inputs, out_dir, options, manifest, settings, result, log)
        if result.skipped:
            log(f"magscan: {result.skipped} page(s) already done with these options; skipped")
        execute(tasks, manifest, settings, result, log)
        # documents whose text file a killed run never got to write, too
        docs = {t.doc for t in tasks} | {r.doc for r in manifest.rows()
                                         if r.page_number and not (out_dir / f"{r.doc}.txt").is_file()}
        result.documents = write_documents(out_dir, manifest, docs, settings.formats)
    return result


def run_tasks(tasks: list[PageTask], out_dir: Path, settings: RunSettings, log=None) -> BatchResult:
    """Run already-planned tasks (rerun) and rewrite their documents' text."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    result = BatchResult()
    with OutputLock(out_dir), Manifest(out_dir) as manifest:
        remove_stale_temps(out_dir)
        execute(tasks, manifest, settings, result, log)
        result.documents = write_documents(Path(out_dir), manifest, {t.doc for t in tasks},
                                           settings.formats)
    return result
