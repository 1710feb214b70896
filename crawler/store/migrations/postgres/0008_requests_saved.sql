-- Detail requests a run did not send because the listing showed the job unchanged since its last
-- fetch: what incremental crawling saved, per source.
ALTER TABLE run_sources ADD COLUMN requests_saved INTEGER NOT NULL DEFAULT 0;
