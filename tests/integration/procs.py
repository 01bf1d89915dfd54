"""Processes as Linux's /proc shows them: children of a process, alive or gone (a zombie is gone)."""

from __future__ import annotations

import os
import signal
import time
from contextlib import suppress
from pathlib import Path


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[1] == pid and stat[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pid)


def kill(pid: int) -> None:
    """SIGKILL a process this test started (directly or as a child of one it started)."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
