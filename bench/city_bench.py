"""City-scale load benchmark: gunicorn with 2 workers on the database loaded by bench/city_data.py, measured
with wrk at a fixed request rate per endpoint; and `refresh_shard` throughput in one process.

    python bench/city_bench.py refresh [--graduates 10000] [--shard 1000]
    python bench/city_bench.py serve [--duration 20] [--rate 100] [--eligibility-rate 200]

`refresh` ranks the first consenting graduates (the demo applicant first) against every open post with
services.match_store (fit once, then shards of `--shard`), committing each shard, and prints graduates/s
and the process's peak resident memory. Run it before `serve`, so that the demo applicant has a stored set.

`serve` starts `gunicorn -w 2 "talent:create_app()"` on the database, measures how long after the start
each worker answers its first request (a graduate's matches, the heaviest cold path), then drives each
endpoint with wrk (/usr/bin/wrk; a Lua script adds the bearer token or the POST body and spaces each
connection's requests (`delay`) so that the connections together offer about `--rate` requests/s; wrk is
closed-loop, so the achieved rate is printed next to it) and prints a Markdown table: requests/s, p50 and
p99 latency, and the resident memory of each worker at the end. `/healthz` (one `SELECT 1`) is the plain
baseline measured by the same command.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent  # gunicorn and talent of the running environment
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_city"
SECRET = "city-benchmark"


def _app(database: str):  # noqa: ANN202
    from talent import create_app

    return create_app({"DATABASE_URL": database, "SECRET_KEY": SECRET})


def refresh(args: argparse.Namespace) -> None:
    import datetime as dt

    from sqlalchemy import select

    from talent.db import db
    from talent.models import User
    from talent.models.jobs import GraduateProfile
    from talent.services import match_store

    app = _app(args.database)
    with app.app_context():
        session = db.session
        demo = session.scalar(select(GraduateProfile.id).join(User, User.id == GraduateProfile.user_id)
                              .where(User.email == "applicant@demo.talent.cc"))
        ids = [i for shard in match_store.graduate_shards(session, 10_000) for i in shard]
        chosen = ([demo] if demo else []) + [i for i in ids if i != demo][: args.graduates - (1 if demo else 0)]
        session.rollback()
        computed_at = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        model = match_store.ranking_model(session, computed_at)
        fitted = time.perf_counter() - started
        session.rollback()
        print(f"consenting graduates: {len(ids):,}; refreshing {len(chosen):,} in shards of {args.shard:,}")
        print(f"fit of the open posts: {fitted:.1f} s ({len(model.job_ids_):,} posts); "
              f"RSS after it {_rss_mb(os.getpid()):,.0f} MB, peak {_peak_mb():,.0f} MB")
        ranked_started = time.perf_counter()
        done = 0
        for start in range(0, len(chosen), args.shard):
            shard_started = time.perf_counter()
            done += match_store.refresh_shard(session, chosen[start : start + args.shard], computed_at)
            session.commit()
            print(f"  shard {start // args.shard + 1}: {time.perf_counter() - shard_started:.2f} s", flush=True)
        ranked = time.perf_counter() - ranked_started
    peak = _peak_mb()
    print(f"refreshed {done:,} graduates in {ranked:.1f} s after the fit: {done / ranked:,.0f} graduates/s "
          f"(one process); peak RSS {peak:,.0f} MB; load average {os.getloadavg()}")


def _tree(pid: int) -> list[int]:
    """The process and its descendants."""
    found = [pid]
    for child in _workers(pid):
        found.extend(_tree(child))
    return found


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def workers(args: argparse.Namespace) -> dict:
    """A full refresh through `talent worker` processes on Redis, for each count in --counts: the time from
    sending the shards until the last is stored (the fit included: each run starts with no saved fit), and the
    peak resident memory (VmHWM) of each worker's pool process."""
    import uuid

    import redis

    runs = []
    for count in args.counts:
        queue = f"city-bench-{uuid.uuid4().hex[:8]}"
        instance = tempfile.mkdtemp(prefix="city-workers-")  # one machine: the workers share its folder
        print(f"{count} worker(s): logs in {instance}", flush=True)
        env = dict(os.environ, TALENT_DATABASE_URL=args.database, TALENT_SECRET_KEY=SECRET,
                   TALENT_INSTANCE_PATH=instance, TALENT_REDIS_URL=args.redis, TALENT_TASK_QUEUE=queue)
        processes = []
        for number in range(count):
            log = open(Path(instance) / f"worker{number}.log", "wb")  # noqa: SIM115
            processes.append(subprocess.Popen(
                [str(BIN / "talent"), "worker", "-c", "1", "-n", f"bench{number}-{queue}@%h", "--without-mingle",
                 "--without-gossip", "--without-heartbeat", "-l", "INFO"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        try:
            client = redis.Redis.from_url(args.redis)
            deadline = time.monotonic() + 120
            # Ready when each worker's pool process exists and the worker answers a ping.
            os.environ.update(TALENT_REDIS_URL=args.redis, TALENT_TASK_QUEUE=queue)
            app = _app(args.database)
            from talent.tasks import celery_for

            celery = celery_for(app)
            while len(celery.control.ping(timeout=1.0) or []) < count:
                if time.monotonic() > deadline:
                    raise SystemExit("the workers did not start within 120 s")
            load_before = os.getloadavg()
            with app.app_context():
                from talent.tasks.matching import start_refresh

                started = time.perf_counter()
                result, shards, graduates = start_refresh(args.shard)
                while not all(r.ready() for r in result.results):
                    time.sleep(0.2)
                elapsed = time.perf_counter() - started
                refreshed = sum(int(r.get() or 0) for r in result.results)
            peaks = [max(_status_mb(pid, "VmHWM") for pid in _tree(p.pid)[1:] or [p.pid]) for p in processes]
            run = {"workers": count, "graduates": refreshed, "shards": shards, "seconds": round(elapsed, 1),
                   "per_second": round(refreshed / elapsed), "peak_rss_mb": [round(p) for p in peaks],
                   "load_before": [round(v, 1) for v in load_before],
                   "load_after": [round(v, 1) for v in os.getloadavg()]}
            print(run, flush=True)
            runs.append(run)
            client.delete(queue)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
            os.environ.pop("TALENT_REDIS_URL", None)
            os.environ.pop("TALENT_TASK_QUEUE", None)
    return {"runs": runs, "shard": args.shard}


LUA = """
local token = os.getenv("BENCH_TOKEN")
local body = os.getenv("BENCH_BODY")
local pause = tonumber(os.getenv("BENCH_DELAY_MS"))
wrk.headers["Accept-Language"] = "zh-CN"
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
function delay()
  return pause
end
"""


def _get(url: str, token: str | None = None, body: bytes | None = None) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"} if body else {})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _workers(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def _wrk(url: str, rate: int, duration: int, script: Path, token: str = "", body: str = "") -> dict[str, float]:
    connections = max(2, rate // 10)  # each connection about 10 requests/s
    env = dict(os.environ, BENCH_TOKEN=token, BENCH_BODY=body, BENCH_DELAY_MS=str(int(connections * 1000 / rate)))
    out = subprocess.run(["/usr/bin/wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s",
                          str(script), url], capture_output=True, text=True, env=env).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"Socket errors:.*", out)
    return {"rps": float(rps.group(1)) if rps else float("nan"), "p50": latency("50"), "p99": latency("99"),
            "non2xx": int(errors.group(1)) if errors else 0, "socket": timeouts.group(0) if timeouts else ""}


def serve(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from talent.db import db
    from talent.models import User
    from talent.models.jobs import Job
    from talent.services.accounts import issue_token

    app = _app(args.database)
    with app.app_context():
        users = {email: db.session.scalar(select(User).where(User.email == email))
                 for email in ("applicant@demo.talent.cc", "employer@demo.talent.cc", "officer@demo.talent.cc")}
        tokens = {email.split("@")[0]: issue_token(user, SECRET) for email, user in users.items()}
        job_id = db.session.scalar(select(Job.id).where(Job.created_by_id == users["employer@demo.talent.cc"].id,
                                                        Job.status == "open").order_by(Job.id))
        facts = db.session.execute(select(db_facts())).scalar()
    body = json.dumps(facts, ensure_ascii=False)
    port = args.port
    base = f"http://127.0.0.1:{port}"
    instance = tempfile.mkdtemp(prefix="city-bench-")
    env = dict(os.environ, TALENT_DATABASE_URL=args.database, TALENT_SECRET_KEY=SECRET, TALENT_INSTANCE_PATH=instance,
               TALENT_LOG_JSON="1")
    started = time.perf_counter()
    master = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--access-logfile", "/dev/null", "--error-logfile", os.path.join(instance, "err.log"),
                               "talent:create_app()"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                if time.perf_counter() - started > 60:
                    raise SystemExit("gunicorn did not answer within 60 s") from None
                time.sleep(0.05)
        ready = time.perf_counter() - started
        first = [_get(f"{base}/api/v1/graduates/me/matches?limit=10", tokens["applicant"]) for _ in range(4)]
        first_search = _get(f"{base}/api/v1/jobs?q=%E8%BD%AF%E4%BB%B6")
        first_candidates = _get(f"{base}/api/v1/jobs/{job_id}/candidates?limit=10", tokens["employer"])
        print(f"gunicorn answered /healthz {ready:.2f} s after start; first matches requests (2 workers): "
              + ", ".join(f"{status} in {seconds * 1000:.0f} ms" for status, seconds in first)
              + f"; first search {first_search[1] * 1000:.0f} ms; first candidates {first_candidates[1] * 1000:.0f} ms")
        rss_start = {pid: _rss_mb(pid) for pid in _workers(master.pid)}
        script = Path(instance) / "bench.lua"
        script.write_text(LUA)
        cases = [
            ("plain baseline: GET /healthz", "/healthz", "", "", args.rate),
            ("job search: GET /api/v1/jobs?q=软件", "/api/v1/jobs?q=%E8%BD%AF%E4%BB%B6", "", "", args.rate),
            ("job search (English): GET /api/v1/jobs?q=java", "/api/v1/jobs?q=java", "", "", args.rate),
            ("a graduate's matches: GET /api/v1/graduates/me/matches", "/api/v1/graduates/me/matches?limit=10",
             tokens["applicant"], "", args.rate),
            ("an employer's candidates: GET /api/v1/jobs/{id}/candidates", f"/api/v1/jobs/{job_id}/candidates?limit=10",
             tokens["employer"], "", args.rate),
            ("officer queue: GET /api/v1/reviews", "/api/v1/reviews", tokens["officer"], "", args.rate),
            ("eligibility: POST /api/v1/eligibility", "/api/v1/eligibility", "", body, args.eligibility_rate),
            ("home page: GET /", "/", "", "", args.rate),
        ]
        print(f"\nload average before: {os.getloadavg()}")
        print("| endpoint | offered rps | achieved rps | p50 ms | p99 ms | non-2xx |")
        print("|---|---|---|---|---|---|")
        for label, path, token, payload, rate in cases:
            result = _wrk(base + path, rate, args.duration, script, token, payload)
            print(f"| {label} | {rate} | {result['rps']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
                  f"{result['non2xx']} {result['socket']} |", flush=True)
        rss_end = {pid: _rss_mb(pid) for pid in _workers(master.pid)}
        print(f"\nworker RSS after the first requests: {', '.join(f'{v:.0f} MB' for v in rss_start.values())}; "
              f"at the end: {', '.join(f'{v:.0f} MB' for v in rss_end.values())}")
        print(f"load average after: {os.getloadavg()}")
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)


def db_facts():  # noqa: ANN201
    from talent.models.applications import Application

    return Application.facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DATABASE)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("refresh")
    one.add_argument("--graduates", type=int, default=10_000)
    one.add_argument("--shard", type=int, default=1_000)
    two = commands.add_parser("serve")
    two.add_argument("--duration", type=int, default=20)
    two.add_argument("--rate", type=int, default=100)
    two.add_argument("--eligibility-rate", type=int, default=200)
    two.add_argument("--port", type=int, default=8765)
    three = commands.add_parser("workers")
    three.add_argument("--counts", type=lambda text: [int(v) for v in text.split(",")], default=[1, 2])
    three.add_argument("--shard", type=int, default=2_000)
    three.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    {"refresh": refresh, "serve": serve, "workers": workers}[args.command](args)


if __name__ == "__main__":
    main()
