"""Formatting a node's KRaft storage once; later starts reuse the data."""

from __future__ import annotations

import subprocess
from pathlib import Path

from jiandu.localkafka.errors import LocalKafkaError
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


def format_node(java: Path, libs: Path, log4j: Path, node: NodeFiles, cluster_id: str) -> bool:
    """Format the node for ``cluster_id`` unless it already is; whether it formatted now."""
    found = formatted_cluster_id(node)
    if found == cluster_id:
        return False
    if found is not None:
        raise LocalKafkaError(
            f"{node.data} belongs to cluster {found}, not {cluster_id}; `jiandu kafka down --wipe`"
        )
    args = ["format", "-t", cluster_id, "-c", str(node.properties)]
    argv = jvm_argv(java, libs, log4j, "kafka.tools.StorageTool", args, heap="256m")
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise LocalKafkaError(f"formatting {node.data} failed:\n{output}")
    return True
