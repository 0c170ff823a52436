"""The call log's update expressions (aicc.adapters.call_logs._Update): one placeholder per
attribute or map field, however often it is named."""

from __future__ import annotations

from aicc.adapters.call_logs import _Update


def test_an_attribute_named_again_keeps_its_placeholder() -> None:
    update = _Update().set("page_0", "sent", path="sms").set("page_0", "failed", path="call")
    update.set("sms", "x").add("notified", {"page:0:sms"})
    assert update.names == {"#n0": "page_0", "#n1": "sms", "#n2": "call", "#n3": "notified"}
    assert update.expression() == "SET #n0.#n1 = :v0, #n0.#n2 = :v1, #n1 = :v2 ADD #n3 :v3"
    assert update.name("call") == "#n2" and update.name("events") == "#n4"
    assert update.touched == {"page_0", "sms", "notified"}
