"""Stage 6: block and page text from recognised lines, in reading order."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..kinds import PROSE_KINDS, RUNNING_KINDS
from .paragraphs import join_lines, paragraph_starts

if TYPE_CHECKING:   # types only: the model calls page_text (Page.text)
    from ..model import Block, Page

# kept out of the text file: running heads and page notes unless asked for, tables always
KEPT_ON_REQUEST = RUNNING_KINDS | {"footnote"}


def assemble_blocks(page: Page) -> Page:
    """Set each text block's `.text`: its paragraphs, one per line."""
    for b in page.blocks:
        if not b.is_text:
            continue
        split = b.kind in PROSE_KINDS
        width = b.bbox.width if split else None
        b.text = "\n".join(join_lines(b.lines, width, split=split))
    return page


def continues_paragraph(prev: Block | None, b: Block) -> bool:
    """A body block whose first line is not indented carries on the paragraph
    that the previous body block (usually the foot of the previous column) left open."""
    if prev is None or prev.kind != "body" or b.kind != "body" or not b.lines or not prev.lines:
        return False
    return not paragraph_starts(b.lines, b.bbox.width)[0] and not _ends_short(prev)


def _ends_short(b: Block) -> bool:
    last = b.lines[-1]
    em = max(1, last.bbox.height)
    return b.bbox.x1 - last.bbox.x1 > 1.5 * em


def in_text(b: Block, keep_headers: bool = False) -> bool:
    """Whether the block belongs in the page's text file."""
    if not b.is_text or not b.text or b.kind == "table":
        return False
    return keep_headers or b.kind not in KEPT_ON_REQUEST


def page_text(page: Page, keep_headers: bool = False) -> str:
    """The page's main text: blocks in reading order, one paragraph per line."""
    out: list[str] = []
    prev: Block | None = None
    for b in page.ordered_blocks():
        if not in_text(b, keep_headers):
            continue
        if out and continues_paragraph(prev, b):
            out[-1] = out[-1] + b.text
        else:
            out.append(b.text)
        prev = b
    return "\n".join(out) + ("\n" if out else "")
