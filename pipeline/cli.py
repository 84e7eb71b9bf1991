"""Command line: `magscan convert`, `rerun`, `status`, `eval` (and the commands
other modules register). Errors become one-line messages and exit codes
here, nowhere else."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from . import __version__
from .errors import (EXIT_BUSY, EXIT_ENGINE, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK,  # noqa: F401
                     EXIT_OUTPUT, EXIT_USAGE, EngineMissing, MagscanError, one_line)
from .options import Options

EXIT_INTERNAL = 70  # a bug (sysexits' EX_SOFTWARE): the message asks for a report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="magscan")
def main() -> None:
    """magscan: OCR for simplified-Chinese magazine scans that reads columns in order."""


def fail(msg: str, code: int = EXIT_FAILED) -> None:
    click.echo(f"magscan: error: {one_line(msg)}", err=True)
    sys.exit(code)


def recognition_options(f):
    """Options that change a page's result (and so its fingerprint)."""
    for opt in reversed([
        click.option("--dpi", type=int, default=None, help="Resolution for rasterising PDF pages [300]."),
        click.option("--lang", default=None, help="Tesseract language(s) [chi_sim]."),
        click.option("--engine", default=None,
                     help="OCR engine: tesseract (API, default), tesseract-cli, ppocr, "
                          "or a plug-in as module:Class."),
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
        click.option("--formats", default="txt,json", show_default=True,
                     help="Outputs: txt,json plus any of page,alto,hocr,md,pdf."),
        click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
                     show_default=True, help="Run pages on this machine or on a Dask cluster."),
        click.option("--scheduler", default=None, help="Dask scheduler address, tcp://HOST:PORT."),
        click.option("-q", "--quiet", is_flag=True, help="No progress output."),
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
                  quiet):
    from .batch import RunSettings

    extra = ()
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    if any(f not in ("txt", "json") for f in wanted):
        from .formats import parse_formats
        try:
            extra = tuple(f for f in parse_formats(formats) if f not in ("txt", "json"))
        except ValueError as e:
            fail(str(e), EXIT_USAGE)
    if executor == "dask" and not scheduler:
        fail("--executor dask needs --scheduler tcp://HOST:PORT", EXIT_USAGE)
    if page_timeout <= 0:
        fail("--page-timeout must be positive", EXIT_USAGE)
    return RunSettings(jobs=jobs or os.cpu_count() or 1, page_timeout=page_timeout,
                       max_memory=max_memory * (1 << 20) if max_memory > 0 else None,
                       overlays=not no_overlays, formats=extra, progress=not quiet,
                       executor=executor, scheduler=scheduler)


def check_engine(options: Options) -> None:
    from .ocr import make_engine

    try:
        make_engine(options).check()
    except EngineMissing as e:
        fail(str(e), EXIT_ENGINE)
    except ValueError as e:
        fail(str(e), EXIT_USAGE)


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
    sys.exit(EXIT_OK if result.ok else EXIT_FAILED)


@main.command()
# readable=False: an unreadable input is recorded as failed with the others
# converted, not refused with the whole command
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Output folder: OUT/<stem>/page-NNNN.{txt,json,overlay.png}, OUT/<stem>.txt "
                   "and OUT/manifest.sqlite.")
@recognition_options
@run_options
def convert(inputs, out_dir, dpi, lang, engine, psm, columns, keep_headers, deskew, text_layer, layout,
            **run):
    """Convert page images (PNG, JPEG, TIFF) and PDFs, or folders of them.

    Running it again on the same output folder resumes: pages already done
    with the same input and options are skipped."""
    try:
        options = Options().with_(**option_changes(dpi, lang, engine, psm, columns,
                                                   keep_headers, deskew, text_layer, layout,
                                                   run.pop("orient", None)))
    except (TypeError, ValueError) as e:
        fail(str(e), EXIT_USAGE)
    settings = settings_from(**run)
    if settings.executor == "local":
        check_engine(options)
    from .batch import run_batch

    finish(run_batch(inputs, out_dir, options, settings), out_dir)


@main.command("eval")
@click.argument("gold", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--with-headers", is_flag=True, help="Score against the text with running heads.")
def eval_cmd(gold, out, with_headers):
    """Score converted pages in OUT against ground truth in GOLD (NAME.gt.txt)."""
    from .evaluate import evaluate_dirs, format_table

    scores = evaluate_dirs(gold, out, with_headers=with_headers)
    if not scores:
        fail(f"no page in {out} matches ground truth in {gold}")
    click.echo(format_table(scores))


def _register() -> None:
    """Commands that live in their own modules."""
    from .cli_batch import rerun_cmd, status_cmd
    main.add_command(rerun_cmd)
    main.add_command(status_cmd)
    for mod, names in (("cli_report", ("overlay_cmd", "report_cmd")),
                       ("cli_export", ("export_cmd",)), ("cli_repair", ("repair_cmd",))):
        try:
            m = __import__(f"pipeline.{mod}", fromlist=list(names))
        except ImportError as e:
            if e.name != f"pipeline.{mod}":
                raise
            continue
        for n in names:
            main.add_command(getattr(m, n))


_register()


def _exit_code(e: SystemExit) -> int:
    return e.code if isinstance(e.code, int) else (EXIT_OK if e.code is None else EXIT_FAILED)


def _main() -> int:
    """The command's exit code; every way out is one line on stderr (README:
    exit codes), never a traceback unless MAGSCAN_DEBUG is set."""
    try:
        code = main(standalone_mode=False)
    except SystemExit as e:
        return _exit_code(e)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("\nmagscan: interrupted; pages finished so far are kept: run the same "
                   "command again to resume", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except MagscanError as e:
        click.echo(f"magscan: error: {one_line(str(e))}", err=True)
        return e.exit_code
    except Exception as e:  # noqa: BLE001 - a bug: one line, the traceback on request
        if os.environ.get("MAGSCAN_DEBUG"):
            raise
        click.echo(f"magscan: internal error: {one_line(f'{type(e).__name__}: {e}')} (a bug; "
                   "MAGSCAN_DEBUG=1 shows the traceback)", err=True)
        return EXIT_INTERNAL
    return code if isinstance(code, int) else EXIT_OK


def run() -> None:
    try:
        code = _main()
    finally:
        # The run is over and its outcome known: a Ctrl-C while the interpreter
        # shuts down (workers joined, temporary folder removed) must not turn
        # that outcome into a death by SIGINT.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    run()
