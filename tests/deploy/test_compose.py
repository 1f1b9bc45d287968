"""docker-compose.yml and the Dockerfile, checked without Docker (no engine runs here).

The compose file is validated against the Compose Specification schema that the docker-compose
package on PyPI ships (``compose/config/compose_spec.json``, fetched into the cache folder by
``pip download``; nothing is vendored). The rest are the
project's own rules: pinned images, loopback-only ports, real modules and settings, the topics of
jiandu/topics.py, Prometheus scraping every service, a non-root runtime image.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from jiandu.settings import KafkaSettings
from jiandu.topics import TOPICS
from services.alerts.settings import AlertsSettings
from services.enforcement_ingest.settings import IngestSettings
from services.supervision_rules.settings import RulesSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SCHEMA_WHEEL = "docker-compose==1.29.2"
SCHEMA_MEMBER = "compose/config/compose_spec.json"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jiandu" / "compose"


@functools.cache
def compose_schema() -> dict[str, Any]:
    """The Compose Specification schema from the docker-compose wheel (downloaded once)."""
    wheels = sorted(CACHE.glob("docker_compose-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", SCHEMA_WHEEL, "--no-deps", "-q",
             "-d", str(CACHE)],
            check=True, timeout=300,
        )  # fmt: skip
        wheels = sorted(CACHE.glob("docker_compose-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        schema: dict[str, Any] = json.loads(wheel.read(SCHEMA_MEMBER))
    return schema


PROMETHEUS = ROOT / "deploy" / "compose" / "prometheus.yml"

SETTINGS: dict[str, type[BaseSettings]] = {
    "services.enforcement_ingest": IngestSettings,
    "services.supervision_rules": RulesSettings,
    "services.alerts": AlertsSettings,
}
"""The service module a compose command runs -> the settings class it reads."""

METRICS_PORT_FIELD = {
    "services.enforcement_ingest": "metrics_port",
    "services.supervision_rules": "web_port",
    "services.alerts": "metrics_port",
}

INTERPOLATION = re.compile(r"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services = _compose()["services"]
    assert isinstance(services, dict)
    return services


def _module_of(service: dict[str, Any]) -> str | None:
    """The ``python -m X`` module of a service's command, if it is one."""
    command = service.get("command")
    words = shlex.split(command) if isinstance(command, str) else list(command or [])
    if len(words) >= 3 and words[0] in ("python", "python3") and words[1] == "-m":
        return str(words[2])
    return None


def _jiandu_services() -> dict[str, tuple[str, dict[str, Any]]]:
    """Compose service name -> (module, service) for the services built from the Dockerfile."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, service in _services().items():
        module = _module_of(service)
        if module is not None and module.startswith("services."):
            found[name] = (module, service)
    return found


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def _env_names(cls: type[BaseSettings]) -> set[str]:
    """Every environment variable a settings class reads, nested settings included."""
    prefix = str(cls.model_config.get("env_prefix", "")).upper()
    names: set[str] = set()
    for field_name, field in cls.model_fields.items():
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseSettings):
            names |= _env_names(nested)  # built by its default_factory from its own prefix
        elif isinstance(nested, type) and issubclass(nested, BaseModel):
            pytest.fail(f"{cls.__name__}.{field_name}: nested model, extend _env_names")
        else:
            names.add(prefix + field_name.upper())
    return names


def _ports(service: dict[str, Any]) -> list[tuple[str | None, int]]:
    """(host_ip, published port) of each published port, short or long syntax."""
    out: list[tuple[str | None, int]] = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            published = port.get("published", port["target"])
            out.append((port.get("host_ip"), int(str(published))))
            continue
        parts = str(port).split(":")
        host_ip = parts[0] if len(parts) == 3 else None
        out.append((host_ip, int(parts[-2] if len(parts) >= 2 else parts[-1])))
    return out


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    schema = compose_schema()
    assert schema.get("title") == "Compose Specification"
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(_compose()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )


def test_the_schema_rejects_a_broken_compose_file() -> None:
    """The schema really checks something (guards against an empty or permissive file)."""
    schema = compose_schema()
    broken = {"services": {"x": {"image": "a:1", "ports": [{"published": "80"}], "bogus": 1}}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_every_image_is_pinned() -> None:
    for name, service in _services().items():
        image = service.get("image")
        assert image, f"{name}: no image (a built service still needs a pinned image name)"
        reference = str(image).rsplit("/", 1)[-1]
        if "@sha256:" in reference:
            continue
        assert ":" in reference, f"{name}: {image} has no tag"
        tag = reference.rsplit(":", 1)[1]
        assert tag, f"{name}: {image} has an empty tag"
        assert tag != "latest", f"{name}: {image} is not pinned"


def test_the_built_image_is_tagged_with_the_project_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    version = pyproject["project"]["version"]
    built = {name: s for name, s in _services().items() if "build" in s}
    assert set(built) == set(_jiandu_services())
    for name, service in built.items():
        assert service["image"] == f"jiandu:{version}", name


def test_every_published_port_binds_loopback_only() -> None:
    for name, service in _services().items():
        for host_ip, published in _ports(service):
            assert host_ip == "127.0.0.1", f"{name}: port {published} is published on {host_ip}"


def test_the_three_services_run_existing_modules() -> None:
    modules = {module for module, _ in _jiandu_services().values()}
    assert modules == set(SETTINGS)
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module
        assert importlib.util.find_spec(f"{module}.__main__") is not None, module


def test_every_jiandu_variable_is_a_settings_field() -> None:
    for name, (module, service) in _jiandu_services().items():
        known = _env_names(SETTINGS[module])
        assert "JIANDU_KAFKA_BOOTSTRAP" in known
        env = _environment(service)
        assert env, f"{name}: no environment"
        unknown = sorted(set(env) - known)
        assert not unknown, f"{name} ({module}): not settings of {SETTINGS[module].__name__}"


def test_the_compose_environment_parses_as_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values have the right types (``"true"``, ports, paths) for the settings classes."""
    for name, (module, service) in _jiandu_services().items():
        for variable in _env_names(SETTINGS[module]):
            monkeypatch.delenv(variable, raising=False)
        for variable, value in _environment(service).items():
            monkeypatch.setenv(variable, value)
        settings = SETTINGS[module]()
        kafka = getattr(settings, "kafka", None)
        assert isinstance(kafka, KafkaSettings), name
        assert kafka.bootstrap == "kafka:9092", name
        assert kafka.topic_prefix == "", name  # kafka-init creates the unprefixed names


def test_services_listen_beyond_loopback_and_say_so() -> None:
    """0.0.0.0 inside the network: the gRPC servers need INSECURE (or TLS) to bind it."""
    for name, (module, service) in _jiandu_services().items():
        env = _environment(service)
        for variable, value in env.items():
            if variable.endswith("_HOST"):
                assert value == "0.0.0.0", f"{name}: {variable}={value}"
        if module != "services.supervision_rules":
            prefix = str(SETTINGS[module].model_config["env_prefix"])
            has_tls = f"{prefix}TLS_CERT_FILE" in env
            assert has_tls or env.get(f"{prefix}INSECURE") == "true", name


def test_no_secret_is_written_in_the_compose_file() -> None:
    for name, service in _services().items():
        for variable, value in _environment(service).items():
            secretish = re.search(r"(TOKENS?|KEY|PASSWORD|SECRET)$", variable)
            if secretish and not variable.endswith("_FILE"):
                assert INTERPOLATION.match(value), f"{name}: {variable} must come from .env"
    for name, secret in (_compose().get("secrets") or {}).items():
        path = Path(str(secret["file"]))
        assert path.parts[:2] == (".jiandu", "compose"), f"secret {name} is not under .jiandu/"


def test_services_wait_for_kafka_and_its_topics() -> None:
    for name, (_, service) in _jiandu_services().items():
        depends = service["depends_on"]
        assert depends["kafka"]["condition"] == "service_healthy", name
        assert depends["kafka-init"]["condition"] == "service_completed_successfully", name
    assert "healthcheck" in _services()["kafka"]


def test_kafka_is_the_pinned_official_image_in_kraft_mode() -> None:
    kafka = _services()["kafka"]
    assert kafka["image"] == "apache/kafka:4.1.1"
    env = _environment(kafka)
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]


def test_kafka_init_creates_every_project_topic() -> None:
    script = str(_services()["kafka-init"]["command"][0]).replace("\\\n", " ")
    created: dict[str, dict[str, str]] = {}
    for line in script.splitlines():
        words = shlex.split(line)
        if "--create" not in words:
            continue
        assert "--if-not-exists" in words, line
        assert words[words.index("--partitions") + 1] == str(RulesSettings().partitions)
        topic = words[words.index("--topic") + 1]
        configs = [words[i + 1] for i, word in enumerate(words) if word == "--config"]
        created[topic] = dict(config.split("=", 1) for config in configs)
    assert set(created) == {spec.name for spec in TOPICS}
    for spec in TOPICS:
        expected = dict(spec.configs)
        if spec.compacted:
            expected["cleanup.policy"] = "compact"
        assert created[spec.name] == expected, spec.name


def test_prometheus_scrapes_every_service_metrics_port() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    for name, (module, service) in _jiandu_services().items():
        field = METRICS_PORT_FIELD[module]
        prefix = str(SETTINGS[module].model_config["env_prefix"])
        default = SETTINGS[module].model_fields[field].default
        port = int(_environment(service).get(prefix + field.upper(), default))
        assert f"{name}:{port}" in targets, f"Prometheus does not scrape {name}:{port}"
    mounts = [str(volume) for volume in _services()["prometheus"]["volumes"]]
    assert any(m.startswith("./deploy/compose/prometheus.yml:") for m in mounts)


def test_compose_prometheus_loads_the_same_rules_and_jobs_as_the_host_one() -> None:
    compose = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    host = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text("utf-8"))
    mounts = {
        str(volume).split(":")[1]: str(volume).split(":")[0]
        for volume in _services()["prometheus"]["volumes"]
    }
    for rule_file in compose["rule_files"]:
        folder, name = rule_file.rsplit("/", 1)
        assert folder in mounts, f"{rule_file} is not mounted"
        assert (ROOT / mounts[folder] / name).is_file(), rule_file
    assert sorted(Path(f).name for f in compose["rule_files"]) == sorted(
        Path(f).name for f in host["rule_files"]
    )

    def jobs(config: dict[str, Any]) -> dict[str, Any]:
        return {
            job["job_name"]: [static.get("labels") for static in job["static_configs"]]
            for job in config["scrape_configs"]
        }

    assert jobs(compose).items() >= jobs(host).items()


def test_grafana_has_a_provisioned_prometheus_datasource() -> None:
    provisioning = ROOT / "deploy" / "compose" / "grafana" / "provisioning"
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    for dashboard in (ROOT / "deploy" / "compose" / "grafana" / "dashboards").glob("*.json"):
        assert json.loads(dashboard.read_text(encoding="utf-8"))["uid"], dashboard


def test_every_mounted_repo_file_exists() -> None:
    for name, service in _services().items():
        for volume in service.get("volumes") or []:
            source = str(volume).split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source} is not in the repository"


def test_paths_given_to_the_services_are_in_the_image() -> None:
    """``/app/X`` in the environment is the repository's X, copied by the Dockerfile."""
    copied = set(re.findall(r"^COPY (?!--from)(\S+) ", DOCKERFILE.read_text(), re.MULTILINE))
    for name, (_, service) in _jiandu_services().items():
        for variable, value in _environment(service).items():
            if value.startswith("/app/"):
                relative = value.removeprefix("/app/")
                assert (ROOT / relative).exists(), f"{name}: {variable}={value}"
                assert any(relative == c or relative.startswith(c + "/") for c in copied), value


def _stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuations joined), split into stages."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_dockerfile_is_multi_stage_on_a_pinned_base() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.MULTILINE))
    stages = _stages()
    assert len(stages) >= 2
    for stage in stages:
        base = stage[0].split()[1]
        base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
        assert base.startswith("python:3.11"), base
        assert ":" in base, base
        assert not base.endswith(":latest"), base
    assert any(line.startswith("COPY --from=builder /opt/venv") for line in stages[-1])


def test_dockerfile_runtime_stage_runs_as_a_non_root_user() -> None:
    users = [line.split()[1] for line in _stages()[-1] if line.upper().startswith("USER ")]
    assert users, "the runtime stage sets no USER (it would run as root)"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]


def test_dockerignore_lets_in_what_the_dockerfile_copies() -> None:
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    for stage in _stages():
        for line in stage:
            if line.startswith("COPY ") and "--from=" not in line:
                for source in line.split()[1:-1]:
                    assert source in allowed, f"{source} is copied but .dockerignore excludes it"
                    assert (ROOT / source).exists(), source
