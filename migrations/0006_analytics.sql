-- Analytics: adaptive exam sessions and their scored responses, and recorded NCLEX results.

-- One adaptive exam. `state` is the exam's progress as JSON (settings, seed, presented items and
-- their scored parts); `excluded` the items the student had seen recently when it started.
CREATE TABLE cat_sessions (
    id              INTEGER PRIMARY KEY,
    student_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('active', 'finished')),
    state           TEXT NOT NULL,
    excluded        TEXT NOT NULL DEFAULT '[]',
    result          TEXT,
    time_limit_secs INTEGER NOT NULL,
    started_at      TEXT NOT NULL,
    started_unix    INTEGER NOT NULL,
    updated_at      TEXT NOT NULL,
    finished_at     TEXT
) STRICT;
CREATE INDEX cat_sessions_student ON cat_sessions (student_id, status);

-- One scored part (a stand-alone item, or one of a case study's six items) of an adaptive exam.
CREATE TABLE cat_responses (
    session_id  INTEGER NOT NULL REFERENCES cat_sessions (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    student_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entry_id    TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    b           REAL NOT NULL,
    client_need TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) STRICT;
CREATE INDEX cat_responses_student ON cat_responses (student_id, answered_at);

-- A graduate's NCLEX-RN result, with the readiness estimate at the time it was recorded.
CREATE TABLE nclex_outcomes (
    student_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    result         TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
    result_date    TEXT NOT NULL,
    predicted_pass REAL,
    readiness_n    INTEGER NOT NULL,
    recorded_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
