"""The web report's tables (AnalyticsData) against the emulator over HTTP. Every expected
number is computed from the network's raw facts with plain pandas, never from the code
under test, for a month, a 7-day range across a month end and a range whose year-ago
period holds 29 February."""

from __future__ import annotations

import dataclasses
import html
import math
from datetime import date

import pandas as pd
import pytest

from statsdash.config import CacheConfig, Property, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.ga.aggregate_data import AnalyticsData
from statsdash.ga.analytics import Analytics
from statsdash.ga.query import Report, metadata
from statsdash.ga.series import quality_notes
from statsdash.ga.tables import SOCIAL_NETWORKS, social_network
from statsdash.periods import COMPARISONS, Period, comparison
from statsdash.utilities import comparison_columns

TODAY = date(2026, 11, 20)
SOCIAL = ("Organic Social", "Paid Social")
CASES = {
    "month": (Period("October", date(2026, 10, 1), date(2026, 10, 31)), ("previous", "yoy")),
    "week across a month end": (
        Period("week", date(2026, 9, 28), date(2026, 10, 4)),
        ("previous", "yoy_weekday", "week_ago"),
    ),
    "year ago holds 29 February": (
        Period("leap", date(2025, 2, 28), date(2025, 3, 6)),
        ("yoy", "previous"),
    ),
}
SELECTIONS = {
    "all sites": (),
    "two sites": ("gearhaven.co.uk", "quillandink.org"),
}


@pytest.fixture(scope="module")
def config(emulator):
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(config, cache=CacheConfig(enabled=False))


@pytest.fixture(scope="module")
def analytics(config):
    return Analytics(config, today=TODAY)


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request, config, analytics, network):
    """(AnalyticsData, {range name: raw facts of the selection}) per period, all sites."""
    period, comparisons = CASES[request.param]
    data = AnalyticsData(config, (), period, comparisons, analytics=analytics, today=TODAY)
    return data, selection_facts(network, data)


def selection_facts(network, data: AnalyticsData) -> dict[str, pd.DataFrame]:
    periods = {"current": data.period} | {
        COMPARISONS[k]: comparison(data.period, k) for k in data.comparisons
    }
    return {
        name: pd.concat(
            [
                network.ga_facts(pid, p.start, p.end).assign(site=site, property=pid)
                for site in data.sites
                for pid in network.sites[site]
            ],
            ignore_index=True,
        )
        for name, p in periods.items()
    }


def check_comparisons(table, expected, keys, metrics, suffixes):
    """Each row's metrics equal `expected["current"]` and its comparison columns follow
    DESIGN.md: absent rows count 0, change = current - base, percent empty on a 0 base.
    `expected` maps range names to frames indexed by `keys`."""
    assert list(table.columns) == [*keys, *comparison_columns(metrics, suffixes)]
    indexed = expected
    for _, row in table.iterrows():
        key = tuple(row[k] for k in keys) if len(keys) > 1 else (row[keys[0]] if keys else 0)
        for m in metrics:
            current = _value(indexed["current"], key, m)
            assert row[m] == pytest.approx(current), (key, m)
            for s in suffixes:
                base = _value(indexed[s], key, m)
                pct = row[f"{m}_{s}_pct"]
                if pd.isna(base):  # a ratio over no sessions: empty, never 0
                    assert pd.isna(row[f"{m}_{s}"]), (key, m, s)
                    assert pd.isna(row[f"{m}_{s}_change"]) and pd.isna(pct), (key, m, s)
                    continue
                assert row[f"{m}_{s}"] == pytest.approx(base), (key, m, s)
                assert row[f"{m}_{s}_change"] == pytest.approx(current - base), (key, m, s)
                if base == 0:
                    assert math.isnan(pct), (key, m, s)
                else:
                    assert pct == pytest.approx((current - base) / base * 100), (key, m, s)


def _value(frame: pd.DataFrame, key, metric: str) -> float:
    """The expected value; a key absent from the period counts 0 (its ratios: empty)."""
    try:
        return frame.loc[key, metric]
    except KeyError:
        return math.nan if metric in RATIOS else 0


def counted_key_events(facts: pd.DataFrame) -> pd.Series:
    """Per fact row, the key events that count for its site (all but gearhaven's list)."""
    listed = facts[[f"keyEvents:{e}" for e in GEARHAVEN_EVENTS]].sum(axis=1)
    return listed.where(facts["site"] == "gearhaven.co.uk", facts["keyEvents"])


def summary_parts(facts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    facts = facts.assign(counted=counted_key_events(facts))
    parts = [
        "screenPageViews",
        "totalUsers",
        "sessions",
        "sessionDuration",
        "engagedSessions",
        "counted",
        "activeUsers",
        "userEngagementDuration",
    ]
    g = facts.groupby(keys)[parts].sum() if keys else facts[parts].sum().to_frame().T
    return pd.DataFrame(
        {
            "pageviews": g["screenPageViews"],
            "users": g["totalUsers"],
            "sessions": g["sessions"],
            "pages_per_session": g["screenPageViews"] / g["sessions"],
            "avg_session_seconds": g["sessionDuration"] / g["sessions"],
            "engaged_sessions": g["engagedSessions"],
            "engagement_rate": g["engagedSessions"] / g["sessions"],
            "key_events": g["counted"],
            "avg_engagement_seconds": g["userEngagementDuration"] / g["activeUsers"],
        }
    )


SUMMARY = [
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
RATIOS = {"pages_per_session", "avg_session_seconds", "engagement_rate", "avg_engagement_seconds"}
# The demo config lists key events for gearhaven.co.uk only; other sites count every one.
GEARHAVEN_EVENTS = ["newsletter_signup", "purchase"]


def test_summary_rolls_up_properties_and_rebuilds_ratios(case):
    data, facts = case
    table = data.summary_table()
    assert len(table) == 1
    expected = {name: summary_parts(f, []) for name, f in facts.items()}
    check_comparisons(table, expected, [], SUMMARY, data.suffixes)
    assert list(table.columns) == comparison_columns(SUMMARY, data.suffixes)


def test_site_summary_per_site_by_users(case):
    data, facts = case
    table = data.site_summary_table()
    assert table["site"].tolist() == (
        summary_parts(facts["current"], ["site"])
        .sort_values("users", ascending=False)
        .index.tolist()
    )
    expected = {name: summary_parts(f, ["site"]) for name, f in facts.items()}
    check_comparisons(table, expected, ["site"], SUMMARY, data.suffixes)


def test_ratios_of_a_period_without_sessions_are_empty_not_zero(config, analytics, network):
    # The year before the network's first day (2023-01-01) has no sessions at all.
    period = Period("January", date(2023, 1, 1), date(2023, 1, 31))
    sites = ("pixelpost.net", "fablefield.net")
    data = AnalyticsData(config, sites, period, ("yoy",), analytics=analytics, today=TODAY)
    facts = selection_facts(network, data)
    assert facts["yoy"].empty and not facts["current"].empty
    summary = data.summary_table()
    check_comparisons(summary, {n: summary_parts(f, []) for n, f in facts.items()}, [], SUMMARY,
                      ["yoy"])  # fmt: skip
    assert summary[["pages_per_session_yoy", "avg_session_seconds_yoy"]].isna().all(axis=None)
    by_site = {n: summary_parts(f, ["site"]) for n, f in facts.items()}
    check_comparisons(data.site_summary_table(), by_site, ["site"], SUMMARY, ["yoy"])


def excluded_path(path: pd.Series, prefixes) -> pd.Series:
    lowered = path.str.lower()
    hit = pd.Series(False, index=path.index)
    for p in prefixes:
        hit |= (lowered == "/") if p == "/" else lowered.str.startswith(p.lower())
    return hit


def test_articles_top_20_keyed_by_site_and_path(case, config):
    data, facts = case
    exclude = config.google_analytics.article_exclude_paths

    def articles(f):
        f = f[~excluded_path(f["pagePath"], exclude) & (f["pagePath"] != "(other)")]
        return f.groupby(["site", "pagePath"])["screenPageViews"].sum().rename("pageviews")

    table = data.article_table()
    current = facts["current"]
    top = articles(current).sort_values(ascending=False)
    assert len(table) == 20
    assert table["pageviews"].tolist() == top.head(20).tolist()
    expected = {name: articles(f).to_frame() for name, f in facts.items()}
    table = table.rename(columns={"path": "pagePath"})
    check_comparisons(
        table.drop(columns=["host", "title"]), expected, ["site", "pagePath"], ["pageviews"],
        data.suffixes,
    )  # fmt: skip
    for row in table.itertuples():
        rows = current[(current["site"] == row.site) & (current["pagePath"] == row.pagePath)]
        hosts = rows.groupby("hostName")["screenPageViews"].sum()
        assert row.host == hosts.idxmax()
        title = html.unescape(rows.groupby("pageTitle")["screenPageViews"].sum().idxmax())
        assert row.title == (title + " (AMP)" if row.pagePath.startswith("/amp/") else title)
        assert "&amp;" not in row.title and "&#39;" not in row.title
    assert not excluded_path(table["pagePath"], exclude).any()
    assert "(other)" not in set(table["pagePath"])
    assert any(p.startswith("/amp/") for p in table["pagePath"])
    assert not any("?" in p for p in table["pagePath"])


def test_an_article_on_two_properties_of_a_site_is_one_row(config, analytics, network):
    period = CASES["month"][0]
    data = AnalyticsData(config, ("pixelpost.net",), period, (), analytics=analytics, today=TODAY)
    table = data.article_table()
    assert not table.duplicated(["site", "path"]).any()
    amp_row = table[table["path"].str.startswith("/amp/")].iloc[0]
    both = pd.concat(
        network.ga_facts(p, period.start, period.end) for p in network.sites["pixelpost.net"]
    )
    on_path = both[both["pagePath"] == amp_row["path"]]
    assert on_path["hostName"].nunique() == 2  # AMP pages are seen on both properties
    assert amp_row["pageviews"] == on_path["screenPageViews"].sum()
    assert amp_row["host"] == on_path.groupby("hostName")["screenPageViews"].sum().idxmax()


def test_countries_listed_by_users_then_rest_of_world_from_totals(case, config):
    data, facts = case
    listed = list(config.google_analytics.countries)

    def countries(f):
        g = f.groupby("country")[["screenPageViews", "totalUsers"]].sum()
        g.columns = ["pageviews", "users"]
        out = g.reindex(listed).fillna(0)
        out.loc["Rest of world"] = g.sum() - out.sum()
        return out

    table = data.country_table()
    expected = {name: countries(f) for name, f in facts.items()}
    by_users = expected["current"].drop("Rest of world").sort_values("users", ascending=False)
    assert table["country"].tolist() == [*by_users.index, "Rest of world"]
    check_comparisons(table, expected, ["country"], ["pageviews", "users"], data.suffixes)


def test_traffic_sources_top_10_by_users(case):
    data, facts = case

    def sources(f):
        key = f["sessionSource"] + " / " + f["sessionMedium"]
        g = f.assign(source_medium=key).groupby("source_medium")[["screenPageViews", "totalUsers"]]
        return g.sum().rename(columns={"screenPageViews": "pageviews", "totalUsers": "users"})

    table = data.traffic_source_table()
    expected = {name: sources(f) for name, f in facts.items()}
    assert table["users"].tolist() == expected["current"]["users"].nlargest(10).tolist()
    check_comparisons(table, expected, ["source_medium"], ["pageviews", "users"], data.suffixes)


def is_excluded(source: str, exclude) -> bool:
    return any(
        source.lower() == e.lower() or source.lower().endswith("." + e.lower()) for e in exclude
    )


def test_referring_sites_top_5_with_their_top_articles(case, config):
    data, facts = case
    ga = config.google_analytics
    n = 3

    def sources(f):
        f = f[[not is_excluded(s, ga.referral_exclude_sources) for s in f["sessionSource"]]]
        g = f.groupby("sessionSource")[["screenPageViews", "totalUsers"]].sum()
        return g.rename(columns={"screenPageViews": "pageviews", "totalUsers": "users"})

    def articles(f):
        f = f[
            ~excluded_path(f["pagePath"], ga.article_exclude_paths) & (f["pagePath"] != "(other)")
        ]
        g = f.groupby(["sessionSource", "site", "pagePath"])["screenPageViews"].sum()
        return g.rename("article_pageviews").to_frame()

    table = data.referring_sites_table(n)
    expected = {name: sources(f) for name, f in facts.items()}
    top = expected["current"]["users"].nlargest(5)
    assert table["source"].drop_duplicates().tolist() == top.index.tolist()
    assert not any(is_excluded(s, ga.referral_exclude_sources) for s in table["source"])
    assert "newsletter" in set(expected["current"].index)  # every medium counts
    source_columns = ["source", *comparison_columns(["pageviews", "users"], data.suffixes)]
    check_comparisons(
        table[source_columns].drop_duplicates(), expected, ["source"], ["pageviews", "users"],
        data.suffixes,
    )  # fmt: skip
    wanted = {name: articles(f) for name, f in facts.items()}
    per_article = table.drop(columns=source_columns[1:]).rename(
        columns={"source": "sessionSource", "path": "pagePath"}
    )
    current = wanted["current"]["article_pageviews"]
    for source in top.index:
        rows = per_article[per_article["sessionSource"] == source]
        assert rows["article_pageviews"].tolist() == current[source].nlargest(n).tolist()
    # The contract has no site column: check each article against its site's facts.
    sites = {
        (r.sessionSource, r.pagePath, r.article_pageviews): r
        for r in current.reset_index().itertuples()
    }
    with_site = per_article.assign(
        site=[
            sites[(s, p, v)].site
            for s, p, v in per_article[
                ["sessionSource", "pagePath", "article_pageviews"]
            ].itertuples(index=False)
        ]
    )
    keys = ["sessionSource", "site", "pagePath"]
    check_comparisons(
        with_site[[*keys, *comparison_columns(["article_pageviews"], data.suffixes)]],
        wanted, keys, ["article_pageviews"], data.suffixes,
    )  # fmt: skip
    assert list(table.columns) == [
        *source_columns,
        "path",
        "title",
        *comparison_columns(["article_pageviews"], data.suffixes),
    ]


def network_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """The social channel groups' raw facts with each source's network (the mapping,
    ignoring case; an unlisted source is its own network)."""
    f = facts[facts["sessionDefaultChannelGroup"].isin(SOCIAL)]
    lower = f["sessionSource"].str.lower()
    return f.assign(network=lower.map(SOCIAL_NETWORKS).fillna(f["sessionSource"]))


def social(facts: pd.DataFrame) -> pd.DataFrame:
    g = network_facts(facts).groupby("network")[["screenPageViews", "totalUsers", "sessions"]]
    g = g.sum().rename(columns={"screenPageViews": "pageviews", "totalUsers": "users"})
    return g.rename_axis("social_network")


def test_a_social_source_maps_to_its_network_ignoring_case():
    assert social_network("M.Facebook.com") == "Facebook"
    assert social_network("LNKD.IN") == "LinkedIn"
    assert social_network("bsky.app") == "Bluesky"
    assert social_network("Mastodon.social") == "Mastodon.social"  # unlisted: its own name


def test_social_networks_from_social_channel_groups(case):
    data, facts = case
    table = data.social_network_table()
    expected = {name: social(f) for name, f in facts.items()}
    assert table["users"].tolist() == expected["current"]["users"].nlargest(15).tolist()
    assert {"Facebook", "X (Twitter)", "Reddit"} <= set(table["social_network"])
    raw = {"facebook", "facebook.com", "m.facebook.com", "t.co"} & set(table["social_network"])
    assert not raw, raw
    metrics = ["pageviews", "users", "sessions"]
    check_comparisons(table, expected, ["social_network"], metrics, data.suffixes)


def test_facebook_is_the_sum_of_its_sources(case):
    data, facts = case
    facebook = {s for s, n in SOCIAL_NETWORKS.items() if n == "Facebook"}
    metrics = {"pageviews": "screenPageViews", "users": "totalUsers", "sessions": "sessions"}

    def summed(f: pd.DataFrame) -> pd.Series:
        f = f[f["sessionDefaultChannelGroup"].isin(SOCIAL)]
        f = f[f["sessionSource"].str.lower().isin(facebook)]
        return f[list(metrics.values())].sum().rename({v: k for k, v in metrics.items()})

    present = set(facts["current"]["sessionSource"]) & facebook
    assert {"facebook.com", "m.facebook.com", "facebook"} <= present
    row = data.social_network_table().set_index("social_network").loc["Facebook"]
    for m in metrics:
        assert row[m] == summed(facts["current"])[m], m
        for s in data.suffixes:
            base = summed(facts[s])[m]
            assert row[f"{m}_{s}"] == base, (m, s)
            assert row[f"{m}_{s}_change"] == row[m] - base, (m, s)
            assert row[f"{m}_{s}_pct"] == pytest.approx((row[m] - base) / base * 100), (m, s)


def test_social_networks_with_articles(case):
    data, facts = case
    table = data.social_network_table(2)
    social_facts = network_facts(facts["current"])
    assert "Facebook" in set(table["social_network"])
    for network, rows in table.groupby("social_network", sort=False):
        on = social_facts[
            (social_facts["network"] == network) & (social_facts["pagePath"] != "(other)")
        ]
        on = on[~excluded_path(on["pagePath"], data.config.article_exclude_paths)]
        top = on.groupby(["site", "pagePath"])["screenPageViews"].sum().nlargest(2)
        assert rows["article_pageviews"].tolist() == top.tolist()


def test_the_top_sources_articles_are_every_row_of_theirs_from_one_report(case, config):
    """The articles of the top referral sources and of the top social networks' sources
    are cut from one report of every source's articles (asked beside the sources, not
    after them): per property, source, article and range, exactly the raw facts' sums."""
    data, facts = case
    exclude = config.google_analytics.article_exclude_paths
    data.referring_sites_table(3), data.social_network_table(2)
    every = pd.concat([f.assign(range=name) for name, f in facts.items()], ignore_index=True)
    every = every[~excluded_path(every["pagePath"], exclude)]
    keys = ["property", "sessionSource", "pagePath", "range"]
    for name, social_only in (("referral", False), ("social", True)):
        top = data._top_sources_of(name)
        assert top, name
        rows = every[every["sessionSource"].isin(top)]
        if social_only:
            rows = rows[rows["sessionDefaultChannelGroup"].isin(SOCIAL)]
        expected = rows.groupby(keys)["screenPageViews"].sum()
        expected = expected[expected > 0].sort_index()
        got = data.frame(name).rename(columns={"source": "sessionSource", "path": "pagePath"})
        got = got.groupby(keys)["pageviews"].sum().sort_index()
        assert got.to_dict() == expected.to_dict(), name


def test_devices_by_users(case):
    data, facts = case

    def devices(f):
        return (
            f.groupby("deviceCategory")[["totalUsers"]]
            .sum()
            .rename(columns={"totalUsers": "users"})
        )

    table = data.device_table()
    expected = {name: devices(f).rename_axis("device_category") for name, f in facts.items()}
    assert table["users"].is_monotonic_decreasing
    check_comparisons(table, expected, ["device_category"], ["users"], data.suffixes)


@pytest.mark.parametrize("sites", SELECTIONS.values(), ids=list(SELECTIONS))
def test_selection_restricts_every_table(config, analytics, network, sites):
    period = CASES["month"][0]
    data = AnalyticsData(config, sites, period, ("previous",), analytics=analytics, today=TODAY)
    facts = selection_facts(network, data)["current"]
    assert data.summary_table()["pageviews"].iloc[0] == facts["screenPageViews"].sum()
    assert set(data.site_summary_table()["site"]) == set(data.sites)
    assert set(data.article_table()["site"]) <= set(data.sites)
    country = data.country_table()
    assert country["users"].sum() == facts["totalUsers"].sum()
    assert data.device_table()["users"].sum() == facts["totalUsers"].sum()


def test_notes_name_thresholding_other_row_and_time_zones(case):
    data, _ = case
    data.summary_table()
    data.article_table()  # the "(other)" row is the articles' (their round, when asked)
    notes = "\n".join(data.notes)
    assert "retrorig.com (property 327790114): GA4 applied thresholding" in notes
    assert 'quillandink.org (property 340017723): GA4 grouped rare pages into "(other)"' in notes
    assert "America/New_York: coastlinechronicle.com" in notes
    assert data.failures == {}


def test_the_leap_case_compares_with_a_range_holding_29_february():
    period, _ = CASES["year ago holds 29 February"]
    year_ago = comparison(period, "yoy")
    assert (year_ago.start, year_ago.end) == (date(2024, 2, 28), date(2024, 3, 6))
    assert date(2024, 2, 29) in year_ago.dates()


def test_a_sampled_answer_gets_a_note_with_the_share_read():
    sampled = Report(
        pd.DataFrame(),
        pd.DataFrame(),
        metadata({"timeZone": "Europe/London", "samplingMetadatas": [
            {"samplesReadCount": "250000", "samplingSpaceSize": "1000000"}
        ]}),
    )  # fmt: skip
    site, prop = "pixelpost.net", Property("311204581")
    notes = quality_notes([(site, prop, {"articles": sampled})], AnalyticsData.label)
    assert notes == [
        "pixelpost.net (property 311204581): GA4 sampled this data "
        "(250,000 of 1,000,000 events, 25.0%)"
    ]


@pytest.fixture(scope="module")
def capped(config, network):
    """The month's case with every property past the cap on every-source articles (three
    rows): each asks its top sources' articles in a round of its own. A client of its own:
    it remembers which properties are large."""
    period, comparisons = CASES["month"]
    analytics = Analytics(config, today=TODAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("statsdash.ga.derived.SOURCE_ARTICLE_ROWS", 3)
        data = AnalyticsData(config, (), period, comparisons, analytics=analytics, today=TODAY)
        data.referring_sites_table(5), data.social_network_table(2)  # fetched under the cap
    return data, selection_facts(network, data)


def test_a_large_property_asks_its_top_sources_articles_on_their_own(capped, config, network):
    """A property with more every-source rows than the cap (a big site has one for every
    referring site and article) is not paged through them: its top sources' articles are
    asked alone, and the tables are still exactly the raw facts'."""
    data, _ = capped
    first = data.first_round()
    assert all(r["source_articles"].row_count > 3 for r in first.values())
    assert all(len(r["source_articles"].rows) == 3 for r in first.values())
    assert set(data._rounds["second"]) == set(first)  # every property, once
    test_referring_sites_top_5_with_their_top_articles(capped, config)
    test_social_networks_with_articles(capped)
    # The client remembers: the next selection sends no capped page, only the own round.
    assert data.analytics.large_source_articles == set(first)
    period, comparisons = CASES["week across a month end"]
    again = AnalyticsData(config, (), period, comparisons, analytics=data.analytics, today=TODAY)
    assert all("source_articles" not in r for r in again.first_round().values())
    assert set(again._rounds.get("second", {})) == set()  # not asked before a table needs it
    again.referring_sites_table(5)
    assert set(again._rounds["second"]) == set(first)
    test_referring_sites_top_5_with_their_top_articles(
        (again, selection_facts(network, again)), config
    )


def test_under_the_cap_no_property_asks_again(case):
    data, _ = case
    data.referring_sites_table(5), data.social_network_table(2)
    assert not data._rounds.get("second")
