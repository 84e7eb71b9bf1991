"""Planning a batch: the inputs found and counted, each page's row in the
manifest, and the pages still to convert (new, changed, or failed fewer
than ``max_attempts`` times) as tasks; an input that cannot be read is a
failed row with its reason."""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import InputError, shown
from ..ingest.files import count_pages, file_hash, find_inputs
from ..logs import current_level
from ..options import Options
from ..outputs.names import unique_stems
from .documents import page_formats
from .manifest import Manifest, Row
from .settings import BatchResult, RunSettings
from .worker import PageTask

__all__ = ["RERUN_MARK", "fail_input", "plan"]

RERUN_MARK = "_rerun"  # in a row's recorded options: chosen per page, kept by convert


def _abs(p: Path) -> str:
    return os.path.abspath(p)


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
                                  page_formats(row, settings, out_dir) if same_input else
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
