"""Memory of a gunicorn worker under anonymous eligibility requests with 1 MB ID fields.

    .venv/bin/python bench/input_memory.py                  # 10,000 requests, prints the figures
    .venv/bin/python bench/input_memory.py --requests 2000  # shorter

Starts `gunicorn "talent:create_app()"` with one sync worker on a temporary instance, sends --warmup requests,
reads the worker's resident memory (VmRSS, /proc), sends --requests more, reads it again. Each request is
POST /api/v1/eligibility with a valid fact set whose `id_number` is a different 1,000,000-character string
(each is refused with 422; before the fix every one stayed in rules.facts' module cache). The figure to trust
is the ratio after/warm-up, measured in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def _send(connection: http.client.HTTPConnection, n: int) -> int:
    body = json.dumps({"application_date": "2025-06-01", "education": "bachelor", "graduation_date": "2024-06-30",
                       "id_number": f"{n:07d}" + "1" * (1_000_000 - 7)}).encode()
    connection.request("POST", "/api/v1/eligibility", body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=300)
    args = parser.parse_args()

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as instance:
        environment = {**os.environ, "TALENT_INSTANCE_PATH": instance, "TALENT_LOG_JSON": "1",
                       "TALENT_SECRET_KEY": "bench-secret-key-of-at-least-32-bytes"}
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--log-level", "warning", "talent:create_app()"],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            worker = _worker_pid(server.pid)
            for _ in range(200):
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    connection.request("GET", "/healthz")
                    connection.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.2)
            statuses: dict[int, int] = {}
            for n in range(args.warmup):
                status = _send(connection, n)
                statuses[status] = statuses.get(status, 0) + 1
            warm = _rss_kib(worker)
            started = time.perf_counter()
            for n in range(args.warmup, args.warmup + args.requests):
                status = _send(connection, n)
                statuses[status] = statuses.get(status, 0) + 1
            elapsed = time.perf_counter() - started
            after = _rss_kib(worker)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (shared with other running work), "
          f"Python {platform.python_version()}")
    print(f"requests: {args.warmup} warm-up + {args.requests} measured, 1,000,000-character id_number each; "
          f"statuses {statuses}")
    print(f"worker RSS after warm-up: {warm / 1024:.1f} MiB; after {args.requests}: {after / 1024:.1f} MiB; "
          f"ratio {after / warm:.3f}; {args.requests / elapsed:.0f} requests/s")


if __name__ == "__main__":
    main()
