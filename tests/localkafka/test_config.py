"""Rendering the cluster layout into broker config, and the bookkeeping that needs no broker."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from jiandu.localkafka import ClusterLayout, LocalKafka, LocalKafkaError, render_server_properties
from jiandu.localkafka.config import new_cluster_id
from jiandu.localkafka.fetch import is_fetched, kafka_version, libs_dir
from jiandu.localkafka.paths import POM, repo_root
from jiandu.localkafka.process import Started
from jiandu.localkafka.state import ClusterRecord, StateDir
from tests.support.kafka import free_base_port


def parse(text: str) -> dict[str, str]:
    """A properties file as a dict (comments skipped)."""
    pairs = (line.split("=", 1) for line in text.splitlines() if not line.startswith("#"))
    return {key: value for key, value in pairs}


def rendered(nodes: int, index: int, **overrides: str) -> dict[str, str]:
    """The settings of node ``index`` of a cluster on 9092."""
    layout = ClusterLayout(nodes=nodes, base_port=9092)
    return parse(render_server_properties(layout, index, Path("/d"), overrides))


def test_single_node_listens_on_the_base_port_with_its_controller_apart() -> None:
    settings = rendered(1, 0)
    assert settings["process.roles"] == "broker,controller"
    assert settings["node.id"] == "1"
    assert settings["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9192"
    assert settings["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert settings["controller.quorum.voters"] == "1@127.0.0.1:9192"
    assert settings["log.dirs"] == "/d"
    assert settings["offsets.topic.replication.factor"] == "1"
    assert settings["transaction.state.log.min.isr"] == "1"
    assert settings["group.initial.rebalance.delay.ms"] == "0"
    assert "min.insync.replicas" not in settings


@pytest.mark.parametrize(
    ("index", "node_id", "port", "controller"),
    [(0, "1", 9092, 9192), (1, "2", 9093, 9193), (2, "3", 9094, 9194)],
)
def test_three_nodes_share_a_static_quorum_and_replicate_three_ways(
    index: int, node_id: str, port: int, controller: int
) -> None:
    settings = rendered(3, index)
    assert settings["node.id"] == node_id
    assert settings["listeners"] == (
        f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}"
    )
    assert settings["controller.quorum.voters"] == (
        "1@127.0.0.1:9192,2@127.0.0.1:9193,3@127.0.0.1:9194"
    )
    assert settings["default.replication.factor"] == "3"
    assert settings["min.insync.replicas"] == "2"
    assert settings["offsets.topic.replication.factor"] == "3"
    assert settings["transaction.state.log.replication.factor"] == "3"
    assert settings["transaction.state.log.min.isr"] == "2"
    assert settings["unclean.leader.election.enable"] == "false"


def test_overrides_win_over_the_defaults() -> None:
    assert rendered(1, 0, **{"num.partitions": "4"})["num.partitions"] == "4"
    assert rendered(3, 0, **{"min.insync.replicas": "1"})["min.insync.replicas"] == "1"


def test_layout_reports_bootstrap_and_replication() -> None:
    layout = ClusterLayout(nodes=3, base_port=19092)
    assert layout.bootstrap == "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094"
    assert layout.replication_factor == 3
    assert ClusterLayout().replication_factor == 1


def test_a_local_cluster_has_one_or_three_nodes() -> None:
    with pytest.raises(ValueError, match="1 or 3"):
        ClusterLayout(nodes=2)


def test_cluster_id_is_22_chars_of_urlsafe_base64_for_16_bytes() -> None:
    cluster_id = new_cluster_id()
    assert len(cluster_id) == 22
    assert "=" not in cluster_id
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_cluster_id_never_starts_with_a_dash_the_storage_tool_would_read_as_an_option() -> None:
    assert not any(new_cluster_id().startswith("-") for _ in range(2000))


def test_the_pinned_version_comes_from_the_pom() -> None:
    assert kafka_version(repo_root() / POM) == "4.1.1"


def test_a_fetch_without_its_marker_is_not_trusted(tmp_path: Path) -> None:
    libs = libs_dir(tmp_path, "4.1.1")
    libs.mkdir(parents=True)
    (libs / "kafka_2.13-4.1.1.jar").write_bytes(b"")
    assert not is_fetched(libs, "4.1.1")
    (libs.parent / ".complete").write_text("4.1.1\n")
    assert is_fetched(libs, "4.1.1")


def test_a_pid_is_ours_only_while_its_command_line_names_our_config() -> None:
    assert not Started(os.getpid(), "/no/such/server.properties").running
    assert not Started(2**22 + 1, "python").running


def test_a_state_dir_refuses_a_different_layout_without_starting_anything(tmp_path: Path) -> None:
    port = free_base_port(29500)
    StateDir(tmp_path).write_record(ClusterRecord("abc", nodes=1, base_port=port))
    with pytest.raises(LocalKafkaError, match="holds a 1-node cluster"):
        LocalKafka(tmp_path).up(nodes=3, base_port=port)


def test_status_of_an_empty_state_dir_records_nothing(tmp_path: Path) -> None:
    report = LocalKafka(tmp_path).status()
    assert report.layout is None
    assert report.nodes == ()
