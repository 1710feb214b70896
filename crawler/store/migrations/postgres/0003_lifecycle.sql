-- Lifecycle: why and when a job closed or came back, how many complete listings in a row missed it,
-- and when it is expected to expire (stated by the source, or estimated from the source's history).
ALTER TABLE jobs ADD COLUMN close_reason text COLLATE "C"
    CHECK (close_reason IN ('absent_from_listing', 'detail_gone', 'expired'));
ALTER TABLE jobs ADD COLUMN reopened_at text COLLATE "C";
ALTER TABLE jobs ADD COLUMN missed_listings integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN expires_at text COLLATE "C";
ALTER TABLE jobs ADD COLUMN expires_at_estimated integer;
CREATE INDEX jobs_by_expiry ON jobs (status, expires_at);

ALTER TABLE run_sources ADD COLUMN closed integer NOT NULL DEFAULT 0;
ALTER TABLE run_sources ADD COLUMN reopened integer NOT NULL DEFAULT 0;
-- The listing parsed but held far fewer jobs than the last complete one: it closed nothing.
ALTER TABLE run_sources ADD COLUMN suspect integer NOT NULL DEFAULT 0;
