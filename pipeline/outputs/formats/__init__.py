"""Standard output formats: PAGE-XML, ALTO, hOCR and Markdown per page, a
searchable PDF (and a Markdown file) per document.

Every format carries our reading order and the text of the text file
(``flow``); the layout formats (PAGE, ALTO, hOCR, the PDF's text layer) also
hold the regions the text file leaves out (running heads, page numbers,
tables), typed. Per-page files are written next to the page's JSON:
``OUT/<doc>/page-NNNN.page.xml``, ``.alto.xml``, ``.hocr``, ``.md``; the
document's ``OUT/<doc>.pdf`` and ``OUT/<doc>.md`` are made from the page
JSONs in ``OUT/<doc>/``, so ``magscan export`` can redo all of them without
OCR.
"""
from __future__ import annotations

import json
from pathlib import Path

from ...errors import MagscanError
from ..files import atomic_write_bytes, atomic_write_text, read_page
from ..names import PAGE_SUFFIXES, document_file, page_file, page_jsons, page_stem
from ...model import Page

__all__ = ["PAGE_FORMATS", "DOC_FORMATS", "ALL_FORMATS", "BASE_FORMATS", "SUFFIXES",
           "parse_formats", "write_page_formats", "write_document_formats",
           "export_results"]

BASE_FORMATS = ("txt", "json")          # always written by convert
PAGE_FORMATS = ("page", "alto", "hocr", "md")
DOC_FORMATS = ("pdf",)
ALL_FORMATS = BASE_FORMATS + PAGE_FORMATS + DOC_FORMATS
SUFFIXES = {f: PAGE_SUFFIXES[f] for f in PAGE_FORMATS}

# What a broken result file or an unreadable scan raises; anything else is a bug.
_EXPORT_ERRORS = (OSError, ValueError, KeyError, TypeError, MagscanError)


def parse_formats(spec: str) -> tuple[str, ...]:
    """``"txt,json,page,pdf"`` -> the formats in canonical order, txt and json
    always included. Raises ValueError naming an unknown format."""
    wanted = {"txt", "json"}
    for name in (s.strip().lower() for s in (spec or "").split(",")):
        if not name:
            continue
        if name not in ALL_FORMATS:
            raise ValueError(f"unknown format {name!r}; choose from {', '.join(ALL_FORMATS)}")
        wanted.add(name)
    return tuple(f for f in ALL_FORMATS if f in wanted)


def _render(fmt: str, page: Page, frame) -> str:
    if fmt == "page":
        from .pagexml import page_xml
        return page_xml(page, frame)
    if fmt == "alto":
        from .alto import alto_xml
        return alto_xml(page, frame)
    if fmt == "hocr":
        from .hocr import hocr_html
        return hocr_html(page, frame)
    from .markdown import page_markdown
    return page_markdown(page)


def write_page_formats(doc_dir: Path, page: Page, formats) -> dict[str, Path]:
    """Write the page's per-page formats among ``formats`` (others are
    ignored) into ``doc_dir``; returns {format: path}."""
    from .geometry import source_frame

    doc_dir = Path(doc_dir)
    wanted = [f for f in PAGE_FORMATS if f in set(formats)]
    if not wanted:
        return {}
    frame = source_frame(page, doc_dir) if set(wanted) - {"md"} else None
    paths = {}
    for fmt in wanted:
        path = page_file(doc_dir, page.page_number, page.part, fmt)
        atomic_write_text(path, _render(fmt, page, frame))
        paths[fmt] = path
    return paths


def write_document_formats(out_dir: Path, doc: str, formats, pdfa: bool = False
                           ) -> dict[str, Path]:
    """``OUT/<doc>.pdf`` (PDF/A-2b with ``pdfa``) and/or ``OUT/<doc>.md`` from
    the page JSONs in ``OUT/<doc>/``; returns {format: path}. Raises
    MagscanError (or OSError, ValueError for a damaged JSON) naming what is
    wrong."""
    out_dir = Path(out_dir)
    formats = set(formats)
    paths: dict[str, Path] = {}
    if not formats & {"pdf", "md"}:
        return paths
    jsons = [pf.json_path for pf in page_jsons(out_dir / doc)]
    if not jsons:
        raise MagscanError(f"{out_dir / doc}: no page results (page-NNNN.json) to export")
    pages = []
    for jp in jsons:
        try:
            pages.append(_read(jp))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise MagscanError(f"{jp}: {_reason(e)}") from e
    if "pdf" in formats:
        from .pdf import document_pdf
        path = document_file(out_dir, doc, "pdf")
        atomic_write_bytes(path, document_pdf(pages, title=doc, pdfa=pdfa))
        paths["pdf"] = path
    if "md" in formats:
        from .markdown import document_markdown, page_markdown
        path = document_file(out_dir, doc, "md")
        atomic_write_text(path, document_markdown(
            [(page_stem(p.page_number, p.part), page_markdown(p)) for p in pages]))
        paths["md"] = path
    return paths


def _read(path: Path) -> Page:
    try:
        return read_page(path)
    except AttributeError as e:  # valid JSON, but a list or a string, not a page object
        raise ValueError("not a page result (a JSON object was expected)") from e


def _reason(e: BaseException) -> str:
    if isinstance(e, json.JSONDecodeError):
        return f"not a valid result file ({e.msg} at line {e.lineno})"
    if isinstance(e, KeyError):
        return f"result file lacks the field {e.args[0]!r}"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


def _doc_dirs(out_dir: Path) -> list[str]:
    return sorted(d.name for d in out_dir.iterdir() if d.is_dir() and page_jsons(d))


def export_results(out_dir: Path, formats, selection=None,
                   pdfa: bool = False) -> list[tuple[Path, str | None]]:
    """Write ``formats`` for results already in ``out_dir``, without OCR.

    ``selection`` (a ``pageselect.PageSelection``) limits the documents and
    the pages whose per-page files are written; a selected document's PDF
    and Markdown always hold all of its pages; with ``pdfa`` the PDF is
    PDF/A-2b. Returns one (path, None) per
    file written and one (path, reason) per failure, where the path is the
    file that could not be read or written; a failure never stops the rest.
    """
    out_dir = Path(out_dir)
    formats = set(formats)
    results: list[tuple[Path, str | None]] = []
    docs = _doc_dirs(out_dir)
    if selection:
        for name in sorted(set(selection.docs) - set(docs)):
            results.append((out_dir / name, "no converted pages for this document"))
        docs = [d for d in docs if d in selection.docs]
    for doc in docs:
        doc_dir = out_dir / doc
        jsons = page_jsons(doc_dir)
        if selection and formats & set(PAGE_FORMATS):
            have = {pf.page_number for pf in jsons}
            # ranges, not pages: a selection may name a hundred billion of them
            for a, b in selection.missing(doc, have):
                if a == b:
                    results.append((page_file(doc_dir, a), "no such page in the results"))
                else:
                    results.append((doc_dir, f"no pages {a} to {b} in the results"))
        for pf in jsons:
            jp = pf.json_path
            if formats & set(PAGE_FORMATS):
                if selection and not selection.matches(doc, pf.page_number):
                    continue
                try:
                    written = write_page_formats(doc_dir, _read(jp), formats)
                except _EXPORT_ERRORS as e:
                    results.append((jp, _reason(e)))
                    continue
                results.extend((p, None) for p in written.values())
        for fmt in ("md", "pdf"):  # one failing leaves the other
            if fmt not in formats:
                continue
            try:
                written = write_document_formats(out_dir, doc, {fmt}, pdfa=pdfa)
            except _EXPORT_ERRORS as e:
                results.append((document_file(out_dir, doc, fmt), _reason(e)))
                continue
            results.extend((p, None) for p in written.values())
    return results
