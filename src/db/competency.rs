//! Competency assessments and the evidence instructors record (clinical evaluations, simulation
//! scores, scores supplied with an assessment), beside the item-response evidence that
//! `practice::finish_attempt` writes; and the bank items a learning path offers per competency.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use serde_json::Value;

use super::DbError;
use super::accounts::{self, AuditEntry};
use crate::domain::accounts::{Principal, Role, UserId};
use crate::domain::audit::AuditAction;
use crate::domain::competency::performance::NewEvidence;
use crate::domain::competency::{
    AssessmentId, CompetencyId, Evidence, EvidenceId, Proficiency, may_assess, proficiency,
};

/// One assessment request to store.
#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    pub student_id: UserId,
    pub competency_id: &'a CompetencyId,
    pub requested_id: &'a str,
    pub assessment_type: &'a str,
    pub assessor: &'a str,
    pub batch_id: Option<&'a str>,
    pub recorded_by: UserId,
}

pub fn insert_assessment(
    conn: &Connection,
    assessment: &NewAssessment<'_>,
    now: &str,
) -> Result<AssessmentId, DbError> {
    conn.prepare_cached(
        "INSERT INTO competency_assessments (student_id, competency_id, requested_id, assessment_type, assessor, batch_id, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        assessment.student_id,
        assessment.competency_id,
        assessment.requested_id,
        assessment.assessment_type,
        assessment.assessor,
        assessment.batch_id,
        assessment.recorded_by,
        now,
    ])?;
    Ok(AssessmentId(conn.last_insert_rowid()))
}

/// Who recorded a piece of evidence, when it was observed and in which assessment.
#[derive(Debug, Clone)]
pub struct Provenance<'a> {
    pub recorded_by: UserId,
    pub observed_on: &'a str,
    pub assessor: &'a str,
    pub note: Option<&'a str>,
    pub assessment_id: Option<AssessmentId>,
}

pub fn insert_evidence(
    conn: &Connection,
    student_id: UserId,
    competency_id: &CompetencyId,
    evidence: &NewEvidence,
    provenance: &Provenance<'_>,
    now: &str,
) -> Result<EvidenceId, DbError> {
    conn.prepare_cached(
        "INSERT INTO competency_evidence (student_id, competency_id, source, score, weight, recorded_by, recorded_at, details, observed_on, assessor, note, assessment_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        student_id,
        competency_id,
        evidence.source.as_str(),
        evidence.score,
        evidence.weight,
        provenance.recorded_by,
        now,
        evidence.details.to_string(),
        provenance.observed_on,
        provenance.assessor,
        provenance.note,
        provenance.assessment_id,
    ])?;
    Ok(EvidenceId(conn.last_insert_rowid()))
}

/// A student's evidence for one competency (its sub-competencies included), by source.
pub fn evidence_for(
    conn: &Connection,
    student_id: UserId,
    competency_id: &CompetencyId,
) -> Result<Vec<(String, Evidence)>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT source, score, weight FROM competency_evidence
         WHERE student_id = ?1 AND (competency_id = ?2 OR competency_id GLOB ?2 || '[a-z]') ORDER BY id",
    )?;
    let rows = statement.query_map(params![student_id, competency_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            Evidence {
                score: row.get(1)?,
                weight: row.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A clinical evaluation, simulation or supplied score, as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordedEvidence {
    #[schema(value_type = i64)]
    pub id: EvidenceId,
    #[schema(value_type = String)]
    pub competency_id: CompetencyId,
    pub source: String,
    /// Fraction earned, 0–1.
    pub score: f64,
    pub weight: f64,
    /// The day it was observed (YYYY-MM-DD).
    pub observed_on: Option<String>,
    pub assessor: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub assessment_id: Option<AssessmentId>,
    #[schema(value_type = Option<i64>)]
    pub recorded_by: Option<UserId>,
    pub recorded_at: String,
    #[schema(value_type = Object)]
    pub details: Value,
}

/// Every piece of a student's evidence that is not an item response, oldest first.
pub fn recorded_evidence(
    conn: &Connection,
    student_id: UserId,
) -> Result<Vec<RecordedEvidence>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, competency_id, source, score, weight, observed_on, assessor, note, assessment_id, recorded_by, recorded_at, details
         FROM competency_evidence WHERE student_id = ?1 AND source <> 'item_response' ORDER BY id",
    )?;
    let rows = statement.query_map([student_id], |row| {
        let details: String = row.get(11)?;
        Ok(RecordedEvidence {
            id: row.get(0)?,
            competency_id: row.get(1)?,
            source: row.get(2)?,
            score: row.get(3)?,
            weight: row.get(4)?,
            observed_on: row.get(5)?,
            assessor: row.get(6)?,
            note: row.get(7)?,
            assessment_id: row.get(8)?,
            recorded_by: row.get(9)?,
            recorded_at: row.get(10)?,
            details: serde_json::from_str(&details).unwrap_or(Value::Null),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// For each competency, up to `per_competency` ids of active generated bank items tagged with it
/// (or one of its sub-competencies), the ones `student_id` has not met in an attempt first, then
/// the oldest. Authored items are never offered: an instructor may be keeping them for an exam.
/// Each id comes with whether the student has met it.
pub fn practice_items(
    conn: &Connection,
    student_id: UserId,
    per_competency: i64,
) -> Result<BTreeMap<String, Vec<(String, bool)>>, DbError> {
    let mut statement = conn.prepare_cached(
        "WITH seen AS (
             SELECT DISTINCT qi.item_id FROM attempts a JOIN quiz_items qi ON qi.quiz_id = a.quiz_id
             WHERE a.student_id = ?1),
         tagged AS (
             SELECT i.id, rtrim(json_extract(i.body, '$.aacn_competency'), 'abcdefghijklmnopqrstuvwxyz') AS competency,
                    i.id IN (SELECT item_id FROM seen) AS met, i.created_at
             FROM items i WHERE i.status = 'active' AND i.origin = 'generated'),
         ranked AS (
             SELECT id, competency, met,
                    row_number() OVER (PARTITION BY competency ORDER BY met, created_at, id) AS n
             FROM tagged WHERE competency IS NOT NULL AND competency <> '')
         SELECT competency, id, met FROM ranked WHERE n <= ?2 ORDER BY competency, n",
    )?;
    let rows = statement.query_map(params![student_id, per_competency], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, bool>(2)?,
        ))
    })?;
    let mut sets: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for row in rows {
        let (competency, id, met) = row?;
        sets.entry(competency).or_default().push((id, met));
    }
    Ok(sets)
}

/// Whether a caller may write evidence for a student, read inside the writing transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StudentCheck {
    Allowed,
    /// Not an admin nor an instructor of one of the student's cohorts (whether or not they exist).
    Forbidden,
    /// No such user (only an admin is told).
    Missing,
    /// The user exists with this other role.
    NotStudent(Role),
}

pub fn check_student(
    conn: &Connection,
    principal: &Principal,
    student_id: UserId,
) -> Result<StudentCheck, DbError> {
    let user = accounts::find_user(conn, student_id)?;
    let cohorts = accounts::cohort_ids_of(conn, student_id, Some(Role::Student))?;
    if !may_assess(principal, &cohorts) {
        return Ok(StudentCheck::Forbidden);
    }
    Ok(match user {
        None => StudentCheck::Missing,
        Some(user) if user.role != Role::Student => StudentCheck::NotStudent(user.role),
        Some(_) => StudentCheck::Allowed,
    })
}

/// A competency's proficiency from everything stored for the student, with the count per source.
#[derive(Debug, Clone)]
pub struct Standing {
    pub proficiency: Proficiency,
    pub by_source: BTreeMap<String, u32>,
}

pub fn standing(
    conn: &Connection,
    student_id: UserId,
    competency_id: &CompetencyId,
) -> Result<Standing, DbError> {
    let rows = evidence_for(conn, student_id, competency_id)?;
    let mut by_source: BTreeMap<String, u32> = BTreeMap::new();
    for (source, _) in &rows {
        *by_source.entry(source.clone()).or_default() += 1;
    }
    let evidence: Vec<Evidence> = rows.into_iter().map(|(_, piece)| piece).collect();
    Ok(Standing {
        proficiency: proficiency(&evidence),
        by_source,
    })
}

fn audit(
    conn: &Connection,
    principal: &Principal,
    action: AuditAction,
    student_id: UserId,
    details: Value,
    now: &str,
) -> Result<(), DbError> {
    let target = format!("user:{student_id}");
    accounts::insert_audit(
        conn,
        &AuditEntry {
            actor_id: Some(principal.user_id),
            actor: &principal.username,
            action,
            target: Some(&target),
            ip: None,
            details,
        },
        now,
    )
}

/// One piece recorded directly: checked, stored, audited; then the stored row and the standing.
pub fn record_evidence(
    conn: &Connection,
    principal: &Principal,
    student_id: UserId,
    competency_id: &CompetencyId,
    evidence: &NewEvidence,
    provenance: &Provenance<'_>,
    now: &str,
) -> Result<Result<(RecordedEvidence, Standing), StudentCheck>, DbError> {
    let check = check_student(conn, principal, student_id)?;
    if check != StudentCheck::Allowed {
        return Ok(Err(check));
    }
    let id = insert_evidence(conn, student_id, competency_id, evidence, provenance, now)?;
    audit(
        conn,
        principal,
        AuditAction::CompetencyEvidenceRecorded,
        student_id,
        serde_json::json!({"evidence_id": id, "competency_id": competency_id, "source": evidence.source.as_str(), "score": evidence.score}),
        now,
    )?;
    let stored = recorded_evidence(conn, student_id)?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or_else(|| DbError::Task("the evidence just written is missing".into()))?;
    Ok(Ok((stored, standing(conn, student_id, competency_id)?)))
}

/// One assessment: checked, stored with its pieces, audited; then its id and the standing.
pub fn record_assessment(
    conn: &Connection,
    principal: &Principal,
    assessment: &NewAssessment<'_>,
    evidence: &[NewEvidence],
    now: &str,
) -> Result<Result<(AssessmentId, Standing), StudentCheck>, DbError> {
    let check = check_student(conn, principal, assessment.student_id)?;
    if check != StudentCheck::Allowed {
        return Ok(Err(check));
    }
    let assessment_id = insert_assessment(conn, assessment, now)?;
    let today = now.get(..10).unwrap_or(now);
    for piece in evidence {
        insert_evidence(
            conn,
            assessment.student_id,
            assessment.competency_id,
            piece,
            &Provenance {
                recorded_by: principal.user_id,
                observed_on: today,
                assessor: assessment.assessor,
                note: None,
                assessment_id: Some(assessment_id),
            },
            now,
        )?;
    }
    audit(
        conn,
        principal,
        AuditAction::CompetencyAssessed,
        assessment.student_id,
        serde_json::json!({
            "assessment_id": assessment_id,
            "competency_id": assessment.competency_id,
            "requested_id": assessment.requested_id,
            "evidence": evidence.len(),
            "batch_id": assessment.batch_id,
        }),
        now,
    )?;
    Ok(Ok((
        assessment_id,
        standing(conn, assessment.student_id, assessment.competency_id)?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::practice::{NewAttempt, QuizSettings, insert_attempt, insert_quiz};
    use crate::db::{Db, DbOptions, items as bank};
    use crate::domain::items::catalog::signature;
    use crate::domain::practice::QuizKind;
    use std::time::Duration;

    #[tokio::test]
    async fn practice_sets_offer_generated_items_of_the_competency_unseen_first() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = Db::open(
            &DbOptions {
                data_dir: dir.path().to_owned(),
                busy_timeout: Duration::from_secs(5),
                pool_size: 2,
            },
            "t",
        )
        .unwrap();
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = crate::domain::items::catalog::Catalog::builtin(&kb);
        let mut items: Vec<_> = (0..40)
            .filter_map(|index| catalog.generate(&kb, index, 9))
            .take(4)
            .collect();
        assert_eq!(items.len(), 4);
        // Oldest first: "seen" (met in an attempt), then a sub-competency, then an unseen one; the
        // fourth is authored and never offered.
        for (item, tag) in items.iter_mut().zip(["2.4", "2.4b", "2.4", "2.4"]) {
            item.aacn_competency = tag.into();
        }
        let rows = items.clone();
        db.write(move |tx| {
            tx.execute(
                "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
                 VALUES (7, 's', 'S', 'student', 'x', 't', 't')",
                [],
            )?;
            for (index, item) in rows[..3].iter().enumerate() {
                bank::insert_generated(tx, &[(item.clone(), signature(item))], &format!("t{index}"))?;
            }
            bank::insert_authored(tx, &rows[3], &signature(&rows[3]), UserId(7), "t9")?;
            let settings = QuizSettings {
                kind: QuizKind::Practice,
                title: "P".into(),
                instructions: String::new(),
                time_limit_minutes: None,
                opens_at: None,
                closes_at: None,
                attempt_limit: None,
                show_review: true,
                shuffle_options: false,
                cohort_ids: Vec::new(),
            };
            let quiz = insert_quiz(tx, &settings, &rows[..1], UserId(7), "t")?;
            insert_attempt(
                tx,
                &NewAttempt {
                    quiz_id: quiz,
                    student_id: UserId(7),
                    started_at: "t".into(),
                    deadline_at: None,
                    now_ms: 1,
                    option_orders: BTreeMap::new(),
                    max_score: rows[0].max_points,
                },
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let sets = db
            .read(|conn| practice_items(conn, UserId(7), 10))
            .await
            .unwrap();
        assert_eq!(sets.len(), 1, "{sets:?}");
        let offered = &sets["2.4"];
        assert_eq!(
            offered,
            &vec![
                (items[1].id.clone(), false),
                (items[2].id.clone(), false),
                (items[0].id.clone(), true),
            ]
        );
        let two = db
            .read(|conn| practice_items(conn, UserId(7), 2))
            .await
            .unwrap();
        assert_eq!(two["2.4"].len(), 2);
    }
}
