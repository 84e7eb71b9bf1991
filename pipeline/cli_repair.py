"""`magscan repair INPUT... -o OUT`: other engines' OCR output (hOCR, ALTO,
PaddleOCR/RapidOCR JSON) put back in reading order, written like converted pages."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import MagscanError


@click.command("repair")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output folder: OUT/<stem>/page-0001.{txt,json} and OUT/<stem>.txt.")
@click.option("--format", "fmt", type=click.Choice(["auto", "hocr", "alto", "paddle"]),
              default="auto", show_default=True, help="Input format (auto: from the content).")
@click.option("--keep-headers", is_flag=True, help="Keep running headers and footers in the text.")
def repair_cmd(inputs, out, fmt, keep_headers):
    """Repair the reading order of OCR output that has line boxes."""
    from .assemble import page_text
    from .export import write_document_text, write_page
    from .options import Options
    from .repair import repair_file

    options = Options(keep_headers=keep_headers)
    failed = 0
    for path in inputs:
        try:
            page = repair_file(path, options, None if fmt == "auto" else fmt)
            write_page(out / path.stem, page, keep_headers)
            write_document_text(out, path.stem, [page_text(page, keep_headers)])
        except MagscanError as e:
            click.echo(f"magscan: error: {e}", err=True)
            failed += 1
    sys.exit(1 if failed else 0)
