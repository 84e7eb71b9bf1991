"""The fixed, seeded benchmark set: pages grouped into layout families.

Each family forces one feature of the layouts issue onto otherwise random
pages (fonts, sizes, margins, title length, degradation vary with the seed),
so every feature is measured on several pages and a regression shows up in
its family's row. ``bench/layout_bench.py`` (geometry only) and
``bench/layout_eval.py`` (with OCR) both use this set.
"""
from __future__ import annotations

import random
from dataclasses import replace

from .layout import PageSpec, random_spec

EDGES = ("left", "right", "top", "bottom")


def _base(seed: int) -> PageSpec:
    # a random page without the features the families set on purpose
    return replace(random_spec(seed), spread=False, sidebar=False, figure=None, border=None,
                   border_px=0)


def _2col(s, r):
    return dict(columns=2, title_span=2 if r.random() < 0.6 else 1, gutter_in=round(r.uniform(0.05, 0.35), 3),
                rule=r.random() < 0.5, body_pt=round(r.uniform(9, 11), 2))


def _3col_narrow(s, r):
    return dict(columns=3, gutter_in=round(r.uniform(0.05, 0.08), 3), rule=False, aligned=True,
                title_span=3, body_pt=round(r.uniform(8.5, 10.5), 2))


def _4col(s, r):
    return dict(columns=4, gutter_in=round(r.uniform(0.05, 0.3), 3), title_span=4,
                body_pt=round(r.uniform(8, 9.5), 2))


def _title_partial(s, r):
    n = r.choice([3, 3, 4])
    return dict(columns=n, title_span=r.randint(1, n - 1), gutter_in=round(r.uniform(0.06, 0.3), 3),
                body_pt=round(r.uniform(8, 9.5 if n == 4 else 10.5), 2))


def _figure_col(s, r):
    n = r.choice([2, 3, 4])
    return dict(columns=n, figure="col", figure_col=r.randrange(n), title_span=n,
                figure_pos=round(r.uniform(0.15, 0.65), 3), figure_aspect=round(r.uniform(0.55, 0.85), 3),
                body_pt=round(r.uniform(8, 9.5 if n == 4 else 10.5), 2))


def _figure_span2(s, r):
    n = r.choice([3, 3, 4])
    return dict(columns=n, figure="span2", figure_col=r.randrange(n - 1),
                figure_pos=round(r.uniform(0.2, 0.6), 3), figure_aspect=round(r.uniform(0.45, 0.65), 3),
                body_pt=round(r.uniform(8, 9.5 if n == 4 else 10.5), 2))


def _sidebar(s, r):
    n = r.choice([2, 3, 3, 4])
    a = r.randrange(n - 1) if n > 2 and r.random() < 0.5 else 0
    b = r.randint(a + 2, n)
    return dict(columns=n, sidebar=True, sidebar_span=(a, b), title_span=n,
                sidebar_pos=r.choice(["bottom", "bottom", "top"]),
                body_pt=round(r.uniform(8, 9.5 if n == 4 else 10.5), 2))


def _headings(s, r):
    return dict(headings=r.randint(1, 3), body_font=r.choice(["serif", "sans"]),
                body_pt=round(r.uniform(8, 11), 2), columns=r.choice([2, 3]))


def _degraded(s, r):
    return dict(skew_deg=round(r.choice([-1, 1]) * r.uniform(1.5, 3.0), 3), noise=round(r.uniform(4, 8), 1),
                blur=round(r.uniform(0.8, 1.3), 2), jpeg=r.choice([40, 60, 75]),
                lighting=round(r.uniform(0.15, 0.35), 3), paper=r.randint(240, 250))


def _border(s, r, i):
    return dict(border=EDGES[i % 4], border_px=r.randint(30, 70), skew_deg=round(r.uniform(-1.5, 1.5), 3),
                noise=3.0, blur=0.8, paper=r.randint(243, 250))


def _spread(s, r):
    n = r.choice([2, 3, 3])
    return dict(spread=True, columns=n, title_span=n, skew_deg=round(r.uniform(-1.0, 1.0), 3),
                figure=r.choice([None, "col"]), figure_col=0, body_pt=round(r.uniform(8, 10), 2))


def _rotated(s, r, i):
    # a page of an ordinary family put on the scanner on its side or upside down
    n = r.choice([2, 3, 3, 4])
    return dict(columns=n, title_span=n, rotate=(90, 180, 270)[i % 3],
                body_pt=round(r.uniform(8.5, 10.5 if n < 4 else 9.5), 2),
                skew_deg=round(r.uniform(-1.0, 1.0), 3), noise=round(r.uniform(0, 4), 1),
                blur=round(r.uniform(0, 0.9), 2))


def _vertical_common(r) -> dict:
    return dict(body_pt=round(r.uniform(9.5, 12), 2), line_pitch=round(r.uniform(1.45, 1.8), 3),
                body_font=r.choice(["serif", "serif", "kai", "sans"]),
                skew_deg=round(r.uniform(-0.6, 0.6), 3), noise=round(r.uniform(0, 4), 1),
                blur=round(r.uniform(0, 0.9), 2))


def _vertical(s, r):
    return dict(vertical="page", **_vertical_common(r))


def _vertical_title(s, r):
    return dict(vertical="page-title", title_center=r.random() < 0.5, **_vertical_common(r))


def _vertical_mixed(s, r):
    # a horizontal page with its title set vertically down the right and a
    # vertical sidebar at the foot of some of its columns
    n = r.choice([2, 3, 3])
    a = r.randrange(n - 1) if n > 2 and r.random() < 0.5 else 0
    return dict(vertical="mixed", columns=n, sidebar=True, sidebar_span=(a, r.randint(a + 2, n)),
                sidebar_pos="bottom", title_pt=round(r.uniform(24, 32), 1),
                body_pt=round(r.uniform(8.5, 10.5), 2), noise=round(r.uniform(0, 4), 1),
                blur=round(r.uniform(0, 0.9), 2))


FAMILIES = {
    "2col": _2col,
    "3col-narrow": _3col_narrow,
    "4col": _4col,
    "title-partial": _title_partial,
    "figure-col": _figure_col,
    "figure-span2": _figure_span2,
    "sidebar": _sidebar,
    "headings": _headings,
    "degraded": _degraded,
    "border": _border,
    "spread": _spread,
    "rotated": _rotated,
    "vertical": _vertical,
    "vertical-title": _vertical_title,
    "vertical-mixed": _vertical_mixed,
}
# the families of directions (issue 19) have at least this many pages in a set
MIN_PAGES = {"rotated": 6, "vertical": 5, "vertical-title": 5, "vertical-mixed": 5}


def family_spec(family: str, i: int) -> PageSpec:
    """Page ``i`` of ``family``: the same arguments always give the same spec."""
    fi = list(FAMILIES).index(family)
    seed = 5000 + 100 * fi + i
    r = random.Random(seed)
    make = FAMILIES[family]
    kw = make(seed, r, i) if family in ("border", "rotated") else make(seed, r)
    spec = replace(_base(seed), **kw)
    if spec.title_span > spec.columns:
        spec = replace(spec, title_span=spec.columns)
    return spec.validate()


def bench_specs(per_family: int = 4, start: int = 0) -> dict[str, PageSpec]:
    """``{name: spec}``, names ``<family>-<i>``, in family order; ``start`` picks
    other pages of the same families (a held-out set)."""
    return {f"{fam}-{i}": family_spec(fam, i) for fam in FAMILIES
            for i in range(start, start + max(per_family, MIN_PAGES.get(fam, 0)))}


def family_of(name: str) -> str:
    return name.rsplit("-", 1)[0]
