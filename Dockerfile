# syntax=docker/dockerfile:1
# One image for the three jiandu services; docker-compose.yml (or a pod spec) picks the service:
#   python -m services.enforcement_ingest | services.supervision_rules | services.alerts
# See docs/compose.md.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# --- builder: the project and its extras installed into a venv --------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY jiandu ./jiandu
COPY jiandu_cli ./jiandu_cli
COPY services ./services
RUN pip install --upgrade pip \
    && pip install ".[rules,alerts]"

# --- runtime: the venv, the code and its data, a non-root user -------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="jiandu" \
      org.opencontainers.image.description="jiandu services: enforcement_ingest, supervision_rules, alerts" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    JIANDU_RULES_DATA_DIR=/var/lib/jiandu/rules

RUN groupadd --system --gid 10001 jiandu \
    && useradd --system --uid 10001 --gid jiandu --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin jiandu \
    && mkdir -p /var/lib/jiandu/rules \
    && chown -R jiandu:jiandu /var/lib/jiandu

COPY --from=builder /opt/venv /opt/venv

# The services find the catalog, the routing tree and the alert policy next to their code
# (services/…/../../catalog, deploy/routing, deploy/alerts), so the source tree is laid out in
# /app as in the repository and /app comes first on sys.path. Owned by root: read-only to the
# service user.
WORKDIR /app
COPY jiandu ./jiandu
COPY services ./services
COPY catalog ./catalog
COPY deploy/routing ./deploy/routing
COPY deploy/alerts ./deploy/alerts
COPY examples/reference ./examples/reference

USER 10001:10001

# gRPC: ingest 50051, alerts 50052; /metrics: ingest 9101, rules 9102, alerts 9103
EXPOSE 50051 50052 9101 9102 9103

CMD ["jiandu", "--help"]
