"""Ingest scaling benchmark: does ingest use every core it is given?

In one run, on one throw-away PostgreSQL database (DATABASE_URL's, name prefixed test_):
  stow      1, 2 and 4 concurrent STOW-RS clients (`requests`, each streaming one series of its own from a
            file, with Content-Length) against gunicorn with 1 and then 2 sync worker processes;
  jobs      an upload ingest job (a folder of series in storage, in chunks) with 1 and then 2 Celery worker
            processes (one `celery worker --concurrency N`, prefork), timed from sending the job to its end;
  baseline  `pydicom.dcmread` of the folder's files in 1 process and in 2 processes: what this machine gives
            two processes of pure parsing right now (the box may be shared), beside which the ingest's
            2-vs-1 ratio is read;
  cstore    2 and 4 concurrent dcmtk storescu associations (each its own series) against
            `manage.py dicom_listener --processes 1` and then `--processes 2`, timed until their series are
            classified.
Printed: instances/s of each, the 2-vs-1 ratio and the scaling efficiency (ratio / 2), and the 1-minute load
average when each was taken. With --rounds 2 or more every figure is the median of its rounds, the worker
counts alternating which goes first. Every instance has fresh identifiers; the run checks that each one was
stored exactly once.

Needs Redis for the Celery part (CELERY_BROKER_URL, default redis://127.0.0.1:6379/0; a private queue).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/bench_scaling.py --instances 100 --size 512
"""

import argparse
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ingest import bench_dcmread  # noqa: E402
from bench_stow import (  # noqa: E402
    curator_token,
    free_port,
    setup_django,
    start_server,
    stow,
    templates,
    write_body,
    write_series,
)

CLIENTS = (1, 2, 4)
PROCESSES = (1, 2)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100, help="instances in each STOW-RS client's series")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--job-series", type=int, default=8, help="series in the upload job's folder")
    parser.add_argument("--job-instances", type=int, default=50, help="instances in each of those series")
    parser.add_argument("--chunk", type=int, default=50, help="files per chunk task")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every measurement; medians are printed")
    parser.add_argument("--workdir", default=None, help="where to write data (default: a temporary folder)")
    return parser.parse_args()


def load() -> float:
    return os.getloadavg()[0]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a server's master and its worker processes so far (Linux /proc)."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    ticks = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def box_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine so far, every core (the first line of /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def busy_since(before: tuple[int, int]) -> float:
    """The share of every core's time spent busy since `before` (a `box_ticks()` reading)."""
    (busy0, total0), (busy1, total1) = before, box_ticks()
    return (busy1 - busy0) / max(1, total1 - total0)


class Measured:
    """Instances/s, the servers' CPU ms per instance (their own work, whatever the box's load), the load, and how
    busy the whole machine was: a run that already keeps every core busy with one process (its threads, PostgreSQL,
    the clients) leaves a second process nothing to scale into."""

    def __init__(self, pid: int, instances: int):
        self.pid, self.instances = pid, instances

    def __enter__(self):
        self.cpu, self.box, self.start = cpu_seconds(self.pid), box_ticks(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.start
        self.rate = self.instances / elapsed
        self.cpu_ms = 1000 * (cpu_seconds(self.pid) - self.cpu) / self.instances
        self.busy = busy_since(self.box)
        self.load = load()

    def record(self, results: dict, key) -> str:
        results.setdefault(key, []).append((self.rate, self.load, self.cpu_ms, self.busy))
        return (f"{self.rate:7.1f} instances/s, {self.cpu_ms:5.1f} CPU ms/instance, machine {self.busy:4.0%} busy  "
                f"load {self.load:.2f}")


# -- STOW-RS clients against gunicorn ------------------------------------------------------------------------------

def stow_bodies(workdir: Path, slices, n: int, name: str, clients: int) -> list[Path]:
    """One STOW-RS body per client, each a series of its own (fresh identifiers; untimed)."""
    bodies = []
    for c in range(clients):
        series = write_series(workdir, slices, n, f"{name}-{c}")
        body = workdir / f"{name}-{c}.body"
        write_body(series, body)
        shutil.rmtree(series[0].parent)
        bodies.append(body)
    return bodies


def stow_at_once(url: str, token: str, bodies: list[Path], n: int) -> None:
    """Send every body at once, one thread (one connection) each."""
    errors = []

    def send(body):
        response = stow(url, token, body)
        if response.status_code != 200 or len(response.json()["00081199"]["Value"]) != n:
            errors.append(f"{response.status_code}: {response.text[:300]}")

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"STOW-RS failed: {errors[0]}")


def run_stow(args, workdir: Path, slices, database_name: str, token: str, processes: int, round_: int,
             results: dict) -> None:
    n = args.instances
    bodies = {c: stow_bodies(workdir, slices, n, f"r{round_}w{processes}c{c}", c) for c in CLIENTS}
    warm = stow_bodies(workdir, slices, 4, f"wr{round_}w{processes}", processes)
    port = free_port()
    server = start_server(port, database_name, workers=processes)
    url = f"http://127.0.0.1:{port}"
    try:
        stow_at_once(url, token, warm, 4)  # each worker's imports and first queries, before measuring
        for clients in CLIENTS:
            with Measured(server.pid, clients * n) as measured:
                stow_at_once(url, token, bodies[clients], n)
            print(f"  STOW-RS  gunicorn -w {processes}, {clients} client(s): "
                  f"{measured.record(results, ('stow', processes, clients))}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        for body in [*warm, *(b for group in bodies.values() for b in group)]:
            body.unlink()


# -- upload ingest jobs on Celery workers --------------------------------------------------------------------------

def job_folder(slices, args, name: str) -> str:
    """Write the job's series into storage under uploads/<name>/ (as an upload leaves them); its prefix."""
    from django.core.files.storage import default_storage

    prefix = f"uploads/{name}"
    root = Path(default_storage.path(prefix))
    for s in range(args.job_series):
        write_series(root, slices, args.job_instances, f"s{s:02d}")
    return prefix


def start_workers(processes: int, queue: str, database_url: str, broker: str, log: Path) -> subprocess.Popen:
    from django.conf import settings

    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker,
           "CELERY_TASK_ALWAYS_EAGER": "0", "CELERY_TASK_DEFAULT_QUEUE": queue,
           "RADCURATE_DEID_KEY": settings.RADCURATE_DEID_KEY}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "radcurate", "worker", "--pool=prefork", f"--concurrency={processes}",
         "-Q", queue, "-n", f"bench-{queue}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while "ready." not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"celery worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return proc


def run_job(prefix: str, chunk: int, queue: str):
    """Queue an upload job of the folder and wait for its end."""
    from curation.models import IngestJob
    from radcurate.celery import app

    job = IngestJob.objects.create(source="upload", upload_prefix=prefix, chunk_size=chunk)
    app.send_task("curation.ingest_upload", args=[job.pk], queue=queue)
    while job.status not in (IngestJob.Status.DONE, IngestJob.Status.FAILED):
        time.sleep(0.05)
        job.refresh_from_db()
    if job.status != IngestJob.Status.DONE:
        raise RuntimeError(f"ingest job failed: {job.message}")
    return job


def run_jobs(args, workdir: Path, slices, database_url: str, broker: str, processes: int, round_: int,
             results: dict) -> None:
    queue = f"bench-scaling-{uuid.uuid4().hex[:8]}"
    warm = job_folder(slices[:4], argparse.Namespace(job_series=processes * 2, job_instances=3),
                      f"warm-r{round_}-w{processes}")
    prefix = job_folder(slices, args, f"job-r{round_}-w{processes}")
    total = args.job_series * args.job_instances
    workers = start_workers(processes, queue, database_url, broker, workdir / f"{queue}.log")
    try:
        run_job(warm, 3, queue)  # each worker process's imports and first queries, before measuring
        with Measured(workers.pid, total) as measured:
            job = run_job(prefix, args.chunk, queue)
    finally:
        workers.send_signal(signal.SIGTERM)
        workers.wait(timeout=60)
    assert job.accepted == total and job.chunks_done == job.chunks_total, job.message
    print(f"  upload job, {processes} Celery worker process(es), {job.chunks_total} chunks: "
          f"{measured.record(results, ('job', processes, 0))}", flush=True)


# -- C-STORE associations against the listener --------------------------------------------------------------------

def start_listener_processes(processes: int, database_url: str, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "RADCURATE_DICOM_ACCEPT_ANY_NODE": "1"}
    listener = subprocess.Popen([sys.executable, "manage.py", "dicom_listener", "--port", str(port), "--processes",
                                 str(processes)], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "Listening as" not in log.read_text() or len(children(listener.pid)) != (processes if processes > 1 else 0):
        if listener.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"dicom_listener did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    time.sleep(0.5)  # the processes bind after they start
    return listener, port


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def storescu_at_once(port: int, folders: list[list[Path]]) -> None:
    """One storescu association per series, all at once; then wait for the series' refresh (each association
    classifies its series when it ends)."""
    from curation.models import Series

    pushes = [subprocess.Popen(["storescu", "-aet", "BENCH", "-aec", "RADCURATE", "127.0.0.1", str(port),
                                *map(str, paths)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
              for paths in folders]
    for push in pushes:
        out, _ = push.communicate(timeout=600)
        if push.returncode != 0:
            raise RuntimeError(f"storescu failed: {out.decode()[-1000:]}")
    while Series.objects.filter(needs_refresh=True).exists():
        time.sleep(0.02)


def run_cstore(args, workdir: Path, slices, database_url: str, processes: int, round_: int, results: dict) -> None:
    n = args.instances
    folders = {c: [write_series(workdir / "cs", slices, n, f"cs{round_}w{processes}c{c}-{i}") for i in range(c)]
               for c in CLIENTS[1:]}
    listener, port = start_listener_processes(processes, database_url, workdir / f"listener-{round_}-{processes}.log")
    try:
        storescu_at_once(port, [write_series(workdir / "cs", slices, 4, f"cw{round_}w{processes}-{i}")
                                for i in range(2 * processes)])  # imports and first queries
        for clients, group in folders.items():
            with Measured(listener.pid, clients * n) as measured:
                storescu_at_once(port, group)
            print(f"  C-STORE  listener --processes {processes}, {clients} associations: "
                  f"{measured.record(results, ('cstore', processes, clients))}", flush=True)
    finally:
        listener.send_signal(signal.SIGTERM)
        listener.wait(timeout=60)
        shutil.rmtree(workdir / "cs", ignore_errors=True)


# -- the same-run baseline: dcmread in 1 and 2 processes -----------------------------------------------------------

def dcmread_processes(paths: list[Path], processes: int) -> float:
    if processes == 1:
        return bench_dcmread(paths)
    parts = [paths[i::processes] for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(bench_dcmread, parts[:1] * processes)  # imports in each process
        start = time.perf_counter()
        pool.map(bench_dcmread, parts)
        return len(paths) / (time.perf_counter() - start)


def run_dcmread(slices, args, round_: int, results: dict) -> None:
    from django.conf import settings

    root = Path(settings.DATA_DIR) / "dcmread" / f"r{round_}"
    paths = [p for s in range(args.job_series) for p in write_series(root, slices, args.job_instances, f"s{s:02d}")]
    for processes in PROCESSES:
        before = box_ticks()
        rate = dcmread_processes(paths, processes)
        busy = busy_since(before)
        results.setdefault(("dcmread", processes, 0), []).append((rate, load(), 0.0, busy))
        print(f"  dcmread, {processes} process(es): {rate:7.1f} files/s, machine {busy:4.0%} busy  load {load():.2f}",
              flush=True)
    shutil.rmtree(root)


# -- report --------------------------------------------------------------------------------------------------------

def median(results: dict, key) -> tuple[float, float, float, float]:
    rates, loads, cpu, busy = zip(*results[key], strict=True)
    return statistics.median(rates), statistics.median(loads), statistics.median(cpu), statistics.median(busy)


def scaling(results: dict, kind: str, clients: int = 0) -> tuple[float, str]:
    (one, load1, cpu1, busy1), (two, load2, cpu2, busy2) = (median(results, (kind, 1, clients)),
                                                            median(results, (kind, 2, clients)))
    ratio = two / one
    cpu = f"; CPU ms/instance {cpu1:.1f} vs {cpu2:.1f}" if cpu1 else ""
    return ratio, (f"1 process {one:7.1f}/s (load {load1:.1f}, machine {busy1:.0%} busy)   "
                   f"2 processes {two:7.1f}/s (load {load2:.1f}, {busy2:.0%} busy)   "
                   f"2 vs 1: {ratio:.2f}x, efficiency {ratio / 2:.0%}{cpu}")


def report(results: dict, args) -> None:
    print(f"\n# results ({args.rounds} round(s), medians; {args.size}x{args.size}; {os.cpu_count()} CPUs)")
    machine, line = scaling(results, "dcmread")
    print(f"{'dcmread (baseline, files/s)':<36} {line}")
    rows = [(f"STOW-RS, {c} client(s), gunicorn -w", "stow", c) for c in CLIENTS]
    rows += [("upload job, Celery worker processes", "job", 0)]
    rows += [(f"C-STORE, {c} associations, --processes", "cstore", c) for c in CLIENTS[1:]]
    for label, kind, clients in rows:
        ratio, line = scaling(results, kind, clients)
        print(f"{label:<36} {line}; {ratio / machine:.0%} of dcmread's 2 vs 1")
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if autogroup.exists() and autogroup.read_text().strip() == "1":
        print(f"note: the kernel's autogroup scheduling is on ({Path('/proc/self/autogroup').read_text().strip()}): "
              "every process this bench starts shares one CPU share beside the other sessions of a busy box, so "
              "there a second process splits the share of the first; dcmread's 2 vs 1 shows how much")
    print("target: on 2 cores, 2 processes give at least 1.7x one process. Equal CPU ms/instance at 1 and 2 "
          "processes: no lock or shared stage costs the second process anything; the wall-clock ratio is then "
          "what the box's free cores allow (dcmread's ratio shows it). 'machine busy' is every core's busy time: "
          "where one process already keeps the machine near 100% (its store and sync threads, PostgreSQL, the "
          "clients), a second process has no core left to use, whatever the code does.")


def store_folders() -> None:
    """Make the content store's 256 folders first: the first ~1,500 instances of a new archive each make one
    (and sync its parent), which would slow whichever measurement came first."""
    from django.core.files.storage import default_storage

    from curation.dicom.store import content_path

    for i in range(256):
        os.makedirs(os.path.dirname(default_storage.path(content_path(f"{i:02x}" + "0" * 62))), exist_ok=True)


def main():
    args = parse_args()
    broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="radcurate-bench-scaling-"))
    connection = setup_django(workdir)  # (it unsets CELERY_BROKER_URL: the gunicorn workers run tasks in-process)
    try:
        run(args, workdir, connection.settings_dict["NAME"], broker)
    finally:
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path, database_name: str, broker: str) -> None:
    from django.conf import settings
    from django.db import connection

    from curation.models import Instance
    from radcurate.celery import app

    app.conf.broker_url, app.conf.task_always_eager = broker, False
    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{database_name}"
    print(f"# ingest scaling: {args.instances} instances per STOW-RS client, upload job of {args.job_series} x "
          f"{args.job_instances} instances in chunks of {args.chunk}; {args.size}x{args.size}; "
          f"RADCURATE_FSYNC {'on' if settings.RADCURATE_FSYNC else 'off'}; load {load():.2f}", flush=True)
    slices = templates(workdir, args.size)
    token = curator_token()
    store_folders()
    results: dict = {}
    for round_ in range(args.rounds):
        order = PROCESSES if round_ % 2 == 0 else PROCESSES[::-1]
        print(f"round {round_ + 1}", flush=True)
        connection.close()  # the dcmread pool forks this process
        run_dcmread(slices, args, round_, results)
        for processes in order:
            run_stow(args, workdir, slices, database_name, token, processes, round_, results)
        for processes in order:
            run_jobs(args, workdir, slices, database_url, broker, processes, round_, results)
        for processes in order:
            run_cstore(args, workdir, slices, database_url, processes, round_, results)
    stowed = args.rounds * (len(PROCESSES) * sum(CLIENTS) * args.instances + 4 * sum(PROCESSES))  # warm-ups: 4 each
    jobs = args.rounds * sum(args.job_series * args.job_instances + 2 * p * 3 for p in PROCESSES)
    stored_cstore = args.rounds * sum(sum(CLIENTS[1:]) * args.instances + 2 * p * 4 for p in PROCESSES)
    stored = Instance.objects.count()
    assert stored == Instance.objects.values("sop_uid").distinct().count() == stowed + jobs + stored_cstore, (
        stored, stowed, jobs, stored_cstore)
    report(results, args)


if __name__ == "__main__":
    main()
