"""``jiandu token``: mint department tokens and record their hashes in a tokens file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from services.enforcement_ingest.tokens import TokensFile, new_token, token_hash

app = typer.Typer(no_args_is_help=True)


def add_token(tokens_file: Path, name: str, departments: list[str]) -> str:
    """Append a new token for ``departments`` to ``tokens_file`` (created if absent); return it."""
    token = new_token()
    current = (
        yaml.safe_load(tokens_file.read_text("utf-8")) if tokens_file.exists() else {"tokens": []}
    )
    current["tokens"].append(
        {"name": name, "sha256": token_hash(token), "departments": departments}
    )
    TokensFile.model_validate(current)
    tokens_file.parent.mkdir(parents=True, exist_ok=True)
    tokens_file.write_text(yaml.safe_dump(current, allow_unicode=True, sort_keys=False), "utf-8")
    tokens_file.chmod(0o600)
    return token


@app.command("add")
def add(
    name: Annotated[str, typer.Option(help="who holds it (logged; not secret)")],
    department: Annotated[list[str], typer.Option(help="department code it may publish for")],
    tokens_file: Annotated[Path, typer.Option(envvar="JIANDU_INGEST_TOKENS_FILE")] = Path(
        ".jiandu/tokens.yaml"
    ),
) -> None:
    """Mint a token; only its SHA-256 is stored. The token is printed once, on stdout."""
    print(add_token(tokens_file, name, department))
