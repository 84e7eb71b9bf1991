"""Reading a vertical block (``read_block``): each column cut into its
character cells, set side by side as a horizontal line (``_restack``) and read
by the page's own engine and model; with a ``*_vert`` language Tesseract's
vertical model reads the columns as they stand (``--psm 5``)."""
from __future__ import annotations

import cv2
import numpy as np

from ..model import BBox, Block, Line, Word
from ..options import split_lang
from .columns import TTB
from .grid import cells, fine_pitch, pitch
from .marks import put_marks, whole_mark


def _restack(gray: np.ndarray, binary: np.ndarray, col: BBox, cw: float, p: float,
             most: int | None = None) -> list[tuple[np.ndarray, list]]:
    """One column as horizontal line images: its cells side by side, each
    centred in a square slot, a mark in the upper right of its cell (，。、 in
    vertical setting) put in the lower left as horizontal type has it; in
    pieces of at most ``most`` cells, as even as they go (None: one line).
    Returns [(image, slots)], slots [(x0, x1, page box of the cell, mark)]."""
    x0, x1 = col.x0, col.x1
    ink = binary[col.y0:col.y1, x0:x1] > 0
    _n, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    # an em a character, set solid with a little space, as horizontal body type
    side = int(round(max(cw, col.width) * 1.05))
    gap = max(1, int(0.04 * side))
    parts, cells_ = [], []
    col_gray = gray[col.y0:col.y1, x0:x1]
    paper = int(np.percentile(col_gray, 90)) if col_gray.size else 255
    for top, bot in cells(ink, p):
        piece = ink[top:bot]
        ys, xs = np.nonzero(piece)
        if len(ys) == 0:
            continue
        py0, py1, px0, px1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        g = gray[col.y0 + top + py0:col.y0 + top + py1, x0 + px0:x0 + px1]
        slot = np.full((side, side), paper, np.uint8)
        gh, gw = min(g.shape[0], side), min(g.shape[1], side)
        small = gh < 0.5 * cw and gw < 0.5 * cw
        corner = small and px0 >= 0.35 * col.width and py1 <= 0.6 * p
        if corner:   # lower left of the em, its foot on the characters' foot, as horizontal type sets it
            oy = max(0, min(side - gh, int((side + 0.9 * cw) / 2) - gh))
            ox = max(0, int((side - cw) / 2 + 0.08 * cw))
        elif small:
            oy, ox = (side - gh) // 2, (side - gw) // 2
        else:
            oy, ox = (side - gh) // 2, (side - gw) // 2
        slot[oy:oy + gh, ox:ox + gw] = g[:gh, :gw]
        parts.append(slot)
        box = BBox(x0 + int(px0), col.y0 + top + int(py0), x0 + int(px1), col.y0 + top + int(py1))
        cells_.append((box, whole_mark(labels, top, piece, py0, py1, px0, px1) if corner else None))
    if not parts:
        return []
    sep = np.full((side, gap), paper, np.uint8)
    k = -(-len(parts) // most) if most else 1
    out = []
    for j in range(k):
        a, b = j * len(parts) // k, (j + 1) * len(parts) // k
        row = np.hstack([sep] + [p for s in parts[a:b] for p in (s, sep)])
        slots = [(gap + i * (side + gap), gap + i * (side + gap) + side, box, mark)
                 for i, (box, mark) in enumerate(cells_[a:b])]
        out.append((row, slots))
    return out


_VERT_APIS: dict = {}


def _read_vertical_model(gray: np.ndarray, col: BBox, vert_lang: str, timeout: float) -> Line | None:
    """One column read as it stands by Tesseract's vertical model (--psm 5)."""
    from ..recognition import tesseract
    from ..recognition.crops import _line

    pad = max(8, col.width // 2)
    h, w = gray.shape
    x0, y0, x1, y1 = max(0, col.x0 - pad), max(0, col.y0 - pad), min(w, col.x1 + pad), min(h, col.y1 + pad)
    crop = np.ascontiguousarray(gray[y0:y1, x0:x1])
    words: list[Word] = []
    if tesseract.api_available():
        if vert_lang not in _VERT_APIS:
            _VERT_APIS[vert_lang] = tesseract.TessApi(vert_lang)
        for _box, ws in _VERT_APIS[vert_lang].recognize(crop, 5, timeout):
            words += [Word(BBox(*box).shift(x0, y0), t.strip(), c) for box, t, c in ws if t.strip()]
    else:
        d = tesseract.image_to_data(crop, vert_lang, 5, timeout)
        for i, t in enumerate(d["text"]):
            t = (t or "").strip()
            if t and float(d["conf"][i]) >= 0:
                bx, by, bw, bh = (int(d[k][i]) for k in ("left", "top", "width", "height"))
                words.append(Word(BBox(bx + x0, by + y0, bx + bw + x0, by + bh + y0), t, float(d["conf"][i])))
    if not words:
        return None
    ln = _line(words)
    ln.text = "".join(wd.text for wd in words)
    ln.bbox = col
    return ln


def type_width(binary: np.ndarray, col: BBox) -> float:
    """The width of a column's glyphs: the span of its ink across, leaving out
    what only a few of its rows have (marks hung beside the column)."""
    xp = (binary[col.y0:col.y1, col.x0:col.x1] > 0).sum(axis=0)
    if not xp.any():
        return float(col.width)
    k = np.flatnonzero(xp >= 0.15 * xp.max())
    return float(k[-1] - k[0] + 1)


def read_block(gray: np.ndarray, binary: np.ndarray, block: Block, engine, lang: str,
               timeout: float, others: list[Block] = ()) -> list[Line]:
    """The columns of a vertical block read by the page's engine as horizontal
    lines (see the module's note); lines in reading order, boxes on the page.
    ``others``: the page's other vertical blocks; the pitch is measured over
    every column of the block's type size (a paragraph of one column says little)."""
    from ..recognition.crops import _fit_line_height, _line

    _hor, vert_lang = split_lang(lang)
    if vert_lang:   # --lang *_vert: Tesseract's vertical model reads the columns
        return [ln for ln in (_read_vertical_model(gray, c.bbox, vert_lang, timeout)
                              for c in block.lines) if ln is not None]
    siblings = [ln for b in [block, *others] if b.direction == TTB for ln in b.lines]

    def profile(ln: Line) -> np.ndarray:
        return (binary[ln.bbox.y0:ln.bbox.y1, ln.bbox.x0:ln.bbox.x1] > 0).sum(axis=1)

    # type sizes compared by the columns' glyph widths, not their boxes: a
    # mark hung beside a column (，in the corner of its last cell) widens its
    # box by half a character, as much as a heading's larger type does
    tw = {id(ln): type_width(binary, ln.bbox) for ln in siblings}
    block_w = float(np.median([tw[id(ln)] for ln in block.lines])) if block.lines else 20.0
    sizes: dict[bool, tuple[float, float]] = {}
    out: list[Line] = []
    for col in block.lines:
        # the columns of this column's type size: a sidebar's heading column
        # is set larger than its text
        large = tw[id(col)] > 1.18 * block_w
        if large not in sizes:
            own = [ln for ln in block.lines if (tw[id(ln)] > 1.18 * block_w) == large]
            cw = float(np.median([ln.bbox.width for ln in own]))
            own_tw = float(np.median([tw[id(ln)] for ln in own]))
            like = [ln for ln in siblings if 0.92 <= tw[id(ln)] / own_tw <= 1.09] or own
            sizes[large] = (cw, pitch([profile(ln) for ln in like], cw))
        cw, p = sizes[large]
        # a column with a mark hung at its foot is set a little tighter: its own pitch
        pieces = _restack(gray, binary, col.bbox, cw, fine_pitch(profile(col), p),
                          getattr(engine, "line_chars", None))
        words, text = [], ""
        for img, slots in pieces:
            side = img.shape[0]
            pad = max(8, side // 3)
            img = np.pad(img, pad, constant_values=255)
            scaled, f = _fit_line_height(img, side, getattr(engine, "max_line_px", None),
                                         getattr(engine, "min_line_px", None))
            got = []
            for ln in engine.recognize(scaled, block.kind, 1):
                for w in ln.words or [Word(ln.bbox, ln.text, ln.conf)]:
                    wx0, wx1 = w.bbox.x0 / f - pad, w.bbox.x1 / f - pad
                    hit = [s[2] for s in slots if s[1] > wx0 and s[0] < wx1] or [slots[0][2]]
                    got.append(Word(BBox.enclosing(hit), w.text, w.conf))
            words += got
            text += put_marks("".join(w.text for w in got), [s[3] for s in slots]) if got else ""
        if words:
            ln = _line(words)
            ln.text = text
            ln.bbox = BBox.enclosing(s[2] for _img, slots in pieces for s in slots)
            out.append(ln)
    return out
