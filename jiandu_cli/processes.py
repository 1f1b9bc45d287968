"""Background service processes started by the CLI (``make demo``), tracked by pid files in
``.jiandu/run`` (or ``$JIANDU_RUN_DIR``) so that ``jiandu down`` stops exactly what was started,
and nothing else."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from jiandu.localkafka.paths import repo_root

RUN_DIR_ENV = "JIANDU_RUN_DIR"


def run_dir() -> Path:
    """``$JIANDU_RUN_DIR`` or ``<repo>/.jiandu/run``: pid files and logs of the processes started
    in the background (a test points it elsewhere so that it never meets a developer's demo)."""
    configured = os.environ.get(RUN_DIR_ENV)
    path = Path(configured) if configured else repo_root() / ".jiandu" / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pid_of(name: str) -> int | None:
    """The pid of a running service started by us, or None."""
    pid_file = run_dir() / f"{name}.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pid_file.unlink()
        return None
    return pid


def start(name: str, module: str, env: dict[str, str]) -> tuple[int, Path]:
    """Start ``python -m module`` in the background; returns (pid, log file)."""
    return start_command(name, [sys.executable, "-m", module], env)


def start_command(name: str, argv: list[str], env: dict[str, str]) -> tuple[int, Path]:
    """Start ``argv`` in the background in its own session, tracked as ``name``; (pid, log)."""
    log = run_dir() / f"{name}.log"
    with log.open("ab") as sink:
        process = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (run_dir() / f"{name}.pid").write_text(str(process.pid))
    return process.pid, log


def stop(name: str, timeout_s: float = 20.0) -> bool:
    """SIGTERM the service (graceful drain), SIGKILL after ``timeout_s``; True if it ran."""
    pid = pid_of(name)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _exited(pid):
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    (run_dir() / f"{name}.pid").unlink(missing_ok=True)
    return True


def _exited(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child: reap it
            return True
    except ChildProcessError:
        pass  # started by another process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def started_services() -> list[str]:
    """Names of the services with a pid file."""
    return sorted(p.stem for p in run_dir().glob("*.pid"))
