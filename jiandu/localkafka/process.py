"""Starting a node's JVM detached from us, and signalling only the processes we started.

A pid is trusted only while ``/proc/<pid>/cmdline`` still names the node's server.properties, so
a stale pid file reused by another process is never signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jiandu.localkafka.errors import LocalKafkaError

_DETACH = 'log=$1; shift; "$@" >>"$log" 2>&1 </dev/null & echo $!'
"""sh starts the command in the background and exits, so init (not us) reaps the JVM."""


def spawn(argv: Sequence[str], log_path: Path, cwd: Path) -> int:
    """Start ``argv`` in a new session with output appended to ``log_path``; its pid."""
    done = subprocess.run(
        ["/bin/sh", "-c", _DETACH, "sh", str(log_path), *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise LocalKafkaError(f"could not start {argv[0]}: {done.stderr.strip()}")
    return int(done.stdout.strip())


@dataclass(frozen=True)
class Started:
    """A process we started, recognised by ``marker`` (the node's server.properties path)."""

    pid: int
    marker: str

    @property
    def running(self) -> bool:
        """Whether the pid is live (not a zombie) and its command line still holds the marker."""
        proc = Path(f"/proc/{self.pid}")
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            return False
        return state != "Z" and any(self.marker.encode() in arg for arg in args)

    def send(self, sig: signal.Signals) -> bool:
        """Send ``sig`` if the process is still ours; whether it was sent."""
        if not self.running:
            return False
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            return False
        return True

    def wait_gone(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the process to exit; whether it did."""
        deadline = time.monotonic() + timeout
        while self.running:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True


def terminate(procs: Sequence[Started], timeout: float) -> None:
    """SIGTERM all at once, wait, then SIGKILL whatever still runs after ``timeout`` seconds."""
    for proc in procs:
        proc.send(signal.SIGCONT)  # a SIGSTOPped JVM cannot act on SIGTERM
        proc.send(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        if not proc.wait_gone(max(0.0, deadline - time.monotonic())):
            proc.send(signal.SIGKILL)
            proc.wait_gone(10.0)


def read_pid(path: Path) -> int | None:
    """The pid in a pid file, or None when there is none (or it is garbage)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file ('' when absent)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
