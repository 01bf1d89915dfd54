"""A job function for the integration tests: it leaves a file behind, so a test sees it ran in a
worker process (which passes its job context first, as to every job)."""

from pathlib import Path
from typing import Any


def touch(context: Any, path: str) -> None:
    Path(path).write_text("ran")
