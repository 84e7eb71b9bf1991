"""Writing the static review site OUT/report/: index.html, one page view per
page (failed pages too), the pictures they show and the stylesheet and
script (package data).

The folder stands on its own: every picture, page text and JSON it shows is
a copy inside it, and every link is relative, so it opens from file://
without a server, and still works when moved or served. The HTML is made
in html.py, the pictures in media.py.

Pictures are made from the scans: the page view's image is the QA overlay
drawn at the report's low-confidence threshold (large enough to zoom into),
and each line below that threshold gets its own crop of the page image;
a failed page shows its scan. Without the scan (moved, or --no-redraw) the
overlay convert drew is used, and lines have no crop.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..files import atomic_write_bytes, atomic_write_text
from .. import LOW_CONF
from .collect import PageEntry, collect
from .html import failed_view, index_html, kinds_css, page_view
from .media import Media, failed_media, page_media, slug, thumb
from ..names import REPORT_DIR

ASSETS = ("report.css", "report.js")
FOLDERS = ("images", "crops", "thumbs", "files", "pages", "assets")


@dataclass
class ReportResult:
    index: Path
    entries: list[PageEntry]
    problems: list[str] = field(default_factory=list)


# --- the whole site ----------------------------------------------------------------------

def write_report(out_dir: Path, out_arg: str | None = None, redraw: bool = True,
                 low_conf: float = LOW_CONF, log=None) -> ReportResult:
    """Write OUT/report/ and return its index and the problems met (each one
    line naming a file). `out_arg` is OUT as the user wrote it, for the re-run
    commands shown beside failed pages. `redraw`: read the scans for the
    pictures (else the overlays convert drew are shown)."""
    out_dir = Path(out_dir)
    entries, problems = collect(out_dir)
    rdir = out_dir / REPORT_DIR
    for d in FOLDERS:
        (rdir / d).mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        atomic_write_bytes(rdir / "assets" / name,
                           resources.files(__package__).joinpath("static", name).read_bytes())
    atomic_write_text(rdir / "assets" / "kinds.css", kinds_css())

    viewable = [e for e in entries if e.page is not None]
    # pages without results that a reviewer must act on (not pages still to come)
    failed = [e for e in entries if e.page is None and e.failed and e.page_number > 0 and e.input]
    media = page_media(viewable, rdir, low_conf, redraw, out_dir)
    media.update(failed_media(failed, rdir, redraw))
    for e in viewable:
        m = media[slug(e)]
        if m.image is None and redraw:   # asked for, and not to be had
            problems.append(f"{e.files.json_path}: {m.note}")
    shown = [e for e in entries if e.page is not None or slug(e) in media]
    thumbs, views = set(), set()
    for i, e in enumerate(shown):
        s = slug(e)
        m = media[s]
        if m.image and thumb(rdir / "images" / m.image, rdir / "thumbs" / f"{s}.jpg"):
            thumbs.add(s)
        prev = shown[i - 1] if i else None
        nxt = shown[i + 1] if i + 1 < len(shown) else None
        if e.page is not None:
            html_text = page_view(e, prev, nxt, m, low_conf)
        else:
            html_text = failed_view(e, prev, nxt, m, out_arg or str(out_dir))
        atomic_write_text(rdir / "pages" / f"{s}.html", html_text)
        views.add(s)
    index = rdir / "index.html"
    atomic_write_text(index, index_html(entries, out_dir, out_arg or str(out_dir), thumbs, views,
                                        low_conf))
    _prune(rdir, media, thumbs, views)
    return ReportResult(index, entries, problems)


def _prune(rdir: Path, media: dict[str, Media], thumbs: set[str], views: set[str]) -> None:
    """Files of an earlier report that this one does not use (pages gone,
    another threshold): the report folder is magscan's own."""
    keep = {"pages": {f"{s}.html" for s in views}, "thumbs": {f"{s}.jpg" for s in thumbs},
            "images": {m.image for m in media.values() if m.image},
            "crops": {c for m in media.values() for c in m.crops.values()},
            "files": {f for m in media.values() for _, f in m.files}}
    for folder, names in keep.items():
        for f in (rdir / folder).iterdir():
            if f.is_file() and f.name not in names and not f.name.startswith("."):
                f.unlink(missing_ok=True)
