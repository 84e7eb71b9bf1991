"""Command line: `magscan overlay` and `magscan report`, registered on the
main group by pipeline.cli.main. Errors become one-line messages and exit codes
(``ExitCode``) here: OK all well, FAILED something failed (the rest was still done)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode, MagscanError
from ..ingest.pageselect import SelectionError, parse_pages
from ..outputs import LOW_CONF

_out_arg = click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))


def _selection(ctx, param, value):
    try:
        return parse_pages(value) if value else None
    except SelectionError as e:
        raise click.BadParameter(str(e)) from e


@click.command("overlay")
@_out_arg
@click.option("--pages", "pages", multiple=True, callback=_selection, metavar="STEM[:PAGES]",
              help="Only these pages, e.g. --pages mag:1,3-5 (repeatable; default: all).")
@click.option("--width", type=click.IntRange(200, 8000), default=1200, show_default=True,
              help="Overlay width in pixels (pages narrower than this are not enlarged).")
@click.option("--low-conf", type=click.FloatRange(0, 100), default=LOW_CONF, show_default=True,
              help="Shade lines whose OCR confidence is below this.")
def overlay_cmd(out: Path, pages, width: int, low_conf: float) -> None:
    """Re-draw the QA overlays of pages already converted into OUT."""
    from ..outputs.names import find_page_files
    from ..outputs.report.rerender import redraw_overlays, select

    files = select(find_page_files(out), pages)
    if not files:
        what = "the selected pages" if pages else "any page (no OUT/<name>/page-NNNN.json)"
        click.echo(f"magscan: error: {out}: no results for {what}", err=True)
        sys.exit(ExitCode.FAILED)
    written, errors = redraw_overlays(out, files, width, low_conf=low_conf)
    for e in errors:
        click.echo(f"magscan: error: {e}", err=True)
    click.echo(f"magscan: {len(written)} overlay(s) written, {len(errors)} failed", err=True)
    sys.exit(ExitCode.FAILED if errors else ExitCode.OK)


@click.command("report")
@_out_arg
@click.option("--low-conf", type=click.FloatRange(0, 100), default=LOW_CONF, show_default=True,
              help="The low-confidence threshold: lines below it are shaded and shown with "
                   "their picture, pages whose mean is below it count as low-confidence.")
@click.option("--no-redraw", is_flag=True,
              help="Do not read the scans: show the overlays convert drew, without pictures of "
                   "doubtful lines or of failed pages (faster).")
def report_cmd(out: Path, low_conf: float, no_redraw: bool) -> None:
    """Write a static review site to OUT/report/ (open OUT/report/index.html)."""
    from ..outputs.report.build import write_report

    try:
        result = write_report(out, out_arg=str(out), redraw=not no_redraw, low_conf=low_conf)
    except (MagscanError, OSError) as e:
        click.echo(f"magscan: error: {e}", err=True)
        sys.exit(ExitCode.FAILED)
    for p in result.problems:
        click.echo(f"magscan: error: {p}", err=True)
    if not result.entries:
        click.echo(f"magscan: error: {out}: no pages found (neither manifest.sqlite nor "
                   "<name>/page-NNNN.json)", err=True)
        sys.exit(ExitCode.FAILED)
    n_failed = sum(1 for e in result.entries if e.failed)
    click.echo(f"magscan: report of {len(result.entries)} page(s) ({n_failed} failed) in "
               f"{result.index}", err=True)
    sys.exit(ExitCode.FAILED if result.problems else ExitCode.OK)


__all__ = ["overlay_cmd", "report_cmd"]
