"""
Alerts about saved jobs: found after each crawl (and by `jobcrawl alerts send`), stored once per
condition, and delivered through the channels of the alerts settings file.

The flow is `find_alerts()` (conditions.py) -> `raise_alerts()` (store each new condition with an
outbox row per configured channel) -> `deliver()` (send what is pending, channel by channel,
recording each outcome at once). A failed delivery stays pending and is retried on the next run; a
delivered one is never sent again.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from crawler.alerts.channels import (
    Channel,
    EmailChannel,
    FeedChannel,
    StdoutChannel,
    WebhookChannel,
    alert_record,
    alert_text,
)
from crawler.alerts.conditions import AlertPolicy, find_alerts
from crawler.alerts.config import AlertsConfig, default_alerts_config_path, load_alerts_config
from crawler.store import Store
from crawler.store.tracking import Tracking

__all__ = [
    "AlertPolicy", "AlertStep", "AlertsConfig", "DeliveryReport", "alert_record", "alert_text",
    "channels_for", "default_alerts_config_path", "deliver", "find_alerts", "load_alerts_config",
    "raise_alerts", "run_alert_step",
]  # fmt: skip


@dataclass(slots=True)
class DeliveryReport:
    """What one delivery pass did."""

    sent: Counter[str] = field(default_factory=Counter)
    """Alerts delivered, per channel."""
    failed: dict[str, str] = field(default_factory=dict)
    """Channel -> the first error of this pass; its alerts stay pending."""
    still_pending: Counter[str] = field(default_factory=Counter)
    """Alerts left in the outbox per channel after this pass."""

    def summary(self) -> str:
        """One line: `email 3 sent; webhook 2 sent, 1 pending (webhook host: HTTP 500)`."""
        parts = []
        for name in sorted(self.sent.keys() | self.still_pending.keys()):
            part = f"{name} {self.sent[name]} sent"
            if self.still_pending[name]:
                part += f", {self.still_pending[name]} pending"
                if name in self.failed:
                    part += f" ({self.failed[name]})"
            parts.append(part)
        return "; ".join(parts) or "nothing to deliver"


@dataclass(frozen=True, slots=True)
class AlertStep:
    """The end-of-run step: the ids of the alerts raised, and the delivery pass."""

    raised: list[int]
    delivery: DeliveryReport


def channels_for(config: AlertsConfig, records: Tracking, out: TextIO) -> list[Channel]:
    """The configured channels, in delivery order."""
    channels: list[Channel] = []
    settings = config.channels
    if settings.feed is not None:
        channels.append(FeedChannel(settings.feed, lambda n: records.alerts(limit=n)))
    if settings.stdout is not None:
        channels.append(StdoutChannel(settings.stdout, out))
    if settings.email is not None:
        channels.append(EmailChannel(settings.email))
    if settings.webhook is not None:
        channels.append(WebhookChannel(settings.webhook))
    return channels


def raise_alerts(
    store: Store,
    records: Tracking,
    config: AlertsConfig,
    *,
    at: datetime,
    policy: AlertPolicy,
    sources: Iterable[tuple[str, str]] | None = None,
    new_job_ids: Collection[str] | None = None,
) -> list[int]:
    """Store every condition that holds and was not raised before; returns the new alert ids."""
    raised = []
    for alert in find_alerts(
        store, records, at=at, policy=policy, sources=sources, new_job_ids=new_job_ids
    ):
        alert_id = records.raise_alert(alert, at=at, channels=config.channel_names)
        if alert_id is not None:
            raised.append(alert_id)
    records.commit()
    return raised


def deliver(
    records: Tracking, config: AlertsConfig, *, at: datetime, out: TextIO | None = None
) -> DeliveryReport:
    """Send every pending alert through its channel; each outcome is committed as it comes."""
    report = DeliveryReport()
    for channel in channels_for(config, records, out or sys.stdout):
        for alert, error in channel.send(records.pending(channel.name)):
            if error is None:
                records.delivered(alert.id, channel.name, at=at)
                report.sent[channel.name] += 1
            else:
                records.delivery_failed(alert.id, channel.name, error)
                report.failed.setdefault(channel.name, error)
                report.still_pending[channel.name] += 1
            records.commit()
    return report


def run_alert_step(
    store: Store,
    records: Tracking,
    config: AlertsConfig,
    *,
    at: datetime,
    policy: AlertPolicy,
    sources: Iterable[tuple[str, str]] | None = None,
    new_job_ids: Collection[str] | None = None,
    out: TextIO | None = None,
) -> AlertStep:
    """Raise what holds now, then deliver everything pending (older failures included)."""
    raised = raise_alerts(
        store, records, config, at=at, policy=policy, sources=sources, new_job_ids=new_job_ids
    )
    return AlertStep(raised, deliver(records, config, at=at, out=out))
