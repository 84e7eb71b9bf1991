"""A small composer of real-scan test pages: Chinese text set on an em grid
(``pipeline.synth.typeset``) plus the things real scans carry besides it
(dark panels with white text, rules and clip-art, tables, charts, footnotes,
running heads, shadows).

Everything draws on a PIL "L" image (paper 255, ink about 20) in pixels and
returns what it drew (the printed text, the box), so that a test knows its
ground truth. Deterministic: every random thing takes a seed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from pipeline.synth import corpus
from pipeline.synth.figures import photo as _photo
from pipeline.synth.typeset import IDEO_SPACE, Typeset, draw_run

INK = 20
BODY_FONT = "noto_serif"
SANS = "sans"

Box = tuple[int, int, int, int]  # x0, y0, x1, y1


# ------------------------------------------------------------------ text

class Text:
    """A seeded stream of real Chinese sentences from the package's corpus (the seed
    page and its news prose); one stream per page, so that no sentence repeats on it."""

    def __init__(self, seed: int):
        self.src = corpus.TextSource(seed)

    def sentence(self) -> str:
        return self.src.sentence()

    def prose(self, chars: int) -> str:
        """Whole sentences up to about ``chars`` characters."""
        out = ""
        while len(out) < chars:
            out += self.sentence()
        return out

    def paras(self, n: int, chars: int) -> list[str]:
        return [self.prose(chars) for _ in range(n)]


@dataclass
class Set:
    """What a text-setting call printed: its lines (text, box) and its extent."""
    lines: list[tuple[str, Box]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.lines).replace(IDEO_SPACE, "")

    @property
    def box(self) -> Box:
        bs = [b for _, b in self.lines]
        return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))

    @property
    def bottom(self) -> int:
        return self.box[3]

    def extend(self, other: "Set") -> "Set":
        self.lines.extend(other.lines)
        return self


def paragraph(img: Image.Image, box: Box, text: str, size: int = 34, font: str = BODY_FONT,
              pitch: float = 1.55, fill: int = INK, indent: int = 2,
              measure_at=None) -> Set:
    """Set ``text`` justified in ``box`` (x0, top, x1, bottom) from its top; lines that would
    pass the box's bottom are dropped. ``measure_at(y) -> (x0, x1)`` narrows single lines
    (text wrapped around a picture). Returns the printed lines."""
    x0, y, x1, y_end = box
    ts = Typeset(font, size)
    out = Set()
    rest = text
    first = True
    while rest and y + size <= y_end:
        lx0, lx1 = measure_at(y) if measure_at else (x0, x1)
        measure = (lx1 - lx0) // size * size
        lines = ts.break_paragraph(rest, measure, indent=indent if first else 0)
        line = lines[0]
        consumed = line[indent:] if first and indent else line
        rest = rest[len(consumed):]
        last = not rest
        b = ts.draw_line(img, lx0, y, line, measure, justify=not last, fill=fill)
        out.lines.append((line, tuple(int(round(v)) for v in b)))
        y += round(size * pitch)
        first = False
    return out


def column(img: Image.Image, box: Box, paras: list[str], size: int = 34, font: str = BODY_FONT,
           pitch: float = 1.55, fill: int = INK, measure_at=None) -> Set:
    """Several paragraphs down one column, each starting on a new indented line."""
    x0, y, x1, y_end = box
    out = Set()
    for p in paras:
        if y + size > y_end:
            break
        s = paragraph(img, (x0, y, x1, y_end), p, size, font, pitch, fill, measure_at=measure_at)
        out.extend(s)
        y = s.bottom + round(size * (pitch - 1))
    return out


def run(img: Image.Image, x: int, y: int, text: str, size: int, font: str = SANS,
        fill: int = INK) -> Set:
    """One unjustified line (a title, a heading, a label) with its top-left at (x, y)."""
    b = draw_run(img, font, size, x, y, text, fill)
    return Set([(text, tuple(int(round(v)) for v in b))])


def centred(img: Image.Image, x0: int, x1: int, y: int, text: str, size: int, font: str = SANS,
            fill: int = INK) -> Set:
    """One line centred between x0 and x1."""
    w = Typeset(font, size).width(text)
    return run(img, round((x0 + x1 - w) / 2), y, text, size, font, fill)


def text_width(text: str, size: int, font: str = SANS) -> float:
    return Typeset(font, size).width(text)


# ------------------------------------------------------------------ pages

def blank(w: int, h: int, paper: int = 255) -> Image.Image:
    return Image.new("L", (w, h), paper)


def two_columns(w: int, h: int, top: int, bottom: int, margin: int = 90, gutter: int = 70,
                size: int = 34) -> tuple[Box, Box]:
    """The boxes of two equal columns whose width is a whole number of ems."""
    colw = (w - 2 * margin - gutter) // 2 // size * size
    x0 = (w - 2 * colw - gutter) // 2
    return (x0, top, x0 + colw, bottom), (x0 + colw + gutter, top, x0 + 2 * colw + gutter, bottom)


def save(img: Image.Image, path: Path, mode: str = "L", dpi: int | None = 300,
         dither: bool = False) -> Path:
    """Save as a PNG in ``mode``: "L" grey; "1" bilevel, thresholded at mid-grey or
    (``dither``) error-diffused like a bilevel scanner's photo mode; "P" an adaptive
    16-colour palette of an RGB image. ``dpi=None`` writes no resolution at all."""
    if mode == "1":
        if dither:
            out = img.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
        else:
            out = img.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)
    elif mode == "P":
        out = img.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    else:
        out = img.convert(mode)
    kw = {} if dpi is None else {"dpi": (dpi, dpi)}
    out.save(path, **kw)
    return path


# ------------------------------------------------------------------ dark grounds

def dark_panel(img: Image.Image, box: Box, tone: int = 40, noise: float = 0.0, seed: int = 0,
               photo: bool = False) -> None:
    """Fill ``box`` with a dark ground: a solid tone, with Gaussian grain of sd ``noise``,
    or (``photo``) a darkened photographic picture."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    rng = np.random.default_rng(seed)
    if photo:
        ground = _photo(w, h, rng).astype(np.float32) * 0.45 + tone * 0.3
    else:
        ground = np.full((h, w), float(tone), np.float32)
    if noise:
        ground += rng.normal(0, noise, size=(h, w)).astype(np.float32)
    img.paste(Image.fromarray(np.clip(ground, 0, 255).astype(np.uint8)), (x0, y0))


def picture(img: Image.Image, box: Box, seed: int = 0, frame: bool = True) -> None:
    """A grey photograph (no text) filling ``box``."""
    x0, y0, x1, y1 = box
    arr = _photo(x1 - x0, y1 - y0, np.random.default_rng(seed))
    if frame:
        cv2.rectangle(arr, (0, 0), (arr.shape[1] - 1, arr.shape[0] - 1), 40, 2)
    img.paste(Image.fromarray(arr), (x0, y0))


# ------------------------------------------------------------------ rules and clip-art

def dotted_rule(img: Image.Image, x0: int, x1: int, y: int, dot: int = 5, step: int = 14,
                fill: int = INK) -> None:
    d = ImageDraw.Draw(img)
    for x in range(x0, x1 - dot, step):
        d.ellipse([x, y - dot // 2, x + dot, y - dot // 2 + dot], fill=fill)


def ornament_rule(img: Image.Image, x0: int, x1: int, y: int, fill: int = INK) -> None:
    """A double rule with a row of diamonds and crosses along it (a decorative rule)."""
    d = ImageDraw.Draw(img)
    d.rectangle([x0, y - 9, x1, y - 8], fill=fill)
    d.rectangle([x0, y + 8, x1, y + 9], fill=fill)
    for i, x in enumerate(range(x0 + 10, x1 - 10, 26)):
        if i % 2:
            d.polygon([(x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y)], fill=fill)
        else:
            d.line([(x - 5, y - 5), (x + 5, y + 5)], fill=fill, width=2)
            d.line([(x - 5, y + 5), (x + 5, y - 5)], fill=fill, width=2)


def line_drawing(img: Image.Image, box: Box, fill: int = INK, width: int = 3) -> None:
    """A simple clip-art: a house with a sun and a tree, in strokes."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    d = ImageDraw.Draw(img)
    base = y1 - h * 0.08
    d.line([(x0, base), (x1, base)], fill=fill, width=width)
    hx0, hx1, hy = x0 + w * 0.15, x0 + w * 0.6, y0 + h * 0.5
    d.rectangle([hx0, hy, hx1, base], outline=fill, width=width)
    d.line([(hx0 - w * 0.05, hy), ((hx0 + hx1) / 2, y0 + h * 0.2), (hx1 + w * 0.05, hy)], fill=fill, width=width)
    d.rectangle([hx0 + w * 0.17, base - h * 0.22, hx0 + w * 0.27, base], outline=fill, width=width)
    r = w * 0.07
    cx, cy = x0 + w * 0.85, y0 + h * 0.18
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=fill, width=width)
    for k in range(8):
        a = k * math.pi / 4
        d.line([(cx + 1.4 * r * math.cos(a), cy + 1.4 * r * math.sin(a)),
                (cx + 2 * r * math.cos(a), cy + 2 * r * math.sin(a))], fill=fill, width=width)
    tx = x0 + w * 0.8
    d.line([(tx, base), (tx, y0 + h * 0.55)], fill=fill, width=width + 2)
    d.ellipse([tx - w * 0.1, y0 + h * 0.38, tx + w * 0.1, y0 + h * 0.62], outline=fill, width=width)


def hrule(img: Image.Image, x0: int, x1: int, y: int, thick: int = 2, fill: int = INK) -> None:
    ImageDraw.Draw(img).rectangle([x0, y, x1 - 1, y + thick - 1], fill=fill)


# ------------------------------------------------------------------ tables and charts

def _cells(rows: list[list[str]], size: int, font: str, pad: int) -> list[int]:
    n = max(len(r) for r in rows)
    return [round(max(text_width(r[i], size, font) for r in rows if i < len(r))) + 2 * pad for i in range(n)]


def ruled_table(img: Image.Image, x: int, y: int, rows: list[list[str]], size: int = 28,
                font: str = SANS, pad: int = 14, fill: int = INK) -> Box:
    """A grid table, top-left at (x, y): every cell boxed. Returns the table's box."""
    widths = _cells(rows, size, font, pad)
    rh = size + 2 * pad
    d = ImageDraw.Draw(img)
    xs = [x]
    for cw in widths:
        xs.append(xs[-1] + cw)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            run(img, xs[c] + pad, y + r * rh + pad, cell, size, font, fill)
    for r in range(len(rows) + 1):
        d.rectangle([x, y + r * rh, xs[-1], y + r * rh + 1], fill=fill)
    for cx in xs:
        d.rectangle([cx, y, cx + 1, y + len(rows) * rh + 1], fill=fill)
    return (x, y, xs[-1] + 2, y + len(rows) * rh + 2)


def unruled_table(img: Image.Image, x: int, y: int, rows: list[list[str]], size: int = 28,
                  font: str = SANS, gap: int = 60, pitch: float = 1.6, fill: int = INK,
                  head_rules: bool = True) -> Box:
    """Aligned columns without a grid: text left, numbers right-aligned; a rule above and
    below the header row (three-line table) when ``head_rules``. Returns its box."""
    widths = _cells(rows, size, font, 0)
    xs = [x]
    for cw in widths:
        xs.append(xs[-1] + cw + gap)
    rh = round(size * pitch)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            cw = text_width(cell, size, font)
            cx = xs[c] if c == 0 else xs[c] + widths[c] - cw
            run(img, round(cx), y + r * rh, cell, size, font, fill)
    x1 = xs[-1] - gap
    y1 = y + len(rows) * rh - round(size * (pitch - 1))
    if head_rules:
        hrule(img, x, x1, y - round(size * 0.4), 2, fill)
        hrule(img, x, x1, y + rh - round(size * 0.3), 1, fill)
        hrule(img, x, x1, y1 + round(size * 0.3), 2, fill)
    return (x, y, x1, y1)


def bar_chart(img: Image.Image, box: Box, labels: list[str], values: list[float],
              legend: list[str], title: str = "", size: int = 24, font: str = SANS,
              ticks: list[str] | None = None, fill: int = INK) -> None:
    """A bar chart with axes, y tick labels, x category labels under the bars, a
    legend (swatch + text) at the top right, and a line series over the bars."""
    x0, y0, x1, y1 = box
    d = ImageDraw.Draw(img)
    if title:
        centred(img, x0, x1, y0, title, size, font, fill)
        y0 += round(size * 1.8)
    ticks = ticks or ["0", "20", "40", "60", "80"]
    tw = max(text_width(t, size, font) for t in ticks)
    ax0, ay1 = x0 + round(tw) + 14, y1 - round(size * 1.6)
    ay0 = y0 + round(size * 1.8)       # room for the legend
    d.rectangle([ax0, ay0, ax0 + 2, ay1], fill=fill)
    d.rectangle([ax0, ay1, x1, ay1 + 2], fill=fill)
    for i, t in enumerate(ticks):
        ty = ay1 - (ay1 - ay0) * i / (len(ticks) - 1)
        d.rectangle([ax0 - 8, ty, ax0, ty + 1], fill=fill)
        run(img, round(ax0 - 12 - text_width(t, size, font)), round(ty - size / 2), t, size, font, fill)
    n = len(labels)
    slot = (x1 - ax0) / n
    tops = []
    for i, (lab, v) in enumerate(zip(labels, values)):
        bx = ax0 + slot * i + slot * 0.25
        top = ay1 - (ay1 - ay0) * v
        d.rectangle([bx, top, bx + slot * 0.5, ay1], fill=110)
        tops.append((bx + slot * 0.25, top - (ay1 - ay0) * 0.1))
        lw = text_width(lab, size, font)
        run(img, round(ax0 + slot * (i + 0.5) - lw / 2), ay1 + 10, lab, size, font, fill)
    d.line(tops, fill=fill, width=3)
    for px, py in tops:
        d.ellipse([px - 5, py - 5, px + 5, py + 5], fill=fill)
    # legend, top right: a swatch and a name per series
    lx = round(x1 - sum(text_width(t, size, font) + size * 1.8 for t in legend))
    for k, t in enumerate(legend):
        sw = (lx, y0 + size // 4, lx + size, y0 + size // 4 + size // 2)
        if k == 0:
            d.rectangle(sw, fill=110)
        else:
            d.line([(sw[0], (sw[1] + sw[3]) // 2), (sw[2], (sw[1] + sw[3]) // 2)], fill=fill, width=3)
        run(img, lx + round(size * 1.3), y0, t, size, font, fill)
        lx += round(text_width(t, size, font) + size * 1.8)


# ------------------------------------------------------------------ scanner light

def gutter_shadow(arr: np.ndarray, side: str = "left", width: int = 220, depth: float = 0.75) -> np.ndarray:
    """Darken towards one edge like a book's gutter: the paper falls to ``1 - depth`` of its
    brightness at the edge along a smooth (squared) ramp ``width`` px wide."""
    h, w = arr.shape
    t = np.clip(1 - np.arange(w, dtype=np.float32) / width, 0, 1) ** 2
    if side == "right":
        t = t[::-1]
    field = 1 - depth * t
    return np.clip(arr.astype(np.float32) * field[None, :], 0, 255).astype(np.uint8)


def dark_corner(arr: np.ndarray, corner: str = "bottom-right", radius: int = 500,
                depth: float = 0.6) -> np.ndarray:
    """A radial fall-off of the light into one corner."""
    h, w = arr.shape
    cy = h if "bottom" in corner else 0
    cx = w if "right" in corner else 0
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
    t = np.clip(1 - r / radius, 0, 1) ** 1.5
    return np.clip(arr.astype(np.float32) * (1 - depth * t), 0, 255).astype(np.uint8)


def gray(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"), dtype=np.uint8).copy()


def fold_shadow(arr: np.ndarray, x: int, width: int = 90, depth: float = 0.5) -> np.ndarray:
    """The shadow of a spread's fold: darkest at column ``x``, fading over ``width`` px
    to either side."""
    xs = np.arange(arr.shape[1], dtype=np.float32)
    t = np.clip(1 - np.abs(xs - x) / width, 0, 1) ** 2
    return np.clip(arr.astype(np.float32) * (1 - depth * t)[None, :], 0, 255).astype(np.uint8)


def spread(left: Image.Image, right: Image.Image, shadow: float = 0.5) -> Image.Image:
    """Two pages side by side as one scan, with a fold shadow between them."""
    w, h = left.size
    both = blank(w + right.size[0], max(h, right.size[1]))
    both.paste(left, (0, 0))
    both.paste(right, (w, 0))
    return Image.fromarray(fold_shadow(gray(both), w, depth=shadow))
