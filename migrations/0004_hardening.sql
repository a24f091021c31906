-- Hardening: sessions that end on a password change or reset.

-- Raised by every password change or reset; access tokens carry the epoch they were issued under
-- and stop working when it is no longer the user's.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
-- The session (refresh-token family) that changed its own password and so stays signed in.
ALTER TABLE users ADD COLUMN kept_session TEXT;

-- Cohort enrolment: a student joins a cohort with its code (admins and the cohort's instructors
-- see and rotate it); instructors cannot add members themselves. Cohorts made before this have no
-- code until one is rotated in.
ALTER TABLE cohorts ADD COLUMN enrolment_code TEXT;
CREATE UNIQUE INDEX cohorts_enrolment_code ON cohorts (enrolment_code);

-- The Unicode TR39 skeleton of each username, so a look-alike of an existing name is found with
-- one indexed look-up. Filled for older rows by the server before the next account is created.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
CREATE INDEX users_username_skeleton ON users (username_skeleton);
