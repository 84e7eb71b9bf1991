"""hOCR, laid out as Tesseract writes it, so that hOCR tools (hocr-tools,
OCRmyPDF's renderer, search-inside viewers) read it as they read Tesseract's:
``ocr_page`` > ``ocr_carea`` > ``ocr_par`` > ``ocr_line`` > ``ocrx_word``,
``bbox`` and ``x_wconf`` in the title, figures as ``ocr_photo``.

Blocks come in our reading order, which is the one thing Tesseract's own
hOCR of a multi-column magazine page gets wrong, every one of them, typed by
its container's class: running heads ``ocr_header``, running feet
``ocr_footer``, page numbers ``ocr_pageno``, tables ``ocr_table``, figures
``ocr_photo``, formulas ``ocr_math``, other text ``ocr_carea``. Line classes
follow Tesseract's mapping of block types: title and heading lines are
``ocr_header``, caption lines ``ocr_caption``, sidebar lines
``ocr_textfloat``, the rest ``ocr_line``. Paragraphs are ours (indent and
short last line, see ``paragraphs``). ``ocr-capabilities`` declares every
class and property written, ``ocr-langs`` the languages the page was read
with. Boxes are in the original scan, the skew in each line's baseline.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ... import __version__
from ...model import PICTURE_KINDS, BBox, Page
from .flow import FlowBlock, FlowLine, line_words, page_flow, page_langs, xml_safe
from .geometry import SourceFrame, source_frame

__all__ = ["hocr_html"]

XHTML = "http://www.w3.org/1999/xhtml"
_LINE_CLASS = {"title": "ocr_header", "heading": "ocr_header", "caption": "ocr_caption",
               "sidebar": "ocr_textfloat"}
_LANG = {"chi_sim": "chi_sim", "chi_tra": "chi_tra", "chi_sim_vert": "chi_sim_vert",
         "chi_tra_vert": "chi_tra_vert"}
# a block's container, by region type (flow.region_type); the rest: ocr_carea
_AREA_CLASS = {"header": "ocr_header", "footer": "ocr_footer", "page-number": "ocr_pageno",
               "table": "ocr_table", "figure": "ocr_photo", "equation": "ocr_math"}
CAPABILITIES = ("ocr_page ocr_carea ocr_par ocr_line ocrx_word ocr_header ocr_footer ocr_pageno "
                "ocr_caption ocr_textfloat ocr_table ocr_photo ocr_math ocrp_wconf ocrp_lang")

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
"""


def _bbox(frame: SourceFrame, bb: BBox) -> str:
    return "bbox {} {} {} {}".format(*frame.box(bb))


def _quoted(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _baseline(frame: SourceFrame, bb: BBox) -> str:
    """Tesseract's ``baseline slope offset``: offset from the box's bottom-left."""
    (lx, ly), (rx, ry) = frame.baseline(bb)
    x0, _, _, y1 = frame.box(bb)
    slope = (ry - ly) / (rx - lx) if rx != lx else 0.0
    offset = ly + slope * (x0 - lx) - y1
    return f"baseline {slope:.5f} {round(offset)}"


def _line(par: ET.Element, fb: FlowBlock, ln: FlowLine, lid: str, frame: SourceFrame,
          tails: list) -> None:
    words = line_words(ln)
    if not words:
        return
    span = ET.SubElement(par, "span", {
        "class": _LINE_CLASS.get(fb.kind, "ocr_line"), "id": lid,
        "title": f"{_bbox(frame, ln.bbox)}; {_baseline(frame, ln.bbox)}; "
                 f"x_size {max(1, ln.bbox.height)}"
                 # a vertical column: its text runs down the page (270 degrees counter-clockwise)
                 + ("; textangle 270" if fb.block.direction == "ttb-rtl" else "")})
    for k, (wbb, text, conf, space) in enumerate(words):
        w = ET.SubElement(span, "span", {
            "class": "ocrx_word", "id": f"word{lid[4:]}_{k}",
            "title": f"{_bbox(frame, wbb)}; x_wconf {int(round(min(max(conf, 0), 100)))}"})
        w.text = xml_safe(text)
        if k < len(words) - 1:
            tails.append((w, " " if space else None))


def hocr_html(page: Page, frame: SourceFrame | None = None) -> str:
    """The page as an hOCR (XHTML) document."""
    frame = frame or source_frame(page)
    flow = page_flow(page)
    langs = page_langs(page)
    lang = _LANG.get(langs[0]) if langs else None
    code = "zh" if lang else "en"
    html = ET.Element("html", {"xmlns": XHTML, "{http://www.w3.org/XML/1998/namespace}lang": code,
                               "lang": code})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "title").text = xml_safe(
        f"{page.source} page {page.page_number}{page.part}")
    ET.SubElement(head, "meta", {"http-equiv": "Content-Type",
                                 "content": "text/html;charset=utf-8"})
    ET.SubElement(head, "meta", {"name": "ocr-system",
                                 "content": f"magscan {__version__} ({page.engine or 'unknown'})"})
    ET.SubElement(head, "meta", {"name": "ocr-capabilities", "content": CAPABILITIES})
    if langs:
        ET.SubElement(head, "meta", {"name": "ocr-langs", "content": " ".join(langs)})
    body = ET.SubElement(html, "body")
    n = page.page_number
    pid = f"page_{n}{page.part}"
    page_box = "bbox {} {} {} {}".format(*frame.box(BBox(0, 0, page.width, page.height)))
    tails: list[tuple[ET.Element, str | None]] = []
    pdiv = ET.SubElement(body, "div", {
        "class": "ocr_page", "id": pid,
        "title": xml_safe(f"image {_quoted(frame.filename)}; {page_box}; ppageno {n - 1}; "
                          f"scan_res {page.dpi} {page.dpi}")})
    for i, fb in enumerate(flow, start=1):
        bid = f"block_{n}{page.part}_{i}"
        cls = _AREA_CLASS.get(fb.type, "ocr_carea")
        if fb.kind in PICTURE_KINDS:
            ET.SubElement(pdiv, "div", {"class": cls, "id": bid,
                                        "title": _bbox(frame, fb.block.bbox)})
            continue
        if not fb.lines:
            continue  # a text block with no text read: nothing to show
        area = ET.SubElement(pdiv, "div", {"class": cls, "id": bid,
                                           "title": _bbox(frame, fb.outline)})
        paras: list[list[FlowLine]] = []
        for ln in fb.lines:
            if ln.para_start or not paras:
                paras.append([])
            paras[-1].append(ln)
        for p, lines in enumerate(paras, start=1):
            attrs = {"class": "ocr_par", "id": f"par_{n}{page.part}_{i}_{p}",
                     "title": _bbox(frame, BBox.enclosing(ln.bbox for ln in lines))}
            if lang:
                attrs["lang"] = lang
            par = ET.SubElement(area, "p", attrs)
            for j, ln in enumerate(lines, start=1):
                _line(par, fb, ln, f"line_{n}{page.part}_{i}_{p}_{j}", frame, tails)
    ET.indent(html, space=" ")
    # Tesseract puts a newline between word elements, which HTML text
    # extraction reads as a space, so its chi_sim hOCR spaces out Han text.
    # Between two words of a line there is white space here only where the
    # text has a space (Latin words).
    for w, tail in tails:
        w.tail = tail
    return _HEAD + ET.tostring(html, encoding="unicode") + "\n"
