-- Analytics kept up to date as responses are stored: per-student counts that the cohort report
-- reads instead of scanning every response, a per-student generation that tells a cached figure
-- it is stale, and the stored Rasch calibration of the items.
--
-- The counts and generations are maintained by triggers on the tables that hold scored
-- responses, so they change in the same transaction as the rows they count, whoever writes them.

-- Full-credit and total counts of a student's scored quiz and practice responses per client need
-- and week (the Monday, as `date(scored_at, 'weekday 0', '-6 days')`; '' when it has no date).
CREATE TABLE response_rollup_cells (
    student_id  INTEGER NOT NULL,
    client_need TEXT NOT NULL,
    week        TEXT NOT NULL,
    correct     INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (student_id, client_need, week)
) STRICT, WITHOUT ROWID;

-- The same responses per difficulty level and full credit, with the Unix time of the latest.
CREATE TABLE response_rollup_levels (
    student_id  INTEGER NOT NULL,
    difficulty  TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    n           INTEGER NOT NULL,
    last_unix   INTEGER,
    PRIMARY KEY (student_id, difficulty, correct)
) STRICT, WITHOUT ROWID;

-- Raised whenever a scored response of the student (quiz, practice or adaptive exam) is stored
-- or removed. Never deleted, so a cached figure cannot match a later student with a reused id.
CREATE TABLE analytics_generations (
    student_id INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL
) STRICT;

CREATE TRIGGER item_responses_rollup_insert AFTER INSERT ON item_responses
BEGIN
    INSERT INTO response_rollup_cells (student_id, client_need, week, correct, n)
    VALUES (new.student_id, new.client_need,
            coalesce(date(new.scored_at, 'weekday 0', '-6 days'), ''),
            new.points >= new.max_points, 1)
    ON CONFLICT (student_id, client_need, week)
    DO UPDATE SET correct = correct + excluded.correct, n = n + 1;
    INSERT INTO response_rollup_levels (student_id, difficulty, correct, n, last_unix)
    VALUES (new.student_id, new.difficulty, new.points >= new.max_points, 1,
            CAST(strftime('%s', new.scored_at) AS INTEGER))
    ON CONFLICT (student_id, difficulty, correct)
    DO UPDATE SET n = n + 1,
        last_unix = CASE WHEN excluded.last_unix IS NULL THEN last_unix
                         WHEN last_unix IS NULL THEN excluded.last_unix
                         ELSE max(last_unix, excluded.last_unix) END;
    INSERT INTO analytics_generations (student_id, generation) VALUES (new.student_id, 1)
    ON CONFLICT (student_id) DO UPDATE SET generation = generation + 1;
END;

-- Responses are removed only with their attempt, quiz or student (cascades); the counts follow,
-- and the latest time of a level is recomputed from what is left.
CREATE TRIGGER item_responses_rollup_delete AFTER DELETE ON item_responses
BEGIN
    UPDATE response_rollup_cells SET correct = correct - (old.points >= old.max_points), n = n - 1
    WHERE student_id = old.student_id AND client_need = old.client_need
      AND week = coalesce(date(old.scored_at, 'weekday 0', '-6 days'), '');
    DELETE FROM response_rollup_cells
    WHERE student_id = old.student_id AND client_need = old.client_need AND n <= 0;
    UPDATE response_rollup_levels SET n = n - 1,
        last_unix = (SELECT max(CAST(strftime('%s', r.scored_at) AS INTEGER)) FROM item_responses r
                     WHERE r.student_id = old.student_id AND r.difficulty = old.difficulty
                       AND (r.points >= r.max_points) = (old.points >= old.max_points))
    WHERE student_id = old.student_id AND difficulty = old.difficulty
      AND correct = (old.points >= old.max_points);
    DELETE FROM response_rollup_levels WHERE student_id = old.student_id AND n <= 0;
    INSERT INTO analytics_generations (student_id, generation) VALUES (old.student_id, 1)
    ON CONFLICT (student_id) DO UPDATE SET generation = generation + 1;
END;

CREATE TRIGGER cat_responses_generation_insert AFTER INSERT ON cat_responses
BEGIN
    INSERT INTO analytics_generations (student_id, generation) VALUES (new.student_id, 1)
    ON CONFLICT (student_id) DO UPDATE SET generation = generation + 1;
END;

CREATE TRIGGER cat_responses_generation_delete AFTER DELETE ON cat_responses
BEGIN
    INSERT INTO analytics_generations (student_id, generation) VALUES (old.student_id, 1)
    ON CONFLICT (student_id) DO UPDATE SET generation = generation + 1;
END;

-- The responses stored before this migration.
INSERT INTO response_rollup_cells (student_id, client_need, week, correct, n)
SELECT student_id, client_need, coalesce(date(scored_at, 'weekday 0', '-6 days'), ''),
       sum(points >= max_points), count(*)
FROM item_responses GROUP BY 1, 2, 3;

INSERT INTO response_rollup_levels (student_id, difficulty, correct, n, last_unix)
SELECT student_id, difficulty, points >= max_points, count(*),
       max(CAST(strftime('%s', scored_at) AS INTEGER))
FROM item_responses GROUP BY 1, 2, 3;

INSERT INTO analytics_generations (student_id, generation)
SELECT student_id, 1 FROM item_responses
UNION SELECT student_id, 1 FROM cat_responses;

-- One calibration of the items from the stored responses: when, what it rested on, and the
-- newest response ids it saw (a background run with nothing newer is skipped).
CREATE TABLE calibration_runs (
    id                 INTEGER PRIMARY KEY,
    trigger            TEXT NOT NULL CHECK (trigger IN ('on_demand', 'background')),
    requested_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    started_at         TEXT NOT NULL,
    duration_ms        INTEGER NOT NULL,
    persons            INTEGER NOT NULL,
    items              INTEGER NOT NULL,
    responses          INTEGER NOT NULL,
    iterations         INTEGER NOT NULL,
    converged          INTEGER NOT NULL CHECK (converged IN (0, 1)),
    item_response_mark INTEGER NOT NULL,
    cat_response_mark  INTEGER NOT NULL
) STRICT;

-- The latest calibration of each item (Rasch difficulty in logits) with its fit.
CREATE TABLE item_calibrations (
    item_id    TEXT PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES calibration_runs (id) ON DELETE CASCADE,
    b          REAL NOT NULL,
    se         REAL NOT NULL,
    n          INTEGER NOT NULL,
    prior_mean REAL NOT NULL,
    infit      REAL,
    outfit     REAL,
    misfit     INTEGER NOT NULL CHECK (misfit IN (0, 1))
) STRICT;
