"""A data file that is re-read when it changes, without a restart.

``Watched.current()`` returns the value last loaded. At most every ``interval_s`` it looks at the
file's status (inode, size, mtime, ctime); when that changed it loads the file again. A file that
fails to load (or has gone) keeps the previous value in force, and the failure is logged once per
change as ``file:line: reason`` lines, never with the file's contents.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from jiandu.tokens.source import TokenFileError

T = TypeVar("T")
Stamp = tuple[int, int, int, int]
log = logging.getLogger(__name__)


class Watched(Generic[T]):
    """The value of a file, reloaded on change (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        load: Callable[[Path], T],
        interval_s: float,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Load ``path`` now: a missing or bad file raises (a service must not start on it)."""
        self.path = path
        self._load = load
        self._interval_s = interval_s
        self._what = what
        self._clock = clock
        self._stamp = _stamp(path)
        self._value = load(path)
        self._checked = clock()
        self._last_failure: Stamp | str | None = None
        self.reloads = 0
        self.failures = 0

    def current(self) -> T:
        """The value in force, after reloading the file if it changed."""
        now = self._clock()
        if now - self._checked >= self._interval_s:
            self._checked = now
            self._check()
        return self._value

    def _check(self) -> None:
        try:
            stamp = _stamp(self.path)
        except OSError as exc:
            self._failed(f"{self.path}: {exc.strerror or exc.__class__.__name__}", "gone")
            return
        if stamp == self._stamp:
            self._last_failure = None
            return
        try:
            value = self._load(self.path)
        except TokenFileError as exc:
            self._failed("\n".join(str(p) for p in exc.problems), stamp)
            return
        except (OSError, ValueError) as exc:
            self._failed(f"{self.path}: {exc.__class__.__name__}", stamp)
            return
        self._value, self._stamp, self._last_failure = value, stamp, None
        self.reloads += 1
        log.info("%s reloaded from %s", self._what, self.path)

    def _failed(self, reason: str, failure: Stamp | str) -> None:
        """Log once per change; the previous value stays in force."""
        if failure == self._last_failure:
            return
        self._last_failure = failure
        self.failures += 1
        log.error("%s not reloaded, the previous one stays in force:\n%s", self._what, reason)


def _stamp(path: Path) -> Stamp:
    status = os.stat(path)
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
