"""The response cache stores an answer as the bytes Google sent (plus when it came), not
the answer encoded again: decoding and re-encoding each GA answer cost as much CPU as the
decoding alone."""

from __future__ import annotations

import json
import zlib

from statsdash.cache import pack, unpack
from statsdash.google_api import Answer, _text_keeping_model, stamped

RAW = b' {"rows": [{"v": "caf\\u00e9 &amp; \\"quotes\\""}], "rowCount": 1}\n'


def test_an_answer_keeps_its_bytes_and_the_stamp_is_spliced_in():
    answer = _text_keeping_model().deserialize(RAW)
    assert isinstance(answer, Answer) and answer == json.loads(RAW)
    stored = pack(stamped(answer, "statsdashReceivedAt", 1.5))
    body = RAW.strip()[1:]
    assert zlib.decompress(stored) == b'{"statsdashReceivedAt": 1.5,' + body
    assert unpack(stored) == {"statsdashReceivedAt": 1.5, **json.loads(RAW)}


def test_an_empty_answer_and_a_plain_dict_still_round_trip():
    empty = stamped(_text_keeping_model().deserialize(b"{}"), "at", 2.0)
    assert unpack(pack(empty)) == {"at": 2.0} == empty
    plain = stamped({"a": [1, 2]}, "at", 3.0)  # no bytes kept: encoded as before
    assert unpack(pack(plain)) == {"a": [1, 2], "at": 3.0}


def test_a_text_that_is_not_an_object_is_left_to_the_caller():
    assert _text_keeping_model().deserialize(b'"just text"') == "just text"
    assert _text_keeping_model().deserialize(b"[1, 2]") == [1, 2]
