"""A job function for the integration tests: it leaves a file behind, so a test sees it ran in a
worker process."""

from pathlib import Path


def touch(path: str) -> None:
    Path(path).write_text("ran")
