"""The public API (README, "Architecture"): light to import, the same
results as the command line, no global state changed by importing it."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANS = ROOT / "scans"
HEAVY = ("cv2", "pytesseract", "onnxruntime", "pdfplumber", "numpy", "PIL", "click")


def _python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("OMP_THREAD_LIMIT", None)   # so that setting it shows
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_importing_the_package_loads_no_heavy_library():
    r = _python("import sys, pipeline\n"
                "pipeline.__version__; pipeline.Options; pipeline.ExitCode\n"
                f"print([m for m in {HEAVY!r} if m in sys.modules])")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", r.stdout


def test_the_command_line_loads_no_heavy_library_before_a_command_runs():
    # `magscan --help` and a usage error stay quick: OpenCV, OCR and PDF
    # libraries load when a command needs them
    r = _python("import sys, pipeline.cli.main\n"
                f"print([m for m in {HEAVY[:-1]!r} if m in sys.modules])")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", r.stdout


def test_the_public_names_resolve():
    import pipeline

    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None, name
    with pytest.raises(AttributeError):
        pipeline.no_such_name  # noqa: B018


_STATE = r"""
import importlib, os, sys, warnings
umask_calls = []
_umask = os.umask
os.umask = lambda m: (umask_calls.append(m), _umask(m))[1]
# libraries that set their own variables on import (cv2: Qt and library
# paths) are imported first: only what magscan's modules do is measured
for lib in ("numpy", "cv2", "PIL.Image", "pytesseract", "pdfplumber", "click", "tesserocr",
            "onnxruntime", "rapidocr_onnxruntime", "ocrmypdf", "distributed", "pypdfium2"):
    try:
        importlib.import_module(lib)
    except ImportError:
        pass
from PIL import Image
import logging, signal
def others():
    return [len(logging.getLogger().handlers), len(logging.getLogger("pipeline").handlers),
            logging.getLogger("pipeline").level,
            *(str(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD))]
before = (dict(os.environ), Image.MAX_IMAGE_PIXELS, list(warnings.filters), others())
import pkgutil, importlib, pipeline
names = [m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.")]
skipped = []
for name in names:
    if name.endswith("__main__"):
        continue        # running, not importing
    try:
        importlib.import_module(name)
    except ImportError as e:   # an optional extra not installed here
        skipped.append(f"{name}: {e}")
after = (dict(os.environ), Image.MAX_IMAGE_PIXELS, list(warnings.filters), others())
import json
print(json.dumps({"n": len(names), "skipped": skipped, "umask_calls": umask_calls,
                  "env": sorted(set(after[0].items()) ^ set(before[0].items())),
                  "max_pixels": [before[1], after[1]],
                  "warnings": len(after[2]) - len(before[2]), "others": [before[3], after[3]]}))
"""


def test_importing_every_module_changes_no_global_state():
    # os.environ (thread limits for OCR go where the OCR starts), the umask,
    # Pillow's process-wide pixel limit, the warning filters, logging handlers
    # and signal handlers stay as the embedding program set them
    r = _python(_STATE)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["n"] > 80, got
    assert not [s for s in got["skipped"] if "pipeline" in s.split(":", 1)[1]], got["skipped"]
    assert got["env"] == [], got["env"]
    assert got["umask_calls"] == [], got["umask_calls"]
    assert got["max_pixels"][0] == got["max_pixels"][1] is not None, got["max_pixels"]
    assert got["warnings"] == 0, got
    assert got["others"][0] == got["others"][1], got["others"]   # logging handlers, signals


def test_written_files_get_the_mode_open_gives(tmp_path):
    # the mode comes from the umask the system applies, not from reading it
    from pipeline.outputs.files import atomic_write_text

    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]   # no temporary file left


def _png_header(path: Path, w: int, h: int) -> Path:
    import struct
    import zlib

    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))
    return path


def test_pixel_limit_is_checked_on_the_header_with_pillows_guard_left_alone(tmp_path):
    from PIL import Image

    from pipeline.errors import InputError
    from pipeline.ingest.files import count_pages, load_pages
    from pipeline.options import Options

    guard = Image.MAX_IMAGE_PIXELS
    bomb = _png_header(tmp_path / "bomb.png", 100000, 100000)   # Pillow refuses it on open
    # the lower of ours and twice Pillow's guard (README: about 179 million with
    # Pillow's default; a library imported earlier in the process may have raised it)
    limit = min(Options().max_pixels, 2 * (guard or Options().max_pixels))
    for call in (lambda: count_pages(bomb, Options()), lambda: list(load_pages(bomb, Options()))):
        with pytest.raises(InputError, match=rf"image of 100000x100000 pixels exceeds the limit "
                                             rf"of {limit} pixels"):
            call()
    # below Pillow's guard, our own (smaller) limit, from the header
    big = _png_header(tmp_path / "big.png", 5000, 4000)
    with pytest.raises(InputError, match=r"5000x4000 pixels exceeds the limit of 1000000 pixels"):
        count_pages(big, Options(max_pixels=1_000_000))
    assert Image.MAX_IMAGE_PIXELS == guard


def test_tesseract_runs_with_one_thread_unless_told(monkeypatch):
    from pipeline.recognition.tesseract import thread_limited_env

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert thread_limited_env()["OMP_THREAD_LIMIT"] == "1"
    assert "OMP_THREAD_LIMIT" not in os.environ
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")
    assert thread_limited_env()["OMP_THREAD_LIMIT"] == "2"


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the Architecture section has one Python example"
    return blocks[0]


def test_readme_api_example_runs(tmp_path, monkeypatch, capsys):
    # the example as the README gives it, on a bundled page, real Tesseract;
    # run from a folder where scans/ is the checkout's and out/ is new
    (tmp_path / "scans").symlink_to(SCANS)
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(_readme_example(), "README.md", "exec"), ns)  # noqa: S102
    shown = capsys.readouterr().out
    page, result = ns["page"], ns["result"]
    assert result.done == 1 and result.failed == 0 and result.ok, result
    written = (tmp_path / "out" / "seed-page" / "page-0001.txt").read_text(encoding="utf-8")
    # the API's page is the page `magscan convert` writes: same text, same JSON
    assert page.text() == written and len(written) > 500
    on_disk = json.loads((tmp_path / "out" / "seed-page" / "page-0001.json").read_text("utf-8"))
    from pipeline.outputs.files import page_record
    mine = json.loads(json.dumps(page_record(page)))
    for d in (on_disk, mine):
        d.pop("timings")
        d.pop("source")   # the same file, by two relative names
    assert mine == on_disk
    assert written[:40] in shown
    kinds = [b.kind for b in ns["layout"].ordered_blocks()]
    assert "title" in kinds and "body" in kinds and not any(b.text for b in ns["layout"].blocks)
    assert [b.order for b in ns["order"].blocks] == list(range(len(ns["layout"].blocks)))


def test_a_spread_gives_two_pages_and_an_array_is_analysed_like_its_file():
    import cv2
    import numpy as np

    import pipeline

    gray = cv2.imread(str(SCANS / "two-col-rule-figure.png"), cv2.IMREAD_GRAYSCALE)
    spread = np.hstack([gray, np.full((gray.shape[0], 40), 255, np.uint8), gray])
    pages = pipeline.analyse_image(spread)
    assert [p.part for p in pages] == ["L", "R"]
    one = pipeline.analyse_image(gray)
    assert len(one) == 1 and one[0].blocks
    assert [b.kind for b in one[0].ordered_blocks()] == \
        [b.kind for b in pipeline.analyse_image(SCANS / "two-col-rule-figure.png")[0].ordered_blocks()]


def _hocr(lines: list[tuple[tuple[int, int, int, int], str]]) -> str:
    spans = "".join(
        f'<span class="ocr_line" id="l{i}" title="bbox {x0} {y0} {x1} {y1}">'
        f'<span class="ocrx_word" id="w{i}" title="bbox {x0} {y0} {x1} {y1}; x_wconf 95">{t}</span>'
        "</span>" for i, ((x0, y0, x1, y1), t) in enumerate(lines))
    return ('<html xmlns="http://www.w3.org/1999/xhtml"><head><title></title></head><body>'
            f'<div class="ocr_page" id="page_1" title="bbox 0 0 1000 600">{spans}</div></body></html>')


def test_repair_file_is_what_magscan_repair_writes(tmp_path):
    import pipeline

    # two columns read straight across by a line-based engine: left, right, left, right
    left = [((50, 100 + 40 * i, 450, 130 + 40 * i), f"左栏第{i}行文字内容") for i in range(6)]
    right = [((550, 100 + 40 * i, 950, 130 + 40 * i), f"右栏第{i}行文字内容") for i in range(6)]
    src = tmp_path / "scan.hocr"
    src.write_text(_hocr([ln for pair in zip(left, right) for ln in pair]), encoding="utf-8")
    page = pipeline.repair_file(src)
    assert page.engine == "repair:hocr"
    text = page.text()
    assert text.index("左栏第5行") < text.index("右栏第0行"), text   # columns in order
    r = subprocess.run([sys.executable, "-m", "pipeline", "repair", str(src), "-o",
                        str(tmp_path / "out"), "--no-overlays"], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "scan" / "page-0001.txt").read_text(encoding="utf-8") == text


def test_page_text_follows_the_runs_keep_headers():
    from pipeline.model import BBox, Block, Line, Page

    def page(keep: bool) -> Page:
        p = Page("x.png", 1, 1000, 1000, options={"keep_headers": keep})
        for i, (kind, text) in enumerate([("header", "刊头"), ("body", "正文第一段")]):
            b = Block(i, kind, BBox(0, 100 * i, 900, 100 * i + 50), order=i, text=text,
                      lines=[Line(BBox(0, 100 * i, 900, 100 * i + 50), text, 90.0)])
            p.blocks.append(b)
        return p
    assert page(False).text() == "正文第一段\n"
    assert page(True).text() == "刊头\n正文第一段\n"
    assert page(True).text(keep_headers=False) == "正文第一段\n"
