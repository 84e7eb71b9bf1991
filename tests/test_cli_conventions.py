"""Conventions of the command line (issue 18, points 5 and 6): exit codes from
one list, install advice that works on this machine, -v logging, usage
errors for -o, more image formats, pages in flight in `status`."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, fake_env, make_pages, rows, run_magscan
from pipeline import errors
from pipeline.errors import EngineMissing, ExitCode, MagscanError
from pipeline.recognition.tesseract import debian_package

FAKE = ["--engine", "magscan_fakes:FakeEngine"]


# --- exit codes and messages --------------------------------------------------------------

def _subclasses(cls):
    for c in cls.__subclasses__():
        yield c
        yield from _subclasses(c)


def test_every_error_class_carries_a_code_of_the_one_list():
    import pipeline.outputs.report.collect  # noqa: F401 - error classes defined elsewhere too
    import pipeline.outputs.report.rerender  # noqa: F401
    for cls in [MagscanError, *_subclasses(MagscanError)]:
        assert isinstance(cls.exit_code, ExitCode), cls


def test_readme_exit_code_table_is_the_list():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"\| exit code \| meaning \|\n\|---\|---\|\n((?:\|.*\|\n)+)", readme).group(1)
    listed = [int(line.split("|")[1]) for line in table.splitlines()]
    assert listed == sorted(int(c) for c in ExitCode)


def test_debian_package_follows_the_language_asked_for():
    assert debian_package("chi_sim") == "tesseract-ocr-chi-sim"
    assert debian_package("chi_tra") == "tesseract-ocr-chi-tra"
    assert debian_package("chi_sim_vert") == "tesseract-ocr-chi-sim-vert"
    assert debian_package("eng") == "tesseract-ocr-eng"
    assert debian_package("script/Latin") == "tesseract-ocr-script-latn"


def test_a_missing_language_names_its_own_package(tmp_path, small_page):
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
    assert "jpn_vert" not in langs.split(), "this test needs a machine without jpn_vert"
    r = run_magscan("convert", small_page, "-o", tmp_path / "o", "--lang", "chi_sim+jpn_vert")
    assert r.returncode == ExitCode.ENGINE, r.stderr
    assert "apt-get install " in r.stderr and "tesseract-ocr-jpn-vert" in r.stderr, r.stderr
    assert "chi-sim" not in r.stderr  # the model that is there is not the advice
    assert len(r.stderr.strip().splitlines()) == 1


def test_extra_advice_names_this_checkout_and_no_package_index():
    hint = errors.extra_install_hint("ppocr")
    assert f"cd {ROOT} && " in hint and "pip install -e '.[ppocr]'" in hint
    assert sys.executable in hint and "make setup" in hint
    assert "magscan[" not in hint


def test_missing_dask_exits_3_with_advice(tmp_path, small_page):
    code = ("import sys; sys.modules['distributed'] = None; "
            "sys.argv = ['magscan'] + sys.argv[1:]; from pipeline.cli import run; run()")
    r = subprocess.run([sys.executable, "-c", code, "convert", str(small_page), "-o",
                        str(tmp_path / "o"), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert "pip install -e '.[dask]'" in r.stderr and "magscan[" not in r.stderr
    assert not (tmp_path / "o").exists()  # refused before anything was made


def test_missing_ppocr_extra_exits_3(tmp_path, small_page):
    code = ("import sys; sys.modules['rapidocr_onnxruntime'] = None; "
            "sys.argv = ['magscan'] + sys.argv[1:]; from pipeline.cli import run; run()")
    r = subprocess.run([sys.executable, "-c", code, "convert", str(small_page), "-o",
                        str(tmp_path / "o"), "--engine", "ppocr"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert "pip install -e '.[ppocr]'" in r.stderr and "magscan[" not in r.stderr


# --- -o usage errors ------------------------------------------------------------------------

def test_dash_as_output_is_a_usage_error(tmp_path, small_page):
    r = subprocess.run([sys.executable, "-m", "pipeline", "convert", str(small_page), "-o", "-"],
                       cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == ExitCode.USAGE, r.stderr
    assert "-o -" in r.stderr and "folder" in r.stderr
    assert not (tmp_path / "-").exists()


def test_output_inside_an_input_folder_is_a_usage_error(tmp_path):
    inp = tmp_path / "in"
    make_pages(inp, 1)
    for out in (inp / "out", inp / "a" / "b", inp):
        r = run_magscan("convert", inp, "-o", out, *FAKE, env=fake_env(tmp_path))
        assert r.returncode == ExitCode.USAGE, r.stderr
        assert "inside the input folder" in r.stderr and str(inp) in r.stderr
    assert sorted(p.name for p in inp.iterdir()) == ["p001.png"]  # nothing made
    # a file of that folder as input, the output beside it: fine
    r = run_magscan("convert", inp / "p001.png", "-o", inp / "out", *FAKE, env=fake_env(tmp_path))
    assert r.returncode == 0, r.stderr


# --- image formats --------------------------------------------------------------------------

def test_webp_bmp_gif_jp2_are_read_and_others_named_as_skipped(tmp_path, small_page):
    from PIL import features
    inp = tmp_path / "in"
    inp.mkdir()
    im = Image.open(small_page)
    kinds = ["webp", "bmp", "gif"] + (["jp2"] if features.check("jpg_2000") else [])
    for k in kinds:
        im.save(inp / f"{k}-page.{k}")
    (inp / "photo.heic").write_bytes(b"\x00\x00\x00\x18ftypheic")
    (inp / "notes.txt").write_text("not an image")
    out = tmp_path / "out"
    r = run_magscan("convert", inp, "-o", out, *FAKE, env=fake_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert sorted(x["doc"] for x in rows(out)) == sorted(f"{k}-page" for k in kinds)
    assert all(x["status"] == "done" for x in rows(out))
    skipped = [ln for ln in r.stderr.splitlines() if "skipped" in ln]
    assert len(skipped) == 1 and "photo.heic" in skipped[0] and "HEIC" in skipped[0]


def test_dpi_help_says_it_is_assumed_for_images():
    r = run_magscan("convert", "--help")
    help_text = " ".join(r.stdout.split())
    assert "assumed for images whose file states none" in help_text


# --- -v -------------------------------------------------------------------------------------

def test_verbose_shows_each_pages_decisions(tmp_path):
    make_pages(tmp_path / "in", 2)
    quiet = run_magscan("convert", tmp_path / "in", "-o", tmp_path / "o1", *FAKE, "-q",
                        env=fake_env(tmp_path))
    assert quiet.returncode == 0 and "debug" not in quiet.stderr and "info" not in quiet.stderr
    one = run_magscan("-v", "convert", tmp_path / "in", "-o", tmp_path / "o2", *FAKE, "-q",
                      env=fake_env(tmp_path))
    assert one.returncode == 0, one.stderr
    assert sum("magscan: info: p00" in ln and "done in" in ln for ln in one.stderr.splitlines()) == 2
    assert "debug" not in one.stderr
    # after the command as well as before it
    two = run_magscan("convert", tmp_path / "in", "-o", tmp_path / "o3", *FAKE, "-q", "-vv",
                      env=fake_env(tmp_path))
    assert two.returncode == 0, two.stderr
    debug = [ln for ln in two.stderr.splitlines() if ln.startswith("magscan: debug: p001:1: ")]
    said = " ".join(debug)
    # what was decided for the page, worked out in its worker and shown here
    for what in ("300 dpi (stated by the file)", "deskewed by", "layout ", "column(s)",
                 "started", "OCR with"):
        assert what in said, (what, debug)


# --- status ---------------------------------------------------------------------------------

def test_status_shows_pages_in_flight_and_pages_left_by_a_stopped_run(tmp_path):
    make_pages(tmp_path / "in", 3)
    out = tmp_path / "out"
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=4)
    batch = subprocess.Popen([sys.executable, "-m", "pipeline", "convert", str(tmp_path / "in"),
                              "-o", str(out), *FAKE, "-j", "2", "-q"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if sum(r["status"] == "running" for r in rows(out)) == 2:
                    break
            except Exception:  # noqa: BLE001 - the manifest is not made yet
                pass
            time.sleep(0.2)
        r = run_magscan("status", out, env=env)
        assert r.returncode == 1, r.stdout
        assert "running now (in flight):" in r.stdout, r.stdout
        flight = r.stdout.split("running now (in flight):")[1].splitlines()[1:3]
        assert all(re.search(r"p00\d:1 \(p00\d\.png page 1\) for \d+ s", ln) for ln in flight), r.stdout
        import json
        j = json.loads(run_magscan("status", out, "--json", env=env).stdout)
        assert j["batch_running"] is True and len(j["running"]) == 2
    finally:
        import signal
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait()
    # the run is gone: its pages in flight are named as interrupted, not running
    r = run_magscan("status", out, env=env)
    assert "interrupted" in r.stdout and "in flight" not in r.stdout, r.stdout
    assert r.returncode == 1
    # and the same command resumes them
    r = run_magscan("convert", tmp_path / "in", "-o", out, *FAKE, env=fake_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert [x["status"] for x in rows(out)] == ["done"] * 3


def test_repair_output_inside_its_inputs_or_dash_is_a_usage_error(tmp_path):
    inp = tmp_path / "hocr"
    inp.mkdir()
    for out in (inp / "out", "-"):
        r = run_magscan("repair", inp, "-o", out)
        assert r.returncode == ExitCode.USAGE, r.stderr
    assert list(inp.iterdir()) == []
