-- Practice and quizzes: quizzes with frozen item snapshots, attempts, saved answers with their
-- history, one scored row per item response (what analytics aggregates), competency evidence.

-- A quiz an instructor set, or a student's self-practice set (kind = 'practice', owned by the student).
CREATE TABLE quizzes (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('quiz', 'practice')),
    title              TEXT NOT NULL,
    instructions       TEXT NOT NULL DEFAULT '',
    created_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    time_limit_minutes INTEGER CHECK (time_limit_minutes IS NULL OR time_limit_minutes BETWEEN 1 AND 1440),
    opens_at           TEXT,
    closes_at          TEXT,
    attempt_limit      INTEGER CHECK (attempt_limit IS NULL OR attempt_limit >= 1),
    show_review        INTEGER NOT NULL DEFAULT 1 CHECK (show_review IN (0, 1)),
    shuffle_options    INTEGER NOT NULL DEFAULT 0 CHECK (shuffle_options IN (0, 1)),
    max_score          INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;
CREATE INDEX quizzes_created_by ON quizzes (created_by, kind);

-- The items of a quiz, frozen: `body` is the item's JSON (key and rationales included) as it was
-- when the quiz was set, so a later edit or retirement in the bank changes no attempt.
CREATE TABLE quiz_items (
    quiz_id  INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item_id  TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (quiz_id, position),
    UNIQUE (quiz_id, item_id)
) STRICT;
CREATE INDEX quiz_items_item ON quiz_items (item_id);

CREATE TABLE quiz_cohorts (
    quiz_id   INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    cohort_id INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    PRIMARY KEY (quiz_id, cohort_id)
) STRICT;
CREATE INDEX quiz_cohorts_cohort ON quiz_cohorts (cohort_id);

-- One student's attempt at a quiz. `status` moves in_progress → submitted (the student submitted)
-- or in_progress → expired (the deadline passed; scored the same way). `option_orders` holds the
-- per-attempt option shuffle as {item_id: [option ids in display order]}; answers and keys always
-- use the item's own option ids.
CREATE TABLE attempts (
    id               INTEGER PRIMARY KEY,
    quiz_id          INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    student_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attempt_number   INTEGER NOT NULL CHECK (attempt_number >= 1),
    status           TEXT NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'submitted', 'expired')),
    started_at       TEXT NOT NULL,
    -- Unix seconds; NULL without a time limit.
    deadline_at      INTEGER,
    -- Unix milliseconds of the last save (or the start): time on an item is measured from here.
    last_activity_ms INTEGER NOT NULL,
    option_orders    TEXT NOT NULL DEFAULT '{}',
    submitted_at     TEXT,
    score            INTEGER,
    max_score        INTEGER NOT NULL,
    UNIQUE (quiz_id, student_id, attempt_number),
    CHECK ((status = 'in_progress') = (submitted_at IS NULL)),
    CHECK ((status = 'in_progress') = (score IS NULL))
) STRICT;
CREATE INDEX attempts_student ON attempts (student_id, status);
CREATE INDEX attempts_quiz ON attempts (quiz_id);
-- At most one open attempt per student and quiz, so two devices starting at once share it.
CREATE UNIQUE INDEX attempts_one_open ON attempts (quiz_id, student_id) WHERE status = 'in_progress';
-- The background sweep's look-up of attempts whose deadline passed.
CREATE INDEX attempts_deadline ON attempts (deadline_at) WHERE status = 'in_progress' AND deadline_at IS NOT NULL;

-- The current answer to each item of an attempt.
CREATE TABLE attempt_answers (
    attempt_id    INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL,
    answer        TEXT,
    flagged       INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    -- Server-measured milliseconds spent on the item, summed over its saves.
    time_spent_ms INTEGER NOT NULL DEFAULT 0,
    saves         INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (attempt_id, item_id)
) STRICT;

-- Every save, in order: changing an answer keeps the earlier ones.
CREATE TABLE answer_history (
    id            INTEGER PRIMARY KEY,
    attempt_id    INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL,
    answer        TEXT,
    flagged       INTEGER NOT NULL CHECK (flagged IN (0, 1)),
    time_spent_ms INTEGER NOT NULL,
    saved_at      TEXT NOT NULL
) STRICT;
CREATE INDEX answer_history_attempt ON answer_history (attempt_id, item_id);

-- One row per scored item response, written once when an attempt is submitted or expires
-- (UNIQUE (attempt_id, item_id) makes scoring twice a constraint failure, not a duplicate).
-- The item's tags are copied from the quiz's snapshot so aggregates need no JSON and no join.
CREATE TABLE item_responses (
    id              INTEGER PRIMARY KEY,
    attempt_id      INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    quiz_id         INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    student_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id         TEXT NOT NULL,
    position        INTEGER NOT NULL,
    answered        INTEGER NOT NULL CHECK (answered IN (0, 1)),
    points          INTEGER NOT NULL CHECK (points >= 0),
    max_points      INTEGER NOT NULL CHECK (max_points >= 1 AND points <= max_points),
    time_spent_ms   INTEGER NOT NULL DEFAULT 0,
    answered_at     TEXT,
    scored_at       TEXT NOT NULL,
    item_type       TEXT NOT NULL,
    client_need     TEXT NOT NULL,
    ncjmm_function  TEXT NOT NULL,
    aacn_competency TEXT NOT NULL,
    difficulty      TEXT NOT NULL,
    UNIQUE (attempt_id, item_id)
) STRICT;
CREATE INDEX item_responses_student ON item_responses (student_id, scored_at);
CREATE INDEX item_responses_item ON item_responses (item_id);
CREATE INDEX item_responses_quiz ON item_responses (quiz_id);

-- Evidence toward an AACN Essentials competency: scored item responses, clinical evaluations and
-- simulation scores an instructor recorded. `score` is the fraction earned (0 to 1).
CREATE TABLE competency_evidence (
    id            INTEGER PRIMARY KEY,
    student_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    competency_id TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('item_response', 'clinical_evaluation', 'simulation', 'quiz_score')),
    score         REAL NOT NULL CHECK (score >= 0.0 AND score <= 1.0),
    weight        REAL NOT NULL DEFAULT 1.0 CHECK (weight > 0.0),
    response_id   INTEGER UNIQUE REFERENCES item_responses (id) ON DELETE CASCADE,
    recorded_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_at   TEXT NOT NULL,
    details       TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX competency_evidence_student ON competency_evidence (student_id, competency_id);
