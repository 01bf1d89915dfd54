"""gunicorn settings for the web process (values from the environment where given)."""

import os

from api.config import flag

bind = os.environ.get("CAMPAIGNEVENTS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads per worker: a write holds its thread while it waits for its read models (read-your-writes),
# so more threads than cores let more writes share one projector batch (load_register.py, 200
# clients on PostgreSQL: 16 threads 1.2-1.3x the registrations/s of 4, less CPU per registration;
# 32 ran the test server out of connections, max_connections=100).
DEFAULT_THREADS = 16
threads = int(os.environ.get("CAMPAIGNEVENTS_WEB_THREADS", str(DEFAULT_THREADS)))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Each worker listens on a socket of its own (SO_REUSEPORT), and the kernel spreads new connections
# over them by their addresses. On one shared socket, whichever worker woke first accepted a burst of
# connections and then served them alone, for as long as they were kept alive: under 200 clients on
# PostgreSQL (load_register.py) requests per client ranged 15-43 and p99 was 1.45-1.94x p50; with a
# socket per worker 20-27 and 1.29-1.31x (bench/README.md, session 6). Linux lets only processes of
# the same user join a port's group: a second web of the same user on the same address shares it.
# CAMPAIGNEVENTS_WEB_REUSE_PORT=n: one shared socket (systemd socket activation and USR2 re-exec need it).
reuse_port = flag(os.environ.get("CAMPAIGNEVENTS_WEB_REUSE_PORT"), default=True)
accesslog = "-"
control_socket_disable = True  # one host may run several services; none needs gunicorn's socket


def on_starting(server: object) -> None:
    """Create the tables once, in the master, before any worker starts (safe beside other hosts
    doing the same: see ``init_store``)."""
    from api.bootstrap import init_store
    from api.config import Settings

    init_store(Settings.from_env())
