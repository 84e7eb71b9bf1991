"""`magscan export OUT --formats ...`: the standard formats from results
already in OUT, without OCR. Registered on the `magscan` group by cli/main.py."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode


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
@click.option("--pdfa", is_flag=True, help="Write the searchable PDF as PDF/A-2b (implies pdf).")
def export_cmd(out_dir: Path, formats: tuple[str, ...], pages, pdfa: bool) -> None:
    """Write PAGE-XML, ALTO, hOCR, Markdown and searchable PDFs for pages
    already converted into OUT (reads OUT/<doc>/page-NNNN.json; no OCR)."""
    from ..outputs.formats import BASE_FORMATS, export_results

    if pdfa and "pdf" not in formats:
        formats = formats + ("pdf",)
    if not set(formats) - set(BASE_FORMATS):
        click.echo("magscan: nothing to export: txt and json are written by convert", err=True)
        sys.exit(ExitCode.OK)
    results = export_results(out_dir, formats, pages, pdfa=pdfa)
    _record_formats(out_dir, results, pdfa)
    written = [p for p, err in results if err is None]
    failed = [(p, err) for p, err in results if err is not None]
    for path, err in failed:
        click.echo(f"magscan: error: {path}: {err}", err=True)
    if not results:
        click.echo(f"magscan: error: {out_dir}: no converted pages (OUT/<doc>/page-NNNN.json) "
                   "to export", err=True)
        sys.exit(ExitCode.FAILED)
    click.echo(f"magscan: {len(written)} file(s) written, {len(failed)} failed; "
               f"results in {out_dir}/", err=True)
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)


def _record_formats(out_dir: Path, results, pdfa: bool) -> None:
    """The manifest's formats column gains the formats just written (when OUT
    has a manifest and no run holds it; the files are there either way)."""
    from ..errors import MagscanError
    from ..outputs.formats.stale import join_formats, page_formats_on_disk

    written = [p for p, err in results if err is None]
    from ..outputs.names import MANIFEST

    if not written or not (out_dir / MANIFEST).is_file():
        return
    from ..batch.runner import open_batch

    pdf_docs = {p.stem for p in written if p.suffix == ".pdf" and p.parent == out_dir}
    try:
        with open_batch(out_dir) as manifest:
            for r in manifest.rows("WHERE status = 'done'"):
                have = set()
                for stem in r.output_stems:
                    have |= page_formats_on_disk(out_dir / r.doc, stem)
                old = set((r.formats or "").split(",")) & {"pdf", "pdfa"}
                pdf = {"pdfa" if pdfa else "pdf"} if r.doc in pdf_docs else old
                manifest.update(r.input, r.page_number, formats=join_formats(have | pdf))
    except MagscanError as e:
        click.echo(f"magscan: warning: manifest not updated: {e}", err=True)
