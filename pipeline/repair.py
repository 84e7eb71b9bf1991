"""Readers for other engines' OCR output with line boxes: hOCR (Tesseract),
ALTO XML, PaddleOCR/RapidOCR JSON. Each gives TextBox lines (page pixels,
top-left origin) that go through layout_boxes -> reading order -> assembly,
so glued or interleaved lines come back in column order without OCR."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import InputError
from .layout_boxes import TextBox, page_from_boxes

__all__ = ["detect_format", "read_hocr", "read_alto", "read_paddle", "repair_file"]

_BBOX = re.compile(r"bbox\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)")
_WCONF = re.compile(r"x_wconf\s+(\d+(?:\.\d+)?)")


def detect_format(path: Path, data: str) -> str:
    """"hocr" | "alto" | "paddle" from the content (the extension only breaks ties)."""
    head = data.lstrip()[:4000]
    if head.startswith("[") or head.startswith("{"):
        return "paddle"
    if re.search(r"<alto[\s>]", head) or "standards/alto" in head:
        return "alto"
    if "ocr_page" in data or "ocr_line" in data or "ocrx_word" in data:
        return "hocr"
    ext = path.suffix.lower()
    return {".hocr": "hocr", ".html": "hocr", ".xml": "alto", ".json": "paddle"}.get(ext, "")


def _xml(data: str, path):
    from lxml import etree
    try:
        return etree.fromstring(data.encode("utf-8"), etree.XMLParser(recover=False, huge_tree=True))
    except etree.XMLSyntaxError:
        try:  # Tesseract's hOCR is XHTML, but other writers emit plain HTML
            from lxml import html
            return html.fromstring(data.encode("utf-8"))
        except Exception as e:  # noqa: BLE001 - any parse failure is an unreadable input
            raise InputError(path, f"not well-formed XML/HTML: {e}") from e


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_hocr(data: str, path) -> tuple[list[TextBox], tuple[float, float] | None]:
    root = _xml(data, path)
    size = None
    lines: list[TextBox] = []
    for el in root.iter():
        cls = (el.get("class") or "").split()
        title = el.get("title") or ""
        if "ocr_page" in cls and (m := _BBOX.search(title)):
            size = (float(m.group(3)), float(m.group(4)))
        if not {"ocr_line", "ocrx_line", "ocr_textfloat", "ocr_header", "ocr_caption"} & set(cls):
            continue
        m = _BBOX.search(title)
        if not m:
            continue
        words = []
        for w in el.iter():
            if "ocrx_word" in (w.get("class") or "").split() and (wm := _BBOX.search(w.get("title") or "")):
                t = "".join(w.itertext()).strip()
                if t:
                    c = _WCONF.search(w.get("title") or "")
                    words.append(((float(wm.group(1)), float(wm.group(2)), float(wm.group(3)),
                                   float(wm.group(4))), t, float(c.group(1)) if c else 100.0))
        text = "".join(t for _, t, _ in words) if words else "".join(el.itertext()).strip()
        if not text:
            continue
        bb = tuple(float(m.group(i)) for i in range(1, 5))
        conf = sum(c for *_, c in words) / len(words) if words else 100.0
        lines.append(TextBox(bb, text, [(b, t) for b, t, _ in words], conf))
    return lines, size


def read_alto(data: str, path) -> tuple[list[TextBox], tuple[float, float] | None]:
    root = _xml(data, path)
    size = None
    lines: list[TextBox] = []

    def box(el):
        x, y = float(el.get("HPOS", 0)), float(el.get("VPOS", 0))
        return (x, y, x + float(el.get("WIDTH", 0)), y + float(el.get("HEIGHT", 0)))

    for el in root.iter():
        tag = _local(el.tag)
        if tag == "Page" and el.get("WIDTH") and el.get("HEIGHT"):
            size = (float(el.get("WIDTH")), float(el.get("HEIGHT")))
        if tag != "TextLine":
            continue
        strings = [(box(s), s.get("CONTENT", ""), float(s.get("WC", 1.0)) * 100)
                   for s in el.iter() if _local(s.tag) == "String" and s.get("CONTENT", "").strip()]
        text = "".join(t for _, t, _ in strings)
        if not text:
            continue
        conf = sum(c for *_, c in strings) / len(strings)
        # one String for the whole line carries no more than the line box
        atoms = [(b, t) for b, t, _ in strings] if len(strings) > 1 else []
        lines.append(TextBox(box(el), text, atoms, conf))
    return lines, size


def read_paddle(data: str, path) -> tuple[list[TextBox], None]:
    try:
        items = json.loads(data)
    except json.JSONDecodeError as e:
        raise InputError(path, f"not valid JSON: {e}") from e
    if isinstance(items, dict):  # {"result": [...]} / {"data": [...]} wrappers
        items = next((v for v in items.values() if isinstance(v, list)), None)
    if not isinstance(items, list):
        raise InputError(path, "JSON is not a list of [box, text, score]")
    if len(items) == 1 and isinstance(items[0], list) and items[0] and \
            isinstance(items[0][0], list) and len(items[0][0]) == 2 and isinstance(items[0][0][1], list):
        items = items[0]  # PaddleOCR's per-page wrapper [[...lines...]]
    lines = []
    for i, it in enumerate(items):
        try:
            box = it[0]
            if len(it) == 2:        # [box, [text, score]] (PaddleOCR <= 2.x)
                text, score = it[1][0], it[1][1]
            else:                   # [box, text, score] (RapidOCR)
                text, score = it[1], it[2]
            xs = [float(p[0]) for p in box]
            ys = [float(p[1]) for p in box]
        except (TypeError, IndexError, ValueError, KeyError) as e:
            raise InputError(path, f"item {i} is not [box, text, score]") from e
        if str(text).strip():
            s = float(score)
            lines.append(TextBox((min(xs), min(ys), max(xs), max(ys)), str(text), [],
                                 s * 100 if s <= 1 else s))
    return lines, None


def repair_file(path, options=None, fmt: str | None = None):
    """One OCR output file -> one Page in reading order (engine "repair:<format>")."""
    from .options import Options
    options = options or Options()
    path = Path(path)
    try:
        data = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read: {e}") from e
    if not data.strip():
        raise InputError(path, "empty file")
    fmt = fmt or detect_format(path, data)
    reader = {"hocr": read_hocr, "alto": read_alto, "paddle": read_paddle}.get(fmt)
    if reader is None:
        raise InputError(path, "unknown format (expected hOCR, ALTO XML or PaddleOCR/RapidOCR JSON)")
    lines, size = reader(data, path)
    if not lines:
        raise InputError(path, f"no text lines found ({fmt})")
    if size is None:  # the boxes' extent, with the left/top margin mirrored
        size = (max(ln.bbox[2] for ln in lines) + min(ln.bbox[0] for ln in lines),
                max(ln.bbox[3] for ln in lines) + min(ln.bbox[1] for ln in lines))
    return page_from_boxes(lines, source=str(path), page_number=1, width=size[0], height=size[1],
                           dpi=options.dpi, engine=f"repair:{fmt}",
                           options={**options.to_dict(), "fingerprint": options.fingerprint()})
