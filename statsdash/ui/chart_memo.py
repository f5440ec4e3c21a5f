"""Charts (and download CSVs) built once per data: the drawing layer of the page, with
statsdash.ui.table_draw for tables (README, Architecture).

Building an Altair chart and turning it into a Vega-Lite spec (Altair deep-copies and
validates every layer) was most of a warm page's server time: each rerun, and each visitor,
rebuilt the same charts from the same tables. `memo_chart` keeps the last charts built, keyed
by the content of their arguments, and each kept chart remembers the spec Streamlit drew from
it, so a revisit draws the stored spec. A chart is only reused for equal data, so nothing
stale can show; it holds no widget and no session state.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd

# Altair checks every schema object against Vega-Lite's JSON schema as it is made (its
# "debug mode"), and each spec again when it is turned into a dict: on a restarted server
# the first check also builds the schema's validator. The app's charts are checked where
# they are written, by the tests' `chart.to_dict()` (which still validates); on the server
# neither check runs (the same specs: a check only raises or passes).
alt.utils.schemapi.disable_debug_mode()

MAX_CHARTS = 64  # a few pages' charts for a few selections; each holds its small frame
STREAMLIT_TRANSFORMER = "to_arrow_dataset"  # what st.altair_chart converts charts under

_charts: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


class _Unkeyable(Exception):
    """An argument whose content cannot be keyed: build the chart without the memo."""


def _key_of(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        hashed = pd.util.hash_pandas_object(value, index=True).to_numpy()
        digest = hashlib.sha1(hashed.tobytes()).hexdigest()
        columns = tuple(map(str, value.columns)), tuple(map(str, value.dtypes))
        return ("frame", value.shape, columns, digest)
    if isinstance(value, pd.Series):
        return ("series", _key_of(value.to_frame()))
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value).__name__, value)
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_key_of(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((_key_of(k), _key_of(v)) for k, v in value.items()))
    if isinstance(value, alt.TopLevelMixin) and getattr(value, "_memo_key", None):
        return ("chart", value._memo_key)  # a chart from memo_chart: keyed by its own data
    raise _Unkeyable(type(value).__name__)


def _remember_spec(chart: Any) -> None:
    """Let `chart.to_dict()` under Streamlit's converter return the spec it gave the first
    time (with the datasets Streamlit collected then); any other call builds as Altair does."""
    build = chart.to_dict
    specs: dict[tuple, dict] = {}

    def to_dict(*args, **kwargs):
        where = (alt.data_transformers.active, alt.theme.active)
        if args or kwargs or where[0] != STREAMLIT_TRANSFORMER:
            return build(*args, **kwargs)
        if where not in specs:
            spec = build(validate=False)  # see disable_debug_mode above
            collected = alt.data_transformers.options.get("datasets") or {}
            spec["datasets"] = {**(spec.get("datasets") or {}), **collected}
            specs[where] = spec
        return copy.deepcopy(specs[where])  # Streamlit edits the spec it is given

    object.__setattr__(chart, "to_dict", to_dict)  # not an Altair property (setattr is one)


def memo_chart(build: Callable[..., Any]) -> Callable[..., Any]:
    """`build(...)` once per content of its arguments (the last MAX_CHARTS kept)."""

    @functools.wraps(build)
    def chart(*args, **kwargs):
        try:
            key = (build.__qualname__, _key_of(args), _key_of(kwargs))
        except _Unkeyable:
            return build(*args, **kwargs)
        with _lock:
            hit = _charts.get(key)
            if hit is not None:
                _charts.move_to_end(key)
                return hit
        made = build(*args, **kwargs)
        object.__setattr__(made, "_memo_key", key)
        _remember_spec(made)
        with _lock:
            _charts[key] = made
            while len(_charts) > MAX_CHARTS:
                _charts.popitem(last=False)
        return made

    return chart


MAX_CSVS = 32  # the downloads of a few pages; a CSV is a table's size in text
_csvs: OrderedDict[tuple, str] = OrderedDict()


def csv_of(table: pd.DataFrame) -> str:
    """`utilities.to_csv(table)`, kept per content of the table: every rerun of a page draws
    its download buttons, and making the formula-safe CSV again (a cell at a time) was a
    quarter of a warm page's server time."""
    from statsdash.utilities import to_csv

    key = _key_of(table)
    with _lock:
        hit = _csvs.get(key)
        if hit is not None:
            _csvs.move_to_end(key)
            return hit
    made = to_csv(table)
    with _lock:
        _csvs[key] = made
        while len(_csvs) > MAX_CSVS:
            _csvs.popitem(last=False)
    return made
