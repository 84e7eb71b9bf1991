"""Layout from text boxes instead of pixels: columns, glued-line splitting, blocks.

Input: text lines with boxes in page pixels (top-left origin), optionally with
"atoms" -- the boxes of their characters (a PDF text layer) or words (hOCR,
ALTO). Output: our model's Blocks (no order yet), so that
``readingorder.resolve_order`` and ``assemble.assemble_blocks`` work on them
unchanged. Nothing about a particular page is assumed: every length is
measured in ems (the median height of the lines), every position comes from
the boxes.

Gutters. A gutter is a narrow x-interval ``[e, s)`` between two columns:

* justified CJK columns end flush, so many text runs end at ``e`` and many
  start at ``s`` (or at ``s`` + an indent) -- ``_edge_clusters`` finds these;
* no run with known character boxes crosses it over that vertical stretch
  (the "tall white channel" test, exact for a PDF text layer);
* runs *without* character boxes may cross it: line-based engines glue the
  lines of neighbouring columns that share a baseline into one box, so on a
  grid-aligned page most rows cross every gutter and a plain coverage valley
  is too shallow to trust. The edges of the rows that were *not* glued
  (paragraph ends, indented first lines) still line up, and that is the
  evidence we use.

A line crossing a gutter within the gutter's vertical stretch, with its
left edge at a known run start (so a centred masthead line is never cut),
is split there: atoms left of the gutter's centre go left, right go right;
an atom crossing it (the whole glued line when only its box is known) is cut
assuming uniform character width (Han and full-width characters 1 em, other
characters half an em), at the character boundary nearest the gutter's left
edge.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from statistics import median

from .model import BBox, Block, Line, Word

__all__ = ["TextBox", "Gutter", "BoxLayout", "find_gutters", "split_line",
           "layout_from_boxes", "char_weight", "lines_from_chars", "glyph_pitch",
           "page_from_boxes"]

RUN_GAP_EM = 0.3      # a wider gap inside a line starts a new run (gutters are >= ~0.4 em)
EDGE_TOL_EM = 0.3     # run edges this close belong to one column edge
MAX_GUTTER_EM = 4.0   # wider white is a margin or a figure, not a gutter
MIN_SUPPORT = 3       # runs that must end (and start) at a gutter's edges
MIN_TALL_EM = 3.0     # a gutter's evidence must span at least this height


@dataclass
class TextBox:
    """One text line as an engine or a PDF gives it. ``atoms``: (box, text)
    of its characters or words when known, left to right."""
    bbox: tuple[float, float, float, float]
    text: str
    atoms: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)
    conf: float = 100.0

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


@dataclass
class Gutter:
    e: float   # left column's right edge
    s: float   # right column's left edge
    y0: float  # vertical stretch where the gutter holds
    y1: float

    @property
    def mid(self) -> float:
        return (self.e + self.s) / 2


@dataclass
class BoxLayout:
    blocks: list[Block]
    columns: list[tuple[int, int]]
    gutters: list[Gutter]
    em: float
    n_split: int  # glued lines that were cut at a gutter


def char_weight(c: str) -> float:
    """Width of a character in ems, for splitting a line whose characters have no boxes."""
    if c.isspace():
        return 0.5 if c != "\u3000" else 1.0
    return 1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5


# ------------------------------------------------------------ lines from characters

def lines_from_chars(chars: list[tuple[tuple[float, float, float, float], str]]) -> list[TextBox]:
    """Group characters (box, text) into rows by vertical overlap, each row left
    to right, cut where the gap exceeds 1.5 of the row's height (clearly apart;
    narrower gaps, e.g. gutters, are left to the gutter finder)."""
    chars = [c for c in chars if c[0][3] > c[0][1]]
    chars.sort(key=lambda c: ((c[0][1] + c[0][3]) / 2, c[0][0]))
    rows: list[list] = []
    for c in chars:
        (x0, y0, x1, y1), _ = c
        cy = (y0 + y1) / 2
        # join the most recent row whose vertical extent holds this char's centre and is of similar size
        for row in reversed(rows[-4:]):
            ry0, ry1 = row[0], row[1]
            h = y1 - y0
            if ry0 <= cy <= ry1 and 0.6 <= h / max(ry1 - ry0, 1e-6) <= 1.67:
                row[2].append(c)
                break
        else:
            rows.append([y0, y1, [c]])
    out: list[TextBox] = []
    for _, _, cs in rows:
        cs.sort(key=lambda c: c[0][0])
        h = median(c[0][3] - c[0][1] for c in cs)
        cur = [cs[0]]
        for c in cs[1:]:
            if c[0][0] - cur[-1][0][2] > 1.5 * h:
                out.append(_textbox(cur))
                cur = []
            cur.append(c)
        out.append(_textbox(cur))
    return out


def _textbox(atoms) -> TextBox:
    bb = (min(a[0][0] for a in atoms), min(a[0][1] for a in atoms),
          max(a[0][2] for a in atoms), max(a[0][3] for a in atoms))
    return TextBox(bb, "".join(a[1] for a in atoms), list(atoms))


# ------------------------------------------------------------ gutters

def _runs(ln: TextBox, em: float) -> list[tuple[float, float, float, float, bool]]:
    """(x0, x1, y0, y1, exact) pieces of a line between wide gaps; ``exact``:
    the piece's extent comes from atom boxes, so it really covers its x-range."""
    x0, y0, x1, y1 = ln.bbox
    atoms = [a for a in ln.atoms if a[1].strip()]
    if len(atoms) < 2:
        return [(x0, x1, y0, y1, False)]
    out = []
    rx0, rx1 = atoms[0][0][0], atoms[0][0][2]
    for (ax0, _, ax1, _), _ in atoms[1:]:
        if ax0 - rx1 > RUN_GAP_EM * em:
            out.append((rx0, rx1, y0, y1, True))
            rx0 = ax0
        rx1 = max(rx1, ax1)
    out.append((rx0, rx1, y0, y1, True))
    return out


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

    Each gutter pairs an end edge ``e`` and the nearest start edge ``s`` right
    of it (``0 < s - e <= MAX_GUTTER_EM`` em) whose supporting runs overlap
    vertically; the gutter holds over the stretch those runs cover, and is
    dropped if an exact run (atom boxes) crosses it there.
    """
    if not lines:
        return []
    em = em or _em(lines)
    runs = [r for ln in lines for r in _runs(ln, em)]
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
            y0, y1 = min(ey0, sy0), max(ey1, sy1)
            # exact runs crossing the channel: real text there, so no gutter
            cross = [r for r in runs if r[4] and r[0] < e + 0.5 * (s - e) - 1 < r[1] - 2
                     and r[0] < e - 0.5 * em and r[1] > s + 0.5 * em
                     and r[2] < y1 and r[3] > y0]
            if len(cross) > max(1, 0.1 * min(len(emem), len(smem))):
                continue
            gutters.append(Gutter(e, s, y0, y1))
            break
    gutters = _merge_gutters(gutters, em)
    gutters = _grid_gutters(gutters, runs, em)
    return [_extend(g, lines, em) for g in gutters]


def _crossed(e: float, s: float, y0: float, y1: float, runs, em: float) -> bool:
    return any(r[4] and r[0] < e - 0.5 * em and r[1] > s + 0.5 * em and r[2] < y1 and r[3] > y0
               for r in runs)


def _grid_gutters(gutters: list[Gutter], runs, em: float) -> list[Gutter]:
    """Complete a regular column grid from the gutters found.

    When most rows are glued, a gutter can have too few unglued edges of its
    own (e.g. beside a column that is one long story: only its indented lines
    break the glue). Magazine columns are usually of equal width, so if the
    first confident gutter and the text's outer edges fit n equal columns
    within half an em, the other n - 1 gutters are taken from that grid --
    each only with at least one run edge at it and no exact run across it."""
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
        if _crossed(e, s, g0.y0, g0.y1, runs, em):
            continue
        if any(abs(r[1] - e) <= tol or abs(r[0] - s) <= tol for r in inside):
            out.append(Gutter(e, s, g0.y0, g0.y1))
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


def _merge_gutters(gutters: list[Gutter], em: float) -> list[Gutter]:
    """One gutter per channel: overlapping candidates (an end edge pairing with
    a start edge and with that start's indent) merge to the narrowest."""
    gutters.sort(key=lambda g: (g.mid, g.y0))
    out: list[Gutter] = []
    for g in gutters:
        p = out[-1] if out else None
        if p and g.e < p.s + 0.5 * em and p.e < g.s + 0.5 * em and g.y0 < p.y1 and p.y0 < g.y1:
            out[-1] = Gutter(max(p.e, g.e), min(p.s, g.s) if min(p.s, g.s) > max(p.e, g.e) else p.s,
                             min(p.y0, g.y0), max(p.y1, g.y1))
        else:
            out.append(g)
    return out


def _em(lines: list[TextBox]) -> float:
    hs = [ln.height for ln in lines if ln.height > 0 and ln.text.strip()]
    return float(median(hs)) if hs else 1.0


# ------------------------------------------------------------ splitting glued lines

def _cut_atom(box, text: str, at: float) -> tuple[tuple, str, tuple, str]:
    """Cut one atom at the character boundary nearest x=``at``, assuming
    uniform character width per ``char_weight``."""
    x0, y0, x1, y1 = box
    w = [char_weight(c) for c in text]
    total = sum(w) or 1.0
    unit = (x1 - x0) / total
    best, acc, pos = 0, 0.0, []
    for i, wi in enumerate(w):
        acc += wi
        pos.append(x0 + acc * unit)
    k = min(range(len(text) + 1), key=lambda i: abs((x0 if i == 0 else pos[i - 1]) - at))
    best = k
    cut = x0 if best == 0 else pos[best - 1]
    return (x0, y0, cut, y1), text[:best], (cut, y0, x1, y1), text[best:]


def split_line(ln: TextBox, gutters: list[Gutter], pitch: float | None = None) -> list[TextBox]:
    """Cut a line at every gutter it crosses (left to right).

    Atoms (chars or words) go to the side of the gutter's centre they lie on;
    an atom crossing the centre is cut by ``_cut_atom``. A line without atoms
    is cut by ``_split_boxless``.
    """
    x0, y0, x1, y1 = ln.bbox
    crossed = sorted((g for g in gutters if x0 < g.e and x1 > g.s), key=lambda g: g.mid)
    if not crossed:
        return [ln]
    atoms = list(ln.atoms) if ln.atoms else [(ln.bbox, ln.text)]
    if not ln.atoms:
        return _split_boxless(ln, crossed, pitch)
    groups: list[list] = [[] for _ in range(len(crossed) + 1)]
    for box, text in atoms:
        parts = [(box, text)]
        for gi, g in enumerate(crossed):
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
    return [_textbox(g) for g in groups if g and "".join(a[1] for a in g).strip()]


NO_START = set("，。、；：？！）》」』】〕”’…・,.;:?!)]}%")  # may not begin a line (kinsoku)
NO_END = set("（《「『【〔“‘([{")                           # may not end a line


def _split_boxless(ln: TextBox, crossed: list[Gutter], pitch: float | None = None) -> list[TextBox]:
    """Cut a glued line known only by its box and text.

    The gutters' white is taken out of the box and the rest shared among the
    characters by ``char_weight`` (uniform width); each cut goes to the
    character boundary nearest the gutter's left edge. Where two boundaries
    are about equally near (within 0.25 of a character), line-break rules
    decide: no closing punctuation at a line's start, no opening one at its
    end. (Tried and measured worse on the seed page: choosing cuts so every
    piece's own pitch matches the page's full-line pitch -- columns hold 15
    to 16.5 ems a line, so that ties as often as it helps.)
    """
    x0, y0, x1, y1 = ln.bbox
    white = sum(g.s - g.e for g in crossed)
    unit = (x1 - x0 - white) / (sum(char_weight(c) for c in ln.text) or 1.0)
    pieces, rest, start = [], ln.text, x0
    for g in crossed:
        cands, acc = [(abs(start - g.e), 0)], 0.0
        for i, c in enumerate(rest):
            acc += char_weight(c)
            cands.append((abs(start + acc * unit - g.e), i + 1))
        cands.sort()
        k = cands[0][1]
        if len(cands) > 1 and cands[1][0] - cands[0][0] < 0.25 * unit:
            def bad(j: int) -> bool:
                return (j < len(rest) and rest[j] in NO_START) or (j > 0 and rest[j - 1] in NO_END)
            if bad(k) and not bad(cands[1][1]):
                k = cands[1][1]
        pieces.append(TextBox((start, y0, g.e, y1), rest[:k], [], ln.conf))
        rest, start = rest[k:], g.s
    pieces.append(TextBox((start, y0, x1, y1), rest, [], ln.conf))
    return [p for p in pieces if p.text.strip()]


def glyph_pitch(lines: list[TextBox], gutters: list[Gutter], em: float) -> float | None:
    """The pitch of a full (justified) column line: the median width/weight of
    lines that cross no gutter and end flush at a column edge. Typesetters
    (and our synth pages) often leave a line one character short and spread
    it, so this, not the bare glyph width, is what a glued piece should show."""
    if not lines:
        return None
    right = max(ln.bbox[2] for ln in lines)
    ends = [g.e for g in gutters] + [right]
    vals = []
    for ln in lines:
        w = sum(char_weight(c) for c in ln.text)
        if w >= 4 and not ln.atoms and 0.8 * em <= ln.height <= 1.25 * em and \
                any(abs(ln.bbox[2] - e) <= EDGE_TOL_EM * em for e in ends) and \
                not any(ln.bbox[0] < g.e and ln.bbox[2] > g.s for g in gutters):
            vals.append((ln.bbox[2] - ln.bbox[0]) / w)
    return float(median(vals)) if len(vals) >= 3 else None


# ------------------------------------------------------------ blocks

def _columns(gutters: list[Gutter], lines: list[TextBox]) -> list[tuple[int, int]]:
    """Column x-ranges: between the text's outer edges and the gutters (merged
    over all stretches, so a page with two- and three-column parts gets the
    finest division)."""
    if not lines:
        return []
    left = min(ln.bbox[0] for ln in lines)
    right = max(ln.bbox[2] for ln in lines)
    cols, x = [], left
    for g in sorted(gutters, key=lambda g: g.mid):
        if g.e > x:
            cols.append((int(round(x)), int(round(g.e))))
            x = g.s
    cols.append((int(round(x)), int(round(right))))
    return cols


def _span(bb: tuple, cols: list[tuple[int, int]], em: float) -> tuple[int, int]:
    """Columns the box covers by more than half an em (or its centre column)."""
    hit = [i for i, (c0, c1) in enumerate(cols) if min(bb[2], c1) - max(bb[0], c0) > 0.5 * em]
    if not hit:
        cx = (bb[0] + bb[2]) / 2
        hit = [min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - cx))]
    return (hit[0], hit[-1] + 1)


def _to_line(tb: TextBox) -> Line:
    bb = BBox.from_list(tb.bbox)
    words = [Word(BBox.from_list(b), t, tb.conf) for b, t in tb.atoms if t.strip()]
    return Line(bbox=bb, text=tb.text, conf=tb.conf, words=words)


def _group(lines: list[TextBox], spans: list[tuple[int, int]], em: float) -> list[list[int]]:
    """Consecutive lines of one column span with similar height and normal
    leading form a block; a bigger gap or a size change starts a new one."""
    by_span: dict[tuple, list[int]] = {}
    for i in sorted(range(len(lines)), key=lambda i: (lines[i].bbox[1], lines[i].bbox[0])):
        by_span.setdefault(spans[i], []).append(i)
    gaps = []
    for idx in by_span.values():
        for a, b in zip(idx, idx[1:]):
            g = lines[b].bbox[1] - lines[a].bbox[3]
            if 0 <= g < 2 * em:
                gaps.append(g)
    lead = float(median(gaps)) if gaps else 0.6 * em
    out: list[list[int]] = []
    for idx in by_span.values():
        cur: list[int] = []
        for i in idx:
            if cur:
                p = lines[cur[-1]]
                hp, hn = p.height, lines[i].height
                gap = lines[i].bbox[1] - p.bbox[3]
                limit = max(lead * 1.6 + 0.1 * em, 0.3 * max(hp, hn))
                if gap > limit or not 0.75 <= hn / max(hp, 1e-6) <= 1.33 or gap < -0.5 * min(hp, hn):
                    out.append(cur)
                    cur = []
            cur.append(i)
        if cur:
            out.append(cur)
    return out


def _kind(tbs: list[TextBox], bb: BBox, boxes: list[BBox], body_em: float, page_h: float,
          ncols: int, span: tuple[int, int], top_of_columns: float | None) -> str:
    h = median(t.height for t in tbs)
    others = [o for o in boxes if o != bb]
    if len(tbs) == 1 and h <= 1.4 * body_em and others:
        if bb.y1 <= 0.12 * page_h and all(bb.y1 <= o.y0 + 2 for o in others):
            return "header"
        if bb.y0 >= 0.88 * page_h and all(bb.y0 >= o.y1 - 2 for o in others):
            return "footer"
    if h >= 1.5 * body_em:
        return "title"
    if len(tbs) <= 3 and h >= 1.15 * body_em:
        return "heading"
    # masthead lines (author, kicker) above the columns: not part of a column's text
    if top_of_columns is not None and len(tbs) <= 3 and bb.y1 <= top_of_columns:
        return "heading"
    if len(tbs) <= 2 and span[1] - span[0] > 1 and ncols > 1:
        return "heading"
    return "body"


def layout_from_boxes(lines: list[TextBox], width: float, height: float) -> BoxLayout:
    """Lines with boxes -> gutters, split lines, columns and typed blocks (ids
    top-to-bottom, no reading order yet)."""
    lines = [ln for ln in lines if ln.text.strip() and ln.bbox[2] > ln.bbox[0]]
    if not lines:
        return BoxLayout([], [], [], 0.0, 0)
    em = _em(lines)
    gutters = find_gutters(lines, em)
    starts = [r[0] for ln in lines for r in _runs(ln, em)]
    pitch = None  # see _split_boxless: the page pitch did not help
    pieces: list[TextBox] = []
    n_split = 0
    for ln in lines:
        # only inside a gutter's stretch, and only lines that begin where text
        # begins elsewhere (a column start or indent): a centred title is left whole
        gs = [g for g in gutters if ln.bbox[1] < g.y1 + em and ln.bbox[3] > g.y0 - em
              and ln.height < 1.5 * em
              and sum(abs(x - ln.bbox[0]) <= EDGE_TOL_EM * em for x in starts) >= MIN_SUPPORT]
        out = split_line(ln, gs, pitch) if gs else [ln]
        n_split += len(out) > 1
        pieces.extend(out)
    cols = _columns(gutters, pieces)
    spans = [_span(p.bbox, cols, em) for p in pieces]
    groups = _group(pieces, spans, em)
    body = [p.height for p, sp in zip(pieces, spans) if sp[1] - sp[0] == 1] or [p.height for p in pieces]
    body_em = float(median(body))
    boxes = [BBox.enclosing(BBox.from_list(pieces[i].bbox) for i in g) for g in groups]
    top_cols = min((g.y0 for g in gutters), default=None)
    blocks = []
    for g, bb in zip(groups, boxes):
        tbs = [pieces[i] for i in g]
        span = spans[g[0]]
        kind = _kind(tbs, bb, boxes, body_em, height, len(cols), span,
                     top_cols - 0.5 * em if top_cols is not None else None)
        blocks.append(Block(id=0, kind=kind, bbox=bb, column=span[0], span=span,
                            lines=[_to_line(t) for t in tbs],
                            conf=sum(t.conf for t in tbs) / len(tbs)))
    blocks.sort(key=lambda b: (b.bbox.y0, b.bbox.x0))
    for i, b in enumerate(blocks):
        b.id = i
    return BoxLayout(blocks, cols, gutters, em, n_split)


def page_from_boxes(lines: list[TextBox], *, source: str, page_number: int, width: float,
                    height: float, dpi: int, engine: str, options: dict | None = None):
    """The whole text path without pixels: layout, reading order, block text -> Page."""
    from .assemble import assemble_blocks
    from .model import Page
    from .readingorder import resolve_order

    lay = layout_from_boxes(lines, width, height)
    page = Page(source=str(source), page_number=page_number, width=int(round(width)),
                height=int(round(height)), dpi=dpi, columns=lay.columns, engine=engine,
                options=dict(options or {}))
    result = resolve_order(lay.blocks)
    page.blocks = result.blocks
    page.flags.extend(result.flags)
    if lay.n_split:
        page.flags.append(f"glued-lines-split: {lay.n_split}")
    if not page.blocks:
        page.flags.append("no-text-found")
    page.options["layout"] = {"char_height": round(lay.em, 1), "gutters": len(lay.gutters),
                              "source": "boxes"}
    assemble_blocks(page)
    for b in page.blocks:
        if b.lines:
            b.conf = sum(ln.conf for ln in b.lines) / len(b.lines)
    return page
