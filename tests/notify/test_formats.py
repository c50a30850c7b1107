from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from monitor.config.notify import WebhookFormat
from monitor.notify.formats import ApiAnswer, api_answer, chat_request, chat_text

EVENT = {
    "type": "raised",
    "summary": "Wuyi Square: alert raised",
    "url": "https://c.example/#alert=a1",
}


@pytest.mark.parametrize(
    ("event", "text"),
    [
        pytest.param(EVENT, "Wuyi Square: alert raised\nhttps://c.example/#alert=a1", id="link"),
        pytest.param({"summary": "s", "url": None}, "s", id="no-link"),
        pytest.param({"type": "test"}, "test", id="no-summary"),
    ],
)
def test_chat_text(event: dict[str, Any], text: str) -> None:
    assert chat_text(event) == text


@pytest.mark.parametrize(
    ("format", "body"),
    [
        pytest.param(WebhookFormat.SLACK, {"text": chat_text(EVENT)}, id="slack"),
        pytest.param(
            WebhookFormat.WECOM,
            {"msgtype": "text", "text": {"content": chat_text(EVENT)}},
            id="wecom",
        ),
        pytest.param(
            WebhookFormat.DINGTALK,
            {"msgtype": "text", "text": {"content": chat_text(EVENT)}},
            id="dingtalk",
        ),
        pytest.param(
            WebhookFormat.FEISHU,
            {"msg_type": "text", "content": {"text": chat_text(EVENT)}},
            id="feishu",
        ),
    ],
)
def test_unsigned_chat_bodies(format: WebhookFormat, body: dict[str, Any]) -> None:
    request = chat_request(format, EVENT, 1_700_000_000.5, None)
    assert json.loads(request.body) == body
    assert request.params == {}


def test_dingtalk_signs_the_millisecond_timestamp_with_the_secret() -> None:
    request = chat_request(WebhookFormat.DINGTALK, EVENT, 1_700_000_000.123, "SECabc")
    assert request.params["timestamp"] == "1700000000123"
    expected = hmac.new(b"SECabc", b"1700000000123\nSECabc", hashlib.sha256).digest()
    assert base64.b64decode(request.params["sign"]) == expected


def test_feishu_signs_in_the_body_with_the_timestamp_and_secret_as_key() -> None:
    body = json.loads(chat_request(WebhookFormat.FEISHU, EVENT, 1_700_000_000.9, "s3").body)
    assert body["timestamp"] == "1700000000"
    expected = hmac.new(b"1700000000\ns3", b"", hashlib.sha256).digest()
    assert base64.b64decode(body["sign"]) == expected
    assert body["msg_type"] == "text"


def test_the_standard_format_has_no_chat_request() -> None:
    with pytest.raises(ValueError, match="not a chat format"):
        chat_request(WebhookFormat.STANDARD, EVENT, 0.0, None)


@pytest.mark.parametrize(
    ("format", "text", "answer"),
    [
        pytest.param(WebhookFormat.STANDARD, "anything", ApiAnswer(), id="standard-ignored"),
        pytest.param(WebhookFormat.SLACK, "ok", ApiAnswer(), id="slack-ignored"),
        pytest.param(
            WebhookFormat.WECOM, '{"errcode":0,"errmsg":"ok"}', ApiAnswer(), id="wecom-ok"
        ),
        pytest.param(
            WebhookFormat.WECOM,
            '{"errcode":93000,"errmsg":"invalid webhook url"}',
            ApiAnswer("error 93000: invalid webhook url"),
            id="wecom-bad-key",
        ),
        pytest.param(
            WebhookFormat.WECOM,
            '{"errcode":45009,"errmsg":"api freq out of limit"}',
            ApiAnswer("error 45009: api freq out of limit", retry=True),
            id="wecom-rate-limit",
        ),
        pytest.param(
            WebhookFormat.DINGTALK,
            '{"errcode":310000,"errmsg":"sign not match"}',
            ApiAnswer("error 310000: sign not match"),
            id="dingtalk-bad-sign",
        ),
        pytest.param(
            WebhookFormat.DINGTALK,
            '{"errcode":130101,"errmsg":"send too fast"}',
            ApiAnswer("error 130101: send too fast", retry=True),
            id="dingtalk-too-fast",
        ),
        pytest.param(
            WebhookFormat.FEISHU, '{"code":0,"msg":"success"}', ApiAnswer(), id="feishu-ok"
        ),
        pytest.param(
            WebhookFormat.FEISHU,
            '{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}',
            ApiAnswer("error 19021: sign match fail or timestamp is not within one hour"),
            id="feishu-bad-sign",
        ),
        pytest.param(
            WebhookFormat.FEISHU,
            '{"StatusCode":0,"StatusMessage":"success"}',
            ApiAnswer(),
            id="feishu-old",
        ),
        pytest.param(
            WebhookFormat.WECOM,
            "<html>gateway</html>",
            ApiAnswer("not the JSON answer expected: '<html>gateway</html>'"),
            id="not-json",
        ),
    ],
)
def test_api_answer(format: WebhookFormat, text: str, answer: ApiAnswer) -> None:
    assert api_answer(format, text) == answer
