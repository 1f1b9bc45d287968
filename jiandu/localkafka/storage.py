"""Formatting a node's KRaft storage once; later starts reuse the data."""

from __future__ import annotations

import subprocess
from pathlib import Path

from jiandu.localkafka.errors import LocalKafkaError
from jiandu.localkafka.files import write_private
from jiandu.localkafka.state import NodeFiles
from jiandu.localkafka.toolchain import jvm_argv


def formatted_cluster_id(node: NodeFiles) -> str | None:
    """The cluster.id in the node's meta.properties, or None before formatting."""
    if not node.formatted:
        return None
    for line in (node.data / "meta.properties").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "cluster.id":
            return value.strip()
    return None


def format_node(
    java: Path,
    libs: Path,
    log4j: Path,
    node: NodeFiles,
    cluster_id: str,
    scram: str | None = None,
) -> bool:
    """Format the node for ``cluster_id`` unless it already is; whether it formatted now.

    ``scram`` (an ``--add-scram`` value holding a password) reaches the JVM through a 0600
    argument file, deleted afterwards, so it never shows in a process list.
    """
    found = formatted_cluster_id(node)
    if found == cluster_id:
        return False
    if found is not None:
        raise LocalKafkaError(
            f"{node.data} belongs to cluster {found}, not {cluster_id}; `jiandu kafka down --wipe`"
        )
    args = ["format", "-t", cluster_id, "-c", str(node.properties)]
    if scram is not None:
        args += ["--add-scram", scram]
    argv = jvm_argv(java, libs, log4j, "kafka.tools.StorageTool", args, heap="256m")
    argfile = node.root / "format.args"
    if scram is not None:
        argv = _through_argfile(argv, libs, argfile)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    finally:
        argfile.unlink(missing_ok=True)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        if scram is not None:
            output = output.replace(scram, "[hidden]")
        raise LocalKafkaError(f"formatting {node.data} failed:\n{output}")
    return True


def _through_argfile(argv: list[str], libs: Path, argfile: Path) -> list[str]:
    """``argv`` with the classpath, main class and arguments moved into a java ``@argfile``.

    The launcher does not expand ``libs/*`` inside an argfile, so the jars are listed.
    """
    at = argv.index("-cp")
    classpath = ":".join(str(jar) for jar in sorted(libs.glob("*.jar")))
    rest = ["-cp", classpath, *argv[at + 2 :]]
    write_private(argfile, "".join(_quoted(arg) + "\n" for arg in rest))
    return [*argv[:at], f"@{argfile}"]


def _quoted(arg: str) -> str:
    """One argfile token: double-quoted, with backslashes and quotes escaped."""
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
