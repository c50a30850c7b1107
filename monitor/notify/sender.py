"""One HTTP POST of one event to one endpoint, in the endpoint's format (see formats.py):
the event's JSON signed the Standard Webhooks way, or a chat bot's message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from monitor.config.notify import WebhookFormat
from monitor.notify.formats import api_answer, chat_request
from monitor.notify.verdict import AttemptResult, parse_retry_after

USER_AGENT = "crowd-monitor-webhooks/1"
# Enough of a refusal's body to see why (a validation message), not a whole error page.
MAX_ERROR_CHARS = 300


class WebhookSender:
    """Holds one endpoint's connection pool; `close()` releases it."""

    def __init__(
        self,
        url: str,
        timeout_s: float,
        secret: str | None = None,
        authorization: str | None = None,
        format: WebhookFormat = WebhookFormat.STANDARD,
    ) -> None:
        self._url = url
        self._format = format
        self._secret = secret
        standard = format is WebhookFormat.STANDARD
        self._signer = Webhook(secret) if secret and standard else None
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        # Redirects are not followed: a POST that the receiver moved is a wrong URL to fix.
        self._client = httpx.Client(timeout=timeout_s, headers=headers, follow_redirects=False)

    def send(self, message_id: str, body: str, now: float) -> AttemptResult:
        """Posts the event (`body`, its standard JSON) as this endpoint's format wants it."""
        headers = {"webhook-id": message_id, "webhook-timestamp": str(int(now))}
        params: dict[str, str] = {}
        content = body
        if self._format is not WebhookFormat.STANDARD:
            request = chat_request(self._format, json.loads(body), now, self._secret)
            content, params = request.body, request.params
        elif self._signer is not None:
            stamp = datetime.fromtimestamp(int(now), tz=UTC)
            headers["webhook-signature"] = self._signer.sign(message_id, stamp, body)
        # Merged by hand: httpx's `params` would replace the query that holds the bot's key.
        url = httpx.URL(self._url).copy_merge_params(params) if params else self._url
        try:
            response = self._client.post(url, content=content.encode(), headers=headers)
        except httpx.TimeoutException:
            return AttemptResult(None, "timed out")
        except httpx.HTTPError as error:
            return AttemptResult(None, f"{type(error).__name__}: {error}".rstrip(": "))
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if 200 <= response.status_code < 300:
            answer = api_answer(self._format, response.text)
            return AttemptResult(
                response.status_code,
                answer.error[:MAX_ERROR_CHARS],
                retry_after,
                api_refused=bool(answer.error),
                api_retry=answer.retry,
            )
        location = response.headers.get("location")
        detail = f"redirected to {location}" if location else response.text.strip()
        return AttemptResult(response.status_code, detail[:MAX_ERROR_CHARS], retry_after)

    def close(self) -> None:
        self._client.close()
