"""Geometry-based reading order of the blocks of one page.

Breuel's partial order + topological sort (as in OCRopus / kraken
``reading_order``), adapted to magazine pages:

* headers first and footers last (each top-to-bottom, then left-to-right);
* main flow (title, heading, body, captions without a figure) ordered by the
  partial order below;
* figures and their captions are taken out of the main flow (so they never
  split the columns of running text) and inserted afterwards, each right after
  the last block of its left-most column above it (else right before the first
  one below it), its caption -- the nearest caption below (else above) it,
  overlapping it horizontally -- directly after it.  Captions that match no
  figure are main flow;
* sidebars after the main flow, ordered among themselves by the same partial
  order; a figure whose centre lies inside a sidebar follows that sidebar;
* figures with no text in their column at all come after that, then the
  page's footnotes, before footers. Tables and display equations are placed
  as figures are.

Partial order on a set of blocks: ``a < b`` if their x-ranges overlap
(by more than a tolerance) and ``a`` is above ``b``; otherwise ``a < b`` if
``a`` lies left of ``b`` and no third block ``c`` overlapping both
horizontally lies vertically between them (``c`` would bridge the two
columns, e.g. a spanning title between two stories).  The order is
linearised by Kahn's algorithm with a geometric tie-break key, so the result
does not depend on the order of the input list; cycles (possible, e.g. for
staircases) are broken without ever violating an x-overlap/above pair, and
flagged ``"order-cycle-broken"``.  Work is O(n^2)-O(n^3) over
blocks, never words.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..kinds import HEADING_KINDS, MAIN_KINDS
from ..model import BBox, Block, Flag
from .partial import ResolveOptions, _key, _order_flow, _vkey, x_overlaps

FLAG_CYCLE = Flag("order-cycle-broken")

__all__ = ["OrderResult", "resolve_order", "FLAG_CYCLE"]


@dataclass
class OrderResult:
    blocks: list[Block] = field(default_factory=list)  # sorted, .order = 0..n-1
    flags: list[Flag] = field(default_factory=list)


def _rows(blocks: list[Block]) -> list[Block]:
    """Top-to-bottom rows (a block whose centre lies inside the current row's
    vertical extent joins it), each row left-to-right."""
    rows: list[tuple[list[Block], int]] = []
    for b in sorted(blocks, key=lambda b: (b.bbox.cy, b.bbox.x0, _key(b))):
        if rows and b.bbox.cy < rows[-1][1]:
            rows[-1] = (rows[-1][0] + [b], max(rows[-1][1], b.bbox.y1))
        else:
            rows.append(([b], b.bbox.y1))
    return [b for row, _ in rows for b in sorted(row, key=lambda b: (b.bbox.x0, _key(b)))]


# ----------------------------------------------------------------- figures

def _between(o: BBox, a: BBox, b: BBox, opts: ResolveOptions) -> bool:
    """o overlaps a and b horizontally and lies vertically between them."""
    lo, hi = sorted((_vkey(a), _vkey(b)))
    return x_overlaps(o, a, opts) and x_overlaps(o, b, opts) and lo < _vkey(o) < hi


def _match_captions(figures: list[Block], captions: list[Block], others: list[Block],
                    opts: ResolveOptions) -> dict[int, Block]:
    """figure index -> its caption: the nearest caption below (else above) that
    overlaps it horizontally with no other block in between; for a table, the
    nearest above (else below), where tables carry their captions; greedy,
    nearest pairs first, each caption used once."""
    pairs = []
    everything = figures + captions + others
    for fi, f in enumerate(figures):
        for c in captions:
            if not x_overlaps(f.bbox, c.bbox, opts):
                continue
            below = _vkey(c.bbox) > _vkey(f.bbox)
            gap = c.bbox.y0 - f.bbox.y1 if below else f.bbox.y0 - c.bbox.y1
            # a caption set on the picture itself has nothing between them
            if not f.bbox.contains(c.bbox) and any(
                    o is not f and o is not c and _between(o.bbox, f.bbox, c.bbox, opts) for o in everything):
                continue
            preferred = not below if f.kind == "table" else below
            pairs.append(((0 if preferred else 1, max(gap, 0), _key(f), _key(c)), fi, c))
    pairs.sort(key=lambda p: p[0])
    out: dict[int, Block] = {}
    used: set[int] = set()
    for _, fi, c in pairs:
        if fi not in out and id(c) not in used:
            out[fi] = c
            used.add(id(c))
    return out


def _covers(b: Block, col: int) -> bool:
    if b.span is None:
        return False
    lo, hi = b.span
    return lo <= col < hi


def _column_of(f: Block, main: list[Block], opts: ResolveOptions) -> list[Block]:
    """Main-flow blocks in the figure's left-most column."""
    if opts.use_columns and f.column is not None:
        col = [b for b in main if _covers(b, f.column)]
        if col:
            return col
    cand = [b for b in main if x_overlaps(b.bbox, f.bbox, opts)]
    if not cand:
        return []
    # The left-most column is the x-range from where text starts under the
    # figure to the nearest right edge of a block (or the figure) there.
    s = max(f.bbox.x0, min(b.bbox.x0 for b in cand))
    e = min(min(b.bbox.x1, f.bbox.x1) for b in cand)
    if e <= s:
        return cand
    probe = BBox(s, f.bbox.y0, e, f.bbox.y1)
    return [b for b in cand if x_overlaps(b.bbox, probe, opts)]


def _anchor(f: Block, main: list[Block], pos: dict[int, int],
            opts: ResolveOptions) -> tuple[str, Block] | None:
    col = _column_of(f, main, opts)
    fk = _vkey(f.bbox)
    above = [b for b in col if _vkey(b.bbox) < fk]
    below = [b for b in col if _vkey(b.bbox) > fk]
    # a title over more columns than the figure's is above every column: a
    # figure opening a later column is read where that column's text starts,
    # not straight after the title, before the columns to its left
    own = [b for b in above if not (b.kind in HEADING_KINDS and _wider(b, f))]
    if own or (above and not below):
        return "after", max(own or above, key=lambda b: pos[id(b)])
    if below:
        return "before", min(below, key=lambda b: pos[id(b)])
    return None


def _wider(b: Block, f: Block) -> bool:
    """``b`` spans more columns than ``f``."""
    return b.span is not None and f.span is not None and b.span[1] - b.span[0] > f.span[1] - f.span[0]


def _container(f: Block, sidebars: list[Block]) -> Block | None:
    """The smallest sidebar containing the figure's centre, if any."""
    cx, cy = f.bbox.cx, f.bbox.cy
    inside = [s for s in sidebars
              if s.bbox.x0 <= cx < s.bbox.x1 and s.bbox.y0 <= cy < s.bbox.y1]
    return min(inside, key=lambda s: (s.bbox.area, _key(s))) if inside else None


# ----------------------------------------------------------------- masthead

def _masthead(main: list[Block], opts: ResolveOptions) -> list[Block]:
    """The masthead: titles with nothing but masthead above them in their
    columns, and the subtitle, author and kicker lines right below or above.

    It opens the page even where a short author line sits over one column
    only, or where the last column starts at the top of the page beside a
    title over the first columns, both of which the partial order alone would
    read after the columns to their left. A title in mid page, with text of
    its columns above it, starts a second story instead.
    """
    mast: list[Block] = []

    def clear_above(b: Block) -> bool:
        return all(o in mast for o in main if o is not b and x_overlaps(o.bbox, b.bbox, opts)
                   and o.bbox.y1 <= b.bbox.y0 + 2)

    def hangs(b: Block) -> bool:
        lh = b.bbox.height / max(1, len(b.lines))
        # a heading that sits on the text under it, with twice the space
        # between it and the masthead above, heads that text (a report's
        # "事项：" over its main column, level with the sidebar's first line)
        below = min((o.bbox.y0 - b.bbox.y1 for o in main if o.kind == "body"
                     and x_overlaps(o.bbox, b.bbox, opts) and o.bbox.y0 >= b.bbox.y1 - 2),
                    default=float("inf"))

        def under(m: Block) -> bool:
            gap = b.bbox.y0 - m.bbox.y1
            return 0 <= gap <= 3 * lh and not (below < lh and gap > 2 * max(below, 0))
        return any(x_overlaps(b.bbox, m.bbox, opts) and
                   (under(m) or 0 <= m.bbox.y0 - b.bbox.y1 <= 3 * lh)
                   for m in mast)

    def above_text(b: Block) -> bool:
        """Above the first lines of the columns under the titles: the text of a
        column that starts higher up (beside a title over the first columns) is
        not under them, and a short line level with the columns' tops is text."""
        titles = [m for m in mast if m.kind == "title"]
        tops = [o.bbox.y0 for o in main if o.kind == "body" and o is not b
                and any(x_overlaps(o.bbox, t.bbox, opts) and o.bbox.y0 >= t.bbox.y1 - 2 for t in titles)]
        return not tops or b.bbox.y1 <= min(tops) + 2

    grew = True
    while grew:
        grew = False
        for b in sorted(main, key=_key):
            if b in mast or b.kind not in HEADING_KINDS:
                continue
            if (b.kind == "title" or (hangs(b) and above_text(b))) and clear_above(b):
                mast.append(b)
                grew = True
    return mast


# ----------------------------------------------------------------- entry point

def resolve_order(blocks: list[Block], options: ResolveOptions | None = None) -> OrderResult:
    """Order the blocks of one page and set each block's ``.order`` (0..n-1).

    Returns the same Block objects, sorted, plus flags (``"order-cycle-broken"``
    when the partial order had a cycle and a fallback choice was made).
    """
    opts = options or ResolveOptions()
    flags: list[Flag] = []
    by_kind: dict[str, list[Block]] = defaultdict(list)
    for b in sorted(blocks, key=_key):
        by_kind[b.kind].append(b)
    # tables and display equations sit in the flow of their column as figures do
    figures = sorted(by_kind["figure"] + by_kind["table"] + by_kind["equation"], key=_key)
    sidebars = by_kind["sidebar"]
    text_main = [b for b in blocks if b.kind in MAIN_KINDS]
    others = text_main + sidebars + by_kind["header"] + by_kind["footer"]
    cap_of = _match_captions(figures, by_kind["caption"], others, opts)
    taken = {id(c) for c in cap_of.values()}
    main_in = text_main + [c for c in by_kind["caption"] if id(c) not in taken]

    mast_in = _masthead(main_in, opts)
    mast, cyc_mast = _order_flow(mast_in, opts)
    rest, cyc_main = _order_flow([b for b in main_in if b not in mast_in], opts)
    main = mast + rest
    cyc_main = cyc_main or cyc_mast
    side, cyc_side = _order_flow(sidebars, opts)
    if cyc_main or cyc_side:
        flags.append(FLAG_CYCLE)

    pos = {id(b): i for i, b in enumerate(main)}
    before: dict[int, list[Block]] = defaultdict(list)
    after: dict[int, list[Block]] = defaultdict(list)
    at_end: list[Block] = []
    for fi, f in enumerate(figures):  # figures are already in _key order
        # a caption set above its picture (as tables carry theirs) is read first
        unit = sorted([f] + ([cap_of[fi]] if fi in cap_of else []), key=lambda b: _vkey(b.bbox))
        holder = _container(f, sidebars)
        anchor = None if holder is not None else _anchor(f, main, pos, opts)
        if holder is not None:
            after[id(holder)].extend(unit)
        elif anchor is None:
            at_end.extend(unit)
        elif anchor[0] == "after":
            after[id(anchor[1])].extend(unit)
        else:
            before[id(anchor[1])].extend(unit)

    out: list[Block] = list(_rows(by_kind["header"]))
    for b in main + side:
        out.extend(before[id(b)])
        out.append(b)
        out.extend(after[id(b)])
    out.extend(at_end)
    out.extend(_order_flow(by_kind["footnote"], opts)[0])
    out.extend(_rows(by_kind["footer"]))
    for i, b in enumerate(out):
        b.order = i
    return OrderResult(blocks=out, flags=flags)
