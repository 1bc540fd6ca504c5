"""The stats page's charts: SVG drawn on the server by pygal, no script, no outside files.

Each chart is served as an image (`<img src=…svg>`), beside a table with the same numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pygal
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2937",
    foreground_strong="#111827",
    foreground_subtle="#6b7280",
    font_family="system-ui, sans-serif",
    colors=("#1d4ed8", "#b45309", "#15803d", "#b91c1c", "#7c3aed", "#0e7490", "#4b5563"),
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
    no_data_font_size=18,
)
OPTIONS = dict(
    style=STYLE, width=720, height=320, js=[], print_values=True, show_y_guides=True,
    legend_at_bottom=True, truncate_label=-1, truncate_legend=-1, no_data_text="No data yet",
)
STEP_NAMES = {
    "first_text": "First text", "language_chosen": "Language chosen",
    "intake_started": "Intake started", "consent_given": "Consent given",
    "case_opened": "Case opened", "case_claimed": "Claimed", "case_closed": "Closed",
}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _counts_axis(chart: Any, values: list[float]) -> None:
    """Whole numbers on the value axis: there is no such thing as 0.4 of a message."""
    top = max([0, *values])
    step = max(1, math.ceil(top / 8))
    chart.y_labels = list(range(0, int(top) + step + 1, step))


def _render(chart: Any) -> bytes:
    # pygal writes its settings for the (unused) interactive script inline; an image needs none.
    return _SCRIPT.sub("", chart.render(is_unicode=True)).encode("utf-8")


def funnel(report: dict[str, Any]) -> bytes:
    chart = pygal.Bar(title="From a first text to a closed case", show_legend=False, **OPTIONS)
    totals = report["funnel"]["totals"]
    chart.x_labels = [STEP_NAMES[step] for step in report["funnel"]["steps"]]
    values = [totals[step] for step in report["funnel"]["steps"]]
    chart.add("Conversations and cases", values)
    _counts_axis(chart, values)
    return _render(chart)


def days(report: dict[str, Any]) -> bytes:
    rows = report["funnel"]["by_day"]
    chart = pygal.Line(title="By day (UTC)", x_label_rotation=40, print_values=False,
                       show_minor_x_labels=False, x_labels_major_every=math.ceil(len(rows) / 15),
                       show_dots=len(rows) <= 60,
                       **{k: v for k, v in OPTIONS.items() if k != "print_values"})
    chart.x_labels = [row["day"][5:] for row in rows]
    steps = ("first_text", "case_opened", "case_claimed", "case_closed")
    for step in steps:
        chart.add(STEP_NAMES[step], [row[step] for row in rows])
    _counts_axis(chart, [row[step] for row in rows for step in steps])
    return _render(chart)


def stopped(report: dict[str, Any]) -> bytes:
    chart = pygal.HorizontalBar(title="Where families stop answering", show_legend=False,
                                **{**OPTIONS, "height": 120 + 22 * len(report["stopped"])})
    rows = list(reversed(report["stopped"]))  # the first question at the top
    chart.x_labels = [row["label"] for row in rows]
    chart.add("Conversations", [row["count"] for row in rows])
    _counts_axis(chart, [row["count"] for row in rows])
    return _render(chart)


def claims(report: dict[str, Any]) -> bytes:
    chart = pygal.Bar(title="Minutes to claim", **OPTIONS)
    rows = [row for row in report["time_to_claim"] if not row["language"]]
    chart.x_labels = [row["urgency"] for row in rows]
    chart.add("Median", [row["median_minutes"] for row in rows])
    chart.add("90th percentile", [row["p90_minutes"] for row in rows])
    chart.add("Escalation after", [row["escalation_minutes"] for row in rows])
    return _render(chart)


def messages(report: dict[str, Any]) -> bytes:
    chart = pygal.Bar(title="SMS segments by language", show_legend=False, **OPTIONS)
    rows = [row for row in report["messages"]["rows"] if row["channel"] == "sms"]
    chart.x_labels = [row["language"] or "none" for row in rows]
    chart.add("Segments", [row["segments"] for row in rows])
    _counts_axis(chart, [row["segments"] for row in rows])
    return _render(chart)


def failures(report: dict[str, Any]) -> bytes:
    chart = pygal.Bar(title="Messages not delivered, by Twilio error", show_legend=False,
                      **OPTIONS)
    rows = report["failures"]
    chart.x_labels = [str(row["code"] or "no code") for row in rows]
    chart.add("Messages", [row["count"] for row in rows])
    _counts_axis(chart, [row["count"] for row in rows])
    return _render(chart)


CHARTS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "funnel": funnel, "days": days, "stopped": stopped, "claims": claims,
    "messages": messages, "failures": failures,
}
