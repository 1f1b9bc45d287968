"""Publish enforcement events to jiandu's IngestService, as a department's system would.

Reads events from a JSON Lines file (one EnforcementEvent per line, docs/events.md), sends them
in batches with a department token, and prints one line per event, with its line number in
the file (a rejected event may have no readable ``event_id``):

    accepted  line 1 evt-0001  partition=2 offset=17
    duplicate line 1 evt-0001
    rejected  line 2 -  payload.fine_yuan: Input should be greater than or equal to 0 [...]

then a total line ``accepted=N duplicate=N rejected=N``. Exit status: 0 when nothing was
rejected, 1 when something was, 2 when the call failed (wrong token, service unreachable).

    python examples/integration/publish.py events.jsonl --target 127.0.0.1:50051 --token "$TOKEN"
    python examples/integration/publish.py events.jsonl --target ingest.example:443 --ca-file ca.pem

The token may also come from ``$JIANDU_TOKEN``, the target from ``$JIANDU_INGEST_TARGET``.
A failed batch (UNAVAILABLE, DEADLINE_EXCEEDED) is sent again unchanged: events that were
already written come back as duplicates, so retrying is always safe. See docs/integration.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import grpc

from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc

RETRIABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
STATUS_NAMES = {
    ingest_pb2.STATUS_ACCEPTED: "accepted",
    ingest_pb2.STATUS_DUPLICATE: "duplicate",
    ingest_pb2.STATUS_REJECTED: "rejected",
}


def open_channel(target: str, ca_file: Path | None) -> grpc.Channel:
    """TLS when a CA file is given (the server certificate must chain to it), else plaintext."""
    if ca_file is None:
        return grpc.insecure_channel(target)
    credentials = grpc.ssl_channel_credentials(root_certificates=ca_file.read_bytes())
    return grpc.secure_channel(target, credentials)


def batches(lines: Sequence[bytes], size: int) -> Iterator[tuple[int, list[bytes]]]:
    """(number of the first line, counting from 1, and the lines) per batch."""
    for start in range(0, len(lines), size):
        yield start + 1, list(lines[start : start + size])


def publish_batch(
    stub: ingest_pb2_grpc.IngestServiceStub,
    events: list[bytes],
    token: str,
    retries: int = 5,
) -> ingest_pb2.PublishResponse:
    """One Publish call; UNAVAILABLE and DEADLINE_EXCEEDED are retried with the same batch."""
    request = ingest_pb2.PublishRequest(events=events)
    metadata = (("authorization", f"Bearer {token}"),)
    for attempt in range(retries + 1):
        try:
            response: ingest_pb2.PublishResponse = stub.Publish(
                request, metadata=metadata, timeout=60
            )
            return response
        except grpc.RpcError as error:
            if error.code() not in RETRIABLE or attempt == retries:
                raise
            time.sleep(2**attempt)
    raise AssertionError("unreachable")


def describe(outcome: ingest_pb2.EventOutcome, first_line: int) -> str:
    """One outcome as a line; ``first_line`` is the file line of the batch's first event."""
    status = STATUS_NAMES.get(outcome.status, "unknown")
    line = f"{status:9} line {first_line + outcome.index} {outcome.event_id or '-'}"
    if outcome.status == ingest_pb2.STATUS_ACCEPTED:
        line += f"  partition={outcome.partition} offset={outcome.offset}"
    for error in outcome.errors:
        where = f"{error.field}: " if error.field else ""
        line += f"  {where}{error.reason} [{error.code}]"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=Path, help="JSON Lines file, one event per line")
    parser.add_argument(
        "--target", default=os.environ.get("JIANDU_INGEST_TARGET", "127.0.0.1:50051")
    )
    parser.add_argument("--token", default=os.environ.get("JIANDU_TOKEN"))
    parser.add_argument("--ca-file", type=Path, help="PEM CA of the server certificate: TLS")
    parser.add_argument("--batch-size", type=int, default=500, help="events per call (≤ 1000)")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set JIANDU_TOKEN")

    lines = args.events.read_bytes().splitlines()
    if not lines:
        parser.error(f"{args.events} holds no events")
    totals = {"accepted": 0, "duplicate": 0, "rejected": 0}
    with open_channel(args.target, args.ca_file) as channel:
        stub = ingest_pb2_grpc.IngestServiceStub(channel)
        for first_line, batch in batches(lines, args.batch_size):
            try:
                response = publish_batch(stub, batch, args.token)
            except grpc.RpcError as error:
                code, details = error.code(), error.details()
                print(f"failed: {code.name}: {details}", file=sys.stderr)
                return 2
            for outcome in response.outcomes:
                print(describe(outcome, first_line))
            totals["accepted"] += response.accepted
            totals["duplicate"] += response.duplicate
            totals["rejected"] += response.rejected
    print(" ".join(f"{name}={count}" for name, count in totals.items()))
    return 1 if totals["rejected"] else 0


if __name__ == "__main__":
    sys.exit(main())
