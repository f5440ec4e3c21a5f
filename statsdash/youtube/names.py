"""YouTube's keys as readers say them: traffic source types as YouTube Studio names them,
content formats as creators do (pages, the Insights sentences and the digest alike)."""

from __future__ import annotations

# YouTube's insightTrafficSourceType values, named as YouTube Studio names them, the most
# watched first (by YouTube's reports of typical channels): a chart gives each name its
# colour in this order (SOURCE_TYPE_ORDER), the same colour every day.
SOURCE_TYPES = {
    "BROWSE": "Browse features",
    "SUGGESTED": "Suggested videos",
    "RELATED_VIDEO": "Suggested videos",
    "YT_SEARCH": "YouTube search",
    "SHORTS": "Shorts feed",
    "EXT_URL": "External",
    "YT_CHANNEL": "Channel pages",
    "NO_LINK_OTHER": "Direct or unknown",
    "PLAYLIST": "Playlists",
    "SUBSCRIBER": "Subscriptions feed",
    "NOTIFICATION": "Notifications",
    "END_SCREEN": "End screens",
    "NO_LINK_EMBEDDED": "Embedded players",
    "YT_OTHER_PAGE": "Other YouTube features",
    "YT_PLAYLIST_PAGE": "Playlist pages",
    "HASHTAGS": "Hashtag pages",
    "ADVERTISING": "Advertising",
    "PROMOTED": "Promoted",
    "CAMPAIGN_CARD": "Campaign cards",
    "ANNOTATION": "Annotations",
    "LIVE_REDIRECT": "Live redirect",
    "PRODUCT_PAGE": "Product pages",
    "SOUND_PAGE": "Sound pages",
}
SOURCE_TYPE_ORDER = tuple(dict.fromkeys(SOURCE_TYPES.values()))


FORMAT_NAMES = {
    "SHORTS": "Shorts",
    "VIDEO_ON_DEMAND": "Long-form",
    "LIVE_STREAM": "Live",
    "STORY": "Stories",
    "UNSPECIFIED": "Unspecified",
}


def format_name(value: str) -> str:
    """A creatorContentType as readers say it (SHORTS -> Shorts); unknown ones as they come."""
    return FORMAT_NAMES.get(value, value)


def source_type_name(value: str) -> str:
    """ "YT_SEARCH" -> "YouTube search"; an unknown type (the list is open) reads as words."""
    return SOURCE_TYPES.get(value, str(value).replace("_", " ").capitalize())
