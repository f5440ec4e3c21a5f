"""The synthetic demo network: GA4 properties and YouTube channels with deterministic fact
rows, and the raw-facts API tests use to compute expected numbers with plain pandas.

Facts are additive cells; every metric, `totalUsers` included, is a plain sum over fact rows
here (real GA4 de-duplicates users, so its totals are not sums). A date's numbers never
depend on `today`, which only decides which recent days are visible:
GA4 day D is complete when D <= today - 2 (today - 3 for a lagging property), the next day
shows hours 00-11 only, later days nothing; YouTube shows days through today - 3.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import numpy as np

from statsdash.emulator import catalog as cat
from statsdash.emulator import events, revenue, stores
from statsdash.emulator.stores import GA_METRICS, OTHER, YT_METRICS, day_number

if TYPE_CHECKING:  # the raw facts' frames are for tests: serving and drawing need no pandas
    import pandas as pd

GA_PARTIAL_HOURS = 12  # hours visible on the day after the last complete one
YT_LATENCY_DAYS = 3


@dataclass(frozen=True)
class GaProperty:
    """A GA4 property of a site."""

    property_id: str
    site: str
    host_name: str
    display_name: str
    account_id: str
    account_name: str
    time_zone: str
    currency_code: str
    thresholded: bool
    other_row: bool
    lag_days: int


@dataclass(frozen=True)
class YtChannel:
    """A YouTube channel managed by the content owner; `group` None = not in the demo config."""

    channel_id: str
    title: str
    group: str | None
    handle: str
    base_subscribers: int
    base_views: int
    published: date
    no_dislikes: bool


@dataclass(frozen=True)
class YtVideo:
    """A video of a managed channel."""

    video_id: str
    channel_id: str
    title: str
    published: date
    content_type: str  # creatorContentType: SHORTS, VIDEO_ON_DEMAND, LIVE_STREAM or STORY


def _made_once(make: Callable) -> Callable:
    """functools.cache under a lock: the demo's drawing thread, the emulator's start and its
    request threads may ask for one store at the same moment, and each would otherwise make
    a store of its own and draw its months again (the answers the same, the work twice)."""
    cached = functools.cache(make)
    lock = threading.Lock()

    @functools.wraps(make)
    def once(*args):
        with lock:
            return cached(*args)

    once.cache_clear = cached.cache_clear
    return once


@functools.cache
def _site_pages(site: str) -> stores.SitePages:
    return stores.make_site_pages(site, list(cat.SITE_TOPICS).index(site))


@_made_once
def _ga_store(property_id: str) -> stores.ColumnStore:
    index, spec = next(
        (i, s) for i, s in enumerate(cat.PROPERTY_SPECS) if s.property_id == property_id
    )
    make = stores.ga_month_maker(spec, _site_pages(spec.site), index)
    return stores.ColumnStore(events.ga_month(property_id, make), name=f"ga-{property_id}")


@_made_once
def _channel_catalogue() -> tuple[list[YtChannel], list[YtVideo], list[stores.ColumnStore]]:
    channels, videos, channel_stores = [], [], []
    for index, spec in enumerate(cat.CHANNEL_SPECS):
        rng = np.random.default_rng([cat.SEED, 5, index])
        channel_id = "UC" + stores.random_id(rng, 22)
        own = stores.make_channel_videos(spec, index)
        maker = stores.yt_month_maker(spec, own, index, first_video=len(videos))
        newest = len(videos) + len(own.ids) - 1  # publication order: the last is newest
        month = events.yt_month(spec.title, maker, newest)
        channel_stores.append(stores.ColumnStore(month, name=f"yt-{index}-{channel_id}"))
        channels.append(
            YtChannel(
                channel_id=channel_id,
                title=spec.title,
                group=spec.group,
                handle="@" + spec.title.lower().replace(" ", ""),
                base_subscribers=spec.base_subscribers,
                base_views=spec.base_subscribers * 140,
                published=own.published[0] - timedelta(days=30),
                no_dislikes=spec.no_dislikes,
            )
        )
        videos += [
            YtVideo(v, channel_id, t, p, cat.CONTENT_TYPES[k])
            for v, t, p, k in zip(
                own.ids, own.titles, own.published, own.content_types, strict=True
            )
        ]
    return channels, videos, channel_stores


class Network:
    """The demo network as seen on `today` (default: the real today)."""

    def __init__(self, today: date | None = None, copies: int = 1):
        self.today = today or date.today()
        self.network_name = "Demo Network"
        self.content_owner_id = cat.CONTENT_OWNER_ID
        self.content_owner_name = cat.CONTENT_OWNER_NAME
        self.accounts = dict(cat.ACCOUNTS)
        self.ga_properties: dict[str, GaProperty] = {}
        self.sites: dict[str, list[str]] = {}
        for spec in cat.PROPERTY_SPECS:
            self.ga_properties[spec.property_id] = GaProperty(
                property_id=spec.property_id,
                site=spec.site,
                host_name=spec.host_name,
                display_name=f"{spec.host_name} - GA4",
                account_id=spec.account_id,
                account_name=cat.ACCOUNTS[spec.account_id],
                time_zone=spec.time_zone,
                currency_code="USD" if spec.time_zone.startswith("America") else "GBP",
                thresholded=spec.thresholded,
                other_row=spec.other_row,
                lag_days=spec.lag_days,
            )
            self.sites.setdefault(spec.site, []).append(spec.property_id)
        channels, videos, channel_stores = _channel_catalogue()
        self.yt_channels = {c.channel_id: c for c in channels}
        self.channel_groups: dict[str, list[str]] = {}
        for c in channels:
            if c.group is not None:
                self.channel_groups.setdefault(c.group, []).append(c.channel_id)
        self.yt_videos = {v.video_id: v for v in videos}
        self.video_list = videos  # network-wide video index used by the fact stores
        self._yt_stores = dict(zip(self.yt_channels, channel_stores, strict=True))
        self._base_id: dict[str, str] = {}  # a copy's property id -> the catalogue's
        self._yt_catalogue = tuple(self.yt_channels)
        for copy in range(1, copies):
            self._add_copy(copy)

    def _add_copy(self, copy: int) -> None:
        """Every property and channel once more under new IDs, serving the same facts: a
        network of benchmark size (20 sites x 2 properties...) without new kinds of data."""
        for pid, prop in list(self.ga_properties.items()):
            if pid in self._base_id:
                continue
            new = f"{pid}{copy:03d}"
            self._base_id[new] = pid
            self.ga_properties[new] = replace(
                prop, property_id=new, display_name=f"{prop.display_name} ({copy + 1})"
            )
        for cid, channel in list(self.yt_channels.items())[: len(self._yt_catalogue)]:
            new = f"{cid[:21]}{copy:03d}"  # still "UC" + 22 characters
            group = f"{channel.group} ({copy + 1})" if channel.group else None
            title = f"{channel.title} ({copy + 1})"
            self.yt_channels[new] = replace(channel, channel_id=new, title=title, group=group)
            self._yt_stores[new] = self._yt_stores[cid]
            if group:
                self.channel_groups.setdefault(group, []).append(new)

    # ------------------------------------------------------------ realtime

    # Tests pin "now" here; by default it is the wall clock's time of day on `today`.
    clock: Callable[[], datetime] | None = None

    def realtime_now(self) -> datetime:
        """The realtime reports' current minute (UTC, on `today`)."""
        if self.clock is not None:
            return self.clock().replace(second=0, microsecond=0)
        wall = datetime.now(UTC).time().replace(second=0, microsecond=0)
        return datetime.combine(self.today, wall, tzinfo=UTC)

    def ga_realtime(self, property_id: str, now: datetime | None = None) -> dict:
        """Columns of the property's realtime rows for the last 30 minutes, with
        `minutes_ago` (0 = the current minute) and zero columns for the other metrics."""
        base = self._base_id.get(property_id, property_id)  # a copy serves its original's
        index, spec = next(
            (i, s) for i, s in enumerate(cat.PROPERTY_SPECS) if s.property_id == base
        )
        now = now or self.realtime_now()
        epoch = datetime.combine(date(1970, 1, 1), time(), tzinfo=UTC)
        current = int((now - epoch).total_seconds() // 60)
        minutes = np.arange(current - stores.REALTIME_MINUTES + 1, current + 1)
        cols = stores.ga_realtime_minutes(spec, _site_pages(spec.site), index, minutes)
        cols["minutes_ago"] = current - cols.pop("minute")
        size = len(cols["minutes_ago"])
        return {m: np.zeros(size, dtype=np.int64) for m in GA_METRICS} | cols

    def ga_realtime_facts(self, property_id: str, now: datetime | None = None) -> pd.DataFrame:
        """The property's realtime rows as labels (tests): minutesAgo, unifiedScreenName,
        country, deviceCategory, activeUsers, screenPageViews, keyEvents."""
        import pandas as pd

        c = self.ga_realtime(property_id, now)
        _, titles = self.ga_page_labels(property_id)
        return pd.DataFrame(
            {
                "minutesAgo": [f"{m:02d}" for m in c["minutes_ago"]],
                "unifiedScreenName": titles[c["page"]],
                "country": np.array([k for k, *_ in cat.COUNTRIES], dtype=object)[c["country"]],
                "deviceCategory": np.array([d for d, _ in cat.DEVICES], dtype=object)[c["device"]],
                "activeUsers": c["activeUsers"],
                "screenPageViews": c["screenPageViews"],
                "keyEvents": c["keyEvents"],
            }
        )

    # ------------------------------------------------------------ freshness

    def ga_available_through(self, property_id: str) -> date:
        """The last complete GA4 day of a property (all 24 dateHours present)."""
        return self.today - timedelta(days=2 + self.ga_properties[property_id].lag_days)

    def yt_available_through(self, channel_id: str) -> date:
        """The last day YouTube Analytics returns rows for (the same for every channel)."""
        if channel_id not in self.yt_channels:
            raise KeyError(channel_id)
        return self.today - timedelta(days=YT_LATENCY_DAYS)

    # ------------------------------------------------------------ fast access (emulator)

    def ga_page_labels(self, property_id: str) -> tuple[np.ndarray, np.ndarray]:
        """(paths, titles) indexed by the `page` code; the last entry is "(other)"."""
        pages = _site_pages(self.ga_properties[property_id].site)
        return np.append(pages.paths, OTHER), np.append(pages.titles, OTHER)

    def ga_slice(self, property_id: str, start: date, end: date) -> tuple[dict, int, int]:
        """(columns, lo, hi): the visible rows of [start, end] are cols[...][lo:hi]."""
        visible_end = (day_number(self.ga_available_through(property_id)) + 1) * 24
        visible_end += GA_PARTIAL_HOURS
        last = min(day_number(end), visible_end // 24)
        cols = _ga_store(self._base_id.get(property_id, property_id)).span(day_number(start), last)
        stop = min((day_number(end) + 1) * 24, visible_end)
        dh = cols["dh"]
        lo = int(np.searchsorted(dh, day_number(start) * 24))
        return cols, lo, max(lo, int(np.searchsorted(dh, stop)))

    def yt_slice(self, channel_id: str, start: date, end: date) -> tuple[dict, int, int]:
        """(columns, lo, hi) of a channel's visible rows in [start, end]."""
        last = day_number(min(end, self.yt_available_through(channel_id)))
        cols = self._yt_stores[channel_id].span(day_number(start), last)
        day = cols["day"]
        lo = int(np.searchsorted(day, day_number(start)))
        return cols, lo, max(lo, int(np.searchsorted(day, last, side="right")))

    # ------------------------------------------------------------ raw facts (tests)

    def ga_facts(self, property_id: str, start: date, end: date) -> pd.DataFrame:
        """Visible GA4 fact rows of one property in [start, end], one row per cell."""
        import pandas as pd

        cols, lo, hi = self.ga_slice(property_id, start, end)
        c = {k: v[lo:hi] for k, v in cols.items()}
        paths, titles = self.ga_page_labels(property_id)
        query = np.array(cat.QUERY_STRINGS, dtype=object)[c["query"]]
        page_path = paths[c["page"]]
        src = np.array([s for s, _, _ in cat.SOURCES], dtype=object)
        med = np.array([m for _, m, _ in cat.SOURCES], dtype=object)
        group = np.array([cat.default_channel_group(s, m) for s, m, _ in cat.SOURCES], dtype=object)
        country = np.array(cat.COUNTRIES, dtype=object)
        frame = {
            "date": (c["dh"] // 24).astype("datetime64[D]"),
            "hour": (c["dh"] % 24).astype(np.int64),
            "hostName": np.full(hi - lo, self.ga_properties[property_id].host_name, dtype=object),
            "pagePath": page_path,
            "queryString": np.where(page_path == OTHER, "", query),
            "pagePathPlusQueryString": np.where(page_path == OTHER, OTHER, page_path + query),
            "pageTitle": titles[c["page"]],
            "country": country[c["country"], 0],
            "countryId": country[c["country"], 1],
            "sessionSource": src[c["source"]],
            "sessionMedium": med[c["source"]],
            "sessionSourceMedium": src[c["source"]] + " / " + med[c["source"]],
            "sessionDefaultChannelGroup": group[c["source"]],
            "deviceCategory": np.array([d for d, _ in cat.DEVICES], dtype=object)[c["device"]],
        }
        frame |= {m: c[m] for m in GA_METRICS}
        return pd.DataFrame(frame)

    def yt_facts(self, channel_ids, start: date, end: date) -> pd.DataFrame:
        """Visible YouTube fact rows of the channels (an id or a list) in [start, end], with
        the revenue parts of each row (see emulator.revenue)."""
        import pandas as pd

        ids = [channel_ids] if isinstance(channel_ids, str) else list(channel_ids)
        parts = []
        video_ids = np.array([v.video_id for v in self.video_list], dtype=object)
        kinds = np.array([v.content_type for v in self.video_list], dtype=object)
        for cid in ids:
            cols, lo, hi = self.yt_slice(cid, start, end)
            c = {k: v[lo:hi] for k, v in cols.items()}
            frame = {
                "date": c["day"].astype("datetime64[D]"),
                "channel": np.full(hi - lo, cid, dtype=object),
                "video": video_ids[c["video"]],
                "creatorContentType": kinds[c["video"]],
                "country": np.array([k for k, _ in cat.YT_COUNTRIES], dtype=object)[c["country"]],
                "insightTrafficSourceType": np.array(
                    [k for k, _ in cat.TRAFFIC_SOURCES], dtype=object
                )[c["traffic"]],
                "deviceType": np.array([k for k, _ in cat.DEVICE_TYPES], dtype=object)[c["device"]],
            }
            # Revenue parts (USD; zeros for a channel that is not monetised).
            money = revenue.row_parts(self, cid, c)
            parts.append(pd.DataFrame(frame | {m: c[m] for m in YT_METRICS} | money))
        return pd.concat(parts, ignore_index=True)

    def subscriber_count(self, channel_id: str) -> int:
        """Current subscribers: base + net gained over every available day."""
        cols, lo, hi = self.yt_slice(channel_id, cat.DATA_START, self.today)
        net = cols["subscribersGained"][:hi].sum() - cols["subscribersLost"][:hi].sum()
        return self.yt_channels[channel_id].base_subscribers + int(net)

    def channel_view_count(self, channel_id: str) -> int:
        cols, _, hi = self.yt_slice(channel_id, cat.DATA_START, self.today)
        return self.yt_channels[channel_id].base_views + int(cols["views"][:hi].sum())

    def video_stats(self, channel_id: str) -> dict[str, dict[str, int]]:
        """Lifetime views/likes/comments per video id over the available days."""
        cols, _, hi = self.yt_slice(channel_id, cat.DATA_START, self.today)
        n = len(self.video_list)
        video = cols["video"][:hi]
        sums = {
            m: np.bincount(video, cols[m][:hi], minlength=n) for m in ("views", "likes", "comments")
        }
        return {
            v.video_id: {m: int(sums[m][i]) for m in sums}
            for i, v in enumerate(self.video_list)
            if v.channel_id == channel_id
        }


def draw_ahead(today: date) -> None:
    """Make the month blocks a demo's first page reads before its requests ask (demo mode
    runs this on a thread of its own while the app imports): each configured channel's
    every month (its lifetime counts read them all) and each GA property's last 14 months
    (the last 28 days, the 28 before, the same days a year ago), the newest first.
    The blocks are the ones a request would draw, so the answers stay the same."""
    channels, _, channel_stores = _channel_catalogue()
    yt = [s for c, s in zip(channels, channel_stores, strict=True) if c.group is not None]
    ga = [_ga_store(spec.property_id) for spec in cat.PROPERTY_SPECS]
    last = day_number(today)
    year_ago = day_number(date(today.year - 1, today.month, 1)) - 1  # the month before
    for store in ga + yt:
        store.prepare(last - 31, last)  # this month and the last first: every range needs them
    for store in ga:
        store.prepare(year_ago, last - 62)
    for store in yt:
        store.prepare(stores.DATA_START_DAY, last - 62)


def draw_all(today: date) -> None:
    """Make every month block of every property and channel, through `today`: a fake
    Google whose answers are to take the latency a benchmark injects, not that plus the
    months its first requests draw (a cold page's 48 requests waited 1-1.5 s for them)."""
    _, _, channel_stores = _channel_catalogue()
    last = day_number(today)
    for store in [_ga_store(spec.property_id) for spec in cat.PROPERTY_SPECS] + channel_stores:
        store.prepare(stores.DATA_START_DAY, last)


@functools.cache
def _network_for(today: date | None, copies: int = 1) -> Network:
    return Network(today, copies)


def demo_network(today: date | None = None, copies: int = 1) -> Network:
    """A cached Network for `today` (default: the real today); `copies` > 1 repeats every
    property and channel under new IDs (benchmarks at a real network's size)."""
    return _network_for(today or date.today(), copies)
