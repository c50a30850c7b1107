"""Who else hears of alerts and camera outages: the top-level `notify` section.

The live page only helps an operator who is looking at it. A dispatch desk, a pager
gateway or a maintenance ticket system gets each event as a signed JSON POST (a webhook,
https://www.standardwebhooks.com), retried until it is taken or too old to matter.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AnyHttpUrl, Field, field_validator, model_validator

from monitor.config.base import Section
from monitor.config.response import SLUG

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"


class NotificationKind(StrEnum):
    """What a webhook can be told: each step of an alert, a camera going or coming back, a
    stalled stream or poor picture and its end, a camera fault taken in hand and a repair
    running past its time."""

    RAISED = "raised"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    CLEARED = "cleared"
    OVERDUE = "overdue"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ARRIVED = "arrived"
    RESOLVED = "resolved"
    CAMERA_OFFLINE = "camera_offline"
    CAMERA_ONLINE = "camera_online"
    CAMERA_FAULT = "camera_fault"  # a stalled stream or a poor picture that lasted
    CAMERA_FAULT_ENDED = "camera_fault_ended"
    FORECAST = "forecast"  # the trend says a level is minutes away
    FAULT_ACKNOWLEDGED = "fault_acknowledged"  # an operator took a camera fault in hand
    REPAIR_OVERDUE = "repair_overdue"  # a camera still down when it was expected back
    FAULT_UNATTENDED = "fault_unattended"  # a camera fault still nobody's, every so often
    TURBULENCE = "turbulence"  # a dense crowd pushed in different directions (crowd pressure)


class WebhookFormat(StrEnum):
    """How an event is sent (monitor/notify/formats.py)."""

    STANDARD = "standard"
    SLACK = "slack"
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"


DEFAULT_KINDS = (
    NotificationKind.RAISED,
    NotificationKind.ESCALATED,
    NotificationKind.OVERDUE,
    NotificationKind.CLEARED,
    NotificationKind.RESOLVED,
    NotificationKind.CAMERA_OFFLINE,
    NotificationKind.CAMERA_ONLINE,
)


class WebhookConfig(Section):
    name: str = Field(pattern=SLUG, description="[a-z0-9_-]: names the endpoint in the log.")
    url: AnyHttpUrl | None = Field(
        default=None,
        description="Where each event is POSTed (http or https). A chat bot's URL holds its "
        "key: give it in `url_env` instead, so it stays out of this file and its exports.",
    )
    url_env: str | None = Field(
        default=None,
        pattern=ENV_NAME,
        description="Environment variable holding the URL, instead of `url`.",
    )
    format: WebhookFormat = Field(
        default=WebhookFormat.STANDARD,
        description="standard: the event's JSON (README, 'Notifications'); slack, wecom, "
        "dingtalk, feishu: the event's summary line posted to that chat service's group bot.",
    )
    secret_env: str | None = Field(
        default=None,
        pattern=ENV_NAME,
        description="Environment variable holding the signing secret. standard: 'whsec_' and "
        "base64, as Standard Webhooks tools make them, sent as webhook-id, webhook-timestamp "
        "and webhook-signature headers; dingtalk, feishu: the bot's signing secret ('SEC...' "
        "for DingTalk). null: unsigned.",
    )
    authorization_env: str | None = Field(
        default=None,
        pattern=ENV_NAME,
        description="Environment variable whose value is sent as the Authorization header "
        "(e.g. 'Bearer ...'), for receivers that want a key rather than a signature.",
    )
    events: list[NotificationKind] = Field(
        default_factory=lambda: list(DEFAULT_KINDS),
        min_length=1,
        max_length=len(NotificationKind),
        description="What this endpoint is told: alert steps (raised, escalated, deescalated, "
        "cleared, overdue, acknowledged, dispatched, arrived, resolved), camera_offline, "
        "camera_online, and, not in the default list: camera_fault and camera_fault_ended "
        "(a stalled stream or a poor picture, see `camera_fault_after_s`), forecast (a "
        "rising crowd's next level is `forecast_within_s` away), fault_acknowledged, "
        "repair_overdue, fault_unattended (see `fault_remind_every_s`) and turbulence (a "
        "site's crowd pressure reached its `motion.pressure_limit`: told at once, before a "
        "turbulence alert's hold has passed).",
    )
    levels: list[str] = Field(
        default_factory=list,
        max_length=32,
        description="Alert steps only for alerts that reached one of these levels (their peak "
        "level; a turbulence alert's is 'turbulent'), forecasts only of reaching one of them. "
        "Empty: every alert.",
    )
    sites: list[str] = Field(
        default_factory=list,
        max_length=256,
        description="Only these sites' events. Empty: every site.",
    )
    timeout_s: float = Field(
        default=5.0, gt=0, le=60, description="How long one delivery attempt may take."
    )

    @model_validator(mode="after")
    def _one_address_and_a_signature_it_can_take(self) -> WebhookConfig:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give the address as either url or url_env (one of them)")
        if self.secret_env is not None and self.format in (
            WebhookFormat.SLACK,
            WebhookFormat.WECOM,
        ):
            raise ValueError(
                f"{self.format} webhooks are not signed (their key is in the URL): drop "
                "secret_env and keep the URL in url_env"
            )
        return self

    @field_validator("events", "levels", "sites")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        repeated = sorted({str(v) for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"'{repeated[0]}' is listed more than once")
        return values


class NotifyConfig(Section):
    webhooks: list[WebhookConfig] = Field(
        default_factory=list, max_length=32, description="Endpoints told of events."
    )
    camera_offline_after_s: float = Field(
        default=60.0,
        ge=0,
        le=86_400,
        description="A camera must be offline this long before camera_offline is sent (and so "
        "camera_online after it): a stream that drops for a few seconds pages nobody.",
    )
    camera_fault_after_s: float = Field(
        default=120.0,
        ge=0,
        le=86_400,
        description="A stalled stream or a poor picture (blank, grainy, starved, blocky) must "
        "last this long before camera_fault is sent, and be gone this long before "
        "camera_fault_ended is: a picture on the edge of a limit at dusk pages once.",
    )
    fault_remind_every_s: float = Field(
        default=3600.0,
        ge=60,
        le=7 * 86_400,
        description="A camera fault nobody has taken in hand (no Ack, or its repair overdue) "
        "is reminded of (fault_unattended) each time it has lasted another this long: a "
        "camera dark all night is heard of every hour until someone acknowledges it.",
    )
    forecast_within_s: float = Field(
        default=180.0,
        ge=10,
        le=3600,
        description="forecast is sent when a rising crowd's next level is this close at its "
        "recent pace (the site's trend): 180 s leaves a 3-minute platform time to arrive.",
    )
    forecast_cooldown_s: float = Field(
        default=600.0,
        ge=0,
        le=86_400,
        description="After a forecast of a level at a site, the next one of that level there "
        "waits this long: a crowd hovering near a level pages once.",
    )
    turbulence_cooldown_s: float = Field(
        default=600.0,
        ge=0,
        le=86_400,
        description="After turbulence is sent for a site, a new episode there waits this long "
        "before it is sent too: a crowd on the edge of the limit pages once. An episode lasts "
        "until a reading of the site's motion is calm.",
    )
    give_up_after_s: float = Field(
        default=3600.0,
        ge=10,
        le=7 * 86_400,
        description="A delivery still failing this long after its event is marked failed: "
        "an alert an hour old is no longer news to page anyone with.",
    )
    keep_days: float = Field(
        default=30.0, gt=0, le=3650, description="How long the delivery log is kept."
    )
    public_url: AnyHttpUrl | None = Field(
        default=None,
        description="The page's address as the receivers reach it (e.g. "
        "'https://crowd.example'); each event then links to its alert or site. null: no link.",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> NotifyConfig:
        names = [w.name for w in self.webhooks]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"webhook name '{repeated[0]}' is used more than once")
        return self

    def webhook(self, name: str) -> WebhookConfig:
        for webhook in self.webhooks:
            if webhook.name == name:
                return webhook
        raise KeyError(name)
