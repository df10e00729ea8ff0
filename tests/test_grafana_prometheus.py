"""contrib/'s Grafana dashboard and Prometheus alerting rules are well formed, and every series
their PromQL asks for is one that topup's ``/metrics`` really exports (a real server on a real
SQLite store, its answer parsed with prometheus-client's parser)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from web.support import ok, serve

from topup.model import QuotaWindow

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "contrib" / "grafana" / "topup-dashboard.json"
RULES = ROOT / "contrib" / "prometheus" / "topup-alerts.yml"

#: Series Prometheus writes itself for every scrape target (not in any /metrics answer).
SCRAPE_SERIES = frozenset({"up"})

#: PromQL words that look like names but are operators, modifiers or literals.
PROMQL_WORDS = frozenset(
    {"and", "or", "unless", "atan2", "bool", "offset", "inf", "nan", "by", "without", "on"}
    | {"ignoring", "group_left", "group_right"}
)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_NAME_MATCHER = re.compile(r"""__name__\s*=\s*["']([A-Za-z_:][\w:]*)["']""")
_GRAFANA_VARIABLE = re.compile(r"\$\{[^}]*\}|\$\w+")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?")
_DURATION = re.compile(r"^(?:\d+(?:ms|[smhdwy]))+$")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers that are neither function calls
    nor keywords, outside label matchers, range windows, grouping lists and strings (Grafana's
    ``$variables`` are removed first); plus any ``{__name__="..."}``."""
    names = set(_NAME_MATCHER.findall(expr))
    text = _STRING.sub('""', _GRAFANA_VARIABLE.sub(" ", expr))
    text = re.sub(r"\{[^}]*\}", "{}", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "[]", text)  # range and subquery windows
    text = _GROUPING.sub(" ", text)  # by (...), on (...), group_left (...): label names
    for match in _IDENTIFIER.finditer(text):
        name, call = match.groups()
        if call is None and name.lower() not in PROMQL_WORDS:
            names.add(name)
    return names


def label_values_metric(query: str) -> set[str]:
    """The metric of a Grafana ``label_values(metric{...}, label)`` variable query."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", query)
    return metric_names(match.group(1)) if match else set()


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("topup_low == 1", {"topup_low"}),
        (
            'sum by (account, status) (increase(topup_checks_total{job=~"$job", '
            'status!~"ok|exhausted"}[$__rate_interval]))',
            {"topup_checks_total"},
        ),
        (
            "a_metric > on (account, provider) group_left (window) b:recorded offset 5m "
            "or (c_metric unless d_metric) and bool 1e3",
            {"a_metric", "b:recorded", "c_metric", "d_metric"},
        ),
        ('count({__name__="topup_stale", account="x or y"}) or vector(0)', {"topup_stale"}),
        ("max_over_time(rate(x_total[5m])[1h:1m]) atan2 Inf", {"x_total"}),
        (
            "sort_desc(time() - topup_last_success_timestamp_seconds)",
            {"topup_last_success_timestamp_seconds"},
        ),
        ('up{job="topup"} == 0 or absent(up{job="topup"})', {"up"}),
    ],
)
def test_metric_names_are_read_from_promql(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def dashboard() -> dict[str, Any]:
    document = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    groups = document["groups"]
    assert groups and all(g["name"] and g["rules"] for g in groups)
    return [rule for group in groups for rule in group["rules"]]


def panel_exprs() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] for t in p["targets"]]


def test_the_dashboard_has_a_datasource_variable_and_every_panel_queries_it() -> None:
    d = dashboard()
    assert d["title"] and d["uid"] and isinstance(d["schemaVersion"], int)
    variables = {v["name"]: v for v in d["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    source = {"type": "prometheus", "uid": "${datasource}"}
    ids = [p["id"] for p in d["panels"]]
    assert len(ids) == len(set(ids))
    for p in d["panels"]:
        assert p["title"] and p["type"]
        assert {"x", "y", "w", "h"} <= p["gridPos"].keys()
        assert p["datasource"] == source, p["title"]
        assert p["targets"], f"panel {p['title']!r} has no targets"
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
        for t in p["targets"]:
            assert t["datasource"] == source
            assert metric_names(t["expr"]), f"{p['title']!r}: {t['expr']!r} selects no series"


def test_every_alert_rule_has_expr_for_labels_and_annotations() -> None:
    names = []
    for rule in rules():
        names.append(rule["alert"])
        assert isinstance(rule["expr"], str) and metric_names(rule["expr"]), rule["alert"]
        assert _DURATION.match(rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"info", "warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    assert len(names) == len(set(names))


def test_they_watch_what_the_brief_names() -> None:
    shown = set().union(*map(metric_names, panel_exprs()))
    assert {
        "topup_balance",
        "topup_runway_days",
        "topup_low",
        "topup_attention",
        "topup_window_left_percent",
        "topup_check_duration_seconds",
        "topup_checks_total",
        "topup_last_success_timestamp_seconds",
    } <= shown
    alerted = set().union(*(metric_names(r["expr"]) for r in rules()))
    assert {
        "topup_low",
        "topup_runway_days",
        "topup_last_check_timestamp_seconds",
        "topup_window_left_percent",
        "up",
    } <= alerted


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[str]]:
    """Sample names of a real ``/metrics`` answer: the web tests' accounts and history, plus a
    check with a quota window and a key limit so that every family has a series."""
    for server in serve(tmp_path_factory.mktemp("metrics"), None):
        now = datetime.now(UTC)
        window = QuotaWindow(
            name="5h", used_percent=Decimal(95), resets_at=now + timedelta(hours=2)
        )
        plan = ok("echo", "siliconflow", now, "3", windows=(window,), limit=Decimal(10))
        server.store.record([(plan, "fp")])
        with server.client() as c:
            r = c.get("/metrics")
        r.raise_for_status()
        yield {s.name for f in text_string_to_metric_families(r.text) for s in f.samples}


def test_every_series_they_ask_for_is_exported(exported: set[str]) -> None:
    queries = {("rule " + r["alert"], r["expr"]) for r in rules()}
    d = dashboard()
    queries |= {(f"panel {p['title']}", t["expr"]) for p in d["panels"] for t in p["targets"]}
    missing = {}
    for where, expr in sorted(queries):
        unknown = metric_names(expr) - exported - SCRAPE_SERIES
        if unknown:
            missing[where] = sorted(unknown)
    for v in d["templating"]["list"]:
        if v["type"] == "query":
            unknown = label_values_metric(v["definition"]) - exported
            assert label_values_metric(v["definition"]), v["name"]
            if unknown:
                missing[f"variable {v['name']}"] = sorted(unknown)
    assert not missing, f"not in /metrics ({sorted(exported)}): {missing}"
