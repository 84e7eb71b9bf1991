"""Block kinds and the sets the stages sort them by: the one place for them.

A leaf module (it imports nothing of the package), so that the model and the
text stage both read the same sets without one importing the other.
"""
from __future__ import annotations

BLOCK_KINDS = ("title", "heading", "body", "caption", "header", "footer", "figure", "sidebar",
               "table", "equation", "footnote")
# pictures: never sent to a recogniser (chi_sim cannot read a formula either)
PICTURE_KINDS = frozenset({"figure", "equation"})
TEXT_KINDS = frozenset(BLOCK_KINDS) - PICTURE_KINDS
# running heads and feet: recognised, outside the main text unless asked for
RUNNING_KINDS = frozenset({"header", "footer"})
# recognised and kept in the page model and layout formats, but outside the
# page's running text: notes at the foot of the page (kept with the running
# heads on request) and tables (their cells are no prose)
ASIDE_KINDS = RUNNING_KINDS | {"footnote", "table"}
