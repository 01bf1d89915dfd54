"""gunicorn settings for the web process (values from the environment where given)."""

import os

bind = os.environ.get("CAMPAIGNEVENTS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("CAMPAIGNEVENTS_WEB_THREADS", "4"))
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
