"""The network right now: GA4 runRealtimeReport for every property of the selected sites,
summed per site and for the network: active users of the last 30 minutes, by minute, top
pages and top countries.

Two calls per property (minutes x countries, and pages), all in parallel; `ga-realtime`
(active users per site) needs only the first. Answers are reused for a
minute at most (Analytics.realtime), so an export right after `warm` and several viewers share
calls; the Realtime page always asks anew. GA4 counts realtime against a quota bucket of its
own, so a refreshing page does not eat the reports' tokens. `active_users` summed over
properties or minutes counts a person once per property and minute (GA4 de-duplicates within
one answer only).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from statsdash.config import Site
from statsdash.errors import AuthError, FetchError

TOP_PAGES = 10
TOP_COUNTRIES = 10
MAX_WORKERS = 8
MINUTES = {"dimensions": [{"name": "minutesAgo"}, {"name": "country"}]}
PAGES = {
    "dimensions": [{"name": "unifiedScreenName"}],
    "orderBys": [{"metric": {"metricName": "activeUsers"}, "desc": True}],
    "limit": "50",
}
SITE_COLUMNS = ["site", "active_users"]


@dataclass
class Realtime:
    """What the realtime page and `export ga-realtime` show, as fetched at `fetched_at`."""

    fetched_at: datetime
    sites: pd.DataFrame  # site, active_users (last 30 minutes), by active users
    by_minute: pd.DataFrame  # minutes_ago (0 = now), active_users: the network per minute
    pages: pd.DataFrame  # page, active_users: the network's top pages now
    countries: pd.DataFrame  # country, active_users: the network's top countries now
    failures: dict[str, str] = field(default_factory=dict)  # "site (property id)" -> why


def _columns(answer: dict, names: list[str]) -> dict[str, list]:
    """An answer's rows as lists: its dimensions (text) and active_users (int)."""
    rows = answer.get("rows", [])
    data = {n: [r["dimensionValues"][i]["value"] for r in rows] for i, n in enumerate(names)}
    data["active_users"] = [int(r["metricValues"][0]["value"]) for r in rows]
    return data


def _frame(parts: list[dict[str, list]], names: list[str], after: tuple = ()) -> pd.DataFrame:
    """The parts' rows one under the other, `after` columns (text) following active_users:
    one DataFrame for all, not one per property (building and retyping those was most of
    a realtime table's CPU)."""
    order = [*names, "active_users", *after]
    columns = {n: [v for p in parts for v in p[n]] for n in order}
    text = dict.fromkeys([*names, *after], "str")
    return pd.DataFrame(columns, columns=order).astype(text | {"active_users": "int64"})


def _ask(analytics, site: str, property_id: str, spec: dict, refresh: bool):
    """(answer, stamp) of one of a property's two realtime calls."""
    body = {**spec, "metrics": [{"name": "activeUsers"}]}
    source = f"{site} (property {property_id})"
    return analytics.realtime(property_id, body, source=source, refresh=refresh)


def _property(site: str, answers: list):
    """(minutes x countries, pages, when Google answered) of one property, as lists."""
    (minutes, stamp), (pages, _) = answers if len(answers) == 2 else (answers[0], ({}, {}))
    minutes = _columns(minutes, ["minutes_ago", "country"])
    minutes["site"] = [site] * len(minutes["active_users"])
    return minutes, _columns(pages, ["page"]), stamp.get("as_of")


def _top(frame: pd.DataFrame, key: str, n: int) -> pd.DataFrame:
    summed = frame.groupby(key, as_index=False)["active_users"].sum()
    ranked = summed.sort_values(["active_users", key], ascending=[False, True], kind="stable")
    return ranked.head(n).reset_index(drop=True)


def fetch_realtime(
    analytics, sites: Mapping[str, Site], *, refresh: bool = False, pages: bool = True
) -> Realtime:
    """Every property of `sites` now (`refresh`: never from the response cache); a failing
    property is named and the rest shown. An AuthError is raised only when every property
    failed with one. Without `pages` the top pages are not asked (one call per property)
    and come back empty."""
    jobs = [(name, p.id) for name, site in sites.items() for p in site.properties]
    results, failures, auth = {}, {}, []
    # The client's pool (sized by its properties) when it has one: 8 threads of our own made
    # 40 properties' 80 calls take ten waves.
    own = None if getattr(analytics, "pool", None) else ThreadPoolExecutor(MAX_WORKERS)
    pool = own or analytics.pool
    specs = (MINUTES, PAGES) if pages else (MINUTES,)
    try:
        futures = {
            job: [pool.submit(_ask, analytics, *job, spec, refresh) for spec in specs]
            for job in jobs
        }  # every call of every property at once
        for (site, pid), pair in futures.items():
            try:
                results[(site, pid)] = _property(site, [f.result() for f in pair])
            except AuthError as error:
                auth.append(error)
                failures[f"{site} (property {pid})"] = str(error)
            except FetchError as error:
                failures[f"{site} (property {pid})"] = error.reason
    finally:
        if own is not None:
            own.shutdown()
    if auth and len(auth) == len(jobs):
        raise auth[0]
    minutes = [m for m, _, _ in results.values()]
    pages = [p for _, p, _ in results.values()] if pages else []
    stamps = [s.astimezone(UTC) for _, _, s in results.values() if s]
    minutes = _frame(minutes, ["minutes_ago", "country"], ("site",))
    pages = _frame(pages, ["page"])
    # Screen names arrive as the page's <title>, entities and all (like pageTitle): decoded,
    # so "Harbour &amp; friends" reads "Harbour & friends" and counts with its plain twin.
    pages = pages.assign(page=pages["page"].map(html.unescape).astype("str"))
    per_site = minutes.groupby("site")["active_users"].sum()
    answered = [s for s in sites if any((s, p.id) in results for p in sites[s].properties)]
    table = pd.DataFrame({"site": pd.Series(answered, dtype="str")})
    table["active_users"] = table["site"].map(per_site).fillna(0).astype("int64")
    table = table.sort_values(["active_users", "site"], ascending=[False, True], kind="stable")
    by_minute = minutes.assign(minutes_ago=minutes["minutes_ago"].astype("int64"))
    by_minute = by_minute.groupby("minutes_ago", as_index=False)["active_users"].sum()
    return Realtime(
        fetched_at=min(stamps, default=datetime.now(UTC)),
        sites=table.reset_index(drop=True),
        by_minute=by_minute.sort_values("minutes_ago").reset_index(drop=True),
        pages=_top(pages, "page", TOP_PAGES),
        countries=_top(minutes, "country", TOP_COUNTRIES),
        failures=failures,
    )
