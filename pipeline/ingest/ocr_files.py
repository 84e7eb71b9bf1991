"""Readers for other engines' OCR output with line boxes: hOCR (Tesseract),
ALTO XML, PaddleOCR/RapidOCR JSON. Each gives TextBox lines (page pixels,
top-left origin) that go through layout.boxes -> reading order -> assembly
(``convert_boxes.repair_input``), so glued or interleaved lines come back in
column order without OCR."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..model import TextBox

__all__ = ["OcrInput", "detect_format", "read_hocr", "read_alto", "read_paddle", "read_input"]

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


_IMAGE = re.compile(r'image\s+"([^"]*)"')
_SCAN_RES = re.compile(r"scan_res\s+(\d+)")
_LINE_CLASSES = frozenset({"ocr_line", "ocrx_line", "ocr_textfloat", "ocr_header", "ocr_caption"})
_BLOCK_CLASSES = frozenset({"ocr_par", "ocr_carea"})


@dataclass
class OcrInput:
    """What an OCR output file holds: its lines in the engine's order, the page
    size and the page image it names (``image`` resolved against the file's
    folder; it may not exist)."""
    path: Path
    fmt: str
    lines: list[TextBox]
    size: tuple[float, float] | None = None
    image: Path | None = None
    dpi: int | None = None


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _block_of(el, ids: dict) -> int:
    """Index of the nearest enclosing paragraph or block, in document order."""
    for anc in el.iterancestors():
        if _classes(anc) & _BLOCK_CLASSES:
            return ids.setdefault(anc, len(ids))
    return -1


def _hocr_words(el) -> list[tuple[tuple, str, float]]:
    words = []
    for w in el.iter():
        if "ocrx_word" in _classes(w) and (wm := _BBOX.search(w.get("title") or "")):
            t = "".join(w.itertext()).strip()
            if t:
                c = _WCONF.search(w.get("title") or "")
                words.append((tuple(float(wm.group(i)) for i in range(1, 5)), t,
                              float(c.group(1)) if c else 100.0))
    return words


def read_hocr(data: str, path) -> OcrInput:
    root = _xml(data, path)
    out = OcrInput(Path(path), "hocr", [])
    ids: dict = {}
    for el in root.iter():
        cls = _classes(el)
        title = el.get("title") or ""
        if "ocr_page" in cls:
            if m := _BBOX.search(title):
                out.size = (float(m.group(3)), float(m.group(4)))
            if m := _IMAGE.search(title):
                out.image = _resolve(path, m.group(1))
            if m := _SCAN_RES.search(title):
                out.dpi = int(m.group(1)) or None
        if not _LINE_CLASSES & cls or not (m := _BBOX.search(title)):
            continue
        words = _hocr_words(el)
        text = "".join(t for _, t, _ in words) if words else "".join(el.itertext()).strip()
        if not text:
            continue
        bb = tuple(float(m.group(i)) for i in range(1, 5))
        conf = sum(c for *_, c in words) / len(words) if words else 100.0
        out.lines.append(TextBox(bb, text, [(b, t) for b, t, _ in words], conf, _block_of(el, ids)))
    return out


def read_alto(data: str, path) -> OcrInput:
    root = _xml(data, path)
    out = OcrInput(Path(path), "alto", [])
    ids: dict = {}

    def box(el):
        x, y = float(el.get("HPOS", 0)), float(el.get("VPOS", 0))
        return (x, y, x + float(el.get("WIDTH", 0)), y + float(el.get("HEIGHT", 0)))

    for el in root.iter():
        tag = _local(el.tag)
        if tag == "Page" and el.get("WIDTH") and el.get("HEIGHT"):
            out.size = (float(el.get("WIDTH")), float(el.get("HEIGHT")))
        if tag == "fileName" and (el.text or "").strip() and out.image is None:
            out.image = _resolve(path, el.text.strip())
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
        parent = el.getparent()
        block = ids.setdefault(parent, len(ids)) if parent is not None and \
            _local(parent.tag) == "TextBlock" else -1
        out.lines.append(TextBox(box(el), text, atoms, conf, block))
    return out


def read_paddle(data: str, path) -> OcrInput:
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
    return OcrInput(Path(path), "paddle", lines)


def _resolve(path, ref: str) -> Path:
    """An image reference as the file gives it: absolute, or relative to the file's folder."""
    p = Path(ref)
    return p if p.is_absolute() else Path(path).parent / p


def read_input(path, fmt: str | None = None) -> OcrInput:
    """Read one OCR output file (format from the content unless ``fmt``)."""
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
    got = reader(data, path)
    if not got.lines:
        raise InputError(path, f"no text lines found ({fmt})")
    return got
