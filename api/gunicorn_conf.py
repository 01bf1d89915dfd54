"""gunicorn settings for the web process (values from the environment where given)."""

import os

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
accesslog = "-"
control_socket_disable = True  # one host may run several services; none needs gunicorn's socket


def on_starting(server: object) -> None:
    """Create the tables once, in the master, before any worker starts (safe beside other hosts
    doing the same: see ``init_store``)."""
    from api.bootstrap import init_store
    from api.config import Settings

    init_store(Settings.from_env())
