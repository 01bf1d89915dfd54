"""The services a job runs against: injected by the embedded runner, or built once per worker
process from the environment (the composition root), never at import time."""

from __future__ import annotations

import threading

from api.bootstrap import Services, build_services, init_store
from api.config import Settings

_lock = threading.Lock()
_services: Services | None = None


def use(services: Services | None) -> None:
    global _services
    with _lock:
        _services = services


def services() -> Services:
    global _services
    with _lock:
        if _services is None:
            settings = Settings.from_env()
            init_store(settings)
            _services = build_services(settings)
        return _services
