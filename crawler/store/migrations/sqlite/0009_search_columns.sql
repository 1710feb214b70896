-- Search: copies of the record's fields that the search filters and sorts on, so that a filter reads
-- an index instead of every job's JSON record. The store fills them on every write; this back-fills
-- the jobs stored before.
--   seniority, salary_currency, salary_period: as in the record;
--   salary_top: the salary's top (its `max`, else its only figure `min`), what a minimum compares to;
--   posted_on: the day the job was posted, or when it states none the day it was first seen.
ALTER TABLE jobs ADD COLUMN seniority TEXT;
ALTER TABLE jobs ADD COLUMN salary_currency TEXT;
ALTER TABLE jobs ADD COLUMN salary_period TEXT;
ALTER TABLE jobs ADD COLUMN salary_top REAL;
ALTER TABLE jobs ADD COLUMN posted_on TEXT;
UPDATE jobs SET
    seniority = record ->> '$.seniority',
    salary_currency = record ->> '$.salary.currency',
    salary_period = record ->> '$.salary.period',
    salary_top = coalesce(record ->> '$.salary.max', record ->> '$.salary.min'),
    posted_on = coalesce(date_posted, substr(first_seen, 1, 10));
-- Latest seen first, ties by id: the default order, read straight from the index; the id in it
-- also lets a filter on job_facets be checked without reading each job's row.
DROP INDEX jobs_by_status;
CREATE INDEX jobs_by_status ON jobs (status, last_seen, id);
CREATE INDEX jobs_by_seniority ON jobs (status, seniority, last_seen);
CREATE INDEX jobs_by_remote ON jobs (status, remote, last_seen);
CREATE INDEX jobs_by_salary ON jobs (status, salary_currency, salary_period, salary_top);
CREATE INDEX jobs_by_posted ON jobs (status, posted_on);

-- job_facets: the record's list fields a search filters on, one row per job and value: `country`
-- (of each location), `skill` (each key skill's name, ASCII letters in lower case) and
-- `employment_type`.
CREATE TABLE job_facets (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    facet  TEXT NOT NULL CHECK (facet IN ('country', 'skill', 'employment_type')),
    value  TEXT NOT NULL,
    PRIMARY KEY (facet, value, job_id)
) WITHOUT ROWID;
CREATE INDEX job_facets_by_job ON job_facets (job_id);
INSERT OR IGNORE INTO job_facets (job_id, facet, value)
    SELECT jobs.id, 'country', place.value ->> '$.country'
    FROM jobs, json_each(jobs.record, '$.locations') AS place
    WHERE place.type = 'object' AND place.value ->> '$.country' IS NOT NULL;
INSERT OR IGNORE INTO job_facets (job_id, facet, value)
    SELECT jobs.id, 'skill', lower(skill.value ->> '$.name')
    FROM jobs, json_each(jobs.record, '$.skills') AS skill
    WHERE skill.type = 'object' AND skill.value ->> '$.name' IS NOT NULL;
INSERT OR IGNORE INTO job_facets (job_id, facet, value)
    SELECT jobs.id, 'employment_type', kind.value
    FROM jobs, json_each(jobs.record, '$.employment_type') AS kind
    WHERE kind.type = 'text';
