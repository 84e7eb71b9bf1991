import os
import subprocess
import sys
from pathlib import Path

import sqlite3

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def run_magscan(*args, env=None, timeout=900):
    """Run the real command line in a child process, as a user would."""
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=timeout)


def _cjk_font(size):
    for p in ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
              "/usr/share/fonts/truetype/arphic/uming.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"):
        if Path(p).exists():
            return ImageFont.truetype(p, size, index=2 if "Noto" in p else 0)
    pytest.fail("no CJK font installed; run `make test`, which installs fonts-noto-cjk")


@pytest.fixture(scope="session")
def small_page(tmp_path_factory) -> Path:
    """A small two-line Chinese text image: cheap to OCR, for input-handling tests."""
    img = Image.new("L", (900, 260), 255)
    d = ImageDraw.Draw(img)
    f = _cjk_font(48)
    d.text((40, 40), "加强和改进产业工人队伍", font=f, fill=0)
    d.text((40, 140), "思想政治建设的意义", font=f, fill=0)
    path = tmp_path_factory.mktemp("small") / "small page.png"
    img.save(path, dpi=(300, 300))
    return path


FAKES = str(Path(__file__).resolve().parent)  # holds magscan_fakes.py


def fake_env(tmp_path, **extra):
    env = dict(os.environ, PYTHONPATH=FAKES, MAGSCAN_FAKE_MARKER=str(tmp_path / "armed"))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def make_pages(folder: Path, n: int, names=None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    f = _cjk_font(40)
    out = []
    for i in range(n):
        img = Image.new("L", (700, 200), 255)
        d = ImageDraw.Draw(img)
        d.text((30, 30), f"第{i + 1}页的文字内容", font=f, fill=0)
        d.text((30, 110), "杂志扫描测试", font=f, fill=0)
        p = folder / (names[i] if names else f"p{i + 1:03d}.png")
        img.save(p, dpi=(300, 300))
        out.append(p)
    return out


def rows(out: Path) -> list[dict]:
    db = sqlite3.connect(out / "manifest.sqlite")
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute("SELECT * FROM pages ORDER BY doc, page_number")]




def count_done(out: Path) -> int:
    """Pages done so far in a batch that may still be creating its manifest."""
    try:
        return sum(r["status"] == "done" for r in rows(out))
    except sqlite3.Error:  # no file yet, or its table not made yet
        return 0


def untimed(path: Path) -> bytes:
    """A result file's bytes, a page JSON without its ``timings`` (the one
    field that differs between two runs of the same page)."""
    data = path.read_bytes()
    if path.suffix != ".json":
        return data
    import json
    d = json.loads(data)
    if isinstance(d, dict):
        d.pop("timings", None)
    return json.dumps(d, ensure_ascii=False, sort_keys=True).encode("utf-8")
