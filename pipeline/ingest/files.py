"""Reading inputs: an input file in, its page images out (the files come from
find.py, their types are checked in filetypes.py).

Every failure is an InputError naming the file and the reason, so that one
bad file never stops the others. `reading` is the one place where whatever
a decoder, the file system or the memory cap raises while an input is read
becomes that InputError; everything that opens an input goes through it.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from ..errors import InputError, is_out_of_memory, one_line
from ..options import Options
from .filetypes import PDF_EXTS, check_file
from .find import find_inputs  # noqa: F401 - where the batch runner finds it


@dataclass
class SourcePage:
    source: Path
    page_number: int  # 1-based
    image: np.ndarray  # 8-bit grayscale
    dpi: int
    # False: the file names no resolution and ``dpi`` is the assumed one
    # (the layout then measures the scale from the text, ``layout.resolve_dpi``)
    dpi_known: bool = True
    # how the scan was turned to stand upright (orientation.Orientation), once known
    orientation: object = None


def input_reason(exc: BaseException) -> str:
    """One line saying why an input could not be read, for any exception."""
    if is_out_of_memory(exc):
        return "out of memory while reading it (raise --max-memory, or lower --dpi for a PDF)"
    if isinstance(exc, Image.DecompressionBombError):
        return "image too large (possible decompression bomb)"
    if isinstance(exc, UnidentifiedImageError):
        return "not a readable image"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    msg = one_line(str(exc))
    if isinstance(exc, (OSError, SyntaxError, ValueError)) and (
            "truncated" in msg or "broken data stream" in msg or "premature end" in msg.lower()):
        return "truncated or damaged image data"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read file ({one_line(exc.strerror)})"
    if isinstance(exc, (OSError, SyntaxError, ValueError)):
        return f"cannot decode image ({msg})"
    # a decoder's own bug on damaged data (Pillow's TypeError "Missing
    # dimensions" on a truncated multi-page TIFF, a pdfminer KeyError ...)
    return f"damaged or unreadable file ({type(exc).__name__}: {msg})".replace(": )", ")")


@contextmanager
def reading(path):
    """Any exception raised while reading `path` leaves as InputError(path, reason)."""
    try:
        yield
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - the point: no decoder error escapes unexplained
        raise InputError(path, input_reason(e)) from e



def _to_gray(img: Image.Image) -> np.ndarray:
    if img.mode in ("RGBA", "LA", "P"):
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img.convert("RGBA"))
    if img.mode in ("I;16", "I;16B", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        return (arr * (255.0 / top)).astype(np.uint8)
    return np.asarray(img.convert("L"), dtype=np.uint8).copy()


@contextmanager
def _pillow_quiet() -> Iterator[None]:
    """Pillow's warnings kept out of our one-line messages, for this call
    only (the process's warning filters are the embedding program's): damaged
    metadata ("Corrupt EXIF data"; a file Pillow cannot read still fails with
    a reason) and a large image (the pixel limit is ours, ``_check_size``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def _too_large(path: Path, size: tuple[int, int], limit: int) -> InputError:
    return InputError(path, f"image of {size[0]}x{size[1]} pixels exceeds the limit of "
                            f"{limit} pixels")


def _check_size(path: Path, size: tuple[int, int], options: Options) -> None:
    """The pixel limit (``options.max_pixels``), on the size the header
    states, before anything is decoded."""
    if size[0] * size[1] > options.max_pixels:
        raise _too_large(path, size, options.max_pixels)


def _header_size(path: Path) -> tuple[int, int] | None:
    """The size an image file's header states, read by Pillow's format
    plug-ins without Pillow's own bomb check; None if none reads it."""
    Image.init()
    try:
        with open(path, "rb") as fp:
            prefix = fp.read(16)
            for fmt in Image.ID:
                factory, accept = Image.OPEN[fmt]
                if accept is not None and accept(prefix) is not True:
                    continue
                fp.seek(0)
                try:
                    return tuple(factory(fp, str(path)).size)
                except Exception:  # noqa: BLE001 - not this format: try the next
                    continue
    except OSError:
        pass
    return None


def _open_image(path: Path, options: Options) -> Image.Image:
    """The image file opened (header only), its size checked against the
    pixel limit. Pillow's process-wide bomb guard (``Image.MAX_IMAGE_PIXELS``)
    is left as the embedding program set it: an image above it fails with the
    lower of the two limits named."""
    try:
        with _pillow_quiet():
            im = Image.open(path)
    except Image.DecompressionBombError as e:
        size = _header_size(path)
        if size is None:
            raise InputError(path, "image too large (possible decompression bomb)") from e
        limit = min(options.max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or options.max_pixels))
        raise _too_large(path, size, limit) from e
    try:
        _check_size(path, im.size, options)
    except InputError:
        im.close()
        raise
    return im


def _image_pages(path: Path, options: Options, only: int | None = None) -> Iterator[SourcePage]:
    with _open_image(path, options) as im:
        frames = ImageSequence.Iterator(im)
        n = 0
        while True:
            with _pillow_quiet():   # not around the yield: the caller's code is its own
                frame = next(frames, None)
                if frame is None:
                    return
                n += 1
                if only is not None and n != only:
                    continue
                _check_size(path, frame.size, options)
                frame.load()
                given = float((frame.info.get("dpi") or (0, 0))[0] or 0)
                dpi = given if given >= 1 else options.dpi
                page = SourcePage(path, n, _to_gray(frame), int(round(dpi)), dpi_known=given >= 1)
            yield page


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
    with reading(path):
        ext = check_file(path)
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
    with reading(path):
        ext = check_file(path)
        if ext in PDF_EXTS:
            n = _count_pdf_pages_fast(path)
            if n:
                return n
            with _open_pdf(path) as pdf:   # says why the file cannot be read
                return len(pdf.pages)
        with _open_image(path, options) as im, _pillow_quiet():
            return int(getattr(im, "n_frames", 1))


def _count_pdf_pages_fast(path: Path) -> int:
    """Pages of a PDF through PDFium (C, reads the page tree only; pdfminer
    parses every page object first, a tenth of a second on 50 pages), or 0
    when PDFium cannot tell: then pdfminer's path says what is wrong."""
    try:
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(str(path))
    except Exception:  # noqa: BLE001 - any failure: the slow path reports it
        return 0
    try:
        return len(doc)
    finally:
        doc.close()


def file_hash(path) -> str:
    """Content hash of an input file (resume skips pages whose input is unchanged)."""
    import hashlib

    h = hashlib.sha256()
    with reading(path), open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:32]
