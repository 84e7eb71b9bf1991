"""Command line: `magscan convert`, `magscan eval`. Errors become one-line
messages and exit codes here, nowhere else."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import EngineMissing, MagscanError
from .options import Options

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ENGINE = 0, 1, 2, 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="magscan")
def main() -> None:
    """magscan: OCR for simplified-Chinese magazine scans that reads columns in order."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Output folder: OUT/<stem>/page-NNNN.{txt,json,overlay.png} and OUT/<stem>.txt.")
@click.option("--dpi", default=300, show_default=True, help="Resolution for rasterising PDF pages.")
@click.option("--lang", default="chi_sim", show_default=True, help="Tesseract language(s).")
@click.option("--psm", type=int, default=None, help="Force a Tesseract page-segmentation mode per block.")
@click.option("--columns", type=int, default=None, help="Force the number of body columns.")
@click.option("--keep-headers", is_flag=True, help="Keep running headers and footers in the text.")
@click.option("--no-overlays", is_flag=True, help="Do not write overlay images.")
@click.option("--no-deskew", is_flag=True, help="Do not straighten skewed scans.")
@click.option("-j", "--jobs", type=int, default=None,
              help="Pages converted in parallel (default: number of cores).")
def convert(inputs, out_dir, dpi, lang, psm, columns, keep_headers, no_overlays, no_deskew, jobs):
    """Convert page images (PNG, JPEG, TIFF) and PDFs, or folders of them."""
    options = Options(dpi=dpi, lang=lang, psm=psm, columns=columns, keep_headers=keep_headers,
                      deskew=not no_deskew)
    from .batch import run_batch
    from .ocr import make_engine

    try:
        make_engine(options).check()
    except EngineMissing as e:
        click.echo(f"magscan: error: {e}", err=True)
        sys.exit(EXIT_ENGINE)
    jobs = jobs or os.cpu_count() or 1
    result = run_batch(inputs, out_dir, options, jobs=jobs, overlays=not no_overlays)
    done = sum(1 for p in result.pages if p.ok)
    failed = len(result.pages) - done + len(result.failed_inputs)
    click.echo(f"magscan: {done} page(s) converted, {failed} failed; results in {out_dir}/", err=True)
    sys.exit(EXIT_OK if result.ok else EXIT_FAILED)


@main.command("eval")
@click.argument("gold", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--with-headers", is_flag=True, help="Score against the text with running heads.")
def eval_cmd(gold, out, with_headers):
    """Score converted pages in OUT against ground truth in GOLD (NAME.gt.txt)."""
    from .evaluate import evaluate_dirs, format_table

    scores = evaluate_dirs(gold, out, with_headers=with_headers)
    if not scores:
        click.echo(f"magscan: error: no page in {out} matches ground truth in {gold}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(format_table(scores))


def run() -> None:
    try:
        main(standalone_mode=True)
    except MagscanError as e:
        click.echo(f"magscan: error: {e}", err=True)
        sys.exit(e.exit_code)


if __name__ == "__main__":
    run()
