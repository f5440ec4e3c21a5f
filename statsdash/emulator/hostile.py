"""A hostile disguise of the emulator (tests only, never the demo): every text Google passes
on from outside -- page titles, paths, hosts, sources, countries, traffic sources, video and
channel titles, time zones, error messages -- carries Markdown, HTML and formula payloads
pointing at a `beacon` URL, so a test can see whether anything interprets it.

Answers are rewritten on the way out and filter values the client sends back (a source it
was told about) are stripped on the way in, so the network behaves exactly as without the
disguise. Each payload names its field, so a leak says where it came from.
"""

from __future__ import annotations

import json
from typing import Any

# GA4 dimensions whose values come from visitors or site owners.
GA_TEXT = frozenset(
    {
        "pageTitle",
        "pagePath",
        "pagePathPlusQueryString",
        "hostName",
        "sessionSource",
        "sessionMedium",
        "sessionSourceMedium",
        "country",
        "unifiedScreenName",  # realtime: the page's title
    }
)
YT_TEXT = frozenset({"country", "insightTrafficSourceType"})
# Titles are never filtered on, so they also get a leading formula (CSV injection).
TITLES = frozenset({"pageTitle", "title", "channelTitle"})
START = " ![x-"  # how every suffix starts: cannot occur in the emulator's own data


class Disguise:
    """Rewrites the emulator's answers (out) and the client's filter values (in)."""

    def __init__(self, beacon: str):
        self.beacon = beacon.rstrip("/")

    def suffix(self, field: str) -> str:
        b = self.beacon
        return (
            f"{START}{field}]({b}/img/{field}) [link-{field}](javascript:alert(1)) "
            f"**bold-{field}** _em-{field}_ `code-{field}` <img src={b}/tag/{field}> "
            f":red[red-{field}] {b}/auto/{field} www.example.com @{field}"
        )

    def prefix(self, field: str) -> str:
        return f'=HYPERLINK("{self.beacon}/formula/{field}","x") '

    def text(self, field: str, value: str) -> str:
        if not isinstance(value, str) or value.startswith("RESERVED_"):  # GA4 totals rows
            return value
        front = self.prefix(field) if field in TITLES else ""
        return front + value + self.suffix(field)

    def plain(self, value: str) -> str:
        """The original of a disguised value (what the network knows it by)."""
        if value.startswith('=HYPERLINK("' + self.beacon):
            value = value.split('","x") ', 1)[-1]
        return value.split(START, 1)[0]

    # ------------------------------------------------------------ requests (in)

    def request(self, body: bytes) -> bytes:
        """A GA4 request body with every disguised string back to its original."""
        if not body or START.encode() not in body:
            return body
        return json.dumps(self._strip(json.loads(body))).encode()

    def _strip(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {k: self._strip(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self._strip(v) for v in node]
        return self.plain(node) if isinstance(node, str) else node

    # ------------------------------------------------------------ answers (out)

    def answer(self, endpoint: str, payload: dict) -> dict:
        if "error" in payload:
            return self._error(payload)
        if endpoint == "ga.batchRunReports":
            return {**payload, "reports": [self._ga_report(r) for r in payload["reports"]]}
        if endpoint in ("ga.runReport", "ga.runRealtimeReport"):
            return self._ga_report(payload)
        if endpoint == "yt.reports.query":
            return self._yt_table(payload)
        if endpoint in ("yt.channels.list", "yt.videos.list"):
            return {**payload, "items": [self._snippet(i) for i in payload.get("items", [])]}
        if endpoint == "admin.accountSummaries.list":
            return self._summaries(payload)
        return payload

    def _error(self, payload: dict) -> dict:
        error = dict(payload["error"])
        error["message"] = self.text("error", error.get("message", ""))
        if "errors" in error:
            error["errors"] = [
                {**e, "message": self.text("error", e.get("message", ""))} for e in error["errors"]
            ]
        return {**payload, "error": error}

    def _ga_report(self, report: dict) -> dict:
        names = [h["name"] for h in report.get("dimensionHeaders", [])]

        def row(r: dict) -> dict:
            values = [
                {**v, "value": self.text(n, v["value"])} if n in GA_TEXT else v
                for n, v in zip(names, r.get("dimensionValues", []), strict=False)
            ]
            return {**r, "dimensionValues": values}

        out = dict(report)
        for key in ("rows", "totals", "minimums", "maximums"):
            if key in out:
                out[key] = [row(r) for r in out[key]]
        if "timeZone" in out.get("metadata", {}):
            meta = out["metadata"]
            out["metadata"] = {**meta, "timeZone": self.text("timeZone", meta["timeZone"])}
        return out

    def _yt_table(self, table: dict) -> dict:
        names = [h["name"] for h in table.get("columnHeaders", [])]
        if not names or "rows" not in table:
            return table
        rows = [
            [self.text(n, v) if n in YT_TEXT else v for n, v in zip(names, r, strict=False)]
            for r in table["rows"]
        ]
        return {**table, "rows": rows}

    def _snippet(self, item: dict) -> dict:
        if "snippet" not in item:
            return item
        snippet = dict(item["snippet"])
        for field in ("title", "channelTitle", "description"):
            if field in snippet:
                snippet[field] = self.text(field, snippet[field])
        if "localized" in snippet:
            snippet["localized"] = {k: self.text(k, v) for k, v in snippet["localized"].items()}
        return {**item, "snippet": snippet}

    def _summaries(self, payload: dict) -> dict:
        def account(a: dict) -> dict:
            props = [
                {**p, "displayName": self.text("displayName", p.get("displayName", ""))}
                for p in a.get("propertySummaries", [])
            ]
            name = self.text("displayName", a.get("displayName", ""))
            return {**a, "displayName": name, "propertySummaries": props}

        return {
            **payload,
            "accountSummaries": [account(a) for a in payload.get("accountSummaries", [])],
        }
