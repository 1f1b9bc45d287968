"""The fault suite's system: a private 3-node cluster (its own state dir, ``.jiandu/faults/kafka``
by default, and free ports) and the three services as real processes on it: ingest, one or two
rules workers (one consumer group), the alerts service with the suite's supervisors. Torn down by
``close`` whatever happened; a run killed before that leaves the cluster to the next run (which
stops it first) or to ``jiandu kafka down --state-dir .jiandu/faults/kafka``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jiandu.localkafka import LocalKafka
from jiandu_cli.demo_services import wait_serving
from jiandu_cli.sample import department_token_env
from tests.support.alerts import AlertsProcess, free_port, supervisor
from tests.support.faults_plan import FaultPlan
from tests.support.kafka import free_base_port
from tests.support.processes import ServiceProcess
from tests.support.rules import RulesWorker

PREFIX = "f."
NODES = 3
SUPERVISORS = [
    supervisor("city-sf", "V-SF", "SF-140700", "1407"),
    supervisor("county-sf-140702", "V-SF", "SF-140702", "140702"),
    supervisor("city-fz", "H-FZ", "FZ-140700", "1407"),
    supervisor("city-ecology", "V-ZG", "140700-STHJ", "1407"),
]
"""The city justice bureau's vertical channel, one county's, the city's rule-of-law office
(horizontal) and the city ecology bureau (vertical, one domain)."""


class IngestProcess(ServiceProcess):
    """``python -m services.enforcement_ingest`` on a free port with a token for every
    department."""

    def __init__(self, bootstrap: str, workdir: Path) -> None:
        self.port = free_port()
        self.token, env = department_token_env()
        env.update(
            JIANDU_KAFKA_BOOTSTRAP=bootstrap,
            JIANDU_KAFKA_TOPIC_PREFIX=PREFIX,
            JIANDU_INGEST_PORT=str(self.port),
            JIANDU_INGEST_METRICS_PORT="0",
            JIANDU_INGEST_INSECURE="true",  # a test harness on loopback: plaintext, said so
        )
        super().__init__("services.enforcement_ingest", workdir / "ingest.log", env)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"


class Pipeline:
    """The cluster and the services; ``rules`` holds the worker slots (a, b)."""

    def __init__(self, workdir: Path, plan: FaultPlan, state_dir: Path) -> None:
        self.workdir = workdir
        self.plan = plan
        self.kafka = LocalKafka(state_dir, ready_timeout=180.0, stop_timeout=60.0)
        self.bootstrap = ""
        self.ingest: IngestProcess | None = None
        self.alerts: AlertsProcess | None = None
        self.rules: dict[str, RulesWorker] = {}
        self.wanted: set[str] = set()
        """The rules slots that should run (a slot killed on purpose is left out meanwhile)."""
        self.revived: Counter[str] = Counter()
        """Services found dead (not killed by a fault) and started again, by name."""

    @property
    def rules_group(self) -> str:
        return f"{PREFIX}rules"

    @property
    def alerts_group(self) -> str:
        return f"{PREFIX}alerts"

    def up(self) -> None:
        """Start the cluster (RF 3, min ISR 2, unclean election off) and create the topics;
        first stop and wipe what an earlier run left in the state dir."""
        self.kafka.down(wipe=True)
        port = free_base_port(19600, nodes=NODES)
        result = self.kafka.up(
            nodes=NODES, base_port=port, partitions=self.plan.partitions, prefix=PREFIX
        )
        if result.external or result.started != (1, 2, 3):
            raise RuntimeError(f"expected a private 3-node cluster, got {result}")
        self.bootstrap = result.bootstrap

    async def start_services(self) -> None:
        """Ingest, rules worker ``a`` and alerts; wait until ingest and alerts serve."""
        self.ingest = IngestProcess(self.bootstrap, self.workdir).start()
        self.start_rules("a")
        self.alerts = AlertsProcess(self.bootstrap, PREFIX, self.workdir, SUPERVISORS).start()
        await wait_serving(self.ingest.target, None, 180.0)
        await wait_serving(self.alerts.target, None, 180.0)

    def start_rules(self, slot: str) -> RulesWorker:
        """(Re)start the rules worker of ``slot`` on its own data dir (timers off: the expected
        deviations are the event-driven ones)."""
        folder = self.workdir / f"rules-{slot}"
        folder.mkdir(exist_ok=True)
        worker = RulesWorker(
            self.bootstrap, PREFIX, folder, timers="false", partitions=str(self.plan.partitions)
        )
        if self.plan.rules_session_timeout_s is not None:
            worker.env["BROKER_SESSION_TIMEOUT"] = str(self.plan.rules_session_timeout_s)
        self.rules[slot] = worker.start()
        self.wanted.add(slot)
        return worker

    def kill_rules(self, slot: str, restart: bool) -> None:
        """SIGKILL the worker of ``slot``; start it again at once or leave it down."""
        if not restart:
            self.wanted.discard(slot)
        self.rules[slot].kill()
        if restart:
            self.start_rules(slot)

    def revive(self) -> list[str]:
        """Start again every service that died without a fault killing it, as an orchestrator
        would (a rules worker exits when a broker fails while it starts); their names."""
        dead = [f"rules-{slot}" for slot in sorted(self.wanted) if not self.rules[slot].alive()]
        for slot in sorted(self.wanted):
            if not self.rules[slot].alive():
                self.start_rules(slot)
        for name, process in (("ingest", self.ingest), ("alerts", self.alerts)):
            if process is not None and not process.alive():
                dead.append(name)
                process.start()
        self.revived.update(dead)
        return dead

    def services_alive(self) -> dict[str, bool]:
        """Each started service: whether its process still runs."""
        alive = {f"rules-{slot}": w.alive() for slot, w in self.rules.items()}
        if self.ingest:
            alive["ingest"] = self.ingest.alive()
        if self.alerts:
            alive["alerts"] = self.alerts.alive()
        return alive

    def close(self) -> None:
        """Stop every service started here, then the cluster (its data and logs stay in the
        state dir for a post-mortem, until the next run)."""
        for process in (self.ingest, self.alerts, *self.rules.values()):
            if process is not None:
                try:
                    process.stop()
                except Exception:  # keep stopping the rest
                    process.kill()
        self.kafka.down()
