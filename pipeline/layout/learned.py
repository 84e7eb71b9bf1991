"""The learned detector's regions, checked against the page's own geometry.

The detector (``regions``) proposes and types; the geometry cuts columns and
lines; the resolver orders. A proposal is taken only where the page agrees:

- a table, figure or equation that a more confident text or title region of
  the same detector lies mostly inside is the detector contradicting itself
  (on a real broker report it put a table at 0.54 over a column of running
  text that it had found as text at 0.98) and is dropped;
- a table must have rows of cells: runs of characters with white of two
  characters or more between them, which lines of running text never have,
  and these cells must not fill their columns edge to edge row after row,
  as the justified lines of columns of running text do (the detector took
  the three columns of a generated page for a table at 0.95);
- a figure may hold labels (short lines) but no running text or display
  type: its region is cut back to leave them out (the detector's box round
  a magazine's clip art reached into the title below it), and dropped when
  that leaves less than half of it; a weak one needs a picture the geometry
  found inside it;
- tables, figures and equations then keep their ink out of the running text,
  so table cells never make page columns and chart labels never join a
  paragraph;
- header, footer, title and caption regions only retype blocks the geometry
  found, and only where the geometry allows it (a header has nothing of the
  body above it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model import RUNNING_KINDS, BBox, Block
from ..image.panels import glyph_rows
from .cells import cell_rows, full_rows
from .regions import PICTURE_REGION_KINDS, TEXT_REGION_KINDS, Region

# a proposal acted on alone (a table taken out of the text) needs this score;
# weaker ones count only where the geometry agrees
SURE = 0.5
# a "table" whose rows fill their columns edge to edge this often is running text in columns
RUNNING = 0.6
# so many lines of running text inside a "figure" make it a page of text
MANY_LINES = 15
CAPTIONS = frozenset({"figure_caption", "table_caption"})


@dataclass
class Learned:
    figures: list[BBox] = field(default_factory=list)    # pictures, the geometry's included
    tables: list[BBox] = field(default_factory=list)
    equations: list[BBox] = field(default_factory=list)
    typed: list[Region] = field(default_factory=list)    # header, footer, title, caption regions
    dropped: list[str] = field(default_factory=list)     # why proposals were not taken

    @property
    def away(self) -> list[BBox]:
        """Everything whose ink stays out of the running text."""
        return self.figures + self.tables + self.equations


def _inter(a: BBox, b: BBox) -> int:
    return a.x_overlap(b) * a.y_overlap(b)


def contradicted(r: Region, regions: list[Region]) -> Region | None:
    """A more confident text-like region of the detector lying mostly inside ``r``,
    big enough to matter (not one cell's text inside a table) and clearly
    smaller than ``r``: a picture region that swallows a column of text.
    (Where the two cover the same ground, the detector wavers between two
    readings of it, and the geometry decides.)"""
    for t in regions:
        if t.kind in TEXT_REGION_KINDS and t.score > r.score and 0.15 * r.bbox.area <= t.bbox.area <= 0.7 * r.bbox.area \
                and _inter(t.bbox, r.bbox) >= 0.5 * t.bbox.area:
            return t
    return None


def _contradiction(r: Region, t: Region) -> str:
    """The diagnostics' note of a picture region dropped for the text region ``t`` inside it."""
    return f"{r.kind} {r.bbox.to_list()} ({r.score:.2f}): {t.kind} {t.bbox.to_list()} ({t.score:.2f}) inside"


def accept_cells(regions: list[Region], segs: np.ndarray, ch: float) -> Learned:
    """Tables and equations the page agrees with, and the typed regions;
    ``segs``: the page's character runs. Figures are judged later, on the
    text lines (``accept_figures``)."""
    out = Learned()
    for r in regions:
        if r.kind not in PICTURE_REGION_KINDS:
            if r.kind in ("header", "footer", "title", "figure_caption", "table_caption") \
                    and r.score >= SURE:
                out.typed.append(r)
            continue
        if r.kind == "figure":
            continue
        t = contradicted(r, regions)
        if t is not None:
            out.dropped.append(_contradiction(r, t))
            continue
        if r.kind == "table":
            share, n = cell_rows(r.bbox, segs, ch)
            full = full_rows(r.bbox, segs, ch)
            if n >= 2 and (share >= 0.5 or (r.score >= SURE and share >= 0.25)) and full < RUNNING:
                out.tables.append(r.bbox)
            else:
                out.dropped.append(f"table {r.bbox.to_list()} ({r.score:.2f}): {share:.0%} of {n} "
                                   f"rows in cells, {full:.0%} of rows fill their column")
        elif r.score >= SURE:
            out.equations.append(r.bbox)
    out.tables = _outermost(out.tables)
    out.equations = [e for e in _outermost(out.equations) if not any(_inter(t, e) for t in out.tables)]
    return out


def _outermost(boxes: list[BBox]) -> list[BBox]:
    """A box mostly inside a bigger one (a panel of a table, a figure's inset) is that one."""
    return [b for b in boxes if not any(o is not b and o.area > b.area and _inter(o, b) >= 0.8 * b.area
                                        for o in boxes)]


def _strong(ln: BBox, box: BBox, body_h: float, ch: float, cut_all: bool = False,
            binary: np.ndarray | None = None) -> bool:
    """A text line a picture may not hold: display type, a full line of body
    text, or any line the region's edge cuts through, unless (with
    ``binary``) what lies of it inside is no text (a drawing's strokes that
    the line finder joined to a line beside it). (Short lines wholly
    inside are a picture's labels.) ``cut_all``: every line counts."""
    inside = _inter(ln, box) / max(1, ln.area)
    if inside < 0.1:
        return False
    if cut_all:
        return True
    if inside < 0.5:
        part = BBox(max(ln.x0, box.x0), ln.y0, min(ln.x1, box.x1), ln.y1)
        return binary is None or part.width < ch or looks_like_text(binary, part)
    display = ln.height >= 1.5 * body_h and ln.width >= 2 * ln.height
    running = ln.height <= 1.3 * body_h and ln.width >= 8 * ch
    return display or running


def clear_of_text(box: BBox, lines: list[BBox], body_h: float, ch: float,
                  cut_all: bool = False, binary: np.ndarray | None = None) -> BBox | None:
    """``box`` cut back to leave out the text lines a picture may not hold
    (``_strong``), one side at a time, keeping the largest part; None when
    less than half of it is left (the region is text, not a picture)."""
    cur = box
    for _ in range(len(lines) + 1):
        strong = [ln for ln in lines if _strong(ln, cur, body_h, ch, cut_all, binary)]
        if not strong:
            return cur if cur.area >= 0.5 * box.area else None
        ln = max(strong, key=lambda b: _inter(b, cur))
        parts = [BBox(cur.x0, cur.y0, cur.x1, min(cur.y1, ln.y0)), BBox(cur.x0, max(cur.y0, ln.y1), cur.x1, cur.y1),
                 BBox(cur.x0, cur.y0, min(cur.x1, ln.x0), cur.y1), BBox(max(cur.x0, ln.x1), cur.y0, cur.x1, cur.y1)]
        cur = max(parts, key=lambda p: (p.area if p.width > 0 and p.height > 0 else -1))
        if cur.width <= 0 or cur.height <= 0 or cur.area < 0.5 * box.area:
            return None
    return None


def accept_figures(regions: list[Region], lines: list, pictures: list[BBox], body_h: float,
                   ch: float, learned: Learned, binary: np.ndarray | None = None) -> list[BBox]:
    """The page's pictures: the geometry's own (``pictures``), grown or joined
    by the detector's figures where no text stands in the way (see
    ``clear_of_text``: a region over a title keeps clear of the title).

    Where the geometry missed a photo (a light one, whose tones the paper
    test takes for paper), its texture falls into "lines" too; with
    ``binary``, only lines that hold a row of glyphs of one height stand in
    a picture's way."""
    boxes = [ln.bbox for ln in lines if binary is None or looks_like_text(binary, ln.bbox)]
    # lines of body size and a measure's length, however small the type (where
    # single glyphs are too blurred to count): a region holding many is text
    body_lines = [ln.bbox for ln in lines
                  if 0.7 * body_h <= ln.bbox.height <= 1.3 * body_h and ln.bbox.width >= 6 * ch]
    figs = list(pictures)
    for r in regions:
        if r.kind != "figure":
            continue
        t = contradicted(r, regions)
        if t is not None:
            learned.dropped.append(_contradiction(r, t))
            continue
        inside = sum(1 for b in body_lines if _inter(b, r.bbox) >= 0.5 * b.area)
        if inside >= MANY_LINES:
            learned.dropped.append(f"figure {r.bbox.to_list()} ({r.score:.2f}): {inside} lines of text inside")
            continue
        hit = [f for f in figs if f in pictures and _inter(f, r.bbox) >= 0.3 * f.area]
        if not hit and r.score < SURE:
            learned.dropped.append(f"figure {r.bbox.to_list()} ({r.score:.2f}): weak, nothing drawn there")
            continue
        # a line the detector calls a caption is no label: the picture stops short of it
        captions = [ln for ln in boxes if any(_inter(ln, c.bbox) >= 0.5 * ln.area for c in regions
                                              if c.kind in CAPTIONS and c.score >= 0.3)]
        clear = clear_of_text(r.bbox, [b for b in boxes if b not in captions], body_h, ch, binary=binary)
        clear = clear and clear_of_text(clear, captions, body_h, ch, cut_all=True)
        if clear is None:
            learned.dropped.append(f"figure {r.bbox.to_list()} ({r.score:.2f}): text inside")
            continue
        grown = BBox.enclosing([clear] + hit)
        figs = [f for f in figs if f not in hit] + [grown]
    return _outermost(figs)


def clear_of_learned_text(pictures: list[BBox], regions: list[Region], binary: np.ndarray,
                          ch: float) -> list[BBox]:
    """Pictures cut back from the detector's sure text regions where rows of
    glyphs show through: a light picture under the last lines of a slide or
    a magazine's opening spread is no reason to lose them (the paper test
    takes the picture's tones for non-paper, the text on it with them).
    Each picture keeps its largest part outside the text; a picture left
    with little of itself is the ground the text is set on."""
    texts = [r.bbox for r in regions if r.kind in TEXT_REGION_KINDS and r.score >= SURE]
    out = []
    for p in pictures:
        cur: BBox | None = p
        for t in texts:
            if cur is None:
                break
            o = cur.intersection(t)
            if o.width < 4 * ch or o.height < ch:
                continue
            crop = binary[o.y0:o.y1, o.x0:o.x1]
            rows = glyph_rows(crop, min_h=max(4, int(0.4 * ch)), max_h=1.3 * ch)
            if not any(r.width >= 0.3 * o.width for r in rows):
                continue
            parts = [BBox(cur.x0, cur.y0, cur.x1, t.y0), BBox(cur.x0, t.y1, cur.x1, cur.y1),
                     BBox(cur.x0, cur.y0, t.x0, cur.y1), BBox(t.x1, cur.y0, cur.x1, cur.y1)]
            parts = [q for q in parts if q.width > 0 and q.height > 0]
            best = max(parts, key=lambda q: q.area, default=None)
            cur = best if best is not None and best.area >= 0.15 * p.area else None
        if cur is not None:
            out.append(cur)
    return out


def looks_like_text(binary: np.ndarray, box: BBox) -> bool:
    """A row of four glyphs or more of about one height runs along most of
    the line (``panels.glyph_rows``); a line found in a photo's texture has
    blots of every size."""
    crop = binary[max(0, box.y0 - 1):box.y1 + 1, max(0, box.x0 - 1):box.x1 + 1]
    if crop.size == 0:
        return False
    rows = glyph_rows(crop, min_h=max(4, int(0.3 * box.height)), max_h=1.2 * box.height)
    return any(r.width >= 0.4 * box.width for r in rows) or box.width < 4 * box.height and bool(rows)


def _inside(b: BBox, r: BBox, frac: float = 0.6) -> bool:
    return _inter(b, r) >= frac * max(1, b.area)


def retype(blocks: list[Block], learned: Learned, body_h: float, page_h: int) -> list[str]:
    """Kinds from the detector's typed regions where the geometry allows them;
    returns what changed, for the page's diagnostics."""
    text = [b for b in blocks if b.is_text]
    notes = []
    for b in text:
        if b.kind == "sidebar" or b.kind in RUNNING_KINDS:
            continue
        hits = [r for r in learned.typed if _inside(b.bbox, r.bbox)]
        if not hits:
            continue
        r = max(hits, key=lambda r: r.score)
        new = None
        others = [o for o in text if o is not b and o.bbox.x_overlap(b.bbox) > 0 and o.kind not in RUNNING_KINDS]
        if r.kind == "header" and len(b.lines) <= 2 and b.bbox.y1 <= 0.2 * page_h \
                and not any(o.bbox.y1 <= b.bbox.y0 for o in others):
            new = "header"
        elif r.kind == "footer" and len(b.lines) <= 3 and b.bbox.y0 >= 0.8 * page_h \
                and not any(o.bbox.y0 >= b.bbox.y1 for o in others):
            new = "footer"
        elif r.kind == "title" and b.kind == "body" and len(b.lines) <= 3:
            h = float(np.median([ln.bbox.height for ln in b.lines])) if b.lines else body_h
            new = "title" if h >= 1.3 * body_h else "heading"
        elif r.kind in ("figure_caption", "table_caption") and b.kind in ("body", "heading") \
                and len(b.lines) <= 4 and any(
                    0 <= max(p.y0 - b.bbox.y1, b.bbox.y0 - p.y1) <= 3 * body_h
                    and p.x_overlap(b.bbox) > 0 for p in learned.away):
            new = "caption"
        if new and new != b.kind:
            notes.append(f"block {b.id} {b.kind}->{new} ({r.kind} {r.score:.2f})")
            b.kind = new
    return notes
