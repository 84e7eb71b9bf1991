"""What runs inside a worker process: one scanned page in, files out.

A task names its input by absolute path and page number, so any worker (a
local process or a Dask worker on another machine sharing the storage) can
run it. The worker writes the page's files itself, each atomically, and
returns a small summary; only the parent writes the manifest.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import OUT_OF_MEMORY, MagscanError, is_disk_full, is_out_of_memory, one_line
from ..options import Options


@dataclass
class PageTask:
    input: str              # absolute path
    doc: str                # output folder stem: OUT/<doc>/
    page_number: int        # 1-based page of the input file
    input_hash: str
    options: dict           # Options.to_dict()
    out_dir: str
    overlays: bool = True
    formats: tuple = ()     # extra per-page formats (page, alto, hocr, md)
    log_level: int = 30     # logging.WARNING; -v asks for INFO, -vv for DEBUG

    @property
    def key(self) -> tuple[str, int]:
        return (self.input, self.page_number)


@dataclass
class PageOutcome:
    outputs: list[str] = field(default_factory=list)  # page file stems written
    mean_conf: float = 0.0
    n_blocks: int = 0
    n_columns: int = 0
    engine: str = ""
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)
    peak_mb: float | None = None
    flags: list[str] = field(default_factory=list)
    log: list = field(default_factory=list)   # (level, logger, message) for the parent to show
    formats: list[str] = field(default_factory=list)  # per-page formats written (stale.py)
    orientation: int | None = None  # degrees the scan was turned to stand upright
    lang: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


_ENGINES: dict[tuple, object] = {}


def engine_for(options: Options):
    """One engine per worker process and configuration: the model loads once."""
    key = (options.engine, options.lang, options.psm, options.ocr_timeout)
    if key not in _ENGINES:
        from ..recognition.stage import make_engine
        _ENGINES[key] = make_engine(options)
    return _ENGINES[key]


def limit_memory(max_bytes: int | None) -> None:
    """Cap this worker's address space so a runaway page fails with MemoryError
    (recorded as failed) instead of taking the machine down."""
    if not max_bytes:
        return
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the per-page timeout still applies


def reset_peak_memory() -> bool:
    """Start this page's peak memory from what the worker holds now (Linux:
    the kernel's high-water mark is per process, for its whole life)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak resident set size
        return True
    except OSError:
        return False


def peak_memory_mb(since_reset: bool = True) -> float | None:
    """Peak resident memory of this process since `reset_peak_memory`, or None
    where that cannot be known (a lifetime peak would be reported as the page's)."""
    if not since_reset:
        return None
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def process_page(task: PageTask) -> PageOutcome:
    """Convert one scanned page and write its files. Raises MagscanError (with a
    one-line reason) when the page cannot be converted; then no file of this
    attempt is left behind."""
    from ..logs import capture

    reset = reset_peak_memory()
    t0 = time.perf_counter()
    try:
        with capture(task.log_level) as log:
            out = _convert_and_write(task, Options.from_dict(task.options))
        out.log = log
    except MagscanError as e:
        if is_out_of_memory(e) and OUT_OF_MEMORY not in str(e):
            raise MagscanError(f"{OUT_OF_MEMORY} ({e}); {memory_hint()}") from e
        raise
    except Exception as e:  # noqa: BLE001 - the kinds that are the page's fate, not a bug
        if is_out_of_memory(e):
            raise MagscanError(f"{OUT_OF_MEMORY} while converting this page; {memory_hint()}") from e
        if is_disk_full(e):
            raise MagscanError(f"disk full while writing this page's files "
                               f"({one_line(getattr(e, 'strerror', None) or e)})") from e
        raise
    out.seconds = round(time.perf_counter() - t0, 3)
    out.peak_mb = peak_memory_mb(reset)
    return out


def memory_hint() -> str:
    cap = ""
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY:
            cap = f" above the worker's {soft >> 20} MB"
    except (ImportError, ValueError, OSError):
        pass
    return f"it needs more memory{cap}: raise --max-memory, or lower --dpi for a PDF"


def _convert_and_write(task: PageTask, options: Options) -> PageOutcome:
    from ..outputs.files import staged, write_page
    from ..outputs.overlay import draw_overlay

    from ..convert import convert_input_page

    pages = convert_input_page(task.input, task.page_number, options, engine_for, task.overlays)
    out = PageOutcome()
    doc_dir = Path(task.out_dir) / task.doc
    with staged() as stage:
        for page, gray in pages:
            t = time.perf_counter()
            overlay = draw_overlay(page, gray) if task.overlays and gray is not None else None
            if task.formats:
                from ..outputs.formats import write_page_formats
                format_paths = write_page_formats(doc_dir, page, task.formats)
            else:
                format_paths = {}
            # the stage split goes into the page's JSON and the manifest alike;
            # "writing" (overlay, formats) is measured up to the JSON itself,
            # the one file that cannot hold its own time
            page.timings["writing"] = round(time.perf_counter() - t, 3)
            for k, v in page.timings.items():
                out.timings[f"{page.part}{k}" if page.part else k] = v
            paths = write_page(doc_dir, page, options.keep_headers, overlay)
            paths.update(format_paths)
            out.outputs.append(paths["json"].name[: -len(".json")])
            out.formats = sorted(set(out.formats) | set(paths))
            out.n_blocks += len(page.blocks)
            out.n_columns = max(out.n_columns, len(page.columns))
            out.engine = page.engine
            out.flags.extend(page.flags)
            out.orientation, out.lang = page.orientation, page.lang
        stage.commit()
    from ..outputs.formats.stale import remove_other_formats
    for stem in out.outputs:   # a re-run's files only: none left from an earlier run
        remove_other_formats(doc_dir, stem, set(out.formats))
    confs = [p.mean_conf for p, _ in pages]
    out.mean_conf = round(sum(confs) / len(confs), 2) if confs else 0.0
    return out

