"""The `magscan` command line: main (the group, `convert`, `eval`), common
(what the commands share), batch (`rerun`, `status`), export, report
(`overlay`, `report`), repair."""


def run() -> None:
    """Console scripts installed before the CLI became a package call
    pipeline.cli:run; pyproject now names pipeline.cli.main:run."""
    from .main import run as _run

    _run()
