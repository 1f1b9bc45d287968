"""``jiandu certs dev``: a local CA, a server certificate and a client certificate (for mTLS).

For the demo, the tests and a laptop; not a production PKI (see docs/tls.md). The certificates are
made by :mod:`jiandu.devcerts`. An existing CA in the output folder is reused (clients that trust
it keep working); ``--new-ca`` replaces it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jiandu.devcerts import DevCerts, write_dev_certs

__all__ = ["DevCerts", "app", "env_lines", "write_dev_certs"]

app = typer.Typer(no_args_is_help=True)


def env_lines(certs: DevCerts, *, mtls: bool = False) -> list[str]:
    """``export`` lines that make both servers use ``certs`` (with ``mtls``: the client CA)."""
    lines = []
    for prefix in ("JIANDU_INGEST_", "JIANDU_ALERTS_"):
        if mtls:
            lines.append(f"export {prefix}TLS_CLIENT_CA_FILE={certs.ca_cert.resolve()}")
        else:
            lines.append(f"export {prefix}TLS_CERT_FILE={certs.server_cert.resolve()}")
            lines.append(f"export {prefix}TLS_KEY_FILE={certs.server_key.resolve()}")
    return lines


@app.command("dev")
def dev(
    out: Annotated[Path, typer.Option(help="folder for the PEM files")] = Path(".jiandu/certs"),
    hosts: Annotated[
        str, typer.Option(help="comma-separated names / IPs the server certificate is valid for")
    ] = "127.0.0.1,localhost",
    days: Annotated[int, typer.Option(min=1, max=825, help="validity of the leaves")] = 365,
    new_ca: Annotated[bool, typer.Option(help="replace an existing CA in --out")] = False,
) -> None:
    """Make a local CA, a server certificate for --hosts and a client certificate (mTLS)."""
    host_list = [h.strip() for h in hosts.split(",") if h.strip()]
    if not host_list:
        raise typer.BadParameter("at least one host", param_hint="--hosts")
    certs = write_dev_certs(out, host_list, days=days, new_ca=new_ca)
    print(f"CA:     {certs.ca_cert}  (key {certs.ca_key})")
    print(f"server: {certs.server_cert}  (key {certs.server_key}) for {', '.join(host_list)}")
    print(f"client: {certs.client_cert}  (key {certs.client_key})")
    print("\n# TLS on both servers:")
    print("\n".join(env_lines(certs)))
    print("# mTLS as well (clients must present a certificate from this CA):")
    print("\n".join(env_lines(certs, mtls=True)))
    print("\n# a client:")
    print(
        f"jiandu publish FILE --ca-file {certs.ca_cert} "
        f"[--client-cert {certs.client_cert} --client-key {certs.client_key}]"
    )
