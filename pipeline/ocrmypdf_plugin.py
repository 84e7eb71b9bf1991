"""magscan as OCRmyPDF's OCR engine:

    ocrmypdf --plugin pipeline.ocrmypdf_plugin -l chi_sim in.pdf out.pdf

OCRmyPDF does what it does well (rasterising, PDF/A, optimisation, keeping
the input's pages); for each page image it asks this engine for an hOCR
file and a text file. magscan gives them its own layout, text and reading
order: the page's columns and blocks found, each block recognised
(Tesseract through its API, as ``magscan convert`` does), the blocks
ordered, and the hOCR written in that order (``formats.hocr``), so the PDF
OCRmyPDF renders from it holds the columns one after the other. Boxes are
in the pixels of the image OCRmyPDF gave (magscan straightens and crops
internally and maps every box back), so OCRmyPDF needs not deskew.

The engine answers for ``--ocr-engine auto`` (the default, once this plugin
is loaded) and ``--ocr-engine magscan``. The language is OCRmyPDF's ``-l``
(``chi_sim``, ``chi_sim+eng``, ...). A two-page spread in one image gives
one hOCR page holding both halves, left page first.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from ocrmypdf import hookimpl
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence

from . import __version__

__all__ = ["MagscanOcrEngine", "get_ocr_engine", "page_hocr"]

ENGINE_NAMES = ("auto", "magscan")


def _options(ocr_options):
    from .options import Options

    langs = list(getattr(ocr_options, "languages", None) or []) if ocr_options else []
    return Options(lang="+".join(langs) if langs else "chi_sim")


def page_hocr(image: Path, options) -> tuple[str, str]:
    """(hOCR, text) of one page image, in magscan's reading order."""
    from .text.assemble import page_text
    from .convert import convert_source
    from .outputs.formats.hocr import hocr_html
    from .ingest.files import load_page
    from .batch.worker import engine_for

    src = load_page(image, 1, options)
    pages = [p.page for p in convert_source(src, options, engine_for(options))]
    text = "\n\n".join(t for t in (page_text(p, options.keep_headers) for p in pages) if t)
    docs = [hocr_html(p) for p in pages]
    h, w = src.image.shape[:2]
    return _whole_image(_merged(docs), w, h), text + ("\n" if text else "")


_PAGE_BOX = re.compile(r'(class="ocr_page"[^>]*?title="[^"]*?)bbox \d+ \d+ \d+ \d+')


def _whole_image(hocr: str, width: int, height: int) -> str:
    """The ``ocr_page`` box as the whole image OCRmyPDF gave, as Tesseract
    writes it: OCRmyPDF sizes the text layer's page from it, and magscan's
    own box is the part of the scan it read (inside a cropped border)."""
    return _PAGE_BOX.sub(lambda m: f"{m.group(1)}bbox 0 0 {width} {height}", hocr, count=1)


def _merged(docs: list[str]) -> str:
    """The hOCR of a spread's halves as one page: the right half's blocks
    after the left's, in the left page's ``ocr_page`` (boxes are in the scan's
    pixels for both, so they need no change)."""
    if len(docs) == 1:
        return docs[0]
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    ET.register_namespace("", ns["h"])
    head, _, _ = docs[0].partition("<html")
    trees = [ET.fromstring(d[len(head):] if d.startswith(head) else d) for d in docs]
    first = trees[0].find(".//h:div[@class='ocr_page']", ns)
    for t in trees[1:]:
        other = t.find(".//h:div[@class='ocr_page']", ns)
        for child in list(other):
            first.append(child)
    return head + ET.tostring(trees[0], encoding="unicode") + "\n"


@lru_cache(maxsize=1)
def _tesseract_languages() -> frozenset[str]:
    from .errors import MagscanError
    from .recognition.tesseract import CHECK_TIMEOUT, _tessdata_args, run_tesseract

    try:
        out = run_tesseract(["--list-langs", *_tessdata_args("chi_sim")], CHECK_TIMEOUT)
    except MagscanError:  # no Tesseract: OCRmyPDF then says the language is missing
        return frozenset()
    text = out.stdout.decode("utf-8", "replace")
    return frozenset(ln.strip() for ln in text.splitlines()[1:] if ln.strip())


class MagscanOcrEngine(OcrEngine):
    """OCRmyPDF's OcrEngine, backed by magscan's page pipeline."""

    @staticmethod
    def version() -> str:
        return __version__

    @staticmethod
    def creator_tag(options) -> str:
        return f"magscan {__version__}"

    def __str__(self) -> str:
        return f"magscan {__version__}"

    @staticmethod
    def languages(options) -> set[str]:
        return set(_tesseract_languages())

    @staticmethod
    def get_orientation(input_file: Path, options) -> OrientationConfidence:
        return OrientationConfidence(angle=0, confidence=0.0)

    @staticmethod
    def get_deskew(input_file: Path, options) -> float:
        return 0.0  # magscan straightens internally and maps its boxes back

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options) -> None:
        hocr, text = page_hocr(Path(input_file), _options(options))
        Path(output_hocr).write_text(hocr, encoding="utf-8")
        Path(output_text).write_text(text, encoding="utf-8")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options) -> None:
        raise NotImplementedError("magscan's OCRmyPDF engine writes hOCR; use OCRmyPDF's "
                                  "default renderer (not --pdf-renderer sandwich)")


@hookimpl
def get_ocr_engine(options):
    if options is not None and getattr(options, "ocr_engine", "auto") not in ENGINE_NAMES:
        return None
    return MagscanOcrEngine()
