"""LocalKafka: fetch, start, stop and inspect a real Apache Kafka cluster on 127.0.0.1.

One instance manages the cluster recorded in one state dir. It signals only processes it
started (their pids are in the state dir); a broker someone else runs on the port is reused.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from kafka.errors import KafkaError

from jiandu.kafka_security import KafkaSecurity
from jiandu.localkafka import admin, paths, process
from jiandu.localkafka.acls import (
    ALERTS_GROUP,
    RULES_GROUP,
    apply_grants,
    create_users,
    service_grants,
)
from jiandu.localkafka.config import (
    HOST,
    LOG4J2_PROPERTIES,
    ClusterLayout,
    new_cluster_id,
    render_server_properties,
)
from jiandu.localkafka.errors import LocalKafkaError
from jiandu.localkafka.fetch import fetch
from jiandu.localkafka.files import write_private
from jiandu.localkafka.report import ClusterStatus, NodeStatus, UpResult
from jiandu.localkafka.secure import ADMIN, SERVICE_USERS, Secrets, secure_settings
from jiandu.localkafka.state import ClusterRecord, NodeFiles, StateDir
from jiandu.localkafka.storage import format_node
from jiandu.localkafka.toolchain import checked_java, jvm_argv
from jiandu.topics import TOPICS

log = logging.getLogger(__name__)


class LocalKafka:
    """The local cluster kept in ``state_dir`` (default ``<repo>/.jiandu/kafka``)."""

    def __init__(
        self,
        state_dir: Path | None = None,
        *,
        pom: Path | None = None,
        cache_root: Path | None = None,
        heap: str | None = None,
        overrides: Mapping[str, str] | None = None,
        ready_timeout: float = 60.0,
        stop_timeout: float = 30.0,
    ) -> None:
        self.state = StateDir(state_dir or paths.default_state_dir())
        self._pom = pom
        self._cache_root = cache_root or paths.cache_root()
        self._heap = heap
        self._overrides = dict(overrides or {})
        self._ready_timeout = ready_timeout
        self._stop_timeout = stop_timeout

    @property
    def bootstrap(self) -> str:
        """Bootstrap servers of the recorded cluster (every node)."""
        return self._recorded_layout().bootstrap

    @property
    def secrets(self) -> Secrets:
        """The TLS files and passwords of a secure cluster (see :mod:`jiandu.localkafka.secure`)."""
        return Secrets(self.state.secrets)

    def security(self, user: str = ADMIN) -> KafkaSecurity:
        """Client settings for ``user`` of the recorded cluster (plaintext when not secure)."""
        if not self._recorded_layout().secure:
            return KafkaSecurity()
        return self.secrets.security(user)

    def fetch(self) -> Path:
        """The directory of the pinned broker jars, fetched with Maven unless cached."""
        return fetch(self._pom or paths.repo_root() / paths.POM, self._cache_root)

    def up(
        self,
        nodes: int = 1,
        base_port: int = 9092,
        partitions: int = 6,
        prefix: str = "",
        *,
        secure: bool = False,
        groups: tuple[str, str] = (RULES_GROUP, ALERTS_GROUP),
    ) -> UpResult:
        """Start what is not running, wait until it answers, create the project topics.

        Idempotent. A foreign broker answering on ``base_port`` is reused, not started again
        (not in ``secure`` mode). ``secure``: SASL_SSL, SCRAM users and the ACL table for
        ``prefix`` and the (rules app id, alerts group) ``groups``; see docs/kafka.md.
        """
        layout = ClusterLayout(nodes=nodes, base_port=base_port, secure=secure)
        with self.state.lock():
            if not secure and not self._ours_running() and admin.answers_kafka(HOST, base_port):
                return self._reuse(f"{layout.host}:{base_port}", partitions, prefix, nodes)
            record = self._record_for(layout)
            started = self._start_missing(record, layout)
            self._await(layout, layout.indexes)
            if secure:
                self._secure(layout, prefix, groups)
        created = admin.ensure_topics(
            layout.bootstrap,
            TOPICS,
            partitions,
            layout.replication_factor,
            prefix,
            security=self._admin(layout),
        )
        return UpResult(layout.bootstrap, started, tuple(created))

    def _secure(self, layout: ClusterLayout, prefix: str, groups: tuple[str, str]) -> None:
        """Create the service users and their ACLs; write their env files."""
        admin_security = self.secrets.security(ADMIN)
        passwords = {u: self.secrets.password(u).get_secret_value() for u in SERVICE_USERS}
        create_users(layout.bootstrap, admin_security, passwords)
        apply_grants(layout.bootstrap, admin_security, service_grants(prefix, *groups))
        self.secrets.write_env_files(layout.bootstrap, prefix)

    def _admin(self, layout: ClusterLayout) -> KafkaSecurity | None:
        """The admin user's client settings on a secure layout, else None (plaintext)."""
        return self.secrets.security(ADMIN) if layout.secure else None

    def down(self, wipe: bool = False) -> tuple[int, ...]:
        """Stop the nodes this state dir started (SIGTERM, then SIGKILL); their node ids.

        With ``wipe`` also delete their data, so the next ``up`` formats a fresh cluster.
        """
        with self.state.lock():
            record = self.state.read_record()
            stopped = self._stop_all(record.layout) if record else ()
            if wipe:
                self.state.wipe()
        return stopped

    def status(self) -> ClusterStatus:
        """The recorded nodes (pid, alive, answering) and, if any answers, the topics."""
        record = self.state.read_record()
        if record is None:
            return ClusterStatus(self.state.root, None, (), {}, None)
        layout = record.layout
        nodes = tuple(self._node_status(layout, i) for i in layout.indexes)
        answering = ",".join(f"{layout.host}:{n.port}" for n in nodes if n.answering)
        topics, problem = (
            _topics_or_problem(answering, self._admin(layout)) if answering else ({}, None)
        )
        return ClusterStatus(self.state.root, layout, nodes, topics, problem)

    def start_node(self, node_id: int) -> int:
        """Start node ``node_id`` (1..nodes) on its existing data unless it runs; its pid.

        Returns once the node answers (the rest of the cluster may still be catching up).
        """
        with self.state.lock():
            layout = self._recorded_layout()
            index = self._index(layout, node_id)
            proc = self._process(self.state.node(layout, index))
            pid = proc.pid if proc else self._start(layout, index, checked_java(), self.fetch())
        self._await(layout, [index])
        return pid

    def kill_node(self, node_id: int, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send ``sig`` to node ``node_id``; after SIGKILL/SIGTERM wait until it is gone.

        SIGSTOP freezes the node (SIGCONT thaws it) and keeps its pid file.
        """
        layout = self._recorded_layout()
        node = self.state.node(layout, self._index(layout, node_id))
        proc = self._process(node)
        if proc is None or not proc.send(sig):
            raise LocalKafkaError(f"node {node_id} of {self.state.root} is not running")
        if sig in (signal.SIGKILL, signal.SIGTERM):
            if not proc.wait_gone(self._stop_timeout):
                raise LocalKafkaError(f"node {node_id} (pid {proc.pid}) survived {sig.name}")
            node.pid.unlink(missing_ok=True)

    def _record_for(self, layout: ClusterLayout) -> ClusterRecord:
        """The state dir's record, created for ``layout``; refuses a different recorded layout."""
        record = self.state.read_record()
        if record is None:
            record = ClusterRecord(
                new_cluster_id(), layout.nodes, layout.base_port, secure=layout.secure
            )
            self.state.write_record(record)
        elif record.layout != layout:
            raise LocalKafkaError(
                f"{self.state.root} holds a {record.nodes}-node cluster on port {record.base_port}"
                f" ({_kind(record.secure)}); `jiandu kafka down --wipe` it or use another"
                " --state-dir (a secure cluster needs `up --secure` each time)"
            )
        return record

    def _recorded_layout(self) -> ClusterLayout:
        """The recorded layout, or an error when this state dir has never been brought up."""
        record = self.state.read_record()
        if record is None:
            raise LocalKafkaError(f"no cluster recorded in {self.state.root}; run up first")
        return record.layout

    def _reuse(self, bootstrap: str, partitions: int, prefix: str, nodes: int) -> UpResult:
        """Use a broker we did not start: only make sure the topics exist."""
        log.info(
            "a Kafka broker not started from %s answers on %s; reusing it",
            self.state.root,
            bootstrap,
        )
        rf = min(nodes, 3, admin.broker_count(bootstrap))
        created = admin.ensure_topics(bootstrap, TOPICS, partitions, rf, prefix)
        return UpResult(bootstrap, (), tuple(created), external=True)

    def _start_missing(self, record: ClusterRecord, layout: ClusterLayout) -> tuple[int, ...]:
        """Start every node that is not running; their node ids."""
        missing = [i for i in layout.indexes if self._process(self._node(layout, i)) is None]
        if not missing:
            return ()
        for i in missing:
            self._refuse_taken_ports(layout, i)
        java, libs = checked_java(), self.fetch()
        self.state.log4j.write_text(LOG4J2_PROPERTIES, encoding="utf-8")
        if layout.secure:
            self.secrets.ensure()
        scram = self.secrets.scram_argument() if layout.secure else None
        for i in missing:
            self._write_config(layout, i)
            node = self._node(layout, i)
            format_node(java, libs, self.state.log4j, node, record.cluster_id, scram)
        for i in missing:
            self._start(layout, i, java, libs)
        return tuple(layout.node_id(i) for i in missing)

    def _refuse_taken_ports(self, layout: ClusterLayout, index: int) -> None:
        """Fail clearly when a port node ``index`` needs is already served by someone else."""
        for port in (layout.broker_port(index), layout.controller_port(index)):
            if admin.port_open(layout.host, port):
                raise LocalKafkaError(
                    f"port {port} is in use by another process; choose another --port"
                )

    def _write_config(self, layout: ClusterLayout, index: int) -> None:
        """Write node ``index``'s server.properties (rendered afresh each start; mode 0600, since
        in secure mode it holds the admin password)."""
        node = self._node(layout, index)
        node.data.mkdir(parents=True, exist_ok=True)
        overrides = dict(self._overrides)
        if layout.secure:
            overrides = {**secure_settings(layout, index, self.secrets), **overrides}
        text = render_server_properties(layout, index, node.data, overrides)
        write_private(node.properties, text)

    def _start(self, layout: ClusterLayout, index: int, java: Path, libs: Path) -> int:
        """Launch node ``index`` detached and record its pid; the pid."""
        node = self._node(layout, index)
        if not node.properties.is_file():
            self._write_config(layout, index)
        heap = self._heap or ("1g" if layout.nodes == 1 else "768m")
        argv = jvm_argv(java, libs, self.state.log4j, "kafka.Kafka", [str(node.properties)], heap)
        pid = process.spawn(argv, node.log, cwd=node.root)
        node.pid.write_text(f"{pid}\n", encoding="ascii")
        log.info("started Kafka node %d (pid %d), log %s", layout.node_id(index), pid, node.log)
        return pid

    def _await(self, layout: ClusterLayout, indexes: Sequence[int]) -> None:
        """Wait until nodes ``indexes`` answer and are in the metadata; else raise with its log."""
        bootstrap = ",".join(f"{layout.host}:{layout.broker_port(i)}" for i in indexes)
        check = self._checker(layout, indexes)
        security = self._admin(layout)
        if not admin.wait_ready(bootstrap, len(indexes), self._ready_timeout, check, security):
            log_file = self._node(layout, indexes[0]).log
            raise LocalKafkaError(
                f"Kafka at {bootstrap} not ready after {self._ready_timeout:.0f}s; "
                f"{log_file} ends:\n{process.log_tail(log_file)}"
            )

    def _checker(self, layout: ClusterLayout, indexes: Iterable[int]) -> Callable[[], None]:
        """A check that raises, with its log tail, once one of the nodes we started has exited."""
        nodes = [self._node(layout, i) for i in indexes]

        def check() -> None:
            for node in nodes:
                if node.pid.is_file() and self._process(node) is None:
                    tail = process.log_tail(node.log)
                    raise LocalKafkaError(
                        f"Kafka {node.root.name} exited; {node.log} ends:\n{tail}"
                    )

        return check

    def _ours_running(self) -> bool:
        """Whether any node recorded in this state dir runs."""
        record = self.state.read_record()
        if record is None:
            return False
        layout = record.layout
        return any(self._process(self._node(layout, i)) for i in layout.indexes)

    def _stop_all(self, layout: ClusterLayout) -> tuple[int, ...]:
        """Terminate the running nodes together, remove every pid file; the node ids stopped."""
        nodes = [self._node(layout, i) for i in layout.indexes]
        running = {layout.node_id(i): self._process(n) for i, n in enumerate(nodes)}
        procs = [proc for proc in running.values() if proc is not None]
        process.terminate(procs, self._stop_timeout)
        for node in nodes:
            node.pid.unlink(missing_ok=True)
        return tuple(node_id for node_id, proc in running.items() if proc is not None)

    def _node_status(self, layout: ClusterLayout, index: int) -> NodeStatus:
        """The current status of node ``index``."""
        node = self._node(layout, index)
        port = layout.broker_port(index)
        tls = self.secrets.security(ADMIN).ssl_context() if layout.secure else None
        return NodeStatus(
            node_id=layout.node_id(index),
            port=port,
            controller_port=layout.controller_port(index),
            pid=process.read_pid(node.pid),
            alive=self._process(node) is not None,
            answering=admin.answers_kafka(layout.host, port, tls=tls),
        )

    def _node(self, layout: ClusterLayout, index: int) -> NodeFiles:
        """The files of node ``index`` (0-based)."""
        return self.state.node(layout, index)

    def _index(self, layout: ClusterLayout, node_id: int) -> int:
        """The 0-based index of ``node_id``, refusing an id outside the layout."""
        index = node_id - 1
        if index not in layout.indexes:
            raise LocalKafkaError(f"no node {node_id}: the cluster has nodes 1..{layout.nodes}")
        return index

    def _process(self, node: NodeFiles) -> process.Started | None:
        """The node's process if its pid file names one of ours that still runs."""
        pid = process.read_pid(node.pid)
        if pid is None:
            return None
        proc = process.Started(pid, str(node.properties))
        return proc if proc.running else None


def _topics_or_problem(
    bootstrap: str, security: KafkaSecurity | None
) -> tuple[dict[str, int], str | None]:
    """The topics of the cluster, or no topics and why they could not be listed."""
    try:
        return admin.topic_partitions(bootstrap, security), None
    except KafkaError as exc:
        return {}, f"{type(exc).__name__}: {exc}"


def _kind(secure: bool) -> str:
    """How a cluster is described in messages."""
    return "secure: SASL_SSL" if secure else "plaintext"
