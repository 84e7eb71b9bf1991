"""The review report (`magscan report`) and overlays re-drawn from OUT
(`magscan overlay`): collect.py gathers page entries from the manifest and
the page files, build.py writes the static site (its HTML from html.py, its
pictures from media.py), rerender.py re-creates page images from the scans."""
from .build import ReportResult, write_report
from .collect import PageEntry, collect
from ..names import find_page_files
from .rerender import redraw_overlays

__all__ = ["ReportResult", "write_report", "PageEntry", "collect", "find_page_files",
           "redraw_overlays"]
