"""The one error the local broker raises: something the developer must fix, said plainly."""

from __future__ import annotations


class LocalKafkaError(RuntimeError):
    """Java or Maven missing, a port taken, a broker that will not start: the message says why."""
