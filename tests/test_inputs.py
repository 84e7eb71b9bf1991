"""Bad inputs: one line naming the file and the reason, the rest still converted."""
import os
import zlib

import pytest

from conftest import run_magscan
from pipeline.errors import InputError
from pipeline.ingest.files import load_pages
from pipeline.options import Options


@pytest.fixture()
def bad_files(tmp_path, small_page):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    fake = tmp_path / "notes.jpg"
    fake.write_text("this is a text file, not a picture")
    data = small_page.read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(data[: len(data) // 2])
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    txt = tmp_path / "readme.txt"
    txt.write_text("hello")
    return {"empty": empty, "fake": fake, "truncated": truncated, "corrupt": corrupt, "txt": txt}


@pytest.mark.parametrize("name,reason", [
    ("empty", "empty file"), ("fake", "not a JPG"), ("truncated", "truncated"),
    ("corrupt", "PDF"), ("txt", "unsupported file type")])
def test_each_bad_input_raises_a_named_reason(bad_files, name, reason):
    with pytest.raises(InputError) as e:
        list(load_pages(bad_files[name], Options()))
    assert str(bad_files[name]) in str(e.value)
    assert reason in e.value.reason


def test_pixel_limit_refuses_huge_images(tmp_path, small_page):
    with pytest.raises(InputError, match="exceeds|too large"):
        list(load_pages(small_page, Options(max_pixels=1000)))


def test_batch_with_bad_inputs_converts_the_good_one_and_fails(tmp_path, bad_files, small_page):
    out = tmp_path / "out"
    files = [bad_files[k] for k in ("empty", "fake", "truncated", "corrupt")]
    r = run_magscan("convert", small_page, *files, "-o", out, "-j", "2")
    assert r.returncode == 1, r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("magscan: error:")]
    assert len(errors) == 4, r.stderr
    for f in files:
        assert sum(str(f) in ln for ln in errors) == 1
    # the good page, whose name has a space, is converted all the same
    text = (out / "small page" / "page-0001.txt").read_text(encoding="utf-8")
    assert "产业工人" in text
    assert (out / "small page.txt").exists()
    assert (out / "small page" / "page-0001.json").exists()


def test_missing_tesseract_program_says_how_to_install(tmp_path, small_page):
    env = dict(os.environ, PATH=str(tmp_path))  # no tesseract on this PATH
    r = run_magscan("convert", small_page, "-o", tmp_path / "o", "--engine", "tesseract-cli",
                    env=env)
    assert r.returncode == 3
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in r.stderr


def test_missing_language_model_says_how_to_install(tmp_path, small_page):
    r = run_magscan("convert", small_page, "-o", tmp_path / "o", "--lang", "xyz_nolang")
    assert r.returncode == 3
    assert "xyz_nolang" in r.stderr and "install" in r.stderr


def test_tiff_with_two_pages_gives_two_pages(tmp_path, small_page):
    from PIL import Image
    im = Image.open(small_page)
    tif = tmp_path / "two.tif"
    im.save(tif, save_all=True, append_images=[im.rotate(0)])
    pages = list(load_pages(tif, Options()))
    assert [p.page_number for p in pages] == [1, 2]


def test_pdf_pages_are_rasterised_at_the_asked_dpi(tmp_path, small_page):
    from PIL import Image
    pdf = tmp_path / "doc.pdf"
    Image.open(small_page).convert("RGB").save(pdf, resolution=300)
    pages = list(load_pages(pdf, Options(dpi=150)))
    assert len(pages) == 1
    assert abs(pages[0].image.shape[1] - 450) <= 2  # 900 px at 300 dpi = 3 in


def test_folder_inputs_are_found_recursively(tmp_path, small_page):
    from pipeline.ingest.find import find_inputs
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "p.png").write_bytes(small_page.read_bytes())
    (tmp_path / "a" / "skip.txt").write_text("x")
    assert [p.name for p in find_inputs([tmp_path / "a"]).files] == ["p.png"]
