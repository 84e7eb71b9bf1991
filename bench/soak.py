"""Soak: a batch of good pages and every kind of bad input, SIGKILLed at ten
random points and resumed, must end as an uninterrupted run does.

    .venv/bin/python bench/soak.py [--pages 200] [--kills 10] [--seed 17] [--jobs 2]
                                   [--engine tesseract] [--work DIR]

Checks, printed as figures at the end (exit 1 if any fails):
- every good page is done exactly once (one row, one set of files, no
  second output folder for the same input) with byte-for-byte the text and
  JSON of the uninterrupted reference run;
- every bad input is failed with a reason;
- no temporary file is left (magscan's own in OUT, batch folders and
  Tesseract files in TMPDIR);
- no process is left (every process whose environment carries this soak's
  marker: batches, forkservers, workers).

Kills alternate between SIGKILL of the batch's process group (as a shell's
kill -9 -PGID or a container stop does) and of the main process alone (as
the OOM killer does); workers lead their own groups, so neither reaches them
directly. Not part of the test suite: it takes minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ["加强和改进产业工人队伍", "思想政治建设的意义", "杂志扫描测试文字", "高质量发展的重要支撑",
           "技能人才培养体系", "劳动光荣创造伟大", "新时代产业工人", "职业技能提升行动"]
FONTS = ["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
         "/usr/share/fonts/truetype/arphic/uming.ttc",
         "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"]


# --- inputs ------------------------------------------------------------------------------------

def _font(size: int):
    from PIL import ImageFont
    for p in FONTS:
        if Path(p).exists():
            return ImageFont.truetype(p, size, index=2 if "Noto" in p else 0)
    sys.exit("soak: no CJK font installed (make setup installs fonts-noto-cjk)")


def _page(i: int):
    from PIL import Image, ImageDraw
    img = Image.new("L", (760, 220), 255)
    d = ImageDraw.Draw(img)
    f = _font(40)
    d.text((30, 30), f"第{i}页 {PHRASES[i % len(PHRASES)]}", font=f, fill=0)
    d.text((30, 120), PHRASES[(i * 3 + 1) % len(PHRASES)], font=f, fill=0)
    return img


def make_good(folder: Path, n_pages: int) -> tuple[list[Path], int]:
    """Single-page PNGs and JPEGs (some with awkward names), a multi-page TIFF
    and a PDF: `n_pages` pages in all."""
    folder.mkdir(parents=True)
    files, i = [], 0
    tif = [_page(i + k) for k in range(1, 6)]
    tif[0].save(folder / "multi.tif", save_all=True, append_images=tif[1:], dpi=(300, 300))
    pdf = [_page(i + k).convert("RGB") for k in range(6, 11)]
    pdf[0].save(folder / "doc.pdf", save_all=True, append_images=pdf[1:], resolution=300)
    files += [folder / "multi.tif", folder / "doc.pdf"]
    i = 10
    # awkward names; a hidden one ("...png") is named on the command line, as
    # folders are searched for visible files only
    odd = ["...png", "report.png", "a.txt.png", "manifest.sqlite.png", "引号'\"页.png",
           "sp ace.jpg", "new\nline.png", "-dash.png"]
    sub = folder / "sub" / "deeper"
    sub.mkdir(parents=True)
    while i < n_pages:
        i += 1
        name = odd.pop() if odd else f"p{i:04d}.{'jpg' if i % 7 == 0 else 'png'}"
        path = (sub if i % 5 == 0 else folder) / name
        _page(i).convert("RGB" if name.endswith(".jpg") else "L").save(
            path, format="JPEG" if name.endswith(".jpg") else "PNG", dpi=(300, 300))
        files.append(path)
    return files, i


def _bomb(path: Path) -> None:
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))


def make_bad(folder: Path) -> list[Path]:
    """One of each kind of bad input; returns the paths the batch must fail."""
    folder.mkdir(parents=True)
    good = folder / "tmp.png"
    _page(0).save(good)
    data = good.read_bytes()
    good.unlink()
    bad = {
        "empty.png": b"", "truncated.png": data[: len(data) // 2],
        "notes.jpg": b"this is not a picture\n", "corrupt.pdf": b"%PDF-1.4\n" + os.urandom(300),
        "nopages.pdf": (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
        "bad\nname.png": b"", "wrongext.tif": data,
    }
    for name, blob in bad.items():
        (folder / name).write_bytes(blob)
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(folder / "locked.pdf"), encrypt="secret")
    c.drawString(100, 700, "hello")
    c.showPage()
    c.save()
    _bomb(folder / "bomb.png")
    three = folder / "three.tif"
    _page(1).save(three, save_all=True, append_images=[_page(2), _page(3)])
    tb = three.read_bytes()
    (folder / "trunc3.tif").write_bytes(tb[: len(tb) * 2 // 3])
    three.unlink()
    os.symlink(folder / "gone.png", folder / "dangling.png")
    (folder / "unreadable.png").write_bytes(data)
    (folder / "unreadable.png").chmod(0)
    (folder / "closed").mkdir()
    _page(4).save(folder / "closed" / "inside.png")
    (folder / "closed").chmod(0)
    names = [*bad, "locked.pdf", "bomb.png", "trunc3.tif", "dangling.png", "unreadable.png",
             "closed"]
    return [folder / n for n in names]


# --- running -----------------------------------------------------------------------------------

def magscan(args: list, env: dict) -> list[str]:
    cmd = [sys.executable, "-m", "pipeline", *map(str, args)]
    if os.geteuid() == 0:  # root reads chmod 000 files; without these two capabilities it cannot
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    return cmd


def processes_with(marker: str) -> list[int]:
    needle, found = marker.encode(), []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            if needle in (d / "environ").read_bytes():
                state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(d.name))
        except OSError:
            continue
    return found


def wait_gone(marker: str, limit: float = 30) -> list[int]:
    deadline = time.time() + limit
    while time.time() < deadline and processes_with(marker):
        time.sleep(0.1)
    return processes_with(marker)


def rows(out: Path) -> list[dict]:
    db = sqlite3.connect(f"{(out / 'manifest.sqlite').resolve().as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM pages")]
    finally:
        db.close()


def _done(out: Path) -> int:
    try:
        return sum(r["status"] == "done" for r in rows(out))
    except (sqlite3.Error, OSError):
        return 0  # not made yet, or mid-creation


def _kill_once(inputs, out: Path, args, env, target: int, pause: float, group: bool):
    """One run killed once `target` pages are done and `pause` seconds more;
    returns how it ended."""
    p = subprocess.Popen(magscan([*args, "-o", out, *inputs], env), cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    while p.poll() is None and _done(out) < target:
        time.sleep(0.05)
    time.sleep(pause)
    if p.poll() is not None:
        p.wait()
        return f"finished before the kill (exit {p.returncode})"
    if group:
        os.killpg(p.pid, signal.SIGKILL)
    else:
        os.kill(p.pid, signal.SIGKILL)
    p.wait()
    return "SIGKILL to the " + ("process group" if group else "main process")


def interrupted_run(inputs, out: Path, args, env, kills: int, rng: random.Random,
                    n_good: int, marker: str) -> list[dict]:
    """Run, SIGKILL at a random point, resume, until `kills` kills have landed
    in a running batch; the final run (by the caller) goes to the end. The
    points are spread over the whole batch: a random number of pages done (0:
    during planning), then a random fraction of a second more. A run that
    ends before its kill is tried again with a shorter pause."""
    log = []
    targets = sorted(rng.sample(range(0, n_good), kills))
    landed, tries = 0, 0
    while landed < kills and tries < 4 * kills:
        target, pause = targets[landed], rng.uniform(0.0, 0.8 / (1 + tries - landed))
        t0 = time.time()
        how = _kill_once(inputs, out, args, env, target, pause, group=landed % 2 == 0)
        tries += 1
        landed += how.startswith("SIGKILL")
        left = wait_gone(marker)
        done = _done(out)
        log.append({"try": tries, "target_done": target, "after_s": round(time.time() - t0, 1),
                    "how": how, "done_rows": done, "processes_left": len(left)})
        print(f"  run {tries:2d}, kill at >= {target:3d} done, after {time.time() - t0:4.1f} s: "
              f"{how}; {done} page(s) done; {len(left)} process(es) left", flush=True)
    return log


def compare(ref: Path, out: Path) -> list[str]:
    """Page files and documents that differ from the uninterrupted run."""
    def content(p: Path) -> bytes:
        if p.suffix != ".json":
            return p.read_bytes()
        d = json.loads(p.read_bytes())
        d.pop("timings", None)   # the one field that differs between two runs of a page
        return json.dumps(d, sort_keys=True).encode()

    def files(d: Path) -> dict[str, bytes]:
        return {str(p.relative_to(d)): content(p) for p in d.rglob("*") if p.is_file()
                and not p.name.startswith(("manifest.sqlite", ".magscan"))}
    a, b = files(ref), files(out)
    diff = sorted(set(a) ^ set(b))
    diff += sorted(k for k in set(a) & set(b) if a[k] != b[k])
    return diff


def temp_files(out: Path, tmp: Path) -> list[str]:
    left = [str(p) for p in out.rglob("*.magscan-tmp")]
    left += [str(p) for p in tmp.iterdir()]  # batch folders, tesseract's files
    return left


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=200, help="good pages (at least 20)")
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--engine", default="tesseract",
                    help="tesseract (real), or magscan_fakes:FakeEngine (fast, from tests/)")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: a new one)")
    a = ap.parse_args(argv)
    import tempfile
    work = a.work or Path(tempfile.mkdtemp(prefix="soak-"))
    if work.exists() and any(work.iterdir()):
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(a.seed)
    marker = f"magscan-soak-{os.getpid()}-{a.seed}"
    tmp = work / "tmp"
    tmp.mkdir()
    env = dict(os.environ, OMP_THREAD_LIMIT="1", TMPDIR=str(tmp), MAGSCAN_SOAK=marker,
               PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), str(ROOT)]))
    marker = f"MAGSCAN_SOAK={marker}"

    print(f"soak: making inputs in {work}", flush=True)
    good, n_good = make_good(work / "in" / "good", max(20, a.pages))
    bad = make_bad(work / "in" / "bad")
    empty = work / "in" / "empty"
    empty.mkdir()
    hidden = [p for p in good if p.name.startswith(".")]
    inputs = [work / "in" / "good", work / "in" / "bad", empty, good[3], *hidden]  # good[3] twice
    args = ["convert", "-j", a.jobs, "--engine", a.engine, "-q"]
    try:
        t = time.time()
        r = subprocess.run(magscan([*args, "-o", work / "ref", *inputs], env), cwd=ROOT, env=env,
                           capture_output=True, text=True)
        t_ref = time.time() - t
        print(f"soak: uninterrupted run: {t_ref:.0f} s, exit {r.returncode}", flush=True)
        t = time.time()
        kills = interrupted_run(inputs, work / "out", args, env, a.kills, rng, n_good, marker)
        final = subprocess.run(magscan([*args, "-o", work / "out", *inputs], env), cwd=ROOT,
                               env=env, capture_output=True, text=True)
        t_int = time.time() - t
    finally:
        for p in (work / "in" / "bad" / "unreadable.png", work / "in" / "bad" / "closed"):
            p.chmod(0o755)
    left = wait_gone(marker)
    return report(work, good, n_good, bad + [empty], final, r, kills, left, tmp, t_ref, t_int,
                  a.kills)


def report(work, good, n_good, bad, final, ref_run, kills, left, tmp, t_ref, t_int,
           n_kills) -> int:
    out, ref = work / "out", work / "ref"
    got = rows(out)
    good_real = {os.path.realpath(p) for p in good}
    keys = [(os.path.realpath(r["input"]), r["page_number"]) for r in got]
    done_good = {k for k, r in zip(keys, got) if k[0] in good_real and r["status"] == "done"}
    redone = [r for r in got if os.path.realpath(r["input"]) in good_real and r["attempts"] != 1]
    docs = {r["doc"] for r in got}
    stray = [d.name for d in out.iterdir() if d.is_dir() and d.name not in docs]
    by_input: dict[str, list[dict]] = {}
    for r in got:
        by_input.setdefault(r["input"], []).append(r)
    bad_rows = {str(p): by_input.get(os.path.abspath(p), []) for p in bad}
    bad_ok = [p for p, rs in bad_rows.items()
              if rs and all(r["status"] == "failed" and r["error"] for r in rs)]
    diffs = compare(ref, out)
    temps = temp_files(out, tmp)
    figures = {
        "good pages": n_good,
        "good pages done": len(done_good),
        "good pages converted more than once": len(redone),
        "rows for a page that already has one": len(keys) - len(set(keys)),
        "output folders the manifest does not know": len(stray),
        "files differing from the uninterrupted run": len(diffs),
        "bad inputs": len(bad),
        "bad inputs failed with a reason": len(bad_ok),
        "temporary files left": len(temps),
        "processes left": len(left),
        "runs started before the final one": len(kills),
        "kills that landed in a running batch": sum("SIGKILL" in k["how"] for k in kills),
        "final exit code (1: bad inputs failed)": final.returncode,
        "reference exit code": ref_run.returncode,
        "uninterrupted run, s": round(t_ref),
        "interrupted runs and resume, s": round(t_int),
    }
    print("\nsoak figures:")
    for k, v in figures.items():
        print(f"  {k:45s} {v}")
    for p, rs in bad_rows.items():
        why = "; ".join(f"{r['status']}: {r['error']}" for r in rs) or "NO ROW"
        print(f"  bad input {Path(p).name!r}: {why}")
    problems = diffs[:5] + temps[:5] + stray[:5] + [f"pid {p}" for p in left]
    problems += [f"bad input not failed: {p}" for p in bad_rows if p not in bad_ok]
    landed = sum("SIGKILL" in k["how"] for k in kills)
    ok = (landed == n_kills and len(done_good) == n_good and not redone
          and len(keys) == len(set(keys)) and not stray and not diffs
          and len(bad_ok) == len(bad) and not temps and not left and final.returncode == 1)
    for p in problems:
        print(f"  problem: {p!r}")
    (work / "figures.json").write_text(json.dumps({**figures, "kills_log": kills}, indent=1,
                                                  ensure_ascii=False))
    print(f"soak: {'PASS' if ok else 'FAIL'} (figures in {work / 'figures.json'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
