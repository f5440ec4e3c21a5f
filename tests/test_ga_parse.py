"""GA answers parse to the frames plain pandas makes of the same JSON: each request's days
are parsed once per process and text columns coded from a dict, with nothing changed."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from statsdash.ga.query import ReportRequest, date_ranges, parse_report
from statsdash.periods import Period

RANGES = {"current": Period("c", date(2026, 10, 1), date(2026, 10, 3))}


def answer(rows: list[tuple[str, str, str, str]]) -> dict:
    """A runReport answer by country and date: (country, yyyymmdd, views, rate) per row."""
    return {
        "dimensionHeaders": [{"name": "country"}, {"name": "date"}],
        "metricHeaders": [
            {"name": "screenPageViews", "type": "TYPE_INTEGER"},
            {"name": "bounceRate", "type": "TYPE_FLOAT"},
        ],
        "rows": [
            {
                "dimensionValues": [{"value": c}, {"value": d}],
                "metricValues": [{"value": v}, {"value": r}],
            }
            for c, d, v, r in rows
        ],
        "rowCount": len(rows),
    }


def plain(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """The same answer through plain pandas."""
    frame = pd.DataFrame(rows, columns=["country", "date", "screenPageViews", "bounceRate"])
    return pd.DataFrame(
        {
            "country": frame["country"].astype("str"),
            "date": pd.Series(
                list(pd.to_datetime(frame["date"], format="%Y%m%d").dt.date), dtype=object
            ),
            "dateRange": pd.Series(["current"] * len(frame), dtype="str"),
            "screenPageViews": frame["screenPageViews"].astype("int64"),
            "bounceRate": frame["bounceRate"].astype("float64"),
        }
    )


REQUEST = ReportRequest(date_ranges(RANGES), ("screenPageViews", "bounceRate"), ("country", "date"))
ROWS = [
    ("France", "20261001", "10", "0.5"),
    ("Japan", "20261001", "7", "0.25"),
    ("France", "20261002", "3", "1"),
    ("(not set)", "20261003", "0", "0"),
    ("Japan", "20261003", "12", "0.125"),
]


@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], ROWS[2:] + ROWS[:2], []])
def test_an_answer_parses_as_plain_pandas_reads_it(rows):
    # Twice: the second parse of the same days comes from the once-per-process parse.
    for _ in range(2):
        parsed = parse_report(answer(rows), REQUEST)
        pd.testing.assert_frame_equal(parsed.frame[list(plain(rows).columns)], plain(rows))


def test_text_codes_follow_first_appearance():
    table = parse_report(answer(ROWS), REQUEST).rows
    country = table.arrays["country"]
    assert list(country.uniques) == ["France", "Japan", "(not set)"]
    assert list(country.codes) == [0, 1, 0, 2, 1]


def test_rows_in_keeps_the_rows_of_the_values_asked_in_order():
    """Table.rows_in (the top sources' articles are stacked from it) against pandas."""
    from statsdash.ga.query import Table, stack_tables

    frame = pd.DataFrame(
        {
            "sessionSource": pd.Series(["a.com", "b.com", "a.com", "c.com", "b.com"], dtype="str"),
            "pagePath": pd.Series(["/1", "/2", "/3", "/1", "/5"], dtype="str"),
            "screenPageViews": [5, 4, 3, 2, 1],
        }
    )
    table = Table(frame)
    for wanted in (["b.com", "a.com"], ["c.com"], ["nobody.com"], []):
        got = stack_tables([(table.rows_in("sessionSource", wanted), {"site": "s"})])
        expected = frame[frame["sessionSource"].isin(wanted)].assign(site="s")
        pd.testing.assert_frame_equal(
            got, expected.astype({"site": "str"}).reset_index(drop=True), check_exact=True
        )
    empty = Table(frame.iloc[:0])
    assert len(empty.rows_in("sessionSource", ["a.com"])) == 0


def test_counts_past_int32_stack_and_sum_exactly():
    """Each property's counts are kept as int32 when they fit; stacked and summed over
    properties (a network's pageviews) they must not wrap at 2**31."""
    from statsdash.ga.query import stack_tables

    near = 2**31 - 1  # fits int32: kept narrow
    past = 2**31 + 5  # does not: kept int64
    parts = [
        (parse_report(answer([("France", "20261001", str(v), "0.5")]), REQUEST).rows, {"site": s})
        for s, v in (("a", near), ("b", near), ("c", past))
    ]
    stacked = stack_tables(parts)
    assert stacked["screenPageViews"].dtype == "int64"
    assert stacked["screenPageViews"].tolist() == [near, near, past]
    assert int(stacked["screenPageViews"].sum()) == 2 * near + past
    one = parse_report(answer([("France", "20261001", str(near), "0")] * 3), REQUEST)
    assert int(one.frame["screenPageViews"].sum()) == 3 * near


def test_parsed_text_is_freed_with_its_table():
    """Interned (one string per distinct text over every answer) only where Python frees an
    interned string with its last user: CPython 3.12 makes every interned string immortal,
    and a server would keep each path and title it ever parsed."""
    import gc
    import sys

    title = "".join(("/a-path-only-this-test-parses-", str(id(gc))))
    table = parse_report(answer([(title, "20261001", "1", "0")]), REQUEST).rows
    kept = table.arrays["country"].uniques[0]
    assert kept == title
    assert sys.getrefcount(kept) < 1 << 30, "an immortal (interned) string"


def test_a_report_without_metrics_parses():
    """Google leaves an empty list out of its JSON: rows of a dimensions-only report carry no
    `metricValues`, as those of a report without dimensions carry no `dimensionValues`."""
    request = ReportRequest(date_ranges(RANGES), (), ("country",))
    response = {
        "dimensionHeaders": [{"name": "country"}],
        "rows": [{"dimensionValues": [{"value": c}]} for c in ("France", "Japan")],
        "rowCount": 2,
    }
    frame = parse_report(response, request).frame
    assert frame["country"].tolist() == ["France", "Japan"]
    assert list(frame.columns) == ["country", "dateRange"]


def test_day_numbers_are_each_rows_own_day_as_datetime64():
    import datetime as dt

    import numpy as np
    import pandas as pd

    from statsdash.ga.query import day_numbers

    days = [dt.date(2026, 11, 3), dt.date(2025, 2, 28), dt.date(2026, 11, 3), dt.date(2024, 2, 29)]
    got = day_numbers(pd.Series(days, dtype=object))
    assert got.dtype == np.dtype("datetime64[D]")
    # Each row's own day, in order, as numpy reads the dates one by one.
    assert [d.item() for d in got] == days
    assert len(day_numbers(pd.Series([], dtype=object))) == 0
