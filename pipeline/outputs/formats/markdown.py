"""Markdown for reading: the title as ``#``, headings as ``##``, paragraphs
as paragraphs, captions in italics, sidebars as block quotes (a boxed text
set apart from the columns); running heads and figures left out.

Paragraphs follow the text file: one per paragraph of ``Block.text``, and a
paragraph that runs on from the foot of one column to the head of the next
is one paragraph here too.
"""
from __future__ import annotations

import re

from ...text.assemble import continues_paragraph  # the text file's rule for run-on paragraphs
from ...model import ASIDE_KINDS, HEADING_KINDS, PICTURE_KINDS, Block, Page

__all__ = ["page_markdown", "document_markdown", "md_escape"]

_INLINE = re.compile(r"([\\`*_\[\]<>|~#])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def md_escape(text: str) -> str:
    """Escape what Markdown would read as markup in one paragraph of text."""
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    # A paragraph starting "1." or "-" would become a list, "=" an underline.
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _paragraphs(b: Block) -> list[str]:
    return [p.strip() for p in b.text.split("\n") if p.strip()]


def _render(kind: str, text: str) -> str:
    if kind == "title":
        return "# " + md_escape(text)
    if kind == "heading":
        return "## " + md_escape(text)
    if kind == "caption":
        return "*" + md_escape(text) + "*"
    if kind == "sidebar":
        return "> " + md_escape(text)
    return md_escape(text)


def page_markdown(page: Page) -> str:
    """The page as Markdown (empty string for a page without text)."""
    items: list[tuple[str, str]] = []  # (kind, raw paragraph)
    prev: Block | None = None
    for b in page.ordered_blocks():
        if b.kind in ASIDE_KINDS or b.kind in PICTURE_KINDS:
            continue
        paras = _paragraphs(b)
        if not paras:
            continue
        if b.kind in HEADING_KINDS:
            paras = [" ".join(paras)]
        elif items and continues_paragraph(prev, b):
            items[-1] = (items[-1][0], items[-1][1] + paras[0])
            paras = paras[1:]
        items.extend((b.kind, p) for p in paras)
        prev = b
    out: list[str] = []
    for i, (kind, text) in enumerate(items):
        if kind == "sidebar" and i and items[i - 1][0] == "sidebar":
            out[-1] += "\n>\n" + _render(kind, text)  # one quote for the whole sidebar
        else:
            out.append(_render(kind, text))
    return "\n\n".join(out) + ("\n" if out else "")


def document_markdown(pages: list[tuple[str, str]]) -> str:
    """Pages (stem, markdown) in order, each after a comment naming it, so a
    reader can find a page of the scan again; comments do not render."""
    parts = [f"<!-- {stem} -->\n\n{md}" if md else f"<!-- {stem} -->\n" for stem, md in pages]
    return "\n".join(parts)
