"""`magscan repair INPUT... -o OUT`: other engines' OCR output (hOCR, ALTO,
PaddleOCR/RapidOCR JSON) put back in reading order, written like converted pages.

INPUT is a file or a folder (searched recursively for .hocr, .html, .xml and
.json files). The page image that an hOCR or ALTO file names (relative to the
file) becomes the page's scan, as for a converted page: the overlay is drawn
on it, `magscan report OUT` shows it and `--formats pdf` puts it under the
text. Without the image the text and JSON are still written.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import ExitCode, MagscanError

REPAIR_EXTS = frozenset({".hocr", ".html", ".xml", ".json"})


def repair_inputs(paths) -> list[Path]:
    """Files as given; folders searched recursively for OCR output files."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(Path(root) / f for root, _, files in os.walk(p) for f in files
                              if Path(f).suffix.lower() in REPAIR_EXTS and not f.startswith(".")))
        else:
            out.append(p)
    return out


def _warn(msg: str) -> None:
    click.echo(f"magscan: warning: {msg}", err=True)


def _scan_gray(page, src, options):
    """The page image in page pixels, or None (with a warning) when the file
    names none or it cannot be read."""
    import cv2

    from ..ingest.files import load_page

    if src.image is None:
        return None
    if not src.image.is_file():
        _warn(f"{src.path}: page image {src.image} not found; no overlay or PDF image")
        return None
    try:
        gray = load_page(src.image, 1, options).image
    except MagscanError as e:
        _warn(f"{src.path}: page image unreadable ({e}); no overlay or PDF image")
        return None
    if gray.shape != (page.height, page.width):  # an image scaled after OCR
        gray = cv2.resize(gray, (page.width, page.height), interpolation=cv2.INTER_AREA)
    return gray


def _repair_one(path: Path, doc: str, out: Path, fmt: str, options, overlays: bool,
                formats: tuple[str, ...]) -> None:
    from ..text.assemble import page_text
    from ..outputs.files import write_document_text, write_page
    from ..outputs.overlay import draw_overlay
    from ..convert_boxes import repair_input
    from ..ingest.ocr_files import read_input

    src = read_input(path, None if fmt == "auto" else fmt)
    page = repair_input(src, options)
    gray = _scan_gray(page, src, options) if overlays or "pdf" in formats else None
    overlay = draw_overlay(page, gray) if overlays and gray is not None else None
    write_page(out / doc, page, options.keep_headers, overlay)
    write_document_text(out, doc, [page_text(page, options.keep_headers)])
    if formats:
        from ..outputs.formats import DOC_FORMATS, write_document_formats, write_page_formats
        write_page_formats(out / doc, page, formats)
        wanted = set(formats) & set(DOC_FORMATS)
        if "pdf" in wanted and gray is None:
            _warn(f"{path}: no page image, so no PDF")
            wanted.discard("pdf")
        if wanted:
            write_document_formats(out, doc, wanted)


@click.command("repair")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output folder: OUT/<stem>/page-0001.{txt,json,overlay.png} and OUT/<stem>.txt.")
@click.option("--format", "fmt", type=click.Choice(["auto", "hocr", "alto", "paddle"]),
              default="auto", show_default=True, help="Input format (auto: from the content).")
@click.option("--keep-headers", is_flag=True, help="Keep running headers and footers in the text.")
@click.option("--no-overlays", is_flag=True, help="Do not write overlay images.")
@click.option("--formats", default="txt,json", show_default=True,
              help="Outputs: txt,json plus any of page,alto,hocr,md,pdf (pdf needs the page image).")
def repair_cmd(inputs, out, fmt, keep_headers, no_overlays, formats):
    """Repair the reading order of OCR output that has line boxes."""
    from .common import check_out_dir
    from ..outputs.names import unique_stems

    # outputs (JSON, PAGE, ALTO) among the inputs would be read back as input
    check_out_dir(inputs, out)
    from ..outputs.formats import parse_formats
    from ..options import Options

    try:
        extra = tuple(f for f in parse_formats(formats) if f not in ("txt", "json"))
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    options = Options(keep_headers=keep_headers)
    files = repair_inputs(inputs)
    if not files:
        click.echo("magscan: error: no hOCR, ALTO or JSON files found in the inputs", err=True)
        sys.exit(ExitCode.FAILED)
    docs = unique_stems(files, {})
    failed = 0
    for path in files:
        try:
            _repair_one(path, docs[path], out, fmt, options, not no_overlays, extra)
        except MagscanError as e:
            click.echo(f"magscan: error: {e}", err=True)
            failed += 1
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)
