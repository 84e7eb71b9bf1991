"""Chinese-style typesetting on an em grid: fonts, tokens, line breaking, justified drawing.

Each Han character or full-width punctuation mark takes one em; Latin letters and digits take
their advance width and are never split. Lines are fully justified (the last line of a paragraph
is not); overfull lines compress full-width punctuation to half an em first.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageDraw, ImageFont

FONT_FILES = {
    "serif": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),          # AR PL UMing CN
    "kai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),             # AR PL UKai CN
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Noto Sans CJK SC
    "noto_serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "sans_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    "serif_bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    "hei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),        # WenQuanYi Micro Hei
}

IDEO_SPACE = "\u3000"
OPENING = set("《“‘（「『〈【〔")
CLOSING = set("，。、；：？！）」』”’》〉】〕")
NO_LINE_START = CLOSING | set(",.;:?!)%…·")
NO_LINE_END = OPENING | set("(")
# ASCII punctuation of the seed text is printed with the full-width glyph (NFKC-equal).
RENDER_MAP = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
DASHES = set("—―─")


@lru_cache(maxsize=64)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = FONT_FILES[name]
    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=64)
def baseline_offset(name: str, size: int) -> int:
    """Baseline below the top of the em box, centring a Han character's ink in the box."""
    l, t, r, b = font(name, size).getbbox("国", anchor="ls")
    return round(size / 2 - (t + b) / 2)


def is_wide(ch: str) -> bool:
    if ch in RENDER_MAP:
        return True
    if ch.isascii():
        return False
    return unicodedata.east_asian_width(ch) in "WFA"


def tokenize(text: str) -> list[str]:
    """Unbreakable tokens: one wide char each (dash / ellipsis pairs kept together),
    runs of narrow chars (Latin, digits) as one token."""
    toks: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if is_wide(ch):
            if ch in DASHES | {"…"} and i + 1 < len(text) and text[i + 1] == ch:
                toks.append(ch * 2)
                i += 2
                continue
            toks.append(ch)
            i += 1
        else:
            j = i
            while j < len(text) and not is_wide(text[j]):
                j += 1
            toks.append(text[i:j])
            i = j
    return toks


@dataclass
class Typeset:
    """A font at one em size with a measure (the column or box width), in pixels."""
    font_name: str
    em: int

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return font(self.font_name, self.em)

    def tok_width(self, tok: str) -> float:
        if is_wide(tok[0]):
            return float(self.em * len(tok))
        return float(self.font.getlength(tok))

    def width(self, text: str) -> float:
        return sum(self.tok_width(t) for t in tokenize(text))

    def break_paragraph(self, text: str, measure: float, indent: int = 2) -> list[str]:
        """Greedy line breaking with simple kinsoku; the first line starts with ``indent``
        ideographic spaces. Returns the printed lines' texts."""
        toks = [IDEO_SPACE] * indent + tokenize(text)
        lines: list[list[str]] = [[]]
        w = 0.0
        for tok in toks:
            tw = self.tok_width(tok)
            cur = lines[-1]
            if cur and w + tw > measure + 0.01:
                if tok[0] in NO_LINE_START:          # hang it on this line (compressed later)
                    cur.append(tok)
                    w += tw
                    continue
                carry = []
                while len(cur) > 1 and cur[-1][-1] in NO_LINE_END:  # opening mark: move down
                    carry.insert(0, cur.pop())
                lines.append(carry)
                w = sum(self.tok_width(t) for t in carry)
                cur = lines[-1]
            cur.append(tok)
            w += tw
        return ["".join(l) for l in lines if l]

    def place(self, text: str, measure: float, justify: bool) -> list[tuple[str, float, float]]:
        """Token positions (token, x offset, cell width) for one line set in ``measure``."""
        toks = tokenize(text)
        widths = [self.tok_width(t) for t in toks]
        natural = sum(widths)
        over = natural - measure
        if over > 0.01:
            comp = [i for i, t in enumerate(toks) if t in CLOSING or t in OPENING]
            if comp:
                cut = min(over, 0.5 * self.em * len(comp)) / len(comp)
                for i in comp:
                    widths[i] -= cut
                over -= cut * len(comp)
        gaps = len(toks) - 1
        extra = 0.0
        if gaps > 0 and (over > 0.01 or (justify and over < 0)):
            extra = -over / gaps
        out = []
        x = 0.0
        for i, (t, w) in enumerate(zip(toks, widths)):
            out.append((t, x, w))
            x += w + extra
        return out

    def draw_line(self, draw: ImageDraw.ImageDraw, x0: float, top: float, text: str,
                  measure: float, justify: bool, fill: int = 20) -> tuple[float, float, float, float]:
        """Draw one line with its em box's top-left at (x0, top); returns the line's box."""
        f = self.font
        em = self.em
        base = round(top) + baseline_offset(self.font_name, em)
        placed = self.place(text, measure, justify)
        x_end = x0
        for tok, dx, cell in placed:
            x = x0 + dx
            x_end = x + cell
            if tok[0] == IDEO_SPACE:
                continue
            if tok[0] in DASHES:
                th = max(2, round(em / 16))
                y = round(top + em * 0.5 - th / 2)
                draw.rectangle([round(x + em * 0.04), y, round(x + cell - em * 0.04) - 1, y + th - 1], fill=fill)
                continue
            if is_wide(tok[0]):
                for k, ch in enumerate(tok):
                    g = RENDER_MAP.get(ch, ch)
                    adv = f.getlength(g)
                    cw = cell / len(tok)
                    if g in OPENING:
                        off = cw - adv if adv < 0.8 * em else cw - em   # glyph on the right of its cell
                    elif g in CLOSING:
                        off = 0.0
                    else:
                        off = (cw - adv) / 2
                    draw.text((round(x + k * cw + off), base), g, font=f, fill=fill, anchor="ls")
            else:
                draw.text((round(x), base), tok, font=f, fill=fill, anchor="ls")
        x_first = x0 + next((dx for tok, dx, _ in placed if tok[0] != IDEO_SPACE), 0.0)
        return (x_first, float(top), x_end, float(top + em))


def fit_size(font_name: str, text: str, width: float, size: int, min_size: int = 10) -> int:
    """Largest size <= ``size`` at which ``text`` fits in ``width`` on the em grid."""
    ts = Typeset(font_name, size)
    w = ts.width(text)
    if w <= width:
        return size
    return max(min_size, int(math.floor(size * width / w)))


def draw_run(draw: ImageDraw.ImageDraw, font_name: str, size: int, x: float, top: float,
             text: str, fill: int = 20, stroke: int = 0) -> tuple[float, float, float, float]:
    """Draw a single-line display string (title, header, caption) on the em grid without
    justification; returns its box (x0, top, x1, top + size)."""
    ts = Typeset(font_name, size)
    w = ts.width(text)
    if stroke:
        base = round(top) + baseline_offset(font_name, size)
        f = ts.font
        for tok, dx, cell in ts.place(text, w, False):
            if tok[0] in (IDEO_SPACE, " "):
                continue
            adv = f.getlength(tok)
            off = (cell - adv) / 2 if is_wide(tok[0]) and tok[0] not in OPENING | CLOSING else 0
            draw.text((round(x + dx + off), base), tok, font=f, fill=fill, anchor="ls",
                      stroke_width=stroke, stroke_fill=fill)
        return (x, float(top), x + w, float(top + size))
    return ts.draw_line(draw, x, top, text, w, False, fill)
