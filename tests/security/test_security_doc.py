"""docs/security.md names the test behind each claim: every test it names must exist, so the
table cannot drift from the suite."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"


def named_tests(text: str) -> list[tuple[str, str]]:
    """(file name, test name) for every ``file.py::test`` and ``::test`` that follows one."""
    found: list[tuple[str, str]] = []
    current = ""
    for match in re.finditer(r"`([\w/]*test_\w+\.py)?::(test_\w+)`", text):
        current = match.group(1) or current
        found.append((current, match.group(2)))
    return found


def test_every_test_the_security_doc_names_exists() -> None:
    named = named_tests(DOC.read_text(encoding="utf-8"))
    assert len(named) >= 15
    sources = {str(p.relative_to(ROOT)): p.read_text("utf-8") for p in ROOT.glob("tests/**/*.py")}

    def defined(file: str, name: str) -> bool:
        """``name`` is a test of the one file whose path ends with ``file``."""
        (path,) = [path for path in sources if path == file or path.endswith(f"/{file}")]
        return re.search(rf"def {name}\(", sources[path]) is not None

    missing = [f"{file}::{name}" for file, name in named if not defined(file, name)]
    assert not missing, missing


def test_every_file_the_security_doc_names_exists() -> None:
    paths = re.findall(r"`((?:tests|jiandu|services|deploy)/[\w./-]+)`", DOC.read_text("utf-8"))
    assert paths
    assert [p for p in paths if not (ROOT / p.split("::")[0]).exists()] == []
