"""Input file types: the extensions magscan reads, the ones it names as
not read (and why), and the check that a file is what its name says, by its
first bytes, before any decoder runs."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError


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
NOT_READ = {
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


def check_file(path: Path) -> str:
    """The input's type (its extension, lower case), or InputError saying why it
    cannot be one: missing, a folder, an unsupported type, empty, or content
    that does not match the extension."""
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
        why = f" ({NOT_READ[ext]})" if ext in NOT_READ else ""
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
