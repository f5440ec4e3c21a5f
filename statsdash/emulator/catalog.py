"""Fixed description of the demo network: accounts, sites, properties, channels and the
lookup tables (sources, countries, devices, traffic types) that fact rows index into."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

SEED = 20230101
DATA_START = date(2023, 1, 1)
CONTENT_OWNER_ID = "cO_demoN3twork7Hq2xK9"
CONTENT_OWNER_NAME = "Demo Network Media"

# account id -> display name
ACCOUNTS = {
    "100234567": "Pixel Media Ltd",
    "100345678": "Northwind Publishing",
    "100456789": "Harbour Digital",
}


@dataclass(frozen=True)
class PropertySpec:
    """One GA4 property as the catalogue declares it (see network.GaProperty)."""

    property_id: str
    site: str
    host_name: str
    kind: str  # "main" serves canonical pages, "amp" only /amp/ pages, "mirror" a main copy
    account_id: str
    volume: float  # mean sessions per fact row on a weekday in 2023
    growth: float  # year-on-year growth rate
    time_zone: str = "Europe/London"
    thresholded: bool = False
    other_row: bool = False
    lag_days: int = 0


PROPERTY_SPECS = (
    PropertySpec("311204581", "pixelpost.net", "www.pixelpost.net", "main", "100234567", 90, 0.12),
    PropertySpec("311204582", "pixelpost.net", "amp.pixelpost.net", "amp", "100234567", 25, 0.05),
    PropertySpec(
        "327790114",
        "retrorig.com",
        "www.retrorig.com",
        "main",
        "100234567",
        35,
        0.20,
        thresholded=True,
    ),
    PropertySpec(
        "298451006", "gearhaven.co.uk", "www.gearhaven.co.uk", "main", "100345678", 140, 0.08
    ),
    PropertySpec(
        "298451007", "gearhaven.co.uk", "amp.gearhaven.co.uk", "amp", "100345678", 30, -0.04
    ),
    PropertySpec(
        "298451008",
        "gearhaven.co.uk",
        "gearhaven.co.uk",
        "mirror",
        "100345678",
        12,
        0.02,
        lag_days=1,
    ),
    PropertySpec(
        "340017723",
        "quillandink.org",
        "www.quillandink.org",
        "main",
        "100345678",
        45,
        0.15,
        other_row=True,
    ),
    PropertySpec("355602190", "tinkertrail.io", "tinkertrail.io", "main", "100345678", 20, 0.30),
    PropertySpec(
        "355602191", "tinkertrail.io", "docs.tinkertrail.io", "mirror", "100345678", 8, 0.1
    ),
    PropertySpec(
        "289930475",
        "coastlinechronicle.com",
        "www.coastlinechronicle.com",
        "main",
        "100456789",
        110,
        0.06,
        time_zone="America/New_York",
    ),
    PropertySpec(
        "289930476",
        "coastlinechronicle.com",
        "amp.coastlinechronicle.com",
        "amp",
        "100456789",
        40,
        0.03,
        time_zone="America/New_York",
    ),
    PropertySpec("366120938", "fablefield.net", "www.fablefield.net", "main", "100456789", 28, 0.1),
)

SITE_TOPICS = {
    "pixelpost.net": ["Pixel", "Console", "Indie", "Patch", "Speedrun", "Handheld"],
    "retrorig.com": ["Retro", "Cartridge", "Arcade", "CRT", "Emulation", "Joystick"],
    "gearhaven.co.uk": ["Laptop", "Headphones", "Router", "Keyboard", "Monitor", "Camera"],
    "quillandink.org": ["Novel", "Poetry", "Fountain Pen", "Library", "Essay", "Notebook"],
    "tinkertrail.io": ["Robot", "Circuit", "Solder", "Sensor", "Drone", "3D Print"],
    "coastlinechronicle.com": ["Harbour", "Tide", "Council", "Ferry", "Festival", "Lighthouse"],
    "fablefield.net": ["Dragon", "Fairy Tale", "Myth", "Quest", "Folklore", "Legend"],
}

# Title templates; {t} is a topic. Entities are left encoded, as GA4 reports them.
TITLE_TEMPLATES = (
    "{t} review: better than expected",
    "Ten things we learned about {t}",
    "{t} &amp; friends: the complete guide",
    "Why the {t} still matters",
    "Readers&#39; choice: best {t} of the year",
    "&quot;{t}&quot; explained in five minutes",
    "The {t} deal nobody saw coming",
    "How to fix a broken {t}",
    "{t} news roundup",
    "Hands-on with the new {t}",
    "Is the {t} worth it?",
    "Inside the {t} factory",
)
# Spreadsheet formula look-alikes, for CSV-injection tests downstream.
FORMULA_TITLES = (
    "=SUM(A1:A9) of {t} prices",
    "+10 reasons to love {t}",
    "-50% {t} sale: what to buy",
    "@home with the {t} team",
)
STATIC_PAGES = (
    ("/", "{site} | Home"),
    ("/about", "About {site}"),
    ("/search", "Search results | {site}"),
    ("/login.php", "Log in | {site}"),
    ("/forum/", "Community forum | {site}"),
    ("/forum/thread/1042", "Forum: what are you playing this week?"),
    ("/forum/thread/2088", "Forum: help &amp; support"),
)

QUERY_STRINGS = (
    "",
    "?utm_source=newsletter&utm_medium=email",
    "?page=2",
    "?utm_source=twitter",
    "?ref=homepage",
    "?fbclid=IwAR0demo",
)
QUERY_WEIGHTS = (0.78, 0.07, 0.06, 0.04, 0.03, 0.02)

# (source, medium, weight)
SOURCES = (
    ("google", "organic", 0.36),
    ("bing", "organic", 0.04),
    ("duckduckgo", "organic", 0.01),
    ("(direct)", "(none)", 0.19),
    ("newsletter", "email", 0.04),
    ("facebook.com", "referral", 0.05),
    ("m.facebook.com", "referral", 0.03),
    ("t.co", "referral", 0.03),
    ("reddit.com", "referral", 0.03),
    ("instagram.com", "referral", 0.015),
    ("youtube.com", "referral", 0.015),
    ("linkedin.com", "referral", 0.01),
    ("facebook", "cpc", 0.02),
    ("en.wikipedia.org", "referral", 0.02),
    ("news.google.com", "referral", 0.03),
    ("theguardian.com", "referral", 0.015),
    ("bbc.co.uk", "referral", 0.015),
    ("forums.example-partner.com", "referral", 0.01),
    ("free-share-buttons.xyz", "referral", 0.02),
    ("best-seo-offer.com", "referral", 0.015),
    ("semalt.semalt.com", "referral", 0.01),
)
SPAM_SOURCES = ("free-share-buttons.xyz", "best-seo-offer.com", "semalt.semalt.com")

# The social-site list GA4 uses is long; these are the ones the network sees.
SOCIAL_SOURCES = frozenset(
    {
        "facebook",
        "facebook.com",
        "m.facebook.com",
        "l.facebook.com",
        "t.co",
        "twitter.com",
        "x.com",
        "reddit.com",
        "instagram.com",
        "youtube.com",
        "linkedin.com",
        "lnkd.in",
        "pinterest.com",
    }
)
_PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")


def default_channel_group(source: str, medium: str) -> str:
    """sessionDefaultChannelGroup from source/medium, following GA4's published rules."""
    if source == "(direct)" and medium in ("(none)", "(not set)"):
        return "Direct"
    if source in SOCIAL_SOURCES and _PAID_MEDIUM.match(medium):
        return "Paid Social"
    if medium == "organic":
        return "Organic Search"
    if source in SOCIAL_SOURCES or medium in ("social", "social-network", "social-media", "sm"):
        return "Organic Social"
    if medium in ("email", "e-mail", "e_mail", "e mail"):
        return "Email"
    if medium == "referral":
        return "Referral"
    return "Unassigned"


# (country, ISO-2, weight for London properties, weight for New York properties)
COUNTRIES = (
    ("United Kingdom", "GB", 0.42, 0.06),
    ("United States", "US", 0.20, 0.60),
    ("Germany", "DE", 0.06, 0.03),
    ("France", "FR", 0.05, 0.02),
    ("Canada", "CA", 0.04, 0.09),
    ("Australia", "AU", 0.04, 0.03),
    ("India", "IN", 0.04, 0.04),
    ("Ireland", "IE", 0.03, 0.01),
    ("Netherlands", "NL", 0.025, 0.01),
    ("Spain", "ES", 0.02, 0.02),
    ("Italy", "IT", 0.02, 0.02),
    ("Sweden", "SE", 0.015, 0.01),
    ("Brazil", "BR", 0.015, 0.03),
    ("Japan", "JP", 0.01, 0.02),
    ("Nigeria", "NG", 0.01, 0.02),
)
DEVICES = (("desktop", 0.38), ("mobile", 0.55), ("tablet", 0.07))
# The events every demo property marks as key events (GA4's "conversions" until 2024), with
# how often a session has one.
KEY_EVENTS = (
    ("newsletter_signup", 0.012),
    ("purchase", 0.004),
    ("sign_up", 0.008),
    ("file_download", 0.02),
)

# Relative traffic by hour of day (London), used for extra rows and per-row volume.
DIURNAL = (
    0.35,
    0.25,
    0.18,
    0.15,
    0.15,
    0.22,
    0.45,
    0.75,
    1.0,
    1.1,
    1.15,
    1.2,
    1.25,
    1.25,
    1.2,
    1.15,
    1.1,
    1.1,
    1.2,
    1.3,
    1.35,
    1.2,
    0.9,
    0.6,
)


@dataclass(frozen=True)
class ChannelSpec:
    """One YouTube channel as the catalogue declares it."""

    title: str
    group: str | None  # None: managed by the content owner but not in the demo config
    volume: float  # mean views per fact row on a weekday in 2023
    growth: float
    base_subscribers: int
    no_dislikes: bool = False


CHANNEL_SPECS = (
    ChannelSpec("Pixel Post", "Pixel Post", 160, 0.15, 182_000),
    ChannelSpec("Pixel Post Retro", "Pixel Post", 45, 0.25, 38_500),
    ChannelSpec("Gear Haven", "Gear Haven", 260, 0.05, 412_000),
    ChannelSpec("Gear Haven Reviews", "Gear Haven", 90, 0.10, 96_000),
    ChannelSpec("Gear Haven Live", "Gear Haven", 30, -0.05, 21_000),
    ChannelSpec("Coastline Chronicle", "Coastline Chronicle", 55, 0.08, 47_000),
    ChannelSpec("Quill and Ink", "Quill and Ink", 40, 0.12, 31_000),
    ChannelSpec("Quill and Ink Shorts", "Quill and Ink", 70, 0.40, 12_000),
    ChannelSpec("Tinker Trail Kids", "Tinker Trail Kids", 120, 0.20, 88_000, no_dislikes=True),
    ChannelSpec("Fablefield Archive", None, 15, -0.10, 9_500),
    ChannelSpec("Northwind Shorts", None, 35, 0.50, 6_200),
)

VIDEO_TOPICS = (
    "Unboxing",
    "Review",
    "Top 10",
    "Tutorial",
    "Live stream",
    "Behind the scenes",
    "Q&A",
    "Speed build",
    "Comparison",
    "First look",
    "Repair",
    "Tour",
)
VIDEO_FORMULA_TITLES = ('=HYPERLINK("demo") explained', "=2+2 challenge")

YT_COUNTRIES = (
    ("GB", 0.30),
    ("US", 0.28),
    ("DE", 0.06),
    ("FR", 0.04),
    ("CA", 0.05),
    ("AU", 0.04),
    ("IN", 0.08),
    ("IE", 0.02),
    ("NL", 0.02),
    ("ES", 0.02),
    ("IT", 0.02),
    ("SE", 0.01),
    ("BR", 0.03),
    ("JP", 0.02),
    ("NG", 0.01),
)
TRAFFIC_SOURCES = (
    ("YT_SEARCH", 0.22),
    ("SUGGESTED", 0.25),
    ("BROWSE", 0.18),
    ("EXT_URL", 0.07),
    ("PLAYLIST", 0.06),
    ("NO_LINK_OTHER", 0.05),
    ("NOTIFICATION", 0.04),
    ("SHORTS", 0.07),
    ("END_SCREEN", 0.03),
    ("YT_CHANNEL", 0.02),
    ("SUBSCRIBER", 0.01),
)
DEVICE_TYPES = (("DESKTOP", 0.30), ("MOBILE", 0.52), ("TABLET", 0.08), ("TV", 0.10))

# creatorContentType values (YouTube Analytics dimensions, since 2022-12).
CONTENT_TYPES = ("SHORTS", "VIDEO_ON_DEMAND", "LIVE_STREAM", "STORY")


def content_type_weights(title: str) -> tuple[float, float, float, float]:
    """How a channel's uploads split by format: Shorts and Live channels lean on theirs."""
    if "Shorts" in title:
        return (0.85, 0.15, 0.0, 0.0)
    if "Live" in title:
        return (0.05, 0.35, 0.60, 0.0)
    return (0.25, 0.68, 0.05, 0.02)


# When YouTube's public `views` stopped meaning what `engagedViews` still means (YouTube
# Analytics API revision history): Shorts count every start or replay from 2025-03-31
# (announced in the 2025-03-26 entry, Bulk Reports followed on 2025-06-30 per 2025-06-24);
# every format counts a view when playback starts per the 2026-08-27 entry. The emulator
# applies the second change from that entry's date, as it names no other.
SHORTS_VIEWS_CHANGED = date(2025, 3, 31)
ALL_VIEWS_CHANGED = date(2026, 8, 27)
# Views per engaged view once a format counts every start (replays, autoplay, scrolling past).
SHORTS_EXTRA_VIEWS = 0.65
OTHER_EXTRA_VIEWS = 0.18
