"""PAGE-XML 2019-07-15 (PRImA; the format of OCR-D and Transkribus).

- Regions in reading order: one per block, except that a body or sidebar
  block gives one region per paragraph (a PAGE ``paragraph`` is one
  paragraph; one carried on from the previous column is marked
  ``continuation``). The PAGE type is the closest to the block's kind:
  title and heading are ``heading`` (a title keeps ``structure
  {type:title;}`` in @custom, the convention Transkribus reads), body is
  ``paragraph``, a sidebar is ``floating`` (a boxed text outside the flow of
  the columns), running heads are ``header``/``footer``, or ``page-number``
  when they hold nothing but a number (``- 63 -``); a table is a
  TableRegion holding its text as a TextRegion; figures are ImageRegions.
- Text lines with their polygon and baseline, and ``TextEquiv`` on both the
  line and the region level. The lines' text is ``Block.text`` split over
  them (see ``flow``); the region's is its lines' text, one per line, as PAGE
  readers expect, so the two agree and both give our text.
- ``ReadingOrder``: one OrderedGroup in our order. The resolver reports no
  loose order (its only flag, ``order-cycle-broken``, does not say between
  which blocks), so no UnorderedGroup is invented. Running heads left out of
  the text (no ``keep_headers``) are written as regions but are not in the
  reading order, which PAGE allows and readers honour.
- Coordinates are in the original scan (``geometry``); ``@orientation`` is
  the skew, so a reader can deskew the scan the way we did.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone

from ... import __version__
from ...text.assemble import continues_paragraph  # the text file's rule for run-on paragraphs
from ...model import PICTURE_KINDS, PROSE_KINDS, BBox, Block, Page
from .flow import FlowBlock, FlowLine, page_flow, xml_safe
from .geometry import SourceFrame, source_frame

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

__all__ = ["page_xml", "NS"]

_TYPE = {"title": "heading", "heading": "heading", "body": "paragraph", "caption": "caption",
         "header": "header", "footer": "footer", "sidebar": "floating", "footnote": "footnote",
         "table": "other"}
_CUSTOM = {"title": "structure {type:title;}", "sidebar": "structure {type:sidebar;}"}
_LANG = {"chi_sim": ("Chinese", "Hans - Han (Simplified variant)"),
         "chi_tra": ("Chinese", "Hant - Han (Traditional variant)")}
_LANG.update({"chi_sim_vert": _LANG["chi_sim"], "chi_tra_vert": _LANG["chi_tra"]})


def _q(tag: str) -> str:
    # Plain names under a literal xmlns on the root: ElementTree's own
    # namespace handling needs a process-wide prefix registry.
    return tag


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
    return "page-number" if fb.type == "page-number" else _TYPE[fb.kind]


@dataclass
class _Region:
    rid: str
    fb: FlowBlock
    lines: list[FlowLine]
    bbox: BBox
    continuation: bool = False


def _regions(flow: list[FlowBlock]) -> list[_Region]:
    """PAGE regions: a figure or a one-paragraph block as it is; a body or
    sidebar block as one region per paragraph, since a PAGE ``paragraph``
    region is one paragraph. A paragraph carried on from the previous column
    (the text file joins the two) is marked ``continuation``."""
    out: list[_Region] = []
    prev: Block | None = None
    for i, fb in enumerate(flow):
        b = fb.block
        outline = fb.outline
        if b.kind not in PROSE_KINDS or not fb.lines:
            out.append(_Region(f"r{i}", fb, fb.lines, outline))
        else:
            groups: list[list[FlowLine]] = []
            for ln in fb.lines:
                if ln.para_start or not groups:
                    groups.append([])
                groups[-1].append(ln)
            for g, lines in enumerate(groups):
                box = BBox.enclosing(ln.bbox for ln in lines)
                box = BBox(outline.x0, box.y0, outline.x1, box.y1)
                cont = g == 0 and fb.in_text and continues_paragraph(prev, b)
                out.append(_Region(f"r{i}" if len(groups) == 1 else f"r{i}_{g}", fb, lines,
                                   box, cont))
        if fb.in_text:
            prev = b
    return out


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
    root = ET.Element(_q("PcGts"), {
        "xmlns": NS, "xmlns:xsi": XSI, "xsi:schemaLocation": f"{NS} {NS}/pagecontent.xsd",
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
              readingDirection="top-to-bottom" if page.direction == "ttb-rtl" else "left-to-right",
              textLineOrder="right-to-left" if page.direction == "ttb-rtl" else "top-to-bottom")

    regions = _regions(flow)
    in_order = [r for r in regions if r.fb.in_text or r.fb.kind in PICTURE_KINDS]
    if in_order:
        ro = _sub(pg, "ReadingOrder")
        group = _sub(ro, "OrderedGroup", id="ro0", caption="magscan reading order")
        for i, r in enumerate(in_order):
            _sub(group, "RegionRefIndexed", index=i, regionRef=r.rid)

    for r in regions:
        b = r.fb.block
        if b.kind in PICTURE_KINDS:
            reg = _sub(pg, "MathsRegion" if b.kind == "equation" else "ImageRegion", id=r.rid)
            _sub(reg, "Coords", points=_points(frame.quad(r.bbox)))
            continue
        parent = pg
        vertical = b.direction == "ttb-rtl"   # columns down, right to left (pipeline/vertical/)
        if b.kind == "table":  # the table's region, its text in a text region inside
            parent = _sub(pg, "TableRegion", id=r.rid)
            _sub(parent, "Coords", points=_points(frame.quad(r.bbox)))
        reg = _sub(parent, "TextRegion", id=f"{r.rid}_text" if parent is not pg else r.rid,
                   custom=_CUSTOM.get(b.kind),
                   continuation="true" if r.continuation else None, type=_region_type(r.fb),
                   readingDirection="top-to-bottom" if vertical else None,
                   textLineOrder="right-to-left" if vertical else None)
        _sub(reg, "Coords", points=_points(frame.quad(r.bbox)))
        for j, ln in enumerate(r.lines):
            tl = _sub(reg, "TextLine", id=f"{r.rid}_l{j}")
            _sub(tl, "Coords", points=_points(frame.quad(ln.bbox)))
            _sub(tl, "Baseline", points=_points(frame.baseline(ln.bbox)))
            _text_equiv(tl, ln.text, ln.conf)
        if r.lines:
            # PAGE's convention (and OCR-D's consistency check): a region's
            # text is its lines' text, one line per text line.
            _text_equiv(reg, "\n".join(ln.text for ln in r.lines), b.conf)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

