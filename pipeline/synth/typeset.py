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

from PIL import Image, ImageDraw, ImageFont

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
MIDDLE = set("·・")


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

    def draw_line(self, img: Image.Image, x0: float, top: float, text: str,
                  measure: float, justify: bool, fill: int = 20) -> tuple[float, float, float, float]:
        """Draw one line with its em box's top-left at (x0, top); returns the line's box."""
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
                ImageDraw.Draw(img).rectangle([round(x + em * 0.04), y, round(x + cell - em * 0.04) - 1,
                                               y + th - 1], fill=fill)
                continue
            if not is_wide(tok[0]):
                for ch in tok:
                    blit(img, self.font_name, em, ch, x, base, fill)
                    x += self.font.getlength(ch)
                continue
            cw = cell / len(tok)
            for k, ch in enumerate(tok):
                g = RENDER_MAP.get(ch, ch)
                ink = glyph(self.font_name, em, g)
                if ink is None:
                    continue
                i0, i1 = ink[1], ink[1] + ink[0].size[0]
                cx = x + k * cw
                if g in CLOSING:                 # GB style: closing marks sit left in their cell
                    gx = cx + 0.06 * em - i0
                elif g in OPENING:
                    gx = cx + cw - 0.06 * em - i1
                elif g in MIDDLE or cw < em - 0.5:
                    gx = cx + (cw - (i0 + i1)) / 2
                else:
                    gx = cx + (cw - self.font.getlength(g)) / 2
                blit(img, self.font_name, em, g, gx, base, fill)
        x_first = x0 + next((dx for tok, dx, _ in placed if tok[0] != IDEO_SPACE), 0.0)
        return (x_first, float(top), x_end, float(top + em))


@lru_cache(maxsize=50000)
def glyph(font_name: str, size: int, ch: str):
    """Cached ink mask of one glyph and its offset from (pen x, baseline), or None if blank."""
    im = Image.new("L", (3 * size, 3 * size), 0)
    ImageDraw.Draw(im).text((size, 2 * size), ch, font=font(font_name, size), fill=255, anchor="ls")
    bb = im.getbbox()
    if bb is None:
        return None
    return im.crop(bb), bb[0] - size, bb[1] - 2 * size


def blit(img: Image.Image, font_name: str, size: int, ch: str, x: float, base: int, fill: int) -> None:
    g = glyph(font_name, size, ch)
    if g is not None:
        mask, dx, dy = g
        img.paste(fill, (round(x) + dx, base + dy), mask)


def fit_size(font_name: str, text: str, width: float, size: int, min_size: int = 10) -> int:
    """Largest size <= ``size`` at which ``text`` fits in ``width`` on the em grid."""
    ts = Typeset(font_name, size)
    w = ts.width(text)
    if w <= width:
        return size
    return max(min_size, int(math.floor(size * width / w)))


def draw_run(img: Image.Image, font_name: str, size: int, x: float, top: float,
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
            ImageDraw.Draw(img).text((round(x + dx + off), base), tok, font=f, fill=fill, anchor="ls",
                                     stroke_width=stroke, stroke_fill=fill)
        return (x, float(top), x + w, float(top + size))
    return ts.draw_line(img, x, top, text, w, False, fill)
