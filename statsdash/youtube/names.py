"""YouTube's keys as readers say them: traffic source types as YouTube Studio names them,
content formats as creators do (pages, the Insights sentences and the digest alike)."""

from __future__ import annotations

# YouTube's insightTrafficSourceType values, named as YouTube Studio names them.
SOURCE_TYPES = {
    "ADVERTISING": "Advertising",
    "ANNOTATION": "Annotations",
    "BROWSE": "Browse features",
    "CAMPAIGN_CARD": "Campaign cards",
    "END_SCREEN": "End screens",
    "EXT_URL": "External",
    "HASHTAGS": "Hashtag pages",
    "LIVE_REDIRECT": "Live redirect",
    "NO_LINK_EMBEDDED": "Embedded players",
    "NO_LINK_OTHER": "Direct or unknown",
    "NOTIFICATION": "Notifications",
    "PLAYLIST": "Playlists",
    "PRODUCT_PAGE": "Product pages",
    "PROMOTED": "Promoted",
    "RELATED_VIDEO": "Suggested videos",
    "SHORTS": "Shorts feed",
    "SOUND_PAGE": "Sound pages",
    "SUBSCRIBER": "Subscriptions feed",
    "SUGGESTED": "Suggested videos",
    "YT_CHANNEL": "Channel pages",
    "YT_OTHER_PAGE": "Other YouTube features",
    "YT_PLAYLIST_PAGE": "Playlist pages",
    "YT_SEARCH": "YouTube search",
}


# The source types' names, the most watched first (by YouTube's own reports of typical
# channels): a chart gives each its colour in this order, the same colour every day.
SOURCE_TYPE_ORDER = (
    "Browse features",
    "Suggested videos",
    "YouTube search",
    "Shorts feed",
    "External",
    "Channel pages",
    "Direct or unknown",
    "Playlists",
    "Subscriptions feed",
    "Notifications",
    "End screens",
    "Embedded players",
    "Other YouTube features",
    "Playlist pages",
    "Hashtag pages",
    "Advertising",
    "Promoted",
    "Campaign cards",
    "Annotations",
    "Live redirect",
    "Product pages",
    "Sound pages",
)


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
