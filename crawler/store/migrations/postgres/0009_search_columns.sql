-- The PostgreSQL twin of sqlite/0009_search_columns.sql: copies of the record's fields that the
-- search filters and sorts on, filled by the store on every write and back-filled here.
ALTER TABLE jobs ADD COLUMN seniority text COLLATE "C";
ALTER TABLE jobs ADD COLUMN salary_currency text COLLATE "C";
ALTER TABLE jobs ADD COLUMN salary_period text COLLATE "C";
ALTER TABLE jobs ADD COLUMN salary_top double precision;
ALTER TABLE jobs ADD COLUMN posted_on text COLLATE "C";
UPDATE jobs SET
    seniority = record ->> 'seniority',
    salary_currency = record #>> '{salary,currency}',
    salary_period = record #>> '{salary,period}',
    salary_top = coalesce((record #>> '{salary,max}')::float8, (record #>> '{salary,min}')::float8),
    posted_on = coalesce(date_posted, substr(first_seen, 1, 10));
-- Latest seen first, ties by id: the default order, read straight from the index; the id in it
-- also lets a filter on job_facets be checked without reading each job's row.
DROP INDEX jobs_by_status;
CREATE INDEX jobs_by_status ON jobs (status, last_seen, id);
CREATE INDEX jobs_by_seniority ON jobs (status, seniority, last_seen);
CREATE INDEX jobs_by_remote ON jobs (status, remote, last_seen);
CREATE INDEX jobs_by_salary ON jobs (status, salary_currency, salary_period, salary_top);
CREATE INDEX jobs_by_posted ON jobs (status, posted_on);

-- job_facets: the record's list fields a search filters on, one row per job and value (`country`,
-- `skill` in lower case, `employment_type`).
CREATE TABLE job_facets (
    job_id text COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    facet  text COLLATE "C" NOT NULL CHECK (facet IN ('country', 'skill', 'employment_type')),
    value  text COLLATE "C" NOT NULL,
    PRIMARY KEY (facet, value, job_id)
);
CREATE INDEX job_facets_by_job ON job_facets (job_id);
INSERT INTO job_facets (job_id, facet, value)
    SELECT DISTINCT jobs.id, 'country', place ->> 'country'
    FROM jobs, json_array_elements(CASE WHEN json_typeof(jobs.record -> 'locations') = 'array'
                                   THEN jobs.record -> 'locations' END) AS place
    WHERE json_typeof(place) = 'object' AND place ->> 'country' IS NOT NULL;
INSERT INTO job_facets (job_id, facet, value)
    SELECT DISTINCT jobs.id, 'skill', lower((skill ->> 'name') COLLATE "C")
    FROM jobs, json_array_elements(CASE WHEN json_typeof(jobs.record -> 'skills') = 'array'
                                   THEN jobs.record -> 'skills' END) AS skill
    WHERE json_typeof(skill) = 'object' AND skill ->> 'name' IS NOT NULL;
INSERT INTO job_facets (job_id, facet, value)
    SELECT DISTINCT jobs.id, 'employment_type', kind
    FROM jobs, json_array_elements_text(CASE WHEN json_typeof(jobs.record -> 'employment_type')
                                        = 'array' THEN jobs.record -> 'employment_type' END) AS kind;
