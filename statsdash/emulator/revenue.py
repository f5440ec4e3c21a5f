"""Estimated revenue of the demo channels (YouTube Analytics' monetary metrics), derived
deterministically from each fact row's engaged views, country, device, format and day.

Rows carry the additive parts only: monetized playbacks, ad impressions, gross revenue,
estimated ad revenue and estimated revenue, in US dollars. `cpm` and `playbackBasedCpm` are
rebuilt from the summed parts of a result row, as Google defines them: estimated gross revenue
per thousand ad impressions, and per thousand monetized playbacks. Other currencies (the
query's `currency` parameter) are the dollar figures at a fixed rate.
"""

from __future__ import annotations

import re

import numpy as np

from statsdash.emulator import catalog as cat
from statsdash.emulator.errors import ApiError

MONEY = ("estimatedRevenue", "estimatedAdRevenue", "grossRevenue")
COUNTS = ("monetizedPlaybacks", "adImpressions")
RATIOS = ("cpm", "playbackBasedCpm")
METRICS = (*MONEY, *COUNTS, *RATIOS)
PARTS = (*MONEY, *COUNTS)  # what a fact row holds
# Channels not in the YouTube Partner Program: any revenue metric for them answers 403.
NOT_MONETISED = frozenset({"Northwind Shorts"})
# Fixed conversion from US dollars (the API's default currency).
RATES = {
    "USD": 1.0,
    "GBP": 0.79,
    "EUR": 0.92,
    "CAD": 1.37,
    "AUD": 1.53,
    "CHF": 0.88,
    "SEK": 10.6,
    "INR": 83.2,
    "JPY": 151.0,
}
_CURRENCY = re.compile(r"[A-Z]{3}")

# Advertiser price per 1,000 impressions (USD) by viewer country, in cat.YT_COUNTRIES order.
_CPM = {
    "GB": 7.8,
    "US": 10.4,
    "DE": 7.1,
    "FR": 5.9,
    "CA": 8.6,
    "AU": 9.2,
    "IN": 1.2,
    "IE": 6.4,
    "NL": 6.8,
    "ES": 4.2,
    "IT": 4.5,
    "SE": 7.0,
    "BR": 1.9,
    "JP": 5.5,
    "NG": 0.8,
}
_COUNTRY_CPM = np.array([_CPM.get(code, 3.0) for code, _ in cat.YT_COUNTRIES])
# Share of engaged views that show at least one ad, by country and by format.
_COUNTRY_FILL = np.array([0.45 + 0.2 * (_CPM.get(code, 3.0) > 5) for code, _ in cat.YT_COUNTRIES])
_FORMAT_FILL = {"SHORTS": 0.35, "VIDEO_ON_DEMAND": 1.0, "LIVE_STREAM": 0.8, "STORY": 0.0}
# Extra ads per monetized playback by device (TV viewers sit through more ad breaks).
_EXTRA_ADS = {"DESKTOP": 0.45, "MOBILE": 0.30, "TABLET": 0.35, "TV": 0.95}
_DEVICE_EXTRA = np.array([_EXTRA_ADS[code] for code, _ in cat.DEVICE_TYPES])
# The creator's share of gross ad revenue (YouTube Partner Program: 55% long-form, 45% Shorts).
_CREATOR_SHARE = {"SHORTS": 0.45}
# Premium and other non-ad income per engaged view (USD).
_OTHER_PER_VIEW = 0.0006
# Advertisers pay more for some audiences: each channel's price against the country's.
_CHANNEL_PRICE = {
    "Gear Haven Reviews": 1.4,
    "Gear Haven Live": 0.55,
    "Pixel Post Retro": 1.3,
    "Quill and Ink Shorts": 0.7,
}
# Advertisers pay more before the holidays.
_SEASON = np.array([0.8, 0.85, 0.95, 1.0, 1.0, 1.0, 0.95, 0.95, 1.05, 1.15, 1.3, 1.45])


def monetised(net, channel_id: str) -> bool:
    """Whether the channel earns revenue (a benchmark copy is named "Title (2)")."""
    return net.yt_channels[channel_id].title.split(" (")[0] not in NOT_MONETISED


def _price(net, channel_id: str) -> float:
    return _CHANNEL_PRICE.get(net.yt_channels[channel_id].title.split(" (")[0], 1.0)


def row_parts(net, channel_id: str, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The revenue parts (USD) of a channel's fact rows `cols` (zeros when not monetised)."""
    size = len(cols["day"])
    if not monetised(net, channel_id):
        zero = np.zeros(size)
        return {m: zero.astype(np.int64) if m in COUNTS else zero for m in PARTS}
    kinds = [v.content_type for v in net.video_list]
    fill = np.array([_FORMAT_FILL[k] for k in kinds])[cols["video"]]
    share = np.array([_CREATOR_SHARE.get(k, 0.55) for k in kinds])[cols["video"]]
    day = cols["day"].astype(np.int64)
    # A fixed wobble per row (day x video), so neighbouring rows do not earn alike.
    wobble = 0.85 + 0.3 * (((day * 7919 + cols["video"].astype(np.int64) * 104729) % 997) / 997)
    engaged = cols["engagedViews"]
    playbacks = np.floor(engaged * _COUNTRY_FILL[cols["country"]] * fill * wobble)
    impressions = playbacks + np.floor(playbacks * _DEVICE_EXTRA[cols["device"]])
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    price = _COUNTRY_CPM[cols["country"]] * _SEASON[month] * wobble * _price(net, channel_id)
    gross = impressions * price / 1000
    ad_revenue = gross * share
    return {
        "estimatedRevenue": ad_revenue + engaged * _OTHER_PER_VIEW,
        "estimatedAdRevenue": ad_revenue,
        "grossRevenue": gross,
        "monetizedPlaybacks": playbacks.astype(np.int64),
        "adImpressions": impressions.astype(np.int64),
    }


def currency_rate(params: dict[str, str]) -> float:
    """The `currency` parameter's rate from US dollars (default USD); 400 when unknown."""
    code = params.get("currency", "USD")
    if not _CURRENCY.fullmatch(code) or code not in RATES:
        raise ApiError(400, f"Invalid value '{code}' for currency.", reason="invalid")
    return RATES[code]


def result_sums(
    cols: dict[str, np.ndarray], inverse: np.ndarray, size: int, rate: float
) -> dict[str, np.ndarray]:
    """Per result row: the summed parts (money converted at `rate`) and the two CPMs."""
    sums = {m: np.bincount(inverse, cols[m], minlength=size) for m in PARTS}
    out = {m: np.round(sums[m] * rate, 3) for m in MONEY}
    out |= {m: np.rint(sums[m]).astype(np.int64) for m in COUNTS}
    gross = sums["grossRevenue"] * rate * 1000
    for name, base in (
        ("cpm", sums["adImpressions"]),
        ("playbackBasedCpm", sums["monetizedPlaybacks"]),
    ):
        out[name] = np.round(np.divide(gross, base, out=np.zeros(size), where=base > 0), 3)
    return out
