"""The Monday digest: the week's headline cards, what drove them, unusual days, top articles
and videos, as an HTML e-mail with a plain-text part and its charts as PNG images.

Built from the same reports as the app (so the same like-for-like comparisons and the same
numbers); every outside text (titles, sources, failure messages) is HTML-escaped. Charts are
the app's Altair charts rendered by vl-convert, no browser involved.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import urlencode

import pandas as pd

from statsdash import drivers as d
from statsdash import insights, narrative
from statsdash.insights import with_comparison
from statsdash.periods import COMPARISON_LABELS, COMPARISONS
from statsdash.reports import ReportResult, Selection, build_report, compared_lines
from statsdash.ui import insight_charts as ic
from statsdash.ui.format import number, signed_pct
from statsdash.ui.state import UiState, to_query
from statsdash.ui.tables import to_network_row

CARDS = {
    "ga": {"pageviews": "Pageviews", "users": "Users (sum of properties)", "sessions": "Sessions"},
    "youtube": {
        "views": "YouTube views",
        "watch_minutes": "Watch minutes",
        "subscriber_change": "Net subscribers",
    },
}
WATERFALLS = {"pageviews": "site", "views": "channel"}
TOP_ROWS = 10
SCALE = 2  # rendered at twice the size for sharp images on high-density screens
CHART_WIDTH = 560  # pixels, about the width of a mail client's reading pane
HEADLINE_METRICS = (*d.GA_METRICS, *d.YT_METRICS)


@dataclass
class Digest:
    """What the e-mail says: subject, both parts, the images the HTML refers to by cid."""

    subject: str
    text: str
    html: str
    images: dict[str, bytes] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def standalone_html(self) -> str:
        """The HTML with its images inline (data: URIs), to open in a browser."""
        page = self.html
        for cid, png in self.images.items():
            data = base64.b64encode(png).decode("ascii")
            page = page.replace(f"cid:{cid}", f"data:image/png;base64,{data}")
        return page

    def message(self, sender: str, to: tuple[str, ...]) -> EmailMessage:
        message = EmailMessage()
        # A header is one line: a network name with a line break (valid YAML) made the
        # standard library refuse the whole message.
        message["Subject"] = " ".join(self.subject.split())
        message["From"] = sender
        message["To"] = ", ".join(to)
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        html_part = message.get_payload()[1]
        for cid, png in self.images.items():
            html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=f"{cid}.png")
        return message


def _reports(selection: Selection) -> dict[str, ReportResult]:
    names = ["drivers", "anomalies"]
    names += ["ga-summary", "ga-articles"] if selection.site_names() else []
    names += ["yt-channels", "yt-videos"] if selection.channel_names() else []
    # The insights' requests travel beside the contract tables' first round.
    insights.prefetch(with_comparison(selection))
    return {name: build_report(name, selection) for name in names}


def view_link(app_url: str | None, selection: Selection) -> str | None:
    """The Insights page for the same sites, channels, dates and comparisons."""
    if not app_url:
        return None
    state = UiState(
        sites=selection.sites,
        channels=selection.channels,
        preset="custom",
        start=selection.period.start,
        end=selection.period.end,
        comparisons=selection.comparisons,
    )
    return f"{app_url.rstrip('/')}/insights?{urlencode(to_query(state))}"


def cards(results: dict[str, ReportResult], selection: Selection) -> list[dict]:
    """Per headline metric: title, value (as the app shows it), changes per comparison."""
    suffixes = {COMPARISONS[k]: k for k in selection.comparisons}
    rows = {}
    if "ga-summary" in results and len(results["ga-summary"].table):
        rows["ga"] = results["ga-summary"].table.iloc[0]
    channels = results.get("yt-channels")
    if channels is not None and len(channels.table):
        rows["youtube"] = to_network_row(channels.table, list(CARDS["youtube"]), list(suffixes))
    out = []
    for service, row in rows.items():
        for metric, title in CARDS[service].items():
            changes = [
                (COMPARISON_LABELS[key], signed_pct(row.get(f"{metric}_{sfx}_pct")))
                for sfx, key in suffixes.items()
            ]
            out.append({"title": title, "value": number(row[metric]), "changes": changes})
    return out


def _png(chart) -> bytes:
    import vl_convert

    # No external data: the spec carries its rows, and nothing else may be fetched.
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=SCALE, allowed_base_urls=[])


def png_width(png: bytes) -> int:
    """The PNG's width in CSS pixels (its IHDR width over the render scale)."""
    return int.from_bytes(png[16:20], "big") // SCALE


def waterfalls(drivers: pd.DataFrame, comparison: str) -> dict[str, tuple[str, bytes]]:
    """cid -> (caption, PNG) of the pageviews-by-site and views-by-channel waterfalls."""
    images = {}
    for metric, dimension in WATERFALLS.items():
        rows = drivers[
            (drivers["metric"] == metric)
            & (drivers["comparison"] == comparison)
            & (drivers["dimension"] == dimension)
        ]
        if rows.empty:
            continue
        steps = ic.to_waterfall(rows, COMPARISON_LABELS[comparison], "This period")
        caption = f"{d.METRIC_LABELS[metric]} by {ic.DIMENSION_LABELS[dimension].lower()}"
        png = _png(ic.waterfall(steps, caption, CHART_WIDTH))
        images[f"waterfall-{metric}"] = (caption, png)
    return images


def top_articles(results: dict[str, ReportResult]) -> list[tuple[str, str, str]]:
    table = results.get("ga-articles")
    if table is None:
        return []
    rows = table.table.head(TOP_ROWS)
    return [(r["title"], r["site"], number(r["pageviews"])) for _, r in rows.iterrows()]


def top_videos(results: dict[str, ReportResult]) -> list[tuple[str, str, str]]:
    table = results.get("yt-videos")
    if table is None:
        return []
    rows = table.table.head(TOP_ROWS)
    return [(r["title"], r["channel"], number(r["watch_minutes"])) for _, r in rows.iterrows()]


def build_digest(selection: Selection, app_url: str | None = None) -> Digest:
    """Fetch the week's reports and write the digest (failures named at the top)."""
    from statsdash.digest_render import render_html, render_text

    results = _reports(selection)
    failures: dict[str, str] = {}
    for result in results.values():
        failures |= result.failures
    drivers = results["drivers"].table
    comparisons = list(dict.fromkeys(drivers["comparison"])) or list(selection.comparisons)
    content = {
        "network": selection.config.network_name,
        "period": selection.period.label,
        # Like for like: which days the figures cover when not the whole week.
        "compared": list(
            dict.fromkeys(line for r in results.values() for line in compared_lines(r))
        ),
        "failures": failures,
        "cards": cards(results, selection),
        "sentences": [
            (COMPARISON_LABELS[c], narrative.headlines(drivers, c, HEADLINE_METRICS))
            for c in comparisons
        ],
        "anomalies": [narrative.anomaly_line(r) for _, r in results["anomalies"].table.iterrows()],
        "articles": top_articles(results),
        "videos": top_videos(results),
        "link": view_link(app_url, selection),
        "charts": waterfalls(drivers, comparisons[0]) if comparisons else {},
    }
    subject = f"{content['network']} weekly digest: {content['period']}"
    if failures:
        subject += " (incomplete)"
    images = {cid: png for cid, (_, png) in content["charts"].items()}
    return Digest(subject, render_text(content), render_html(content), images, failures)


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)
