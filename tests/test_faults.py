"""Fault injection (issue 17): each numbered reproduction of the issue is a
test here, run through the real command line. Faults are injected the way
OCRmyPDF's tests do it: plug-in engines that crash, hang, fill the disk or run
out of memory on purpose (tests/magscan_fakes.py), a fake `tesseract`
program that hangs, inputs that are damaged or unreadable, a real tmpfs that
is full, and signals sent to the batch.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conftest import ROOT, count_done, fake_env, make_pages, rows, run_magscan

FAKE = ["--engine", "magscan_fakes:FakeEngine"]


# --- helpers ----------------------------------------------------------------------------------

def magscan_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "pipeline", *map(str, args)]


def unprivileged(cmd: list[str]) -> list[str]:
    """Root reads every file whatever its mode; without the two capabilities
    that allow it, chmod 000 means unreadable for root too."""
    if os.geteuid() == 0:
        return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    return cmd


def run(cmd, env=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=timeout)


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("magscan: error:")]


def assert_one_line_errors(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr, r.stderr
    for ln in r.stderr.splitlines():
        assert ln.startswith("magscan") or not ln.strip(), f"stray line {ln!r} in:\n{r.stderr}"


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has stopped
    except (FileNotFoundError, ProcessLookupError):
        return True


def processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (a batch, its forkserver,
    its workers, their Tesseract: everything a test's batch started)."""
    found = []
    needle = marker.encode()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            if needle in (d / "environ").read_bytes() and not gone(int(d.name)):
                found.append(int(d.name))
        except OSError:
            continue
    return found


def wait_until(pred, limit: float = 60.0, step: float = 0.2) -> bool:
    deadline = time.time() + limit
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def page_files(out: Path) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("page-*") if p.is_file()}


def small_disk(mount: Path, size_kb: int, cmd: list[str], snapshot: Path) -> list[str]:
    """`cmd` run with a tmpfs of `size_kb` KB mounted on `mount` (a private
    mount namespace: a real full disk, gone with the command); what it left
    in mount/out is copied to `snapshot`."""
    mount.mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    script = ('mount -t tmpfs -o size="$1"k tmpfs "$2" || exit 99; shift 3; "$@"; rc=$?; '
              'cp -a "$M/out/." "$S/" 2>/dev/null; exit $rc')
    ns = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    return [*ns, "sh", "-c", f'M="{mount}" S="{snapshot}"; ' + script, "sh",
            str(size_kb), str(mount), "--", *cmd]


def write_image(path: Path, size=(700, 200), text="第一页的文字内容") -> Path:
    from conftest import _cjk_font
    img = Image.new("L", size, 255)
    if min(size) > 100:
        ImageDraw.Draw(img).text((30, 30), text, font=_cjk_font(40), fill=0)
    img.save(path, format="PNG", dpi=(300, 300))
    return path


# --- 1. a damaged multi-page TIFF ---------------------------------------------------------------

def test_01_truncated_multipage_tiff_fails_alone(tmp_path):
    good = write_image(tmp_path / "good.png")
    im = Image.open(good)
    tif = tmp_path / "three.tif"
    im.save(tif, save_all=True, append_images=[im, im])
    data = tif.read_bytes()
    trunc = tmp_path / "trunc3.tif"
    trunc.write_bytes(data[: len(data) * 2 // 3])
    out = tmp_path / "out"
    env = fake_env(tmp_path)
    for attempt in (1, 2):  # and every later run does the same, no crash
        r = run_magscan("convert", good, trunc, "-o", out, *FAKE, env=env)
        assert r.returncode == 1, r.stderr
        assert_one_line_errors(r)
        got = {Path(x["input"]).name: x for x in rows(out)}
        assert got["good.png"]["status"] == "done"
        assert got["trunc3.tif"]["status"] == "failed" and got["trunc3.tif"]["error"]
        assert [ln for ln in error_lines(r.stderr) if "trunc3.tif" in ln], r.stderr


# --- 2. out of memory inside layout ------------------------------------------------------------

def test_02_memory_error_in_layout_is_not_swallowed_by_the_fallback(monkeypatch):
    import numpy as np

    import pipeline.convert as conv
    from pipeline.ingest.files import SourcePage
    from pipeline.options import Options

    def no_memory(pimg, options, *args):
        raise MemoryError("injected")
    monkeypatch.setattr(conv, "analyse_layout", no_memory)
    src = SourcePage(Path("x.png"), 1, np.full((300, 400), 255, np.uint8), 300)
    with pytest.raises(MemoryError):
        conv.analyse_page(src, Options())


def test_02_out_of_memory_in_layout_is_failed_and_rerun_finds_it(tmp_path):
    make_pages(tmp_path / "in", 2)
    (tmp_path / "armed").touch()
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    r = run_magscan("convert", tmp_path / "in", "-o", out, "--engine",
                    "magscan_fakes:LayoutHogEngine", "--max-memory", "1500", env=env)
    assert r.returncode == 1, r.stderr
    got = rows(out)
    assert [x["status"] for x in got] == ["failed", "failed"], got
    assert all("out of memory" in x["error"] for x in got), got
    assert not page_files(out)  # no text of a fallback layout recorded anywhere
    st = run_magscan("status", out)
    assert st.returncode == 1 and "out of memory" in st.stdout
    (tmp_path / "armed").unlink()
    r = run_magscan("rerun", out, "--failed", env=env)
    assert r.returncode == 0, r.stderr
    assert [x["status"] for x in rows(out)] == ["done", "done"]


def test_layout_fallback_is_flagged_listed_and_rerun_flagged_takes_it(tmp_path):
    make_pages(tmp_path / "in", 2)
    (tmp_path / "armed").touch()
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    r = run_magscan("convert", tmp_path / "in", "-o", out, "--engine",
                    "magscan_fakes:LayoutFailEngine", env=env)
    assert r.returncode == 0, r.stderr  # done, but not silently: named as in doubt
    assert "warning: text in doubt: p001:1: layout-fallback" in r.stderr, r.stderr
    got = rows(out)
    assert [x["status"] for x in got] == ["done", "done"]
    assert [x["flagged"] for x in got] == [1, 1]
    assert "injected layout failure" in json.loads(got[0]["flags"])[0]
    page = json.loads((out / "p001" / "page-0001.json").read_text(encoding="utf-8"))
    assert page["flagged"] is True and page["flags"][0].startswith("layout-fallback")
    st = run_magscan("status", out)
    assert "flagged (text in doubt):" in st.stdout and "p002:1: layout-fallback" in st.stdout
    js = json.loads(run_magscan("status", out, "--json").stdout)
    assert [f["page"] for f in js["flagged"]] == ["p001:1", "p002:1"]

    (tmp_path / "armed").unlink()
    r = run_magscan("rerun", out, "--flagged", env=env)
    assert r.returncode == 0 and "re-running 2 page(s)" in r.stderr, r.stderr
    got = rows(out)
    assert [x["flagged"] for x in got] == [0, 0] and all(x["attempts"] == 2 for x in got)
    r = run_magscan("rerun", out, "--flagged", env=env)
    assert "no page matches" in r.stderr


# --- 3. rerun takes the lock before it changes a row -------------------------------------------

def test_03_refused_rerun_changes_no_row(tmp_path):
    make_pages(tmp_path / "in", 6)
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=0.7)
    out = tmp_path / "out"
    first = subprocess.Popen(magscan_cmd("convert", tmp_path / "in", "-o", out, *FAKE, "-j", "1"),
                             cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: count_done(out) >= 1, 120)
        doc = next(x["doc"] for x in rows(out) if x["status"] == "done")
        r = run_magscan("rerun", out, "--pages", doc, "--columns", "2", env=env)
        assert r.returncode == 4 and "another magscan run" in r.stderr, r.stderr
        row = next(x for x in rows(out) if x["doc"] == doc)
        assert row["status"] == "done" and "_rerun" not in json.loads(row["options"])
    finally:
        first.wait(timeout=300)
    assert first.returncode == 0, first.stderr.read()
    final = rows(out)
    assert all(x["status"] == "done" and x["attempts"] == 1 for x in final)
    assert all(json.loads(x["options"])["columns"] is None for x in final)


# --- 4. unreadable inputs ----------------------------------------------------------------------

def test_04_unreadable_inputs_fail_alone_with_a_reason(tmp_path):
    good = write_image(tmp_path / "good.png")
    unread = write_image(tmp_path / "unread.png")
    d = tmp_path / "d"
    (d / "locked").mkdir(parents=True)
    write_image(d / "g1.png")
    write_image(d / "locked" / "g3.png")
    (tmp_path / "real").mkdir()
    write_image(tmp_path / "real" / "g4.png")
    (d / "linked").symlink_to(tmp_path / "real")       # a linked subfolder is searched
    (d / "loop").symlink_to(d)                          # a link loop is not searched twice
    nr = tmp_path / "nr"
    nr.mkdir()
    write_image(nr / "x.png")
    unread.chmod(0)
    (d / "locked").chmod(0)
    nr.chmod(0)
    out = tmp_path / "out"
    try:
        r = run(unprivileged(magscan_cmd("convert", good, unread, d, nr / "x.png", "-o", out,
                                         *FAKE)), env=fake_env(tmp_path))
    finally:
        for p in (unread, d / "locked", nr):
            p.chmod(0o755)
    assert r.returncode == 1, r.stderr
    assert_one_line_errors(r)
    got = {x["input"]: x for x in rows(out)}
    for p in (good, d / "g1.png", d / "linked" / "g4.png"):
        assert got[str(p)]["status"] == "done", got
    for p, words in ((unread, "permission denied"), (d / "locked", "cannot read folder"),
                     (nr / "x.png", "permission denied")):
        assert got[str(p)]["status"] == "failed" and words in got[str(p)]["error"], got
        assert sum(str(p) in ln for ln in error_lines(r.stderr)) == 1, r.stderr
    assert len(got) == 6  # g4 once, though reachable through the loop too


# --- 5. safe, unique output names ---------------------------------------------------------------

NASTY = ["...png", "..png", "report.png", "manifest.sqlite.png", "manifest.sqlite-wal.png",
         ".magscan.lock.png", "a.txt.png", "a.png", "A.png", "-rf.png"]


def test_05_any_input_name_gives_a_safe_output_folder(tmp_path):
    work = tmp_path / "work"
    inp = work / "in"
    inp.mkdir(parents=True)
    files = [write_image(inp / n) for n in NASTY]
    out = work / "out"
    env = fake_env(tmp_path)
    r = run_magscan("convert", *files, "-o", out, *FAKE, env=env)
    assert r.returncode == 0, r.stderr
    got = rows(out)
    assert len(got) == len(NASTY) and all(x["status"] == "done" for x in got)
    docs = [x["doc"] for x in got]
    assert len({d.casefold() for d in docs}) == len(docs)
    for d in docs:
        assert (out / d).resolve().parent == out.resolve() and (out / d / "page-0001.txt").is_file()
        assert (out / f"{d}.txt").is_file()
    assert sorted(p.name for p in work.iterdir()) == ["in", "out"]  # nothing written beside OUT
    assert (out / "manifest.sqlite").is_file() and not (out / "report").exists()
    r = run_magscan("convert", *files, "-o", out, *FAKE, env=env)
    assert r.returncode == 0 and f"{len(NASTY)} already done" in r.stderr, r.stderr


def test_05_output_stems_are_safe_for_any_name():
    from hypothesis import given, settings, strategies as st

    from pipeline.outputs.names import MAX_STEM_BYTES, RESERVED, SUFFIX_BYTES, is_safe, unique_stems

    names = st.text(st.characters(blacklist_characters="/\0"), max_size=300)
    suffixes = st.sampled_from(["", ".png", ".PNG", ".tif", ".pdf", ".txt.png", "."])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(names, suffixes), min_size=1, max_size=8))
    def check(parts):
        paths = [Path("/in") / f"{i}" / (n + s) for i, (n, s) in enumerate(parts)
                 if (n + s) not in ("", ".", "..")]
        stems = list(unique_stems(paths, {}).values())
        assert len({s.casefold() for s in stems}) == len(stems)
        for s in stems:
            assert is_safe(s) and "." not in s and "/" not in s and s.casefold() not in RESERVED
            assert s.isprintable() and len(s.encode()) <= MAX_STEM_BYTES + SUFFIX_BYTES
    check()


# --- 6. a hung tesseract program ----------------------------------------------------------------

FAKE_TESSERACT = """#!/bin/sh
case "$1" in
  --version) [ -n "$FAKE_TESS_HANG_VERSION" ] && exec sleep 3600; echo "tesseract 5.3.0"; exit 0;;
  --list-langs) printf 'List of available languages (1):\\nchi_sim\\n'; exit 0;;
esac
exec sleep 3600
"""


def fake_tesseract(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "tesseract").write_text(FAKE_TESSERACT)
    (bin_dir / "tesseract").chmod(0o755)
    return bin_dir


def test_06_hung_tesseract_dies_with_its_page_and_leaves_no_temp_file(tmp_path):
    make_pages(tmp_path / "in", 1)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = fake_env(tmp_path, TMPDIR=tmp)
    env["PATH"] = f"{fake_tesseract(tmp_path)}:{env['PATH']}"
    out = tmp_path / "out"
    try:
        r = run_magscan("convert", tmp_path / "in", "-o", out, "--engine", "tesseract-cli",
                        "--page-timeout", "3", "-j", "1", env=env)
        assert r.returncode == 1, r.stderr
        assert [x["status"] for x in rows(out)] == ["timeout"]
        assert wait_until(lambda: not processes_with(env["MAGSCAN_FAKE_MARKER"]), 30), \
            "a tesseract (or worker) outlived its page"
        assert [str(p) for p in tmp.rglob("*")] == []
    finally:
        kill_all(processes_with(env["MAGSCAN_FAKE_MARKER"]))


def test_06_engine_check_does_not_wait_for_ever(tmp_path, monkeypatch):
    from pipeline.recognition import tesseract
    from pipeline.errors import EngineMissing

    monkeypatch.setenv("PATH", f"{fake_tesseract(tmp_path)}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_TESS_HANG_VERSION", "1")
    monkeypatch.setenv("FAKE_TESS_MARK", str(tmp_path))
    monkeypatch.setattr(tesseract, "CHECK_TIMEOUT", 1.0)
    tesseract.check_installed.cache_clear()
    try:
        with pytest.raises(EngineMissing, match="does not answer"):
            tesseract.check_installed("chi_sim")
    finally:
        tesseract.check_installed.cache_clear()
    assert processes_with(f"FAKE_TESS_MARK={tmp_path}") == []


# --- 7. workers die with the batch ---------------------------------------------------------------

def test_07_kill_9_of_the_batch_takes_its_workers_along(tmp_path):
    make_pages(tmp_path / "in", 6)
    pids = tmp_path / "pids"
    pids.mkdir()
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=3, MAGSCAN_FAKE_PIDS=pids)
    out = tmp_path / "out"
    batch = subprocess.Popen(magscan_cmd("convert", tmp_path / "in", "-o", out, "-j", "2",
                                         "--engine", "magscan_fakes:PidEngine"),
                             cwd=ROOT, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    marker = env["MAGSCAN_FAKE_MARKER"]
    try:
        assert wait_until(lambda: len(list(pids.iterdir())) >= 2, 120)  # both workers mid-page
        before = page_files(out)
        batch.kill()  # SIGKILL to the batch process alone
        batch.wait()
        assert wait_until(lambda: not processes_with(marker), 30), processes_with(marker)
        assert page_files(out) == before  # nobody wrote a page after the batch died
    finally:
        kill_all(processes_with(marker))


# --- 8. clean-up removes only magscan's own temporary files --------------------------------------

def test_08_stale_temp_cleanup_keeps_the_users_files(tmp_path):
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    env = fake_env(tmp_path)
    assert run_magscan("convert", tmp_path / "in", "-o", out, *FAKE, env=env).returncode == 0
    users = [out / ".notes.tmp", out / "mine" / ".draft.tmp", out / "p001" / ".x.json.tmp",
             out / "p001" / ".page-0001.json.abcd1234.tmp"]
    for f in users:
        f.parent.mkdir(exist_ok=True)
        f.write_text("keep me")
    stale = out / "p001" / ".page-0001.json.abcd1234.magscan-tmp"  # as a killed run leaves it
    stale.write_text("half a page")
    r = run_magscan("convert", tmp_path / "in", "-o", out, *FAKE, env=env)
    assert r.returncode == 0, r.stderr
    assert all(f.read_text() == "keep me" for f in users)
    assert not stale.exists()


# --- 9. the same input twice; an output folder inside the input tree ----------------------------

def test_09_same_input_twice_is_one_input(tmp_path):
    make_pages(tmp_path / "in", 2)
    out = tmp_path / "out"
    env = fake_env(tmp_path)
    (tmp_path / "alias.png").symlink_to(tmp_path / "in" / "p001.png")
    r = run_magscan("convert", tmp_path / "in", tmp_path / "in" / "p001.png",
                    tmp_path / "in" / "." / "p002.png", tmp_path / "alias.png", "-o", out, *FAKE,
                    env=env)
    assert r.returncode == 0, r.stderr
    assert sorted(x["doc"] for x in rows(out)) == ["p001", "p002"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["p001", "p002"]


def test_09_output_folder_inside_the_inputs(tmp_path):
    """An output folder inside an input folder is a usage error (exit 2,
    nothing made); another magscan output folder in there is never read."""
    inp = tmp_path / "in"
    make_pages(inp, 2)
    env = fake_env(tmp_path)
    env["PYTHONPATH"] += os.pathsep + str(ROOT)  # this code, run from another folder
    r = subprocess.run(magscan_cmd("convert", ".", "-o", "out", *FAKE), cwd=inp, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "inside the input folder" in r.stderr, r.stderr
    assert not (inp / "out").exists()
    # an output folder made there from one file (allowed), then the folder converted elsewhere
    r = subprocess.run(magscan_cmd("convert", "p001.png", "-o", "old", *FAKE), cwd=inp, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for _ in (1, 2):
        r = subprocess.run(magscan_cmd("convert", ".", "-o", "../out", *FAKE), cwd=inp, env=env,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert len(rows(tmp_path / "out")) == 2, rows(tmp_path / "out")
    assert "2 already done" in r.stderr


# --- 10. page ranges ---------------------------------------------------------------------------

def _capped(limit: int):
    import resource
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_10_a_huge_page_range_costs_no_memory(tmp_path):
    code = ("from pipeline.ingest.pageselect import parse_pages\n"
            "s = parse_pages(['tiny:1-100000000000', 'tiny:7'])\n"
            "assert s.matches('tiny', 99999999999) and not s.matches('tiny', 100000000001)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       preexec_fn=_capped(1 << 30), timeout=120)
    assert r.returncode == 0, r.stderr

    make_pages(tmp_path / "in", 1, names=["tiny.png"])
    out = tmp_path / "out"
    env = fake_env(tmp_path)
    assert run_magscan("convert", tmp_path / "in", "-o", out, *FAKE, env=env).returncode == 0
    r = subprocess.run(magscan_cmd("rerun", out, "--pages", "tiny:1-100000000000", "-j", "1",
                                   "--max-memory", "1500"),
                       cwd=ROOT, capture_output=True, text=True, env=env,
                       preexec_fn=_capped(3 << 30), timeout=300)
    assert r.returncode == 0 and "re-running 1 page(s)" in r.stderr, r.stderr


# --- 11. one line, not a traceback, when OUT cannot be used --------------------------------------

def _assert_output_error(r, out: Path, words: str) -> None:
    assert r.returncode == 5, r.stderr
    assert "Traceback" not in r.stderr
    errs = error_lines(r.stderr)
    assert len(errs) == 1 and str(out) in errs[0] and words in errs[0], r.stderr


def test_11_output_folder_that_is_a_file_or_unwritable(tmp_path):
    good = write_image(tmp_path / "good.png")
    afile = tmp_path / "afile"
    afile.write_text("x")
    env = fake_env(tmp_path)
    _assert_output_error(run_magscan("convert", good, "-o", afile, *FAKE, env=env), afile,
                         "is a file")
    _assert_output_error(run_magscan("convert", good, "-o", afile / "sub", *FAKE, env=env),
                         afile / "sub", "part of its path is a file")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        for out in (ro, ro / "out"):
            r = run(unprivileged(magscan_cmd("convert", good, "-o", out, *FAKE)), env=env)
            _assert_output_error(r, out, "ermission denied")
    finally:
        ro.chmod(0o755)


def test_11_full_disk_is_one_line(tmp_path):
    good = write_image(tmp_path / "good.png")
    mount = tmp_path / "disk"
    cmd = small_disk(mount, 8, magscan_cmd("convert", good, "-o", mount / "out", *FAKE),
                     tmp_path / "snap")
    r = run(cmd, env=fake_env(tmp_path))
    assert r.returncode != 99, "could not mount a tmpfs: " + r.stderr
    _assert_output_error(r, mount / "out", "disk full")


# --- 12. a memory cap too small to load the libraries says so ------------------------------------

@pytest.mark.parametrize("cap_mb", [60, 200])
def test_12_tiny_memory_cap_reason_says_memory(tmp_path, cap_mb):
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    r = run_magscan("convert", tmp_path / "in", "-o", out, *FAKE, "--max-memory", cap_mb,
                    env=fake_env(tmp_path))
    assert r.returncode == 1, r.stderr
    (row,) = rows(out)
    assert row["status"] == "failed" and "out of memory" in row["error"], row["error"]
    assert_one_line_errors(r)


# --- 13. option checks ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--dpi", "0"], ["--dpi", "-300"], ["--jobs", "0"],
                                  ["--jobs", "-3"], ["--max-memory", "-1"], ["--psm", "99"],
                                  ["--columns", "0"], ["--page-timeout", "0"]])
def test_13_nonsense_options_are_usage_errors(tmp_path, args):
    good = write_image(tmp_path / "good.png")
    out = tmp_path / "out"
    r = run_magscan("convert", good, "-o", out, *FAKE, *args, env=fake_env(tmp_path))
    assert r.returncode == 2, r.stderr
    assert args[0] in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()  # nothing was started


def test_13_rerun_checks_options_too(tmp_path):
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    env = fake_env(tmp_path)
    assert run_magscan("convert", tmp_path / "in", "-o", out, *FAKE, env=env).returncode == 0
    before = rows(out)
    r = run_magscan("rerun", out, "--pages", "p001", "--dpi", "0", env=env)
    assert r.returncode == 2 and "--dpi" in r.stderr, r.stderr
    assert rows(out) == before


# --- 14. a failed page leaves no file behind on a full disk ---------------------------------------

def test_14_full_disk_leaves_no_file_of_a_failed_page(tmp_path):
    inp = tmp_path / "in"
    make_pages(inp, 2)
    (tmp_path / "armed").touch()
    mount = tmp_path / "disk"
    env = fake_env(tmp_path, MAGSCAN_FAKE_FILL=mount / "filler", MAGSCAN_FAKE_LEAVE_KB=24)
    snap = tmp_path / "snap"
    cmd = small_disk(mount, 4096, magscan_cmd("convert", inp, "-o", mount / "out", "-j", "1",
                                              "--engine", "magscan_fakes:DiskFillEngine"), snap)
    r = run(cmd, env=env)
    assert r.returncode != 99, "could not mount a tmpfs: " + r.stderr
    assert r.returncode in (1, 5), r.stderr
    assert_one_line_errors(r)
    assert "disk full" in r.stderr, r.stderr
    got = rows(snap)
    for x in got:
        files = list((snap / x["doc"]).glob("page-*")) if (snap / x["doc"]).exists() else []
        if x["status"] == "done":
            assert (snap / x["doc"] / "page-0001.json").is_file()
        else:
            assert files == [], (x, files)
    assert any(x["status"] == "failed" and "disk full" in x["error"] for x in got) \
        or r.returncode == 5, got
    assert not list(snap.rglob("*.magscan-tmp"))


# --- 15. the rest -----------------------------------------------------------------------------

def test_15_peak_memory_is_the_pages_not_the_workers_lifetime(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    write_image(inp / "big.png", size=(5000, 7000))
    write_image(inp / "tiny.png", size=(10, 10))
    out = tmp_path / "out"
    r = run_magscan("convert", inp, "-o", out, *FAKE, "-j", "1", "--no-overlays",
                    env=fake_env(tmp_path))
    assert r.returncode == 0, r.stderr
    got = {x["doc"]: x for x in rows(out)}
    big, tiny = got["big"]["peak_mb"], got["tiny"]["peak_mb"]
    assert big and tiny and tiny < 0.7 * big, (big, tiny)


def _default_sigint() -> None:
    # A test run started in the background of a non-interactive shell inherits
    # SIGINT ignored, and Python then keeps ignoring it (as it should: a
    # background job is not for the terminal's Ctrl-C); a terminal's magscan has it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_15_ctrl_c_exits_130_and_leaves_no_process(tmp_path):
    make_pages(tmp_path / "in", 6)
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=2)
    out = tmp_path / "out"
    batch = subprocess.Popen(magscan_cmd("convert", tmp_path / "in", "-o", out, *FAKE, "-j", "2"),
                             cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
                             start_new_session=True, preexec_fn=_default_sigint)
    marker = env["MAGSCAN_FAKE_MARKER"]
    try:
        assert wait_until(lambda: count_done(out) >= 1, 120)
        os.killpg(batch.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _, err = batch.communicate(timeout=120)
        assert batch.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err, err
        assert wait_until(lambda: not processes_with(marker), 30), processes_with(marker)
    finally:
        kill_all(processes_with(marker))
    env.pop("MAGSCAN_FAKE_DELAY")
    r = run_magscan("convert", tmp_path / "in", "-o", out, *FAKE, env=env)
    assert r.returncode == 0 and all(x["status"] == "done" for x in rows(out)), r.stderr


def test_15_empty_input_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    good = write_image(tmp_path / "good.png")
    out = tmp_path / "out"
    r = run_magscan("convert", tmp_path / "empty", good, "-o", out, *FAKE,
                    env=fake_env(tmp_path))
    assert r.returncode == 1, r.stderr
    (err,) = error_lines(r.stderr)
    assert str(tmp_path / "empty") in err and "no PNG, JPEG, TIFF" in err
    assert {Path(x["input"]).name: x["status"] for x in rows(out)} == \
        {"good.png": "done", "empty": "failed"}
    write_image(tmp_path / "empty" / "now.png")  # the folder is fixed: its failure goes
    r = run_magscan("convert", tmp_path / "empty", good, "-o", out, *FAKE, env=fake_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert sorted(Path(x["input"]).name for x in rows(out)) == ["good.png", "now.png"]


def test_15_given_up_pages_are_named(tmp_path):
    make_pages(tmp_path / "in", 1, names=["stubborn.png"])
    (tmp_path / "armed").touch()
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    args = ["convert", tmp_path / "in", "-o", out, "--engine", "magscan_fakes:FailEngine"]
    for _ in range(3):
        assert run_magscan(*args, env=env).returncode == 1
    r = run_magscan(*args, env=env)
    assert r.returncode == 1
    named = [ln for ln in error_lines(r.stderr) if "stubborn" in ln]
    assert len(named) == 1 and "gave up after 3 attempts" in named[0], r.stderr


def test_15_newline_in_a_file_name_keeps_messages_on_one_line(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "bad\nname.png").write_bytes(b"")
    write_image(inp / "good\nname.png")
    out = tmp_path / "out"
    env = fake_env(tmp_path)
    r = run_magscan("convert", inp, "-o", out, *FAKE, env=env)
    assert r.returncode == 1
    assert_one_line_errors(r)
    (err,) = error_lines(r.stderr)
    assert "bad\\nname.png" in err and "empty" in err
    assert sorted(x["doc"] for x in rows(out)) == ["bad_name", "good_name"]
    st = run_magscan("status", out)
    assert all(not ln.startswith("name.png") for ln in st.stdout.splitlines()), st.stdout


def test_15_status_leaves_no_wal_files(tmp_path):
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    assert run_magscan("convert", tmp_path / "in", "-o", out, *FAKE,
                       env=fake_env(tmp_path)).returncode == 0
    before = sorted(p.name for p in out.iterdir())
    assert run_magscan("status", out).returncode == 0
    assert run_magscan("status", out, "--json").returncode == 0
    assert sorted(p.name for p in out.iterdir()) == before
    assert not [n for n in before if n.endswith(("-wal", "-shm"))]
    # and status still reads a folder it may not write
    out.chmod(0o555)
    try:
        r = run(unprivileged(magscan_cmd("status", out)))
    finally:
        out.chmod(0o755)
    assert r.returncode == 0 and "done 1" in r.stdout, r.stderr
