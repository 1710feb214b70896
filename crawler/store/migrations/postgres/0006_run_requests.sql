-- What each source cost in a run: requests on the wire (every retry counted), how they ended
-- ({"200": 3, "429": 1, "TimeoutError": 1} as JSON), and when its listing finished.
ALTER TABLE run_sources ADD COLUMN requests integer NOT NULL DEFAULT 0;
ALTER TABLE run_sources ADD COLUMN statuses json NOT NULL DEFAULT '{}';
ALTER TABLE run_sources ADD COLUMN finished_at text COLLATE "C";
