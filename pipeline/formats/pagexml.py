"""PAGE-XML 2019-07-15 (PRImA; the format of OCR-D and Transkribus).

- One region per block, in reading order, with the PAGE type closest to its
  kind: title and heading are ``heading`` (a title keeps ``structure
  {type:title;}`` in @custom, the convention Transkribus reads), body is
  ``paragraph``, a sidebar is ``floating`` (a boxed text outside the flow of
  the columns), running heads are ``header``/``footer``, or ``page-number``
  when they hold nothing but a number; figures are ImageRegions.
- Text lines with their polygon and baseline, and ``TextEquiv`` on both the
  line and the region level: the region's is ``Block.text`` (paragraphs one
  per line), the lines' are its split (see ``flow``), so the two agree.
- ``ReadingOrder``: one OrderedGroup in our order. The resolver reports no
  loose order (its only flag, ``order-cycle-broken``, does not say between
  which blocks), so no UnorderedGroup is invented. Running heads left out of
  the text (no ``keep_headers``) are written as regions but are not in the
  reading order, which PAGE allows and readers honour.
- Coordinates are in the original scan (``geometry``); ``@orientation`` is
  the skew, so a reader can deskew the scan the way we did.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from .. import __version__
from ..model import Page
from .flow import FlowBlock, page_flow, xml_safe
from .geometry import SourceFrame, source_frame

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

__all__ = ["page_xml", "NS"]

_TYPE = {"title": "heading", "heading": "heading", "body": "paragraph", "caption": "caption",
         "header": "header", "footer": "footer", "sidebar": "floating"}
_CUSTOM = {"title": "structure {type:title;}", "sidebar": "structure {type:sidebar;}"}
_PAGE_NUMBER = re.compile(r"^[\s\-—–·.]*(?:\d{1,4}|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[\s\-—–·.]*$")
_LANG = {"chi_sim": ("Chinese", "Hans - Han (Simplified variant)"),
         "chi_tra": ("Chinese", "Hant - Han (Traditional variant)")}


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, **attrs) -> ET.Element:
    return ET.SubElement(parent, _q(tag), {k: str(v) for k, v in attrs.items() if v is not None})


def _points(pts) -> str:
    return " ".join(f"{x},{y}" for x, y in pts)


def _conf(c: float) -> str:
    return f"{min(max(c / 100.0, 0.0), 1.0):.4f}"


def _text_equiv(parent: ET.Element, text: str, conf: float | None) -> None:
    te = _sub(parent, "TextEquiv", conf=None if conf is None else _conf(conf))
    _sub(te, "Unicode").text = xml_safe(text)


def _region_type(fb: FlowBlock) -> str:
    kind = fb.kind
    if kind in ("header", "footer") and _PAGE_NUMBER.match(fb.block.text or ""):
        return "page-number"
    return _TYPE[kind]


def _metadata(root: ET.Element, page: Page, frame: SourceFrame) -> None:
    md = _sub(root, "Metadata")
    _sub(md, "Creator").text = f"magscan {__version__}"
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    _sub(md, "Created").text = now
    _sub(md, "LastChange").text = now
    notes = [f"engine {page.engine or 'unknown'}",
             f"page {page.page_number}{page.part} of {page.source}",
             f"deskew {page.deskew_angle:.3f} deg"]
    if not frame.size_known:
        notes.append("scan not readable when written: image size estimated")
    notes.extend(page.flags)
    _sub(md, "Comments").text = xml_safe("; ".join(notes))


def page_xml(page: Page, frame: SourceFrame | None = None) -> str:
    """The page as a PAGE-XML 2019 document (a string, UTF-8 declared)."""
    frame = frame or source_frame(page)
    flow = page_flow(page)
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(_q("PcGts"), {
        f"{{{XSI}}}schemaLocation": f"{NS} {NS}/pagecontent.xsd",
        "pcGtsId": f"page-{page.page_number:04d}{page.part}"})
    _metadata(root, page, frame)
    rot = frame.rotation
    lang = _LANG.get(str(page.options.get("lang", "")).split("+")[0])
    pg = _sub(root, "Page", imageFilename=xml_safe(frame.filename), imageWidth=frame.width,
              imageHeight=frame.height, imageXResolution=page.dpi, imageYResolution=page.dpi,
              imageResolutionUnit="PPI",
              orientation=f"{rot:.3f}" if abs(rot) >= 0.01 else None,
              primaryLanguage=lang[0] if lang else None,
              primaryScript=lang[1] if lang else None,
              readingDirection="left-to-right", textLineOrder="top-to-bottom")

    ids = [f"r{i}" for i in range(len(flow))]
    in_order = [rid for rid, fb in zip(ids, flow) if fb.in_text or fb.kind == "figure"]
    if in_order:
        ro = _sub(pg, "ReadingOrder")
        group = _sub(ro, "OrderedGroup", id="ro0", caption="magscan reading order")
        for i, rid in enumerate(in_order):
            _sub(group, "RegionRefIndexed", index=i, regionRef=rid)

    for rid, fb in zip(ids, flow):
        b = fb.block
        if b.kind == "figure":
            reg = _sub(pg, "ImageRegion", id=rid)
            _sub(reg, "Coords", points=_points(frame.quad(b.bbox)))
            continue
        reg = _sub(pg, "TextRegion", id=rid, custom=_CUSTOM.get(b.kind), type=_region_type(fb))
        _sub(reg, "Coords", points=_points(frame.quad(b.bbox)))
        for j, ln in enumerate(fb.lines):
            tl = _sub(reg, "TextLine", id=f"{rid}_l{j}")
            _sub(tl, "Coords", points=_points(frame.quad(ln.bbox)))
            _sub(tl, "Baseline", points=_points(frame.baseline(ln.bbox)))
            _text_equiv(tl, ln.text, ln.conf)
        if fb.lines:
            text = b.text if b.text.strip() else "\n".join(ln.text for ln in fb.lines)
            _text_equiv(reg, text, b.conf)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

