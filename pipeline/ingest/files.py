"""Reading inputs: files and folders in, page images out.

Every failure is an InputError naming the file and the reason, so that one
bad file never stops the others. `reading` is the one place where whatever
a decoder, the file system or the memory cap raises while an input is read
becomes that InputError; everything that opens an input goes through it.
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from ..errors import InputError, is_out_of_memory, one_line
from ..options import Options

def _jpeg2000() -> bool:
    """Pillow reads JPEG 2000 only when it was built with OpenJPEG."""
    from PIL import features
    try:
        return bool(features.check("jpg_2000"))
    except Exception:  # noqa: BLE001 - an odd Pillow build: then it cannot
        return False


def _webp() -> bool:
    from PIL import features
    try:
        return bool(features.check("webp"))
    except Exception:  # noqa: BLE001
        return False


JP2_EXTS = {".jp2", ".j2k", ".jpf", ".jpx", ".j2c"}
IMAGE_EXTS = ({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif"}
              | ({".webp"} if _webp() else set()) | (JP2_EXTS if _jpeg2000() else set()))
PDF_EXTS = {".pdf"}
INPUT_EXTS = IMAGE_EXTS | PDF_EXTS
# Image files a folder search meets and cannot read, each named as skipped
# with the reason instead of left out without a word.
_NOT_READ = {
    **{e: "JPEG 2000, and this Pillow has no OpenJPEG (install libopenjp2-7, then reinstall "
          "Pillow)" for e in JP2_EXTS - IMAGE_EXTS},
    **({".webp": "WebP, and this Pillow has no WebP support"} if ".webp" not in IMAGE_EXTS else {}),
    ".heic": "HEIC/HEIF is not read (Pillow cannot open it); convert it to PNG or JPEG",
    ".heif": "HEIC/HEIF is not read (Pillow cannot open it); convert it to PNG or JPEG",
    ".avif": "AVIF is not read; convert it to PNG or JPEG",
    ".jxl": "JPEG XL is not read; convert it to PNG or JPEG",
    ".djvu": "DjVu is not read; convert it to TIFF or PDF",
    ".psd": "Photoshop files are not read; export PNG or TIFF",
    ".svg": "a vector drawing, not a scan",
}
KINDS = "PNG, JPEG, TIFF, WebP, BMP, GIF" + (", JPEG 2000" if JP2_EXTS <= IMAGE_EXTS else "") + " or PDF"
OUTPUT_MARK = "manifest.sqlite"   # a folder holding one is a magscan output, never an input

# Magic numbers, checked before any decoder runs so that "not an image" is
# reported as such rather than as a decoder's puzzling message.
_MAGIC = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".tif": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    ".tiff": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    ".pdf": (b"%PDF",),
    ".bmp": (b"BM",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),   # then "WEBP" at byte 8: checked in _check_file
    # a JP2 box file, or a bare J2K codestream
    **{e: (b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51") for e in JP2_EXTS},
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


@dataclass
class FoundInputs:
    files: list[Path] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)   # unreadable or empty folders
    folders: list[Path] = field(default_factory=list)           # named folders that were searched
    skipped: list[InputError] = field(default_factory=list)    # images in folders not read, and why


def _is_output_folder(d: Path, exclude: set[str]) -> bool:
    try:
        return os.path.realpath(d) in exclude or (d / OUTPUT_MARK).is_file()
    except OSError:
        return False


def _walk(top: Path, exclude: set[str], found: FoundInputs) -> int:
    """Input files under `top`, following symbolic links to folders (each real
    folder once); folders that cannot be read are problems, not silence."""
    seen: set[tuple[int, int]] = set()
    n = 0

    def onerror(e: OSError) -> None:
        found.problems.append(InputError(e.filename or top, f"cannot read folder ({e.strerror})"))

    for root, dirs, files in os.walk(top, onerror=onerror, followlinks=True):
        try:
            st = os.stat(root)
        except OSError as e:
            onerror(e)
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # a link loop, or a folder linked twice
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs[:] = sorted(d for d in dirs if not _is_output_folder(Path(root) / d, exclude))
        for f in sorted(files):
            if f.startswith("."):
                continue
            ext = Path(f).suffix.lower()
            if ext in INPUT_EXTS:
                found.files.append(Path(root) / f)
                n += 1
            elif ext in _NOT_READ:
                found.skipped.append(InputError(Path(root) / f, _NOT_READ[ext]))
    return n


def _is_dir(p: Path) -> bool:
    try:
        return p.is_dir()
    except OSError:   # a path under an unreadable folder: read as a file, which says why
        return False


def find_inputs(paths, exclude=()) -> FoundInputs:
    """Files as given, and folders searched recursively for inputs by extension,
    each real file once. Folders in `exclude` (the output folder) and other
    magscan output folders are not searched: outputs are never read back in."""
    ex = {os.path.realpath(p) for p in exclude}
    found = FoundInputs()
    for p in map(Path, paths):
        if _is_dir(p):
            found.folders.append(p)
            if os.path.realpath(p) in ex:
                found.problems.append(InputError(p, "is the output folder (-o); outputs are "
                                                    "never read as input"))
                continue
            before = len(found.problems)
            if not _walk(p, ex, found) and len(found.problems) == before:
                found.problems.append(InputError(p, f"no {KINDS} file in this folder"))
        else:
            found.files.append(p)
    found.files = _unique(found.files)
    return found


def _unique(files: list[Path]) -> list[Path]:
    """The same file named twice (a folder and a file in it, a link and its
    target) is one input: the first name given keeps it."""
    seen, out = set(), []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _check_file(path: Path) -> str:
    if not path.exists() and not path.is_symlink():
        raise InputError(path, "no such file")
    if not path.exists():
        raise InputError(path, "no such file (a link to a missing file)")
    if path.is_dir():
        raise InputError(path, "is a folder")
    if not path.is_file():
        raise InputError(path, "not a regular file")
    ext = path.suffix.lower()
    if ext not in INPUT_EXTS:
        why = f" ({_NOT_READ[ext]})" if ext in _NOT_READ else ""
        raise InputError(path, f"unsupported file type {ext or '(no extension)'}{why}; "
                               f"expected {KINDS}")
    with open(path, "rb") as f:
        head = f.read(12)
    if not head:
        raise InputError(path, "empty file (0 bytes)")
    if not head.startswith(_MAGIC[ext]) or (ext == ".webp" and head[8:12] != b"WEBP"):
        kind = "a PDF" if ext == ".pdf" else f"a {_KIND_NAMES.get(ext, ext[1:].upper())} image"
        raise InputError(path, f"not {kind} (file content does not match its extension)")
    return ext


_KIND_NAMES = {".webp": "WebP", **{e: "JPEG 2000" for e in JP2_EXTS}}


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
    with reading(path):
        ext = _check_file(path)
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
