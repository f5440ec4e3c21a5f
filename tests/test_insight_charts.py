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


def test_risers_fallers_and_the_sentence_come_from_the_table():
    rows = table()[lambda t: t["dimension"] == "site"]
    risers, fallers = ic.risers_and_fallers(rows)
    assert risers["label"].tolist() == ["b.example", "c.example"]
    assert fallers[["label", "change"]].values.tolist() == [["a.example", -300.0]]
    sentence = narrative.headline(table(), "pageviews", "previous")
    assert sentence == (
        "Pageviews −13.1% vs the previous period: a.example −300 (its top article “X”, −250), "
        "google / organic −150; partly offset by b.example +100."
    )


def test_compact_numbers():
    assert [narrative.compact(v) for v in (38_210, -1_234, 950, 0, 2_500_000)] == [
        "+38k", "−1.2k", "+950", "0", "+2.5M",
    ]  # fmt: skip
