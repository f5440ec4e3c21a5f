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
