"""Block kinds and the sets the stages sort them by: the one place for them.

A leaf module (it imports nothing of the package), so that the model and
every stage read the same sets; the layout, the text, the formats and the
evaluation agree on what a kind means.
"""
from __future__ import annotations

from typing import Literal, get_args

BlockKind = Literal["title", "heading", "body", "caption", "header", "footer", "figure", "sidebar",
                    "table", "equation", "footnote"]
BLOCK_KINDS: tuple[BlockKind, ...] = get_args(BlockKind)
# pictures: never sent to a recogniser (chi_sim cannot read a formula either)
PICTURE_KINDS: frozenset[BlockKind] = frozenset({"figure", "equation"})
TEXT_KINDS: frozenset[BlockKind] = frozenset(BLOCK_KINDS) - PICTURE_KINDS
# running heads and feet: recognised, outside the main text unless asked for
RUNNING_KINDS: frozenset[BlockKind] = frozenset({"header", "footer"})
# recognised and kept in the page model and layout formats, but outside the
# page's running text: notes at the foot of the page (kept with the running
# heads on request) and tables (their cells are no prose)
ASIDE_KINDS: frozenset[BlockKind] = RUNNING_KINDS | {"footnote", "table"}
# the main flow the reading order threads through the columns
MAIN_KINDS: frozenset[BlockKind] = frozenset({"title", "heading", "body"})
# display type over the text: what a masthead or a Markdown heading is made of
HEADING_KINDS: frozenset[BlockKind] = frozenset({"title", "heading"})
# running prose whose lines are split into paragraphs by their indents
PROSE_KINDS: frozenset[BlockKind] = frozenset({"body", "sidebar"})

Direction = Literal["ltr", "ttb-rtl"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
