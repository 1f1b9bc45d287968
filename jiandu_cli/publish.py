"""``jiandu publish FILE``: send a JSON Lines file of events through the ingest service."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import grpc
import typer
from rich.console import Console
from rich.table import Table

from jiandu.tls import TlsError
from jiandu_cli.ingest_client import IngestClient, Tally

console = Console()


def read_lines(path: Path) -> list[bytes]:
    """The file's non-blank lines as raw bytes (no decoding: the service judges the bytes)."""
    return [line.rstrip(b"\r\n") for line in path.read_bytes().splitlines() if line.strip()]


def publish(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines of events")],
    target: Annotated[str, typer.Option(envvar="JIANDU_INGEST_TARGET")] = "127.0.0.1:50051",
    token: Annotated[
        str, typer.Option(envvar="JIANDU_TOKEN", help="department token", show_default=False)
    ] = "",
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 500,
    allow_rejected: Annotated[
        bool, typer.Option(help="exit 0 even when some events were rejected")
    ] = False,
    ca_file: Annotated[Path | None, typer.Option(help="CA to trust: use TLS")] = None,
    client_cert: Annotated[Path | None, typer.Option(help="client certificate (mTLS)")] = None,
    client_key: Annotated[Path | None, typer.Option(help="client key (mTLS)")] = None,
) -> None:
    """Publish every line of FILE; print accepted / duplicate / rejected and each rejection."""
    lines = read_lines(file)
    try:
        tls = (ca_file, client_cert, client_key)
        tally = asyncio.run(_publish(lines, batch_size, target, token, tls))
    except TlsError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    except grpc.aio.AioRpcError as error:
        console.print(f"[red]publish failed: {error.code().name}: {error.details()}")
        raise typer.Exit(2) from None
    show(file, tally)
    if tally.rejected and not allow_rejected:
        raise typer.Exit(1)


async def _publish(
    lines: list[bytes],
    batch_size: int,
    target: str,
    token: str,
    tls: tuple[Path | None, Path | None, Path | None],
) -> Tally:
    ca_file, client_cert, client_key = tls
    client = IngestClient(
        target, token, ca_file=ca_file, client_cert=client_cert, client_key=client_key
    )
    try:
        return await client.publish_all(lines, batch_size)
    finally:
        await client.close()


def show(file: Path, tally: Tally) -> None:
    """Print the summary and, line by line, why events were rejected."""
    console.print(
        f"{file}: [green]{tally.accepted} accepted[/], [yellow]{tally.duplicate} duplicate[/], "
        f"[red]{tally.rejected} rejected[/]"
    )
    if tally.rejections:
        table = Table("line", "reason", title="rejected (kept in enforcement.events.dlq.v1)")
        for number, reason in tally.rejections:
            table.add_row(str(number), reason)
        console.print(table)
