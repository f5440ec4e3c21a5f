"""The web report's requests and the pure pandas that turns their rows into contract tables.

Frames here are the reports of every property of the selection stacked, with `site`,
`property` and `range` (`current` or a comparison suffix) columns and GA4 names renamed
(`pageviews`, `users`, `source`, `path`...). Functions never mutate their input.

Choices worth knowing:
- Referring sites are sessions by `sessionSource` over every medium, as the old tool did,
  so `referral_exclude_sources` is where search engines and `(direct)` are left out. A
  source is excluded when it equals an entry or ends with "." + entry (ignoring case):
  `google.com` also drops `news.google.com`; `google` drops only `google` itself.
- `article_exclude_paths` are path prefixes, except "/" alone, which is the home page.
- Social networks are sessions whose default channel group is Organic or Paid Social,
  by network: GA4 has no socialNetwork dimension, so `SOCIAL_NETWORKS` maps their
  `sessionSource` (ignoring case) to a network's name, e.g. `facebook.com`,
  `m.facebook.com` and `facebook` are all "Facebook"; a source it does not list keeps its
  own name. Rows are summed per network and range before the top 15 and comparisons, and
  a network's articles are fetched for every source of it and summed likewise.
- Rest of world = the report's own totals minus the listed countries (floored at 0, as
  GA4 totals count a user seen in two countries once).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from statsdash.ga.query import (
    ReportRequest,
    begins_with,
    by_metric,
    date_ranges,
    in_list,
    none_of,
)
from statsdash.periods import Period
from statsdash.utilities import add_comparisons, ratio, rollup, top_n

CURRENT = "current"
OTHER = "(other)"
REST_OF_WORLD = "Rest of world"
SOCIAL_GROUPS = ("Organic Social", "Paid Social")
# Social session sources (lower case) -> the network's name, applied to the social channel
# groups only. A social source not listed here is reported under its own name.
SOCIAL_NETWORKS: dict[str, str] = {
    **dict.fromkeys(
        ("facebook.com", "m.facebook.com", "l.facebook.com", "lm.facebook.com", "facebook", "fb"),
        "Facebook",
    ),
    **dict.fromkeys(("t.co", "twitter.com", "x.com", "twitter"), "X (Twitter)"),
    **dict.fromkeys(("reddit.com", "old.reddit.com", "out.reddit.com", "reddit"), "Reddit"),
    **dict.fromkeys(("instagram.com", "l.instagram.com", "instagram"), "Instagram"),
    **dict.fromkeys(("linkedin.com", "lnkd.in", "linkedin"), "LinkedIn"),
    **dict.fromkeys(("youtube.com", "m.youtube.com"), "YouTube"),
    **dict.fromkeys(("pinterest.com", "pinterest"), "Pinterest"),
    "tiktok.com": "TikTok",
    "threads.net": "Threads",
    "bsky.app": "Bluesky",
}
N_ARTICLES, N_TRAFFIC, N_REFERRALS, N_SOCIAL = 20, 10, 5, 15
RENAME = {
    "dateRange": "range",
    "screenPageViews": "pageviews",
    "totalUsers": "users",
    "sessionSource": "source",
    "sessionMedium": "medium",
    "sessionDefaultChannelGroup": "channel_group",
    "deviceCategory": "device_category",
    "hostName": "host",
    "pagePath": "path",
    "pageTitle": "title",
    "engagedSessions": "engaged_sessions",
    "activeUsers": "active_users",
    "newUsers": "new_users",
    "userEngagementDuration": "engagement_duration",
    "eventName": "key_event",
    "keyEvents": "key_events",
}
SUMMARY_PARTS = [
    "pageviews",
    "users",
    "sessions",
    "duration",
    "engaged_sessions",
    "key_events",
    "active_users",
    "engagement_duration",
]
COUNTS = ["pageviews", "users", "sessions", "engaged_sessions", "key_events"]
# What the summary reports after its parts are summed: additive counts and rebuilt ratios.
SUMMARY_COLUMNS = [
    "pageviews",
    "users",
    "sessions",
    "pages_per_session",
    "avg_session_seconds",
    "engaged_sessions",
    "engagement_rate",
    "key_events",
    "avg_engagement_seconds",
]
_AMP = re.compile(r"(^|/)amp(/|$)")

Ranges = Mapping[str, Period]

# Requests: the first round carries every range of every table (see statsdash.ga.derived
# for the reports read from another's rows).


SUMMARY_METRICS = (
    "screenPageViews",
    "totalUsers",
    "sessions",
    "averageSessionDuration",
    "engagedSessions",
    "activeUsers",
    "userEngagementDuration",
)
# GA4 takes 10 metrics a report: the summary's 7 leave room for 3 listed key events.
MAX_LISTED_KEY_EVENTS = 10 - len(SUMMARY_METRICS)


def key_event_metrics(events: Sequence[str]) -> tuple[str, ...]:
    """All key events (`keyEvents`), or each listed one's count (`keyEvents:NAME`)."""
    return tuple(f"keyEvents:{e}" for e in events) if events else ("keyEvents",)


def countries_request(ranges: Ranges, events: Sequence[str] = ()) -> ReportRequest:
    """Countries, whose totals are also the summary (one report instead of two), with the
    site's key events, so the summary needs no call of its own."""
    return ReportRequest(
        date_ranges(ranges),
        SUMMARY_METRICS + key_event_metrics(events),
        ("country",),
        totals=True,
    )


def key_events_request(ranges: Ranges, events: Sequence[str]) -> ReportRequest:
    """Key events by name; only the site's listed ones when it lists any (else all)."""
    return ReportRequest(
        date_ranges(ranges),
        ("keyEvents",),
        ("eventName",),
        filters=in_list("eventName", events) if events else None,
        order_by=(by_metric("keyEvents"),),
    )


def sources_request(ranges: Ranges) -> ReportRequest:
    """Traffic sources, referring sites and social networks all come from this one."""
    return ReportRequest(
        date_ranges(ranges),
        ("screenPageViews", "totalUsers", "sessions"),
        ("sessionSource", "sessionMedium", "sessionDefaultChannelGroup"),
    )


def devices_request(ranges: Ranges, more: Sequence[str] = ()) -> ReportRequest:
    """Users by device; active and new users ride along for the users split (see
    `users_split`), as the countries report has no metric left for them, and `more`
    metrics (the insights' device parts) so they need no report of their own."""
    metrics = ("totalUsers", "activeUsers", "newUsers")
    metrics += tuple(m for m in more if m not in metrics)
    return ReportRequest(date_ranges(ranges), metrics, ("deviceCategory",))


def not_excluded(exclude_paths: Sequence[str]) -> dict | None:
    # As a prefix "/" would exclude every page; as an entry it means the home page alone.
    home = {
        "filter": {"fieldName": "pagePath", "stringFilter": {"matchType": "EXACT", "value": "/"}}
    }
    return none_of(home if p == "/" else begins_with("pagePath", p) for p in exclude_paths)


def articles_request(ranges: Ranges, exclude_paths: Sequence[str]) -> ReportRequest:
    return ReportRequest(
        date_ranges(ranges),
        ("screenPageViews",),
        ("hostName", "pagePath", "pageTitle"),
        filters=not_excluded(exclude_paths),
        order_by=(by_metric("screenPageViews"),),
    )


def hours_request(period: Period) -> ReportRequest:
    """Hours with data in the days that may still be processing (see check_available_data)."""
    return ReportRequest(date_ranges({CURRENT: period}), ("sessions",), ("dateHour",))


# Shared pieces


def compared(
    frame: pd.DataFrame,
    keys: Sequence[str],
    metrics: Sequence[str],
    suffixes: Sequence[str],
    *,
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    select: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Sum `metrics` by `keys` per range, `finish` each (derived columns), `select` the
    current rows to report (top N, order), then add the comparison columns."""

    def period(name: str, reported_rows: pd.DataFrame | None = None) -> pd.DataFrame:
        part = rollup(frame[frame["range"] == name], keys, metrics)
        if reported_rows is not None and keys:
            # A reported row absent from this period has 0 parts there, so a ratio rebuilt
            # from them is empty (0 / 0), not 0.
            absent = _absent(reported_rows, part, list(keys))
            if len(absent):
                zeros = absent.assign(**dict.fromkeys(metrics, 0))
                part = pd.concat([part, zeros.astype(part.dtypes.to_dict())], ignore_index=True)
        return finish(part) if finish else part

    current = period(CURRENT)
    if select:
        current = select(current).reset_index(drop=True)
    reported = [c for c in current.columns if c not in keys]
    others = {s: period(s, current) for s in suffixes}
    return add_comparisons(current, others, keys, reported)


def _absent(rows: pd.DataFrame, part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The `keys` columns of the rows whose keys `part` does not have, in their order.

    Looked up in a set of `part`'s keys: a left merge with an indicator per comparison was
    the largest step of most GA tables (a frame built and matched per period). Keys with
    missing values still merge, as a missing key matches a missing key there."""
    left, right = rows[keys], part[keys]
    if left.isna().to_numpy().any() or right.isna().to_numpy().any():
        seen = left.merge(right, how="left", indicator=True)
        return seen.loc[seen["_merge"] == "left_only", keys]
    present = set(zip(*(right[k].tolist() for k in keys), strict=True))
    wanted = zip(*(left[k].tolist() for k in keys), strict=True)
    return left[np.fromiter((key not in present for key in wanted), bool, len(left))]


def _top(by: str, n: int | None = None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda df: top_n(df, by, len(df) if n is None else n)


def clean_title(title: str, path: str) -> str:
    """Entities decoded; AMP pages marked so they are not mistaken for duplicates."""
    text = html.unescape(title)
    return f"{text} (AMP)" if _AMP.search(path) else text


def _best(frame: pd.DataFrame, keys: list[str], label: str, by: str) -> pd.DataFrame:
    """Per key, the `label` value with the most current `by` (ties: alphabetical)."""
    current = frame[frame["range"] == CURRENT]
    sums = current.groupby([*keys, label], as_index=False, sort=False)[by].sum()
    ranked = sums.sort_values([by, label], ascending=[False, True], kind="stable")
    return ranked.drop_duplicates(keys)[[*keys, label]]


def _titled(table: pd.DataFrame, frame: pd.DataFrame, keys: list[str], by: str) -> pd.DataFrame:
    """`table` with each article's most viewed title, decoded and AMP-marked."""
    out = table.merge(_best(frame, keys, "title", by), on=keys, how="left")
    out["title"] = [clean_title(t, p) for t, p in zip(out["title"], out["path"], strict=True)]
    return out


# Tables


def summary_parts(totals: pd.DataFrame) -> pd.DataFrame:
    """Additive parts of the summary from the countries report's totals rows. A property
    reports either all key events (`key_events`) or its site's listed ones (`keyEvents:*`);
    stacked, each row has only its own, the others empty."""
    duration = totals["averageSessionDuration"] * totals["sessions"]
    counts = totals.filter(regex=r"^(key_events$|keyEvents:)").fillna(0).sum(axis=1)
    parts = totals.assign(duration=duration, key_events=counts.astype("int64"))
    return parts[["site", "property", "range", *SUMMARY_PARTS]]


def _ratios(parts: pd.DataFrame) -> pd.DataFrame:
    """Every ratio rebuilt from summed parts: pages per session, seconds per session,
    engaged share of sessions (0-1) and engagement seconds per active user."""
    return parts.assign(
        pages_per_session=ratio(parts["pageviews"], parts["sessions"]),
        avg_session_seconds=ratio(parts["duration"], parts["sessions"]),
        engagement_rate=ratio(parts["engaged_sessions"], parts["sessions"]),
        avg_engagement_seconds=ratio(parts["engagement_duration"], parts["active_users"]),
    )[[c for c in parts.columns if c not in SUMMARY_PARTS] + SUMMARY_COLUMNS]


def summary_table(parts: pd.DataFrame, suffixes: Sequence[str]) -> pd.DataFrame:
    return compared(parts, [], SUMMARY_PARTS, suffixes, finish=_ratios)


def site_summary_table(
    parts: pd.DataFrame, sites: Sequence[str], suffixes: Sequence[str]
) -> pd.DataFrame:
    """Per site (every site with a fetched property, even without visits), by users."""

    def select(current: pd.DataFrame) -> pd.DataFrame:
        every = pd.DataFrame({"site": pd.Series(sites, dtype="str")})
        full = every.merge(current, on="site", how="left")
        full[COUNTS] = full[COUNTS].fillna(0).astype("int64")
        return top_n(full, "users", len(full))

    return compared(parts, ["site"], SUMMARY_PARTS, suffixes, finish=_ratios, select=select)


def key_event_table(
    events: pd.DataFrame, sites: Sequence[str], suffixes: Sequence[str]
) -> pd.DataFrame:
    """ga-key-events: per site and key event, by site (in `sites` order) then count."""
    rank = {name: i for i, name in enumerate(sites)}

    def select(current: pd.DataFrame) -> pd.DataFrame:
        ranked = current.assign(_site=current["site"].map(rank))
        ranked = ranked.sort_values(
            ["_site", "key_events", "key_event"], ascending=[True, False, True], kind="stable"
        )
        return ranked.drop(columns="_site")

    return compared(events, ["site", "key_event"], ["key_events"], suffixes, select=select)


def country_table(
    rows: pd.DataFrame, totals: pd.DataFrame, countries: Sequence[str], suffixes: Sequence[str]
) -> pd.DataFrame:
    """Listed countries by users, then Rest of world derived from the report's totals."""
    metrics = ["pageviews", "users"]
    # Each row's listed country (-1: not listed) and range, found once for every period: a
    # filter, group-by and merge per period through pandas was most of the table's CPU.
    distinct = {c: i for i, c in enumerate(dict.fromkeys(countries))}
    slot = np.array([distinct.get(c, -1) for c in rows["country"].tolist()], dtype=np.intp)
    ranges = rows["range"].to_numpy(dtype=object)
    listed_slots = [distinct[c] for c in countries]  # a country listed twice: twice

    def period(name: str) -> pd.DataFrame:
        here = (ranges == name) & (slot >= 0)
        listed = pd.DataFrame({"country": pd.Series(countries, dtype="str")})
        for m in metrics:
            sums = np.zeros(len(distinct), dtype="int64")
            np.add.at(sums, slot[here], rows[m].to_numpy(dtype="int64")[here])
            listed[m] = sums[listed_slots]
        whole = totals.loc[totals["range"] == name, metrics].sum()
        rest = (whole - listed[metrics].sum()).clip(lower=0)
        listed = top_n(listed, "users", len(listed))
        rest_row = pd.DataFrame(
            {"country": [REST_OF_WORLD], **{m: [int(rest[m])] for m in metrics}}
        )
        return pd.concat([listed, rest_row.astype(listed.dtypes.to_dict())], ignore_index=True)

    others = {s: period(s) for s in suffixes}
    return add_comparisons(period(CURRENT), others, ["country"], metrics)


def traffic_source_table(sources: pd.DataFrame, suffixes: Sequence[str]) -> pd.DataFrame:
    frame = sources.assign(source_medium=sources["source"] + " / " + sources["medium"])
    return compared(
        frame, ["source_medium"], ["pageviews", "users"], suffixes, select=_top("users", N_TRAFFIC)
    )


def users_split(devices: pd.DataFrame) -> pd.DataFrame:
    """One row: the period's users (totalUsers) beside GA4's active and new users, each
    summed over properties and devices like `users`."""
    current = devices[devices["range"] == CURRENT]
    columns = ["users", "active_users", "new_users"]
    return current[columns].sum().to_frame().T.astype("int64")


def device_table(devices: pd.DataFrame, suffixes: Sequence[str]) -> pd.DataFrame:
    return compared(devices, ["device_category"], ["users"], suffixes, select=_top("users"))


def article_table(articles: pd.DataFrame, suffixes: Sequence[str]) -> pd.DataFrame:
    """Top articles of the selection keyed by site + path; host and title the most viewed."""
    articles = articles[articles["path"] != OTHER]
    table = compared(
        articles, ["site", "path"], ["pageviews"], suffixes, select=_top("pageviews", N_ARTICLES)
    )
    keys = ["site", "path"]
    table = table.merge(_best(articles, keys, "host", "pageviews"), on=keys, how="left")
    table = _titled(table, articles, keys, "pageviews")
    metric_columns = [c for c in table.columns if c.startswith("pageviews")]
    return table[["site", "host", "path", "title", *metric_columns]]


def is_excluded(source: str, exclude: Sequence[str]) -> bool:
    """`source` equals an excluded entry or is a subdomain of one (ignoring case)."""
    s = source.lower()
    return any(s == e.lower() or s.endswith("." + e.lower()) for e in exclude)


def referral_sources(sources: pd.DataFrame, exclude: Sequence[str]) -> pd.DataFrame:
    excluded = sources["source"].map(lambda s: is_excluded(s, exclude)).astype(bool)
    return sources[~excluded]


def social_network(source: str) -> str:
    """The network a social session source belongs to (ignoring case), else the source."""
    return SOCIAL_NETWORKS.get(source.lower(), source)


def _by_network(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its `source` column replaced by `social_network`."""
    networks = frame["source"].map(social_network).astype(frame["source"].dtype)
    return frame.assign(source=networks).rename(columns={"source": "social_network"})


def social_sources(sources: pd.DataFrame) -> pd.DataFrame:
    """Rows of the social channel groups, keyed by network (see `SOCIAL_NETWORKS`)."""
    return _by_network(sources[sources["channel_group"].isin(SOCIAL_GROUPS)])


def social_articles(articles: pd.DataFrame) -> pd.DataFrame:
    """The social articles report's rows, keyed by network instead of session source."""
    return _by_network(articles)


def network_sources(sources: pd.DataFrame, networks: Sequence[str]) -> list[str]:
    """Every social session source (of any range) of `networks`, in the networks' order:
    what the articles request of those networks filters on."""
    raw = sources.loc[sources["channel_group"].isin(SOCIAL_GROUPS), "source"].unique()
    rank = {network: i for i, network in enumerate(networks)}
    mine = [s for s in raw if social_network(s) in rank]
    return sorted(mine, key=lambda s: (rank[social_network(s)], s))


def top_keys(frame: pd.DataFrame, key: str, n: int) -> list[str]:
    """The `key` values of the n rows with most current users (the rows a table reports)."""
    current = rollup(frame[frame["range"] == CURRENT], [key], ["users"])
    return top_n(current, "users", n)[key].tolist()


def source_table(
    frame: pd.DataFrame,
    key: str,
    metrics: Sequence[str],
    n: int,
    suffixes: Sequence[str],
    articles: pd.DataFrame | None = None,
    n_articles: int = 0,
) -> pd.DataFrame:
    """Top n `key` values by users; with articles, one row per (source, article)."""
    table = compared(frame, [key], metrics, suffixes, select=_top("users", n))
    if articles is None or n_articles <= 0:
        return table
    articles = articles[articles["path"] != OTHER].rename(
        columns={"source": key, "pageviews": "article_pageviews"}
    )
    keys = [key, "site", "path"]

    def select(current: pd.DataFrame) -> pd.DataFrame:
        ranked = current.sort_values(
            [key, "article_pageviews", "site", "path"],
            ascending=[True, False, True, True],
            kind="stable",
        )
        return ranked.groupby(key, sort=False).head(n_articles)

    top = compared(articles, keys, ["article_pageviews"], suffixes, select=select)
    top = _titled(top, articles, keys, "article_pageviews")
    article_columns = [c for c in top.columns if c.startswith("article_pageviews")]
    top = top[[key, "path", "title", *article_columns]]
    joined = table.assign(_rank=range(len(table))).merge(top, on=key, how="left")
    joined = joined.sort_values(
        ["_rank", "article_pageviews"], ascending=[True, False], kind="stable"
    )
    return joined.drop(columns="_rank").reset_index(drop=True)
