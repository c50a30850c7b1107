"""The request each webhook format sends, and what its answer means: pure, no I/O.

`standard` sends the event's JSON as it is (signed with Standard Webhooks headers by the
sender). The chat formats post the event's one-line summary (and its link) into a group
chat through that service's bot webhook, the way a duty officers' group is usually told:
Slack, WeCom (企业微信), DingTalk (钉钉) and Feishu/Lark (飞书). DingTalk and Feishu bots can
require a signature made with the bot's secret; the others carry their key in the URL.
Those three answer HTTP 200 even when they refuse a message, with an error code in the body,
so the body is read too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from monitor.config.notify import WebhookFormat

# Error codes meaning "too many messages, later": worth a retry, unlike a bad key or sign.
_RATE_LIMIT_CODES = {
    WebhookFormat.WECOM: frozenset({45009, 45033}),
    WebhookFormat.DINGTALK: frozenset({130101, 660026}),
    WebhookFormat.FEISHU: frozenset({9499, 11232, 11233, 11247}),
}


@dataclass(frozen=True, slots=True)
class ChatRequest:
    body: str
    params: dict[str, str] = field(default_factory=dict)  # added to the URL's query


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    """What a 2xx answer's body said: an error (empty: taken) and whether to retry."""

    error: str = ""
    retry: bool = False


def chat_text(event: dict[str, Any]) -> str:
    """The event as a chat line: its summary, then its link when it has one."""
    text = str(event.get("summary") or event.get("type") or "crowd-monitor event")
    url = event.get("url")
    return f"{text}\n{url}" if url else text


def _hmac_b64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def chat_request(
    format: WebhookFormat, event: dict[str, Any], now: float, secret: str | None
) -> ChatRequest:
    """The request that posts `event` to a chat format's bot (not for `standard`)."""
    text = chat_text(event)
    if format is WebhookFormat.SLACK:
        return ChatRequest(json.dumps({"text": text}, ensure_ascii=False))
    if format is WebhookFormat.WECOM:
        body = {"msgtype": "text", "text": {"content": text}}
        return ChatRequest(json.dumps(body, ensure_ascii=False))
    if format is WebhookFormat.DINGTALK:
        body = {"msgtype": "text", "text": {"content": text}}
        params: dict[str, str] = {}
        if secret:
            # DingTalk's "加签": HMAC-SHA256 of "timestamp\nsecret" keyed by the secret.
            stamp = str(int(now * 1000))
            params = {
                "timestamp": stamp,
                "sign": _hmac_b64(secret.encode(), f"{stamp}\n{secret}".encode()),
            }
        return ChatRequest(json.dumps(body, ensure_ascii=False), params)
    if format is WebhookFormat.FEISHU:
        feishu: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            # Feishu's signature: HMAC-SHA256 keyed by "timestamp\nsecret" of nothing.
            stamp = str(int(now))
            feishu = {
                "timestamp": stamp,
                "sign": _hmac_b64(f"{stamp}\n{secret}".encode(), b""),
                **feishu,
            }
        return ChatRequest(json.dumps(feishu, ensure_ascii=False))
    raise ValueError(f"{format} is not a chat format")


def api_answer(format: WebhookFormat, text: str) -> ApiAnswer:
    """Reads a 2xx answer's body; WeCom, DingTalk and Feishu put their refusals there."""
    if format not in _RATE_LIMIT_CODES:
        return ApiAnswer()
    try:
        answer = json.loads(text)
    except ValueError:
        return ApiAnswer(f"not the JSON answer expected: {text[:100]!r}")
    if not isinstance(answer, dict):
        return ApiAnswer(f"not the JSON answer expected: {text[:100]!r}")
    if format is WebhookFormat.FEISHU:
        code = answer.get("code", answer.get("StatusCode", 0))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code, message = answer.get("errcode", 0), answer.get("errmsg", "")
    if code in (0, None):
        return ApiAnswer()
    return ApiAnswer(f"error {code}: {message}", code in _RATE_LIMIT_CODES[format])
