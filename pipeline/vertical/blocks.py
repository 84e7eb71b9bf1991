"""The vertical regions as blocks of the page, after the horizontal layout
(``add_to_layout``): a column of display type is a title, columns inside a
ruled box a sidebar, the rest body text; each block's lines are its columns,
right to left. After recognition, a vertical page's blocks are ordered on the
page mirrored left to right (``resolve``) and a vertical block's columns are
joined into its text (``assemble``)."""
from __future__ import annotations

import numpy as np

from ..model import BBox, Block, Line
from .columns import TTB, Column, Region, VerticalLayout


def _kind(r: Region, vl: VerticalLayout, frames: list[BBox], page_w: int) -> str:
    if any(f.x0 <= r.bbox.cx <= f.x1 and f.y0 <= r.bbox.cy <= f.y1 for f in frames):
        return "sidebar"
    if r.char_w >= 1.6 * _body_w(vl):
        return "title" if len(r.columns) <= 2 else "heading"
    return "body"


def _body_w(vl: VerticalLayout) -> float:
    ws = [c.char_w for r in vl.regions for c in r.columns]
    return float(np.median(ws)) if vl.page_is_vertical and ws else vl.body_ch


def add_blocks(page, vl: VerticalLayout, frames: list[BBox]) -> None:
    """The vertical regions as blocks of the page (after the horizontal layout).
    Regions inside one box (a sidebar's heading and text) are one block."""
    groups: dict[int, list[Region]] = {}
    for i, r in enumerate(vl.regions):
        f = next((j for j, fr in enumerate(frames)
                  if fr.x0 <= r.bbox.cx <= fr.x1 and fr.y0 <= r.bbox.cy <= fr.y1), None)
        groups.setdefault(-1 - i if f is None else f, []).append(r)
    # a region right beside a boxed one, as tall, is in the box too (a heading
    # column set close to the box's rule, where the rule was not found round it)
    for key in [k for k in groups if k < 0]:
        r = groups[key][0]
        box = next((k for k, rs in groups.items() if k >= 0 and any(
            max(r.bbox.x0 - o.bbox.x1, o.bbox.x0 - r.bbox.x1) <= 2 * r.char_w
            and r.bbox.y_overlap(o.bbox) >= 0.7 * min(r.bbox.height, o.bbox.height) for o in rs)), None)
        if box is not None:
            groups[box] += groups.pop(key)
    if not vl.page_is_vertical:
        _join_side_by_side(groups)
    next_id = max((b.id for b in page.blocks), default=-1) + 1
    for rs in groups.values():
        cols: list[Column] = []
        for c in sorted((c for r in rs for c in r.columns), key=lambda c: -c.bbox.x1):
            o = next((u for u in cols if u.bbox.x_overlap(c.bbox) >= 0.5 * min(u.bbox.width, c.bbox.width)), None)
            if o is None:   # regions of one box may share a column
                cols.append(c)
            else:
                o.bbox = o.bbox.union(c.bbox)
        bbox = BBox.enclosing(r.bbox for r in rs)
        kind = _kind(max(rs, key=lambda r: len(r.columns)), vl, frames, page.width)
        # the horizontal layout's blocks inside the region are its leftovers
        page.blocks = [b for b in page.blocks if not (b.bbox.x_overlap(bbox) > 0.5 * b.bbox.width
                                                      and b.bbox.y_overlap(bbox) > 0.5 * b.bbox.height
                                                      and b.kind != "figure" and b.direction != TTB)]
        # on a vertical page each paragraph is a block (the mirrored resolver
        # orders them); inside a horizontal page a vertical part stays one
        # block, its columns in order, as the resolver would read side by
        # side blocks left to right
        for run in (_paragraphs(cols) if vl.page_is_vertical else [cols]):
            page.blocks.append(Block(id=next_id, kind=kind, bbox=BBox.enclosing(c.bbox for c in run),
                                     direction=TTB, lines=[Line(bbox=c.bbox) for c in run]))
            next_id += 1
    if vl.page_is_vertical:
        page.direction = TTB
    page.diagnostics["vertical"] = {"regions": len(vl.regions), "share": round(vl.share, 3),
                                    "columns": sum(len(r.columns) for r in vl.regions)}


def _join_side_by_side(groups: dict[int, list[Region]]) -> None:
    """Groups side by side, columns of one type size a column's pitch apart,
    are one flow read right to left: one block. (A box found only by its top
    and bottom rules is a frame round each of its regions; the resolver of a
    horizontal page would read the two blocks left to right.)"""
    def beside(a: list[Region], b: list[Region]) -> bool:
        return any(max(r.bbox.x0 - o.bbox.x1, o.bbox.x0 - r.bbox.x1) <= 1.6 * min(r.char_w, o.char_w)
                   and 0.8 <= r.char_w / o.char_w <= 1.25
                   and r.bbox.y_overlap(o.bbox) >= 0.7 * min(r.bbox.height, o.bbox.height)
                   for r in a for o in b)
    joined = True
    while joined:
        joined = False
        keys = list(groups)
        pair = next(((k1, k2) for i, k1 in enumerate(keys) for k2 in keys[i + 1:]
                     if beside(groups[k1], groups[k2])), None)
        if pair is not None:
            groups[pair[0]] += groups.pop(pair[1])
            joined = True


def _paragraphs(cols: list[Column]) -> list[list[Column]]:
    """Columns (right to left) in runs that each start a paragraph: a column
    set lower than the columns beside it (the two-character indent)."""
    if not cols:
        return []
    top = min(c.bbox.y0 for c in cols)
    runs: list[list[Column]] = []
    for c in cols:
        if not runs or c.bbox.y0 - top >= 1.5 * c.char_w:
            runs.append([c])
        else:
            runs[-1].append(c)
    return runs


def add_to_layout(pimg, vl: VerticalLayout | None) -> None:
    """After the horizontal layout: the vertical regions become blocks."""
    if vl is None:
        return
    frames = list(getattr(pimg.geometry, "frames", None) or [])
    if pimg.rule_ink is not None:
        for r in vl.regions:
            box = _enclosing_box(r, pimg.rule_ink)
            if box is None:
                continue
            # one box's regions side by side (a heading column, paragraphs) make one frame
            same = [f for f in frames if box.y_overlap(f) >= 0.8 * min(box.height, f.height)
                    and max(box.x0 - f.x1, f.x0 - box.x1) <= 3 * r.char_w]
            for f in same:
                frames.remove(f)
                box = box.union(f)
            frames.append(box)
    page = pimg.page
    if vl.page_is_vertical:
        # display type over the columns of a vertical page is its title (the
        # horizontal layout, seeing only it, takes it for a running head, or
        # the region detector for a caption: there is no figure)
        body = _body_w(vl)
        top = min(r.bbox.y0 for r in vl.regions)
        regions = [r.bbox for r in vl.regions]
        kinds = ("header", "heading", "body") + (() if any(
            b.kind == "figure" and not _text_figure(b, regions) for b in page.blocks) else ("caption",))
        for b in page.blocks:
            if b.kind in kinds and b.lines and b.bbox.y1 <= top + body \
                    and float(np.median([ln.bbox.height for ln in b.lines])) >= 1.5 * body:
                b.kind = "title"
    add_blocks(page, vl, frames)
    # a "figure" made of vertical text (dense columns look like a picture to
    # the detector) is that text
    vert = [b.bbox for b in page.blocks if b.direction == TTB]
    page.blocks = [b for b in page.blocks if not (b.kind == "figure" and _text_figure(b, vert))]


def _text_figure(b: Block, vert: list[BBox]) -> bool:
    """Whether a block is mostly vertical text."""
    return sum(b.bbox.x_overlap(v) * b.bbox.y_overlap(v) for v in vert) >= 0.5 * max(1, b.bbox.area)


def _enclosing_box(r: Region, rule_ink: np.ndarray) -> BBox | None:
    """The ruled box round a region (a sidebar's frame), or None: rules on at
    least three sides within a few characters of it, each along most of it."""
    h, w = rule_ink.shape
    reach = int(3 * r.char_w)
    b = r.bbox
    found = {}
    top = rule_ink[max(0, b.y0 - reach):b.y0, b.x0:b.x1]
    bot = rule_ink[b.y1:min(h, b.y1 + reach), b.x0:b.x1]
    left = rule_ink[b.y0:b.y1, max(0, b.x0 - reach):b.x0]
    right = rule_ink[b.y0:b.y1, b.x1:min(w, b.x1 + reach)]
    for side, strip, axis, length in (("top", top, 1, b.width), ("bottom", bot, 1, b.width),
                                      ("left", left, 0, b.height), ("right", right, 0, b.height)):
        if strip.size == 0:
            continue
        cover = strip.sum(axis=axis)
        i = int(np.argmax(cover))
        if cover[i] >= 0.8 * length:
            found[side] = i
    if len(found) < 3 and not ("top" in found and "bottom" in found):
        return None
    x0 = max(0, b.x0 - reach) + found["left"] if "left" in found else b.x0
    x1 = b.x1 + found["right"] + 1 if "right" in found else b.x1
    y0 = max(0, b.y0 - reach) + found["top"] if "top" in found else b.y0
    y1 = b.y1 + found["bottom"] + 1 if "bottom" in found else b.y1
    return BBox(int(x0), int(y0), int(x1), int(y1))


def resolve(page, resolve_order):
    """``resolve_order`` on the page's blocks; on a vertical page, on the page
    mirrored left to right (columns and blocks read right to left)."""
    if page.direction != TTB:
        return resolve_order(page.blocks)
    saved = {id(b): b.bbox for b in page.blocks}
    for b in page.blocks:
        b.bbox = BBox(page.width - b.bbox.x1, b.bbox.y0, page.width - b.bbox.x0, b.bbox.y1)
    try:
        return resolve_order(page.blocks)
    finally:
        for b in page.blocks:
            b.bbox = saved[id(b)]


def assemble(page) -> None:
    """A vertical block's text: its columns joined, a new paragraph where a
    column starts lower than the block's columns do (the two-character indent)."""
    for b in page.blocks:
        if b.direction != TTB or not b.lines:
            continue
        top = min(ln.bbox.y0 for ln in b.lines)
        cw = float(np.median([ln.bbox.width for ln in b.lines]))
        paras: list[str] = []
        for ln in b.lines:
            if not paras or ln.bbox.y0 - top >= 1.5 * cw:
                paras.append(ln.text)
            else:
                paras[-1] += ln.text
        b.text = "\n".join(p for p in paras if p)
