-- Alerts about a source whose listings fail (kind `source`): they name no job, so `job_id` may be
-- null.
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN (
    'expiring', 'closed', 'reopened', 'changed', 'reminder', 'watch', 'source'));
ALTER TABLE alerts ALTER COLUMN job_id DROP NOT NULL;
