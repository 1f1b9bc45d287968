"""Generate the committed Python code for protos/ (``make protos``), or check it is fresh.

``python -m jiandu_cli.protogen [--check]``: the code lands beside the kernel package so that the
proto path, the proto package and the Python import agree (protos/jiandu/ingest/v1/ingest.proto →
``jiandu.ingest.v1.ingest_pb2``).
"""

from __future__ import annotations

import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"


def generate(out: Path) -> list[Path]:
    """Run protoc for every .proto into ``out``; returns the generated files, relative to out."""
    include = Path(protoc.__file__).parent / "_proto"
    plugins = Path(sys.executable).parent
    sources = sorted(PROTOS.rglob("*.proto"))
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{include}",
        f"--plugin=protoc-gen-mypy={plugins / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={plugins / 'protoc-gen-mypy_grpc'}",
        f"--python_out={out}",
        f"--mypy_out={out}",
        f"--grpc_python_out={out}",
        f"--mypy_grpc_out={out}",
        *(str(s) for s in sources),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for package in {s.parent.relative_to(PROTOS) for s in sources}:
        # every package level below the kernel's own (jiandu/ingest, jiandu/ingest/v1)
        for level in [package, *package.parents][:-2]:
            (out / level / "__init__.py").touch()
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def main(argv: list[str]) -> int:
    """Write (or with --check, compare) the generated code; 1 when stale."""
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate(Path(tmp))
        stale = [
            rel
            for rel in generated
            if not (ROOT / rel).exists() or not filecmp.cmp(Path(tmp) / rel, ROOT / rel, False)
        ]
        if "--check" in argv:
            for rel in stale:
                print(f"stale generated code: {rel} (run `make protos`)")
            return 1 if stale else 0
        for rel in stale:
            (ROOT / rel).parent.mkdir(parents=True, exist_ok=True)
            (ROOT / rel).write_bytes((Path(tmp) / rel).read_bytes())
            print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
