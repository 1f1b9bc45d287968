"""``jiandu kafka up|down|status|topics|env``: the local Apache Kafka broker (KRaft), for people."""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from kafka.errors import KafkaError
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from jiandu.localkafka import (
    ClusterStatus,
    LocalKafka,
    LocalKafkaError,
    UpResult,
    answers_kafka,
    broker_count,
    ensure_topics,
    topic_partitions,
)
from jiandu.localkafka.acls import ALERTS_GROUP, RULES_GROUP
from jiandu.localkafka.config import HOST
from jiandu.localkafka.secure import USERS
from jiandu.settings import KafkaSettings
from jiandu.topics import TOPICS

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True)

StateDir = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        envvar="JIANDU_KAFKA_STATE_DIR",
        help="Configs, data, logs and pids of the cluster (default: <repo>/.jiandu/kafka).",
    ),
]
Partitions = Annotated[
    int, typer.Option("--partitions", min=1, help="Partitions of each project topic.")
]
Prefix = Annotated[str, typer.Option("--prefix", help="Prefix for the project topic names.")]


@app.callback()
def _logging(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False,
) -> None:
    """Run the local Apache Kafka broker (KRaft); see docs/kafka.md."""
    handler = RichHandler(console=err, show_path=False, show_time=False)
    logging.basicConfig(level=logging.WARNING, handlers=[handler], format="%(message)s")
    logging.getLogger("jiandu").setLevel(logging.DEBUG if verbose else logging.INFO)


@contextmanager
def _failing() -> Iterator[None]:
    """Turn an expected failure into a red message and exit status 1."""
    try:
        yield
    except (LocalKafkaError, KafkaError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None


def _one_or_three(nodes: int) -> int:
    """Typer callback: a local cluster has 1 node, or 3 for fault tests."""
    if nodes not in (1, 3):
        raise typer.BadParameter("use 1 (a single broker) or 3 (a KRaft cluster)")
    return nodes


@app.command()
def up(
    nodes: Annotated[
        int,
        typer.Option("--nodes", callback=_one_or_three, help="1, or 3 for a 3-node KRaft cluster."),
    ] = 1,
    port: Annotated[
        int, typer.Option("--port", help="Broker port of node 1 (nodes 2, 3 use the next ones).")
    ] = 9092,
    partitions: Partitions = 6,
    prefix: Prefix = "",
    heap: Annotated[
        str | None,
        typer.Option("--heap", help="JVM -Xmx per node (default: 1g; 768m each for 3 nodes)."),
    ] = None,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="SASL_SSL with SCRAM users per service and ACLs (see docs/kafka.md).",
        ),
    ] = False,
    rules_app_id: Annotated[
        str, typer.Option("--rules-app-id", help="--secure: rules app id (group, topic prefix).")
    ] = RULES_GROUP,
    alerts_group: Annotated[
        str, typer.Option("--alerts-group", help="--secure: the alerts consumer group.")
    ] = ALERTS_GROUP,
    state_dir: StateDir = None,
) -> None:
    """Fetch (once), start and wait for the broker(s), then create the project topics."""
    with _failing():
        kafka = LocalKafka(state_dir, heap=heap)
        with err.status("starting Kafka…"):
            result = kafka.up(
                nodes=nodes,
                base_port=port,
                partitions=partitions,
                prefix=prefix,
                secure=secure,
                groups=(rules_app_id, alerts_group),
            )
        _print_up(result, kafka.state.root)
        if secure:
            out.print(
                f"Secure: SASL_SSL, users {', '.join(USERS)}; credentials in "
                f"{kafka.secrets.root} (0600). A service's settings: "
                '[bold]eval "$(jiandu kafka env --service ingest)"[/]'
            )


def _print_up(result: UpResult, state_dir: Path) -> None:
    """Say what ``up`` did."""
    if result.external:
        out.print(
            f"[yellow]A Kafka broker not started from {state_dir} already answers on "
            f"{result.bootstrap}; reusing it.[/]"
        )
    elif result.started:
        out.print(f"Started node(s) {', '.join(map(str, result.started))} from {state_dir}.")
    else:
        out.print(f"Already running from {state_dir}.")
    created = ", ".join(result.created_topics) or "none (all existed)"
    out.print(f"[green]Kafka is up[/] at [bold]{result.bootstrap}[/]; topics created: {created}")


@app.command()
def down(
    wipe: Annotated[
        bool, typer.Option("--wipe", help="Also delete the data (the next up starts empty).")
    ] = False,
    state_dir: StateDir = None,
) -> None:
    """Stop the broker(s) this state dir started; other brokers are left alone."""
    with _failing():
        kafka = LocalKafka(state_dir)
        stopped = kafka.down(wipe=wipe)
    if stopped:
        out.print(f"Stopped node(s) {', '.join(map(str, stopped))} of {kafka.state.root}.")
    else:
        out.print(f"Nothing was running from {kafka.state.root}.")
    if wipe:
        out.print(f"Deleted the cluster data in {kafka.state.root}.")


@app.command()
def status(
    port: Annotated[
        int, typer.Option("--port", help="Port to probe when this state dir records no cluster.")
    ] = 9092,
    state_dir: StateDir = None,
) -> None:
    """Show each node (pid, ports, alive, answering) and the topics; exit 1 if none answers."""
    with _failing():
        report = LocalKafka(state_dir).status()
        if report.layout is None:
            _print_unrecorded(report, port)
            return
        _print_nodes(report)
        _print_topics(report.topics)
        if report.topics_problem:
            out.print(f"[yellow]Topics not listed:[/] {report.topics_problem}", highlight=False)
    if not all(node.answering for node in report.nodes):
        raise typer.Exit(1)


def _print_unrecorded(report: ClusterStatus, port: int) -> None:
    """Status when this state dir has no cluster: is some other broker on ``port``?"""
    out.print(f"No cluster recorded in {report.state_dir}.")
    if not answers_kafka(HOST, port):
        out.print(f"Nothing answers on {HOST}:{port}.")
        raise typer.Exit(1)
    out.print(f"[yellow]A broker not started from there answers on {HOST}:{port}.[/]")
    _print_topics(topic_partitions(f"{HOST}:{port}"))


def _print_nodes(report: ClusterStatus) -> None:
    """The node table."""
    table = Table(title=f"Kafka nodes ({report.state_dir})")
    for column in ("node", "pid", "port", "controller", "alive", "answering"):
        table.add_column(column)
    for node in report.nodes:
        table.add_row(
            str(node.node_id),
            str(node.pid or "-"),
            str(node.port),
            str(node.controller_port),
            _yes_no(node.alive),
            _yes_no(node.answering),
        )
    out.print(table)


def _print_topics(topics: dict[str, int]) -> None:
    """The topic table (internal topics included)."""
    if not topics:
        out.print("No topics (or no broker answering).")
        return
    table = Table(title="Topics")
    table.add_column("topic")
    table.add_column("partitions", justify="right")
    for name, count in topics.items():
        table.add_row(name, str(count))
    out.print(table)


def _yes_no(flag: bool) -> str:
    """A coloured yes / no cell."""
    return "[green]yes[/]" if flag else "[red]no[/]"


@app.command()
def env(
    service: Annotated[
        str,
        typer.Option("--service", help=f"Whose settings: one of {', '.join(USERS)}."),
    ],
    state_dir: StateDir = None,
) -> None:
    """Print ``export JIANDU_KAFKA_*`` lines (password included) for a service of a secure
    cluster; meant for ``eval "$(jiandu kafka env --service ingest)"``, never for logs."""
    with _failing():
        if service not in USERS:
            raise ValueError(f"no user {service!r}; users: {', '.join(USERS)}")
        kafka = LocalKafka(state_dir)
        if not kafka.security().secure:
            raise ValueError(f"the cluster of {kafka.state.root} is not secure (`up --secure`)")
        path = kafka.secrets.env_file(service)
        for line in path.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            print(f"export {key}={shlex.quote(value)}")


@app.command()
def topics(
    bootstrap: Annotated[
        str,
        typer.Option(
            "--bootstrap",
            envvar="JIANDU_KAFKA_BOOTSTRAP",
            help="Bootstrap servers of an existing cluster.",
        ),
    ] = f"{HOST}:9092",
    partitions: Partitions = 6,
    prefix: Prefix = "",
    replication_factor: Annotated[
        int | None,
        typer.Option(
            "--replication-factor", help="Replicas per partition (default: min(brokers, 3))."
        ),
    ] = None,
) -> None:
    """Create the project topics on any cluster (e.g. one you run yourself); existing ones stay.

    Authenticates as ``JIANDU_KAFKA_SECURITY_PROTOCOL`` / ``_SASL_*`` / ``_SSL_CAFILE`` say."""
    with _failing():
        security = KafkaSettings().security()
        rf = replication_factor or min(3, broker_count(bootstrap, security))
        created = ensure_topics(bootstrap, TOPICS, partitions, rf, prefix, security=security)
    out.print(f"Topics created on {bootstrap}: {', '.join(created) or 'none (all existed)'}")
