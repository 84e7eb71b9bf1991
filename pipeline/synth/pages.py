"""Any page spec rendered: upright horizontal pages here (``render``), turned
and vertical ones through ``vertical`` (which builds on ``render``)."""
from __future__ import annotations

from .layout import PageSpec
from .render import render_horizontal
from .vertical import render_directed


def render_page(spec: PageSpec, text: str | None = None):
    """Render ``spec`` (optionally with another text corpus, or for a verbatim spec, another
    page text in the seed format). Returns (PIL.Image mode 'L', truth dict)."""
    spec.validate()
    if spec.vertical or spec.rotate:
        return render_directed(spec, text)
    return render_horizontal(spec, text)
