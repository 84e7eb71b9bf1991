"""Real engines' output for the repair benchmark: the pages and the engine runs.

Three kinds of pages, never mixed in a table:

* ``generated``: the sample pages (``python -m pipeline.synth DIR --samples``),
  pages of the 2-, 3- and 4-column layout families and two of each family
  with figures, sidebars, headings, partial titles or scan degradation
  (``bench/layout_bench.py``'s ``ensure_set``), gold ``NAME.gt_body.txt``;
* ``devpages``: ``../shared/devpages/*.png``, gold ``NAME.gt_body.txt``;
* ``realpages``: ``/work/shared/realpages/*.jpg``, gold ``NAME.gold_body.txt``
  (research-only licence: read there, never copied).

Each page goes through ``tesseract IMG OUT -l chi_sim --psm 3 hocr alto`` and
RapidOCR's own full pipeline (detector, classifier, recogniser; its default
settings, one thread), saved as ``[box, text, score]`` JSON. The outputs are
kept in a work folder keyed by the image's content, so a second run of the
benchmark only scores.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

DEVPAGES = ROOT.parent / "shared" / "devpages"
REALPAGES = Path("/work/shared/realpages")
FAMILIES = ("2col", "3col-narrow", "4col")
# pages 100, 101 of the other layout families: figures, sidebars, headings, degradation
MORE_FAMILIES = ("figure-col", "figure-span2", "sidebar", "headings", "degraded", "title-partial")
MORE_START, MORE_PER_FAMILY = 100, 2
ENGINES = ("tesseract-hocr", "tesseract-alto", "rapidocr-json")
TESSERACT_TIMEOUT = 600


@dataclass(frozen=True)
class BenchPage:
    kind: str     # generated | devpages | realpages
    name: str
    image: Path
    gold: Path    # body text in reading order, one block per line


def generated_pages(folder: Path, per_family: int = 3) -> list[BenchPage]:
    """The sample pages and ``per_family`` pages of each multi-column family,
    rendered into ``folder`` when missing or stale."""
    from layout_bench import ensure_set
    from pipeline.synth import render_page, write_page
    from pipeline.synth.layout import sample_specs

    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for name, spec in sample_specs().items():
        gt = folder / f"{name}.gt.json"
        if not (gt.is_file() and (folder / f"{name}.png").is_file()
                and json.loads(gt.read_text(encoding="utf-8")).get("spec") == spec.to_dict()):
            img, truth = render_page(spec)
            truth["spec"] = spec.to_dict()
            write_page(folder, name, img, truth)
        names.append(name)
    for fam in FAMILIES:
        names += ensure_set(folder, per_family, fam)
    for fam in MORE_FAMILIES:
        names += ensure_set(folder, MORE_PER_FAMILY, fam, MORE_START)
    return [BenchPage("generated", n, folder / f"{n}.png", folder / f"{n}.gt_body.txt") for n in names]


def shared_pages() -> list[BenchPage]:
    dev = [BenchPage("devpages", p.stem, p, p.with_name(f"{p.stem}.gt_body.txt"))
           for p in sorted(DEVPAGES.glob("*.png")) if p.with_name(f"{p.stem}.gt_body.txt").is_file()]
    real = [BenchPage("realpages", p.stem, p, p.with_name(f"{p.stem}.gold_body.txt"))
            for p in sorted(REALPAGES.glob("*.jpg")) if p.with_name(f"{p.stem}.gold_body.txt").is_file()]
    return dev + real


def _key(image: Path) -> str:
    return hashlib.sha256(image.read_bytes()).hexdigest()[:16]


def outputs_of(page: BenchPage, work: Path) -> dict[str, Path]:
    """Engine name -> its output file for ``page`` (may not exist yet)."""
    base = work / "engines" / page.kind / f"{page.name}-{_key(page.image)}"
    return {"tesseract-hocr": base.with_suffix(".hocr"), "tesseract-alto": base.with_suffix(".xml"),
            "rapidocr-json": base.with_suffix(".json")}


def run_tesseract(image: Path, base: Path) -> None:
    """``BASE.hocr`` and ``BASE.xml`` from one Tesseract run (both name ``image``).
    Tesseract writes as it goes: the files get their names only when complete."""
    base.parent.mkdir(parents=True, exist_ok=True)
    part = base.with_name(base.name + ".part")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    subprocess.run(["tesseract", str(image.resolve()), str(part), "-l", "chi_sim", "--psm", "3",
                    "hocr", "alto"], check=True, capture_output=True, env=env,
                   timeout=TESSERACT_TIMEOUT)
    for ext in (".hocr", ".xml"):
        os.replace(part.with_name(part.name + ext), base.with_name(base.name + ext))


_RAPID = None


def rapidocr_lines(image: Path) -> list:
    """RapidOCR's full pipeline on ``image``: ``[[box, text, score], ...]``."""
    global _RAPID
    if _RAPID is None:
        from rapidocr_onnxruntime import RapidOCR
        _RAPID = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    result, _ = _RAPID(str(image))
    return [[[[float(x), float(y)] for x, y in box], str(text), float(score)]
            for box, text, score in (result or [])]


def ensure_outputs(page: BenchPage, work: Path) -> dict[str, Path]:
    """Run the engines whose output for ``page`` is missing; the output paths."""
    out = outputs_of(page, work)
    if not (out["tesseract-hocr"].is_file() and out["tesseract-alto"].is_file()):
        run_tesseract(page.image, out["tesseract-hocr"].with_suffix(""))
    if not out["rapidocr-json"].is_file():
        data = json.dumps(rapidocr_lines(page.image), ensure_ascii=False)
        part = out["rapidocr-json"].with_suffix(".json.part")
        part.write_text(data, encoding="utf-8")
        os.replace(part, out["rapidocr-json"])
    return out
