"""`--executor dask`: the same batch on a two-worker LocalCluster gives the same
outputs and manifest as a local run, and survives a worker killed mid-batch."""
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import FAKES, ROOT, count_done, fake_env, make_pages, rows, run_magscan

ENGINE = ["--engine", "magscan_fakes:FakeEngine"]
SAME = ("doc", "page_number", "input_hash", "status", "error", "attempts", "n_blocks",
        "n_columns", "fingerprint", "options", "engine", "outputs")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    import dask
    from distributed import Client, LocalCluster

    # the workers import the fake engines from tests/, run page processes, and
    # read the fault-injection marker from their own environment
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "MAGSCAN_FAKE_MARKER")}
    sys.path.insert(0, FAKES)
    os.environ["PYTHONPATH"] = FAKES
    marker = tmp_path_factory.mktemp("dask") / "armed"
    os.environ["MAGSCAN_FAKE_MARKER"] = str(marker)
    with dask.config.set({"distributed.worker.daemon": False}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as c, Client(c) as client:
            yield c, client, marker
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def outputs(out):
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(("manifest", ".magscan"))}


def test_dask_run_equals_local_run(tmp_path, cluster):
    c, _, _ = cluster
    make_pages(tmp_path / "in", 5)
    env = fake_env(tmp_path)
    local, remote = tmp_path / "local", tmp_path / "dask"
    r = run_magscan("convert", tmp_path / "in", "-o", local, *ENGINE, "-j", "2", env=env)
    assert r.returncode == 0, r.stderr
    r = run_magscan("convert", tmp_path / "in", "-o", remote, *ENGINE, "--executor", "dask",
                    "--scheduler", c.scheduler_address, env=env)
    assert r.returncode == 0, r.stderr
    assert "5/5 pages" in r.stderr  # the same progress lines as a local run
    assert outputs(local) == outputs(remote)
    assert [{k: x[k] for k in SAME} for x in rows(local)] == \
           [{k: x[k] for k in SAME} for x in rows(remote)]


def test_dask_page_timeout_and_failure_are_recorded_then_rerun(tmp_path, cluster):
    c, _, marker = cluster
    make_pages(tmp_path / "in", 2)
    marker.touch()
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    dask_args = ["--executor", "dask", "--scheduler", c.scheduler_address]
    r = run_magscan("convert", tmp_path / "in", "-o", out, "--engine", "magscan_fakes:HangEngine",
                    "--page-timeout", "3", *dask_args, env=env, timeout=300)
    assert r.returncode == 1
    assert [x["status"] for x in rows(out)] == ["timeout", "timeout"]
    marker.unlink()
    r = run_magscan("rerun", out, "--failed", *dask_args, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert [(x["status"], x["attempts"]) for x in rows(out)] == [("done", 2), ("done", 2)]


def test_worker_killed_mid_batch_every_page_done_once(tmp_path, cluster):
    c, client, _ = cluster
    make_pages(tmp_path / "in", 10)
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=0.6)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "convert", str(tmp_path / "in"), "-o", str(out),
           *ENGINE, "--executor", "dask", "--scheduler", c.scheduler_address]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        time.sleep(0.2)
        if count_done(out) >= 1:
            break
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker; the scheduler reschedules
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    final = rows(out)
    assert len(final) == 10 and all(x["status"] == "done" for x in final)
    assert all(x["attempts"] == 1 for x in final)  # recorded once each, by the client
    client.wait_for_workers(2, timeout=60)


def test_dask_needs_a_scheduler_and_says_when_unreachable(tmp_path):
    make_pages(tmp_path / "in", 1)
    env = fake_env(tmp_path)
    r = run_magscan("convert", tmp_path / "in", "-o", tmp_path / "o", "--executor", "dask", env=env)
    assert r.returncode == 2 and "--scheduler" in r.stderr
    r = run_magscan("convert", tmp_path / "in", "-o", tmp_path / "o", *ENGINE, "--executor", "dask",
                    "--scheduler", "tcp://127.0.0.1:9", env=env, timeout=120)
    assert r.returncode == 3 and "cannot reach the Dask scheduler" in r.stderr
