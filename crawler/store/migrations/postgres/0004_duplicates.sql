-- Duplicates: a repost inside one source points at its predecessor; across sources every job of a
-- cluster points at the cluster's canonical record (null on the canonical record itself).
ALTER TABLE jobs ADD COLUMN repost_of text COLLATE "C";
ALTER TABLE jobs ADD COLUMN duplicate_of text COLLATE "C";
ALTER TABLE jobs ADD COLUMN cluster_id text COLLATE "C";
CREATE INDEX jobs_by_cluster ON jobs (cluster_id);
