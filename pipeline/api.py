"""The public Python API: what the `magscan` commands do, as functions.

Each function runs the same code as its command, with the same choices,
given by the same `Options` (`pipeline/options.py`) the command line builds:

- `convert_file(path, options)`: every page of an image or PDF, read from a
  PDF's text layer or recognised, as `magscan convert` reads it; a two-page
  spread gives two pages (parts "L" and "R").
- `analyse_image(image_or_path, options)`: layout and reading order, no OCR.
- `repair_file(path, options)`: another engine's hOCR, ALTO or PaddleOCR
  output put in reading order, as `magscan repair` does.
- `resolve_order(blocks)`: the geometric reading-order resolver.
- `run_batch(inputs, out_dir, options, jobs=...)`: `magscan convert` itself:
  files written under `out_dir`, the manifest, resume; returns the summary.

`Page.text()` gives a page's text as `page-NNNN.txt` holds it. Errors are the
typed ones of `pipeline.errors` (`InputError`, `EngineMissing`, ...); an
option out of range is a `ValueError` from `Options`.

Nothing heavy is imported until a function runs, so ``import pipeline``
stays light.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from .options import Options

if TYPE_CHECKING:
    import numpy as np

    from .batch.runner import BatchResult, RunSettings
    from .model import Block, Page
    from .readingorder import OrderResult

__all__ = ["convert_file", "analyse_image", "repair_file", "resolve_order", "run_batch",
           "run_settings"]


def _engine_maker():
    """`engine_for` for one call: the engine is made (and checked) once, when
    the first page needs OCR, and serves every page after it."""
    made: dict[str, object] = {}

    def engine_for(options: Options):
        if "engine" not in made:
            from .recognition.stage import make_engine
            engine = make_engine(options)
            engine.check()
            made["engine"] = engine
        return made["engine"]
    return engine_for


def convert_file(path: str | os.PathLike, options: Options | None = None) -> list[Page]:
    """Every page of one image or PDF file, converted: blocks typed and
    ordered, text recognised (or taken from a PDF's text layer, per
    ``options.text_layer``), with the flags of text magscan doubts.

    A two-page spread gives two pages, left then right; a PDF all its pages.
    Raises `InputError` for a file that cannot be read and `EngineMissing`
    when the OCR engine or language model is not installed.
    """
    from .convert import convert_input_page
    from .ingest.files import count_pages

    options = options or Options()
    engine_for = _engine_maker()
    pages: list[Page] = []
    for n in range(1, count_pages(path, options) + 1):
        pages += [p for p, _ in convert_input_page(path, n, options, engine_for, images=False)]
    return pages


def analyse_image(image_or_path: np.ndarray | str | os.PathLike,
                  options: Options | None = None) -> list[Page]:
    """Layout and reading order without OCR: the pages of a file (every page
    of a PDF), or of one image given as an array (grayscale, or BGR as
    OpenCV reads it), each with its blocks typed and ordered but no text.
    A two-page spread gives two pages. An array's resolution is taken as
    ``options.dpi`` unless the layout measures it from the text."""
    from .convert import layout_source
    from .ingest.files import SourcePage, load_pages

    options = options or Options()
    if isinstance(image_or_path, (str, os.PathLike)):
        sources = list(load_pages(image_or_path, options))
    else:
        sources = [SourcePage(Path("<image>"), 1, _gray(image_or_path), options.dpi,
                              dpi_known=False)]
    return [p.page for src in sources for p in layout_source(src, options)]


def _gray(image: np.ndarray) -> np.ndarray:
    import numpy as np

    a = np.asarray(image)
    if a.ndim == 3:
        import cv2
        a = cv2.cvtColor(a, cv2.COLOR_BGRA2GRAY if a.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    if a.ndim != 2:
        raise ValueError(f"an image is a 2-D (grayscale) or 3-D (colour) array, not {a.ndim}-D")
    return a if a.dtype == np.uint8 else np.clip(a, 0, 255).astype(np.uint8)


def repair_file(path: str | os.PathLike, options: Options | None = None,
                fmt: str | None = None) -> Page:
    """Another engine's OCR output (hOCR, ALTO XML, PaddleOCR/RapidOCR JSON;
    ``fmt`` "hocr", "alto" or "paddle", else from the content) as one page in
    reading order, as `magscan repair` reads it. Raises `InputError`."""
    from .convert_boxes import repair_input
    from .ingest.ocr_files import read_input

    return repair_input(read_input(path, fmt), options or Options())


def resolve_order(blocks: Sequence[Block]) -> OrderResult:
    """The geometric reading-order resolver on a page's blocks: the result's
    ``blocks`` are in reading order, each with its ``order`` set."""
    from .readingorder import resolve_order as _resolve

    return _resolve(list(blocks))


def run_settings(jobs: int | None = None, page_timeout: float = 180.0,
                 max_memory_mb: int | None = 4096, overlays: bool = True,
                 formats: Sequence[str] | None = (), pdfa: bool = False, progress: bool = False,
                 executor: str = "local", scheduler: str | None = None) -> RunSettings:
    """How a batch runs (not what it produces), from the values the command
    line takes: ``jobs`` default the number of cores, ``max_memory_mb`` 0 or
    None for no cap, ``formats`` beyond txt and json (None: for a rerun, the
    formats each page has). Raises ValueError naming an unknown format."""
    from .batch.runner import RunSettings
    from .outputs.formats import BASE_FORMATS, parse_formats

    extra = None if formats is None else tuple(
        f for f in parse_formats(",".join(formats)) if f not in BASE_FORMATS)
    return RunSettings(jobs=jobs or os.cpu_count() or 1, page_timeout=page_timeout,
                       max_memory=max_memory_mb << 20 if max_memory_mb else None,
                       overlays=overlays, formats=extra, pdfa=pdfa, progress=progress,
                       executor=executor, scheduler=scheduler)


def run_batch(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike,
              options: Options | None = None, jobs: int | None = None, *,
              settings: RunSettings | None = None, **how) -> BatchResult:
    """`magscan convert INPUTS -o OUT_DIR`: files and folders converted into
    ``out_dir`` (page text, JSON, overlays, other formats, the manifest),
    resuming what an earlier run left; ``jobs`` pages at a time (default:
    the number of cores). ``how`` are the other `run_settings` (for example
    ``formats=("alto", "pdf")``, ``overlays=False``), or pass ``settings``.
    Returns the summary (``done``, ``failed``, ``errors``, ``flagged``,
    ``ok``). Raises `EngineMissing` before anything runs when the OCR engine
    is not installed, `OutputBusy` when another run holds ``out_dir``."""
    from .batch.runner import run_batch as _run

    options = options or Options()
    settings = settings or run_settings(jobs, **how)
    if settings.executor == "local":   # on a cluster the workers have the engine
        _engine_maker()(options)       # a missing engine stops the batch before it starts
    return _run([Path(p) for p in inputs], Path(out_dir), options, settings)
