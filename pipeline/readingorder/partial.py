"""The partial order of a page's blocks and its linearisation (see
``readingorder.resolve`` for how the page's order is built on them):
``a < b`` if their x-ranges overlap (by more than a tolerance) and ``a`` is
above ``b``; otherwise ``a < b`` if ``a`` lies left of ``b`` and no third
block overlapping both horizontally lies vertically between them. Kahn's
algorithm with a geometric tie-break key linearises it, breaking cycles
without ever violating an x-overlap/above pair."""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import shapely
from shapely import STRtree

from ..model import BBox, Block

__all__ = ["ResolveOptions", "partial_order", "x_overlaps"]


@dataclass(frozen=True)
class ResolveOptions:
    # Two x-ranges "overlap" only if they share more than
    # max(overlap_px, overlap_frac * narrower width) pixels (capped at half the
    # narrower width), so slightly skewed neighbouring columns do not touch.
    overlap_frac: float = 0.1
    overlap_px: float = 3.0
    # Use Block.span (when the figure has one) to find the
    # column a figure belongs to; otherwise (or if that finds nothing) geometry.
    use_columns: bool = True


# ----------------------------------------------------------------- geometry

def _key(b: Block) -> tuple:
    """Total, input-order-independent tie-break key: top, left, then the rest."""
    bb = b.bbox
    return (bb.y0, bb.x0, bb.y1, bb.x1, b.kind, b.id)


def _vkey(bb: BBox) -> tuple[float, int]:
    """Vertical position: centre, then top."""
    return (bb.cy, bb.y0)


def x_overlaps(a: BBox, b: BBox, opts: ResolveOptions | None = None) -> bool:
    """True if the x-ranges of a and b share more than the tolerance."""
    opts = opts or ResolveOptions()
    ov = a.x_overlap(b)
    if ov <= 0:
        return False
    narrow = min(a.width, b.width)
    return ov > min(max(opts.overlap_px, opts.overlap_frac * narrow), narrow / 2)


def partial_order(boxes: list[BBox], opts: ResolveOptions | None = None,
                  spans: list[tuple[int, int] | None] | None = None
                  ) -> tuple[list[set[int]], list[set[int]]]:
    """The reading partial order over ``boxes``, as successor sets by index:
    ``(above, left)`` -- edges from the x-overlap/above rule (these alone are
    always acyclic) and edges from the left-of rule.

    ``spans``: each box's column span, where the layout knows it. Two boxes
    of one and the same column, one wholly above the other, are read top
    down even where they do not overlap in x: a heading centred over a
    column's short items (a textbook's answer key) comes before them."""
    opts = opts or ResolveOptions()
    n = len(boxes)
    above: list[set[int]] = [set() for _ in range(n)]
    left: list[set[int]] = [set() for _ in range(n)]
    if n < 2:
        return above, left
    xo = [[i != j and x_overlaps(boxes[i], boxes[j], opts) for j in range(n)]
          for i in range(n)]
    vk = [_vkey(bb) for bb in boxes]
    tree = STRtree([shapely.box(bb.x0, bb.y0, bb.x1, bb.y1) for bb in boxes])

    def bridged(i: int, j: int) -> bool:
        a, b = boxes[i], boxes[j]
        hull = shapely.box(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1))
        lo, hi = min(vk[i], vk[j]), max(vk[i], vk[j])
        for c in tree.query(hull):  # envelope candidates only; exact tests below
            c = int(c)
            if c != i and c != j and xo[c][i] and xo[c][j] and lo < vk[c] < hi:
                return True
        return False

    def same_column(i: int, j: int) -> bool:
        if not spans or spans[i] is None or spans[i] != spans[j] or spans[i][1] - spans[i][0] != 1:
            return False
        a, b = boxes[i], boxes[j]
        return a.y1 <= b.y0 or b.y1 <= a.y0

    for i in range(n):
        for j in range(i + 1, n):
            if xo[i][j] or same_column(i, j):
                if vk[i] < vk[j]:
                    above[i].add(j)
                elif vk[j] < vk[i]:
                    above[j].add(i)
                continue
            ki = (boxes[i].cx, boxes[i].x0, boxes[i].x1)
            kj = (boxes[j].cx, boxes[j].x0, boxes[j].x1)
            if ki == kj:
                continue
            a, b = (i, j) if ki < kj else (j, i)
            if not bridged(a, b):
                left[a].add(b)
    return above, left


def _toposort(keys: list, above: list[set[int]], left: list[set[int]]) -> tuple[list[int], bool]:
    """Kahn's algorithm; among available nodes the smallest key goes first.

    The relation can have cycles (e.g. a staircase of blocks, each x-overlapping
    the next one up, whose ends are left/right of each other).  Then, among the
    remaining nodes with no unmet ``above`` predecessor (there always is one:
    those edges are acyclic), the one with the fewest unmet predecessors, then
    the smallest key, is taken anyway: only left-of edges are ever broken, so
    "same column, above" pairs always hold.  The second value reports a break.
    """
    n = len(keys)
    indeg, vindeg = [0] * n, [0] * n
    succ = [above[i] | left[i] for i in range(n)]
    for i in range(n):
        for j in succ[i]:
            indeg[j] += 1
        for j in above[i]:
            vindeg[j] += 1
    heap = [(keys[i], i) for i in range(n) if indeg[i] == 0]
    heapq.heapify(heap)
    done = [False] * n
    out: list[int] = []
    cycle = False
    while len(out) < n:
        if heap:
            _, i = heapq.heappop(heap)
            if done[i]:
                continue
        else:
            cycle = True
            i = min((k for k in range(n) if not done[k] and vindeg[k] == 0),
                    key=lambda k: (indeg[k], keys[k], k))
        done[i] = True
        out.append(i)
        for j in sorted(succ[i]):
            if not done[j]:
                indeg[j] -= 1
                vindeg[j] -= j in above[i]
                if indeg[j] == 0:
                    heapq.heappush(heap, (keys[j], j))
    return out, cycle


def _order_flow(blocks: list[Block], opts: ResolveOptions) -> tuple[list[Block], bool]:
    blocks = sorted(blocks, key=_key)
    above, left = partial_order([b.bbox for b in blocks], opts,
                                [b.span if opts.use_columns else None for b in blocks])
    idx, cycle = _toposort([_key(b) for b in blocks], above, left)
    return [blocks[i] for i in idx], cycle
