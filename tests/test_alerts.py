"""
Alerts: each condition raised once (and anew when it changes), the settings file, every channel
against real local servers (aiosmtpd with STARTTLS and a login, an HTTP receiver), the outbox's
retries, and the `jobcrawl alerts` commands.
"""

from __future__ import annotations

import email
import email.policy
import io
import ipaddress
import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from crawler.alerts import AlertPolicy, AlertsConfig, deliver, load_alerts_config, raise_alerts
from crawler.alerts.config import StdoutConfig
from crawler.cli import alerts as alerts_cli
from crawler.cli import app
from crawler.errors import ConfigError
from crawler.items import Salary
from crawler.store import SQLiteStore
from crawler.store.tracking import TrackingStore
from crawler.tracking import Tracker
from tests.conftest import NOW
from tests.test_tracking import job_id, later, posting

DATA = Path(__file__).parent / "data" / "alerts"
TODAY = NOW.date()
SMTP_USER = "alerts@example.org"
SMTP_PASSWORD = "correct horse battery staple"
runner = CliRunner(env={"COLUMNS": "200"})


# -- local servers --------------------------------------------------------------------------------


def free_port() -> int:
    """aiosmtpd cannot listen on port 0, so take a free port first (ECOSYSTEM-NOTES §5)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, valid from yesterday to tomorrow, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@dataclass
class Received:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    login: bytes | None


class SmtpServer:
    """aiosmtpd on 127.0.0.1 that demands STARTTLS and a login, and keeps every message."""

    def __init__(self, folder: Path) -> None:
        self.cert, key = self_signed_certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.port = free_port()
        self.received: list[Received] = []
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            authenticator=self.authenticate,
            auth_required=True,
            auth_require_tls=True,
            auth_exclude_mechanism=["LOGIN"],
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    @staticmethod
    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == SMTP_USER.encode()
            and data.password == SMTP_PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                envelope.mail_from,
                envelope.rcpt_tos,
                message,
                session.ssl is not None,
                session.auth_data,
            )
        )
        return "250 OK"

    def channel(self, **extra: Any) -> dict[str, Any]:
        """The `email` entry of a settings file for this server."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "from": "jobcrawl@example.org",
            "to": ["me@example.org"],
            "ca_file": str(self.cert),
            "timeout": 5,
            **extra,
        }


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that keeps every POSTed JSON body; `fail` answers come first."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.fail: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.paths.append(self.path)
                status = receiver.fail.pop(0) if receiver.fail else 200
                if status == 200:
                    receiver.bodies.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                """Quiet: the test asserts on what arrived."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/T000/secret-token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def smtp_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    monkeypatch.setenv("JOBCRAWL_SMTP_USERNAME", SMTP_USER)
    monkeypatch.setenv("JOBCRAWL_SMTP_PASSWORD", SMTP_PASSWORD)
    with SmtpServer(tmp_path) as server:
        yield server


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def write_config(folder: Path, channels: dict[str, Any]) -> Path:
    path = folder / "alerts.yaml"
    path.write_text(yaml.safe_dump({"channels": channels}), encoding="utf-8")
    return path


# -- conditions -----------------------------------------------------------------------------------


@pytest.fixture
def records(store: SQLiteStore) -> TrackingStore:
    return TrackingStore(store)


def check(store: SQLiteStore, at: datetime, days: int = 3) -> list[tuple[str, str, str, str]]:
    """The alerts one check at `at` raises: (kind, job id, headline, reason)."""
    records = TrackingStore(store)
    ids = raise_alerts(store, records, AlertsConfig(), at=at, policy=AlertPolicy(expiry_days=days))
    raised = {alert.id: alert for alert in records.alerts()}
    return [(raised[i].kind, raised[i].job_id, raised[i].headline, raised[i].reason) for i in ids]


def test_a_deadline_within_days_is_raised_once_and_again_when_it_moves(
    store: SQLiteStore,
) -> None:
    store.upsert_posting(posting("1", valid_through=date(2026, 11, 26)), seen_at=NOW)
    Tracker(store).save(job_id("1"), at=later(1))
    assert check(store, later(2)) == [
        (
            "expiring",
            job_id("1"),
            "Closes in 2 days",
            "Application deadline 2026-11-26, as the posting states it.",
        )
    ]
    assert check(store, later(3)) == []
    assert check(store, later(24)) == []  # a day later it is the same deadline
    store.upsert_posting(posting("1", valid_through=date(2026, 11, 27)), seen_at=later(24))
    assert check(store, later(25)) == [
        (
            "expiring",
            job_id("1"),
            "Closes in 2 days",
            "Application deadline 2026-11-27, as the posting states it.",
        )
    ]  # a moved deadline is a new condition; the change of valid_through alone is no "changed"


def test_expiry_window_estimates_and_applications_under_way(store: SQLiteStore) -> None:
    store.upsert_posting(posting("1", valid_through=date(2026, 11, 28)), seen_at=NOW)
    store.upsert_posting(posting("2", date_posted=date(2026, 10, 26)), seen_at=NOW)
    store.upsert_posting(posting("3", date_posted=date(2026, 8, 1)), seen_at=NOW)
    store.upsert_posting(posting("4", valid_through=date(2026, 11, 25)), seen_at=NOW)
    store.estimate_expiry("greenhouse", "acme", days=30)  # 2: 25 November; 3: long past
    tracker = Tracker(store)
    for number in "123":
        tracker.save(job_id(number), at=later(1))
    tracker.track(job_id("4"), "applied", at=later(1))  # applied: its deadline matters no more
    assert check(store, later(2)) == [
        (
            "expiring",
            job_id("2"),
            "Closes tomorrow",
            "Expected to close on 2026-11-25: jobcrawl's estimate from how long this source's"
            " jobs stay open (the posting states no deadline).",
        )
    ]
    assert [
        (kind, the_id, headline) for kind, the_id, headline, _ in check(store, later(2), 4)
    ] == [("expiring", job_id("1"), "Closes in 4 days")]


def test_closed_reopened_and_closed_again(store: SQLiteStore) -> None:
    store.upsert_posting(posting("1"), seen_at=NOW)
    store.upsert_posting(posting("2"), seen_at=NOW)
    store.close_job(job_id("2"), at=NOW, reason="absent_from_listing")  # closed before saving
    tracker = Tracker(store)
    tracker.save(job_id("1"), at=later(1))
    tracker.save(job_id("2"), at=later(1))
    assert check(store, later(2)) == []
    store.close_job(job_id("1"), at=later(24), reason="absent_from_listing")
    closed = (
        "closed",
        job_id("1"),
        "Closed",
        "Closed on 2026-11-25: it is no longer in its source's listing.",
    )
    assert check(store, later(24)) == [closed]
    assert check(store, later(25)) == []
    store.upsert_posting(posting("1"), seen_at=later(48))
    assert check(store, later(48)) == [
        ("reopened", job_id("1"), "Reopened", "Back in its source's listing on 2026-11-26.")
    ]
    store.close_job(job_id("1"), at=later(72), reason="detail_gone")
    assert check(store, later(72)) == [
        ("closed", job_id("1"), "Closed", "Closed on 2026-11-27: its own page says it is gone.")
    ]


def test_changes_after_saving_name_old_and_new_values(store: SQLiteStore) -> None:
    usd = {"currency": "USD", "period": "YEAR"}
    store.upsert_posting(posting("1", title="Engineer"), seen_at=NOW)
    store.upsert_posting(
        posting("1", title="Engineer", salary=Salary(min=100000, max=120000, **usd)),
        seen_at=later(1),
    )  # changed before saving: not alerted
    Tracker(store).save(job_id("1"), at=later(2))
    store.upsert_posting(
        posting("1", title="Senior Engineer", salary=Salary(min=110000, max=130000, **usd)),
        seen_at=later(24),
    )
    assert check(store, later(24)) == [
        (
            "changed",
            job_id("1"),
            "Title and salary changed",
            "title: Engineer → Senior Engineer;"
            " salary: USD 100,000–120,000/year → USD 110,000–130,000/year.",
        )
    ]
    store.upsert_posting(
        posting(
            "1",
            title="Senior Engineer",
            salary=Salary(min=110000, max=130000, **usd),
            description_text="Now remote.",
            remote="remote",
        ),
        seen_at=later(48),
    )
    assert check(store, later(48)) == [
        (
            "changed",
            job_id("1"),
            "Workplace and description changed",
            "workplace: not given → remote; description: rewritten.",
        )
    ]
    assert check(store, later(49)) == []


def test_reminders_alert_once_when_due(store: SQLiteStore) -> None:
    store.upsert_posting(posting("1"), seen_at=NOW)
    tracker = Tracker(store)
    tracker.remind(job_id("1"), date(2026, 11, 26), at=later(1), note="call Dana")
    tracker.remind(job_id("1"), date(2026, 11, 30), at=later(1), note=None)
    assert check(store, later(2)) == []
    reminder = ("reminder", job_id("1"), "Reminder", "Follow-up due 2026-11-26: call Dana.")
    assert check(store, later(48)) == [reminder]
    assert check(store, later(72)) == []
    assert check(store, later(6 * 24)) == [
        ("reminder", job_id("1"), "Reminder", "Follow-up due 2026-11-30 (set on 2026-11-24).")
    ]


def test_a_watch_alerts_each_new_matching_posting_once(store: SQLiteStore) -> None:
    store.upsert_posting(posting("1", title="Python Developer"), seen_at=NOW)
    Tracker(store).add_watch("python", at=later(1), query="python")
    store.upsert_posting(posting("2", title="Python Developer"), seen_at=later(24))
    store.upsert_posting(posting("3", title="Rust Developer"), seen_at=later(24))
    assert check(store, later(24)) == [
        (
            "watch",
            job_id("2"),
            "New match for 'python'",
            "A new posting matches your watch 'python' (query python).",
        )
    ]
    assert check(store, later(48)) == []


def test_ended_applications_raise_nothing_and_unsaving_keeps_alerts(store: SQLiteStore) -> None:
    store.upsert_posting(posting("1", valid_through=date(2026, 11, 25)), seen_at=NOW)
    store.upsert_posting(posting("2", valid_through=date(2026, 11, 25)), seen_at=NOW)
    tracker = Tracker(store)
    tracker.track(job_id("1"), "withdrawn", at=later(1))
    tracker.save(job_id("2"), at=later(1))
    store.close_job(job_id("1"), at=later(2), reason="absent_from_listing")
    assert [alert[:2] for alert in check(store, later(3))] == [("expiring", job_id("2"))]
    tracker.unsave(job_id("2"))
    assert [alert.job_id for alert in tracker.records.alerts()] == [job_id("2")]


# -- the settings file ----------------------------------------------------------------------------


def test_the_sample_settings_file_loads() -> None:
    config = load_alerts_config(DATA / "alerts.yaml")
    assert config.channel_names == ["feed", "stdout", "email", "webhook"]
    channels = config.channels
    assert channels.feed is not None
    assert channels.feed.path == (DATA / "feeds" / "alerts.json").resolve()
    assert channels.email is not None
    assert (channels.email.sender, channels.email.to) == (
        "jobcrawl@example.com",
        ["me@example.com", "partner@example.com"],
    )
    assert channels.webhook is not None
    assert channels.webhook.timeout == 5


def test_the_documented_settings_file_is_the_sample() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "alerts.md").read_text(encoding="utf-8")
    [block] = [part.split("```")[0] for part in doc.split("```yaml\n")[1:]]
    sample = (DATA / "alerts.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(block) == yaml.safe_load(sample)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("channels:\n  email: {host: h, port: abc, from: a@b.c, to: [d@e.f]}\n",
         "channels.email.port: Input should be a valid integer, unable to parse string as an integer"),
        ("channels:\n  email: {host: h, from: me, to: [d@e.f]}\n",
         "channels.email.from: 'me' is not an email address"),
        ("channels:\n  email: {host: h, from: a@b.c, to: []}\n",
         "channels.email.to: List should have at least 1 item after validation, not 0"),
        ("channels:\n  webhook: {url: ftp://example.com/x}\n",
         "channels.webhook.url: expected an http:// or https:// URL"),
        ("channels:\n  sms: {to: '+4912345'}\n", "channels.sms: unknown field"),
        ("channels:\n  feed: {}\n", "channels.feed.path: Field required"),
        ("channels: [feed]\n", "channels: Input should be a valid dictionary or instance of ChannelsConfig"),
        ("- feed\n", "expected a mapping with `channels:`"),
        ("channels:\n  feed: {path: [\n", "line 3: not valid YAML"),
    ],
)  # fmt: skip
def test_settings_errors_name_the_field(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_alerts_config(path)
    assert str(raised.value).startswith(f"{path}:")
    assert problem in str(raised.value)


def test_where_the_settings_file_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOBCRAWL_ALERTS_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_alerts_config().channel_names == []  # no file: alerts are only stored
    with pytest.raises(ConfigError, match=r"missing\.yaml: cannot read: No such file"):
        load_alerts_config(tmp_path / "missing.yaml")
    (tmp_path / "jobcrawl").mkdir()
    write_config(tmp_path / "jobcrawl", {"stdout": True})
    assert load_alerts_config().channels.stdout == StdoutConfig()
    named = write_config(tmp_path, {"stdout": False, "webhook": {"url": "http://127.0.0.1:9/"}})
    monkeypatch.setenv("JOBCRAWL_ALERTS_CONFIG", str(named))
    assert load_alerts_config().channel_names == ["webhook"]


# -- delivery -------------------------------------------------------------------------------------


@pytest.fixture
def two_alerts(store: SQLiteStore) -> Tracker:
    """A saved job closing in two days and a reminder due today: two alerts at `later(2)`."""
    store.upsert_posting(
        posting("1", title="Backend Engineer", valid_through=date(2026, 11, 26)), seen_at=NOW
    )
    tracker = Tracker(store)
    tracker.save(job_id("1"), at=later(1))
    tracker.remind(job_id("1"), TODAY, at=later(1), note="ask about the team")
    return tracker


def raise_and_deliver(
    store: SQLiteStore, config: AlertsConfig, at: datetime, out: io.StringIO | None = None
) -> tuple[list[int], Any]:
    records = TrackingStore(store)
    raised = raise_alerts(store, records, config, at=at, policy=AlertPolicy())
    return raised, deliver(records, config, at=at, out=out)


def test_feed_and_stdout_channels(two_alerts: Tracker, store: SQLiteStore, tmp_path: Path) -> None:
    config = load_alerts_config(
        write_config(tmp_path, {"feed": {"path": "out/alerts.json"}, "stdout": {}})
    )
    printed = io.StringIO()
    raised, report = raise_and_deliver(store, config, later(2), printed)
    assert raised == [1, 2]
    assert report.summary() == "feed 2 sent; stdout 2 sent"
    assert printed.getvalue().splitlines() == [
        "[expiring] Closes in 2 days: Backend Engineer · Acme: Application deadline 2026-11-26,"
        " as the posting states it. https://example.com/jobs/1",
        "[reminder] Reminder: Backend Engineer · Acme: Follow-up due 2026-11-24: ask about the"
        " team. https://example.com/jobs/1",
    ]
    feed = json.loads((tmp_path / "out" / "alerts.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "jobcrawl alerts"
    assert feed["items"][1] == {
        "id": "expiring:greenhouse:acme:1:2026-11-26:stated",
        "title": "Closes in 2 days: Backend Engineer · Acme",
        "content_text": "Application deadline 2026-11-26, as the posting states it.",
        "date_published": "2026-11-24T14:00:00Z",
        "tags": ["expiring"],
        "url": "https://example.com/jobs/1",
        "_jobcrawl": {"alert_id": 1, "job_id": "greenhouse:acme:1", "kind": "expiring"},
    }
    assert [item["tags"] for item in feed["items"]] == [["reminder"], ["expiring"]]
    printed.truncate(0)
    assert raise_and_deliver(store, config, later(3), printed)[0] == []
    assert printed.getvalue() == ""


def test_a_feed_that_cannot_be_written_stays_pending(
    two_alerts: Tracker, store: SQLiteStore, tmp_path: Path
) -> None:
    (tmp_path / "alerts.json").mkdir()
    config = load_alerts_config(write_config(tmp_path, {"feed": {"path": "alerts.json"}}))
    _, report = raise_and_deliver(store, config, later(2))
    assert report.failed == {"feed": f"feed {tmp_path / 'alerts.json'}: Is a directory"}
    assert report.still_pending["feed"] == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".alerts.json")]  # no temp left
    (tmp_path / "alerts.json").rmdir()
    assert deliver(TrackingStore(store), config, at=later(3)).summary() == "feed 2 sent"
    assert len(json.loads((tmp_path / "alerts.json").read_text())["items"]) == 2


def test_stdout_json_lines(two_alerts: Tracker, store: SQLiteStore) -> None:
    config = AlertsConfig.model_validate({"channels": {"stdout": {"format": "json"}}})
    printed = io.StringIO()
    raise_and_deliver(store, config, later(2), printed)
    first = json.loads(printed.getvalue().splitlines()[0])
    assert first["condition"] == "expiring:greenhouse:acme:1:2026-11-26:stated"
    assert first["deliveries"] == {"stdout": "pending"}  # as it stood when it was sent


def test_webhook_failure_stays_in_the_outbox_and_goes_once_next_time(
    two_alerts: Tracker, store: SQLiteStore, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    config = load_alerts_config(write_config(tmp_path, {"webhook": {"url": webhook.url}}))
    webhook.fail = [500]
    _, report = raise_and_deliver(store, config, later(2))
    host = webhook.url.split("/hooks")[0]
    assert report.summary() == f"webhook 1 sent, 1 pending (webhook {host}: HTTP 500)"
    assert "secret-token" not in report.summary()
    assert [body["alert"]["kind"] for body in webhook.bodies] == ["reminder"]
    assert webhook.bodies[0]["text"] == (
        "Reminder: Backend Engineer · Acme\nFollow-up due 2026-11-24: ask about the team.\n"
        "https://example.com/jobs/1"
    )
    [pending] = TrackingStore(store).pending("webhook")
    assert pending.kind == "expiring"
    _, report = raise_and_deliver(store, config, later(3))
    assert report.summary() == "webhook 1 sent"
    assert [body["alert"]["kind"] for body in webhook.bodies] == ["reminder", "expiring"]
    _, report = raise_and_deliver(store, config, later(4))
    assert report.summary() == "nothing to deliver"
    assert len(webhook.paths) == 3  # two deliveries and the failed try, nothing more


def test_unreachable_webhook_is_one_line(two_alerts: Tracker, store: SQLiteStore) -> None:
    port = free_port()
    config = AlertsConfig.model_validate(
        {"channels": {"webhook": {"url": f"http://127.0.0.1:{port}/hook"}}}
    )
    _, report = raise_and_deliver(store, config, later(2))
    assert report.still_pending["webhook"] == 2
    assert report.failed["webhook"].startswith(f"webhook http://127.0.0.1:{port}: ")
    assert "Connection refused" in report.failed["webhook"]


def test_email_over_starttls_with_a_login_from_the_environment(
    two_alerts: Tracker,
    store: SQLiteStore,
    tmp_path: Path,
    smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = load_alerts_config(write_config(tmp_path, {"email": smtp_server.channel()}))
    _, report = raise_and_deliver(store, config, later(2))
    assert report.summary() == "email 2 sent"
    assert [(r.tls, r.login, r.rcpt_tos) for r in smtp_server.received] == [
        (True, SMTP_USER.encode(), ["me@example.org"])
    ] * 2
    message = smtp_server.received[0].message
    assert message["Subject"] == "[jobcrawl] Closes in 2 days: Backend Engineer · Acme"
    assert message["From"] == "jobcrawl@example.org"
    assert message["X-Jobcrawl-Alert"] == "expiring:greenhouse:acme:1:2026-11-26:stated"
    assert message.get_content().replace("\r\n", "\n") == (
        "Closes in 2 days: Backend Engineer · Acme\n"
        "Application deadline 2026-11-26, as the posting states it.\n"
        "https://example.com/jobs/1\n\n"
        "Mark it read: jobcrawl alerts ack 1\n"
    )
    assert SMTP_PASSWORD not in caplog.text
    assert raise_and_deliver(store, config, later(3))[1].summary() == "nothing to deliver"
    assert len(smtp_server.received) == 2


def test_email_failures_keep_alerts_pending_and_never_show_the_password(
    two_alerts: Tracker,
    store: SQLiteStore,
    tmp_path: Path,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_alerts_config(write_config(tmp_path, {"email": smtp_server.channel()}))
    where = f"email 127.0.0.1:{smtp_server.port}"
    monkeypatch.setenv("JOBCRAWL_SMTP_PASSWORD", "wrong password")
    _, report = raise_and_deliver(store, config, later(2))
    assert report.failed == {"email": f"{where}: 535 5.7.8 Authentication credentials invalid"}
    monkeypatch.delenv("JOBCRAWL_SMTP_PASSWORD")
    report = deliver(TrackingStore(store), config, at=later(3))
    assert report.failed == {
        "email": f"{where}: $JOBCRAWL_SMTP_USERNAME is set but $JOBCRAWL_SMTP_PASSWORD is not"
    }
    untrusted = config.model_copy(deep=True)
    assert untrusted.channels.email is not None
    untrusted.channels.email.ca_file = None
    monkeypatch.setenv("JOBCRAWL_SMTP_PASSWORD", SMTP_PASSWORD)
    report = deliver(TrackingStore(store), untrusted, at=later(4))
    assert report.failed["email"].startswith(f"{where}: TLS: CERTIFICATE_VERIFY_FAILED")
    outbox = store.connection.execute("SELECT attempts, last_error FROM deliveries").fetchall()
    assert [row[0] for row in outbox] == [3, 3]
    assert not any("wrong password" in row[1] for row in outbox)
    assert smtp_server.received == []
    assert deliver(TrackingStore(store), config, at=later(5)).summary() == "email 2 sent"


def test_email_refuses_credentials_without_tls(
    two_alerts: Tracker, store: SQLiteStore, smtp_server: SmtpServer
) -> None:
    config = AlertsConfig.model_validate(
        {"channels": {"email": smtp_server.channel(security="none")}}
    )
    _, report = raise_and_deliver(store, config, later(2))
    assert report.failed["email"].endswith(
        ": refusing to send credentials without TLS (security: none)"
    )


# -- the commands ---------------------------------------------------------------------------------


@pytest.fixture
def cli(two_alerts: Tracker, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(alerts_cli, "current_time", lambda: later(2))
    monkeypatch.delenv("JOBCRAWL_ALERTS_CONFIG", raising=False)
    return db_path


def invoke(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def test_alerts_send_list_ack(cli: Path, tmp_path: Path, webhook: WebhookReceiver) -> None:
    config = write_config(tmp_path, {"webhook": {"url": webhook.url}, "stdout": {}})
    code, output, error = invoke(cli, "alerts", "send", "--config", str(config))
    assert code == 0, error
    assert error == "2 alerts raised; stdout 2 sent; webhook 2 sent\n"
    assert output.startswith("[expiring] Closes in 2 days: Backend Engineer · Acme")
    assert len(webhook.bodies) == 2
    code, output, _ = invoke(cli, "alerts")
    assert "Closes in 2 days" in output
    assert "webhook sent" in output
    assert output.rstrip().endswith("2 alerts, 2 new")
    assert invoke(cli, "alerts", "ack", "1")[:2] == (0, "1 alert marked read\n")
    code, output, _ = invoke(cli, "alerts", "--unread", "--json")
    assert [json.loads(line)["kind"] for line in output.splitlines()] == ["reminder"]
    code, output, _ = invoke(cli, "alerts", "--json", "--since", "2026-11-25")
    assert output == ""
    code, output, _ = invoke(cli, "alerts", "--json", "--since", "1d")
    assert len(output.splitlines()) == 2
    code, _, error = invoke(cli, "alerts", "ack", "2", "7")
    assert (code, error) == (1, "jobcrawl: error: no alert with id 7\n")
    assert invoke(cli, "alerts", "ack", "--all")[1] == "0 alerts marked read\n"
    code, output, error = invoke(cli, "alerts", "send", "--config", str(config))
    assert (code, output, error) == (0, "", "0 alerts raised; nothing to deliver\n")


def test_alerts_send_exits_1_while_a_delivery_fails(
    cli: Path, tmp_path: Path, webhook: WebhookReceiver
) -> None:
    config = write_config(tmp_path, {"webhook": {"url": webhook.url}})
    webhook.fail = [503, 503]
    code, _, error = invoke(cli, "alerts", "send", "--config", str(config))
    host = webhook.url.split("/hooks")[0]
    assert (code, error) == (
        1,
        f"2 alerts raised; webhook 0 sent, 2 pending (webhook {host}: HTTP 503)\n",
    )
    code, _, error = invoke(cli, "alerts", "send", "--config", str(config))
    assert (code, error) == (0, "0 alerts raised; webhook 2 sent\n")


def test_alerts_command_errors(cli: Path, tmp_path: Path) -> None:
    code, _, error = invoke(cli, "alerts", "send", "--config", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert error.startswith("jobcrawl: error: ")
    assert "nope.yaml: cannot read" in error
    code, _, error = invoke(cli, "alerts", "--since", "last week")
    assert (code, error) == (
        2,
        "jobcrawl: error: --since last week: expected a date (2026-11-20), a time or a span (7d)\n",
    )
    assert invoke(cli, "alerts", "ack")[2] == "jobcrawl: error: give alert ids, or --all\n"
    assert invoke(cli, "alerts")[1] == "No alerts.\n"
