"""What the commands share: option decorators, turning options into run
settings, the engine check, the closing summary and `fail`. Commands import
this module, and cli/main.py imports the commands, so nothing points back."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import EngineMissing, ExitCode, extra_install_hint, one_line, shown
from ..options import Options


def fail(msg: str, code: int = ExitCode.FAILED) -> None:
    click.echo(f"magscan: error: {one_line(msg)}", err=True)
    sys.exit(code)


def recognition_options(f):
    """Options that change a page's result (and so its fingerprint)."""
    for opt in reversed([
        click.option("--dpi", type=int, default=None,
                     help="Resolution for rasterising PDF pages, and the resolution assumed for "
                          "images whose file states none [300]."),
        click.option("--lang", default=None, help="Tesseract language(s) [chi_sim]."),
        click.option("--engine", default=None,
                     help="OCR engine: tesseract (API, default), tesseract-cli, ppocr, "
                          "ppocr-openvino (PP-OCR run by OpenVINO: faster, about 200 MB more "
                          "a worker), or a plug-in as module:Class."),
        click.option("--psm", type=int, default=None, help="Force a Tesseract page-segmentation mode per block."),
        click.option("--columns", type=int, default=None, help="Force the number of body columns."),
        click.option("--keep-headers/--no-keep-headers", default=None,
                     help="Keep running headers and footers in the text."),
        click.option("--deskew/--no-deskew", default=None, help="Straighten skewed scans [on]."),
        click.option("--text-layer", type=click.Choice(["auto", "never", "only"]), default=None,
                     help="PDFs: read the text layer instead of OCR when it covers the page "
                          "[auto]; never; only (fail pages without one)."),
        click.option("--layout", type=click.Choice(list(Options.LAYOUTS)), default=None,
                     help="Regions from the page's geometry with the learned detector typing "
                          "them [auto]; geometric: geometry alone; learned: the detector's regions."),
        click.option("--orient/--no-orient", default=None,
                     help="Find scans turned by 90, 180 or 270 degrees and turn them upright [on]."),
    ]):
        f = opt(f)
    return f


def run_options(f):
    """Options that change how a batch runs, not what it produces."""
    for opt in reversed([
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Pages converted in parallel (default: number of cores)."),
        click.option("--page-timeout", type=float, default=180.0, show_default=True,
                     help="Seconds after which a page is stopped and recorded as timeout."),
        click.option("--max-memory", type=click.IntRange(min=0), default=4096, show_default=True,
                     help="MB of memory per worker (0: no cap); a page needing more fails alone."),
        click.option("--no-overlays", is_flag=True, help="Do not write overlay images."),
        click.option("--formats", default=None,
                     help="Outputs: txt,json plus any of page,alto,hocr,md,pdf [txt,json; "
                          "rerun: the formats each page has]."),
        click.option("--pdfa", is_flag=True,
                     help="Write the searchable PDF as PDF/A-2b (implies --formats pdf)."),
        click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
                     show_default=True, help="Run pages on this machine or on a Dask cluster."),
        click.option("--scheduler", default=None, help="Dask scheduler address, tcp://HOST:PORT."),
        click.option("-q", "--quiet", is_flag=True, help="No progress output."),
        click.option("-v", "--verbose", count=True,
                     help="Say more: -v what each page became, -vv why (as `magscan -v`)."),
    ]):
        f = opt(f)
    return f


def option_changes(dpi, lang, engine, psm, columns, keep_headers, deskew, text_layer, layout=None,
                   orient=None) -> dict:
    given = {"dpi": dpi, "lang": lang, "engine": engine, "psm": psm, "columns": columns,
             "keep_headers": keep_headers, "deskew": deskew, "text_layer": text_layer, "layout": layout,
             "orient": orient}
    return {k: v for k, v in given.items() if v is not None}


def settings_from(jobs, page_timeout, max_memory, no_overlays, formats, executor, scheduler,
                  quiet, verbose=0, pdfa=False):
    from ..api import run_settings

    if verbose:  # given after the command: as much as `magscan -v` before it, or more
        from ..logs import current_level, level_for, setup
        if level_for(verbose) < current_level():
            setup(verbose)

    try:
        # formats None: rerun keeps each page's formats
        settings = run_settings(jobs, page_timeout, max_memory, overlays=not no_overlays,
                                formats=None if formats is None else formats.split(","),
                                pdfa=pdfa, progress=not quiet, executor=executor,
                                scheduler=scheduler)
    except ValueError as e:
        fail(str(e), ExitCode.USAGE)
    if executor == "dask" and not scheduler:
        fail("--executor dask needs --scheduler tcp://HOST:PORT", ExitCode.USAGE)
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            fail(f"--executor dask needs Dask (magscan's dask extra); {extra_install_hint('dask')}",
                 ExitCode.ENGINE)
    if page_timeout <= 0:
        fail("--page-timeout must be positive", ExitCode.USAGE)
    return settings


def check_engine(options: Options) -> None:
    from ..recognition.stage import make_engine

    try:
        make_engine(options).check()
    except EngineMissing as e:
        fail(str(e), ExitCode.ENGINE)
    except ValueError as e:
        fail(str(e), ExitCode.USAGE)


def finish(result, out_dir: Path, verb: str = "converted") -> None:
    for line in result.flagged:
        click.echo(f"magscan: warning: text in doubt: {one_line(line)}", err=True)
    parts = [f"{result.done} page(s) {verb}", f"{result.failed} failed"]
    if result.skipped:
        parts.append(f"{result.skipped} already done")
    if result.given_up:
        parts.append(f"{result.given_up} given up after repeated failures")
    if result.flagged:
        parts.append(f"{len(result.flagged)} flagged (`magscan rerun {out_dir} --flagged` "
                     "redoes them)")
    click.echo(f"magscan: {', '.join(parts)}; results in {out_dir}/"
               + ("" if result.ok else f" (see `magscan status {out_dir}`)"), err=True)
    sys.exit(ExitCode.OK if result.ok else ExitCode.FAILED)


def _inside(path: Path, folder: Path) -> bool:
    p, f = os.path.realpath(path), os.path.realpath(folder)
    return p == f or p.startswith(f.rstrip(os.sep) + os.sep)


def check_out_dir(inputs, out_dir: Path) -> None:
    """Usage errors of -o: a stream (`-o -`), or a folder inside an input
    folder, where the results would sit among the scans they came from."""
    if str(out_dir) == "-":
        fail("-o -: magscan writes a folder of files (page text, JSON, overlays, the manifest), "
             "not one stream; give -o a folder (the document's text is then OUT/<name>.txt)",
             ExitCode.USAGE)
    for inp in inputs:
        try:
            is_dir = Path(inp).is_dir()
        except OSError:
            continue
        if is_dir and _inside(out_dir, inp):
            fail(f"-o {shown(out_dir)} is inside the input folder {shown(inp)}: the results "
                 "would sit among the scans; choose an output folder outside the inputs",
                 ExitCode.USAGE)
