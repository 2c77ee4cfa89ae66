"""gunicorn's settings for the Hub's web processes (gunicorn reads this file from the working
directory: `gunicorn safeguarding.wsgi`). Every value can be changed from the environment.

- **Processes for the CPU, threads to overlap the database.** A request is mostly Python (the ORM,
  templates, the access rules), and one process runs one thread of Python at a time, so the processes
  follow gunicorn's own advice, 2 × cores + 1, with 2 threads each. In the load benchmark on 2 cores this
  cost the same CPU a request as 2 processes of 4 threads, with a lower p50 and p95 (`bench/README.md`,
  "## load", 8 December 2026).
- **`WEB_CONCURRENCY`** sets the number of processes (the name platforms such as Heroku and Render set),
  **`GUNICORN_THREADS`** the threads in each. Each thread may hold a database connection
  (`DATABASE_CONN_MAX_AGE`): processes × threads, plus the task workers, must stay under PostgreSQL's
  `max_connections` (or put PgBouncer in front: `docs/scaling.md`).
"""

from __future__ import annotations

import os

_cores = os.cpu_count() or 1

wsgi_app = "safeguarding.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cores + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
