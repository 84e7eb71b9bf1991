"""Reading inputs: files and folders in, page images out.

Every failure is an InputError naming the file and the reason, so that one
bad file never stops the others.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from .errors import InputError
from .options import Options

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
PDF_EXTS = {".pdf"}
INPUT_EXTS = IMAGE_EXTS | PDF_EXTS

# Magic numbers, checked before any decoder runs so that "not an image" is
# reported as such rather than as a decoder's puzzling message.
_MAGIC = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".tif": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    ".tiff": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    ".pdf": (b"%PDF",),
}


@dataclass
class SourcePage:
    source: Path
    page_number: int  # 1-based
    image: np.ndarray  # 8-bit grayscale
    dpi: int
    # False: the file names no resolution and ``dpi`` is the assumed one
    # (the layout then measures the scale from the text, ``layout.resolve_dpi``)
    dpi_known: bool = True


def expand_inputs(paths) -> list[Path]:
    """Files as given, and folders searched recursively for inputs by extension."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = [Path(root) / f for root, _, files in os.walk(p) for f in files
                     if Path(f).suffix.lower() in INPUT_EXTS and not f.startswith(".")]
            out.extend(sorted(found))
        else:
            out.append(p)
    return out


def _check_file(path: Path) -> str:
    if not path.exists():
        raise InputError(path, "no such file")
    if not path.is_file():
        raise InputError(path, "not a regular file")
    ext = path.suffix.lower()
    if ext not in INPUT_EXTS:
        raise InputError(path, f"unsupported file type {ext or '(no extension)'}; "
                               "expected PNG, JPEG, TIFF or PDF")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise InputError(path, f"cannot read file ({e.strerror})") from e
    if not head:
        raise InputError(path, "empty file (0 bytes)")
    if not head.startswith(_MAGIC[ext]):
        kind = "a PDF" if ext == ".pdf" else f"a {ext[1:].upper()} image"
        raise InputError(path, f"not {kind} (file content does not match its extension)")
    return ext


def _to_gray(img: Image.Image) -> np.ndarray:
    if img.mode in ("RGBA", "LA", "P"):
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img.convert("RGBA"))
    if img.mode in ("I;16", "I;16B", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        return (arr * (255.0 / top)).astype(np.uint8)
    return np.asarray(img.convert("L"), dtype=np.uint8).copy()


# Pillow's own bomb check is a process-wide setting; the limit is checked
# per call instead (options.max_pixels), on the header, before decoding.
Image.MAX_IMAGE_PIXELS = None


def _image_pages(path: Path, options: Options, only: int | None = None) -> Iterator[SourcePage]:
    try:
        with Image.open(path) as im:
            n = 0
            for frame in ImageSequence.Iterator(im):
                n += 1
                if only is not None and n != only:
                    continue
                if frame.width * frame.height > options.max_pixels:
                    raise InputError(path, f"image of {frame.width}x{frame.height} pixels exceeds "
                                           f"the limit of {options.max_pixels} pixels")
                frame.load()
                given = float((frame.info.get("dpi") or (0, 0))[0] or 0)
                dpi = given if given >= 1 else options.dpi
                yield SourcePage(path, n, _to_gray(frame), int(round(dpi)), dpi_known=given >= 1)
    except InputError:
        raise
    except Image.DecompressionBombError as e:
        raise InputError(path, f"image too large (over {options.max_pixels} pixels; "
                               "possible decompression bomb)") from e
    except UnidentifiedImageError as e:
        raise InputError(path, "not a readable image") from e
    except (OSError, SyntaxError, ValueError) as e:
        msg = str(e)
        if "truncated" in msg or "broken data stream" in msg or "premature end" in msg.lower():
            raise InputError(path, "truncated or damaged image data") from e
        raise InputError(path, f"cannot decode image ({msg})") from e


def _open_pdf(path: Path):
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path)
    except PDFPasswordIncorrect as e:
        raise InputError(path, "encrypted PDF (a password is needed)") from e
    except (PDFSyntaxError, Exception) as e:  # pdfminer raises many unrelated types
        # pdfplumber wraps pdfminer's error; the wrapped one says what is wrong
        inner = e.args[0] if len(e.args) == 1 and isinstance(e.args[0], Exception) else e
        if isinstance(inner, PDFPasswordIncorrect):
            raise InputError(path, "encrypted PDF (a password is needed)") from e
        text = f"{type(inner).__name__}: {inner}".strip(": ")
        if "password" in text.lower() or "encrypt" in text.lower():
            raise InputError(path, "encrypted PDF (a password is needed)") from e
        raise InputError(path, f"corrupt or unreadable PDF ({text})") from e
    try:
        pages = pdf.pages
    except Exception as e:  # noqa: BLE001 - pdfminer's errors have no common base
        pdf.close()
        raise InputError(path, f"corrupt or unreadable PDF ({type(e).__name__}: {e})") from e
    if not pages:
        pdf.close()
        raise InputError(path, "PDF has no pages")
    return pdf


def _pdf_pages(path: Path, options: Options, only: int | None = None) -> Iterator[SourcePage]:
    with _open_pdf(path) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            if only is not None and i != only:
                continue
            w_px = float(page.width) / 72.0 * options.dpi
            h_px = float(page.height) / 72.0 * options.dpi
            if w_px * h_px > options.max_pixels:
                raise InputError(path, f"page {i} at {options.dpi} dpi exceeds the pixel limit")
            try:
                img = page.to_image(resolution=options.dpi).original
            except Exception as e:  # noqa: BLE001
                raise InputError(path, f"page {i} cannot be rendered ({type(e).__name__}: {e})") from e
            yield SourcePage(path, i, _to_gray(img), options.dpi)


def load_pages(path, options: Options, only: int | None = None) -> Iterator[SourcePage]:
    """Yield the pages of one input file (or only page `only`) as grayscale
    arrays, or raise InputError."""
    path = Path(path)
    ext = _check_file(path)
    if ext in PDF_EXTS:
        yield from _pdf_pages(path, options, only)
    else:
        yield from _image_pages(path, options, only)


def load_page(path, page_number: int, options: Options) -> SourcePage:
    for src in load_pages(path, options, only=page_number):
        return src
    raise InputError(Path(path), f"has no page {page_number}")


def count_pages(path, options: Options) -> int:
    """Number of pages, read from the file's header (no decoding), or InputError."""
    path = Path(path)
    ext = _check_file(path)
    if ext in PDF_EXTS:
        with _open_pdf(path) as pdf:
            return len(pdf.pages)
    try:
        with Image.open(path) as im:
            if im.width * im.height > options.max_pixels:
                raise InputError(path, f"image of {im.width}x{im.height} pixels exceeds "
                                       f"the limit of {options.max_pixels} pixels")
            return int(getattr(im, "n_frames", 1))
    except InputError:
        raise
    except UnidentifiedImageError as e:
        raise InputError(path, "not a readable image") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(path, f"cannot read image header ({e})") from e


def file_hash(path) -> str:
    """Content hash of an input file (resume skips pages whose input is unchanged)."""
    import hashlib

    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as e:
        raise InputError(Path(path), f"cannot read file ({e.strerror})") from e
    return h.hexdigest()[:32]
