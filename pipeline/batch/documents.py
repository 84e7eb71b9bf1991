"""The document files of a batch: each document's text from its page files,
and its PDF and Markdown when asked for or when it has them already."""
from __future__ import annotations

from pathlib import Path

from ..errors import MagscanError, one_line, shown
from ..outputs.formats.stale import join_formats, page_formats_on_disk, split_formats
from .manifest import Manifest, Row
from .settings import BatchResult, RunSettings, default_log

__all__ = ["write_documents", "page_formats"]


def _doc_formats(out_dir: Path, doc: str, rows: list[Row], formats, pdfa: bool
                 ) -> tuple[set[str], bool]:
    """The document files to (re)write: those asked for, and those the
    document has already (a page re-run must not leave its old text in them)."""
    wanted = set(formats or ()) & {"pdf", "md"} | ({"pdf"} if pdfa else set())
    had: set[str] = set()
    for r in rows:
        if r.formats is not None:
            had |= set(split_formats(r.formats))
        else:  # a manifest from before the formats column: the files tell
            had |= {"pdf"} if (out_dir / f"{doc}.pdf").is_file() else set()
            had |= {"md"} if (out_dir / f"{doc}.md").is_file() else set()
    if had & {"pdf", "pdfa"}:
        wanted.add("pdf")
    if "md" in had:
        wanted.add("md")
    return wanted, pdfa or "pdfa" in had


def _record_doc_formats(manifest: Manifest, rows: list[Row], pdf: str | None) -> None:
    for r in rows:
        have = set(split_formats(r.formats)) - {"pdf", "pdfa"} if r.formats is not None \
            else _formats_on_disk(manifest.path.parent, r)
        manifest.update(r.input, r.page_number,
                        formats=join_formats(have | ({pdf} if pdf else set())))


def _formats_on_disk(out_dir: Path, r: Row) -> set[str]:
    have: set[str] = set()
    for stem in r.output_stems:
        have |= page_formats_on_disk(out_dir / r.doc, stem)
    return have


def write_documents(out_dir: Path, manifest: Manifest, docs: set[str],
                    formats: tuple | None = (), pdfa: bool = False,
                    result: "BatchResult | None" = None, log=None) -> list[Path]:
    """OUT/<doc>.txt (all pages in order, form feeds between) for each document,
    from the page files that exist; a document with failed pages gets the
    pages that succeeded. Its PDF and Markdown too when asked for or when it
    has them already; one that cannot be written is an error of the batch
    (in ``result``), not the end of it."""
    from ..outputs.files import write_document_text

    written = []
    for doc in sorted(docs):
        rows = [r for r in manifest.rows("WHERE doc = ?", (doc,)) if r.status == "done"]
        texts = []
        for r in rows:
            for stem in r.output_stems:
                f = out_dir / doc / f"{stem}.txt"
                if f.is_file():
                    texts.append(f.read_text(encoding="utf-8"))
        if texts:
            written.append(write_document_text(out_dir, doc, texts))
            doc_formats, as_pdfa = _doc_formats(out_dir, doc, rows, formats, pdfa)
            if not doc_formats:
                continue
            from ..outputs.formats import write_document_formats
            pdf = None
            for fmt in sorted(doc_formats):  # one failing leaves the other
                try:
                    write_document_formats(out_dir, doc, {fmt}, pdfa=as_pdfa)
                    if fmt == "pdf":
                        pdf = "pdfa" if as_pdfa else "pdf"
                except (MagscanError, OSError, ValueError) as e:
                    # the old file holds the old text of the pages just redone
                    (out_dir / f"{doc}.{fmt}").unlink(missing_ok=True)
                    msg = f"{shown(out_dir / doc)}.{fmt} not written: {one_line(str(e))}"
                    if result is not None:
                        result.errors.append(msg)
                        result.failed += 1
                    (log or default_log)(f"magscan: error: {msg}")
            _record_doc_formats(manifest, rows, pdf)
    return written


def page_formats(r: Row, settings: RunSettings, out_dir: Path) -> tuple:
    """The per-page formats a re-run writes: those asked for, or those the
    page has (so that none is left with the old result)."""
    from ..outputs.formats import PAGE_FORMATS

    if settings.formats is not None or r is None:
        return tuple(f for f in settings.formats or () if f in PAGE_FORMATS)
    have = set(split_formats(r.formats)) if r.formats is not None else \
        _formats_on_disk(out_dir, r)
    return tuple(f for f in PAGE_FORMATS if f in have)
