"""Text lines as boxes (``model.TextBox``): lines from a PDF's characters,
the runs of text inside a line, the page's em and its own spacing, and
whether a line has ink at an x-range. What the box layout (gutters, split,
blocks) measures lines by."""
from __future__ import annotations

import unicodedata
from statistics import median

from ..model import TextBox

__all__ = ["char_weight", "lines_from_chars", "text_box", "run_gap", "text_runs", "inked_at",
           "median_em", "RUN_GAP_EM"]

RUN_GAP_EM = 0.3      # a wider gap inside a line starts a new run (gutters are >= ~0.4 em)
MIN_GAPS = 20         # atom gaps needed to measure a page's own spacing
GAP_FACTOR = 2.0      # a run break is this many times the page's usual (90th percentile) atom gap


def char_weight(c: str) -> float:
    """Width of a character in ems, for splitting a line whose characters have no boxes."""
    if c.isspace():
        return 0.5 if c != "\u3000" else 1.0
    return 1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5


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
                out.append(text_box(cur))
                cur = []
            cur.append(c)
        out.append(text_box(cur))
    return out


def text_box(atoms) -> TextBox:
    bb = (min(a[0][0] for a in atoms), min(a[0][1] for a in atoms),
          max(a[0][2] for a in atoms), max(a[0][3] for a in atoms))
    return TextBox(bb, "".join(a[1] for a in atoms), list(atoms))


def run_gap(lines: list[TextBox], em: float) -> float:
    """The gap inside a line that starts a new run, in pixels.

    Character boxes from a text layer touch or nearly touch, so a gap of
    ``RUN_GAP_EM`` em is already a break. An OCR engine's word boxes are ink
    boxes: Tesseract leaves 0.3 to 0.6 em between Han characters and more
    around digits and Latin words, so for such a page the break is ``GAP_FACTOR``
    times the gap that nine in ten of its atom gaps stay under (the page's own
    spacing, measured, not assumed)."""
    gaps = sorted(max(0.0, b[0][0] - a[0][2]) for ln in lines
                  for a, b in zip(ln.atoms, ln.atoms[1:]))
    if len(gaps) < MIN_GAPS:
        return RUN_GAP_EM * em
    return max(RUN_GAP_EM * em, GAP_FACTOR * gaps[int(0.9 * (len(gaps) - 1))])


def text_runs(ln: TextBox, em: float, gap: float | None = None) -> list[tuple[float, float, float, float, bool]]:
    """(x0, x1, y0, y1, exact) pieces of a line between gaps wider than ``gap``
    (default ``RUN_GAP_EM`` em); ``exact``: the piece's extent comes from atom
    boxes, so it really covers its x-range."""
    x0, y0, x1, y1 = ln.bbox
    atoms = [a for a in ln.atoms if a[1].strip()]
    if len(atoms) < 2:
        return [(x0, x1, y0, y1, False)]
    gap = RUN_GAP_EM * em if gap is None else gap
    out = []
    rx0, rx1 = atoms[0][0][0], atoms[0][0][2]
    for (ax0, _, ax1, _), _ in atoms[1:]:
        if ax0 - rx1 > gap:
            out.append((rx0, rx1, y0, y1, True))
            rx0 = ax0
        rx1 = max(rx1, ax1)
    out.append((rx0, rx1, y0, y1, True))
    return out


def _is_mark(text: str) -> bool:
    """Punctuation and symbols only (Tesseract reads specks in a gutter as
    quotes, brackets and dashes)."""
    return all(unicodedata.category(c)[0] in "PSZ" for c in text)


def inked_at(ln: TextBox, e: float, s: float) -> bool | None:
    """Whether a letter or character of ``ln`` has ink inside the channel
    ``[e, s)`` (its middle third: ink boxes of the characters beside a gutter
    reach into it; marks do not count); None for a line known only by its box."""
    if len(ln.atoms) < 2:
        return None
    q = (s - e) / 3
    return any(x0 < s - q and x1 > e + q for b, t in ln.atoms if (x := _letters_extent(b, t))
               for x0, x1 in [x])


def _letters_extent(box, text: str) -> tuple[float, float] | None:
    """The x-range of an atom without the marks at its ends (by ``char_weight``
    share of its width), None if it is marks only."""
    text = text.strip()
    if not text or _is_mark(text):
        return None
    w = [char_weight(c) for c in text]
    unit = (box[2] - box[0]) / (sum(w) or 1.0)
    lead = next(i for i, c in enumerate(text) if not _is_mark(c))
    trail = next(i for i, c in enumerate(reversed(text)) if not _is_mark(c))
    return box[0] + unit * sum(w[:lead]), box[2] - unit * sum(w[len(w) - trail:])


def median_em(lines: list[TextBox]) -> float:
    hs = [ln.height for ln in lines if ln.height > 0 and ln.text.strip()]
    return float(median(hs)) if hs else 1.0
