"""Insights charts and sentences from stand-in drivers tables (no API): the waterfall's steps
add up, risers and fallers, the sentence's figures are the table's cells."""

import pandas as pd

from statsdash import drivers as d
from statsdash import narrative
from statsdash.ui import insight_charts as ic


def table() -> pd.DataFrame:
    sites = d.additive(
        pd.Series({"a.example": 700.0, "b.example": 300.0, "c.example": 130.0}),
        pd.Series({"a.example": 1000.0, "b.example": 200.0, "c.example": 100.0}),
        1130.0,
        1300.0,
        top=None,
    )
    articles = d.additive(
        pd.Series({"a.example/x": 100.0, "b.example/y": 150.0}),
        pd.Series({"a.example/x": 350.0, "b.example/y": 50.0}),
        1130.0,
        1300.0,
    )
    sources = d.additive(
        pd.Series({"google / organic": 500.0}),
        pd.Series({"google / organic": 650.0}),
        1130.0,
        1300.0,
    )
    return d.combined(
        [
            d.labelled(sites, "pageviews", "previous", "site", (1130.0, 1300.0)),
            d.labelled(
                articles, "pageviews", "previous", "article", (1130.0, 1300.0), {"a.example/x": "X"}
            ),
            d.labelled(sources, "pageviews", "previous", "source_medium", (1130.0, 1300.0)),
        ]
    )


def test_the_waterfall_walks_from_the_base_to_the_current_total():
    rows = table()[lambda t: t["dimension"] == "site"]
    steps = ic.to_waterfall(rows, "Previous", "Now")
    assert steps["step"].tolist() == ["Previous", "b.example", "c.example", "a.example", "Now"]
    assert steps["end"].iloc[-2] == steps["end"].iloc[-1] == 1130.0
    assert (steps["start"][1:-1].to_numpy() == steps["end"][:-2].to_numpy()).all()
    spec = ic.waterfall(steps, "Pageviews").to_dict()
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y2"]["field"] == "end"
    assert spec["encoding"]["x"]["axis"]["labelOverlap"] is False  # every bar named
    # The levels walk 1300 -> 1400 (b +100) -> 1430 (c +30) -> 1130 (a −300): the top of the
    # axis is just above the highest, its bottom below the lowest, so no bar is cut.
    scale = spec["encoding"]["y"]["scale"]
    assert scale["domainMax"] == 1.02 * 1430 and scale["domainMin"] == 0.9 * 1130


def test_risers_fallers_and_the_sentence_come_from_the_table():
    rows = table()[lambda t: t["dimension"] == "site"]
    risers, fallers = ic.risers_and_fallers(rows)
    assert risers["label"].tolist() == ["b.example", "c.example"]
    assert fallers[["label", "change"]].values.tolist() == [["a.example", -300.0]]
    sentence = narrative.headline(table(), "pageviews", "previous")
    assert sentence == (
        "Pageviews −13.1% vs the previous period. By site: a.example −300 (its top article "
        "“X”, −250); partly offset by b.example +100. By source: google / organic −150."
    )


def test_a_title_with_quotes_is_not_quoted_twice():
    articles = d.additive(
        pd.Series({"a.example/x": 100.0}), pd.Series({"a.example/x": 350.0}), 1130.0, 1300.0
    )
    labels = {"a.example/x": '"Indie" explained'}
    own = d.labelled(articles, "pageviews", "previous", "article", (1130.0, 1300.0), labels)
    rest = table()[lambda t: t["dimension"] != "article"]
    sentence = narrative.headline(d.combined([rest, own]), "pageviews", "previous")
    assert "(its top article “‘Indie’ explained”, −250)" in sentence


def test_youtube_sources_read_as_youtube_names_them():
    now, then = pd.Series({"SUGGESTED": 900.0, "YT_SEARCH": 100.0}), pd.Series({"SUGGESTED": 400.0})
    groups = d.additive(pd.Series({"G": 1000.0}), pd.Series({"G": 400.0}), 1000.0, 400.0, top=None)
    sources = d.additive(now, then, 1000.0, 400.0)
    table = d.combined(
        [
            d.labelled(groups, "views", "previous", "channel", (1000.0, 400.0)),
            d.labelled(sources, "views", "previous", "source_type", (1000.0, 400.0)),
        ]
    )
    sentence = narrative.headline(table, "views", "previous")
    assert sentence == (
        "YouTube views +150.0% vs the previous period. By channel group: G +600. "
        "By traffic source: Suggested videos +500."
    )


def test_a_rate_reads_as_a_percentage_and_its_change_in_points():
    # Sessions 100 / 100 and engaged 58 / 60: 58.0% now against 60.0%; a.example's own rate
    # fell from 0.6 to 0.58 (rate effect −2.0 pp), the weights did not move (mix effect 0).
    split = d.mix_and_rate(
        (pd.Series({"a.example": 58.0}), pd.Series({"a.example": 60.0})),
        (pd.Series({"a.example": 100.0}), pd.Series({"a.example": 100.0})),
    )
    rows = d.labelled(split, "engagement_rate", "previous", "site", (0.58, 0.6))
    sentence = narrative.headline(rows, "engagement_rate", "previous")
    assert sentence == (
        "Engagement rate 58.0% vs 60.0% the previous period (−2.0 pp): mostly rates within "
        "sites (rate effect −2.0 pp, mix effect 0.0 pp)."
    )
    split = d.mix_and_rate(
        (pd.Series({"a.example": 240.0}), pd.Series({"a.example": 237.0})),
        (pd.Series({"a.example": 100.0}), pd.Series({"a.example": 100.0})),
    )
    rows = d.labelled(split, "pages_per_session", "previous", "site", (2.4, 2.37))
    assert narrative.headline(rows, "pages_per_session", "previous") == (
        "Pages per session 2.40 vs 2.37 the previous period (+0.03): mostly rates within "
        "sites (rate effect +0.03, mix effect 0.00)."
    )


def test_compact_numbers():
    assert [narrative.compact(v) for v in (38_210, -1_234, 950, 0, 2_500_000)] == [
        "+38k", "−1.2k", "+950", "0", "+2.5M",
    ]  # fmt: skip


def test_a_tracking_break_says_which_source_went_silent():
    detail = (
        "property 42 sent no data (usually about 900 pageviews): likely a tracking break, "
        "not a traffic drop"
    )
    row = pd.Series(
        {
            "date": "2026-11-24", "service": "ga", "entity": "a.example", "metric": "pageviews",
            "value": 32_381.0, "expected_low": 29_370.0, "expected_high": 44_914.0,
            "kind": "tracking_break", "detail": detail,
        }
    )  # fmt: skip
    assert narrative.anomaly_short(row) == (
        "Tue 24 Nov · a.example: property 42 sent no data; site total 32,381, within the "
        "expected range"
    )
    assert narrative.anomaly_line(row) == (
        f"a.example pageviews Tue 24 Nov: {detail}; site total 32,381, within the expected range"
    )
    below = row.copy()
    below["value"] = 29_000.0
    assert narrative.anomaly_short(below).endswith("site total 29,000 (expected 29,370–44,914)")
