"""Like for like against the emulator: on a Monday, Tuesday and Wednesday, yesterday, month to
date on the 1st and 2nd, a custom range ending today and a property that does not wait.

The emulator decides which recent rows exist from its `today` (GA4: days through today - 2
have all 24 hours, today - 1 hours 00-11, a lagging property a day less; YouTube: rows through
today - 3). Expected figures come from the raw facts: the test finds each service's last
complete day in the facts itself, cuts the comparison ranges itself, and sums with pandas.
"""

from __future__ import annotations

import calendar
import dataclasses
from datetime import date, timedelta

import pandas as pd
import pytest
import yaml

from statsdash.cli import main
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG, start_emulator
from statsdash.periods import Period, day_text, preset
from statsdash.reports import Selection, build_report, compared_lines, service_data

pytestmark = pytest.mark.slow  # three emulators on three days, ~1-2 minutes in all

D = date.fromisoformat
MONDAY, TUESDAY, WEDNESDAY = D("2026-11-30"), D("2026-12-01"), D("2026-12-02")
COMPARE = ("previous", "yoy")


@pytest.fixture(scope="module")
def emulators():
    """One emulator per pinned day, started when first asked for."""
    handles = {}

    def on(day: date):
        if day not in handles:
            handles[day] = start_emulator(port=0, today=day)
        return handles[day]

    yield on
    for handle in handles.values():
        handle.stop()


def demo_config(url: str, **property_overrides):
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(url)
    config = dataclasses.replace(config, cache=CacheConfig(enabled=False))
    if property_overrides:
        ga = config.google_analytics
        sites = {
            name: dataclasses.replace(
                site,
                properties=tuple(
                    dataclasses.replace(p, **property_overrides.get(p.id, {}))
                    for p in site.properties
                ),
            )
            for name, site in ga.sites.items()
        }
        config = dataclasses.replace(config, google_analytics=dataclasses.replace(ga, sites=sites))
    return config


# ------------------------------------------------------------ expected, from raw facts


def ga_complete_through(network, config, day: date) -> date:
    """The last day through which every waiting property's facts cover all 24 hours."""
    waiting = [p.id for s in config.google_analytics.sites.values() for p in s.properties]
    waiting = [pid for pid in waiting if _waits(config, pid)]
    ends = []
    for pid in waiting:
        rows = network.ga_facts(pid, day - timedelta(days=10), day)
        hours = rows.groupby("date")["hour"].nunique()
        check = day - timedelta(days=10)
        while hours.get(pd.Timestamp(check), 0) == 24:
            check += timedelta(days=1)
        ends.append(check - timedelta(days=1))
    return min(ends)


def _waits(config, pid: str) -> bool:
    return next(
        p.wait_for_data for s in config.google_analytics.sites.values() for p in s.properties
        if p.id == pid
    )  # fmt: skip


def yt_complete_through(network, day: date) -> date:
    ids = [c for ids in network.channel_groups.values() for c in ids]
    rows = network.yt_facts(ids, day - timedelta(days=10), day)
    return rows.groupby("channel")["date"].max().min().date()


def cut(start: date, end: date, days: int) -> tuple[date, date]:
    return start, min(end, start + timedelta(days=days - 1))


def expected_ranges(period: Period, through: date) -> dict[str, tuple[date, date]]:
    """ "" / prev / yoy -> (start, end) cut to the days through `through`, done by hand."""
    days = (min(through, period.end) - period.start).days + 1
    prev_end = period.start - timedelta(days=1)
    prev_start = prev_end - timedelta(days=period.days - 1)
    yoy = (
        period.start.replace(year=period.start.year - 1),
        period.end.replace(year=period.end.year - 1),
    )
    return {
        "": cut(period.start, period.end, days),
        "prev": cut(prev_start, prev_end, days),
        "yoy": cut(*yoy, days),
    }


def ga_pageviews(network, config, start: date, end: date) -> int:
    ids = [p.id for s in config.google_analytics.sites.values() for p in s.properties]
    return int(sum(network.ga_facts(pid, start, end)["screenPageViews"].sum() for pid in ids))


def yt_views(network, group: str, start: date, end: date) -> int:
    return int(network.yt_facts(network.channel_groups[group], start, end)["views"].sum())


def selection(config, period: Period, day: date, **kwargs) -> Selection:
    return Selection(config, period, COMPARE, today=day, **kwargs)


# ------------------------------------------------------------ last week, three mornings


@pytest.mark.parametrize(
    ("day", "web_days", "yt_days"),
    [(MONDAY, 6, 5), (TUESDAY, 7, 6), (WEDNESDAY, 7, 7)],
    ids=["monday", "tuesday", "wednesday"],
)
def test_last_week_compares_the_same_days(emulators, day, web_days, yt_days):
    handle = emulators(day)
    net, config = handle.network, demo_config(handle.url)
    week = preset("last_week", day)
    sel = selection(config, week, day)

    web_through = ga_complete_through(net, config, day)
    ranges = expected_ranges(week, web_through)
    assert (ranges[""][1] - ranges[""][0]).days + 1 == web_days  # the fixture really is cut
    web = build_report("ga-summary", sel)
    row = web.table.iloc[0]
    for sfx, column in (("", "pageviews"), ("prev", "pageviews_prev"), ("yoy", "pageviews_yoy")):
        assert row[column] == ga_pageviews(net, config, *ranges[sfx]), column
    assert row["days_compared"] == web_days
    assert row["complete_through"] == ranges[""][1].isoformat()
    assert list(web.table.columns[-2:]) == ["days_compared", "complete_through"]

    yt_through = yt_complete_through(net, day)
    yranges = expected_ranges(week, yt_through)
    channels = build_report("yt-channels", sel).table.set_index("channel")
    for group in net.channel_groups:
        got = channels.loc[group]
        assert got["views"] == yt_views(net, group, *yranges[""]), group
        assert got["views_prev"] == yt_views(net, group, *yranges["prev"]), group
        assert got["views_yoy"] == yt_views(net, group, *yranges["yoy"]), group
    assert set(channels["days_compared"]) == {yt_days}
    assert set(channels["complete_through"]) == {yranges[""][1].isoformat()}

    lines = compared_lines(build_report("brands", sel))
    cut_days = {"Web": web_days, "YouTube": yt_days}
    through = {"Web": ranges[""][1], "YouTube": yranges[""][1]}
    assert lines == [
        f"{name}: {n} of 7 days (through {day_text(through[name])}), "
        f"compared with the same {n} days"
        for name, n in cut_days.items()
        if n < 7
    ]


def test_whole_periods_and_a_closed_range_give_the_whole_ranges(emulators):
    handle = emulators(MONDAY)
    net, config = handle.network, demo_config(handle.url)
    week = preset("last_week", MONDAY)
    whole = build_report("ga-summary", selection(config, week, MONDAY, whole_periods=True))
    row = whole.table.iloc[0]
    assert row["pageviews"] == ga_pageviews(net, config, week.start, week.end)  # partial days in
    assert row["pageviews_prev"] == ga_pageviews(net, config, D("2026-11-16"), D("2026-11-22"))
    assert row["days_compared"] == 7 and row["complete_through"] == "2026-11-29"
    # A closed range: the same table, figures and all, with or without like for like.
    october = Period("October", D("2026-10-01"), D("2026-10-31"))
    fair = build_report("ga-sites", selection(config, october, MONDAY)).table
    plain = build_report("ga-sites", selection(config, october, MONDAY, whole_periods=True)).table
    pd.testing.assert_frame_equal(fair, plain)
    assert set(fair["days_compared"]) == {31} and set(fair["complete_through"]) == {"2026-10-31"}


# ------------------------------------------------------------ no complete day yet


@pytest.mark.parametrize(
    ("day", "key"),
    [(MONDAY, "yesterday"), (TUESDAY, "month_to_date"), (WEDNESDAY, "month_to_date")],
    ids=["yesterday", "month-to-date-on-the-1st", "month-to-date-on-the-2nd"],
)
def test_no_complete_day_yet_leaves_figures_empty(emulators, day, key, capsys, tmp_path):
    handle = emulators(day)
    net, config = handle.network, demo_config(handle.url)
    period = preset(key, day)
    # Independently: neither service has a complete day inside the period yet.
    assert ga_complete_through(net, config, day) < period.start
    assert yt_complete_through(net, day) < period.start
    path = config_file(tmp_path, handle.url)
    for report, key_column in (("ga-sites", "site"), ("yt-channels", "channel")):
        out = tmp_path / f"{report}.csv"
        args = ["export", report, "--config", str(path), "--preset", key, "--compare", "previous"]
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("STATSDASH_TODAY", day.isoformat())
            assert main([*args, "-o", str(out)]) == 0
        table = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert len(table) > 0 and (table[key_column] != "").all()  # the rows are there
        figures = [
            c
            for c in table.columns
            if c not in (key_column, "complete", "days_compared", "complete_through")
        ]
        assert (table[figures] == "").all().all(), report  # empty, never 0
        assert set(table["days_compared"]) == {"0"}
        service = "Web" if report.startswith("ga") else "YouTube"
        latest = (
            ga_complete_through(net, config, day)
            if service == "Web"
            else yt_complete_through(net, day)
        )
        assert set(table["complete_through"]) == {latest.isoformat()}
        err = capsys.readouterr().err
        assert (
            f"{service}: no complete day yet — {service}'s latest complete day is "
            f"{day_text(latest)}" in err.splitlines()
        )


def config_file(tmp_path, url: str):
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = url
    data["cache"] = {"enabled": False}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# ------------------------------------------------------------ a custom range ending today


def test_a_custom_range_ending_today(emulators):
    handle = emulators(MONDAY)
    net, config = handle.network, demo_config(handle.url)
    period = preset("custom", MONDAY, D("2026-11-16"), MONDAY)  # 15 days, today included
    sel = selection(config, period, MONDAY)
    ranges = expected_ranges(period, ga_complete_through(net, config, MONDAY))
    assert ranges[""] == (D("2026-11-16"), D("2026-11-28"))
    assert ranges["prev"] == (D("2026-11-01"), D("2026-11-13"))
    row = build_report("ga-summary", sel).table.iloc[0]
    assert row["pageviews"] == ga_pageviews(net, config, *ranges[""])
    assert row["pageviews_prev"] == ga_pageviews(net, config, *ranges["prev"])
    assert row["pageviews_yoy"] == ga_pageviews(net, config, *ranges["yoy"])
    assert row["days_compared"] == 13
    yranges = expected_ranges(period, yt_complete_through(net, MONDAY))
    countries = build_report("yt-countries", sel).table.set_index("country")
    ids = [c for group in config.youtube.channels.values() for c in group.ids]
    for sfx, column in (("", "views"), ("prev", "views_prev"), ("yoy", "views_yoy")):
        facts = net.yt_facts(ids, *yranges[sfx]).groupby("country")["views"].sum()
        assert (countries[column] == facts.reindex(countries.index)).all(), column
    assert set(countries["days_compared"]) == {12}


# ------------------------------------------------------------ wait_for_data: false


def test_a_property_that_does_not_wait_does_not_cut_the_period(emulators):
    handle = emulators(MONDAY)
    net = handle.network
    week = preset("last_week", MONDAY)
    lagging = "298451008"  # gearhaven's legacy property: complete a day later than the others
    relaxed = demo_config(handle.url)
    assert not _waits(relaxed, lagging)
    strict = demo_config(handle.url, **{lagging: {"wait_for_data": True}})
    for config, days in ((relaxed, 6), (strict, 5)):
        through = ga_complete_through(net, config, MONDAY)
        assert (through - week.start).days + 1 == days
        ranges = expected_ranges(week, through)
        sel = Selection(config, week, COMPARE, sites=("gearhaven.co.uk",), today=MONDAY)
        row = build_report("ga-sites", sel).table.iloc[0]
        ids = [p.id for p in config.google_analytics.sites["gearhaven.co.uk"].properties]
        expected = sum(int(net.ga_facts(pid, *ranges[""])["screenPageViews"].sum()) for pid in ids)
        assert row["pageviews"] == expected
        assert row["days_compared"] == days
    # Relaxed, its own half-processed Saturday is counted as it stands.
    assert net.ga_facts(lagging, D("2026-11-28"), D("2026-11-28"))["hour"].nunique() < 24


# ------------------------------------------------------------ month to date


@pytest.mark.parametrize(
    ("day", "key"), [(MONDAY, "last_week"), (TUESDAY, "month_to_date")], ids=["monday", "1st"]
)
def test_month_to_date_counts_complete_days_only(emulators, day, key):
    """The month so far stops at GA4's last complete day (Sat 28 Nov on Monday 30th): a day
    still arriving made the pace, and the projection, look low. On the 1st there is none."""
    handle = emulators(day)
    net, config = handle.network, demo_config(handle.url)
    period = preset(key, day)
    through = ga_complete_through(net, config, day)
    first = period.end.replace(day=1)
    month_days = calendar.monthrange(first.year, first.month)[1]
    last_end = first - timedelta(days=1)
    data = service_data("ga", selection(config, period, day))
    table = data.month_to_date().set_index("site")
    elapsed = max((through - first).days + 1, 0)
    assert elapsed == {"last_week": 28, "month_to_date": 0}[key]  # the fixture is what it says
    for site in config.google_analytics.sites.values():
        ids = [p.id for p in site.properties]
        row = table.loc[site.name]
        assert row["days_elapsed"] == elapsed
        # Days after the period's end; Sun 29 Nov, still arriving, is neither so far nor left.
        assert row["days_left"] == {"last_week": 1, "month_to_date": 30}[key]
        last = sum(
            net.ga_facts(i, last_end.replace(day=1), last_end)["screenPageViews"].sum() for i in ids
        )
        assert row["last_month_pageviews"] == last
        if not elapsed:
            assert pd.isna(row["pageviews"]) and pd.isna(row["projected_pageviews"])  # not 0
            continue
        so_far = sum(net.ga_facts(i, first, through)["screenPageViews"].sum() for i in ids)
        assert row["pageviews"] == so_far
        assert row["projected_pageviews"] == round(so_far * month_days / elapsed)


# ------------------------------------------------------------ headings on screen


def test_headings_name_the_days_the_figures_cover(emulators):
    """Monday, last week: web figures cover Mon-Sat and YouTube's Mon-Fri, so the tables'
    headings say "23–28 Nov" and "23–27 Nov", not the week's "23–29 Nov"; CSV names stay."""
    from statsdash.ui.grid import headings
    from statsdash.ui.render import covered_periods, end_label

    handle = emulators(MONDAY)
    net, config = handle.network, demo_config(handle.url)
    week = preset("last_week", MONDAY)
    sel = selection(config, week, MONDAY)
    web_end = ga_complete_through(net, config, MONDAY)
    yt_end = yt_complete_through(net, MONDAY)
    assert (web_end, yt_end) == (D("2026-11-28"), D("2026-11-27"))  # the fixture's days
    expected = {"web": f"23–{web_end.day} Nov", "yt": f"23–{yt_end.day} Nov"}

    brands = build_report("brands", sel)
    columns = ["brand", "web_pageviews", "web_pageviews_prev_pct", "yt_views", "yt_views_prev_pct"]
    groups, labels = headings(columns, sel, covered_periods(brands))
    assert labels["web_pageviews"][0] == expected["web"]
    assert labels["yt_views"][0] == expected["yt"]
    assert "web_pageviews" in groups and "yt_views" in groups  # under their metric
    for report, column, service in (
        ("ga-sites", "pageviews", "web"),
        ("yt-channels", "views", "yt"),
    ):
        result = build_report(report, sel)
        assert column in result.table.columns  # the CSV's name is unchanged
        _, labels = headings([column, f"{column}_prev_pct"], sel, covered_periods(result))
        assert labels[column][0] == expected[service], report
    channels = build_report("yt-channels", sel)
    assert end_label(channels) == f"{day_text(yt_end)}"
    # A closed range keeps the period's own dates.
    closed = selection(config, preset("last_week", D("2026-11-23")), MONDAY)
    _, labels = headings(
        ["pageviews", "pageviews_prev_pct"],
        closed,
        covered_periods(build_report("ga-sites", closed)),
    )
    assert labels["pageviews"][0] == "16–22 Nov"
