"""YouTube Data API v3 channels.list / videos.list and the partner API's contentOwners list,
answered from the synthetic network."""

from __future__ import annotations

import base64
import hashlib

from statsdash.emulator.youtube import bad_request, forbidden, int_param

MAX_LIST_IDS = 50  # ids per channels.list / videos.list call, and maxResults


def _etag(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:27]


def _list_param(params: dict[str, list[str]], name: str) -> list[str]:
    return [v for value in params.get(name, []) for v in value.split(",") if v]


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _parts(params: dict[str, list[str]], known: set[str]) -> list[str]:
    parts = _list_param(params, "part")
    if not parts:
        raise bad_request("Required parameter: part", "required")
    for p in parts:
        if p not in known:
            raise bad_request(f"'{p}'", "unknownPart")
    return parts


def _channel_item(net, channel_id: str, parts: list[str]) -> dict:
    c = net.yt_channels[channel_id]
    item = {"kind": "youtube#channel", "etag": _etag(channel_id, net.today), "id": channel_id}
    if "snippet" in parts:
        item["snippet"] = {
            "title": c.title,
            "description": f"The official {c.title} channel.",
            "customUrl": c.handle,
            "publishedAt": f"{c.published.isoformat()}T09:00:00Z",
            "localized": {"title": c.title, "description": f"The official {c.title} channel."},
        }
    if "contentDetails" in parts:
        item["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}
        }
    if "statistics" in parts:
        videos = sum(
            1
            for v in net.yt_videos.values()
            if v.channel_id == channel_id and v.published <= net.today
        )
        item["statistics"] = {
            "viewCount": str(net.channel_view_count(channel_id)),
            "subscriberCount": str(net.subscriber_count(channel_id)),
            "hiddenSubscriberCount": False,
            "videoCount": str(videos),
        }
    if "contentOwnerDetails" in parts:
        item["contentOwnerDetails"] = {
            "contentOwner": net.content_owner_id,
            "timeLinked": f"{c.published.isoformat()}T12:00:00Z",
        }
    return item


def channels_list(net, params: dict[str, list[str]]) -> dict:
    """channels.list by id (<= 50), managedByMe (paged), or mine."""
    parts = _parts(params, {"id", "snippet", "statistics", "contentDetails", "contentOwnerDetails"})
    ids = _list_param(params, "id")
    managed = _one(params, "managedByMe") == "true"
    mine = _one(params, "mine") == "true"
    if [bool(ids), managed, mine].count(True) != 1:
        raise bad_request(
            "No filter selected. Expected one of: forUsername, managedByMe, id, mine, "
            "mySubscribers, forHandle, idParam",
            "missingRequiredParameter",
        )
    size = int_param({k: v[-1] for k, v in params.items()}, "maxResults", 5)
    if size > MAX_LIST_IDS:
        raise bad_request(
            f"Invalid value '{size}'. Values must be within the range: [0, 50]", "invalidValue"
        )
    response = {"kind": "youtube#channelListResponse", "etag": _etag("channels", ids, managed)}
    if ids:
        if len(ids) > MAX_LIST_IDS:
            raise bad_request("The request specifies too many ids; at most 50.", "invalidFilters")
        chosen = [i for i in ids if i in net.yt_channels]
    elif mine:
        chosen = [next(iter(net.yt_channels))]
    else:
        if _one(params, "onBehalfOfContentOwner") != net.content_owner_id:
            raise forbidden()
        owned = list(net.yt_channels)
        offset = _offset(_one(params, "pageToken"))
        chosen = owned[offset : offset + size]
        if offset + size < len(owned):
            response["nextPageToken"] = _token(offset + size)
        if offset:
            response["prevPageToken"] = _token(max(0, offset - size))
        response["pageInfo"] = {"totalResults": len(owned), "resultsPerPage": size}
    response.setdefault("pageInfo", {"totalResults": len(chosen), "resultsPerPage": size})
    response["items"] = [_channel_item(net, c, parts) for c in chosen]
    return response


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"CAU{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()[3:])
    except ValueError:
        raise bad_request(
            "The request specifies an invalid page token.", "invalidPageToken"
        ) from None


def videos_list(net, params: dict[str, list[str]]) -> dict:
    """videos.list by id (<= 50); unknown and not yet published ids are left out."""
    parts = _parts(params, {"id", "snippet", "statistics", "contentDetails"})
    ids = _list_param(params, "id")
    if not ids:
        raise bad_request(
            "No filter selected. Expected one of: myRating, chart, id", "missingRequiredParameter"
        )
    if len(ids) > MAX_LIST_IDS:
        raise bad_request("The request specifies too many ids; at most 50.", "invalidFilters")
    known = [net.yt_videos[v] for v in ids if v in net.yt_videos]
    known = [v for v in known if v.published <= net.today]
    stats = (
        {c: net.video_stats(c) for c in {v.channel_id for v in known}}
        if "statistics" in parts
        else {}
    )
    items = []
    for v in known:
        item = {"kind": "youtube#video", "etag": _etag(v.video_id, net.today), "id": v.video_id}
        if "snippet" in parts:
            item["snippet"] = {
                "publishedAt": f"{v.published.isoformat()}T15:00:00Z",
                "channelId": v.channel_id,
                "title": v.title,
                "description": "",
                "channelTitle": net.yt_channels[v.channel_id].title,
                "categoryId": "20",
            }
        if "contentDetails" in parts:
            item["contentDetails"] = {
                "duration": f"PT{4 + len(v.title) % 11}M{len(v.video_id) * 3}S"
            }
        if "statistics" in parts:
            s = stats[v.channel_id][v.video_id]
            item["statistics"] = {
                "viewCount": str(s["views"]),
                "likeCount": str(s["likes"]),
                "favoriteCount": "0",
                "commentCount": str(s["comments"]),
            }
        items.append(item)
    return {
        "kind": "youtube#videoListResponse",
        "etag": _etag("videos", ids),
        "items": items,
        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
    }


def content_owners_list(net, params: dict[str, list[str]]) -> dict:
    """youtubePartner contentOwners.list?fetchMine=true."""
    if _one(params, "fetchMine") != "true":
        raise bad_request("Required parameter: fetchMine or id", "required")
    return {
        "kind": "youtubePartner#contentOwnerList",
        "items": [
            {
                "kind": "youtubePartner#contentOwner",
                "id": net.content_owner_id,
                "displayName": net.content_owner_name,
            }
        ],
    }
