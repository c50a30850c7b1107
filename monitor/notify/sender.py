"""One HTTP POST of one event to one endpoint, signed the Standard Webhooks way."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

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
    ) -> None:
        self._url = url
        self._signer = Webhook(secret) if secret else None
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        # Redirects are not followed: a POST that the receiver moved is a wrong URL to fix.
        self._client = httpx.Client(timeout=timeout_s, headers=headers, follow_redirects=False)

    def send(self, message_id: str, body: str, now: float) -> AttemptResult:
        headers = {"webhook-id": message_id, "webhook-timestamp": str(int(now))}
        if self._signer is not None:
            stamp = datetime.fromtimestamp(int(now), tz=UTC)
            headers["webhook-signature"] = self._signer.sign(message_id, stamp, body)
        try:
            response = self._client.post(self._url, content=body.encode(), headers=headers)
        except httpx.TimeoutException:
            return AttemptResult(None, "timed out")
        except httpx.HTTPError as error:
            return AttemptResult(None, f"{type(error).__name__}: {error}".rstrip(": "))
        detail = ""
        if not 200 <= response.status_code < 300:
            location = response.headers.get("location")
            detail = f"redirected to {location}" if location else response.text.strip()
        return AttemptResult(
            response.status_code,
            detail[:MAX_ERROR_CHARS],
            parse_retry_after(response.headers.get("retry-after")),
        )

    def close(self) -> None:
        self._client.close()
