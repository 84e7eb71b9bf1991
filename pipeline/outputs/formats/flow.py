"""The text flow every format writes: blocks in reading order, each text
line carrying its share of the block's cleaned text.

``Block.text`` is the text of record (``page-NNNN.txt`` is made from it), but
it is cleaned per *paragraph*, while ``Line.text`` is cleaned per line and
``Word.text`` not at all (Tesseract's raw reading, with ASCII punctuation and
``一一`` for a dash). A format that wrote line or word text as the engine gave
it would disagree with our own text file. So the paragraph text is split back
over its lines, and a line's text over its words, along an edit-distance
alignment with the pieces they came from: every character of ``Block.text``
ends up in exactly one line and one word, and the lines joined again give the
paragraph.

Every block is in the flow, in reading order, each typed (``region_type``);
``in_text`` says whether the text file has it: running heads only when the
page was converted with ``keep_headers``, tables and footnotes never. The
layout formats write every region (a layout format that left out the running
heads and page numbers would lose content); only the plain text leaves them
out by default.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from ...text.assemble import in_text as _in_text
from ...model import PROSE_KINDS, RUNNING_KINDS, BBox, Block, Line, Page, Word
from ...text.paragraphs import paragraph_starts

__all__ = ["FlowLine", "FlowBlock", "page_flow", "distribute", "keeps_headers", "line_words",
           "block_lines", "xml_safe", "region_type", "page_langs"]


@dataclass
class FlowLine:
    bbox: BBox
    text: str                 # this line's share of the block text, no leading/trailing space
    conf: float               # 0..100
    words: list[Word] = field(default_factory=list)  # engine words (raw text)
    para_start: bool = False  # first line of a paragraph


@dataclass
class FlowBlock:
    block: Block
    lines: list[FlowLine]
    in_text: bool             # part of the text flow (what page-NNNN.txt holds)

    @property
    def kind(self) -> str:
        return self.block.kind

    @property
    def type(self) -> str:
        """The region type the layout formats write (``region_type``)."""
        return region_type(self.block)

    @property
    def outline(self) -> BBox:
        """The block's box grown to hold its lines: OCR line boxes can stick
        out of the layout box, and readers expect a block to contain its lines."""
        return BBox.enclosing([self.block.bbox] + [ln.bbox for ln in self.lines])


# a running head or foot that holds nothing but a number ("- 63 -")
_PAGE_NUMBER = re.compile(r"^[\s\-—–·.]*\d{1,4}[\s\-—–·.]*$")


def region_type(block: Block) -> str:
    """The block's kind, with running heads and feet that are only a number
    told apart as ``page-number``: what every layout format types a region by."""
    if block.kind in RUNNING_KINDS and _PAGE_NUMBER.match(block.text or ""):
        return "page-number"
    return block.kind


def page_langs(page: Page) -> list[str]:
    """The Tesseract languages the page was read with (``chi_sim+eng`` -> both)."""
    return [x for x in str(page.options.get("lang", "") or "").split("+") if x]


def keeps_headers(page: Page) -> bool:
    return bool(page.options.get("keep_headers", False))


def _map_pos(ops, s: int, n_src: int, n_tgt: int) -> int:
    """Target index that source index ``s`` (a piece boundary) aligns with.

    Characters the target inserts exactly at a boundary (a Latin word space,
    a paragraph break) go to the piece after it; the caller strips them.
    """
    if s <= 0:
        return 0
    if s >= n_src:
        return n_tgt
    for op in ops:
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "insert" and i1 == s:
            return j1
        if i1 <= s < i2:
            if tag == "delete":
                return j1
            # equal, or a replacement (maybe of another length): proportional
            return j1 + round((s - i1) * (j2 - j1) / (i2 - i1))
    return n_tgt


def distribute(pieces: list[str], target: str) -> list[str]:
    """Split ``target`` into one consecutive segment per piece, aligned with
    the pieces' concatenation; segments are stripped of white space.

    >>> distribute(["中 国", "经济 ,"], "中国经济，")
    ['中国', '经济，']
    """
    if not pieces:
        return []
    src = "".join(pieces)
    bounds = [0]
    for p in pieces:
        bounds.append(bounds[-1] + len(p))
    if src == target:
        cuts = bounds
    else:
        ops = Levenshtein.opcodes(src, target)
        cuts = [_map_pos(ops, b, len(src), len(target)) for b in bounds]
        cuts[0], cuts[-1] = 0, len(target)
        for i in range(1, len(cuts)):  # opcodes are monotone; keep it so after rounding
            cuts[i] = max(cuts[i], cuts[i - 1])
    return [target[a:b].strip() for a, b in zip(cuts, cuts[1:])]


def _has_text(ln: Line) -> bool:
    return bool(ln.text and ln.text.strip())


def _synthetic_lines(block: Block, paragraphs: list[str]) -> list[FlowLine]:
    """A hand-made block with text but no lines: one band of the block per paragraph."""
    n = len(paragraphs)
    bb = block.bbox
    out = []
    for i, text in enumerate(paragraphs):
        y0 = bb.y0 + (bb.height * i) // n
        y1 = bb.y0 + (bb.height * (i + 1)) // n
        out.append(FlowLine(BBox(bb.x0, y0, bb.x1, max(y1, y0)), text, block.conf,
                            para_start=True))
    return out


def block_lines(block: Block) -> list[FlowLine]:
    """The block's text lines with their share of ``block.text``."""
    if not block.is_text:
        return []
    paragraphs = [p for p in block.text.split("\n") if p.strip()]
    lines = [ln for ln in block.lines if _has_text(ln)]
    if not lines:
        return _synthetic_lines(block, paragraphs) if paragraphs else []
    if not paragraphs:
        # No block text (not assembled): the lines' own text, for the layout
        # formats; the block is not in the text flow (page_flow).
        return [FlowLine(ln.bbox, ln.text.strip(), ln.conf, list(ln.words), i == 0)
                for i, ln in enumerate(lines)]
    # The same split assemble_blocks made, so that each paragraph is aligned
    # with its own lines only and a paragraph break never lands mid-line.
    if block.kind in PROSE_KINDS and len(paragraphs) > 1:
        starts = paragraph_starts(lines, block.bbox.width)
        starts[0] = True
    else:
        starts = [i == 0 for i in range(len(lines))]
    groups: list[list[Line]] = []
    for ln, st in zip(lines, starts):
        if st or not groups:
            groups.append([])
        groups[-1].append(ln)
    if len(groups) != len(paragraphs):
        # The text was edited or a paragraph cleaned away: align the whole block.
        groups = [lines]
        paragraphs = ["".join(paragraphs)]
    out: list[FlowLine] = []
    for group, para in zip(groups, paragraphs):
        texts = distribute([ln.text.strip() for ln in group], para)
        for i, (ln, text) in enumerate(zip(group, texts)):
            out.append(FlowLine(ln.bbox, text, ln.conf, list(ln.words), para_start=i == 0))
    return out


def page_flow(page: Page) -> list[FlowBlock]:
    """Every block in reading order (figures too, with no lines)."""
    keep = keeps_headers(page)
    out = []
    for b in page.ordered_blocks():
        lines = block_lines(b)
        # Exactly the blocks page_text writes (it skips a block without text).
        in_text = bool(lines) and bool(b.text.strip()) and _in_text(b, keep)
        out.append(FlowBlock(b, lines, in_text))
    return out


def line_words(line: FlowLine) -> list[tuple[BBox, str, float, bool]]:
    """The line's words as (bbox, text, conf 0..100, space after), text taken
    from the line's text; a line without engine words is one word.

    Words that get no text (a dot run the clean-up shortened) are dropped.
    """
    words = [w for w in line.words if w.text and w.text.strip()]
    if not words:
        return [(line.bbox, line.text, line.conf, False)] if line.text else []
    texts = distribute([w.text.strip() for w in words], line.text)
    # Where the line text has a space between two words, keep it as one.
    out: list[tuple[BBox, str, float, bool]] = []
    pos = 0
    for w, t in zip(words, texts):
        if not t:
            continue
        pos = line.text.find(t, pos)
        end = pos + len(t) if pos >= 0 else -1
        space = 0 <= end < len(line.text) and line.text[end] == " "
        pos = max(end, 0)
        out.append((w.bbox, t, w.conf, space))
    return out


# XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/FFFF; OCR of
# noise can produce them, and one of them makes the whole file unreadable.
_XML_BAD = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                          *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])


def xml_safe(s: str) -> str:
    return s.translate(_XML_BAD)
