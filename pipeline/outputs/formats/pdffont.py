"""The invisible text layer's font: a glyphless TrueType font, embedded.

The text layer is never drawn (render mode 3), so its font needs no
outlines, only to be there: PDF/A forbids fonts that are not embedded, and a
CJK font embedded for real would cost megabytes. This is Tesseract's and
OCRmyPDF's approach: a TrueType program with one empty glyph, used as a
CIDFontType2 under Identity-H whose CIDToGIDMap sends every character code
to that glyph. Character codes are the characters' own UCS-2 values, and the
ToUnicode CMap names each code that the document uses, so extraction gives
the text back, Han or Latin alike.

Every glyph is 1 em wide (1000 units, the /DW of the font and the advance in
the program, which PDF/A requires to agree); the writer stretches each line
over its box with the text matrix. The descent (0.2 em) is what readers add
below the baseline to box a glyph, so the writer puts the baseline that far
above a line's bottom.
"""
from __future__ import annotations

import io
import zlib
from functools import lru_cache

__all__ = ["ASCENT", "DESCENT", "FONT_NAME", "font_program", "type0_font", "encode", "GETA"]

FONT_NAME = "MagscanGlyphless"
UNITS = 1000
ASCENT = 0.8
DESCENT = 0.2
# Characters outside the Basic Multilingual Plane have no two-byte code in
# Identity-H; the geta mark is the typesetter's stand-in for a missing glyph.
GETA = "〓"


@lru_cache(maxsize=1)
def font_program() -> bytes:
    """The TrueType program: .notdef and one empty glyph, both 1 em wide."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    fb = FontBuilder(UNITS, isTTF=True)
    order = [".notdef", "blank"]
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({0x20: "blank", 0x3000: "blank"})
    empty = TTGlyphPen(None).glyph()
    fb.setupGlyf({name: empty for name in order})
    fb.setupHorizontalMetrics({name: (UNITS, 0) for name in order})
    fb.setupHorizontalHeader(ascent=int(ASCENT * UNITS), descent=-int(DESCENT * UNITS))
    fb.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=int(ASCENT * UNITS), sTypoDescender=-int(DESCENT * UNITS),
                usWinAscent=int(ASCENT * UNITS), usWinDescent=int(DESCENT * UNITS))
    fb.setupPost()
    fb.font["head"].created = fb.font["head"].modified = 3786825600  # fixed (2024): same bytes each time
    buf = io.BytesIO()
    fb.save(buf)
    return buf.getvalue()


def encode(text: str) -> tuple[bytes, str]:
    """(Identity-H codes, the text as encoded: non-BMP characters as geta)."""
    shown = "".join(c if 0 < ord(c) <= 0xFFFF and not 0xD800 <= ord(c) < 0xE000 else GETA
                    for c in text)
    return shown.encode("utf-16-be"), shown


def _tounicode(chars: set[str]) -> bytes:
    codes = sorted(ord(c) for c in chars)
    out = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
           "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
           "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
           "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for i in range(0, len(codes), 100):  # at most 100 entries per block
        chunk = codes[i:i + 100]
        out.append(f"{len(chunk)} beginbfchar")
        out.extend(f"<{c:04X}> <{c:04X}>" for c in chunk)
        out.append("endbfchar")
    out += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(out).encode("ascii")


@lru_cache(maxsize=1)
def _cid_to_gid() -> bytes:
    # every code but 0 to glyph 1: PDF/A forbids showing .notdef, even unseen
    return b"\x00\x00" + b"\x00\x01" * 0xFFFF


def type0_font(pdf, chars: set[str]):
    """The Type0 font dictionary (an indirect object of ``pdf``, a pikepdf.Pdf)
    for text made of ``chars``."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    program = font_program()
    file2 = pikepdf.Stream(pdf, zlib.compress(program, 9))
    file2.Filter = Name.FlateDecode
    file2.Length1 = len(program)
    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/" + FONT_NAME), Flags=4,
        FontBBox=Array([0, -int(DESCENT * UNITS), UNITS, int(ASCENT * UNITS)]),
        ItalicAngle=0, Ascent=int(ASCENT * UNITS), Descent=-int(DESCENT * UNITS),
        CapHeight=int(ASCENT * UNITS), StemV=80, FontFile2=file2))
    gidmap = pikepdf.Stream(pdf, zlib.compress(_cid_to_gid(), 9))
    gidmap.Filter = Name.FlateDecode
    cid_font = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + FONT_NAME),
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                 Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=descriptor, DW=UNITS, CIDToGIDMap=gidmap))
    tounicode = pikepdf.Stream(pdf, zlib.compress(_tounicode(chars), 9))
    tounicode.Filter = Name.FlateDecode
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + FONT_NAME),
        Encoding=Name("/Identity-H"), DescendantFonts=Array([cid_font]), ToUnicode=tounicode))
