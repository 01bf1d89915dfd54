"""Fixtures of the integration layer (real Redis, a real SMTP server on 127.0.0.1)."""

from tests.integration.helpers import redis_url
from tests.integration.smtp_sink import smtp_sink

__all__ = ["redis_url", "smtp_sink"]
