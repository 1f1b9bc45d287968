"""`.ci/run` warms the Go tools at the versions the code pins, so the warm-up is never wasted;
it runs the suite, then the bounded fault suite within 15 minutes."""

from __future__ import annotations

import re
from pathlib import Path

from jiandu_cli.k8scheck import KUSTOMIZE_MODULE, KUSTOMIZE_VERSION
from tests.integration_docs.test_examples import GRPCURL_MODULE, GRPCURL_VERSION

CI_RUN = Path(__file__).resolve().parents[2] / ".ci" / "run"


def test_ci_warms_the_pinned_go_tools() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    assert f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}" in script
    assert f"{GRPCURL_MODULE}@{GRPCURL_VERSION}" in script


def test_ci_calls_the_readme_test_command() -> None:
    assert "\nmake test\n" in CI_RUN.read_text(encoding="utf-8")


def test_ci_runs_the_bounded_fault_suite_after_the_suite_within_15_minutes() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    bounded = r"\ntimeout --kill-after=(\d+) (\d+) make test-faults FAULTS_SCALE=ci\n"
    found = re.search(bounded, script)
    assert found, "the bounded fault suite, under timeout"
    assert script.index("\nmake test\n") < found.start()
    assert int(found[1]) + int(found[2]) <= 15 * 60
