"""Deterministic fact generation: per-id column stores grown month by month, each month
drawn from a random generator seeded by (id, year, month) so a day's numbers never depend
on when or in what order they were generated."""

from __future__ import annotations

import html
import re
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from statsdash.emulator import catalog as cat
from statsdash.emulator import facts_cache

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DATA_START_DAY = cat.DATA_START.toordinal() - EPOCH_ORDINAL
# One key event's count, a metric name GA4 accepts as keyEvents:EVENT_NAME.
KEY_EVENT_METRICS = tuple(f"keyEvents:{name}" for name, _ in cat.KEY_EVENTS)
GA_METRICS = (
    "screenPageViews",
    "sessions",
    "totalUsers",
    "activeUsers",
    "newUsers",
    "engagedSessions",
    "sessionDuration",
    "userEngagementDuration",
    "keyEvents",
    *KEY_EVENT_METRICS,
)
YT_METRICS = (
    "views",
    "engagedViews",
    "estimatedMinutesWatched",
    "likes",
    "dislikes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
)
OTHER = "(other)"


def day_number(d: date) -> int:
    """Days since 1970-01-01, the integer day used in every store."""
    return d.toordinal() - EPOCH_ORDINAL


def day_date(n: int) -> date:
    return date.fromordinal(int(n) + EPOCH_ORDINAL)


def _probabilities(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _draw(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """n indexes drawn with probabilities p (what rng.choice does, without its checks)."""
    cdf = np.cumsum(p)
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), len(p) - 1)


class _Joined(Mapping):
    """The columns of consecutive months, each joined when first read: a report reads a
    few of a property's 20-odd columns, and joining all of a year's was most of a
    year-long report's time."""

    def __init__(self, blocks: list[dict[str, np.ndarray]]) -> None:
        self._blocks = blocks
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        column = self._done.get(name)
        if column is None:  # two threads may both join it: the same array either way
            column = self._done[name] = np.concatenate([b[name] for b in self._blocks])
        return column

    def __iter__(self) -> Iterator[str]:
        return iter(self._blocks[0])

    def __len__(self) -> int:
        return len(self._blocks[0])


class ColumnStore:
    """Columns (dict of equal-length numpy arrays) for one id, sorted by day, made month by
    month on first use, under a lock: a request for October 2026 makes that month (and its
    comparison months) only, not every month since DATA_START, so a fresh demo starts fast."""

    def __init__(self, make_month: Callable[[int, int], dict[str, np.ndarray]], name: str = ""):
        self._make_month = make_month
        self._name = name  # its file name in the on-disk facts cache; "" = memory only
        self._lock = threading.Lock()
        self._blocks: dict[int, dict[str, np.ndarray]] = {}  # month index -> its columns
        self._joined: dict[tuple[int, int], dict[str, np.ndarray]] = {}
        self._unsaved: list[tuple[int, int, dict[str, np.ndarray]]] = []  # drawn, not on disk

    @staticmethod
    def _index(day: int) -> int:
        d = day_date(max(day, DATA_START_DAY))
        return (d.year - cat.DATA_START.year) * 12 + d.month - cat.DATA_START.month

    def _block(self, k: int) -> dict[str, np.ndarray]:
        if k not in self._blocks:
            y, m = divmod(cat.DATA_START.month - 1 + k, 12)
            year, month = cat.DATA_START.year + y, m + 1
            block = facts_cache.load(self._name, year, month) if self._name else None
            if block is None:
                block = self._make_month(year, month)
                if self._name:
                    self._unsaved.append((year, month, block))
            self._blocks[k] = block
        return self._blocks[k]

    def _save_drawn(self) -> None:
        """Write the months drawn under the lock to the facts cache once it is released: a
        request waiting for this store's lock waits for the drawing, not for the disk."""
        with self._lock:
            drawn, self._unsaved = self._unsaved, []
        for year, month, block in drawn:
            facts_cache.save(self._name, year, month, block)

    def prepare(self, first_day: int, last_day: int) -> None:
        """Make the months holding first_day..last_day ahead of use, newest first, one month
        at a time under the lock: a request meanwhile waits for one month at most."""
        for k in range(self._index(last_day), self._index(first_day) - 1, -1):
            with self._lock:
                self._block(k)
            if self._unsaved:
                self._save_drawn()

    def span(self, first_day: int, last_day: int) -> dict[str, np.ndarray]:
        """The columns of the whole months holding first_day..last_day (at least one month)."""
        lo, hi = self._index(first_day), max(self._index(first_day), self._index(last_day))
        with self._lock:
            joined = self._joined.get((lo, hi))
            if joined is None:
                blocks = [self._block(k) for k in range(lo, hi + 1)]
                joined = blocks[0] if len(blocks) == 1 else _Joined(blocks)
                if len(self._joined) >= 8:  # a few recent spans; blocks stay
                    self._joined.pop(next(iter(self._joined)))
                self._joined[(lo, hi)] = joined
        if self._unsaved:
            self._save_drawn()
        return joined

    def through(self, last_day: int) -> dict[str, np.ndarray]:
        """The columns from DATA_START through the month holding `last_day`."""
        return self.span(DATA_START_DAY, last_day)


def _month_days(y: int, m: int) -> np.ndarray:
    first = day_number(date(y, m, 1))
    last = day_number(date(y + (m == 12), m % 12 + 1, 1))
    return np.arange(first, last)


def _rows_per_day(rng: np.random.Generator, days: np.ndarray, low: int, high: int):
    """(day per row, position of the row within its day, share of the day's volume a row
    carries so that a day's total does not depend on how many rows it has)."""
    n = rng.integers(low, high + 1, size=len(days))
    day = np.repeat(days, n)
    pos = np.arange(len(day)) - np.repeat(np.cumsum(n) - n, n)
    return day, pos, np.repeat((low + high) / 2 / n, n)


def _volume(day: np.ndarray, volume: float, growth: float, weekend: float) -> np.ndarray:
    """Expected size of a row: growth year on year, weekends, a yearly wave."""
    t = (day - DATA_START_DAY) / 365.25
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    season = 1 + 0.12 * np.sin(2 * np.pi * (t - 0.2))
    return volume * (1 + growth) ** t * np.where(weekday >= 5, weekend, 1.0) * season


# ---------------------------------------------------------------- GA4


@dataclass(frozen=True)
class SitePages:
    """A site's page catalogue; `popularity` weights pages, `amp` marks /amp/ variants."""

    paths: np.ndarray
    titles: np.ndarray
    amp: np.ndarray
    popularity: np.ndarray


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", html.unescape(title).lower()).strip("-")


def make_site_pages(site: str, index: int) -> SitePages:
    rng = np.random.default_rng([cat.SEED, 1, index])
    topics = cat.SITE_TOPICS[site]
    combos = [(t, tpl) for t in topics for tpl in cat.TITLE_TEMPLATES]
    picks = rng.choice(len(combos), size=int(rng.integers(30, 40)), replace=False)
    titles = [combos[i][1].format(t=combos[i][0]) for i in picks]
    for k in range(2):
        formula = cat.FORMULA_TITLES[(index + k) % len(cat.FORMULA_TITLES)]
        titles.insert(3 + 7 * k, formula.format(t=topics[k]))
    offsets = rng.integers(0, day_number(date(2026, 10, 31)) - DATA_START_DAY, size=len(titles))
    paths = [
        f"/news/{day_date(DATA_START_DAY + o).isoformat()}-{_slug(t)}"
        for o, t in zip(offsets, titles, strict=True)
    ]
    weights = list(1.0 / np.arange(1, len(titles) + 1) ** 1.05)
    amp = [False] * len(titles)
    for i in range(10):  # AMP variants of the ten most read articles share their titles
        paths.append("/amp" + paths[i])
        titles.append(titles[i])
        weights.append(weights[i])
        amp.append(True)
    for k, (path, title) in enumerate(cat.STATIC_PAGES):
        paths.append(path)
        titles.append(title.format(site=site))
        weights.append(0.9 if path == "/" else 0.05 / (k + 1))
        amp.append(False)
    return SitePages(
        np.array(paths, dtype=object),
        np.array(titles, dtype=object),
        np.array(amp),
        np.array(weights),
    )


def _page_weights(spec: cat.PropertySpec, pages: SitePages, index: int) -> np.ndarray:
    if spec.kind == "amp":
        w = np.where(pages.amp, pages.popularity, 0.0)
    else:
        w = np.where(pages.amp, 0.03 * pages.popularity, pages.popularity)
    if spec.kind == "mirror":
        w = w * np.random.default_rng([cat.SEED, 6, index]).lognormal(0, 0.5, len(w))
    return _probabilities(w)


def site_habits(spec: cat.PropertySpec) -> tuple[float, float]:
    """(extra pages per session, seconds per session's gamma scale) for a property: each site
    has its own readers' habits, drawn from its name (so every property of a site shares
    them, whatever its index); AMP visitors arrive from search and leave sooner."""
    rng = np.random.default_rng([cat.SEED, 12, zlib.crc32(spec.site.encode())])
    pages, seconds = rng.uniform(0.25, 1.6), rng.uniform(28.0, 115.0)
    if spec.kind == "amp":
        return pages * 0.45, seconds * 0.6
    return pages, seconds


def ga_month_maker(spec: cat.PropertySpec, pages: SitePages, index: int):
    """A function (year, month) -> columns of one GA4 property's fact rows for that month."""
    page_p = _page_weights(spec, pages, index)
    prop_rng = np.random.default_rng([cat.SEED, 7, index])
    source_p = _probabilities(
        [w for _, _, w in cat.SOURCES] * prop_rng.lognormal(0, 0.3, len(cat.SOURCES))
    )
    ny = spec.time_zone == "America/New_York"
    country_p = _probabilities([c[3] if ny else c[2] for c in cat.COUNTRIES])
    device_p = _probabilities([w for _, w in cat.DEVICES])
    query_p = _probabilities(cat.QUERY_WEIGHTS)
    diurnal = np.array(cat.DIURNAL)
    hour_p = _probabilities(diurnal)
    weekend = 0.65 + 0.2 * prop_rng.random()
    other_page = len(pages.paths)
    extra_pages, session_scale = site_habits(spec)

    def make(y: int, m: int) -> dict[str, np.ndarray]:
        rng = np.random.default_rng([cat.SEED, 2, int(spec.property_id), y, m])
        day, pos, share = _rows_per_day(rng, _month_days(y, m), 60, 120)
        n = len(day)
        # The first 24 rows of a day cover every hour, so complete days have 24 dateHours.
        hour = np.where(pos < 24, pos, _draw(rng, hour_p, n))
        page = _draw(rng, page_p, n)
        if spec.other_row:
            page[rng.random(n) < 0.06] = other_page
        query = _draw(rng, query_p, n)
        source = _draw(rng, source_p, n)
        country = _draw(rng, country_p, n)
        device = _draw(rng, device_p, n)
        lam = _volume(day, spec.volume, spec.growth, weekend) * diurnal[hour] * share
        sessions = 1 + rng.poisson(lam * rng.lognormal(-0.06, 0.35, n))
        users = sessions - rng.binomial(sessions - 1, 0.18)
        # Same draws as ever, scaled by the site's habits: only these two columns differ.
        duration = np.rint(sessions * rng.gamma(2.0, session_scale, n)).astype(np.int64)
        cols = {
            "dh": (day * 24 + hour).astype(np.int32),
            "page": page.astype(np.int16),
            "query": query.astype(np.int8),
            "source": source.astype(np.int8),
            "country": country.astype(np.int8),
            "device": device.astype(np.int8),
            "screenPageViews": sessions + rng.poisson(sessions * extra_pages),
            "sessions": sessions,
            "totalUsers": users,
            "activeUsers": users - rng.binomial(users - 1, 0.04),
            "newUsers": rng.binomial(users, 0.55),
            "engagedSessions": rng.binomial(sessions, 0.58),
            "sessionDuration": duration,
            "userEngagementDuration": np.rint(duration * rng.uniform(0.45, 0.85, n)).astype(
                np.int64
            ),
        }
        # Key events come from their own generator, so the other columns stay as they were.
        events = np.random.default_rng([cat.SEED, 9, int(spec.property_id), y, m])
        per_event = {
            f"keyEvents:{name}": events.binomial(sessions, rate) for name, rate in cat.KEY_EVENTS
        }
        cols["keyEvents"] = sum(per_event.values())
        cols |= per_event
        order = np.argsort(cols["dh"], kind="stable")
        return {c: v[order] for c, v in cols.items()}

    return make


REALTIME_MINUTES = 30  # a standard property's realtime window
REALTIME_ROWS = 6  # fact rows per minute


# (property id, minute) -> that minute's rows: a realtime report asks for the last 30
# minutes, and each of the property's realtime reports, and each of them a minute later,
# drew them all again (a fifth of the emulator's CPU in an `export --all`).
_MINUTES: dict[tuple[str, int], dict[str, np.ndarray]] = {}
_MINUTES_KEPT = 50_000


def _cdf(p: np.ndarray) -> np.ndarray:
    return np.cumsum(p)


def _draw_cdf(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    """_draw with the cumulative probabilities made once: the same draws."""
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), len(cdf) - 1)


def ga_realtime_minutes(spec: cat.PropertySpec, pages: SitePages, index: int, minutes: np.ndarray):
    """Realtime fact rows of one property for these absolute minutes (since 1970-01-01 UTC),
    each minute drawn from its own generator so a minute never changes once seen."""
    missing = [m for m in minutes.tolist() if (spec.property_id, m) not in _MINUTES]
    if missing:
        ny = spec.time_zone == "America/New_York"
        page_cdf = _cdf(_page_weights(spec, pages, index))
        country_cdf = _cdf(_probabilities([c[3] if ny else c[2] for c in cat.COUNTRIES]))
        device_cdf = _cdf(_probabilities([w for _, w in cat.DEVICES]))
        if len(_MINUTES) > _MINUTES_KEPT:
            _MINUTES.clear()
    for minute in missing:
        rng = np.random.default_rng([cat.SEED, 10, int(spec.property_id), minute])
        day = np.full(REALTIME_ROWS, minute // 1440)
        hour = (minute // 60) % 24
        lam = _volume(day, spec.volume, spec.growth, 0.8) * cat.DIURNAL[hour] / 10 / REALTIME_ROWS
        users = rng.poisson(lam)
        _MINUTES[spec.property_id, minute] = {
            "minute": np.full(REALTIME_ROWS, minute, dtype=np.int64),
            "page": _draw_cdf(rng, page_cdf, REALTIME_ROWS).astype(np.int16),
            "country": _draw_cdf(rng, country_cdf, REALTIME_ROWS).astype(np.int8),
            "device": _draw_cdf(rng, device_cdf, REALTIME_ROWS).astype(np.int8),
            "activeUsers": users,
            "screenPageViews": users + rng.poisson(users * 0.6),
            "keyEvents": rng.binomial(users, 0.03),
        }
    parts = [_MINUTES[spec.property_id, m] for m in minutes.tolist()]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


# ---------------------------------------------------------------- YouTube

_ID_ALPHABET = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"))


def random_id(rng: np.random.Generator, length: int) -> str:
    return "".join(_ID_ALPHABET[rng.integers(0, 64, size=length)])


@dataclass(frozen=True)
class ChannelVideos:
    """A channel's videos in publication order, with their popularity weights."""

    ids: tuple[str, ...]
    titles: tuple[str, ...]
    published: tuple[date, ...]
    popularity: np.ndarray
    content_types: np.ndarray  # index into catalog.CONTENT_TYPES per video


def make_channel_videos(spec: cat.ChannelSpec, index: int) -> ChannelVideos:
    rng = np.random.default_rng([cat.SEED, 4, index])
    n = int(rng.integers(20, 41))
    first = day_number(date(2021, 6, 1)) + int(rng.integers(0, 400))
    later = np.sort(rng.integers(first + 1, day_number(date(2026, 10, 31)), size=n - 1))
    published = [first, *later.tolist()]
    titles = [
        f"{cat.VIDEO_TOPICS[int(t)]}: {spec.title} #{k + 1}"
        for k, t in enumerate(rng.integers(0, len(cat.VIDEO_TOPICS), size=n))
    ]
    if index % 3 == 0:
        titles[2] = cat.VIDEO_FORMULA_TITLES[(index // 3) % len(cat.VIDEO_FORMULA_TITLES)]
    ranks = rng.permutation(n) + 1
    ids = tuple(random_id(rng, 11) for _ in range(n))
    # Formats come from their own generator so ids, titles and dates stay as they were.
    kinds = _draw(
        np.random.default_rng([cat.SEED, 8, index]),
        _probabilities(cat.content_type_weights(spec.title)),
        n,
    )
    return ChannelVideos(
        ids, tuple(titles), tuple(day_date(p) for p in published), 1.0 / ranks**0.9, kinds
    )


_SHORTS = cat.CONTENT_TYPES.index("SHORTS")
_SHORTS_CHANGE_DAY = day_number(cat.SHORTS_VIEWS_CHANGED)
_ALL_CHANGE_DAY = day_number(cat.ALL_VIEWS_CHANGED)


def extra_view_rate(day: np.ndarray, content_type: np.ndarray) -> np.ndarray:
    """Public views beyond engaged views per engaged view: 0 while a format still counted
    views the old way, then the starts and replays the new count adds."""
    shorts = content_type == _SHORTS
    return np.where(
        shorts & (day >= _SHORTS_CHANGE_DAY),
        cat.SHORTS_EXTRA_VIEWS,
        np.where(~shorts & (day >= _ALL_CHANGE_DAY), cat.OTHER_EXTRA_VIEWS, 0.0),
    )


def yt_month_maker(spec: cat.ChannelSpec, videos: ChannelVideos, index: int, first_video: int):
    """A function (year, month) -> columns of one channel's fact rows for that month;
    `video` holds network-wide video indexes starting at `first_video`."""
    published = np.array([day_number(p) for p in videos.published])
    cumulative = np.cumsum(videos.popularity)
    country_p = _probabilities([w for _, w in cat.YT_COUNTRIES])
    traffic_p = _probabilities([w for _, w in cat.TRAFFIC_SOURCES])
    device_p = _probabilities([w for _, w in cat.DEVICE_TYPES])

    def make(y: int, m: int) -> dict[str, np.ndarray]:
        rng = np.random.default_rng([cat.SEED, 3, index, y, m])
        day, _, share = _rows_per_day(rng, _month_days(y, m), 30, 60)
        n = len(day)
        # Only videos already published on the day; choose among them by popularity.
        k = np.searchsorted(published, day, side="right")
        u = rng.random(n) * cumulative[k - 1]
        video = np.minimum(np.searchsorted(cumulative, u, side="right"), k - 1)
        lam = _volume(day, spec.volume, spec.growth, 1.15) * share
        # `engaged` counts the old way (engagedViews); public views add what each format's
        # new count adds from its change date. Engagement is drawn from engaged views.
        engaged = 1 + rng.poisson(lam * rng.lognormal(-0.06, 0.35, n))
        views = engaged + rng.poisson(engaged * extra_view_rate(day, videos.content_types[video]))
        dislikes = rng.binomial(engaged, 0.0025)
        return {
            "day": day.astype(np.int32),
            "video": (video + first_video).astype(np.int32),
            "country": _draw(rng, country_p, n).astype(np.int8),
            "traffic": _draw(rng, traffic_p, n).astype(np.int8),
            "device": _draw(rng, device_p, n).astype(np.int8),
            "views": views,
            "engagedViews": engaged,
            "estimatedMinutesWatched": np.rint(engaged * rng.gamma(2.0, 1.6, n)).astype(np.int64),
            "likes": rng.binomial(engaged, 0.035),
            "dislikes": np.zeros_like(dislikes) if spec.no_dislikes else dislikes,
            "comments": rng.binomial(engaged, 0.004),
            "shares": rng.binomial(engaged, 0.003),
            "subscribersGained": rng.binomial(engaged, 0.005),
            "subscribersLost": rng.binomial(engaged, 0.0018),
        }

    return make
