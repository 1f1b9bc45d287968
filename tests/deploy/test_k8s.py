"""deploy/k8s: the kustomize tree builds, validates strictly against the pinned Kubernetes
schemas and keeps the project's rules (jiandu_cli.k8scheck); the checker fails on broken
manifests; and the data the pods mount loads as the services load it. No cluster, no kubectl:
kustomize is installed once into ~/.cache/jiandu/bin with ``go install``."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from jiandu.tokens.keys import load_keys_file
from jiandu.tokens.revocations import load_revocations_file
from jiandu_cli import k8scheck
from services.alerts.policy import load_policy_file
from services.alerts.route_loader import load_routes_file
from services.supervision_rules.catalog.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def built() -> list[Doc]:
    return k8scheck.build(ROOT / k8scheck.OVERLAY)


def _one(docs: list[Doc], kind: str, name: str) -> Doc:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _container(docs: list[Doc], deployment: str) -> Doc:
    container: Doc = _one(docs, "Deployment", deployment)["spec"]["template"]["spec"]["containers"][
        0
    ]
    return container


def _broken(built: list[Doc], change: Callable[[list[Doc]], None]) -> list[str]:
    docs = copy.deepcopy(built)
    change(docs)
    return k8scheck.rule_problems(docs)


def test_the_real_tree_passes_the_checker() -> None:
    problems, count = k8scheck.check(ROOT)
    assert problems == []
    assert count > 0


def test_the_overlay_has_what_the_deployment_needs(built: list[Doc]) -> None:
    kinds = {(d["kind"], d["metadata"]["name"]) for d in built}
    for name in ("enforcement-ingest", "supervision-rules", "alerts"):
        assert ("Deployment", name) in kinds
        assert ("Service", name) in kinds
        assert ("PodDisruptionBudget", name) in kinds
    assert ("HorizontalPodAutoscaler", "supervision-rules") in kinds
    assert ("Namespace", "jiandu") in kinds
    assert {d["metadata"].get("namespace") for d in built if d["kind"] != "Namespace"} == {"jiandu"}
    assert not [d for d in built if d["kind"] == "Secret"]
    assert _one(built, "HorizontalPodAutoscaler", "supervision-rules")["apiVersion"] == (
        "autoscaling/v2"
    )


def test_the_image_is_pinned_to_the_project_version(built: list[Doc]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name in ("enforcement-ingest", "supervision-rules", "alerts"):
        assert _container(built, name)["image"] == f"jiandu:{version}"


def test_grpc_services_probe_grpc_health_on_their_named_port(built: list[Doc]) -> None:
    for name, port in (("enforcement-ingest", 50051), ("alerts", 50052)):
        container = _container(built, name)
        assert {"name": "grpc", "containerPort": port, "protocol": "TCP"} in container["ports"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"] == {"port": port}, (name, probe)
        service = _one(built, "Service", name)
        assert {p["name"] for p in service["spec"]["ports"]} == {"grpc", "metrics"}
    rules = _container(built, "supervision-rules")
    assert rules["readinessProbe"]["httpGet"] == {"path": "/metrics", "port": "metrics"}


def test_secrets_are_references_only(built: list[Doc]) -> None:
    alerts = _container(built, "alerts")
    cursor = next(v for v in alerts["env"] if v["name"] == "JIANDU_ALERTS_CURSOR_KEY")
    assert cursor["valueFrom"]["secretKeyRef"] == {
        "name": "jiandu-alerts-cursor-key",
        "key": "cursor-key",
    }
    doc = (ROOT / "docs" / "k8s.md").read_text(encoding="utf-8")
    assert "kubectl create secret generic jiandu-alerts-cursor-key" in doc
    for name in ("enforcement-ingest", "alerts"):  # signed tokens only: no static token file
        env = {v["name"] for v in _container(built, name)["env"]}
        assert not {v for v in env if v.endswith(("_INGEST_TOKENS_FILE", "_ALERTS_TOKENS_FILE"))}
        assert not {v for v in env if v.endswith(("_INGEST_TOKENS", "_ALERTS_TOKENS"))}


def test_mounted_data_loads_as_the_services_load_it(built: list[Doc], tmp_path: Path) -> None:
    """Lay out every ConfigMap volume as the kubelet would, then load it with the services' own
    loaders: the rules worker's catalog, the alerts routing tree and policy, and both gRPC
    services' token keys and revocation list."""
    configmaps = {d["metadata"]["name"]: d for d in built if d["kind"] == "ConfigMap"}
    paths: dict[str, Path] = {}
    for name in ("supervision-rules", "alerts", "enforcement-ingest"):
        pod = _one(built, "Deployment", name)["spec"]["template"]["spec"]
        container = pod["containers"][0]
        for mount in container["volumeMounts"]:
            volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
            if "configMap" not in volume:
                continue
            data = configmaps[volume["configMap"]["name"]]["data"]
            folder = tmp_path / mount["mountPath"].lstrip("/")
            for item in volume["configMap"]["items"]:
                target = folder / item["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(data[item["key"]], encoding="utf-8")
        for var in container["env"]:
            if var["name"].endswith(("_DIR", "_FILE")) and "value" in var:
                paths[var["name"]] = tmp_path / var["value"].lstrip("/")
    catalog = Catalog.load(paths["JIANDU_RULES_CATALOG_DIR"])
    assert catalog.version == Catalog.load(ROOT / "catalog").version
    assert catalog.items
    load_routes_file(paths["JIANDU_ALERTS_ROUTES_FILE"])
    load_policy_file(paths["JIANDU_ALERTS_POLICY_FILE"])
    for service in ("INGEST", "ALERTS"):
        load_keys_file(paths[f"JIANDU_{service}_TOKEN_KEYS_FILE"])
        revoked = load_revocations_file(paths[f"JIANDU_{service}_REVOKED_TOKENS_FILE"])
        shipped = load_revocations_file(ROOT / "deploy" / "security" / "revoked.yaml")
        assert revoked == shipped


def test_the_checker_fails_a_container_without_resources(tmp_path: Path) -> None:
    """A temp copy of the tree whose ingest container lost its resources fails the CLI."""
    for part in ("deploy/k8s", "deploy/routing", "deploy/alerts", "deploy/security", "catalog"):
        shutil.copytree(ROOT / part, tmp_path / part)
    manifest = tmp_path / "deploy/k8s/base/ingest.yaml"
    docs = list(yaml.safe_load_all(manifest.read_text(encoding="utf-8")))
    del docs[0]["spec"]["template"]["spec"]["containers"][0]["resources"]
    manifest.write_text(yaml.safe_dump_all(docs), encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "jiandu_cli.k8scheck", "--root", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Deployment/enforcement-ingest: container ingest: no resources.limits.memory" in (
        result.stderr
    )


def test_the_checker_fails_a_schema_violation(built: list[Doc]) -> None:
    docs = copy.deepcopy(built)
    _container(docs, "alerts")["readinessProbe"]["grcp"] = {"port": 50052}
    _one(docs, "Deployment", "enforcement-ingest")["spec"]["replicas"] = "two"
    problems = k8scheck.schema_problems(docs)
    assert any("'grcp' was unexpected" in p for p in problems), problems
    assert any("spec.replicas" in p for p in problems), problems


def test_the_checker_fails_a_secret_with_data(built: list[Doc]) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "jiandu-alerts-cursor-key"},
        "data": {"cursor-key": "c2VjcmV0"},
    }
    problems = _broken(built, lambda docs: docs.append(secret))
    assert problems == [
        "Secret/jiandu-alerts-cursor-key: a Secret with data; secrets are created by hand"
    ]


def test_the_checker_fails_a_literal_secret_value(built: list[Doc]) -> None:
    def change(docs: list[Doc]) -> None:
        env = _container(docs, "alerts")["env"]
        var = next(v for v in env if v["name"] == "JIANDU_ALERTS_CURSOR_KEY")
        var.pop("valueFrom")
        var["value"] = "not-in-git"

    assert any("JIANDU_ALERTS_CURSOR_KEY has a literal value" in p for p in _broken(built, change))


def test_the_checker_fails_a_missing_configmap_key(built: list[Doc]) -> None:
    def change(docs: list[Doc]) -> None:
        pod = _one(docs, "Deployment", "alerts")["spec"]["template"]["spec"]
        volume = next(v for v in pod["volumes"] if v["name"] == "routing")
        volume["configMap"]["items"][0]["key"] = "routing.yaml"

    problems = _broken(built, change)
    assert any("has no key 'routing.yaml'" in p for p in problems), problems


def test_the_checker_fails_an_unmounted_catalog_file(built: list[Doc]) -> None:
    def change(docs: list[Doc]) -> None:
        pod = _one(docs, "Deployment", "supervision-rules")["spec"]["template"]["spec"]
        volume = next(v for v in pod["volumes"] if v["name"] == "catalog")
        volume["configMap"]["items"].pop()

    problems = _broken(built, change)
    assert any("catalog file calendar/cn-workdays.yaml" in p for p in problems), problems


def test_the_checker_fails_an_unknown_setting(built: list[Doc]) -> None:
    def change(docs: list[Doc]) -> None:
        _container(docs, "enforcement-ingest")["env"].append(
            {"name": "JIANDU_INGEST_TLS_CERT", "value": "/x"}
        )

    problems = _broken(built, change)
    assert any("JIANDU_INGEST_TLS_CERT is not a setting of IngestSettings" in p for p in problems)


def test_the_checker_fails_weak_security_and_missing_probes(built: list[Doc]) -> None:
    def change(docs: list[Doc]) -> None:
        container = _container(docs, "supervision-rules")
        container["securityContext"]["readOnlyRootFilesystem"] = False
        container["securityContext"]["capabilities"] = {"drop": ["NET_RAW"]}
        del container["livenessProbe"]

    problems = _broken(built, change)
    where = "Deployment/supervision-rules: container rules"
    assert f"{where}: securityContext: readOnlyRootFilesystem is not true" in problems
    assert f"{where}: securityContext: capabilities do not drop ALL" in problems
    assert f"{where}: no livenessProbe" in problems


def test_the_checker_fails_rules_replicas_beyond_partitions(built: list[Doc]) -> None:
    def change(docs: list[Doc]) -> None:
        _one(docs, "HorizontalPodAutoscaler", "supervision-rules")["spec"]["maxReplicas"] = 12

    problems = _broken(built, change)
    assert any("maxReplicas 12 exceeds JIANDU_RULES_PARTITIONS=6" in p for p in problems)
