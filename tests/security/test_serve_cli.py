"""``jiandu serve``: without TLS settings a gRPC service refuses to start, naming the way out;
``--insecure`` is that way, said on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.support.alerts import free_port

pytestmark = pytest.mark.kafka


def serve(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "jiandu"), "serve", *args]
    with log.open("wb") as out:
        return subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out)


def test_plaintext_needs_insecure_on_the_command_line(
    kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "JIANDU_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "JIANDU_KAFKA_TOPIC_PREFIX": project_topics,
        "JIANDU_INGEST_PORT": str(port),
        "JIANDU_INGEST_METRICS_PORT": "0",
        "JIANDU_INGEST_TOKENS": "a-static-test-token=140702-STHJ",
        "JIANDU_INGEST_INSECURE": "false",
    }
    refused = serve(["ingest"], env, tmp_path / "refused.log")
    assert refused.wait(timeout=60) != 0
    assert "JIANDU_INGEST_INSECURE=true" in (tmp_path / "refused.log").read_text()

    served = serve(["ingest", "--insecure"], env, tmp_path / "served.log")
    try:
        deadline = time.monotonic() + 90
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                try:
                    answer = health.Check(health_pb2.HealthCheckRequest(), timeout=2)
                    if answer.status == health_pb2.HealthCheckResponse.SERVING:
                        break
                except grpc.RpcError:
                    pass
                assert served.poll() is None, (tmp_path / "served.log").read_text()
                assert time.monotonic() < deadline, "ingest --insecure never served"
                time.sleep(0.5)
        assert "PLAINTEXT" in (tmp_path / "served.log").read_text()
    finally:
        served.terminate()
        served.wait(timeout=30)
