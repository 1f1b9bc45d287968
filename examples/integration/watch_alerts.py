"""Receive jiandu alerts as a supervisor's client: Subscribe with a resume cursor, and Ack.

    python examples/integration/watch_alerts.py watch --target 127.0.0.1:50052 --token "$TOKEN"
    python examples/integration/watch_alerts.py watch --until-live      # replay, then exit
    python examples/integration/watch_alerts.py ack ALERT_ID --disposition justified --note "…"

``watch`` prints one line per alert change:

    alert 3f2a…  C02 high new v1 region=140702 count=1 罚款低于裁量基准下限

and ``live replayed=N`` once the replay is done; after that, changes arrive as they happen. The
cursor of the last item is saved in ``--cursor-file`` (default ``.watch_alerts.cursor``) after
every alert, at the live marker and on heartbeats; started again, ``watch`` resumes after it and
replays only what changed since. When the stream breaks (UNAVAILABLE, DEADLINE_EXCEEDED,
RESOURCE_EXHAUSTED) it reconnects with backoff from the saved cursor. Refusals
(UNAUTHENTICATED, PERMISSION_DENIED, …) end it with exit status 1. With ``--until-live`` it exits
0 at the live marker, or 2 when the service cannot be reached.

``ack`` acknowledges one alert with a disposition (a note is required unless ``confirmed``).

The token may also come from ``$JIANDU_TOKEN``, the target from ``$JIANDU_ALERTS_TARGET``;
``--ca-file`` makes the channel TLS. See docs/integration.md.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import grpc

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc

RECONNECT = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
)
DISPOSITIONS = {
    "confirmed": pb.DISPOSITION_CONFIRMED,
    "justified": pb.DISPOSITION_JUSTIFIED,
    "data-error": pb.DISPOSITION_DATA_ERROR,
    "referred": pb.DISPOSITION_REFERRED,
}


def open_channel(target: str, ca_file: Path | None) -> grpc.Channel:
    """TLS when a CA file is given (the server certificate must chain to it), else plaintext."""
    if ca_file is None:
        return grpc.insecure_channel(target)
    credentials = grpc.ssl_channel_credentials(root_certificates=ca_file.read_bytes())
    return grpc.secure_channel(target, credentials)


def auth(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


class CursorFile:
    """The resume cursor, kept in a file and replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> str:
        return self.path.read_text("utf-8").strip() if self.path.exists() else ""

    def save(self, cursor: str) -> None:
        if not cursor:
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(cursor, "utf-8")
        os.replace(temporary, self.path)


class Stop:
    """SIGTERM/SIGINT: leave at once while waiting for the server, but only after the item in
    hand is printed *and* its cursor saved — never between the two, so a stop cannot print a
    change and then replay it."""

    def __init__(self) -> None:
        self.requested = False
        self.busy = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if not self.busy:
            raise KeyboardInterrupt

    @contextmanager
    def handling(self) -> Iterator[None]:
        self.busy = True
        try:
            yield
        finally:
            self.busy = False
        if self.requested:
            raise KeyboardInterrupt


def alert_line(alert: pb.Alert) -> str:
    severity = pb.Severity.Name(alert.severity).removeprefix("SEVERITY_").lower()
    state = pb.AlertState.Name(alert.state).removeprefix("ALERT_STATE_").lower()
    return (
        f"alert {alert.alert_id} {alert.check_id} {severity} {state} v{alert.version} "
        f"region={alert.region} count={alert.count} {alert.summary_zh}"
    )


def watch(stub: alerts_pb2_grpc.AlertServiceStub, args: argparse.Namespace, stop: Stop) -> int:
    cursors = CursorFile(args.cursor_file)
    cursor = "" if args.reset else cursors.load()
    request_filter = pb.AlertFilter(check_ids=[c.upper() for c in args.check])
    shown: dict[str, int] = {}  # alert id → newest version printed (drops repeats)
    backoff = 0.5
    while True:
        replayed = 0
        call = stub.Subscribe(
            pb.SubscribeRequest(cursor=cursor, filter=request_filter), metadata=auth(args.token)
        )
        try:
            for item in call:
                with stop.handling():
                    if item.HasField("alert"):
                        replayed += 1
                        if item.alert.version > shown.get(item.alert.alert_id, 0):
                            shown[item.alert.alert_id] = item.alert.version
                            print(alert_line(item.alert), flush=True)
                    elif item.HasField("live"):
                        print(f"live replayed={replayed}", flush=True)
                        backoff = 0.5
                    cursor = item.cursor or cursor
                    cursors.save(cursor)
                if item.HasField("live") and args.until_live:
                    call.cancel()
                    return 0
        except grpc.RpcError as error:
            code, details = error.code(), error.details()
            if code is grpc.StatusCode.CANCELLED:
                return 0
            if code not in RECONNECT:
                print(f"{code.name}: {details}", file=sys.stderr)
                return 1
            if args.until_live:
                print(f"{code.name}: {details}", file=sys.stderr)
                return 2
            print(f"reconnecting in {backoff:.1f} s after {code.name}", file=sys.stderr)
        time.sleep(backoff * random.uniform(0.8, 1.2))
        backoff = min(backoff * 2, 30.0)


def ack(stub: alerts_pb2_grpc.AlertServiceStub, args: argparse.Namespace) -> int:
    request = pb.AckRequest(
        alert_id=args.alert_id, disposition=DISPOSITIONS[args.disposition], note=args.note
    )
    try:
        alert: pb.Alert = stub.Ack(request, metadata=auth(args.token), timeout=30)
    except grpc.RpcError as error:
        code, details = error.code(), error.details()
        print(f"{code.name}: {details}", file=sys.stderr)
        return 2 if code in RECONNECT else 1
    last = alert.history[-1]
    print(f"acknowledged {alert.alert_id} by {last.actor} ({args.disposition}) v{alert.version}")
    return 0


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target", default=os.environ.get("JIANDU_ALERTS_TARGET", "127.0.0.1:50052")
    )
    parser.add_argument("--token", default=os.environ.get("JIANDU_TOKEN"))
    parser.add_argument("--ca-file", type=Path, help="PEM CA of the server certificate: TLS")
    commands = parser.add_subparsers(dest="command", required=True)
    watching = commands.add_parser("watch", help="Subscribe, resuming from the saved cursor")
    watching.add_argument("--cursor-file", type=Path, default=Path(".watch_alerts.cursor"))
    watching.add_argument("--reset", action="store_true", help="ignore the saved cursor")
    watching.add_argument("--until-live", action="store_true", help="exit at the live marker")
    watching.add_argument("--check", action="append", default=[], help="only this check")
    acking = commands.add_parser("ack", help="acknowledge an alert")
    acking.add_argument("alert_id")
    acking.add_argument("--disposition", choices=sorted(DISPOSITIONS), default="confirmed")
    acking.add_argument("--note", default="")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set JIANDU_TOKEN")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)

    stop = Stop()
    signal.signal(signal.SIGTERM, stop)  # a service manager's stop: finish the item and leave
    signal.signal(signal.SIGINT, stop)
    with open_channel(args.target, args.ca_file) as channel:
        stub = alerts_pb2_grpc.AlertServiceStub(channel)
        try:
            return watch(stub, args, stop) if args.command == "watch" else ack(stub, args)
        except KeyboardInterrupt:
            return 0  # the cursor of the last printed item was saved


if __name__ == "__main__":
    sys.exit(main())
