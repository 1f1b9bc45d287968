"""Finding Java (JAVA_HOME, then PATH) and Maven, with messages that say how to get them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from jiandu.localkafka.errors import LocalKafkaError

MIN_JAVA = 17
"""Kafka 4.x brokers need Java 17 or newer."""

_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def find_java() -> Path:
    """The java executable: ``$JAVA_HOME/bin/java`` if JAVA_HOME is set, else java on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not os.access(java, os.X_OK):
            raise LocalKafkaError(f"JAVA_HOME={home} has no bin/java; fix or unset JAVA_HOME")
        return java
    found = shutil.which("java")
    if found is None:
        raise LocalKafkaError(
            f"java not found: install Java {MIN_JAVA}+ (Debian/Ubuntu: "
            "apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )
    return Path(found)


def java_major(java: Path) -> int:
    """The major version ``java -version`` reports (1.8 counts as 8)."""
    out = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, check=False, timeout=30
    )
    match = _VERSION.search(out.stderr + out.stdout)
    if match is None:
        raise LocalKafkaError(f"cannot read the version of {java}: {out.stderr.strip()!r}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def checked_java() -> Path:
    """The java executable, refused when older than :data:`MIN_JAVA`."""
    java = find_java()
    major = java_major(java)
    if major < MIN_JAVA:
        raise LocalKafkaError(f"{java} is Java {major}; the Kafka 4.x broker needs {MIN_JAVA}+")
    return java


def find_mvn() -> Path:
    """The mvn executable on PATH (only needed while the broker jars are not cached)."""
    found = shutil.which("mvn")
    if found is None:
        raise LocalKafkaError(
            "mvn not found: install Maven (Debian/Ubuntu: apt-get install maven); it fetches "
            "the Kafka broker jars from Maven Central once"
        )
    return Path(found)


def jvm_argv(
    java: Path, libs: Path, log4j: Path, main: str, args: list[str], heap: str = "1g"
) -> list[str]:
    """The command line running ``main`` from the cached broker jars (classpath ``libs/*``)."""
    return [
        str(java),
        "-Xms256m",
        f"-Xmx{heap}",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]
