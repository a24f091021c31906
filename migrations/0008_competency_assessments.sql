-- Competency assessments: instructors record clinical evaluations and simulation scores for a
-- student against an AACN competency, directly or inside an assessment (`assessment/competency`,
-- `.../assess`, `.../assess/bulk`). Each supplied score is one `competency_evidence` row; the
-- result is computed from all stored evidence, never stored as a number of its own.

-- One assessment request: who recorded it, for which student and competency, and how the
-- competency was named in the request (an original `aacn_N_1` id is kept beside our id).
CREATE TABLE competency_assessments (
    id              INTEGER PRIMARY KEY,
    student_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    competency_id   TEXT NOT NULL,
    requested_id    TEXT NOT NULL,
    assessment_type TEXT NOT NULL,
    assessor        TEXT NOT NULL,
    batch_id        TEXT,
    recorded_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_at     TEXT NOT NULL
) STRICT;
CREATE INDEX competency_assessments_student ON competency_assessments (student_id, competency_id);

-- What an instructor's evidence carries besides its score: the day it was observed, who assessed
-- (a name; the user who entered it is `recorded_by`), an optional note, and the assessment it
-- came with, if any. Item-response evidence leaves them empty.
ALTER TABLE competency_evidence ADD COLUMN observed_on TEXT;
ALTER TABLE competency_evidence ADD COLUMN assessor TEXT;
ALTER TABLE competency_evidence ADD COLUMN note TEXT;
ALTER TABLE competency_evidence ADD COLUMN assessment_id INTEGER REFERENCES competency_assessments (id) ON DELETE CASCADE;
CREATE INDEX competency_evidence_assessment ON competency_evidence (assessment_id);
