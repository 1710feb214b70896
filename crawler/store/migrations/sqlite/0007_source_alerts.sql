-- Alerts about a source whose listings fail (kind `source`): they name no job, so `job_id` may be
-- null. SQLite cannot alter a CHECK or NOT NULL in place, so both tables are rebuilt: the outbox
-- first points at the new alerts table, then the old tables go (the outbox before the alerts, so
-- dropping the alerts deletes nothing it still needs), then the new ones take the old names.
CREATE TABLE alerts_new (
    id            INTEGER PRIMARY KEY,
    condition_key TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN (
                      'expiring', 'closed', 'reopened', 'changed', 'reminder', 'watch', 'source')),
    job_id        TEXT,
    title         TEXT NOT NULL,
    headline      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    url           TEXT,
    raised_at     TEXT NOT NULL,
    read_at       TEXT
);
INSERT INTO alerts_new SELECT id, condition_key, kind, job_id, title, headline, reason, url,
                              raised_at, read_at FROM alerts;

CREATE TABLE deliveries_new (
    alert_id   INTEGER NOT NULL REFERENCES alerts_new (id) ON DELETE CASCADE,
    channel    TEXT NOT NULL CHECK (channel IN ('feed', 'stdout', 'email', 'webhook')),
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at    TEXT,
    PRIMARY KEY (alert_id, channel)
);
INSERT INTO deliveries_new SELECT alert_id, channel, state, attempts, last_error, sent_at
                           FROM deliveries;

DROP TABLE deliveries;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX alerts_by_time ON alerts (raised_at);
CREATE INDEX deliveries_pending ON deliveries (channel, state);
