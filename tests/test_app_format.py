"""How report cells read on screen: labels, separators, signed changes, empty stays empty."""

import math

import pandas as pd
import pytest

from statsdash.ui.format import (
    USERS_SUM,
    column_labels,
    duration,
    label,
    signed_pct,
    split_column,
    to_styler,
    visible_columns,
)


@pytest.mark.parametrize(
    ("column", "parts"),
    [
        ("pageviews", ("pageviews", None, "")),
        ("pageviews_prev", ("pageviews", "prev", "")),
        ("pageviews_prev_change", ("pageviews", "prev", "change")),
        ("avg_session_seconds_yoy_pct", ("avg_session_seconds", "yoy", "pct")),
        ("share_pct", ("share_pct", None, "")),
        ("web_pageviews_share_pct", ("web_pageviews_share_pct", None, "")),
    ],
)
def test_split_column(column, parts):
    assert split_column(column) == parts


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.345, "▲ +12.3%"),
        (-4, "▼ −4.0%"),
        (0.0, "0.0%"),
        (0.04, "0.0%"),
        (1234.5, "▲ +1,234.5%"),
        (math.nan, ""),
        (None, ""),
    ],
)
def test_signed_pct_keeps_empty_empty(value, text):
    assert signed_pct(value) == text


def test_users_are_labelled_as_a_sum():
    assert label("users") == USERS_SUM == "Users (sum of properties)"
    assert label("web_users") == "Web users (sum of properties)"
    assert label("users_prev_pct") == "Users vs previous period"
    assert label("users_prev_pct", {"prev": "vs previous week"}) == "Users vs previous week"
    assert label("users_prev") == "Users (previous period)"
    assert "counts twice" in column_labels(["users"])["users"][1]


def test_duration_reads_as_minutes_and_seconds():
    assert duration(125.4) == "2m 05s"
    assert duration(42) == "42s"
    assert duration(math.nan) == ""


def test_visible_columns_hide_base_values_and_absolute_changes():
    columns = ["site", "pageviews", "pageviews_prev", "pageviews_prev_change", "pageviews_prev_pct"]
    table = pd.DataFrame(columns=columns)
    assert visible_columns(table) == ["site", "pageviews", "pageviews_prev_pct"]
    assert visible_columns(table, detail=True) == columns


def test_styler_formats_without_touching_the_raw_table():
    raw = pd.DataFrame(
        {
            "site": ["=evil.example", "b.example"],
            "pageviews": [1234567, 0],
            "pageviews_prev_pct": [12.5, math.nan],
            "pages_per_session": [1.23456, math.nan],
        }
    )
    before = raw.copy()
    html = to_styler(raw).to_html()
    assert "1,234,567" in html
    assert "▲ +12.5%" in html
    assert "1.23" in html and "1.2346" not in html
    assert "color: #1a7f37" in html
    assert ">nan<" not in html
    pd.testing.assert_frame_equal(raw, before)


def test_a_share_changes_in_percentage_points():
    from statsdash.ui.format import cell_formatter, visible_columns

    table = pd.DataFrame(
        {"share_pct": [25.5], "share_pct_prev": [24.3], "share_pct_prev_change": [1.2]}
        | {"share_pct_prev_pct": [4.94], "views": [10], "views_prev_pct": [3.0]}
    )
    assert visible_columns(table) == [
        "share_pct",
        "share_pct_prev_change",
        "views",
        "views_prev_pct",
    ]
    assert cell_formatter("share_pct_prev_change", table["share_pct_prev_change"].dtype)(1.2) == (
        "▲ +1.2 pp"
    )
    assert cell_formatter("share_pct_prev_change", float)(-0.04) == "0.0 pp"
    assert label("share_pct_prev_change", {"prev": "vs previous week"}) == "Share vs previous week"


def test_comparison_columns_sit_under_their_metric_titled_by_what_they_compare():
    from datetime import date

    from statsdash.ui.format import short_comparison_name, short_range
    from statsdash.ui.grid import header_groups

    columns = ["site", "pageviews", "pageviews_prev_pct", "pageviews_yoy_pct", "users"]
    columns += ["pageviews_share_pct", "share_pct", "share_pct_prev_change"]
    names = {"prev": "vs previous week", "yoy": "vs same dates last year"}
    groups = header_groups(columns, names, short_range(date(2026, 11, 23), date(2026, 11, 29)))
    assert groups == {
        "pageviews": ("Pageviews", "23–29 Nov"),
        "pageviews_prev_pct": ("Pageviews", "vs previous week"),
        "pageviews_yoy_pct": ("Pageviews", "vs same dates last year"),
        "pageviews_share_pct": ("Pageviews", "Share"),  # a metric's share sits under it too
        "share_pct": ("Share", "23–29 Nov"),
        "share_pct_prev_change": ("Share", "vs previous week"),
    }  # site and users (no change shown) have no group
    assert header_groups(["site", "pageviews"], names, "23–29 Nov") == {}
    # The grouped table keeps raw names under the groups, so the cells are still formatted.
    table = pd.DataFrame({"site": ["a"], "pageviews": [1234.0], "pageviews_prev_pct": [-4.5]})
    styler = to_styler(table, groups={c: g for c, (g, _) in groups.items()})
    assert list(styler.data.columns) == [
        ("", "site"),
        ("Pageviews", "pageviews"),
        ("Pageviews", "pageviews_prev_pct"),
    ]
    html = styler.to_html()
    assert "1,234" in html and "▼ −4.5%" in html and "#cf222e" in html
    assert short_range(date(2026, 10, 28), date(2026, 11, 3)) == "28 Oct – 3 Nov"
    assert short_range(date(2025, 12, 29), date(2026, 1, 4)) == "29 Dec 2025 – 4 Jan 2026"
    assert short_range(date(2026, 11, 30), date(2026, 11, 30)) == "Mon 30 Nov"
    assert short_comparison_name("previous", 7) == "vs prev. week"
    assert short_comparison_name("yoy_weekday", 7) == "vs last year"


def test_a_wide_table_is_cut_into_pages_of_whole_metrics_that_fit():
    from statsdash.ui.fit import PAGE_PX, pages

    columns = ["site", "pageviews", "pageviews_prev_pct", "pageviews_yoy_pct"]
    columns += ["users", "users_prev_pct", "users_yoy_pct", "engagement_rate"]
    groups = {c: c.split("_")[0] for c in columns if c not in ("site", "engagement_rate")}
    narrow = dict.fromkeys(columns, 90.0)
    assert pages(columns, narrow, groups, ["site"]) == [columns]  # 720 px: fits whole
    wide = dict.fromkeys(columns, 150.0)
    cut = pages(columns, wide, groups, ["site"])
    assert cut == [
        ["site", "pageviews", "pageviews_prev_pct", "pageviews_yoy_pct"],
        ["site", "users", "users_prev_pct", "users_yoy_pct", "engagement_rate"],
    ]  # each page starts with the rows' names; a metric's columns are never split
    assert all(sum(wide[c] for c in page) <= PAGE_PX for page in cut)


def test_a_long_name_below_the_first_rows_widens_its_column():
    """The grid sizes a column by its first rows: a longer site name in row 11 was cut."""
    from statsdash.ui.fit import CHAR_PX, layout

    sites = [f"s{i}.net" for i in range(10)] + ["coastlinechronicle.com", "f.net"]
    table = pd.DataFrame({"site": sites, "pageviews": range(len(sites))})
    labels = column_labels(table.columns)
    drawn = layout(table, {}, labels)
    assert drawn.widths()["site"] >= len("coastlinechronicle.com") * CHAR_PX
    assert "pageviews" not in drawn.widths()  # numbers keep the grid's own sizing
    short = layout(table.iloc[:10], {}, labels)
    assert short.widths()["site"] < drawn.widths()["site"]
    from statsdash.ui.fit import WRAP_PX

    long = table.assign(site=[*sites[:-1], "x" * 200])
    assert layout(long, {}, labels).widths()["site"] == WRAP_PX  # never wider than a wrap


def test_two_wrapping_texts_narrow_so_the_figures_beside_them_fit():
    """Acquisition's referring-site articles (title, path, three figures) ran behind a scroll
    bar inside their expander at 1280 px: both texts wrapped at full width."""
    from statsdash.ui.fit import EXPANDER_PX, PAGE_PX, WRAP_MIN_PX, WRAP_PX, column_px, layout

    rows = 5
    table = pd.DataFrame(
        {
            "title": ["The Headphones news deal nobody saw coming, and what it means"] * rows,
            "path": ["/news/2023-12-12-the-headphones-deal-nobody-saw-coming-at-all"] * rows,
            "pageviews": [1582] * rows,
            "pageviews_prev_pct": [7810.0] * rows,
            "pageviews_yoy_pct": [-4.25] * rows,
        }
    )
    labels = {
        "title": ("Title", None),
        "path": ("Path", None),
        "pageviews": ("23–29 Nov", None),
        "pageviews_prev_pct": ("vs prev. week", None),
        "pageviews_yoy_pct": ("vs last year", None),
    }
    groups = dict.fromkeys(["pageviews", "pageviews_prev_pct", "pageviews_yoy_pct"], "Pages")
    figures = sum(
        column_px(labels[c][0], table[c].map(str))
        for c in ("pageviews", "pageviews_prev_pct", "pageviews_yoy_pct")
    )
    assert 2 * WRAP_PX + figures > EXPANDER_PX  # the case: at full width it does not fit
    for limit in (EXPANDER_PX, PAGE_PX):
        drawn = layout(table, groups, labels, limit)
        assert len(drawn.parts) == 1
        assert set(drawn.wrap) == {"title", "path"}
        assert sum(drawn.wrap.values()) + figures <= limit
        assert min(drawn.wrap.values()) >= WRAP_MIN_PX
    roomy = layout(table, groups, labels, 2 * WRAP_PX + figures + 10)
    assert roomy.wrap == {"title": WRAP_PX, "path": WRAP_PX}  # room: full width kept


def test_a_rate_changes_in_percentage_points_in_tables_and_cards():
    """Engagement rate 58.1% -> 58.3% read "+0.2%" (a relative change) beside shares in pp."""
    from statsdash.ui.format import cell_formatter, visible_columns
    from statsdash.ui.kpis import _change_of, change_line

    before, after = 0.581, 0.583
    row = pd.Series(
        {
            "engagement_rate": after,
            "engagement_rate_prev": before,
            "engagement_rate_prev_change": after - before,
            "engagement_rate_prev_pct": 100 * (after - before) / before,
        }
    )
    assert visible_columns(row.to_frame().T) == ["engagement_rate", "engagement_rate_prev_change"]
    assert cell_formatter("engagement_rate_prev_change", float)(after - before) == "▲ +0.2 pp"
    assert cell_formatter("engagement_rate_prev_change", float)(-0.0104) == "▼ −1.0 pp"
    line = change_line(_change_of(row, "engagement_rate", "prev"), "vs prev.", points=True)
    assert line.startswith(":green[▲ +0.2 pp]")
    assert "0.3%" not in line  # the relative change (0.34%) is not what a card shows
    assert _change_of(row.drop("engagement_rate_prev_change"), "engagement_rate", "prev") is None


def test_device_keys_read_as_names_on_screen():
    from statsdash.ui.format import device_name

    assert [device_name(d) for d in ("mobile", "desktop", "tablet", "smart tv")] == [
        "Mobile",
        "Desktop",
        "Tablet",
        "Smart TV",
    ]
    assert device_name(None) is None and device_name("") == ""


def test_month_caption_counts_a_day_still_arriving_neither_so_far_nor_left():
    """Monday 30 Nov, last week (through Sun 29, GA4 complete through Sat 28)."""
    from datetime import date

    from statsdash.ui.format import month_caption

    row = pd.Series({"days_elapsed": 28, "days_left": 1})
    text = month_caption(row, date(2026, 11, 29), date(2026, 11, 28))
    assert "28 complete days so far (Sun 29 Nov still arriving, left out), 1 day left." in text
    assert "Projected: all 30 days of November" in text
    assert "October's 31 days" in text


def test_month_to_date_caption_counts_complete_days_and_names_each_months_length():
    from datetime import date

    from statsdash.ui.format import month_caption

    sunday, saturday = date(2026, 11, 29), date(2026, 11, 28)
    row = pd.Series({"days_elapsed": 28, "days_left": 1})  # Sat 28 in, Sun 29 arriving, Mon 30 left
    assert month_caption(row, sunday, saturday) == (
        "November 2026 through Sat 28 Nov: 28 complete days so far (Sun 29 Nov still "
        "arriving, left out), 1 day left. Projected: all 30 days of November at the same "
        "daily pace. Last month's pageviews: October's 31 days."
    )
    first = pd.Series({"days_elapsed": 0, "days_left": 30})
    assert month_caption(first, date(2026, 12, 1), sunday) == (
        "December 2026: no complete day yet (web data is complete through Sun 29 Nov). "
        "Last month's pageviews: November's 30 days."
    )


def test_month_caption_after_the_month_ended_says_where_the_period_stops_not_days_left():
    """1 and 2 Dec, last week (Mon 23 - Sun 29 Nov): November is over, so its day after the
    period (Mon 30) is not "left"; a period ending on the month's last day has none."""
    from datetime import date

    from statsdash.ui.format import month_caption

    sunday, saturday = date(2026, 11, 29), date(2026, 11, 28)
    row = pd.Series({"days_elapsed": 29, "days_left": 1})
    text = month_caption(row, sunday, saturday, today=date(2026, 12, 2))
    assert text.startswith(
        "November 2026 through Sun 29 Nov: 29 complete days so far; the period stops 1 day "
        "before the month's end. Projected: all 30 days of November"
    )
    assert "day left" not in text and "days left" not in text
    still_on = month_caption(row, sunday, saturday, today=date(2026, 11, 30))
    assert ", 1 day left. Projected" in still_on
    # A week ending the 15th, read on the 20th: its month goes on, but not from the 15th.
    mid = pd.Series({"days_elapsed": 15, "days_left": 15})
    text = month_caption(mid, date(2026, 11, 15), None, today=date(2026, 11, 20))
    assert "15 days so far; the period stops 15 days before the month's end." in text
    assert "days left" not in text
    through_end = pd.Series({"days_elapsed": 29, "days_left": 0})  # last 28 days on 1 Dec
    text = month_caption(through_end, date(2026, 11, 30), sunday, today=date(2026, 12, 1))
    assert text.startswith(
        "November 2026 through Sun 29 Nov: 29 complete days so far (Mon 30 Nov still "
        "arriving, left out). Projected: all 30 days"
    )
    assert "days left" not in text


def test_month_to_date_headings_say_how_many_days_each_column_counts():
    from datetime import date

    from statsdash.ui.format import month_headings

    # Monday 30 Nov, last week: 28 complete days of November's 30; October had 31.
    assert month_headings(date(2026, 11, 29), 28) == {
        "pageviews": "Pageviews (28 days)",
        "projected_pageviews": "Projected (30 days)",
        "last_month_pageviews": "October (31 days)",
    }
    assert month_headings(date(2027, 3, 1), 1)["last_month_pageviews"] == "February (28 days)"


def test_a_top_list_shorter_than_its_limit_says_all_not_top():
    from statsdash.ui.format import top_caption, top_of

    assert top_of(15, 20, "country", "countries") == "all 15 countries"
    assert top_of(20, 20, "country", "countries") == "the top 20 countries"
    assert top_of(1, 20, "country", "countries") == "the one country"
    assert top_of(0, 20, "country", "countries") == "the top 20 countries"  # the limit
    assert top_caption(15, 20, "country", "countries") == "All 15 countries"
    assert top_caption(25, 20, "country", "countries") == "The top 20 countries"


def test_a_change_from_zero_reads_new_and_zero_to_zero_stays_empty():
    """No percent from 0: a page with views now and none before says "new" (not a blank
    that reads as missing data), also once the compared column is dropped for the screen;
    nothing before and nothing now stays empty."""
    import re

    from statsdash.ui.format import mark_new, to_styler

    table = pd.DataFrame(
        {
            "page": ["/new", "/grew", "/never"],
            "pageviews": [10, 5, 0],
            "pageviews_prev": [0, 4, 0],
            "pageviews_prev_pct": [float("nan"), 25.0, float("nan")],
        }
    )
    shown = mark_new(table)[["page", "pageviews", "pageviews_prev_pct"]]
    for drawn, groups in [
        (table, None),
        (table, dict.fromkeys(table.columns[1:], "Pageviews")),
        (shown, None),
    ]:
        html = to_styler(drawn, groups=groups).to_html()
        pct = f"col{list(drawn.columns).index('pageviews_prev_pct')}"
        cells = dict(re.findall(rf'id="T_\w+_row(\d)_{pct}" class="[^"]*" >([^<]*)<', html))
        assert cells == {"0": "new", "1": "▲ +25.0%", "2": ""}, (list(drawn.columns), groups)
    assert table["pageviews_prev_pct"].isna().sum() == 2  # the table itself is not changed
