"""Pure pandas helpers every service shares: rollups, ratios, comparison columns, top N, CSV.

None of these mutate their input; each returns a new DataFrame or Series.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

# Text cells starting with these are formulas to a spreadsheet (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets also read a formula behind leading blanks, control and bidi characters
# (U+202E...), and East Asian input turns fullwidth signs into formula signs.
FORMULA_CHARS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_SKIPPED = frozenset(("Zs", "Zl", "Zp", "Cc", "Cf"))  # spaces, controls, format/bidi marks
# Columns whose values are identifiers by contract keep their text when it has the
# identifier's shape: a YouTube video ID may start with "-" ("-3xQhP0bZ9k") and cannot hold
# a formula; any other value there is neutralised like free text.
IDENTIFIER_COLUMNS = {
    "video": re.compile(r"[A-Za-z0-9_-]{11}"),
    "property": re.compile(r"[0-9]+"),
}


def rollup(df: pd.DataFrame, keys: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Sum additive `metrics` per distinct `keys` (first-seen key order); no keys -> one row."""
    if not keys:
        return pd.DataFrame({m: [df[m].sum()] for m in metrics})
    return df.groupby(list(keys), sort=False, dropna=False, as_index=False)[list(metrics)].sum()


def ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.Series:
    """numerator / denominator * scale, NaN (shown empty) where the denominator is 0 or missing."""
    if _plain(numerator) and _plain(denominator) and numerator.index.equals(denominator.index):
        # The same answer in numpy: tables call this hundreds of times on small columns.
        num, den = (s.to_numpy(dtype="float64") for s in (numerator, denominator))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = num * scale / np.where(den != 0, den, np.nan)
        out[np.isinf(out)] = np.nan
        name = numerator.name if numerator.name == denominator.name else None
        return pd.Series(out, index=numerator.index, name=name)
    num = pd.to_numeric(numerator, errors="coerce").astype("float64")
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    out = num * scale / den.where(den != 0)
    return out.replace([np.inf, -np.inf], np.nan)


def _plain(series) -> bool:
    """A Series of plain numpy numbers (no nullable or text dtype to coerce)."""
    return (
        isinstance(series, pd.Series)
        and isinstance(series.dtype, np.dtype)
        and (series.dtype.kind in "iuf")
    )


def per_thousand(count: pd.Series, views: pd.Series) -> pd.Series:
    """A rate per 1,000 views."""
    return ratio(count, views, scale=1000.0)


def share_pct(part: pd.Series, whole: pd.Series | float) -> pd.Series:
    """part as a percentage of whole (empty when whole is 0)."""
    if not isinstance(whole, pd.Series):
        whole = pd.Series(whole, index=part.index)
    return ratio(part, whole, scale=100.0)


def pct_change(current: pd.Series, base: pd.Series) -> pd.Series:
    """Percent change from base; empty (NaN), never 0, when the base is 0 or missing.

    Divided by the base's size, so the sign is the change's even when the base is negative
    (a net subscriber change from -10 to 5 is +150 %, not -150 %)."""
    return ratio(current - base, pd.to_numeric(base, errors="coerce").abs(), scale=100.0)


def add_comparisons(
    current: pd.DataFrame,
    comparisons: Mapping[str, pd.DataFrame],
    keys: Sequence[str],
    metrics: Sequence[str],
) -> pd.DataFrame:
    """Follow each metric with `<m>_<sfx>`, `<m>_<sfx>_change`, `<m>_<sfx>_pct` per comparison.

    `comparisons` maps a column suffix (`prev`, `yoy`) to that period's table with the same
    keys and metrics. Rows of `current` missing there get 0 (so change = their own value and
    percent is empty); a value that is there but empty (a ratio over 0 sessions) stays empty;
    rows only in a comparison period are not reported.
    """
    if not keys:
        return _add_to_one_row(current, comparisons, metrics)
    out = current.reset_index(drop=True)
    # The new columns are gathered and joined once: inserting them one by one into the frame
    # was most of a table's CPU.
    added: dict[str, pd.Series] = {}
    for suffix, other in comparisons.items():
        # Unique keys on the right: the left join keeps out's rows, in order.
        right = other[list(keys) + list(metrics)].drop_duplicates(subset=list(keys))
        rows = _matching_rows(out, right, keys)
        if rows is None:  # keys a positional lookup may not match as a merge does
            joined = out[list(keys)].merge(
                right, on=list(keys), how="left", sort=False, indicator=True
            )
            absent = (joined.pop("_merge") == "left_only").to_numpy()
        else:
            absent = rows < 0
        for m in metrics:
            col = f"{m}_{suffix}"
            if rows is None:
                values = joined[m]
            else:
                # What the left merge gives: the right row's value, missing where none.
                values = pd.Series(right[m].array.take(rows, allow_fill=True), index=out.index)
            filled = _filled(values, absent, current[m])
            added[col] = filled
            added[f"{col}_change"] = out[m] - filled
            added[f"{col}_pct"] = pct_change(out[m], filled)
    if added:
        out = pd.concat([out, pd.DataFrame(added, index=out.index)], axis=1)
    return out[_ordered(current, comparisons, metrics)]


def _matching_rows(left: pd.DataFrame, right: pd.DataFrame, keys: Sequence[str]):
    """For each row of `left`, the position of the `right` row (keys unique there) with the
    same keys, -1 where none: a left merge's match without building the merged frame (a
    merge per comparison was most of a small table's CPU). None when a key column is
    missing values or is not text or integers, whose matching the merge then decides."""
    for key in keys:
        kinds = {_key_kind(column) for column in (left[key], right[key])}
        if len(kinds) != 1 or None in kinds:
            return None
    if len(keys) == 1:
        index, target = pd.Index(right[keys[0]]), pd.Index(left[keys[0]])
    else:
        index = pd.MultiIndex.from_arrays([right[k] for k in keys])
        target = pd.MultiIndex.from_arrays([left[k] for k in keys])
    return index.get_indexer(target)


def _key_kind(column: pd.Series) -> str | None:
    """ "text" (pandas str), "integer" (numpy), or None (anything else, or missing values)."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        kind = "text"
    elif isinstance(dtype, np.dtype) and dtype.kind in "iu":
        kind = "integer"
    else:
        return None
    return None if column.isna().any() else kind


def _filled(values: pd.Series, absent: np.ndarray, like: pd.Series) -> pd.Series:
    """A comparison's values, 0 where its row is absent, integers kept integers."""
    filled = values.mask(absent, 0)
    if pd.api.types.is_integer_dtype(like):
        filled = filled.astype(like.dtype if filled.notna().all() else "Int64")
    return filled


def _ordered(current: pd.DataFrame, comparisons, metrics: Sequence[str]) -> list[str]:
    ordered = []
    for col in current.columns:
        ordered.append(col)
        if col in metrics:
            ordered.extend(_comparison_columns(col, comparisons))
    return ordered


def _add_to_one_row(current: pd.DataFrame, comparisons, metrics: Sequence[str]) -> pd.DataFrame:
    """add_comparisons without keys: the tables of one row (totals)."""
    out = current.reset_index(drop=True)
    for suffix, other in comparisons.items():
        renamed = other[list(metrics)].rename(columns={m: f"{m}_{suffix}" for m in metrics})
        out = pd.concat([out, renamed.reset_index(drop=True).iloc[:1]], axis=1)
        absent = np.full(len(out), renamed.empty)
        # Gathered and joined once, as in add_comparisons: three columns set one by one per
        # metric (60 for GA's summary with two comparisons) was most of the summary's CPU.
        added: dict[str, pd.Series] = {}
        for m in metrics:
            col = f"{m}_{suffix}"
            filled = _filled(out[col], absent, current[m])
            added[col] = filled
            added[f"{col}_change"] = out[m] - filled
            added[f"{col}_pct"] = pct_change(out[m], filled)
        kept = out.drop(columns=[f"{m}_{suffix}" for m in metrics])
        out = pd.concat([kept, pd.DataFrame(added, index=out.index)], axis=1)
    return out[_ordered(current, comparisons, metrics)]


def _comparison_columns(metric: str, comparisons: Iterable[str]) -> list[str]:
    return [f"{metric}_{s}{part}" for s in comparisons for part in ("", "_change", "_pct")]


def comparison_columns(metrics: Sequence[str], suffixes: Sequence[str]) -> list[str]:
    """The contract's column order: each metric followed by its comparison columns."""
    return [c for m in metrics for c in [m, *_comparison_columns(m, suffixes)]]


def top_n(df: pd.DataFrame, by: str | Sequence[str], n: int) -> pd.DataFrame:
    """The n largest rows by `by` (descending, ties kept in input order), reindexed from 0."""
    cols = [by] if isinstance(by, str) else list(by)
    ranked = df.sort_values(cols, ascending=False, kind="stable")
    return ranked.head(n).reset_index(drop=True)


def is_formula(text: str) -> bool:
    """Would a spreadsheet read this cell as a formula (or a blank-prefixed one)?"""
    if text.startswith(FORMULA_PREFIXES):
        return True
    for char in text:
        if unicodedata.category(char) not in _SKIPPED:
            return char in FORMULA_CHARS
    return False


def neutralise(value: object, identifier: re.Pattern | None = None) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe;
    a value of the column's `identifier` shape is left as it is."""
    if not isinstance(value, str) or (identifier and identifier.fullmatch(value)):
        return value
    return "'" + value if is_formula(value) else value


# Fractions 0-1 whose second decimal is too coarse (0.58 hides 0.575 vs 0.584): 4 places,
# for them and their comparison values and changes (their percent changes keep 2).
FRACTIONS = ("engagement_rate",)


def _places(column: str) -> int:
    fraction = any(column == f or column.startswith(f"{f}_") for f in FRACTIONS)
    return 4 if fraction and not column.endswith("_pct") else 2


def to_csv(df: pd.DataFrame) -> str:
    """The CSV every download and export writes: formula-safe text, floats to 2 places
    (4 for FRACTIONS).

    Every text column is neutralised except identifier-shaped values of IDENTIFIER_COLUMNS
    (`video`, `property`), which stay byte-equal to the API's IDs."""
    # Column by column into a new frame built once: setting each column of a copy cost
    # more than the CSV writing itself. A text column no cell of which needs neutralising
    # is kept as it is.
    columns = {}
    for col, series in df.items():
        if pd.api.types.is_float_dtype(series):
            series = series.round(_places(str(col))) + 0.0  # + 0.0 turns -0.0 into 0.0
        elif not pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = series.tolist()
            safe = [neutralise(v, IDENTIFIER_COLUMNS.get(col)) for v in values]
            if any(a is not b for a, b in zip(safe, values, strict=True)):
                series = pd.Series(safe, index=series.index, dtype=object)
        columns[col] = series
    safe = pd.DataFrame(columns, index=df.index, columns=df.columns)
    # RFC 4180 line ends: with them the csv module also quotes a stray "\r" inside a cell.
    return safe.to_csv(index=False, lineterminator="\r\n")


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to call
        return None


def give_back_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim; elsewhere
    nothing). A GA round at 2,000 properties parses a few hundred MB of answers in worker
    threads and frees them; glibc kept those pages, so the server stayed at the round's
    size for good and the tables built next came on top of it."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
