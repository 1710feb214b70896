"""
The alerts settings file: which delivery channels are on, and how each is reached.

```yaml
channels:
  feed: {path: alerts.json}
  stdout: {}
  email: {host: smtp.example.com, from: jobcrawl@example.com, to: [me@example.com]}
  webhook: {url: https://hooks.slack.com/services/...}
```

Every channel is optional; with none, alerts are only stored (`jobcrawl alerts` lists them). The file
holds no secrets: SMTP credentials come from environment variables it names. A mistake is reported
as `file: channels.email.port: problem`, naming the field.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.errors import ConfigError

ChannelName = Literal["feed", "stdout", "email", "webhook"]
CHANNEL_ORDER: tuple[ChannelName, ...] = ("feed", "stdout", "email", "webhook")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, populate_by_name=True)


class FeedConfig(_Strict):
    """A JSON Feed 1.1 file holding the latest alerts, rewritten whenever alerts are delivered."""

    path: Path
    """Where to write the feed; a relative path is relative to the settings file."""
    title: str = "jobcrawl alerts"
    """The feed's title in a feed reader."""
    max_items: int = Field(100, ge=1)
    """How many of the latest alerts the feed keeps."""


class StdoutConfig(_Strict):
    """Each alert printed on standard output as it is delivered."""

    format: Literal["text", "json"] = "text"
    """`text`: one readable line per alert; `json`: one JSON object per line."""


class EmailConfig(_Strict):
    """One email per alert, over SMTP."""

    host: str
    """The SMTP server."""
    port: int = Field(587, ge=1, le=65535)
    """587 for STARTTLS, 465 for SSL."""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    """`starttls` (upgrade the connection), `ssl` (TLS from the start) or `none` (a local relay;
    never with credentials)."""
    sender: str = Field(alias="from")
    """The From address."""
    to: list[str] = Field(min_length=1)
    """Recipients."""
    username_env: str = "JOBCRAWL_SMTP_USERNAME"
    """Environment variable holding the SMTP user name; when it is unset, no login is made."""
    password_env: str = "JOBCRAWL_SMTP_PASSWORD"  # noqa: S105 (a variable's name, not a password)
    """Environment variable holding the SMTP password."""
    ca_file: Path | None = None
    """A CA bundle to trust instead of the system's (a server with a private certificate)."""
    timeout: float = Field(30.0, gt=0)
    """Seconds to wait for the server."""
    subject_prefix: str = "[jobcrawl]"
    """Put before every subject."""

    @field_validator("sender")
    @classmethod
    def _sender_is_address(cls, value: str) -> str:
        return _address(value)

    @field_validator("to")
    @classmethod
    def _recipients_are_addresses(cls, value: list[str]) -> list[str]:
        return [_address(address) for address in value]


class WebhookConfig(_Strict):
    """One JSON POST per alert, with a Slack-compatible `text` field."""

    url: str
    """Where to POST; the URL may hold a secret token, so messages name only its host."""
    timeout: float = Field(10.0, gt=0)
    """Seconds to wait for the answer."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value


class ChannelsConfig(_Strict):
    """The delivery channels; each is off unless it is given."""

    feed: FeedConfig | None = None
    stdout: StdoutConfig | None = None
    email: EmailConfig | None = None
    webhook: WebhookConfig | None = None

    @field_validator("stdout", mode="before")
    @classmethod
    def _stdout_switch(cls, value: Any) -> Any:
        """`stdout: true` is `stdout: {}`; `stdout: false` turns it off."""
        if value is True:
            return {}
        return None if value is False else value


class AlertsConfig(_Strict):
    """The whole settings file."""

    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)

    @property
    def channel_names(self) -> list[ChannelName]:
        """The configured channels, in delivery order."""
        return [name for name in CHANNEL_ORDER if getattr(self.channels, name) is not None]


def _address(value: str) -> str:
    text = value.strip()
    if "@" not in text.strip("@") or any(char.isspace() for char in text):
        raise ValueError(f"{value!r} is not an email address")
    return text


def default_alerts_config_path() -> Path:
    """`$XDG_CONFIG_HOME/jobcrawl/alerts.yaml` (`~/.config` by default)."""
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "jobcrawl" / "alerts.yaml"


def load_alerts_config(path: str | Path | None = None) -> AlertsConfig:
    """
    The settings file at `path`, else `$JOBCRAWL_ALERTS_CONFIG`, else the default one.

    A file that was named and is missing is an error; a missing default file means no channels.
    Raises `ConfigError` naming the file and the field.
    """
    named = path or os.environ.get("JOBCRAWL_ALERTS_CONFIG")
    location = Path(named).expanduser() if named else default_alerts_config_path()
    if not named and not location.exists():
        return AlertsConfig()
    try:
        document = yaml.safe_load(location.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{location}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        raise ConfigError(
            f"{location}:{where} not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from exc
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(f"{location}: expected a mapping with `channels:`")
    try:
        config = AlertsConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(f"{location}: {_problems(exc)}") from exc
    feed = config.channels.feed
    if feed is not None:
        feed.path = (location.parent / feed.path.expanduser()).resolve()
    return config


def _problems(exc: ValidationError) -> str:
    """`channels.email.port: Input should be a valid integer; ...`, one part per problem."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "file"
        message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        parts.append(f"{where}: {message.removeprefix('Value error, ')}")
    return "; ".join(parts)
