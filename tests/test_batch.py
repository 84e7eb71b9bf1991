"""The batch runner: manifest, bad inputs, resume after SIGKILL, rerun, status.

Recognition is faked here (tests/magscan_fakes.py) where the test is about
the batch machinery; the real engine is exercised by the end-to-end tests.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conftest import ROOT, count_done, fake_env, make_pages, rows, run_magscan, untimed

def by_name(out: Path) -> dict[str, dict]:
    return {Path(r["input"]).name: r for r in rows(out)}


def bad_inputs(folder: Path) -> dict[str, str]:
    """name -> words expected in its recorded reason."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.png").write_bytes(b"")
    good = make_pages(folder / "tmp", 1)[0].read_bytes()
    (folder / "truncated.png").write_bytes(good[: len(good) // 2])
    (folder / "notes.jpg").write_text("this is not a picture\n")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(300))
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(folder / "locked.pdf"), encrypt="secret")
    c.drawString(100, 700, "hello")
    c.showPage()
    c.save()
    (folder / "nopages.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n")
    # a PNG whose header claims 100000 x 100000 pixels (a decompression bomb)
    import struct
    import zlib
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))  # noqa: E731
    (folder / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                                      + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))
    os.symlink(folder / "gone.png", folder / "dangling.png")
    shutil.rmtree(folder / "tmp")
    return {"empty.png": "empty", "truncated.png": "truncated", "notes.jpg": "not a jpg",
            "corrupt.pdf": "pdf", "locked.pdf": "encrypted", "nopages.pdf": "no pages",
            "bomb.png": "pixels", "dangling.png": "no such file"}


def test_mixed_good_and_bad_inputs_all_accounted_for(tmp_path):
    inp = tmp_path / "in"
    good = make_pages(inp, 3, names=["a page.png", "引号'\"页.png", "普通.png"])
    expected = bad_inputs(inp / "bad")
    out = tmp_path / "out"
    r = run_magscan("convert", inp, "-o", out, "-j", "2", "--engine", "magscan_fakes:FakeEngine",
                    env=fake_env(tmp_path))
    assert r.returncode == 1, r.stderr
    got = by_name(out)
    for p in good:
        assert got[p.name]["status"] == "done", got[p.name]
        stem = got[p.name]["doc"]
        assert (out / stem / "page-0001.txt").read_text(encoding="utf-8").startswith("假字")
        assert (out / f"{stem}.txt").is_file()
    for name, words in expected.items():
        row = got[name]
        assert row["status"] == "failed", row
        assert words in row["error"].lower(), (name, row["error"])
        # one line on stderr naming the file and the reason
        assert any(name in ln and row["error"] in ln for ln in r.stderr.splitlines()), r.stderr
    st = run_magscan("status", out, "--json")
    assert st.returncode == 1
    counts = json.loads(st.stdout)["counts"]
    assert counts["done"] == 3 and counts["failed"] == len(expected)


def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path):
    pages = make_pages(tmp_path / "in", 8)
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=0.3)
    engine = ["--engine", "magscan_fakes:FakeEngine", "-j", "2"]
    ref = tmp_path / "ref"
    assert run_magscan("convert", tmp_path / "in", "-o", ref, *engine, env=env).returncode == 0

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "convert", str(tmp_path / "in"), "-o", str(out), *engine]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        time.sleep(0.2)
        if count_done(out) >= 2:
            break
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-batch
    proc.wait()
    partial = rows(out)
    assert 2 <= sum(r["status"] == "done" for r in partial) < len(pages)

    r = run_magscan("convert", tmp_path / "in", "-o", out, *engine, env=env)
    assert r.returncode == 0, r.stderr
    assert "already done" in r.stderr
    final = rows(out)
    assert len(final) == len(pages) == len({(x["input"], x["page_number"]) for x in final})
    assert all(x["status"] == "done" for x in final)
    # pages finished before the kill were not redone
    done_before = {x["doc"] for x in partial if x["status"] == "done"}
    assert all(x["attempts"] == 1 for x in final if x["doc"] in done_before)
    ref_files = sorted(p.relative_to(ref) for p in ref.rglob("*") if p.is_file()
                       and not p.name.startswith(("manifest", ".magscan")))
    out_files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()
                       and not p.name.startswith(("manifest", ".magscan")))
    assert ref_files == out_files  # nothing extra: no temporary or half-written files
    for rel in ref_files:
        assert untimed(ref / rel) == untimed(out / rel), rel


@pytest.mark.parametrize("engine,status,reason", [
    ("FailEngine", "failed", "injected failure"),
    ("HangEngine", "timeout", "longer than 3 s"),
    ("CrashEngine", "failed", "worker process died"),
    ("HogEngine", "failed", "memory"),
])
def test_fault_is_recorded_and_rerun_failed_brings_pages_to_done(tmp_path, engine, status, reason):
    make_pages(tmp_path / "in", 3)
    (tmp_path / "armed").touch()
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    args = ["--engine", f"magscan_fakes:{engine}", "-j", "2", "--page-timeout", "3",
            "--max-memory", "2048"]
    r = run_magscan("convert", tmp_path / "in", "-o", out, *args, env=env, timeout=300)
    assert r.returncode == 1
    got = rows(out)
    assert [x["status"] for x in got] == [status] * 3, got
    assert all(reason in x["error"] for x in got), got
    assert all(x["attempts"] == 1 for x in got)

    (tmp_path / "armed").unlink()
    r = run_magscan("rerun", out, "--failed", "-j", "2", env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    got = rows(out)
    assert [x["status"] for x in got] == ["done"] * 3
    assert all(x["attempts"] == 2 and x["error"] is None for x in got)
    assert run_magscan("status", out).returncode == 0


def test_rerun_pages_with_override_is_kept_by_later_convert(tmp_path):
    make_pages(tmp_path / "in", 2)
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    eng = ["--engine", "magscan_fakes:FakeEngine", "-j", "1"]
    assert run_magscan("convert", tmp_path / "in", "-o", out, *eng, env=env).returncode == 0
    r = run_magscan("rerun", out, "--pages", "p002:1", "--columns", "1", "-j", "1", env=env)
    assert r.returncode == 0, r.stderr
    got = {x["doc"]: x for x in rows(out)}
    assert json.loads(got["p002"]["options"])["columns"] == 1
    assert got["p002"]["attempts"] == 2 and got["p001"]["attempts"] == 1
    page = json.loads((out / "p002" / "page-0001.json").read_text(encoding="utf-8"))
    assert page["options"]["columns"] == 1
    # converting again with the batch's options keeps the reviewer's choice
    r = run_magscan("convert", tmp_path / "in", "-o", out, *eng, env=env)
    assert "2 already done" in r.stderr
    assert json.loads(rows(out)[1]["options"])["columns"] == 1


def test_rerun_and_status_usage_errors(tmp_path):
    assert run_magscan("status", tmp_path).returncode == 2
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    env = fake_env(tmp_path)
    run_magscan("convert", tmp_path / "in", "-o", out, "--engine", "magscan_fakes:FakeEngine", env=env)
    r = run_magscan("rerun", out, env=env)
    assert r.returncode == 2 and "--failed" in r.stderr
    r = run_magscan("rerun", out, "--pages", "nosuchdoc:1", env=env)
    assert r.returncode == 2 and "nosuchdoc" in r.stderr


def test_changed_input_is_redone_and_plain_progress_without_terminal(tmp_path):
    pages = make_pages(tmp_path / "in", 2)
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    eng = ["--engine", "magscan_fakes:FakeEngine", "-j", "1"]
    r = run_magscan("convert", tmp_path / "in", "-o", out, *eng, env=env)
    assert "2/2 pages (0 failed)" in r.stderr and "pages/min" in r.stderr
    Image.open(pages[0]).rotate(180).save(pages[0])
    r = run_magscan("convert", tmp_path / "in", "-o", out, *eng, env=env)
    assert "1 page(s) converted" in r.stderr and "1 already done" in r.stderr


def test_second_run_on_same_output_is_refused_while_first_runs(tmp_path):
    make_pages(tmp_path / "in", 4)
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=1)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "convert", str(tmp_path / "in"), "-o", str(out),
           "--engine", "magscan_fakes:FakeEngine", "-j", "1"]
    first = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not (out / "manifest.sqlite").exists() and time.time() < deadline:
            time.sleep(0.1)
        r = run_magscan("convert", tmp_path / "in", "-o", out, "--engine",
                        "magscan_fakes:FakeEngine", env=env)
        assert r.returncode == 4 and "another magscan run" in r.stderr  # busy, not failed
    finally:
        first.wait(timeout=120)
    assert first.returncode == 0


def test_progress_bar_on_a_terminal(tmp_path):
    """On a real terminal (a pty with a size) the user sees a tqdm bar with
    pages done, the rate, failures and time left."""
    import fcntl
    import pty
    import struct
    import termios

    make_pages(tmp_path / "in", 4)
    env = fake_env(tmp_path)
    pid, fd = pty.fork()
    if pid == 0:  # child: become the magscan command
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "pipeline", "convert", str(tmp_path / "in"),
                                   "-o", str(tmp_path / "out"), "--engine", "magscan_fakes:FakeEngine",
                                   "-j", "2"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    buf = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
    _, status = os.waitpid(pid, 0)
    text = buf.decode("utf-8", "replace")
    assert os.WEXITSTATUS(status) == 0, text
    assert "4/4 [" in text and "failed=0" in text and "%|" in text, text
