"""Numbers in request text, the same way in every API: ASCII digits only. ``str.isdigit`` also
takes "²" (which ``int`` refuses: a 500) and "١" or "１" (which ``int`` reads as 1: another
resource's answer)."""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """One or more of 0-9, nothing else."""
    return text.isascii() and text.isdigit()
