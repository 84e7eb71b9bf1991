"""Cutting lines that cross a column gutter (glued lines) back into column lines.

A line crossing a gutter is split there. With atoms (character or word
boxes), atoms left of the gutter's centre go left, right go right; an atom
crossing it is cut assuming uniform character width (``_cut_atom``).

A line known only by its box and text (PaddleOCR-style JSON) is the hard
case: in justified columns the characters are spread to fill the column, so
a 15- and a 16-character line glued together give the same box as a 16 and
a 15. The geometric estimate (uniform width, ``_geometric_cuts``) is then
only good to about one character, and the cut is chosen among the nearby
character boundaries by how well every piece fills its column
(``LineMeasure``, learnt from the page itself):

* every line that ends flush at a column end is a full line; its text width
  in ems, with full-width punctuation counted as ``punct`` em, is about
  ``density`` * its width in pixels. ``density`` is learnt from such lines,
  glued or not (a glued line's total does not depend on where it is cut);
  ``punct`` (1 em, or 1/2 em where the typesetter sets punctuation half
  width) is the value under which the page's glued lines are most
  consistently cut;
* no piece may start with closing punctuation or end with opening
  punctuation (line-break rules);
* a weak prior keeps the cuts near the geometric estimate.
"""
from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from statistics import median

from ..model import TextBox
from .box_gutters import EDGE_TOL_EM, Gutter
from .box_text import char_weight, inked_at, text_box

__all__ = ["NO_START", "NO_END", "LineMeasure", "split_line", "learn_measure", "trim_overhang"]

NO_START = set("，。、；：？！）》」』】〕”’…・,.;:?!)]}%")  # may not begin a line (kinsoku)
NO_END = set("（《「『【〔“‘([{")                           # may not end a line
PUNCT = frozenset(c for c in NO_START | NO_END if unicodedata.east_asian_width(c) in ("W", "F"))

PUNCT_WIDTHS = (0.5, 1.0)  # ems a full-width punctuation mark may take in a full line
WINDOW = 2                 # cuts tried on each side of the geometric estimate (characters)
PRIOR = 0.25               # weight of (cut - geometric estimate)^2, in ems^2
KINSOKU_COST = 3.0         # a piece starting with closing / ending with opening punctuation
MIN_SAMPLES = 3            # full lines needed to learn a measure
REACH = 0.75               # a line crosses a gutter with this much of its height beyond each side


@dataclass
class LineMeasure:
    """How much text a full column line holds, learnt from the page."""
    punct: float         # ems of a full-width punctuation mark
    density: float       # ems of text per pixel of a full line
    ends: list[float]    # x of the column ends (full lines end there)
    tol: float           # px

    def weight(self, text: str) -> float:
        return sum(self.punct if c in PUNCT else char_weight(c) for c in text)

    def is_full(self, x1: float) -> bool:
        return any(abs(x1 - e) <= self.tol for e in self.ends)


# ------------------------------------------------------------ lines with atoms

def _cut_atom(box, text: str, at: float) -> tuple[tuple, str, tuple, str]:
    """Cut one atom at the character boundary nearest x=``at``, assuming
    uniform character width per ``char_weight``."""
    x0, y0, x1, y1 = box
    w = [char_weight(c) for c in text]
    unit = (x1 - x0) / (sum(w) or 1.0)
    bounds, acc = [x0], 0.0
    for wi in w:
        acc += wi
        bounds.append(x0 + acc * unit)
    k = min(range(len(text) + 1), key=lambda i: abs(bounds[i] - at))
    cut = bounds[k]
    return (x0, y0, cut, y1), text[:k], (cut, y0, x1, y1), text[k:]


def split_line(ln: TextBox, gutters: list[Gutter], measure: LineMeasure | None = None) -> list[TextBox]:
    """Cut a line at every gutter it crosses (left to right).

    Atoms (chars or words) go to the side of the gutter's centre they lie on;
    an atom crossing the centre is cut by ``_cut_atom``. A line without atoms
    is cut by ``_split_boxless`` (using ``measure`` when given).
    """
    # a line with ink inside the gutter is one line running through it (a
    # false gutter, or a title): left whole, as the engine gave it
    crossed = [g for g in _crossed(ln, gutters) if not inked_at(ln, g.e, g.s)]
    if not crossed:
        return [ln]
    if not ln.atoms:
        return [_in_block(p, ln) for p in _split_boxless(ln, crossed, measure)]
    groups: list[list] = [[] for _ in range(len(crossed) + 1)]
    for box, text in ln.atoms:
        parts = [(box, text)]
        for g in crossed:
            box, text = parts.pop()
            if box[2] <= g.mid:
                parts.append((box, text))
                break
            if box[0] >= g.mid:
                parts.append(None)  # placeholder: atom lies right of this gutter
                parts.append((box, text))
                continue
            lb, lt, rb, rt = _cut_atom(box, text, g.e)
            parts.extend([(lb, lt), None, (rb, rt)])
        # parts: atoms interleaved with None markers = gutter boundaries
        gi = 0
        for p in parts:
            if p is None:
                gi += 1
            elif p[1]:
                groups[gi].append(p)
    return [_in_block(text_box(g), ln) for g in groups if g and "".join(a[1] for a in g).strip()]


def _in_block(piece: TextBox, whole: TextBox) -> TextBox:
    piece.conf, piece.block = whole.conf, whole.block
    return piece


def trim_overhang(ln: TextBox, gutters: list[Gutter]) -> TextBox:
    """``ln`` with its box cut back to the column it belongs to where it only
    overhangs a gutter (less than ``REACH`` of its height beyond it): a
    detector's box often reaches into the gutter or a little past it, and left
    as it is it would make the line's block overlap the next column's."""
    x0, y0, x1, y1 = ln.bbox
    reach = REACH * ln.height
    for g in gutters:
        if not (y0 < g.y1 and y1 > g.y0):
            continue
        if g.e - reach <= x0 < g.s and x1 > g.s + reach:
            x0 = g.s
        elif g.s + reach >= x1 > g.e and x0 < g.e - reach:
            x1 = g.e
    if (x0, x1) == (ln.bbox[0], ln.bbox[2]):
        return ln
    return TextBox((x0, y0, x1, y1), ln.text, ln.atoms, ln.conf, ln.block)


def _crossed(ln: TextBox, gutters: list[Gutter]) -> list[Gutter]:
    """The gutters ``ln`` runs across, with most of a character (``REACH``
    of its height) on each side: a box that only overhangs the channel (a
    detector's margin, a stray mark) is one column's line."""
    x0, _, x1, _ = ln.bbox
    reach = REACH * ln.height
    return sorted((g for g in gutters if x0 < g.e - reach and x1 > g.s + reach), key=lambda g: g.mid)


# ------------------------------------------------------------ lines known by box and text

def _bad_break(text: str, j: int) -> bool:
    return (j < len(text) and text[j] in NO_START) or (j > 0 and text[j - 1] in NO_END)


def _geometric_cuts(ln: TextBox, crossed: list[Gutter]) -> list[int]:
    """Cut indices from uniform character width: the gutters' white is taken
    out of the box and the rest shared among the characters by
    ``char_weight``; each cut goes to the character boundary nearest the
    gutter's left edge. Where two boundaries are about equally near (within
    0.25 of a character), a break the line-break rules forbid loses."""
    x0, _, x1, _ = ln.bbox
    text = ln.text
    white = sum(g.s - g.e for g in crossed)
    unit = (x1 - x0 - white) / (sum(char_weight(c) for c in text) or 1.0)
    cuts, done, start = [], 0, x0
    for g in crossed:
        rest = text[done:]
        cands, acc = [(abs(start - g.e), 0)], 0.0
        for i, c in enumerate(rest):
            acc += char_weight(c)
            cands.append((abs(start + acc * unit - g.e), i + 1))
        cands.sort()
        k = cands[0][1]
        if len(cands) > 1 and cands[1][0] - cands[0][0] < 0.25 * unit:
            if _bad_break(rest, k) and not _bad_break(rest, cands[1][1]):
                k = cands[1][1]
        done += k
        cuts.append(done)
        start = g.s
    return cuts


def _best_cuts(ln: TextBox, crossed: list[Gutter], m: LineMeasure,
               cuts0: list[int]) -> tuple[float, list[int]]:
    """The cuts within ``WINDOW`` characters of ``cuts0`` of least cost (see
    the module docstring): (cost, cuts)."""
    text = ln.text
    x0, _, x1, _ = ln.bbox
    n = len(text)
    cw = [0.0]  # cumulative char_weight, for the geometric prior
    for c in text:
        cw.append(cw[-1] + char_weight(c))
    white = sum(g.s - g.e for g in crossed)
    unit = (x1 - x0 - white) / (cw[-1] or 1.0)
    targets, before = [], 0.0
    for g in crossed:
        targets.append((g.e - x0 - before) / unit)
        before += g.s - g.e
    xs = [x0] + [g.s for g in crossed]
    xe = [g.e for g in crossed] + [x1]
    last_full = m.is_full(x1)
    best: tuple[float, list[int]] | None = None
    ranges = [range(max(1, c - WINDOW), min(n - 1, c + WINDOW) + 1) for c in cuts0]
    for cuts in itertools.product(*ranges):
        bounds = (0, *cuts, n)
        if any(b <= a for a, b in zip(bounds, bounds[1:])):
            continue
        cost = PRIOR * sum((cw[c] - t) ** 2 for c, t in zip(cuts, targets))
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            piece = text[a:b]
            if k and piece[0] in NO_START:
                cost += KINSOKU_COST
            if k < len(cuts) and piece[-1] in NO_END:
                cost += KINSOKU_COST
            if k < len(cuts) or last_full:
                cost += (m.weight(piece) - m.density * (xe[k] - xs[k])) ** 2
        if best is None or cost < best[0]:
            best = (cost, list(cuts))
    return best if best is not None else (0.0, cuts0)


def _split_boxless(ln: TextBox, crossed: list[Gutter], measure: LineMeasure | None = None) -> list[TextBox]:
    """Cut a glued line known only by its box and text at the geometric
    estimate, refined by ``measure`` when the page gave one."""
    x0, y0, x1, y1 = ln.bbox
    cuts = _geometric_cuts(ln, crossed)
    if measure is not None:
        cuts = _best_cuts(ln, crossed, measure, cuts)[1]
    bounds = (0, *cuts, len(ln.text))
    xs = [x0] + [g.s for g in crossed]
    xe = [g.e for g in crossed] + [x1]
    pieces = [TextBox((xs[k], y0, xe[k], y1), ln.text[a:b], [], ln.conf)
              for k, (a, b) in enumerate(zip(bounds, bounds[1:]))]
    return [p for p in pieces if p.text.strip()]


def learn_measure(glued: list[tuple[TextBox, list[Gutter]]], lines: list[TextBox],
                  gutters: list[Gutter], em: float) -> LineMeasure | None:
    """The page's ``LineMeasure`` from its body-sized box-only lines that end
    at a column end; ``glued``: the box-only lines to be split, with the
    gutters each crosses. None without glued lines or with too few samples."""
    glued = [(ln, cr) for ln, g in glued if not ln.atoms and (cr := _crossed(ln, g))]
    if not glued or not lines:
        return None
    ends = [g.e for g in gutters] + [max(ln.bbox[2] for ln in lines)]
    probe = LineMeasure(1.0, 0.0, ends, EDGE_TOL_EM * em)
    samples = []
    for ln in lines:
        x0, y0, x1, y1 = ln.bbox
        if ln.atoms or not 0.8 * em <= ln.height <= 1.25 * em or not probe.is_full(x1):
            continue
        white = sum(g.s - g.e for g in gutters if x0 < g.e and x1 > g.s and y0 < g.y1 and y1 > g.y0)
        if x1 - x0 - white > 2 * em:
            samples.append((ln.text, x1 - x0 - white))
    if len(samples) < MIN_SAMPLES:
        return None
    best: tuple[float, LineMeasure] | None = None
    for p in PUNCT_WIDTHS:
        m = LineMeasure(p, 0.0, ends, probe.tol)
        m.density = float(median(m.weight(t) / px for t, px in samples))
        cost = sum(_best_cuts(ln, cr, m, _geometric_cuts(ln, cr))[0] for ln, cr in glued) / len(glued)
        if best is None or cost < best[0]:
            best = (cost, m)
    return best[1]
