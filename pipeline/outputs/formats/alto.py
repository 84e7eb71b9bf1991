"""ALTO 4 (the format of library full-text viewers and METS packages).

ALTO has no reading order but the order of its elements, so the blocks are
written in ours, every one of them: text blocks and figures (as
Illustration) in the print space, running heads and page numbers in
TopMargin/BottomMargin, where ALTO says page numbers and running titles
belong (whether or not the text file keeps them).

Each block's region type (``flow.region_type``: its kind, or
``page-number``) is a StructureTag the block refers to (TAGREFS). Strings
are the engine's words carrying their share of the cleaned line text, with
the word confidence as WC (0..1); an SP stands between two Strings only where
the text has a space (Latin words), never between Han characters.
Coordinates: axis-aligned boxes in the original scan (``geometry``), with
the skew as the blocks' ROTATION.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from ... import __version__
from ...model import PICTURE_KINDS, BBox, Page
from .flow import FlowBlock, line_words, page_flow, page_langs, xml_safe
from .geometry import SourceFrame, source_frame

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"

__all__ = ["alto_xml", "NS"]

_LANG = {"chi_sim": "zh-Hans", "chi_tra": "zh-Hant", "chi_sim_vert": "zh-Hans",
         "chi_tra_vert": "zh-Hant", "eng": "en"}


def _q(tag: str) -> str:
    # Plain names under a literal xmlns on the root: ElementTree's own
    # namespace handling needs a process-wide prefix registry.
    return tag


def _sub(parent: ET.Element, tag: str, **attrs) -> ET.Element:
    return ET.SubElement(parent, _q(tag), {k: str(v) for k, v in attrs.items() if v is not None})


def _pos(frame: SourceFrame, bb: BBox) -> dict:
    x0, y0, x1, y1 = frame.box(bb)
    return {"HPOS": x0, "VPOS": y0, "WIDTH": x1 - x0, "HEIGHT": y1 - y0}


def _wc(conf: float) -> str:
    return f"{min(max(conf / 100.0, 0.0), 1.0):.3f}"


def _text_block(parent: ET.Element, fb: FlowBlock, bid: str, frame: SourceFrame,
                rotation: str | None, lang: str | None) -> None:
    if fb.block.direction == "ttb-rtl":   # columns: the text runs down (counter-clockwise degrees)
        rotation = f"{(float(rotation or 0) + 270) % 360:.2f}"
    tb = _sub(parent, "TextBlock", ID=bid, TAGREFS=f"kind_{fb.type}", ROTATION=rotation,
              LANG=lang, **_pos(frame, fb.outline))
    for j, ln in enumerate(fb.lines):
        words = line_words(ln)
        if not words:
            continue  # ALTO requires a String in every TextLine
        tl = _sub(tb, "TextLine", ID=f"{bid}_l{j}", **_pos(frame, ln.bbox))
        for k, (wbb, text, conf, space) in enumerate(words):
            _sub(tl, "String", ID=f"{bid}_l{j}_w{k}", CONTENT=xml_safe(text), WC=_wc(conf),
                 **_pos(frame, wbb))
            if space and k < len(words) - 1:
                x1 = frame.box(wbb)[2]
                nx0 = frame.box(words[k + 1][0])[0]
                _sub(tl, "SP", HPOS=x1, VPOS=frame.box(wbb)[1], WIDTH=max(0, nx0 - x1))


def alto_xml(page: Page, frame: SourceFrame | None = None) -> str:
    """The page as an ALTO 4.2 document (a string, UTF-8 declared)."""
    frame = frame or source_frame(page)
    flow = page_flow(page)
    root = ET.Element(_q("alto"), {"xmlns": NS, "xmlns:xsi": XSI,
                                   "xsi:schemaLocation": f"{NS} {SCHEMA}", "SCHEMAVERSION": "4.2"})
    desc = _sub(root, "Description")
    _sub(desc, "MeasurementUnit").text = "pixel"
    sii = _sub(desc, "sourceImageInformation")
    _sub(sii, "fileName").text = xml_safe(frame.filename)
    proc = _sub(desc, "Processing", ID="magscan")
    _sub(proc, "processingCategory").text = "contentGeneration"
    _sub(proc, "processingDateTime").text = (
        datetime.now(timezone.utc).replace(microsecond=0).isoformat())
    _sub(proc, "processingStepSettings").text = xml_safe(
        f"engine {page.engine or 'unknown'}; lang {page.options.get('lang', '')}; "
        f"deskew {page.deskew_angle:.3f} deg; page {page.page_number}{page.part}")
    sw = _sub(proc, "processingSoftware")
    _sub(sw, "softwareName").text = "magscan"
    _sub(sw, "softwareVersion").text = __version__

    kinds = sorted({fb.type for fb in flow})
    if kinds:
        tags = _sub(root, "Tags")
        for k in kinds:
            _sub(tags, "StructureTag", ID=f"kind_{k}", TYPE="block kind", LABEL=k)

    layout = _sub(root, "Layout")
    pg = _sub(layout, "Page", ID=f"page{page.page_number}{page.part}",
              PHYSICAL_IMG_NR=page.page_number, WIDTH=frame.width, HEIGHT=frame.height,
              PROCESSINGREFS="magscan",
              POSITION={"L": "Left", "R": "Right"}.get(page.part, None),
              PC=f"{min(max(page.mean_conf / 100.0, 0.0), 1.0):.3f}")
    rot = frame.rotation
    rotation = f"{rot:.3f}" if abs(rot) >= 0.01 else None
    langs = page_langs(page)
    lang = _LANG.get(langs[0]) if langs else None

    written = [(i, fb) for i, fb in enumerate(flow) if fb.lines or fb.kind in PICTURE_KINDS]
    spaces = {"TopMargin": [], "PrintSpace": [], "BottomMargin": []}
    for i, fb in written:
        where = {"header": "TopMargin", "footer": "BottomMargin"}.get(fb.kind, "PrintSpace")
        spaces[where].append((i, fb))
    for name in ("TopMargin", "BottomMargin", "PrintSpace"):  # the schema's sequence
        items = spaces[name]
        if not items and name != "PrintSpace":
            continue
        boxes = [fb.outline for _, fb in items]
        area = BBox.enclosing(boxes) if boxes else BBox(0, 0, page.width, page.height)
        ps = _sub(pg, name, ID=f"{name[0].lower()}s", **_pos(frame, area))
        for i, fb in items:
            bid = f"b{i}"
            if fb.kind in PICTURE_KINDS:
                _sub(ps, "Illustration", ID=bid, TAGREFS=f"kind_{fb.type}",
                     **_pos(frame, fb.block.bbox))
            else:
                _text_block(ps, fb, bid, frame, rotation, lang)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
