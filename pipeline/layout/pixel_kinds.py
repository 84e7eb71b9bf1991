"""The pixel layout's blocks: its text lines grouped into blocks, and each
block's kind (header, footer, title, heading, body, caption, sidebar; the
masthead's subtitle and author lines, running feet and footnotes found on
the whole page). The thresholds both layout engines share are in
``kind_rules``."""
from __future__ import annotations

import numpy as np

from . import kind_rules as rules
from ..kinds import RUNNING_KINDS, BlockKind
from ..model import BBox, Block
from .lines import TextLine

__all__ = ["group_blocks", "block_kind", "masthead", "running_feet", "footnotes"]


def group_blocks(lines: list[TextLine], others: list[BBox], ch: float) -> list[list[TextLine]]:
    """Consecutive lines with the same column span, similar size and normal
    leading form one block; a larger gap, a size change or anything lying
    between them starts a new one."""
    lines = sorted(lines, key=lambda ln: (ln.bbox.y0, ln.bbox.x0))
    gaps = []
    by_span: dict[tuple, list[TextLine]] = {}
    for ln in lines:
        by_span.setdefault((ln.span, ln.frame), []).append(ln)
    for group in by_span.values():
        for a, b in zip(group, group[1:]):
            g = b.bbox.y0 - a.bbox.y1
            if 0 <= g < 2 * ch and abs(a.bbox.height - b.bbox.height) < 0.2 * ch:
                gaps.append(g)
    lead = float(np.median(gaps)) if gaps else 0.6 * ch
    blocks: list[list[TextLine]] = []
    for group in by_span.values():
        cur: list[TextLine] = []
        for ln in group:
            if cur:
                prev = cur[-1]
                hp, hn = prev.bbox.height, ln.bbox.height
                gap = ln.bbox.y0 - prev.bbox.y1
                limit = rules.gap_limit(lead, ch, hp, hn) * max(1.0, min(hp, hn) / ch)
                # a subtitle (~1.35 em) over an author line (~1.1 em) are two blocks:
                # Tesseract reading them as one uniform block drops a line; but a
                # paragraph's last line of a character or two ("程。") may be lower
                typical = float(np.median([c.bbox.height for c in cur]))
                short = ln.bbox.width < 3 * hn
                similar = (0.6 if short else 0.87) <= hn / max(typical, 1) <= 1.15
                bold_change = abs(ln.density - prev.density) > 0.35 * max(ln.density, prev.density)
                lo, hi = prev.bbox.y1, ln.bbox.y0
                xs0, xs1 = min(prev.bbox.x0, ln.bbox.x0), max(prev.bbox.x1, ln.bbox.x1)
                between = any(o.y0 < hi and o.y1 > lo and o.x0 < xs1 and o.x1 > xs0
                              and not (o.y0 <= prev.bbox.y0 and ln.bbox.y1 <= o.y1)  # its own box
                              for o in others)
                if gap > limit or not similar or between or (bold_change and len(cur) <= 2):
                    blocks.append(cur)
                    cur = []
            cur.append(ln)
        if cur:
            blocks.append(cur)
    return blocks


# a running foot may carry a large page number
FOOT_MAX = 2.5


def block_kind(lines: list[TextLine], bbox: BBox, body_h: float, body_density: float,
          figures: list[BBox], all_boxes: list[BBox], page_h: int, crosses: int, ch: float) -> BlockKind:
    """``crosses``: column separators the block's first line runs across."""
    hb = float(np.median([ln.bbox.height for ln in lines]))
    dens = float(np.median([ln.density for ln in lines]))
    if lines[0].frame >= 0:
        return "sidebar"
    others = [b for b in all_boxes if b != bbox]
    # a picture beside the line (a photo bled to the page's edge next to the
    # folio) says nothing of whether the line runs above or below the page
    beyond = [o for o in others if o not in figures or o.x_overlap(bbox) > 0]
    if len(lines) == 1 and others:
        # a big single line at the top may be the title; at the foot of the
        # page it is the running foot with its large page number
        if hb <= rules.RUNNING_MAX * body_h and rules.at_top(bbox, page_h) \
                and all(bbox.y1 <= o.y0 + 2 for o in beyond):
            return "header"
        if hb <= FOOT_MAX * body_h and rules.at_foot(bbox, page_h) and all(bbox.y0 >= o.y1 - 2 for o in beyond):
            return "footer"
    for f in figures:
        near_below = 0 <= bbox.y0 - f.y1 <= 2.0 * ch
        near_above = 0 <= f.y0 - bbox.y1 <= 1.5 * ch
        # a caption is one line, or lines narrower than the picture; a paragraph
        # of running text right under a full-width table fills the measure
        short = len(lines) == 1 or bbox.width <= 0.9 * f.width
        if (near_below or near_above) and len(lines) <= 3 and f.x0 - ch <= bbox.cx <= f.x1 + ch \
                and bbox.width <= f.width + 2 * ch and short:
            return "caption"
    by_size = rules.size_kind(hb, len(lines), body_h)
    if by_size:
        return by_size
    # a few lines of text-size type set on a picture (white on a photo's dark
    # band) are its caption, read with the picture, not a heading of the page
    if len(lines) <= 3 and any(f.contains(bbox, slack=ch) for f in figures):
        return "caption"
    # bold shows in the ink density of a line of several characters; a line of
    # one or two has little white between glyphs whatever its weight
    bold = dens >= 1.3 * body_density and bbox.width >= 3 * hb
    if len(lines) <= rules.HEADING_LINES and bold:
        return "heading"
    if len(lines) <= 2 and crosses > 0:
        return "heading"
    return "body"


def masthead(blocks: list[Block], cols: list[tuple[int, int]], body_h: float, ch: float) -> None:
    """Subtitle and author lines right under a title are part of the masthead:
    headings, not body, even when they sit over one column only. Body text is
    told apart by its full-measure lines of body size."""
    heads = [b for b in blocks if b.kind == "title"]
    for b in sorted(blocks, key=lambda b: b.bbox.y0):
        if b.kind not in ("body", "heading") or len(b.lines) > 2 or not cols:
            continue
        hang = [t for t in heads if 0 <= b.bbox.y0 - t.bbox.y1 <= 3 * ch and b.bbox.x_overlap(t.bbox) > 0]
        if not hang:
            continue
        if b.kind == "heading":   # a subtitle: the lines under it hang from it too
            heads.append(b)
            continue
        lo, hi = b.span or (0, 1)
        measure = cols[hi - 1][1] - cols[lo][0]
        if any(ln.bbox.width >= 0.85 * measure and abs(ln.bbox.height - body_h) <= 0.15 * body_h
               for ln in b.lines):
            continue
        # a short line level with the first lines of the columns under the title is text
        tops = [o.bbox.y0 for o in blocks if o.kind == "body" and o is not b and o.bbox.y0 >= hang[0].bbox.y1
                and o.bbox.x_overlap(hang[0].bbox) > 0 and len(o.lines) > 2]
        if not tops or b.bbox.y1 <= min(tops) + 0.3 * ch:
            b.kind = "heading"
            heads.append(b)


def running_feet(blocks: list[Block], body_h: float, page_h: int) -> None:
    """Short single lines at the foot of the page, set apart from the text
    above by a line's space at least, with nothing but running feet below
    them, are running feet too (a page number set above the foot line; not
    the short last line of a paragraph)."""
    feet = {id(b) for b in blocks if b.kind == "footer"}
    for b in sorted(blocks, key=lambda b: -b.bbox.y0):
        if id(b) in feet or len(b.lines) != 1 or b.bbox.y0 < 0.88 * page_h or b.bbox.height > 2.5 * body_h \
                or b.bbox.width > 10 * body_h:
            continue
        above = [o.bbox.y1 for o in blocks if o.bbox.y1 <= b.bbox.y0 + 2 and o.bbox.x_overlap(b.bbox) > 0]
        if above and b.bbox.y0 - max(above) < body_h:
            continue
        below = [o for o in blocks if o is not b and o.bbox.y0 >= b.bbox.y1 - 2]
        if below and all(id(o) in feet for o in below):
            b.kind = "footer"
            feet.add(id(b))


def footnotes(blocks: list[Block], hor_strokes: list[BBox], body_h: float, ch: float,
               page_h: int) -> None:
    """Notes at the foot of the page: the text under a rule shorter than the
    column (a third to three quarters of it, as journals set it) that starts at
    the left edge of the text above it (the footnote rule), set smaller than
    the body, down to the running foot. They stay out of the running text."""
    text = [b for b in blocks if b.is_text and b.kind not in RUNNING_KINDS]
    for r in hor_strokes:
        if r.height > 0.4 * ch or r.width < 2 * ch or r.y0 < 0.5 * page_h:
            continue
        above = [b for b in text if b.bbox.y1 <= r.y0 + 2 and b.bbox.x_overlap(r) > 0]
        if not above:
            continue
        last = max(above, key=lambda b: b.bbox.y1)
        col = last.bbox
        # where its lines start (a note in the margin beside it is no edge)
        left = float(np.median([ln.bbox.x0 for ln in last.lines])) if last.lines else col.x0
        if abs(left - r.x0) > 1.5 * ch or r.width > 0.8 * col.width or r.y0 - col.y1 > 3 * ch:
            continue
        below = [b for b in text if b.bbox.y0 >= r.y1 - 2 and left - ch <= b.bbox.x0 <= left + 3 * ch]
        if not below or min(b.bbox.y0 for b in below) - r.y1 > 2.5 * ch:
            continue
        if all(b.lines and float(np.median([ln.bbox.height for ln in b.lines])) <= 0.9 * body_h
               for b in below):
            for b in below:
                b.kind = "footnote"
