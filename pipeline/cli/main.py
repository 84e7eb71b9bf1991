"""Command line: the `magscan` group with `convert` and `eval`; the other
commands live in their own modules and are added here. Errors become
one-line messages and exit codes here, nowhere else."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import ExitCode, MagscanError, one_line
from ..options import Options
from .batch import rerun_cmd, status_cmd
from .common import (check_engine, check_out_dir, fail, finish, option_changes,  # noqa: F401
                     recognition_options, run_options, settings_from)
from .export import export_cmd
from .repair import repair_cmd
from .report import overlay_cmd, report_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="magscan")
@click.option("-v", "--verbose", count=True,
              help="Say more on stderr: -v what each page became, -vv why (dpi, deskew, "
                   "layout used, fall-backs: debug level).")
def main(verbose: int) -> None:
    """magscan: OCR for simplified-Chinese magazine scans that reads columns in order."""
    from ..logs import setup
    setup(verbose)


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
    """Convert page images (PNG, JPEG, TIFF, WebP, BMP, GIF; JPEG 2000 where Pillow has OpenJPEG) and PDFs, or folders of them.

    Running it again on the same output folder resumes: pages already done
    with the same input and options are skipped."""
    try:
        options = Options().with_(**option_changes(dpi, lang, engine, psm, columns,
                                                   keep_headers, deskew, text_layer, layout,
                                                   run.pop("orient", None)))
    except (TypeError, ValueError) as e:
        fail(str(e), ExitCode.USAGE)
    check_out_dir(inputs, out_dir)
    settings = settings_from(**run)
    if settings.executor == "local":
        check_engine(options)
    from ..batch.runner import run_batch

    finish(run_batch(inputs, out_dir, options, settings), out_dir)


@main.command("eval")
@click.argument("gold", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--with-headers", is_flag=True, help="Score against the text with running heads.")
def eval_cmd(gold, out, with_headers):
    """Score converted pages in OUT against ground truth in GOLD (NAME.gt.txt)."""
    from ..evaluate.text import evaluate_dirs, format_table

    scores = evaluate_dirs(gold, out, with_headers=with_headers)
    if not scores:
        fail(f"no page in {out} matches ground truth in {gold}")
    click.echo(format_table(scores))


for _cmd in (rerun_cmd, status_cmd, overlay_cmd, report_cmd, export_cmd, repair_cmd):
    main.add_command(_cmd)


def _exit_code(e: SystemExit) -> int:
    return e.code if isinstance(e.code, int) else (ExitCode.OK if e.code is None else ExitCode.FAILED)


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
        return ExitCode.INTERRUPTED
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
        return ExitCode.INTERNAL
    return code if isinstance(code, int) else ExitCode.OK


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
