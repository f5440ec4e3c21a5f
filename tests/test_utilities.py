"""Shared pandas helpers: rollups with ratios from parts, comparison columns, CSV safety."""

import gc
import io
import math
import threading

import pandas as pd
import pytest

from statsdash.collector import collector_paused
from statsdash.utilities import (
    add_comparisons,
    comparison_columns,
    per_thousand,
    ratio,
    rollup,
    to_csv,
    top_n,
)


def test_ratio_rebuilt_from_parts_differs_from_average_of_averages():
    # Two properties of one site: a big one with few pages per session, a tiny one with many.
    rows = pd.DataFrame(
        {
            "site": ["a", "a"],
            "pageviews": [10_000, 30],
            "sessions": [8_000, 10],
            "duration": [8_000 * 60.0, 10 * 600.0],
        }
    )
    site = rollup(rows, ["site"], ["pageviews", "sessions", "duration"])
    pages_per_session = ratio(site["pageviews"], site["sessions"]).iloc[0]
    avg_seconds = ratio(site["duration"], site["sessions"]).iloc[0]
    assert pages_per_session == 10_030 / 8_010
    assert avg_seconds == (8_000 * 60 + 10 * 600) / 8_010
    average_of_averages = (10_000 / 8_000 + 30 / 10) / 2
    assert not math.isclose(pages_per_session, average_of_averages, rel_tol=0.01)
    assert not math.isclose(avg_seconds, (60 + 600) / 2, rel_tol=0.01)


def test_rollup_without_keys_is_one_row_and_input_untouched():
    rows = pd.DataFrame({"k": ["x", "y", "x"], "v": [1, 2, 3]})
    before = rows.copy()
    assert rollup(rows, [], ["v"]).to_dict("records") == [{"v": 6}]
    assert rollup(rows, ["k"], ["v"]).to_dict("records") == [{"k": "x", "v": 4}, {"k": "y", "v": 2}]
    pd.testing.assert_frame_equal(rows, before)


def test_percent_with_zero_or_missing_base_is_empty_never_zero():
    current = pd.DataFrame({"site": ["a", "b", "c"], "pv": [100, 50, 0]})
    prev = pd.DataFrame({"site": ["a", "c"], "pv": [0, 40]})
    out = add_comparisons(current, {"prev": prev}, ["site"], ["pv"])
    assert out.columns.tolist() == ["site", "pv", "pv_prev", "pv_prev_change", "pv_prev_pct"]
    a, b, c = out.to_dict("records")
    assert a["pv_prev"] == 0 and a["pv_prev_change"] == 100 and math.isnan(a["pv_prev_pct"])
    # Absent from the comparison period: 0 there, change = own value, percent empty.
    assert b["pv_prev"] == 0 and b["pv_prev_change"] == 50 and math.isnan(b["pv_prev_pct"])
    assert c["pv_prev_change"] == -40 and c["pv_prev_pct"] == -100.0
    assert out["pv_prev"].dtype == current["pv"].dtype


def test_an_empty_ratio_in_a_comparison_period_stays_empty():
    # "b" had no sessions in the previous period: its pages per session there is unknown.
    current = pd.DataFrame({"site": ["a", "b", "c"], "pps": [2.0, 1.5, 3.0]})
    prev = pd.DataFrame({"site": ["a", "b"], "pps": [1.6, float("nan")]})
    a, b, c = add_comparisons(current, {"prev": prev}, ["site"], ["pps"]).to_dict("records")
    assert a["pps_prev"] == 1.6 and a["pps_prev_pct"] == pytest.approx(25.0)
    assert math.isnan(b["pps_prev"]) and math.isnan(b["pps_prev_change"])
    assert math.isnan(b["pps_prev_pct"])
    assert c["pps_prev"] == 0 and c["pps_prev_change"] == 3.0  # absent: 0 there
    keyless = add_comparisons(
        pd.DataFrame({"pps": [2.0]}), {"yoy": pd.DataFrame({"pps": [float("nan")]})}, [], ["pps"]
    )
    assert keyless.iloc[0, 1:].isna().all()


def test_percent_change_from_a_negative_base_has_the_sign_of_the_change():
    current = pd.DataFrame({"country": ["GB", "US"], "net": [5, -20]})
    prev = pd.DataFrame({"country": ["GB", "US"], "net": [-10, -10]})
    gb, us = add_comparisons(current, {"prev": prev}, ["country"], ["net"]).to_dict("records")
    assert gb["net_prev_change"] == 15 and gb["net_prev_pct"] == 150.0
    assert us["net_prev_change"] == -10 and us["net_prev_pct"] == -100.0


def test_comparison_columns_follow_each_metric_in_contract_order():
    current = pd.DataFrame({"site": ["a"], "pv": [120], "users": [60]})
    prev = pd.DataFrame({"site": ["a"], "pv": [100], "users": [80]})
    yoy = pd.DataFrame({"site": ["a"], "pv": [60], "users": [60]})
    out = add_comparisons(current, {"prev": prev, "yoy": yoy}, ["site"], ["pv", "users"])
    assert out.columns.tolist() == ["site", *comparison_columns(["pv", "users"], ["prev", "yoy"])]
    row = out.iloc[0]
    assert row["pv_prev_pct"] == 20.0 and row["pv_yoy_pct"] == 100.0
    assert row["users_prev_pct"] == -25.0 and row["users_yoy_pct"] == 0.0


def test_comparisons_on_a_keyless_summary():
    out = add_comparisons(
        pd.DataFrame({"pv": [150]}), {"yoy": pd.DataFrame({"pv": [100]})}, [], ["pv"]
    )
    assert out.to_dict("records") == [
        {"pv": 150, "pv_yoy": 100, "pv_yoy_change": 50, "pv_yoy_pct": 50.0}
    ]


def test_rates_per_thousand_and_top_n():
    assert per_thousand(pd.Series([5, 1]), pd.Series([2_000, 0])).tolist()[0] == 2.5
    assert math.isnan(per_thousand(pd.Series([1]), pd.Series([0])).iloc[0])
    df = pd.DataFrame({"k": list("abcd"), "v": [3, 9, 3, 1]})
    assert top_n(df, "v", 3)["k"].tolist() == ["b", "a", "c"]


def test_csv_neutralises_formula_text_but_not_numbers():
    df = pd.DataFrame(
        {
            "title": ['=HYPERLINK("x")', "+cmd", "-rm", "@SUM(A1)", "\tx", "\rx", "Fine -ok"],
            "change": [-5, 1, 2, 3, 4, 5, 6],
            "pct": [-12.3456, float("nan"), -0.001, 1, 2, 3, 4],
        }
    )
    text = to_csv(df)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert back["title"].tolist()[:4] == ['\'=HYPERLINK("x")', "'+cmd", "'-rm", "'@SUM(A1)"]
    assert back["title"].iloc[6] == "Fine -ok"
    lines = text.split("\r\n")
    assert lines[1].endswith(",-5,-12.35")
    assert lines[2].endswith(",1,")  # NaN percent is an empty cell
    assert lines[3].endswith(",2,0.0")  # rounded to zero without a minus sign
    assert back["title"].iloc[5] == "'\rx"  # a stray CR is quoted, the row stays whole


@pytest.mark.parametrize(
    "cell",
    [
        " =1+1",  # a blank first
        "\u00a0+cmd",  # a no-break space
        '\u202e=HYPERLINK("http://127.0.0.2/x")',  # right-to-left override (bidi)
        "\u200b\u2066-2+3",  # zero-width space, left-to-right isolate
        "\x0b@SUM(A1)",  # a control character
        "\uff1dSUM(A1)",  # fullwidth = + - @
        "\uff0bcmd",
        "\uff0d1",
        "\uff20A1",
        " \u3000\uff1d1",  # ideographic space, then fullwidth =
    ],
)
def test_csv_neutralises_formulas_behind_blanks_controls_and_fullwidth_signs(cell):
    text = to_csv(pd.DataFrame({"title": [cell]}))
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert back["title"].iloc[0] == "'" + cell


def test_csv_keeps_identifiers_by_column_role():
    """A video ID may start with "-" (the demo has several); its column keeps it byte-equal,
    while the same text in a free-text column, or a non-ID in the ID column, is neutralised."""
    video_ids = ["-NqGYkR56Hk", "_JBALpcroPs"]
    df = pd.DataFrame(
        {
            "video": [*video_ids, '=HYPERLINK("http://127.0.0.2/x")'],
            "title": [video_ids[0], "ok title", "x"],
            "property": ["311204581", "-1", "2"],
        }
    )
    back = pd.read_csv(io.StringIO(to_csv(df)), keep_default_na=False, dtype=str)
    assert back["video"].tolist() == [*video_ids, '\'=HYPERLINK("http://127.0.0.2/x")']
    assert back["title"].tolist() == ["'-NqGYkR56Hk", "ok title", "x"]
    assert back["property"].tolist() == ["311204581", "'-1", "2"]


def test_the_collector_is_paused_until_the_last_caller_leaves():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def other_session():
        with collector_paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_session)
    with collector_paused():
        assert not gc.isenabled()
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread is still building its tables
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_the_collector_stays_off_when_it_was_off_and_comes_back_after_an_error():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a table that failed")
    assert gc.isenabled()
