use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Api, password_of};
use crate::helpers::assert_envelope;

/// Quotas wide open: these tests are about assessments, not the hourly limits.
fn start() -> Api {
    Api::start_with(
        "assessment_per_hour = 1000000\ncontent_per_hour = 10000",
        "",
    )
}

fn db(api: &Api) -> rusqlite::Connection {
    let conn =
        rusqlite::Connection::open(api.server.data_dir().join("bsn-knowledge.sqlite3")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

async fn post(api: &Api, path: &str, token: &str, body: Value) -> reqwest::Response {
    api.send(Method::POST, path, Some(token), Some(body)).await
}

async fn json_of(response: reqwest::Response, status: u16, what: &str) -> Value {
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{what}: {body}");
    body
}

/// The envelope of a refusal, checked, with the first field it names ("" when none).
async fn refused(api: &Api, path: &str, token: &str, body: Value, status: u16) -> (Value, String) {
    let envelope = json_of(
        post(api, path, token, body.clone()).await,
        status,
        &body.to_string(),
    )
    .await;
    let code = match status {
        403 => "AUTHORIZATION_ERROR",
        404 => "RESOURCE_NOT_FOUND",
        _ => "VALIDATION_ERROR",
    };
    assert_envelope(&envelope, code, path);
    let field = envelope["details"]["validation_errors"][0]["field"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    (envelope, field)
}

struct School {
    api: Api,
    admin: String,
    instructor: String,
    other_instructor: String,
    student: String,
    student_id: i64,
    outsider_id: i64,
    outsider: String,
    instructor_id: i64,
}

/// An admin; instructor1 teaching cohort A with student1; instructor2 and student2 outside it.
async fn school() -> School {
    let api = start();
    let admin = api.admin().await;
    let instructor_id = api.create_user(&admin, "instructor1", "instructor").await;
    api.create_user(&admin, "instructor2", "instructor").await;
    let student_id = api.create_user(&admin, "student1", "student").await;
    let outsider_id = api.create_user(&admin, "student2", "student").await;
    let cohort = api.create_cohort(&admin, "Cohort A").await;
    for (user, role) in [(instructor_id, "instructor"), (student_id, "student")] {
        assert!(
            api.add_member(&admin, cohort, user, role)
                .await
                .status()
                .is_success()
        );
    }
    let instructor = api.token("instructor1", &password_of("instructor1")).await;
    let other_instructor = api.token("instructor2", &password_of("instructor2")).await;
    let student = api.token("student1", &password_of("student1")).await;
    let outsider = api.token("student2", &password_of("student2")).await;
    School {
        api,
        admin,
        instructor,
        other_instructor,
        student,
        student_id,
        outsider_id,
        outsider,
        instructor_id,
    }
}

const EVIDENCE: &str = "/api/v1/assessment/competency/evidence";
const ASSESS: &str = "/api/v1/assessment/competency/assess";
const ASSESS_ORIGINAL: &str = "/api/v1/assessment/competency";
const BULK: &str = "/api/v1/assessment/competency/assess/bulk";
const GAPS: &str = "/api/v1/assessment/gaps/analyze";
const PATH: &str = "/api/v1/assessment/learning-path/generate";

fn evidence_rows(api: &Api) -> i64 {
    count(&db(api), "SELECT count(*) FROM competency_evidence")
}

#[tokio::test]
async fn instructors_record_evidence_and_assessments_rest_on_all_of_it() {
    let s = school().await;
    let api = &s.api;
    let student = s.student_id;

    // A clinical evaluation recorded by the student's instructor.
    let recorded = json_of(
        post(
            api,
            EVIDENCE,
            &s.instructor,
            json!({"student_id": student, "competency_id": "2.3", "kind": "clinical_evaluation",
                   "score": 80, "date": "2026-11-30", "assessor": "Preceptor Lee", "note": "Thorough head-to-toe"}),
        )
        .await,
        201,
        "evidence",
    )
    .await;
    assert_eq!(recorded["evidence"]["source"], "clinical_evaluation");
    assert_eq!(recorded["evidence"]["score"], 0.8);
    assert_eq!(recorded["evidence"]["assessor"], "Preceptor Lee");
    assert_eq!(recorded["evidence"]["observed_on"], "2026-11-30");
    assert_eq!(recorded["proficiency"]["evidence_count"], 1);
    assert_eq!(recorded["proficiency"]["score"], 0.8);
    // One piece names no level.
    assert!(recorded["proficiency"]["level"].is_null(), "{recorded}");
    assert_eq!(
        count(
            &db(api),
            "SELECT count(*) FROM audit_log WHERE action = 'competency_evidence_recorded'"
        ),
        1
    );

    // Bad evidence: each a precise envelope, nothing stored.
    let good = json!({"student_id": student, "competency_id": "2.3", "kind": "simulation", "score": 70, "date": "2026-11-30"});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    for (body, field) in [
        (with("score", json!(101)), "score"),
        (with("score", json!(-0.5)), "score"),
        (with("competency_id", json!("2.10")), "competency_id"),
        (
            with("competency_id", json!("AACN_KNOWLEDGE_1")),
            "competency_id",
        ),
        (with("date", json!("2999-01-01")), "date"),
        (with("date", json!("30/11/2026")), "date"),
        (with("kind", json!("self_assessment")), "kind"),
        (with("weight", json!(0)), "weight"),
        (with("student_id", json!(s.instructor_id)), "student_id"),
    ] {
        let (_, named) = refused(api, EVIDENCE, &s.admin, body.clone(), 422).await;
        assert!(named.starts_with(field), "{body}: {named}");
    }
    refused(api, EVIDENCE, &s.student, good.clone(), 403).await;
    refused(api, EVIDENCE, &s.other_instructor, good.clone(), 403).await;
    // An instructor cannot tell a stranger from nobody; an admin is told.
    refused(
        api,
        EVIDENCE,
        &s.instructor,
        with("student_id", json!(s.outsider_id)),
        403,
    )
    .await;
    refused(
        api,
        EVIDENCE,
        &s.instructor,
        with("student_id", json!(99_999)),
        403,
    )
    .await;
    refused(
        api,
        EVIDENCE,
        &s.admin,
        with("student_id", json!(99_999)),
        404,
    )
    .await;
    assert_eq!(evidence_rows(api), 1);

    // The seed's payload against an original id: stored as four pieces, the result computed from
    // all five (the evaluation above included).
    let seed = json!({
        "student_id": student.to_string(),
        "competency_id": "aacn_2_1",
        "performance_data": {"quiz_scores": [85, 90, 88], "clinical_evaluation": {"patient_care": 4.2}}
    });
    let result = json_of(
        post(api, ASSESS, &s.instructor, seed.clone()).await,
        200,
        "assess",
    )
    .await;
    assert_eq!(result["competency_id"], "2.3");
    assert_eq!(result["requested_competency_id"], "aacn_2_1");
    assert_eq!(result["original_mapping"]["id"], "aacn_2_1");
    assert_eq!(result["domain"], 2);
    assert_eq!(result["evidence_recorded"], 4);
    assert_eq!(result["assessor_id"], "instructor1");
    assert_eq!(result["proficiency"]["evidence_count"], 5);
    // (0.80 + 0.84 + 0.85 + 0.90 + 0.88) / 5
    assert_eq!(result["proficiency"]["score"], 0.854);
    assert_eq!(result["proficiency_score"], 85.4);
    assert_eq!(result["current_level"], "proficient");
    assert_eq!(result["evidence_by_source"]["quiz_score"], 3);
    assert_eq!(result["evidence_by_source"]["clinical_evaluation"], 2);
    assert_eq!(evidence_rows(api), 5);

    // The original's path takes the same body (as an admin); the original's own keys count,
    // the self-assessment is accepted and said not to count.
    let original = json!({
        "student_id": student, "competency_id": "2.3c", "assessor_id": "Dr Okafor", "assessment_type": "clinical",
        "performance_data": {"assessment_scores": [100], "simulation_scores": [100], "self_assessment": 95}
    });
    let result = json_of(
        post(api, ASSESS_ORIGINAL, &s.admin, original).await,
        200,
        "original path",
    )
    .await;
    assert_eq!(result["competency_id"], "2.3");
    assert_eq!(result["requested_competency_id"], "2.3c");
    assert_eq!(result["assessor_id"], "Dr Okafor");
    assert_eq!(result["evidence_recorded"], 2);
    assert_eq!(result["not_counted"], json!(["self_assessment"]));
    assert_eq!(result["proficiency"]["evidence_count"], 7);
    assert_eq!(result["evidence_by_source"]["simulation"], 1);

    // Bad assessments, on both paths.
    for path in [ASSESS, ASSESS_ORIGINAL] {
        let (_, named) = refused(
            api,
            path,
            &s.instructor,
            json!({"student_id": student, "competency_id": "2.3", "performance_data": {"quiz_scores": [85, 120]}}),
            422,
        )
        .await;
        assert_eq!(named, "performance_data.quiz_scores[1]");
        let (_, named) = refused(
            api,
            path,
            &s.instructor,
            json!({"student_id": student, "competency_id": "2.3", "performance_data": {"clinical_evaluation": {"patient_care": 6}}}),
            422,
        )
        .await;
        assert_eq!(named, "performance_data.clinical_evaluation.patient_care");
        let (_, named) = refused(
            api,
            path,
            &s.instructor,
            json!({"student_id": student, "competency_id": "2.3", "performance_data": {}}),
            422,
        )
        .await;
        assert_eq!(named, "performance_data");
        // The seed's own ids: the competency does not exist (and the student would not either).
        let (envelope, named) = refused(
            api,
            path,
            &s.instructor,
            json!({"student_id": "test_student_123", "competency_id": "AACN_KNOWLEDGE_1",
                   "performance_data": {"quiz_scores": [85, 90, 88]}}),
            422,
        )
        .await;
        assert_eq!(named, "competency_id");
        assert!(
            envelope["message"]
                .as_str()
                .unwrap()
                .contains("unknown competency")
        );
        refused(
            api,
            path,
            &s.admin,
            json!({"student_id": "test_student_123", "competency_id": "2.3", "performance_data": {"quiz_scores": [85]}}),
            404,
        )
        .await;
        refused(api, path, &s.student, seed.clone(), 403).await;
        refused(api, path, &s.other_instructor, seed.clone(), 403).await;
        refused(
            api,
            path,
            &s.instructor,
            json!({"student_id": s.outsider_id, "competency_id": "2.3", "performance_data": {"quiz_scores": [85]}}),
            403,
        )
        .await;
    }
    assert_eq!(evidence_rows(api), 7);
    assert_eq!(
        count(&db(api), "SELECT count(*) FROM competency_assessments"),
        2
    );

    // The profile shows the recorded evidence and its count.
    let profile = json_of(
        api.get(
            &format!("/api/v1/assessment/competency/profile/{student}"),
            &s.student,
        )
        .await,
        200,
        "profile",
    )
    .await;
    assert_eq!(profile["recorded_evidence_count"], 7);
    assert_eq!(profile["recorded_evidence"].as_array().unwrap().len(), 7);
    let entry = profile["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["competency"]["id"] == "2.3")
        .unwrap()
        .clone();
    assert_eq!(entry["proficiency"]["evidence_count"], 7);
}

#[tokio::test]
async fn bulk_assessment_reports_failures_per_row_and_commits_the_rest() {
    let s = school().await;
    let api = &s.api;
    let student = s.student_id;
    let rows = json!([
        {"student_id": student, "competency_id": "2.4", "performance_data": {"quiz_scores": [70, 80]}},
        {"student_id": student, "competency_id": "2.99", "performance_data": {"quiz_scores": [70]}},
        {"student_id": student, "competency_id": "2.4", "performance_data": {"simulation_scores": [101]}},
        {"student_id": s.outsider_id, "competency_id": "2.4", "performance_data": {"quiz_scores": [70]}},
        {"student_id": true, "competency_id": "2.4", "performance_data": {"quiz_scores": [70]}},
        {"student_id": student, "competency_id": "aacn_1_1", "performance_data": {"clinical_scores": [90]}},
        {"student_id": 99_999, "competency_id": "2.4", "performance_data": {"quiz_scores": [70]}}
    ]);
    let report = json_of(
        post(
            api,
            BULK,
            &s.instructor,
            json!({"assessments": rows, "batch_id": "week-48"}),
        )
        .await,
        200,
        "bulk",
    )
    .await;
    assert_eq!(report["batch_id"], "week-48");
    assert_eq!(report["total_assessments"], 7);
    assert_eq!(report["successful_assessments"], 2);
    assert_eq!(report["failed_assessments"], 5);
    let stored: Vec<(u64, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["index"].as_u64().unwrap(),
                row["assessment"]["competency_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(stored, vec![(0, "2.4".to_owned()), (5, "1.2".to_owned())]);
    let errors: Vec<(u64, u64)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["index"].as_u64().unwrap(),
                row["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![(1, 422), (2, 422), (3, 403), (4, 422), (6, 403)]
    );
    let first_error = &report["errors"][0];
    assert_eq!(first_error["student_id"], student);
    assert_eq!(first_error["competency_id"], "2.99");
    assert!(
        first_error["error"]
            .as_str()
            .unwrap()
            .contains("unknown competency")
    );
    assert!(
        report["errors"][1]["error"]
            .as_str()
            .unwrap()
            .contains("performance_data.simulation_scores[0]")
    );
    // Only the good rows were stored, with their batch.
    let conn = db(api);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM competency_assessments WHERE batch_id = 'week-48'"
        ),
        2
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM competency_evidence"), 3);

    // An admin is told the unknown student is nobody.
    let report = json_of(
        post(
            api,
            BULK,
            &s.admin,
            json!({"assessments": [{"student_id": 99_999, "competency_id": "2.4", "performance_data": {"quiz_scores": [70]}}]}),
        )
        .await,
        200,
        "bulk as admin",
    )
    .await;
    assert_eq!(report["errors"][0]["status"], 404);
    assert!(report["batch_id"].is_null());

    refused(api, BULK, &s.student, json!({"assessments": rows}), 403).await;
    let (_, named) = refused(api, BULK, &s.instructor, json!({"assessments": []}), 422).await;
    assert_eq!(named, "assessments");
    // A row that is not an object is refused with the request, as the document says.
    let (_, named) = refused(
        api,
        BULK,
        &s.instructor,
        json!({"assessments": [[null, null]]}),
        422,
    )
    .await;
    assert!(named.starts_with("assessments"), "{named}");
    let many: Vec<Value> = (0..501).map(|_| rows[0].clone()).collect();
    let (_, named) = refused(api, BULK, &s.instructor, json!({"assessments": many}), 422).await;
    assert_eq!(named, "assessments");
    assert_eq!(count(&conn, "SELECT count(*) FROM competency_evidence"), 3);
}

/// Generated bank items (as the admin), with time for the first request to load the catalog.
async fn generated_items(api: &Api, admin: &str) -> Vec<Value> {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(180))
        .build()
        .unwrap()
        .post(api.server.url("/api/v1/nclex/generate"))
        .bearer_auth(admin)
        .json(&json!({"topic": "heart failure", "question_count": 12, "seed": 11}))
        .send()
        .await
        .expect("request");
    let body = json_of(response, 200, "generate").await;
    body["questions"].as_array().unwrap().clone()
}

#[tokio::test]
async fn gaps_and_learning_paths_come_from_stored_evidence_with_practice_sets_from_the_bank() {
    let s = school().await;
    let api = &s.api;
    let student = s.student_id;
    let items = generated_items(api, &s.admin).await;
    let weak = items[0]["aacn_competency"].as_str().unwrap().to_owned();
    let weak_base = weak
        .trim_end_matches(|c: char| c.is_ascii_lowercase())
        .to_owned();
    assert_ne!(weak_base, "1.1");

    // Before any evidence: no gap can be measured, and it says so.
    let empty = json_of(
        post(api, GAPS, &s.student, json!({"student_id": student})).await,
        200,
        "gaps without evidence",
    )
    .await;
    assert_eq!(empty["evidence_count"], 0);
    assert_eq!(empty["gaps"], json!([]));
    assert_eq!(empty["without_evidence"].as_array().unwrap().len(), 45);
    assert!(empty["note"].as_str().unwrap().contains("no evidence"));

    // Weak in one competency, strong in 1.1.
    for (competency, scores) in [(weak_base.as_str(), [20, 30, 40]), ("1.1", [90, 95, 100])] {
        json_of(
            post(
                api,
                ASSESS,
                &s.instructor,
                json!({"student_id": student, "competency_id": competency, "performance_data": {"quiz_scores": scores}}),
            )
            .await,
            200,
            "assess",
        )
        .await;
    }
    let targets = json!([weak_base, "1.1", "3.1"]);
    let report = json_of(
        post(
            api,
            GAPS,
            &s.student,
            json!({"student_id": student, "target_competencies": targets}),
        )
        .await,
        200,
        "gaps",
    )
    .await;
    assert_eq!(report["competencies_considered"], 3);
    assert_eq!(report["evidence_count"], 6);
    assert_eq!(report["target_level"], "competent");
    assert_eq!(report["gaps"].as_array().unwrap().len(), 1, "{report}");
    let gap = &report["gaps"][0];
    assert_eq!(gap["competency_id"], weak_base.as_str());
    assert_eq!(gap["score"], 0.3);
    assert_eq!(gap["gap"], 0.3);
    assert_eq!(gap["severity"], "critical");
    assert_eq!(gap["evidence_count"], 3);
    assert_eq!(report["met"], json!(["1.1"]));
    assert_eq!(report["without_evidence"], json!(["3.1"]));
    // A higher target and a severity filter.
    let expert = json_of(
        post(
            api,
            GAPS,
            &s.instructor,
            json!({"student_id": student, "target_competencies": targets, "target_level": "expert", "severity_filter": "critical"}),
        )
        .await,
        200,
        "expert gaps",
    )
    .await;
    let ids: Vec<&str> = expert["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|gap| gap["competency_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![weak_base.as_str()]);

    // Refusals.
    refused(api, GAPS, &s.outsider, json!({"student_id": student}), 403).await;
    refused(
        api,
        GAPS,
        &s.other_instructor,
        json!({"student_id": student}),
        403,
    )
    .await;
    refused(api, GAPS, &s.admin, json!({"student_id": 99_999}), 404).await;
    let (_, named) = refused(
        api,
        GAPS,
        &s.student,
        json!({"student_id": student, "target_competencies": ["1.1", "zz"]}),
        422,
    )
    .await;
    assert_eq!(named, "target_competencies[1]");

    // The learning path: the gap first, then the competency without evidence; 1.1 is met.
    let path = json_of(
        post(
            api,
            PATH,
            &s.student,
            json!({"student_id": student, "target_competencies": targets, "current_proficiency": {"1.1": 10}, "items_per_competency": 3}),
        )
        .await,
        200,
        "learning path",
    )
    .await;
    let steps = path["steps"].as_array().unwrap();
    let order: Vec<(&str, &str)> = steps
        .iter()
        .map(|step| {
            (
                step["competency_id"].as_str().unwrap(),
                step["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![(weak_base.as_str(), "below_target"), ("3.1", "no_evidence")]
    );
    assert_eq!(path["met"], json!(["1.1"]));
    assert_eq!(path["not_used"], json!(["current_proficiency"]));
    assert_eq!(steps[0]["evidence_count"], 3);
    // The practice set: bank items tagged with that competency.
    let practice = &steps[0]["practice"];
    let ids: Vec<String> = practice["item_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert!(!ids.is_empty() && ids.len() <= 3, "{practice}");
    for id in &ids {
        let item = json_of(
            api.get(&format!("/api/v1/items/{id}"), &s.admin).await,
            200,
            "bank item",
        )
        .await;
        let tag = item["aacn_competency"]
            .as_str()
            .or_else(|| item["item"]["aacn_competency"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            tag.trim_end_matches(|c: char| c.is_ascii_lowercase()),
            weak_base,
            "{item}"
        );
    }
    // No item is tagged 3.1: the step says so and offers no request.
    assert!(steps[1]["practice"]["practice_request"].is_null());
    assert!(
        steps[1]["practice"]["note"]
            .as_str()
            .unwrap()
            .contains("3.1")
    );
    // The ready request starts a practice attempt on exactly those items.
    let request = practice["practice_request"].clone();
    let attempt = json_of(
        post(api, "/api/v1/practice", &s.student, request.clone()).await,
        201,
        "practice from the path",
    )
    .await;
    let practised: Vec<String> = attempt["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(practised, ids);
    // Bad practice requests by id.
    for (body, field) in [
        (
            json!({"item_ids": ["no-such-item"], "count": 1}),
            "item_ids",
        ),
        (json!({"item_ids": [ids[0]], "count": 2}), "count"),
        (
            json!({"item_ids": [ids[0], ids[0]], "count": 2}),
            "item_ids",
        ),
        (
            json!({"item_ids": [ids[0]], "count": 1, "topic": "heart failure"}),
            "item_ids",
        ),
    ] {
        let (_, named) = refused(api, "/api/v1/practice", &s.student, body.clone(), 422).await;
        assert_eq!(named, field, "{body}");
    }

    refused(api, PATH, &s.outsider, json!({"student_id": student}), 403).await;
    refused(api, PATH, &s.admin, json!({"student_id": "nobody"}), 404).await;
    let (_, named) = refused(
        api,
        PATH,
        &s.student,
        json!({"student_id": student, "target_competencies": ["aacn_9_1"]}),
        422,
    )
    .await;
    assert_eq!(named, "target_competencies[0]");
    let (_, named) = refused(
        api,
        PATH,
        &s.student,
        json!({"student_id": student, "items_per_competency": 0}),
        422,
    )
    .await;
    assert_eq!(named, "items_per_competency");
}
