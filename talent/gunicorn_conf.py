"""gunicorn settings for the platform, for every deployment and the benchmark:

    gunicorn -c python:talent.gunicorn_conf "talent:create_app()"

`preload_app`: the master imports the platform, builds the application and its model of the recently changed
posts once (services.match_serving), then forks the workers. A worker is therefore ready the moment it is
forked — at start, after a crash, after `max_requests` or a `kill -TTIN` — instead of spending seconds on imports
and on the model before its first answer (one forked long after the start first catches up on the posts changed
since, a bounded read), and the workers share the imported code with the master (copy on write). After the fork
each worker drops the database connections it inherited (a connection is never shared between processes;
`talent.app.after_fork`) and keeps its copy of the model up to date itself. What the master loaded is frozen out
of the garbage collector's work (`pre_fork`).

The settings are gunicorn's own; the environment can still change them (`WEB_CONCURRENCY`, `GUNICORN_CMD_ARGS`),
and options on the command line win over this file.
"""

from __future__ import annotations

import gc
import os
from typing import Any

# Read by talent.app.create_app in the master: build the recent-posts model there (not in a thread per worker).
os.environ["TALENT_PRELOADED_SERVER"] = "1"

preload_app = True
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))


def pre_fork(_server: Any, _worker: Any) -> None:
    # Everything the master loaded (some 300,000 objects: the application, the model, the coder) lives as long as
    # the workers: out of the garbage collector's sight, a full collection in a worker takes well under a
    # millisecond instead of some 130 ms that a request would wait for; and the collector no longer writes to
    # those objects' pages, so the workers keep sharing them with the master.
    gc.freeze()


def post_fork(_server: Any, _worker: Any) -> None:
    from talent.app import after_fork

    after_fork()
