"""deploy/compose/grafana/dashboards/jiandu.json: a well-formed Grafana dashboard on the
provisioned Prometheus datasource whose every query names only metrics that really exist.

"Exist" means: exposed by the services' own metrics classes (``services/*/metrics.py``), by
faust's Prometheus sensor under the prefix the rules app gives it, by Prometheus itself (``up``),
or recorded by ``deploy/prometheus/rules/recording.yml``. promtool parses every query, so a
syntax error fails here too. No broker, no Grafana.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from jiandu_cli import metricsdoc
from tests.deploy.test_prometheus import PROMETHEUS_DIR, ROOT, _promtool

GRAFANA_DIR = ROOT / "deploy" / "compose" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "jiandu.json"
DATASOURCES = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml"
RULES_APP = ROOT / "services" / "supervision_rules" / "app.py"

# Series Prometheus adds to every scrape target, and the labels its scrape config attaches.
PROMETHEUS_SERIES = {"up"}
TARGET_LABELS = {"job", "instance", "service"}

# Grafana's built-in interval variables, replaced by a duration before promtool parses a query.
GRAFANA_INTERVALS = re.compile(r"\$(?:__rate_interval|__interval|__range)\b|\$\{__\w+\}")

# --- PromQL vocabulary (Prometheus 3.x) -----------------------------------------------------

_AGGREGATIONS = """sum min max avg group stddev stdvar count count_values bottomk topk quantile
limitk limit_ratio"""
_FUNCTIONS = """abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil
changes clamp clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year
days_in_month deg delta deriv double_exponential_smoothing exp floor histogram_avg histogram_count
histogram_fraction histogram_quantile histogram_stddev histogram_stdvar histogram_sum holt_winters
hour idelta increase info irate label_join label_replace last_over_time ln log10 log2
mad_over_time max_over_time min_over_time minute month pi predict_linear present_over_time
quantile_over_time rad rate resets round scalar sgn sin sinh sort sort_by_label
sort_by_label_desc sort_desc sqrt stddev_over_time stdvar_over_time sum_over_time tan tanh time
timestamp vector year start end"""
# Keywords followed by a parenthesised label list (skipped: those are label names).
_GROUPING = "by without on ignoring group_left group_right"
_KEYWORDS = "and or unless offset bool atan2 inf nan"
AGGREGATIONS = frozenset(_AGGREGATIONS.split())
FUNCTIONS = frozenset(_FUNCTIONS.split())
GROUPING = frozenset(_GROUPING.split())
KEYWORDS = GROUPING | frozenset(_KEYWORDS.split())

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<duration>(?:\d+(?:ms|[smhdwy]))+)
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<variable>\$\{[^}]*\}|\$\w+)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<punct>=~|!~|!=|==|<=|>=|[-+*/%^<>=@(){}\[\],:])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Selector:
    """A metric named in a query, with the label names its matchers use."""

    metric: str
    labels: frozenset[str]


def _tokens(expr: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(expr):
        match = _TOKEN.match(expr, position)
        if match is None:
            raise ValueError(f"cannot tokenize {expr[position:]!r} in {expr!r}")
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append((kind, match.group()))
        position = match.end()
    return tokens


def _skip_group(tokens: list[tuple[str, str]], start: int, close: str) -> int:
    """Index after the token closing the group opened at ``start`` (strings never count)."""
    opener = tokens[start][1]
    depth = 0
    for index in range(start, len(tokens)):
        kind, text = tokens[index]
        if kind == "punct" and text == opener:
            depth += 1
        elif kind == "punct" and text == close:
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError(f"unbalanced {opener!r}")


def selectors(expr: str) -> list[Selector]:
    """The metrics a PromQL expression reads.

    Skips functions and aggregations (an identifier followed by ``(`` must be a known one),
    keywords, the label lists of ``by``/``without``/``on``/``ignoring``/``group_*``, label
    matchers (their label names are returned with the metric), ranges and string literals.
    """
    tokens = _tokens(expr)
    found: list[Selector] = []
    index = 0
    while index < len(tokens):
        kind, text = tokens[index]
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if kind == "punct" and text == "[":
            index = _skip_group(tokens, index, "]")
        elif kind == "punct" and text == "{":  # a selector without a metric name
            end = _skip_group(tokens, index, "}")
            labels = {t for k, t in tokens[index:end] if k == "ident"}
            if "__name__" in labels:
                raise ValueError(f"{{__name__=...}} selectors are not supported: {expr!r}")
            index = end
        elif kind != "ident":
            index += 1
        elif text in GROUPING and following == "(":
            index = _skip_group(tokens, index + 1, ")")
        elif text in KEYWORDS or text in AGGREGATIONS:
            index += 1
        elif following == "(":
            if text not in FUNCTIONS:
                raise ValueError(f"unknown PromQL function {text!r} in {expr!r}")
            index += 1
        else:
            labels = set()
            index += 1
            if following == "{":
                end = _skip_group(tokens, index, "}")
                matcher = tokens[index + 1 : end - 1]
                labels = {
                    name
                    for position, (k, name) in enumerate(matcher)
                    if k == "ident"
                    and position + 1 < len(matcher)
                    and matcher[position + 1][1] in {"=", "!=", "=~", "!~"}
                }
                if "__name__" in labels:
                    raise ValueError(f"{{__name__=...}} selectors are not supported: {expr!r}")
                index = end
            found.append(Selector(text, frozenset(labels)))
    return found


def metric_names(expr: str) -> set[str]:
    return {selector.metric for selector in selectors(expr)}


# --- What exists ----------------------------------------------------------------------------


def test_the_faust_prefix_is_the_rules_apps() -> None:
    """The ``name_prefix`` the rules app gives faust's Prometheus sensor is the documented one."""
    match = re.search(
        r"setup_prometheus_sensors\([^)]*name_prefix=\"([^\"]+)\"", RULES_APP.read_text()
    )
    assert match, f"{RULES_APP} does not call setup_prometheus_sensors with a name_prefix"
    assert match.group(1).replace("-", "_").replace(".", "_") == metricsdoc.FAUST_PREFIX


def exposed_series() -> dict[str, frozenset[str]]:
    """Every series name the three services expose (with its label names), built from the same
    classes the services instantiate, each in a fresh registry."""
    holders = [h for objects in metricsdoc.holders().values() for h in objects]
    suffixes = {
        "counter": ("_total", "_created"),
        "gauge": ("",),
        "histogram": ("_bucket", "_count", "_sum", "_created"),
        "summary": ("", "_count", "_sum", "_created"),
        "info": ("_info",),
    }
    series: dict[str, frozenset[str]] = {}
    for holder in holders:
        for wrapper in metricsdoc.wrappers(holder):
            labels = frozenset(wrapper._labelnames) | TARGET_LABELS
            for family in wrapper.describe():
                for suffix in suffixes[family.type]:
                    extra = {"le"} if suffix == "_bucket" else set()
                    series[family.name + suffix] = labels | extra
    return series


def recorded_series() -> set[str]:
    recording = yaml.safe_load((PROMETHEUS_DIR / "rules" / "recording.yml").read_text())
    return {rule["record"] for group in recording["groups"] for rule in group["rules"]}


def unknown_metrics(exprs: list[str]) -> list[str]:
    """Problems with the metrics of ``exprs``: names nothing exposes or records, and matcher
    labels a service metric does not carry."""
    exposed = exposed_series()
    recorded = recorded_series()
    problems = []
    for expr in exprs:
        for selector in selectors(expr):
            if selector.metric in recorded or selector.metric in PROMETHEUS_SERIES:
                continue
            if selector.metric not in exposed:
                problems.append(f"{selector.metric!r} is neither exposed nor recorded: {expr!r}")
            elif missing := selector.labels - exposed[selector.metric]:
                problems.append(f"{selector.metric!r} has no label {sorted(missing)}: {expr!r}")
    return problems


# --- The dashboard --------------------------------------------------------------------------


def _dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, including those nested in collapsed rows."""
    panels: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


def _variable_selector(variable: dict[str, Any]) -> str:
    """The series selector of a ``label_values(selector, label)`` variable query."""
    query = variable["query"]
    text = query["query"] if isinstance(query, dict) else query
    match = re.fullmatch(r"\s*label_values\((.+),\s*(\w+)\)\s*", text)
    assert match, f"variable {variable['name']}: not a label_values query: {text!r}"
    return f"{match.group(1)}{{{match.group(2)}!=''}}"


def dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    exprs = [
        target["expr"]
        for panel in _panels(dashboard)
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    exprs += [
        _variable_selector(variable)
        for variable in dashboard["templating"]["list"]
        if variable["type"] == "query"
    ]
    return exprs


def _datasource_uid() -> str:
    (source,) = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    assert source["type"] == "prometheus"
    uid: str = source["uid"]
    assert uid
    return uid


def test_dashboard_structure() -> None:
    dashboard = _dashboard()
    assert dashboard["uid"] == "jiandu-overview"
    assert dashboard["title"]
    assert 39 <= dashboard["schemaVersion"] <= 42  # Grafana 11 and 12 (compose pins 12.1)
    panels = _panels(dashboard)
    assert len(panels) > 10
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids are not unique"
    for panel in panels:
        grid = panel["gridPos"]
        assert {"h", "w", "x", "y"} <= grid.keys(), panel["title"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        assert panel["title"], panel["id"]
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard["panels"]:  # top level: what Grafana lays out
        grid = panel["gridPos"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def test_every_query_uses_the_provisioned_datasource() -> None:
    uid = _datasource_uid()
    dashboard = _dashboard()
    data_panels = [panel for panel in _panels(dashboard) if panel["type"] != "row"]
    assert data_panels
    for panel in data_panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
            assert target["expr"].strip(), panel["title"]
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
    for variable in dashboard["templating"]["list"]:
        assert variable["datasource"]["uid"] == uid, variable["name"]


def test_dashboard_covers_the_pipeline() -> None:
    """The panels the operators need, each reading the metric that answers it."""
    used = set().union(*map(metric_names, dashboard_queries(_dashboard())))
    assert used >= {
        "jiandu_ingest_events_total",  # ingest accepted / duplicate / rejected
        "jiandu_rules_events_total",  # events judged
        "jiandu_deviations_total",  # deviations by check, by domain
        "jiandu_alerts_routed_total",  # alerts by channel
        "jiandu_alerts_delivery_seconds_count",  # alerts delivered
        "jiandu_ingest_publish_seconds_bucket",
        "jiandu_rules_evaluation_seconds_bucket",
        "jiandu_alerts_delivery_seconds_bucket",
        "jiandu_alerts_unacknowledged",
        "jiandu_rules_faust_topic_partition_end_offset",  # consumer lag
        "jiandu_rules_faust_topic_partition_offset_commited",
        "jiandu_ingest_rejections_total",  # DLQ
        "up",
    }
    names = {variable["name"] for variable in _dashboard()["templating"]["list"]}
    assert {"domain", "severity", "channel"} <= names


def test_every_metric_in_the_dashboard_exists() -> None:
    exprs = dashboard_queries(_dashboard())
    assert exprs
    assert unknown_metrics(exprs) == []


def test_every_query_parses(tmp_path: Path) -> None:
    """promtool, Prometheus's own parser, accepts each query (Grafana's intervals as 5m)."""
    rules = [
        {"record": f"dashboard:query_{n}", "expr": GRAFANA_INTERVALS.sub("5m", expr)}
        for n, expr in enumerate(dashboard_queries(_dashboard()))
    ]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    _promtool("check", "rules", str(path))


# --- The checker itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        (
            'histogram_quantile(0.99, sum by (le) (rate(a_bucket{job="x", le!=""}[5m])))',
            {"a_bucket"},
        ),
        ("sum without (instance) (b) / on (job) group_left (service) c offset 1h", {"b", "c"}),
        ('d{reason=~"sum|rate(x)"} and e[$__rate_interval] unless f @ 1700000000', {"d", "e", "f"}),
        ("sum(rate(g[5m])) by (outcome) * 60 > bool 1e3", {"g"}),
        ("jiandu:deviations:rate5m > 0.5 or vector(0)", {"jiandu:deviations:rate5m"}),
        (
            'count_values("v", h) + topk(3, i) - label_replace(j, "a", "$1", "b", "(.*)")',
            {"h", "i", "j"},
        ),
    ],
)
def test_metric_name_extraction(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_the_checker_catches_an_unknown_metric() -> None:
    good = "sum by (outcome) (rate(jiandu_ingest_events_total[5m]))"
    assert unknown_metrics([good]) == []
    assert unknown_metrics(["jiandu:ingest_events:rate5m", "up == 0"]) == []
    # a typo in a service metric, a recording rule that does not exist, a faust name without
    # its prefix, a histogram without a suffix, and a label the metric does not carry
    problems = unknown_metrics(
        [
            "sum(rate(jiandu_ingest_event_total[5m]))",
            "jiandu:ingest_events:rate1m",
            "topic_partition_end_offset",
            "histogram_quantile(0.5, rate(jiandu_alerts_delivery_seconds[5m]))",
            'sum(rate(jiandu_deviations_total{region="140700"}[5m]))',
        ]
    )
    assert len(problems) == 5, problems
    assert "'jiandu_ingest_event_total' is neither exposed nor recorded" in problems[0]
    assert "'jiandu:ingest_events:rate1m'" in problems[1]
    assert "'topic_partition_end_offset'" in problems[2]
    assert "'jiandu_alerts_delivery_seconds'" in problems[3]
    assert "has no label ['region']" in problems[4]


def test_the_checker_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="unknown PromQL function"):
        selectors("rat(jiandu_ingest_events_total[5m])")
    with pytest.raises(ValueError, match="__name__"):
        selectors('{__name__="jiandu_ingest_events_total"}')
