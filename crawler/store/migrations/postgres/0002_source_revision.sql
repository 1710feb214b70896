-- The listing's change marker of each job (e.g. SmartRecruiters' releasedDate), so a re-crawl can
-- skip the detail request of a job whose marker has not moved.
ALTER TABLE jobs ADD COLUMN source_revision text COLLATE "C";
