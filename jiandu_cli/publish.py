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


BOM = b"\xef\xbb\xbf"


def read_numbered_lines(path: Path) -> list[tuple[int, bytes]]:
    """The file's non-blank lines as (line number in the file, raw bytes); no decoding, the
    service judges the bytes. A UTF-8 byte order mark at the start of the file is dropped."""
    data = path.read_bytes().removeprefix(BOM)
    return [(n, line) for n, line in enumerate(data.splitlines(), start=1) if line.strip()]


def read_lines(path: Path) -> list[bytes]:
    """The file's non-blank lines as raw bytes (see ``read_numbered_lines``)."""
    return [line for _, line in read_numbered_lines(path)]


def number_by_line(tally: Tally, numbered: list[tuple[int, bytes]]) -> Tally:
    """``tally`` with each rejection numbered by its line in the file, not its input position
    (they differ once blank lines were skipped)."""
    tally.rejections = [(numbered[n - 1][0], reason) for n, reason in tally.rejections]
    return tally


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
    numbered = read_numbered_lines(file)
    lines = [line for _, line in numbered]
    try:
        tls = (ca_file, client_cert, client_key)
        tally = number_by_line(
            asyncio.run(_publish(lines, batch_size, target, token, tls)), numbered
        )
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
