"""Writing results: every file goes to a temporary name first and is renamed
into place, so an interrupted run never leaves a half-written output."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from .assemble import page_text
from .model import Page


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()  # what open() would give; mkstemp alone gives 0600


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(f.fileno(), _MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def page_stem(page_number: int, part: str = "") -> str:
    """page-0003, or page-0003L / page-0003R for the halves of a spread."""
    return f"page-{page_number:04d}{part}"


def write_page(doc_dir: Path, page: Page, keep_headers: bool = False,
               overlay: np.ndarray | None = None) -> dict[str, Path]:
    stem = page_stem(page.page_number, page.part)
    paths = {"txt": doc_dir / f"{stem}.txt", "json": doc_dir / f"{stem}.json"}
    # everything is serialised before anything is written: a page that cannot
    # be written leaves no file behind beside its failed manifest row
    data = {"txt": page_text(page, keep_headers).encode("utf-8"),
            "json": json.dumps(page.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")}
    if overlay is not None:
        ok, buf = cv2.imencode(".png", overlay)
        if ok:
            paths["overlay"] = doc_dir / f"{stem}.overlay.png"
            data["overlay"] = buf.tobytes()
    for key, blob in data.items():
        atomic_write_bytes(paths[key], blob)
    return paths


def read_page(path: Path) -> Page:
    return Page.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def write_document_text(out_dir: Path, doc_stem: str, page_texts: list[str]) -> Path:
    """OUT/<stem>.txt: all pages in order, separated by form feeds."""
    path = out_dir / f"{doc_stem}.txt"
    atomic_write_text(path, "\f\n".join(page_texts))
    return path
