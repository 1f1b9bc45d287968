"""``jiandu reference load | check | delete``: reference data onto the compacted reference topic.

``load`` validates the whole file first and publishes nothing when any row is bad. Every record
is keyed ``officer:<cert>``, ``enterprise:<uscc>`` or ``inspection_item:<department>:<code>``,
so the topic keeps the latest row per id; ``delete`` writes a tombstone (a null value).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from kafka import KafkaProducer
from kafka.errors import KafkaError
from pydantic import TypeAdapter, ValidationError
from rich.console import Console

from jiandu import topics
from jiandu.events.identifiers import USCC, CertificateNo, DepartmentCode
from jiandu.localkafka.admin import admin_client
from jiandu.reference import Kind, Record, ReferenceFileError, load_file, record_key
from jiandu.reference.models import ItemCodeText
from jiandu.settings import KafkaSettings

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True, highlight=False)

KIND_HEADER = "jiandu_kind"
"""Header naming the record's kind (``officer``, ``enterprise``, ``inspection_item``)."""

Message = tuple[str, bytes | None]
"""(key, value) of one record; value None is a tombstone."""

KindArg = Annotated[Kind, typer.Argument(help="officers | enterprises | inspection-items")]
FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="CSV (header row) or JSON Lines")
]
Bootstrap = Annotated[
    str | None,
    typer.Option(help="host:port[,…] (default: JIANDU_KAFKA_BOOTSTRAP or 127.0.0.1:9092)"),
]
Prefix = Annotated[
    str | None, typer.Option(help="topic prefix (default: JIANDU_KAFKA_TOPIC_PREFIX or none)")
]


@app.command("check")
def check(kind: KindArg, file: FileArg) -> None:
    """Validate FILE only: print every bad row as file:line: reason (exit 1), or a count."""
    records = _valid(kind, file)
    out.print(f"{file}: {len(records)} {kind.value} valid")


@app.command("load")
def load(kind: KindArg, file: FileArg, bootstrap: Bootstrap = None, prefix: Prefix = None) -> None:
    """Validate FILE, then write every row to the reference topic (nothing if a row is bad)."""
    records = _valid(kind, file)
    settings = kafka_settings(bootstrap, prefix)
    messages = [(record_key(r), r.model_dump_json().encode()) for r in records]
    written = _send(settings, kind, messages)
    out.print(f"{written} {kind.value} written to {settings.topic(topics.REFERENCE)}")


@app.command("delete")
def delete(
    kind: KindArg,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="certificate no., USCC, or <department>:<code> for an item"
        ),
    ],
    bootstrap: Bootstrap = None,
    prefix: Prefix = None,
) -> None:
    """Write a tombstone for one record: the rules service forgets it."""
    if problem := id_problem(kind, record_id):
        err.print(f"[red]{record_id}: {problem}")
        raise typer.Exit(1)
    settings = kafka_settings(bootstrap, prefix)
    key = f"{kind.key_prefix}:{record_id}"
    _send(settings, kind, [(key, None)])
    out.print(f"tombstone for {key} written to {settings.topic(topics.REFERENCE)}")


def kafka_settings(bootstrap: str | None, prefix: str | None) -> KafkaSettings:
    """KafkaSettings from the environment, overridden by the options given."""
    settings = KafkaSettings()
    overrides = {"bootstrap": bootstrap, "topic_prefix": prefix}
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def id_problem(kind: Kind, record_id: str) -> str | None:
    """Why ``record_id`` cannot be an id of ``kind``, or None."""
    parts: list[tuple[Any, str]]
    if kind is Kind.OFFICERS:
        parts = [(CertificateNo, record_id)]
    elif kind is Kind.ENTERPRISES:
        parts = [(USCC, record_id)]
    else:
        department, _, code = record_id.partition(":")
        parts = [(DepartmentCode, department), (ItemCodeText, code)]
    try:
        for kind_type, text in parts:
            TypeAdapter(kind_type).validate_python(text)
    except ValidationError as exc:
        return str(exc.errors(include_url=False)[0]["msg"])
    return None


def write_records(settings: KafkaSettings, kind: Kind, messages: Sequence[Message]) -> int:
    """Produce ``messages`` to the reference topic (acks=all, idempotent) and wait for every
    acknowledgement; the number written. Raises KafkaError, or LookupError when the topic does
    not exist (it is compacted, so it is never left to auto-creation)."""
    topic = settings.topic(topics.REFERENCE)
    with admin_client(settings.bootstrap, security=settings.security()) as admin:
        if topic not in admin.list_topics():
            raise LookupError(f"topic {topic} does not exist: create it with `jiandu kafka topics`")
    producer = KafkaProducer(
        bootstrap_servers=settings.bootstrap.split(","),
        client_id=f"{settings.client_id}-reference",
        acks="all",
        enable_idempotence=True,
        max_block_ms=10_000,
        **settings.security().kafka_python(),
    )
    try:
        headers = [(KIND_HEADER, kind.key_prefix.encode())]
        sent = [
            producer.send(topic, key=key.encode(), value=value, headers=headers)
            for key, value in messages
        ]
        producer.flush(timeout=60)
        for future in sent:
            future.get(timeout=60)
    finally:
        producer.close(timeout=10)
    return len(sent)


def _send(settings: KafkaSettings, kind: Kind, messages: Sequence[Message]) -> int:
    try:
        return write_records(settings, kind, messages)
    except (KafkaError, LookupError) as exc:
        err.print(f"[red]nothing confirmed on {settings.bootstrap}: {exc}")
        raise typer.Exit(2) from None


def _valid(kind: Kind, file: Path) -> list[Record]:
    """The file's records; every bad row printed and exit 1 when any is bad."""
    try:
        return load_file(kind, file)
    except ReferenceFileError as exc:
        for problem in exc.problems:
            err.print(problem, markup=False, soft_wrap=True)
        err.print(f"[red]{len(exc.problems)} bad rows: nothing published")
        raise typer.Exit(1) from None
