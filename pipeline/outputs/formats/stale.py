"""Which formats a page has, and removing the ones a re-run did not write.

A page re-run with another engine or other options gets new files; any file
of the old run that the new one did not write would still describe the old
result (an hOCR naming tesseract beside a JSON that says ppocr). So after a
page is written, its files of every other format are removed, and the
manifest's ``formats`` column says which formats the page has:

- per page: ``txt``, ``json``, ``overlay``, ``page``, ``alto``, ``hocr``, ``md``
  (``OUT/<doc>/page-NNNN.<suffix>``);
- per document, listed on each of its pages: ``pdf``, or ``pdfa`` for a
  PDF/A-2b (``OUT/<doc>.pdf``); the document's Markdown goes with ``md``.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..names import PAGE_SUFFIXES

__all__ = ["PAGE_FILE_SUFFIXES", "FORMAT_ORDER", "join_formats", "split_formats",
           "page_formats_on_disk", "remove_other_formats"]

# every per-page file magscan writes but txt and json (always there), by format
PAGE_FILE_SUFFIXES = {f: s for f, s in PAGE_SUFFIXES.items() if f not in ("txt", "json")}
FORMAT_ORDER = ("txt", "json", "overlay", "page", "alto", "hocr", "md", "pdf", "pdfa")


def join_formats(formats) -> str:
    have = set(formats)
    return ",".join(f for f in FORMAT_ORDER if f in have)


def split_formats(text: str | None) -> list[str]:
    return [f for f in (text or "").split(",") if f]


def page_formats_on_disk(doc_dir: Path, stem: str) -> set[str]:
    """The per-page formats whose files exist for this page (for manifests
    written before the ``formats`` column)."""
    out = {f for f, suf in PAGE_SUFFIXES.items() if (doc_dir / f"{stem}{suf}").is_file()}
    return out


def remove_other_formats(doc_dir: Path, stem: str, keep) -> list[Path]:
    """Remove this page's files of per-page formats not in ``keep``."""
    removed = []
    for fmt, suffix in PAGE_FILE_SUFFIXES.items():
        if fmt in keep:
            continue
        path = doc_dir / f"{stem}{suffix}"
        try:
            os.unlink(path)
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed
