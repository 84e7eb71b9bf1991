"""Text lines with boxes -> column gutters (the box-only layout's first step).

Input: text lines with boxes in page pixels (top-left origin), optionally with
"atoms" -- the boxes of their characters (a PDF text layer) or words (hOCR,
ALTO). Nothing about a particular page is assumed: every length is measured
in ems (the median height of the lines), every position comes from the boxes.

A gutter is a narrow x-interval ``[e, s)`` between two columns:

* justified CJK columns end flush, so many text runs end at ``e`` and many
  start at ``s`` (or at ``s`` + an indent) -- ``_edge_clusters`` finds these
  candidates. A run breaks at a gap wider than the page's own spacing
  (``box_text.run_gap``): an OCR engine's ink boxes leave half an em between Han
  characters and more around digits and Latin words, and those gaps line up
  by chance on a justified grid;
* the lines over the candidate's stretch must bear it out (``Evidence``):
  lines end and start at it on both sides, and hardly any line with atoms
  has a character inside it (the "white channel" test, exact for a PDF text
  layer; Tesseract's boxes straddle a gutter now and then). Lines *without*
  atoms that run across it count neither way: line-based engines glue the
  lines of neighbouring columns that share a baseline into one box, so on a
  grid-aligned page most rows cross every gutter, and the edges of the rows
  that were *not* glued (paragraph ends, indented first lines) are the
  evidence;
* the columns it separates are at least ``MIN_COLUMN_EM`` wide (table cells
  and list items are not columns).

Cutting the glued lines at the gutters is ``box_split``'s job.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from ..model import TextBox
from .box_text import inked_at, median_em, run_gap, text_runs

__all__ = ["Gutter", "Evidence", "find_gutters", "gutter_evidence", "EDGE_TOL_EM", "MIN_SUPPORT"]

EDGE_TOL_EM = 0.3     # run edges this close belong to one column edge
MAX_GUTTER_EM = 4.0   # wider white is a margin or a figure, not a gutter
MIN_SUPPORT = 3       # runs that must end (and start) at a gutter's edges
MIN_TALL_EM = 3.0     # a gutter's evidence must span at least this height
MIN_COLUMN_EM = 4.0   # narrower "columns" are table cells or list items
INDENT_EM = 2.5      # a line starting this far right of a gutter is an indented first line
INKED_FRAC = 1 / 3    # lines with ink across a gutter, as a fraction of the lines that support it


@dataclass
class Gutter:
    e: float   # left column's right edge
    s: float   # right column's left edge
    y0: float  # vertical stretch where the gutter holds
    y1: float

    @property
    def mid(self) -> float:
        return (self.e + self.s) / 2


def _edge_clusters(values: list[tuple[float, float, float]], tol: float) -> list[tuple[float, list]]:
    """Cluster (x, y0, y1) by x (gaps <= tol); returns (median x, members) with
    at least MIN_SUPPORT members."""
    values = sorted(values)
    out, cur = [], []
    for v in values:
        if cur and v[0] - cur[-1][0] > tol:
            out.append(cur)
            cur = []
        cur.append(v)
    if cur:
        out.append(cur)
    return [(median(v[0] for v in c), c) for c in out if len(c) >= MIN_SUPPORT]


def find_gutters(lines: list[TextBox], em: float | None = None) -> list[Gutter]:
    """Column gutters of a page from its line boxes (see the module docstring).

    Each candidate pairs an end edge ``e`` and the nearest start edge ``s``
    right of it (``0 < s - e <= MAX_GUTTER_EM`` em) whose supporting runs
    overlap vertically; it holds over the stretch those runs cover, and is
    kept only if the lines there bear it out (``gutter_evidence``).
    """
    if not lines:
        return []
    em = em or median_em(lines)
    gap = run_gap(lines, em)   # the page's own spacing: measured once, not per line
    runs = [r for ln in lines for r in text_runs(ln, em, gap)]
    tol = EDGE_TOL_EM * em
    ends = _edge_clusters([(r[1], r[2], r[3]) for r in runs], tol)
    starts = _edge_clusters([(r[0], r[2], r[3]) for r in runs], tol)
    gutters: list[Gutter] = []
    for e, emem in ends:
        cands = [(s, smem) for s, smem in starts if 0 < s - e <= MAX_GUTTER_EM * em]
        for s, smem in sorted(cands, key=lambda c: c[0]):
            ey0, ey1 = min(m[1] for m in emem), max(m[2] for m in emem)
            sy0, sy1 = min(m[1] for m in smem), max(m[2] for m in smem)
            y0, y1 = max(ey0, sy0), min(ey1, sy1)
            if y1 - y0 < MIN_TALL_EM * em:   # the two edges never face each other
                continue
            gutters.append(Gutter(e, s, min(ey0, sy0), max(ey1, sy1)))
            break
    gutters = _merge_gutters(gutters, lines, em)
    gutters = _grid_gutters(gutters, runs, lines, em)
    gutters = _text_columns(gutters, lines, em)
    return [_extend(g, lines, em) for g in gutters]


def _score(g: Gutter, lines: list[TextBox], em: float) -> int:
    """Lines beside the gutter less lines across it."""
    ev = gutter_evidence(g, lines, em)
    return ev.support - ev.inked - ev.blind


def _text_columns(gutters: list[Gutter], lines: list[TextBox], em: float) -> list[Gutter]:
    """Only gutters between columns of running text: of two gutters (or a
    gutter and the text's edge) less than ``MIN_COLUMN_EM`` apart, the weaker
    goes -- the gaps of a table or of a list of short items are not columns."""
    out = sorted(gutters, key=lambda g: g.mid)
    while True:
        narrow = []
        for i, g in enumerate(out):
            near = [ln.bbox for ln in lines if ln.bbox[1] < g.y1 and ln.bbox[3] > g.y0]
            left = max([h.s for h in out[:i] if h.y0 < g.y1 and g.y0 < h.y1]
                       + [min(b[0] for b in near)])
            right = min([h.e for h in out[i + 1:] if h.y0 < g.y1 and g.y0 < h.y1]
                        + [max(b[2] for b in near)])
            if min(g.e - left, right - g.s) < MIN_COLUMN_EM * em:
                narrow.append(g)
        if not narrow:
            return out
        out.remove(min(narrow, key=lambda g: _score(g, lines, em)))


@dataclass
class Evidence:
    """How the lines beside a candidate gutter bear it out (counts of lines).

    ``ends``/``starts``: lines that end at its left edge / start at its right
    edge (or an indent after it); ``white``: lines with atoms that run across
    it with no ink inside it (glued lines of two columns); ``inked``: lines
    with an atom inside it (text runs through: not a gutter); ``blind``:
    lines known only by a box that runs across it (no evidence either way)."""
    ends: int = 0
    starts: int = 0
    white: int = 0
    inked: int = 0
    blind: int = 0

    @property
    def support(self) -> int:
        return self.ends + self.starts + self.white

    @property
    def holds(self) -> bool:
        """Text on both sides over several lines, and hardly a line inked across it."""
        return (self.ends + self.white >= MIN_SUPPORT and self.starts + self.white >= MIN_SUPPORT
                and self.inked <= max(1.0, INKED_FRAC * self.support))


def gutter_evidence(g: Gutter, lines: list[TextBox], em: float) -> Evidence:
    tol = EDGE_TOL_EM * em
    ev = Evidence()
    for ln in lines:
        x0, y0, x1, y1 = ln.bbox
        if y0 >= g.y1 or y1 <= g.y0 or x1 <= g.e - em or x0 >= g.s + em:
            continue
        if x1 <= g.e + tol:
            ev.ends += abs(x1 - g.e) <= tol
        elif x0 >= g.s - tol:
            ev.starts += x0 - g.s <= INDENT_EM * em
        else:
            ink = inked_at(ln, g.e, g.s)
            if ink is None:
                ev.blind += 1
            elif ink:
                ev.inked += 1
            else:
                ev.white += 1
    return ev


def _grid_gutters(gutters: list[Gutter], runs, lines: list[TextBox], em: float) -> list[Gutter]:
    """Complete a regular column grid from the gutters found.

    When most rows are glued, a gutter can have too few unglued edges of its
    own (e.g. beside a column that is one long story: only its indented lines
    break the glue). Magazine columns are usually of equal width, so if the
    first confident gutter and the text's outer edges fit n equal columns
    within half an em, the other n - 1 gutters are taken from that grid --
    each only with at least one run edge at it and few lines inked across it."""
    if not gutters or not runs:
        return gutters
    g0 = min(gutters, key=lambda g: g.mid)
    inside = [r for r in runs if r[2] < g0.y1 and r[3] > g0.y0]
    left = min(r[0] for r in inside)
    right = max(r[1] for r in inside)
    cw, gw = g0.e - left, g0.s - g0.e
    if cw <= 2 * em:
        return gutters
    n = round((right - left + gw) / (cw + gw))
    if n < 2 or abs(left + n * cw + (n - 1) * gw - right) > 0.5 * em:
        return gutters
    tol = EDGE_TOL_EM * em
    out = list(gutters)
    for k in range(1, n):
        e = left + k * cw + (k - 1) * gw
        s = e + gw
        if any(abs(g.mid - (e + s) / 2) < em for g in out):
            continue
        cand = Gutter(e, s, g0.y0, g0.y1)
        ev = gutter_evidence(cand, lines, em)
        if any(abs(r[1] - e) <= tol or abs(r[0] - s) <= tol for r in inside) \
                and ev.inked <= INKED_FRAC * ev.support:
            out.append(cand)
    return sorted(out, key=lambda g: g.mid)


def _extend(g: Gutter, lines: list[TextBox], em: float) -> Gutter:
    """Grow a gutter's stretch over the body-sized lines next to it above and
    below (its first rows may all be glued, leaving no edge evidence there)."""
    near = sorted((ln for ln in lines if ln.bbox[0] < g.s + 2 * em and ln.bbox[2] > g.e - 2 * em
                   and 0.8 * em <= ln.height <= 1.25 * em), key=lambda ln: ln.bbox[1])
    y0, y1 = g.y0, g.y1
    for ln in reversed(near):
        if ln.bbox[1] < y0 and ln.bbox[3] >= y0 - 1.5 * em:
            y0 = ln.bbox[1]
    for ln in near:
        if ln.bbox[3] > y1 and ln.bbox[1] <= y1 + 1.5 * em:
            y1 = ln.bbox[3]
    return Gutter(g.e, g.s, y0, y1)


def _merge_gutters(gutters: list[Gutter], lines: list[TextBox], em: float) -> list[Gutter]:
    """One gutter per channel: of candidates that the lines bear out, those
    that overlap (an end edge paired with a start and with that start's
    indent, or two end edges with one start) give way to the one with most
    lines beside it and fewest across it, which holds over all their stretches."""
    held = [(g, _score(g, lines, em)) for g in gutters if gutter_evidence(g, lines, em).holds]
    held.sort(key=lambda c: (c[0].mid, c[0].y0))
    groups: list[list[tuple[Gutter, int]]] = []
    for g, sup in held:
        if groups and any(g.e < p.s + 0.5 * em and p.e < g.s + 0.5 * em and g.y0 < p.y1 and p.y0 < g.y1
                          for p, _ in groups[-1]):
            groups[-1].append((g, sup))
        else:
            groups.append([(g, sup)])
    out = []
    for grp in groups:
        best = max(grp, key=lambda c: c[1])[0]
        out.append(Gutter(best.e, best.s, min(g.y0 for g, _ in grp), max(g.y1 for g, _ in grp)))
    return out


