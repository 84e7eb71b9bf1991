"""`--executor dask` on a real cluster of stock processes: `dask scheduler` and
two `dask worker` processes on loopback, started as any user of a cluster
would (daemon task processes, nothing set for magscan). The same batch gives
the same outputs and manifest as a local run, pages that hang are stopped
and rerun, and a worker killed mid-batch costs no page and no double record."""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import FAKES, ROOT, count_done, fake_env, make_pages, rows, run_magscan, untimed

ENGINE = ["--engine", "magscan_fakes:FakeEngine"]
SAME = ("doc", "page_number", "input_hash", "status", "error", "attempts", "n_blocks",
        "n_columns", "fingerprint", "options", "engine", "outputs")
DASK = os.path.join(os.path.dirname(sys.executable), "dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(n_workers: int, env: dict, log_dir) -> tuple[str, list[subprocess.Popen]]:
    """``dask scheduler`` and ``n_workers`` ``dask worker`` processes (one
    thread each, the default nanny), as their command lines start them."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(log_dir / "scheduler.log", "w"))]
    for i in range(n_workers):
        procs.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1",
                                       "--no-dashboard", "--name", f"w{i}"],
                                      env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(log_dir / f"worker{i}.log", "w")))
    return address, procs


def stop_cluster(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):
        p.terminate()
    for p in reversed(procs):
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import Client

    # stock workers: the environment says nothing of daemons; they import
    # magscan and the fake engines from here, and read the fault-injection
    # marker from their own environment
    marker = tmp_path_factory.mktemp("dask") / "armed"
    logs = tmp_path_factory.mktemp("dask-logs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), FAKES]), MAGSCAN_FAKE_MARKER=str(marker))
    address, procs = start_cluster(2, env, logs)
    try:
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            assert all(client.run(lambda: __import__("multiprocessing").current_process().daemon).values())
            yield address, client, marker
    finally:
        stop_cluster(procs)


def outputs(out):
    return {p.relative_to(out): untimed(p) for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(("manifest", ".magscan"))}


def test_dask_run_equals_local_run(tmp_path, cluster):
    address, _, _ = cluster
    make_pages(tmp_path / "in", 5)
    env = fake_env(tmp_path)
    local, remote = tmp_path / "local", tmp_path / "dask"
    r = run_magscan("convert", tmp_path / "in", "-o", local, *ENGINE, "-j", "2", env=env)
    assert r.returncode == 0, r.stderr
    r = run_magscan("convert", tmp_path / "in", "-o", remote, *ENGINE, "--executor", "dask",
                    "--scheduler", address, env=env)
    assert r.returncode == 0, r.stderr
    assert "5/5 pages" in r.stderr  # the same progress lines as a local run
    assert outputs(local) == outputs(remote)
    assert [{k: x[k] for k in SAME} for x in rows(local)] == \
           [{k: x[k] for k in SAME} for x in rows(remote)]


def test_dask_page_timeout_and_failure_are_recorded_then_rerun(tmp_path, cluster):
    address, _, marker = cluster
    make_pages(tmp_path / "in", 2)
    marker.touch()
    env = fake_env(tmp_path)
    out = tmp_path / "out"
    dask_args = ["--executor", "dask", "--scheduler", address]
    r = run_magscan("convert", tmp_path / "in", "-o", out, "--engine", "magscan_fakes:HangEngine",
                    "--page-timeout", "3", *dask_args, env=env, timeout=300)
    assert r.returncode == 1
    assert [x["status"] for x in rows(out)] == ["timeout", "timeout"]
    marker.unlink()
    r = run_magscan("rerun", out, "--failed", *dask_args, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert [(x["status"], x["attempts"]) for x in rows(out)] == [("done", 2), ("done", 2)]


@pytest.mark.parametrize("engine,reason", [("CrashEngine", "worker process died"),
                                           ("HogEngine", "memory")])
def test_dask_page_crash_or_memory_runaway_costs_the_page_not_the_worker(tmp_path, cluster,
                                                                        engine, reason):
    address, client, marker = cluster
    before = client.run(os.getpid)
    make_pages(tmp_path / "in", 2)
    marker.touch()
    try:
        out = tmp_path / "out"
        dask_args = ["--executor", "dask", "--scheduler", address]
        r = run_magscan("convert", tmp_path / "in", "-o", out, "--engine", f"magscan_fakes:{engine}",
                        "--max-memory", "2048", *dask_args, env=fake_env(tmp_path), timeout=300)
        assert r.returncode == 1
        got = rows(out)
        assert [x["status"] for x in got] == ["failed", "failed"], got
        assert all(reason in x["error"] for x in got), got
    finally:
        marker.unlink()
    assert client.run(os.getpid) == before   # the Dask workers themselves lived on
    r = run_magscan("rerun", out, "--failed", "--engine", "magscan_fakes:FakeEngine", *dask_args,
                    env=fake_env(tmp_path), timeout=300)
    assert r.returncode == 0, r.stderr
    assert [(x["status"], x["attempts"]) for x in rows(out)] == [("done", 2), ("done", 2)]


def test_worker_killed_mid_batch_every_page_done_once(tmp_path, cluster):
    address, client, _ = cluster
    make_pages(tmp_path / "in", 10)
    env = fake_env(tmp_path, MAGSCAN_FAKE_DELAY=0.6)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "convert", str(tmp_path / "in"), "-o", str(out),
           *ENGINE, "--executor", "dask", "--scheduler", address]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        time.sleep(0.2)
        if count_done(out) >= 1:
            break
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    while not _page_children_of(victim) and time.time() < deadline:
        time.sleep(0.2)
    assert _page_children_of(victim)  # it runs its pages in a child of its own
    os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker; the scheduler reschedules
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    final = rows(out)
    assert len(final) == 10 and all(x["status"] == "done" for x in final)
    assert all(x["attempts"] == 1 for x in final)  # recorded once each, by the client
    client.wait_for_workers(2, timeout=60)
    # the killed worker's page process went with it
    deadline = time.time() + 30
    while _page_children_of(victim) and time.time() < deadline:
        time.sleep(0.5)
    assert not _page_children_of(victim)


def _page_children_of(pid: int) -> list[int]:
    """Live page processes (pipeline.batch.pagechild) started by process ``pid``."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
            with open(f"/proc/{d}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"pipeline.batch.pagechild" in args and state != "Z" and \
                args[args.index(b"--parent") + 1] == str(pid).encode():
            found.append(int(d))
    return found


def test_dask_needs_a_scheduler_and_says_when_unreachable(tmp_path):
    make_pages(tmp_path / "in", 1)
    env = fake_env(tmp_path)
    r = run_magscan("convert", tmp_path / "in", "-o", tmp_path / "o", "--executor", "dask", env=env)
    assert r.returncode == 2 and "--scheduler" in r.stderr
    r = run_magscan("convert", tmp_path / "in", "-o", tmp_path / "o", *ENGINE, "--executor", "dask",
                    "--scheduler", "tcp://127.0.0.1:9", env=env, timeout=120)
    assert r.returncode == 3 and "cannot reach the Dask scheduler" in r.stderr
