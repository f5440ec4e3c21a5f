"""The digest's message shape without sending it: a subject stays one header line."""

from __future__ import annotations

from email import message_from_bytes, policy

from statsdash.digest import Digest


def test_a_line_break_in_the_network_name_stays_out_of_the_subject_header():
    digest = Digest("Acme\nMedia\r\n weekly digest: 23-29 Nov 2026", "text", "<p>html</p>")
    raw = digest.message("bot@example.com", ("team@example.com",)).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Acme Media weekly digest: 23-29 Nov 2026"
    assert parsed.get_body(("plain",)).get_content().strip() == "text"
