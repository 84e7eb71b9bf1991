"""Join the OCR lines of one block into paragraphs.

Chinese body text is justified and marks a paragraph in two ways: its first
line is indented by two em (two U+3000), and its last line usually ends
short of the right edge. Line boxes show both, so the split is geometric:

- a line starts a paragraph when it starts >= ``INDENT_EM`` em right of the
  block's left edge, or its text begins with two white-space characters
  (engines that keep the indent as U+3000 or spaces);
- a line also starts a paragraph when the line before it ends more than
  ``SHORT_EM`` em before the block's right edge.

The em is the median line height: in CJK text a line's box is about one
character high, and the median ignores lines with tall marks or noise.

The first line of a block is always the start of the block's first paragraph
here, but ``paragraph_starts`` reports whether it is *visibly* a start: a
block whose top line is not indented continues a paragraph from the previous
column or from above a figure, which the caller may use to merge blocks.

Lines of a paragraph are joined without a space (Chinese has none at line
breaks) except between two Latin/digit characters, where the break stood for
a word space.
"""
from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING, Sequence

from ..recognition.clean import clean_text

if TYPE_CHECKING:   # types only: the model calls the text stage (Page.text)
    from ..model import Line

__all__ = ["join_lines", "block_text", "paragraph_starts", "line_em",
           "INDENT_EM", "SHORT_EM"]

INDENT_EM = 1.2   # a two-em indent, with slack for box jitter and a one-em indent
SHORT_EM = 1.5    # justified lines end flush; up to ~1 em hanging punctuation tolerated

_INDENT_SPACES = 2  # leading white-space characters that mean an indent


def line_em(lines: Sequence[Line]) -> float:
    """Median line height of the lines with a real box, 0.0 if there is none."""
    heights = [ln.bbox.height for ln in lines if ln.bbox.height > 0]
    return float(median(heights)) if heights else 0.0


def _text_indented(text: str) -> bool:
    n = len(text) - len(text.lstrip())
    return n >= _INDENT_SPACES


def _has_text(ln: Line) -> bool:
    return bool(ln.text and ln.text.strip())


def paragraph_starts(lines: Sequence[Line], column_width: float | None = None,
                     em: float | None = None) -> list[bool]:
    """For each line, whether it starts a paragraph (see the module docstring).

    The first line with text is True only when it is visibly indented, so
    False there means the block continues a paragraph begun elsewhere. Geometry is
    only used when there is an em (a line with a positive height) and, for
    the indent, at least two lines to find the left edge from.

    ``column_width``: the width of the column the block sits in; the right
    edge is then at least ``left + column_width``, so a block whose lines
    all end short (a one-paragraph block whose last line is its only long
    one is fine without it) is still measured against the column.
    """
    # Lines without text (rules, specks) neither start a paragraph nor count
    # for the edges or the short-line test: the previous line is the
    # previous line with text.
    texted = [i for i, ln in enumerate(lines) if _has_text(ln)]
    starts = [False] * len(lines)
    if not texted:
        return starts
    tl = [lines[i] for i in texted]
    if em is None:
        em = line_em(tl)
    boxed = [ln for ln in tl if ln.bbox.width > 0]
    left = min((ln.bbox.x0 for ln in boxed), default=0)
    right = max((ln.bbox.x1 for ln in boxed), default=0)
    if column_width and boxed:
        right = max(right, left + column_width)
    use_geometry = em > 0 and len(boxed) >= 2

    for k, (i, ln) in enumerate(zip(texted, tl)):
        start = _text_indented(ln.text)
        if use_geometry and ln.bbox.width > 0 and ln.bbox.x0 - left >= INDENT_EM * em:
            start = True
        if k > 0 and use_geometry:
            prev = tl[k - 1]
            if prev.bbox.width > 0 and prev.bbox.x1 < right - SHORT_EM * em:
                start = True
        starts[i] = start
    return starts


def _latin_or_digit(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _join_two(a: str, b: str) -> str:
    """Join two line texts of one paragraph: a space only between Latin words.

    "Hello," + "world" keeps a space too; a hyphen at a line end is kept and
    joined without a space, as it may be a real one ("COVID-" + "19").
    """
    if not a or not b:
        return a + b
    x, y = a[-1], b[0]
    if _latin_or_digit(y) and (_latin_or_digit(x) or (x in ",;:?!." and y.isalpha())):
        return a + " " + b
    return a + b


def join_lines(lines: list[Line], column_width: float | None = None,
               em: float | None = None, *, clean: bool = True,
               split: bool = True) -> list[str]:
    """The paragraphs of one block, in line order.

    Lines without text are ignored (for the geometry too: an empty line box
    is usually a rule or a speck). Leading indent spaces are stripped; with
    ``clean`` each paragraph goes through ``clean_text`` after joining, so
    punctuation and quotes are decided with both sides of a line break.
    ``split=False`` joins all lines into one paragraph: for titles and
    headings, whose centred lines would look indented and short.
    """
    lines = [ln for ln in lines if _has_text(ln)]
    if not lines:
        return []
    starts = paragraph_starts(lines, column_width, em) if split else [False] * len(lines)
    paragraphs: list[str] = []
    current: str | None = None
    for ln, start in zip(lines, starts):
        text = ln.text.strip()
        if current is None:
            current = text
        elif start:
            paragraphs.append(current)
            current = text
        else:
            current = _join_two(current, text)
    paragraphs.append(current)
    if clean:
        paragraphs = [clean_text(p) for p in paragraphs]
    return [p for p in paragraphs if p]


def block_text(paragraphs: Sequence[str]) -> str:
    """A block's text: its paragraphs, one per line."""
    return "\n".join(p for p in paragraphs if p)
