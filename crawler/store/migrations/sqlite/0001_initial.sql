-- jobs: one row per posting per source, the current version. `record` holds the schema's content
-- fields as JSON; the columns beside it are copies kept for filtering and sorting.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    source_key   TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    url          TEXT NOT NULL,
    title        TEXT NOT NULL,
    company      TEXT,
    location_raw TEXT,
    remote       TEXT,
    date_posted  TEXT,
    valid_through TEXT,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    closed_at    TEXT,
    version      INTEGER NOT NULL,
    fingerprint  TEXT NOT NULL,
    record       TEXT NOT NULL
);
CREATE INDEX jobs_by_source ON jobs (source, source_key);
CREATE INDEX jobs_by_status ON jobs (status, last_seen);
CREATE INDEX jobs_by_company ON jobs (company COLLATE NOCASE);

-- job_versions: every distinct content of every job, oldest first; never rewritten.
CREATE TABLE job_versions (
    job_id         TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    seen_at        TEXT NOT NULL,
    run_id         INTEGER REFERENCES runs (id),
    fingerprint    TEXT NOT NULL,
    changed_fields TEXT NOT NULL,
    record         TEXT NOT NULL,
    PRIMARY KEY (job_id, version)
);

-- Full-text search over the current version; rowid follows jobs.rowid.
CREATE VIRTUAL TABLE jobs_fts USING fts5 (
    title, company, location_raw, description_text,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- runs: one row per crawl run; run_sources: what each source gave in it.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted'))
);

CREATE TABLE run_sources (
    run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    source_key TEXT NOT NULL,
    complete   INTEGER NOT NULL DEFAULT 0,
    pages      INTEGER NOT NULL DEFAULT 0,
    seen       INTEGER NOT NULL DEFAULT 0,
    new        INTEGER NOT NULL DEFAULT 0,
    updated    INTEGER NOT NULL DEFAULT 0,
    unchanged  INTEGER NOT NULL DEFAULT 0,
    dropped    INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    PRIMARY KEY (run_id, source, source_key)
);
