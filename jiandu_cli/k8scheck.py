"""``python -m jiandu_cli.k8scheck`` (``make k8s-check``): build the Kubernetes manifests of
``deploy/k8s`` with kustomize and check what comes out, offline, without a cluster or kubectl.

1. kustomize (pinned, :data:`KUSTOMIZE_VERSION`) is taken from the cache
   (``~/.cache/jiandu/bin``), or installed there once with ``go install`` through the Go module
   proxy; ``JIANDU_KUSTOMIZE`` names another binary.
2. ``kustomize build --load-restrictor LoadRestrictionsNone`` on the overlay, and on the overlay
   with the optional TLS component: the base generates its ConfigMaps from ``catalog/`` and
   ``deploy/`` (one source for the data), which the default load restrictor would refuse.
3. Every document is validated strictly (no unknown fields) against the JSON schemas of
   Kubernetes :data:`KUBERNETES_VERSION` that the ``kubernetes-validate`` package ships.
4. The project's rules (:func:`rule_problems`): every container has resources, probes and the
   restricted securityContext; images are pinned; no Secret carries data and no secret-like
   variable has a literal value; every ConfigMap (and key) a Deployment uses exists; every
   ``JIANDU_*`` variable is a setting of that service; the catalog ConfigMap holds every file
   the catalog's manifest lists; every Deployment has a PodDisruptionBudget; the rules
   autoscaler stops at the events topic's partition count.

Exit 0 and one summary line when everything holds; otherwise every problem, one a line, exit 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings

KUSTOMIZE_VERSION = "v5.7.1"
KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUBERNETES_VERSION = "1.33.0"
ROOT = Path(__file__).resolve().parents[1]
OVERLAY = Path("deploy/k8s/overlays/jinzhong")
COMPONENTS = (Path("deploy/k8s/components/tls"), Path("deploy/k8s/components/kafka-sasl"))
CATALOG_MANIFEST = Path("catalog/catalog.yaml")
SECRET_WORDS = ("TOKEN", "KEY", "PASSWORD", "SECRET", "CREDENTIAL")

Doc = dict[str, Any]


class CheckError(Exception):
    """kustomize could not be had or could not build."""


# --- kustomize --------------------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jiandu" / "bin"


def kustomize() -> Path:
    """The pinned kustomize binary, installed into the cache on first use."""
    override = os.environ.get("JIANDU_KUSTOMIZE")
    if override:
        return Path(override)
    binary = cache_dir() / f"kustomize-{KUSTOMIZE_VERSION}"
    if binary.is_file():
        return binary
    go = shutil.which("go") or (
        "/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None
    )
    if go is None:
        raise CheckError("kustomize is not cached and Go is not on PATH to install it")
    binary.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kustomize-") as gobin:
        print(f"installing kustomize {KUSTOMIZE_VERSION} with go install ...", file=sys.stderr)
        result = subprocess.run(
            [go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
            env={**os.environ, "GOBIN": gobin},
            cwd=gobin,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            raise CheckError(f"go install kustomize failed:\n{result.stderr}")
        partial = binary.with_name(f"{binary.name}.{os.getpid()}.partial")
        shutil.move(str(Path(gobin) / "kustomize"), partial)
        partial.replace(binary)  # atomic: a concurrent run sees no half-copied binary
    return binary


def build(target: Path, components: Iterable[Path] = ()) -> list[Doc]:
    """``kustomize build`` of ``target`` (plus ``components``), as a list of documents."""
    components = list(components)
    with tempfile.TemporaryDirectory(prefix="k8scheck-") as scratch:
        if components:
            # An overlay of the overlay: the same build plus the components.
            wrapper = {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                # kustomize takes no absolute paths here
                "resources": [os.path.relpath(target.resolve(), scratch)],
                "components": [os.path.relpath(c.resolve(), scratch) for c in components],
            }
            Path(scratch, "kustomization.yaml").write_text(yaml.safe_dump(wrapper))
            target = Path(scratch)
        result = subprocess.run(
            [str(kustomize()), "build", "--load-restrictor", "LoadRestrictionsNone", str(target)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    if result.returncode != 0:
        raise CheckError(f"kustomize build {target} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


# --- schemas ----------------------------------------------------------------------------------


def name_of(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def schema_problems(docs: Iterable[Doc], version: str = KUBERNETES_VERSION) -> list[str]:
    """Strict validation of every document against the Kubernetes ``version`` schemas."""
    import kubernetes_validate  # type: ignore[import-untyped]

    if version not in kubernetes_validate.utils.all_versions():
        raise CheckError(f"kubernetes-validate ships no schemas for Kubernetes {version}")
    problems = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.absolute_path) or "(top)"
            problems.append(f"{name_of(doc)}: {where}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            problems.append(f"{name_of(doc)}: {exc.message}")
    return problems


# --- project rules ----------------------------------------------------------------------------


def _settings() -> dict[str, type[BaseSettings]]:
    from services.alerts.settings import AlertsSettings
    from services.enforcement_ingest.settings import IngestSettings
    from services.supervision_rules.settings import RulesSettings

    return {
        "services.enforcement_ingest": IngestSettings,
        "services.supervision_rules": RulesSettings,
        "services.alerts": AlertsSettings,
    }


def env_names(cls: type[BaseSettings]) -> set[str]:
    """Every variable a settings class reads, nested settings (``kafka``) included."""
    prefix = str(cls.model_config.get("env_prefix", "")).upper()
    names = set()
    for field, info in cls.model_fields.items():
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseSettings):
            names |= env_names(nested)
        else:
            names.add(prefix + field.upper())
    return names


def _containers(deployment: Doc) -> Iterator[tuple[str, Doc]]:
    spec = deployment["spec"]["template"]["spec"]
    for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
        yield f"{name_of(deployment)}: container {container.get('name')}", container


def _security_problems(where: str, pod: Doc, container: Doc) -> list[str]:
    pod_sc = pod.get("securityContext", {})
    sc = container.get("securityContext", {})

    def effective(key: str) -> Any:
        return sc.get(key, pod_sc.get(key))

    problems = []
    if effective("runAsNonRoot") is not True:
        problems.append("runAsNonRoot is not true")
    if sc.get("readOnlyRootFilesystem") is not True:
        problems.append("readOnlyRootFilesystem is not true")
    if sc.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation is not false")
    if sc.get("privileged"):
        problems.append("privileged")
    if "ALL" not in sc.get("capabilities", {}).get("drop", []):
        problems.append("capabilities do not drop ALL")
    if sc.get("capabilities", {}).get("add"):
        problems.append("capabilities are added")
    if (effective("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append("seccompProfile is not RuntimeDefault")
    if effective("runAsUser") == 0:
        problems.append("runs as uid 0")
    return [f"{where}: securityContext: {p}" for p in problems]


def _container_problems(where: str, pod: Doc, container: Doc) -> list[str]:
    problems = _security_problems(where, pod, container)
    resources = container.get("resources", {})
    for part in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if resource not in resources.get(part, {}):
                problems.append(f"{where}: no resources.{part}.{resource}")
    for probe in ("livenessProbe", "readinessProbe"):
        if probe not in container:
            problems.append(f"{where}: no {probe}")
    image = str(container.get("image", ""))
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    if "@sha256:" not in image and tag in ("", "latest"):
        problems.append(f"{where}: image {image!r} is not pinned to a tag or digest")
    mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
    if "/tmp" not in mounts:
        problems.append(f"{where}: no writable /tmp (an emptyDir) on the read-only root")
    return problems


def _env_problems(
    where: str, module: str | None, container: Doc, configmaps: dict[str, Doc]
) -> list[str]:
    problems = []
    names: set[str] = set()
    for var in container.get("env", []):
        names.add(var["name"])
        secret_like = any(w in var["name"].upper() for w in SECRET_WORDS)
        if "value" in var and secret_like and not var["name"].upper().endswith("_FILE"):
            problems.append(f"{where}: {var['name']} has a literal value; use a secretKeyRef")
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref and ref["name"] in configmaps:
            names |= set(configmaps[ref["name"]].get("data", {}))
    settings = _settings()
    if module in settings:
        known = env_names(settings[module])
        for name in sorted(n for n in names if n.startswith("JIANDU_") and n not in known):
            problems.append(f"{where}: {name} is not a setting of {settings[module].__name__}")
    return problems


def _module(container: Doc) -> str | None:
    command = [*container.get("command", []), *container.get("args", [])]
    return command[command.index("-m") + 1] if "-m" in command[:-1] else None


def _configmap_problems(where: str, pod: Doc, container: Doc, cms: dict[str, Doc]) -> list[str]:
    """Every ConfigMap (and every key) the container reads exists in the build."""
    problems = []

    def need(name: str, keys: Iterable[str], optional: bool | None) -> None:
        if name not in cms:
            if not optional:
                problems.append(f"{where}: ConfigMap {name} does not exist")
            return
        have = set(cms[name].get("data", {})) | set(cms[name].get("binaryData", {}))
        problems.extend(
            f"{where}: ConfigMap {name} has no key {key!r}" for key in keys if key not in have
        )

    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            ref = source["configMapRef"]
            need(ref["name"], (), ref.get("optional"))
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("configMapKeyRef")
        if ref:
            need(ref["name"], [ref["key"]], ref.get("optional"))
    mounted = {m["name"] for m in container.get("volumeMounts", [])}
    for volume in pod.get("volumes", []):
        if volume["name"] not in mounted:
            continue
        sources = [volume] + [
            s for s in volume.get("projected", {}).get("sources", []) if "configMap" in s
        ]
        for source in sources:
            if "configMap" in source:
                ref = source["configMap"]
                need(ref["name"], [i["key"] for i in ref.get("items", [])], ref.get("optional"))
    return problems


def _catalog_problems(docs: list[Doc], root: Path) -> list[str]:
    """The rules worker's catalog volume lays out every file that catalog.yaml lists."""
    manifest = yaml.safe_load((root / CATALOG_MANIFEST).read_text(encoding="utf-8"))
    files = manifest["files"]
    wanted = {CATALOG_MANIFEST.name}
    for value in files.values():
        wanted |= set(value) if isinstance(value, list) else {value}
    problems = []
    for doc in docs:
        if doc.get("kind") != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        for where, container in _containers(doc):
            env = {v["name"]: v.get("value") for v in container.get("env", [])}
            catalog_dir = env.get("JIANDU_RULES_CATALOG_DIR")
            if not catalog_dir:
                continue
            mount = next(
                (m for m in container.get("volumeMounts", []) if m["mountPath"] == catalog_dir),
                None,
            )
            volume = mount and next(v for v in pod["volumes"] if v["name"] == mount["name"])
            if not volume or "configMap" not in volume:
                problems.append(f"{where}: {catalog_dir} is not a mounted ConfigMap")
                continue
            laid = {item["path"] for item in volume["configMap"].get("items", [])}
            problems.extend(
                f"{where}: catalog file {path} (listed in {CATALOG_MANIFEST}) is not mounted"
                for path in sorted(wanted - laid)
            )
    return problems


def _selects(selector: Doc, labels: Doc) -> bool:
    wanted = selector.get("matchLabels", {})
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def rule_problems(docs: list[Doc], root: Path = ROOT) -> list[str]:
    """The project's own rules over one build (see the module docstring)."""
    problems = []
    configmaps = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "ConfigMap"}
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    if not deployments:
        problems.append("the build has no Deployment")
    for doc in docs:
        if doc.get("kind") == "Secret" and (doc.get("data") or doc.get("stringData")):
            problems.append(f"{name_of(doc)}: a Secret with data; secrets are created by hand")
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
            problems.append(f"{name_of(deployment)}: shares a host namespace")
        for where, container in _containers(deployment):
            problems += _container_problems(where, pod, container)
            problems += _env_problems(where, _module(container), container, configmaps)
            problems += _configmap_problems(where, pod, container, configmaps)
        labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        if not any(
            d.get("kind") == "PodDisruptionBudget"
            and _selects(d["spec"].get("selector", {}), labels)
            for d in docs
        ):
            problems.append(f"{name_of(deployment)}: no PodDisruptionBudget selects its pods")
    by_name = {d["metadata"]["name"]: d for d in deployments}
    for hpa in (d for d in docs if d.get("kind") == "HorizontalPodAutoscaler"):
        target = by_name.get(hpa["spec"]["scaleTargetRef"]["name"])
        if target is None:
            problems.append(f"{name_of(hpa)}: scales a Deployment that is not in the build")
            continue
        if "replicas" in target["spec"]:
            problems.append(f"{name_of(target)}: sets replicas although {name_of(hpa)} owns them")
        for _, container in _containers(target):
            env = {v["name"]: v.get("value") for v in container.get("env", [])}
            partitions = env.get("JIANDU_RULES_PARTITIONS")
            if partitions and hpa["spec"]["maxReplicas"] > int(partitions):
                problems.append(
                    f"{name_of(hpa)}: maxReplicas {hpa['spec']['maxReplicas']} exceeds"
                    f" JIANDU_RULES_PARTITIONS={partitions}; the extra workers would sit idle"
                )
    problems += _catalog_problems(docs, root)
    return problems


# --- entry point ------------------------------------------------------------------------------


def check(root: Path = ROOT, version: str = KUBERNETES_VERSION) -> tuple[list[str], int]:
    """Build every variant under ``root`` and check it: (problems, documents checked)."""
    variants = [(root / OVERLAY, ()), *((root / OVERLAY, (root / c,)) for c in COMPONENTS)]
    problems = []
    count = 0
    for target, components in variants:
        label = " + ".join(str(p.relative_to(root)) for p in (target, *components))
        docs = build(target, components)
        count += len(docs)
        problems += [f"[{label}] {p}" for p in schema_problems(docs, version)]
        problems += [f"[{label}] {p}" for p in rule_problems(docs, root)]
    return problems, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jiandu_cli.k8scheck", description=__doc__)
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="repository root (default: this one)"
    )
    parser.add_argument("--kubernetes-version", default=KUBERNETES_VERSION)
    parser.add_argument(
        "--print", action="store_true", help="print the overlay's build (YAML) and exit"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        if args.print:
            print(yaml.safe_dump_all(build(root / OVERLAY), sort_keys=False), end="")
            return 0
        problems, count = check(root, args.kubernetes_version)
    except CheckError as exc:
        print(f"k8s-check: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"k8s-check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(
        f"k8s-check: OK, {count} documents (kustomize {KUSTOMIZE_VERSION}, Kubernetes"
        f" {args.kubernetes_version} schemas, strict)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
