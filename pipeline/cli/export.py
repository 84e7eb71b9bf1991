"""`magscan export OUT --formats ...`: the standard formats from results
already in OUT, without OCR. Registered on the `magscan` group by cli/main.py."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE  # noqa: E402 - the one list of exit codes


def _formats(ctx, param, value):
    from ..outputs.formats import parse_formats

    try:
        return parse_formats(value)
    except ValueError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None


def _pages(ctx, param, value):
    from ..ingest.pageselect import SelectionError, parse_pages

    try:
        return parse_pages(value) if value else None
    except SelectionError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None


@click.command("export")
@click.argument("out_dir", metavar="OUT",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--formats", "formats", required=True, callback=_formats,
              help="Comma-separated: page (PAGE-XML), alto, hocr, md (per page and per "
                   "document), pdf (searchable PDF per document); txt and json are always there.")
@click.option("--pages", "pages", multiple=True, callback=_pages, metavar="STEM[:PAGES]",
              help="Only these documents and pages, e.g. --pages scan:1,3-5 (repeatable); "
                   "a selected document's PDF and Markdown still hold all its pages.")
def export_cmd(out_dir: Path, formats: tuple[str, ...], pages) -> None:
    """Write PAGE-XML, ALTO, hOCR, Markdown and searchable PDFs for pages
    already converted into OUT (reads OUT/<doc>/page-NNNN.json; no OCR)."""
    from ..outputs.formats import BASE_FORMATS, export_results

    if not set(formats) - set(BASE_FORMATS):
        click.echo("magscan: nothing to export: txt and json are written by convert", err=True)
        sys.exit(EXIT_OK)
    results = export_results(out_dir, formats, pages)
    written = [p for p, err in results if err is None]
    failed = [(p, err) for p, err in results if err is not None]
    for path, err in failed:
        click.echo(f"magscan: error: {path}: {err}", err=True)
    if not results:
        click.echo(f"magscan: error: {out_dir}: no converted pages (OUT/<doc>/page-NNNN.json) "
                   "to export", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"magscan: {len(written)} file(s) written, {len(failed)} failed; "
               f"results in {out_dir}/", err=True)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)
