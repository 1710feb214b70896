"""
The delivery channels: a JSON Feed file, standard output, email over SMTP and a webhook.

A channel takes the alerts waiting for it and says, alert by alert, whether each went out (None) or
why not (one line). The caller records that in the outbox as it goes, so an alert that went out is
never sent again and one that did not stays pending for the next try. Error lines never hold
credentials or a webhook's full URL (which may carry a token).
"""

from __future__ import annotations

import http.client
import json
import os
import smtplib
import ssl
import tempfile
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol, TextIO
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from crawler.alerts.config import EmailConfig, FeedConfig, StdoutConfig, WebhookConfig
from crawler.settings import USER_AGENT
from crawler.store.tracking import Alert

Outcome = tuple[Alert, str | None]

# Headers on one line (RFC 5322 allows 998 characters): Python's folding before an encoded word
# (a title with "·" or in Japanese) leaves a doubled space in the subject a mail client shows.
MAIL_POLICY = SMTP.clone(max_line_length=998)


class Channel(Protocol):
    """A way to deliver alerts; `name` is its key in the settings file and the outbox."""

    name: str

    def send(self, alerts: Sequence[Alert]) -> Iterator[Outcome]: ...


def alert_text(alert: Alert) -> str:
    """The alert as a few plain lines: headline and job, the reason, the posting's URL."""
    lines = [f"{alert.headline}: {alert.title}", alert.reason]
    if alert.url:
        lines.append(alert.url)
    return "\n".join(lines)


def alert_record(alert: Alert) -> dict[str, Any]:
    """The alert as JSON-ready values (stdout JSON, webhook payload, `jobcrawl alerts --json`)."""
    return {
        "id": alert.id,
        "kind": alert.kind,
        "job_id": alert.job_id,
        "title": alert.title,
        "headline": alert.headline,
        "reason": alert.reason,
        "url": alert.url,
        "raised_at": alert.raised_at,
        "read_at": alert.read_at,
        "condition": alert.condition_key,
        "deliveries": alert.deliveries,
    }


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class FeedChannel:
    """Rewrites a JSON Feed 1.1 file with the latest alerts; the file is replaced whole, atomically."""

    name = "feed"

    def __init__(self, config: FeedConfig, latest: Callable[[int], list[Alert]]) -> None:
        self.config = config
        self.latest = latest

    def send(self, alerts: Sequence[Alert]) -> Iterator[Outcome]:
        error = None
        try:
            self._write(self.latest(self.config.max_items))
        except OSError as exc:
            error = f"feed {self.config.path}: {exc.strerror or _line(exc)}"
        for alert in alerts:
            yield alert, error

    def _write(self, alerts: list[Alert]) -> None:
        document = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.config.title,
            "description": "Alerts about saved jobs, from jobcrawl.",
            "items": [feed_item(alert) for alert in alerts],
        }
        path = self.config.path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        )
        written = Path(handle.name)
        try:
            with handle:
                json.dump(document, handle, ensure_ascii=False, indent=1)
                handle.write("\n")
            written.replace(path)
        except BaseException:
            written.unlink(missing_ok=True)
            raise


def feed_item(alert: Alert) -> dict[str, Any]:
    """One JSON Feed item per alert; the condition key is its stable id."""
    item: dict[str, Any] = {
        "id": alert.condition_key,
        "title": f"{alert.headline}: {alert.title}",
        "content_text": alert.reason,
        "date_published": alert.raised_at,
        "tags": [alert.kind],
        "_jobcrawl": {"alert_id": alert.id, "job_id": alert.job_id, "kind": alert.kind},
    }
    if alert.url:
        item["url"] = alert.url
    return item


class StdoutChannel:
    """Prints each alert: a line of text, or a JSON object per line."""

    name = "stdout"

    def __init__(self, config: StdoutConfig, out: TextIO) -> None:
        self.config = config
        self.out = out

    def send(self, alerts: Sequence[Alert]) -> Iterator[Outcome]:
        for alert in alerts:
            if self.config.format == "json":
                text = json.dumps(alert_record(alert), ensure_ascii=False)
            else:
                url = f" {alert.url}" if alert.url else ""
                text = f"[{alert.kind}] {alert.headline}: {alert.title}: {alert.reason}{url}"
            try:
                self.out.write(text + "\n")
                self.out.flush()
            except OSError as exc:
                yield alert, f"stdout: {exc.strerror or _line(exc)}"
            else:
                yield alert, None


class EmailChannel:
    """One message per alert over one SMTP connection (STARTTLS or SSL, login from the environment)."""

    name = "email"

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self.where = f"email {config.host}:{config.port}"

    def send(self, alerts: Sequence[Alert]) -> Iterator[Outcome]:
        try:
            client = self._connect()
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            error = f"{self.where}: {_smtp_reason(exc)}"
            for alert in alerts:
                yield alert, error
            return
        try:
            for alert in alerts:
                try:
                    client.send_message(self.message(alert))
                except (smtplib.SMTPException, OSError) as exc:
                    yield alert, f"{self.where}: {_smtp_reason(exc)}"
                else:
                    yield alert, None
        finally:
            _quit(client)

    def _credentials(self) -> tuple[str, str] | None:
        username = os.environ.get(self.config.username_env)
        if not username:
            return None
        password = os.environ.get(self.config.password_env)
        if password is None:
            raise ValueError(
                f"${self.config.username_env} is set but ${self.config.password_env} is not"
            )
        return username, password

    def _tls(self) -> ssl.SSLContext:
        cafile = str(self.config.ca_file) if self.config.ca_file else None
        return ssl.create_default_context(cafile=cafile)

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        credentials = self._credentials()
        if credentials and config.security == "none":
            raise ValueError("refusing to send credentials without TLS (security: none)")
        client: smtplib.SMTP
        if config.security == "ssl":
            client = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=self._tls()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        try:
            if config.security == "starttls":
                client.starttls(context=self._tls())
            if credentials:
                client.login(*credentials)
        except BaseException:
            client.close()
            raise
        return client

    def message(self, alert: Alert) -> EmailMessage:
        config = self.config
        message = EmailMessage(policy=MAIL_POLICY)
        message["Subject"] = f"{config.subject_prefix} {alert.headline}: {alert.title}".strip()
        message["From"] = config.sender
        message["To"] = ", ".join(config.to)
        message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2])
        message["X-Jobcrawl-Alert"] = alert.condition_key
        body = f"{alert_text(alert)}\n\nMark it read: jobcrawl alerts ack {alert.id}\n"
        message.set_content(body)
        return message


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; a connection that is already gone is simply closed."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _smtp_reason(exc: BaseException) -> str:
    """An SMTP failure in one line: the server's code and text, or the exception's first line."""
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {(text.strip().splitlines() or [''])[0]}".strip()
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or _line(exc)}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return _line(exc)


class WebhookChannel:
    """POSTs `{"text": ..., "alert": {...}}` per alert; any 2xx answer counts as delivered."""

    name = "webhook"

    def __init__(self, config: WebhookConfig) -> None:
        self.config = config
        parts = urlsplit(config.url)
        self.where = f"webhook {parts.scheme}://{parts.netloc}"

    def send(self, alerts: Sequence[Alert]) -> Iterator[Outcome]:
        for alert in alerts:
            yield alert, self._post(alert)

    def _post(self, alert: Alert) -> str | None:
        payload = {"text": alert_text(alert), "alert": alert_record(alert)}
        request = urllib.request.Request(  # noqa: S310 (the settings file allows only http(s))
            self.config.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as answer:  # noqa: S310
                answer.read()
        except HTTPError as exc:
            exc.close()
            return f"{self.where}: HTTP {exc.code}"
        except (URLError, OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            return f"{self.where}: {_line(reason) if isinstance(reason, BaseException) else reason}"
        return None
