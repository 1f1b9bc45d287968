"""Editing the token data files (keys, revocations) safely: each edit is validated whole, then
written to a temporary file beside the target and renamed over it, so a server that re-reads
the file never sees half of an edit."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def replace_file(path: Path, text: str, check: Callable[[bytes, str], object]) -> None:
    """Write ``text`` to ``path`` atomically after ``check(bytes, name)`` accepted it (it
    raises otherwise, and nothing is written). The file keeps its mode (new: 0644)."""
    raw = text.encode()
    check(raw, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (PEM keys) as ``|`` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def dump_yaml(data: Any, header: str = "") -> str:
    """``data`` as block YAML (PEM blocks kept readable), after ``header`` comment lines."""
    body = yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False)
    return header + body
