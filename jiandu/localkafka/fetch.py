"""Fetching the pinned broker jars from Maven Central into the cache, once per version.

A fetch writes :data:`MARKER` last, so an interrupted fetch is redone rather than trusted.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from jiandu.localkafka.errors import LocalKafkaError
from jiandu.localkafka.toolchain import find_mvn

log = logging.getLogger(__name__)

MARKER = ".complete"
_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def kafka_version(pom: Path) -> str:
    """The ``<kafka.version>`` property of ``pom``."""
    try:
        node = ET.parse(pom).find("m:properties/m:kafka.version", _NS)
    except (OSError, ET.ParseError) as exc:
        raise LocalKafkaError(f"{pom}: cannot read ({exc})") from exc
    if node is None or not (node.text or "").strip():
        raise LocalKafkaError(f"{pom}: no <kafka.version> property")
    return (node.text or "").strip()


def libs_dir(cache_root: Path, version: str) -> Path:
    """Where the jars of ``version`` live: ``<cache>/kafka-<version>/libs``."""
    return cache_root / f"kafka-{version}" / "libs"


def is_fetched(libs: Path, version: str) -> bool:
    """Whether a complete fetch of ``version`` is in ``libs``."""
    marker = libs.parent / MARKER
    return marker.is_file() and (libs / f"kafka_2.13-{version}.jar").is_file()


def fetch(pom: Path, cache_root: Path) -> Path:
    """The libs dir of the pinned version, running Maven first unless a complete fetch exists."""
    version = kafka_version(pom)
    libs = libs_dir(cache_root, version)
    libs.parent.mkdir(parents=True, exist_ok=True)
    with (libs.parent / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not is_fetched(libs, version):
            _download(pom, libs)
            (libs.parent / MARKER).write_text(version + "\n", encoding="utf-8")
    return libs


def _download(pom: Path, libs: Path) -> None:
    """Run ``mvn dependency:copy-dependencies`` into a clean ``libs``."""
    mvn = find_mvn()
    (libs.parent / MARKER).unlink(missing_ok=True)
    shutil.rmtree(libs, ignore_errors=True)
    log.info("fetching Kafka jars from Maven Central into %s", libs)
    cmd = [
        str(mvn), "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}", "-DincludeScope=runtime",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
        raise LocalKafkaError(f"mvn failed (exit {done.returncode}) fetching Kafka:\n{tail}")
