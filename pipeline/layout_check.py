"""Sanity checks on a page's layout, and the plain layout used when it makes no sense.

A layout that reads one line as part of two blocks, reads the same ink
twice, or loses much of the text would give worse text than no layout
analysis at all. Such a page still gets text: its blocks are replaced by
plain top-to-bottom bands of lines (what a one-column reader would do), and
the reason is recorded in ``page.flags``, so a reviewer can find it.

``check_layout`` returns problems; those starting with ``"nonsense"`` are
severe (the caller falls back), the others are kept as flags.
"""
from __future__ import annotations

import numpy as np

from .layout_geometry import char_height, components
from .model import BBox, Block, Line
from .preprocess import PageImage

FLAG_FALLBACK = "layout-fallback"


def _glyph_centres(binary: np.ndarray) -> np.ndarray:
    """Centres of glyph-sized components (when layout analysis did not get that far)."""
    comps = components(binary)
    b = comps.boxes
    if not len(b):
        return np.zeros((0, 2))
    ch = char_height(comps)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    glyph = (h >= 0.3 * ch) & (h <= 2.5 * ch) & (w <= 3 * ch) & (comps.area >= 8)
    return np.stack([(b[glyph, 0] + b[glyph, 2]) / 2, (b[glyph, 1] + b[glyph, 3]) / 2], axis=1)


def _inside(pts: np.ndarray, boxes: list[BBox]) -> np.ndarray:
    hit = np.zeros(len(pts), bool)
    for bb in boxes:
        hit |= (pts[:, 0] >= bb.x0) & (pts[:, 0] < bb.x1) & (pts[:, 1] >= bb.y0) & (pts[:, 1] < bb.y1)
    return hit


def _overlap(a: BBox, b: BBox) -> int:
    return a.x_overlap(b) * a.y_overlap(b)


def check_layout(pimg: PageImage) -> list[str]:
    """Problems with the page's blocks, worst first (see the module docstring)."""
    page = pimg.page
    text = [b for b in page.blocks if b.is_text]
    pts = pimg.glyphs if pimg.glyphs is not None else _glyph_centres(pimg.binary)
    problems: list[str] = []
    if not text:
        if len(pts) >= 50:
            problems.append(f"nonsense: no text block on a page with {len(pts)} glyphs")
        return problems
    if not page.columns:
        problems.append("nonsense: no columns found")
    # blocks sharing ink: text read twice when it is a few characters, nonsense when more
    shared = []
    for i, a in enumerate(text):
        for b in text[i + 1:]:
            if _overlap(a.bbox, b.bbox) <= 0:
                continue
            inter = BBox(max(a.bbox.x0, b.bbox.x0), max(a.bbox.y0, b.bbox.y0),
                         min(a.bbox.x1, b.bbox.x1), min(a.bbox.y1, b.bbox.y1))
            n = int(_inside(pts, [inter]).sum()) if len(pts) else 0
            if n:
                shared.append((n, a.id, b.id))
    if shared:
        n, a, b = max(shared)
        sev = "nonsense: " if n >= 8 else ""
        problems.append(f"{sev}blocks {a} and {b} share {n} glyph(s)")
    if len(pts):
        lost = 1.0 - float(_inside(pts, [b.bbox for b in page.blocks]).mean())
        if lost > 0.3:
            problems.append(f"nonsense: {lost:.0%} of the glyphs lie in no block")
        elif lost > 0.05:
            problems.append(f"{lost:.0%} of the glyphs lie in no block")
    crossing = sum(1 for a in text for ln in a.lines for b in text
                   if b is not a and _overlap(ln.bbox, b.bbox) > 0.5 * max(1, ln.bbox.area))
    if crossing:
        problems.append(f"{crossing} line(s) overlap another block")
    if len(page.columns) >= 2:
        wide = [b.id for b in text if b.kind == "body" and len(b.lines) >= 3 and b.span
                and b.span[1] - b.span[0] > 1]
        if wide:
            problems.append(f"body block {wide[0]} runs across a column gutter")
    return problems


def fallback_layout(pimg: PageImage, reason: str) -> None:
    """Replace the page's blocks by bands of text lines read top to bottom."""
    page = pimg.page
    binary = pimg.binary
    rows = (binary > 0).sum(axis=1)
    h, w = binary.shape
    ink_rows = rows > max(2, 0.002 * w)
    d = np.diff(np.concatenate(([0], ink_rows.astype(np.int8), [0])))
    bands = list(zip(np.nonzero(d == 1)[0].tolist(), np.nonzero(d == -1)[0].tolist()))
    lines: list[BBox] = []
    for y0, y1 in bands:
        if y1 - y0 < 3:
            continue
        cols = np.nonzero(binary[y0:y1].any(axis=0))[0]
        lines.append(BBox(int(cols[0]), y0, int(cols[-1]) + 1, y1))
    blocks: list[Block] = []
    if lines:
        lh = float(np.median([ln.height for ln in lines]))
        group = [lines[0]]
        for ln in lines[1:]:
            if ln.y0 - group[-1].y1 > 2.0 * lh:
                blocks.append(_band_block(len(blocks), group))
                group = []
            group.append(ln)
        blocks.append(_band_block(len(blocks), group))
    page.blocks = blocks
    page.columns = [(0, w)] if blocks else []
    page.flags.append(f"{FLAG_FALLBACK}: {reason}")


def _band_block(i: int, lines: list[BBox]) -> Block:
    return Block(id=i, kind="body", bbox=BBox.enclosing(lines), column=0, span=(0, 1),
                 lines=[Line(bbox=b) for b in lines])
