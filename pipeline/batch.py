"""Batch runner: inputs -> page tasks -> a pool of worker processes -> files.

One page is one unit of work. A page that fails is reported with its file
and reason and never stops the others.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, MagscanError
from .ingest import expand_inputs, load_pages
from .options import Options

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass
class PageResult:
    source: str
    doc_stem: str
    page_number: int
    ok: bool
    text: str = ""
    error: str = ""
    paths: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class BatchResult:
    pages: list[PageResult] = field(default_factory=list)
    failed_inputs: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    documents: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed_inputs and all(p.ok for p in self.pages)


def doc_stems(paths: list[Path]) -> dict[Path, str]:
    """One output folder per input; inputs sharing a stem get their extension added."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.stem] = counts.get(p.stem, 0) + 1
    return {p: (p.stem if counts[p.stem] == 1 else f"{p.stem}-{p.suffix.lstrip('.').lower()}")
            for p in paths}


_ENGINE = None


def _engine(options: Options):
    global _ENGINE  # one engine per worker process, made on first use
    if _ENGINE is None or _ENGINE.name != options.engine:
        from .ocr import make_engine
        _ENGINE = make_engine(options)
    return _ENGINE


def process_document(path: str, doc_stem: str, out_dir: str, options: Options,
                     overlays: bool) -> list[PageResult]:
    """Convert every page of one input file (runs in a worker process)."""
    import time

    from .convert import convert_source
    from .export import write_page
    from .overlay import draw_overlay

    results = []
    engine = _engine(options)
    doc_dir = Path(out_dir) / doc_stem
    for src in load_pages(path, options):
        t = time.perf_counter()
        try:
            texts, paths = [], {}
            for pimg in convert_source(src, options, engine):
                ov = draw_overlay(pimg.page, pimg.gray) if overlays else None
                written = write_page(doc_dir, pimg.page, options.keep_headers, ov)
                texts.append(written["txt"].read_text(encoding="utf-8"))
                paths.update({f"{k}{pimg.page.part}": str(v) for k, v in written.items()})
            results.append(PageResult(str(path), doc_stem, src.page_number, True,
                                      "\f\n".join(texts), paths=paths,
                                      seconds=time.perf_counter() - t))
        except MagscanError as e:
            results.append(PageResult(str(path), doc_stem, src.page_number, False,
                                      error=str(e), seconds=time.perf_counter() - t))
    return results


def run_batch(inputs, out_dir: Path, options: Options, jobs: int = 1, overlays: bool = True,
              log=None) -> BatchResult:
    from .export import write_document_text

    log = log or (lambda msg: print(msg, file=sys.stderr))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = expand_inputs(inputs)
    stems = doc_stems(files)
    result = BatchResult()
    per_doc: dict[Path, list[PageResult]] = {}

    def collect(path: Path, fut_result) -> None:
        per_doc[path] = fut_result
        for r in fut_result:
            result.pages.append(r)
            if not r.ok:
                log(f"magscan: error: {path} page {r.page_number}: {r.error}")

    def failed(path: Path, e: Exception) -> None:
        reason = e.reason if isinstance(e, InputError) else str(e)
        result.failed_inputs.append((str(path), reason))
        log(f"magscan: error: {path}: {reason}")

    if jobs <= 1:
        for p in files:
            try:
                collect(p, process_document(str(p), stems[p], str(out_dir), options, overlays))
            except MagscanError as e:
                failed(p, e)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futs = {pool.submit(process_document, str(p), stems[p], str(out_dir), options,
                                overlays): p for p in files}
            for fut in as_completed(futs):
                p = futs[fut]
                try:
                    collect(p, fut.result())
                except MagscanError as e:
                    failed(p, e)
                except Exception as e:  # noqa: BLE001 - a crashed worker fails its file only
                    failed(p, MagscanError(f"worker crashed: {type(e).__name__}: {e}"))
    for p in files:
        pages = sorted(per_doc.get(p, []), key=lambda r: r.page_number)
        if pages:
            result.documents.append(write_document_text(out_dir, stems[p], [r.text for r in pages]))
    return result
