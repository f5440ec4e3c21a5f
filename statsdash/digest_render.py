"""The digest's two parts from its content: plain text, and HTML with inline styles (mail
clients ignore style sheets) in which every outside text is escaped."""

from __future__ import annotations

import html

from statsdash.digest import png_width

BLUE, GREY, RED_BG = "#1f6feb", "#57606a", "#fff1f0"
FONT = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def render_text(c: dict) -> str:
    lines = [f"{c['network']} — week of {c['period']}", *c["compared"], ""]
    if c["failures"]:
        lines += ["INCOMPLETE: these sources could not be fetched:"]
        lines += [f"  - {source}: {message}" for source, message in c["failures"].items()]
        lines.append("")
    for card in c["cards"]:
        changes = ", ".join(f"{pct} vs {when.lower()}" for when, pct in card["changes"] if pct)
        lines.append(f"{card['title']}: {card['value']}" + (f" ({changes})" if changes else ""))
    for when, sentences in c["sentences"]:
        lines += ["", f"What drove it ({when.lower()}):"]
        lines += [f"  - {s}" for s in sentences]
    lines += ["", "Unusual days:"]
    lines += [f"  - {a}" for a in c["anomalies"]] or ["  none"]
    for title, rows, unit in (
        ("Top articles", c["articles"], "pageviews"),
        ("Top videos", c["videos"], "watch minutes"),
    ):
        if rows:
            lines += ["", f"{title}:"]
            lines += [
                f"  {i}. {name} ({where}): {value} {unit}"
                for i, (name, where, value) in enumerate(rows, 1)
            ]
    if c["link"]:
        lines += ["", f"Open this view in Statsdash: {c['link']}"]
    lines += [
        "",
        "Comparisons are like for like: days still being processed are left out of both sides.",
    ]
    return "\n".join(lines) + "\n"


def _cards(cards: list[dict]) -> str:
    cells = []
    for card in cards:
        changes = "".join(
            f'<div style="color:{_colour(pct)};font-size:13px">{e(pct)} vs {e(when.lower())}</div>'
            for when, pct in card["changes"]
            if pct
        )
        cells.append(
            f'<td style="border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;'
            f'vertical-align:top"><div style="color:{GREY};font-size:13px">{e(card["title"])}</div>'
            f'<div style="font-size:22px;font-weight:600">{e(card["value"])}</div>{changes}</td>'
        )
    rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f'<table cellspacing="8" style="border-collapse:separate">{body}</table>'


def _colour(pct: str) -> str:
    return "#1a7f37" if "+" in pct else "#cf222e" if "−" in pct else GREY


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul>"


def _top(title: str, rows: list, unit: str) -> str:
    if not rows:
        return ""
    body = "".join(
        f'<tr><td style="padding:2px 8px">{i}</td><td style="padding:2px 8px">{e(name)}</td>'
        f'<td style="padding:2px 8px;color:{GREY}">{e(where)}</td>'
        f'<td style="padding:2px 8px;text-align:right">{e(value)}</td></tr>'
        for i, (name, where, value) in enumerate(rows, 1)
    )
    head = f'<th></th><th align="left">Title</th><th></th><th align="right">{e(unit)}</th>'
    return f"<h3>{e(title)}</h3><table>{'<tr>' + head + '</tr>'}{body}</table>"


def render_html(c: dict) -> str:
    parts = [f"<h2 style='margin-bottom:0'>{e(c['network'])}</h2>"]
    parts.append(f"<div style='color:{GREY}'>Week of {e(c['period'])}</div>")
    parts += [f"<div style='color:{GREY};font-size:13px'>{e(line)}</div>" for line in c["compared"]]
    if c["failures"]:
        named = "".join(f"<li><b>{e(s)}</b>: {e(m)}</li>" for s, m in c["failures"].items())
        parts.append(
            f'<div style="background:{RED_BG};border:1px solid #cf222e;padding:8px 12px;'
            f'margin:12px 0"><b>Incomplete data.</b> These sources could not be fetched, so '
            f"totals that miss them are low:<ul>{named}</ul></div>"
        )
    parts.append(_cards(c["cards"]))
    for when, sentences in c["sentences"]:
        parts.append(f"<h3>What drove it ({e(when.lower())})</h3>{_list(sentences)}")
    for cid, (caption, png) in c["charts"].items():
        parts.append(
            f'<div><img src="cid:{e(cid)}" alt="{e(caption)}" width="{png_width(png)}" '
            f'style="max-width:100%"><div style="color:{GREY};font-size:12px">'
            f"{e(caption)}</div></div>"
        )
    parts.append(
        "<h3>Unusual days</h3>" + (_list(c["anomalies"]) if c["anomalies"] else "<p>None.</p>")
    )
    parts.append(_top("Top articles", c["articles"], "Pageviews"))
    parts.append(_top("Top videos", c["videos"], "Watch minutes"))
    if c["link"]:
        parts.append(
            f'<p><a href="{e(c["link"])}" style="color:{BLUE}">Open this view in Statsdash</a></p>'
        )
    parts.append(
        f'<p style="color:{GREY};font-size:12px">Comparisons are like for like: days still being '
        "processed are left out of both sides.</p>"
    )
    body = "".join(parts)
    return f'<!DOCTYPE html><html><body style="{FONT}max-width:720px">{body}</body></html>'
