"""Both ways into Tesseract give the same result: the API (tesserocr, model
loaded once per worker) and the program (pytesseract), behind one interface."""
import json

from conftest import run_magscan


def test_api_and_cli_engines_agree(tmp_path, small_page):
    texts = {}
    for engine in ("tesseract", "tesseract-cli"):
        out = tmp_path / engine
        r = run_magscan("convert", small_page, "-o", out, "--engine", engine, "-j", "1")
        assert r.returncode == 0, r.stderr
        page = json.loads((out / "small page" / "page-0001.json").read_text(encoding="utf-8"))
        assert page["engine"] == engine
        texts[engine] = (out / "small page" / "page-0001.txt").read_text(encoding="utf-8")
    assert texts["tesseract"] == texts["tesseract-cli"]
    assert "产业工人" in texts["tesseract"]


def test_api_engine_reuses_one_model_per_process():
    from pipeline.options import Options
    from pipeline.batch.worker import engine_for

    a = engine_for(Options())
    assert engine_for(Options(keep_headers=True)) is a  # output options share the engine
    assert engine_for(Options(psm=6)) is not a


def test_unknown_engine_is_a_usage_error(tmp_path, small_page):
    r = run_magscan("convert", small_page, "-o", tmp_path / "o", "--engine", "nosuch")
    assert r.returncode == 2 and "nosuch" in r.stderr
