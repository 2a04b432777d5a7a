"""Webhook signature, verification handshake and parsing of Meta's recorded payload shapes."""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.channels.whatsapp_webhook import Signature, check_signature, handshake, parse_webhook, sign
from bot.messages import InboundKind, Location
from tests.fake_graph import APP_SECRET, PHONE_NUMBER_ID, USER, VERIFY_TOKEN, Meta

SECRET = APP_SECRET.encode()


def parse(data: object) -> list[Any]:
    return parse_webhook(data, PHONE_NUMBER_ID)


# -- signature -------------------------------------------------------------------------------------


def test_signature_is_the_hmac_sha256_of_the_raw_body() -> None:
    body = Meta().body(Meta.fixture("text"))
    assert check_signature(body, sign(body, SECRET), SECRET) is Signature.OK
    assert (
        check_signature(body, sign(body, SECRET).upper().replace("SHA256", "sha256"), SECRET) is Signature.OK
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Signature.MISSING),
        ("", Signature.MISSING),
        ("   ", Signature.MISSING),
        ("sha256=", Signature.INVALID),
        ("sha256=deadbeef", Signature.INVALID),
        ("sha1=" + "0" * 40, Signature.INVALID),
        ("sha256=" + "é" * 64, Signature.INVALID),
        ("garbage", Signature.INVALID),
    ],
)
def test_missing_or_wrong_signatures_are_told_apart(header: str | None, expected: Signature) -> None:
    assert check_signature(b"{}", header, SECRET) is expected


def test_a_signature_for_another_body_or_secret_is_invalid() -> None:
    body = Meta().body(Meta.fixture("text"))
    assert check_signature(body + b" ", sign(body, SECRET), SECRET) is Signature.INVALID
    assert check_signature(body, sign(body, b"another-secret"), SECRET) is Signature.INVALID


# -- handshake -------------------------------------------------------------------------------------


def hub(mode: str = "subscribe", token: str = VERIFY_TOKEN, challenge: str = "1158201444") -> dict[str, str]:
    return {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge}


def test_handshake_echoes_the_challenge_only_with_our_token() -> None:
    assert handshake(hub(), VERIFY_TOKEN) == "1158201444"
    assert handshake(hub(token="wrong"), VERIFY_TOKEN) is None
    assert handshake(hub(mode="unsubscribe"), VERIFY_TOKEN) is None
    assert handshake({"hub.challenge": "1"}, VERIFY_TOKEN) is None
    assert handshake(hub(), None) is None  # no token configured: never verified
    assert handshake(hub(token=""), "") is None


@pytest.mark.parametrize("challenge", ["", "<script>alert(1)</script> x", "1" * 300, "a\nb"])
def test_handshake_refuses_a_strange_challenge(challenge: str) -> None:
    assert handshake(hub(challenge=challenge), VERIFY_TOKEN) is None


# -- parsing the recorded payloads -------------------------------------------------------------------


def test_text() -> None:
    (item,) = parse(Meta.fixture("text"))
    inbound = item.inbound
    assert (inbound.channel, inbound.kind, inbound.text) == ("whatsapp", InboundKind.TEXT, "hola")
    assert inbound.user_id == USER  # the phone number: the address to reply to
    assert inbound.message_id.startswith("wamid.")
    assert item.sent_at == datetime(2026, 11, 23, 16, 55, tzinfo=UTC)


def test_button_reply_and_list_reply_arrive_as_choices() -> None:
    (button,) = parse(Meta.fixture("button_reply"))
    (row,) = parse(Meta.fixture("list_reply"))
    assert (button.inbound.kind, button.inbound.choice) == (InboundKind.CHOICE, "lang:es")
    assert (row.inbound.kind, row.inbound.choice) == (InboundKind.CHOICE, "topic:health")


def test_location() -> None:
    (item,) = parse(Meta.fixture("location"))
    assert item.inbound.kind is InboundKind.LOCATION
    assert item.inbound.location == Location(20.5888, -100.3899)


@pytest.mark.parametrize("name", ["audio", "image", "sticker", "document", "contacts", "reaction"])
def test_what_the_assistant_cannot_read_is_unsupported(name: str) -> None:
    (item,) = parse(Meta.fixture(name))
    assert item.inbound.kind is InboundKind.UNSUPPORTED
    assert item.inbound.user_id == USER and item.inbound.message_id


def test_statuses_are_not_messages_and_failures_are_logged_by_code_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        assert parse(Meta.fixture("status")) == []
    assert "codes=131047" in caplog.text
    assert USER not in caplog.text and "24 hours" not in caplog.text


def test_a_batch_that_repeats_a_message_yields_it_twice_for_the_delivery_store_to_drop() -> None:
    first, second = parse(Meta.fixture("duplicate"))
    assert first.inbound.message_id == second.inbound.message_id
    assert first.inbound.text == "necesito un doctor"


def test_a_person_who_hides_their_number_is_addressed_by_business_scoped_user_id() -> None:
    data = Meta.fixture("text")
    del data["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
    (item,) = parse(data)
    assert item.inbound.user_id == "US.13491208655302741918"


def test_webhooks_for_another_number_groups_and_retracted_reactions_are_ignored() -> None:
    other = Meta.fixture("text")
    other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert parse(other) == []
    group = Meta.fixture("text")
    group["entry"][0]["changes"][0]["value"]["messages"][0]["group_id"] = "G1"
    assert parse(group) == []
    retracted = Meta.fixture("reaction")
    del retracted["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["emoji"]
    assert parse(retracted) == []
    system = Meta.fixture("text")
    system["entry"][0]["changes"][0]["value"]["messages"][0]["type"] = "system"
    assert parse(system) == []


def test_unknown_message_types_and_odd_values_are_answered_as_unsupported() -> None:
    for kind, body in [("video", {"id": "1"}), ("text", {"body": 5}), ("location", {"latitude": "x"})]:
        data = Meta.fixture("text")
        message = data["entry"][0]["changes"][0]["value"]["messages"][0]
        message.pop("text")
        message["type"] = kind
        message[kind] = body
        (item,) = parse(data)
        assert item.inbound.kind is InboundKind.UNSUPPORTED, kind


def test_malformed_payloads_never_raise() -> None:
    base = Meta.fixture("text")
    samples: list[object] = [None, [], "x", {}, {"object": "page"}, {"object": "whatsapp_business_account"}]
    # Every field of the message, in turn, removed or given a value of the wrong type.
    message = base["entry"][0]["changes"][0]["value"]["messages"][0]
    odd: list[object] = [None, 1, "", [], {}, True, float("nan")]
    for key in list(message):
        for value in odd:
            data = copy.deepcopy(base)
            data["entry"][0]["changes"][0]["value"]["messages"][0][key] = value
            samples.append(data)
        data = copy.deepcopy(base)
        del data["entry"][0]["changes"][0]["value"]["messages"][0][key]
        samples.append(data)
    for key in ("entry", "changes", "value", "metadata", "messages"):
        broken = json.loads(json.dumps(base).replace(f'"{key}"', '"renamed"', 1))
        samples.append(broken)
    for sample in samples:
        for item in parse(sample):
            assert item.inbound.user_id and item.inbound.message_id
