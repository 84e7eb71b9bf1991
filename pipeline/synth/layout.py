"""Page specification for the synthetic magazine page generator.

A :class:`PageSpec` fully determines a rendered page (image and truth): same spec, same bytes.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace

A4_MM = (210.0, 297.0)


@dataclass(frozen=True)
class PageSpec:
    seed: int = 0
    # --- columns and title
    columns: int = 3                 # 2..4 equal-width body columns
    gutter_in: float = 0.2           # gap between columns, inches (0.05..0.35)
    rule: bool = False               # thin vertical line in each gutter
    aligned: bool = True             # all columns on one baseline grid
    title_span: int = 0              # the title covers columns [0, k); k == columns or 0: full width
    title_lines: int = 1             # 1 or 2
    title_center: bool = False       # centre title/subtitle/author within their span
    subtitle: bool = True
    author: bool = True
    # --- running head and foot
    header: bool = True              # magazine name + issue, thin rule below
    footer: bool = True              # page number (maybe with magazine name)
    page_no: int = 12
    header_text: str = ""            # override of the generated header text
    footer_text: str = ""            # override of the generated footer text
    # --- figures, sidebar, headings
    figure: str | None = None        # None | "col" | "span2"
    figure_col: int = 0              # left-most column of the figure
    figure_pos: float = 0.45         # top of the figure as a fraction of the column height
    figure_aspect: float = 0.7       # figure height / width
    caption: bool = True             # a caption under each figure
    sidebar: bool = False            # boxed, shaded, at the bottom, with its own heading
    sidebar_span: tuple[int, int] = (0, 0)  # [first, last + 1) columns; (0, 0): all columns
    sidebar_pos: str = "bottom"      # "bottom" of the page, or "top" of its columns (below any title)
    headings: int = 0                # number of bold section headings in the body flow
    # --- type
    body_font: str = "serif"         # serif | sans | kai
    title_font: str = "sans_bold"    # sans_bold | serif_bold | hei
    body_pt: float = 10.0            # 8..11
    line_pitch: float = 1.65         # baseline distance in em (1.5..1.8)
    title_pt: float = 28.0
    dpi: int = 300
    page_mm: tuple[float, float] = A4_MM
    margins_in: tuple[float, float, float, float] = (0.75, 0.7, 0.75, 0.75)  # l, t, r, b
    spread: bool = False             # two facing pages side by side in one image
    verbatim: bool = False           # set the text's printed lines as given (seed page)
    # --- degradations
    skew_deg: float = 0.0            # counter-clockwise, degrees (-3..3)
    noise: float = 0.0               # Gaussian noise sigma, grey levels
    blur: float = 0.0                # Gaussian blur sigma, px
    jpeg: int = 0                    # JPEG round-trip quality, 0: none
    lighting: float = 0.0            # uneven lighting strength 0..0.35
    paper: int = 250                 # paper grey level
    border: str | None = None        # dark scanner band along "left"|"right"|"top"|"bottom"
    border_px: int = 0
    # --- direction (pipeline/synth/vertical.py)
    rotate: int = 0                  # the scan turned clockwise by 0 | 90 | 180 | 270 degrees
    vertical: str = ""               # "" | "page" | "page-title" (vertical columns) | "mixed"

    def to_dict(self) -> dict:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "PageSpec":
        kw = dict(d)
        for k in ("sidebar_span", "page_mm", "margins_in"):
            if k in kw and kw[k] is not None:
                kw[k] = tuple(kw[k])
        return cls(**kw)

    def validate(self) -> "PageSpec":
        if not 2 <= self.columns <= 4:
            raise ValueError("columns must be 2..4")
        if not 0 <= self.title_span <= self.columns:
            raise ValueError("title_span must be 0 (full width) or 1..columns")
        if self.figure not in (None, "col", "span2"):
            raise ValueError("figure must be None, 'col' or 'span2'")
        if self.figure == "span2" and not 0 <= self.figure_col <= self.columns - 2:
            raise ValueError("span2 figure needs figure_col <= columns - 2")
        if self.figure == "col" and not 0 <= self.figure_col < self.columns:
            raise ValueError("figure_col out of range")
        a, b = self.side_span
        if self.sidebar and not (0 <= a and b <= self.columns and b - a >= 2):
            raise ValueError("sidebar must span >= 2 columns")
        if self.sidebar_pos not in ("bottom", "top"):
            raise ValueError("sidebar_pos must be 'bottom' or 'top'")
        if self.body_font not in ("serif", "sans", "kai"):
            raise ValueError("body_font must be serif, sans or kai")
        if self.rotate not in (0, 90, 180, 270):
            raise ValueError("rotate must be 0, 90, 180 or 270")
        if self.vertical not in ("", "page", "page-title", "mixed"):
            raise ValueError("vertical must be '', 'page', 'page-title' or 'mixed'")
        return self

    @property
    def title_cols(self) -> int:
        """Number of columns the title covers (title_span 0 means all)."""
        return self.title_span or self.columns

    @property
    def side_span(self) -> tuple[int, int]:
        """Columns [a, b) the sidebar covers ((0, 0) means all)."""
        return tuple(self.sidebar_span) if self.sidebar_span[1] > 0 else (0, self.columns)

    @property
    def size_px(self) -> tuple[int, int]:
        w, h = self.page_mm
        return round(w / 25.4 * self.dpi), round(h / 25.4 * self.dpi)


def random_spec(seed: int) -> PageSpec:
    """Draw a varied page spec; the same seed always gives the same spec."""
    r = random.Random(seed)
    cols = r.choice([2, 3, 3, 4, 4])
    tspan = cols if r.random() < 0.6 else r.randint(1, cols - 1)
    fig = r.choice([None, "col", "col", "span2"] if cols >= 3 else [None, "col", "col"])
    fcol = r.randrange(cols) if fig == "col" else r.randrange(cols - 1) if fig == "span2" else 0
    sidebar = r.random() < 0.3
    sa = r.randrange(cols - 1) if sidebar and r.random() < 0.4 else 0
    sb = r.randint(sa + 2, cols) if sidebar else cols
    pt_hi = {2: 11.0, 3: 10.5, 4: 9.5}[cols]
    profile = r.choice(["clean", "mild", "mild", "moderate", "heavy"])
    skew = 0.0 if profile == "clean" else round(r.uniform(-1, 1) * (3.0 if profile == "heavy" else 1.5), 3)
    deg = dict(clean=(0, 0, 0, 0), mild=(2.5, 0.7, 0, 0.08), moderate=(4.5, 0.9, 75, 0.18),
               heavy=(7, 1.2, 40, 0.3))[profile]
    border = r.choice(["left", "right", "top", "bottom"]) if profile in ("moderate", "heavy") and r.random() < 0.6 else None
    return PageSpec(
        seed=seed, columns=cols, gutter_in=round(r.uniform(0.05, 0.35), 3), rule=r.random() < 0.4,
        aligned=r.random() < 0.75, title_span=tspan, title_lines=r.choice([1, 1, 2]),
        title_center=r.random() < 0.35, subtitle=r.random() < 0.6, author=r.random() < 0.85,
        header=r.random() < 0.85, footer=r.random() < 0.95, page_no=r.randint(3, 96),
        figure=fig, figure_col=fcol, figure_pos=round(r.uniform(0.2, 0.6), 3),
        figure_aspect=round(r.uniform(0.55, 0.85) if fig == "col" else r.uniform(0.45, 0.65), 3),
        sidebar=sidebar, sidebar_span=(sa, sb), headings=r.choice([0, 0, 1, 2, 3]),
        body_font=r.choice(["serif", "serif", "serif", "sans", "kai"]),
        title_font=r.choice(["sans_bold", "serif_bold", "hei"]),
        body_pt=round(r.uniform(8.0, pt_hi), 2), line_pitch=round(r.uniform(1.5, 1.8), 3),
        title_pt=round(r.uniform(22, 34), 1),
        margins_in=tuple(round(r.uniform(a, b), 3) for a, b in ((0.5, 0.85), (0.6, 0.8), (0.5, 0.85), (0.6, 0.8))),
        spread=r.random() < 0.1,
        skew_deg=skew, noise=deg[0], blur=deg[1], jpeg=deg[2], lighting=round(deg[3] * r.random(), 3),
        paper=r.randint(243, 252) if profile != "clean" else 255, border=border,
        border_px=r.randint(25, 70) if border else 0,
    ).validate()


def seed_spec() -> PageSpec:
    """The seed page (``seed_page1.txt``) as printed: three columns of fixed lines, 1 degree skew."""
    return PageSpec(
        seed=1, columns=3, gutter_in=0.06, rule=False, aligned=True, title_span=3, title_lines=2,
        title_center=True, subtitle=True, author=True, header=False, footer=True, page_no=23,
        footer_text="2017.8兵团工运", body_font="serif", title_font="serif_bold", body_pt=10.0,
        line_pitch=1.7, title_pt=26.0, margins_in=(0.72, 0.62, 0.72, 0.7), verbatim=True,
        skew_deg=1.0, noise=2.5, blur=0.7, paper=250,
    )


def sample_specs() -> dict[str, PageSpec]:
    """The committed sample pages under ``scans/`` (name -> spec)."""
    return {
        "seed-page": seed_spec(),
        "two-col-rule-figure": replace(
            random_spec(101), columns=2, gutter_in=0.3, rule=True, aligned=True, title_span=2,
            figure="col", figure_col=0, figure_pos=0.35, figure_aspect=0.62, sidebar=False,
            headings=1, body_font="serif", body_pt=10.0, spread=False, skew_deg=-0.6, noise=2.5,
            blur=0.7, jpeg=0, lighting=0.06, paper=249, border=None, border_px=0).validate(),
        "four-col-title3": replace(
            random_spec(202), columns=4, gutter_in=0.16, rule=False, aligned=True, title_span=3,
            title_lines=1, figure=None, sidebar=False, headings=2, body_font="serif", body_pt=9.0,
            spread=False, skew_deg=0.4, noise=2.5, blur=0.7, jpeg=0, lighting=0.0, paper=250,
            border=None, border_px=0, header=True, subtitle=True, author=True).validate(),
        "three-col-span2-sidebar": replace(
            random_spec(303), columns=3, gutter_in=0.18, rule=False, aligned=True, title_span=3,
            figure="span2", figure_col=0, figure_pos=0.25, figure_aspect=0.5, sidebar=True,
            sidebar_span=(0, 3), headings=0, body_font="sans", body_pt=9.5, spread=False,
            skew_deg=-1.4, noise=3.0, blur=0.8, jpeg=70, lighting=0.2, paper=246,
            border="right", border_px=45, header=True).validate(),
    }
