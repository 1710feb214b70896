-- Tracking: the jobs a user saved, where each application stands, their notes and reminders, saved
-- searches, and the alerts raised about them with one outbox row per alert and delivery channel.
-- Timestamps are UTC ISO text with a `Z` suffix; days are ISO dates, so text order is time order.

-- saved_jobs: one row per saved job; `status` is the application's current step.
CREATE TABLE saved_jobs (
    job_id    TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    saved_at  TEXT NOT NULL,
    status    TEXT NOT NULL DEFAULT 'saved' CHECK (status IN (
                  'saved', 'applied', 'interviewing', 'offer', 'accepted',
                  'rejected', 'withdrawn', 'closed')),
    status_on TEXT NOT NULL
);

-- status_history: every step of the application, in the order it was recorded.
CREATE TABLE status_history (
    id          INTEGER PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES saved_jobs (job_id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    note        TEXT
);
CREATE INDEX status_history_by_job ON status_history (job_id, id);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    job_id     TEXT NOT NULL REFERENCES saved_jobs (job_id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    text       TEXT NOT NULL
);
CREATE INDEX notes_by_job ON notes (job_id, id);

-- Reminder and watch ids name alert conditions (`reminder:<id>`), so they are never reused.
CREATE TABLE reminders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id     TEXT NOT NULL REFERENCES saved_jobs (job_id) ON DELETE CASCADE,
    due_on     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX reminders_by_due ON reminders (due_on);

-- watches: saved searches; a posting first seen after `created_at` that matches raises an alert.
CREATE TABLE watches (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    query      TEXT,
    company    TEXT,
    location   TEXT,
    remote     TEXT CHECK (remote IN ('remote', 'hybrid', 'onsite')),
    min_salary REAL,
    created_at TEXT NOT NULL
);

-- alerts: one row per condition ever met. `condition_key` names the condition and its value
-- (`expiring:<job>:<day>:stated`), so a condition is raised once and a changed one raises anew.
-- Alerts outlive an unsaved job: they are what was said.
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    condition_key TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN (
                      'expiring', 'closed', 'reopened', 'changed', 'reminder', 'watch')),
    job_id        TEXT NOT NULL,
    title         TEXT NOT NULL,
    headline      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    url           TEXT,
    raised_at     TEXT NOT NULL,
    read_at       TEXT
);
CREATE INDEX alerts_by_time ON alerts (raised_at);

-- deliveries: the outbox. A row per alert and channel configured when the alert was raised; it
-- stays `pending` (with the last error) until the channel accepts it, then `sent` for good.
CREATE TABLE deliveries (
    alert_id   INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    channel    TEXT NOT NULL CHECK (channel IN ('feed', 'stdout', 'email', 'webhook')),
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at    TEXT,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX deliveries_pending ON deliveries (channel, state);
