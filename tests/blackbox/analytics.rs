use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Api, password_of};
use crate::helpers::assert_envelope;

async fn record(api: &Api, token: &str, body: Value) -> reqwest::Response {
    api.send(
        Method::POST,
        "/api/v1/analytics/outcomes",
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn readiness_outcomes_and_accuracy_with_their_refusals() {
    let api = Api::start();
    let admin = api.admin().await;
    let cohort = api.create_cohort(&admin, "Class of 2026").await;
    let elsewhere = api.create_cohort(&admin, "Class of 2027").await;
    let student = api.create_user(&admin, "grad-one", "student").await;
    let instructor = api.create_user(&admin, "teacher", "instructor").await;
    let outsider = api.create_user(&admin, "other-teacher", "instructor").await;
    assert_eq!(
        api.add_member(&admin, cohort, student, "student")
            .await
            .status(),
        204
    );
    assert_eq!(
        api.add_member(&admin, cohort, instructor, "instructor")
            .await
            .status(),
        204
    );
    assert_eq!(
        api.add_member(&admin, elsewhere, outsider, "instructor")
            .await
            .status(),
        204
    );
    let teacher = api.token("teacher", &password_of("teacher")).await;
    let other_teacher = api
        .token("other-teacher", &password_of("other-teacher"))
        .await;
    let student_token = api.token("grad-one", &password_of("grad-one")).await;

    // Readiness: no data yet, never a number; the student and their instructor may look; an
    // instructor outside the student's cohorts may not; an unknown student is not found.
    let path = format!("/api/v1/analytics/student/{student}/readiness");
    for token in [&student_token, &teacher, &admin] {
        let response = api.get(&path, token).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "no_data_yet");
        assert_eq!(body["n"], 0);
        assert!(body.get("readiness").is_none());
    }
    let response = api.get(&path, &other_teacher).await;
    assert_eq!(response.status(), 403);
    assert_envelope(
        &response.json().await.unwrap(),
        "AUTHORIZATION_ERROR",
        &path,
    );
    let response = api
        .get("/api/v1/analytics/student/999999/readiness", &admin)
        .await;
    assert_eq!(response.status(), 404);
    let response = api
        .get(
            &format!("/api/v1/analytics/student/{instructor}/readiness"),
            &admin,
        )
        .await;
    assert_eq!(response.status(), 404, "an instructor is not a student");

    // Outcomes: bad input is refused precisely and records nothing.
    for (body, status, field) in [
        (
            json!({"student_id": student, "result": "pass", "date": "2026-13-01"}),
            422,
            Some("date"),
        ),
        (
            json!({"student_id": student, "result": "pass", "date": "2999-01-01"}),
            422,
            Some("date"),
        ),
        (
            json!({"student_id": student, "result": "maybe", "date": "2026-06-01"}),
            422,
            None,
        ),
        (
            json!({"student_id": instructor, "result": "pass", "date": "2026-06-01"}),
            422,
            Some("student_id"),
        ),
        (
            json!({"student_id": 999999, "result": "pass", "date": "2026-06-01"}),
            404,
            None,
        ),
    ] {
        let response = record(&api, &admin, body.clone()).await;
        assert_eq!(response.status(), status, "{body}");
        let envelope: Value = response.json().await.unwrap();
        if let Some(field) = field {
            assert_eq!(
                envelope["details"]["validation_errors"][0]["field"], field,
                "{body}"
            );
        }
    }
    let body = json!({"student_id": student, "result": "fail", "date": "2026-06-01"});
    assert_eq!(
        record(&api, &other_teacher, body.clone()).await.status(),
        403
    );
    assert_eq!(
        record(&api, &student_token, body.clone()).await.status(),
        403
    );

    let empty: Value = api
        .get("/api/v1/analytics/readiness/accuracy", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["n"], 0);
    assert_eq!(empty["without_prediction"], 0);
    assert!(empty["caveat"].is_string());

    // The cohort's instructor records the result; recording it again corrects it, once.
    let response = record(&api, &teacher, body).await;
    assert_eq!(response.status(), 201);
    let first: Value = response.json().await.unwrap();
    assert_eq!(first["created"], true);
    assert_eq!(first["outcome"]["result"], "fail");
    assert!(
        first["outcome"]["predicted_pass"].is_null(),
        "no responses, no prediction"
    );
    let response = record(
        &api,
        &admin,
        json!({"student_id": student, "result": "pass", "date": "2026-06-02"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.unwrap();
    assert_eq!(second["created"], false);
    assert_eq!(second["outcome"]["result"], "pass");

    let report: Value = api
        .get("/api/v1/analytics/readiness/accuracy", &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["n"], 0,
        "a result without a prediction is not scored"
    );
    assert_eq!(report["without_prediction"], 1, "counted once");
    let outsider_view: Value = api
        .get("/api/v1/analytics/readiness/accuracy", &other_teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        outsider_view["without_prediction"], 0,
        "other cohorts' results are not shown"
    );
    let response = api
        .get("/api/v1/analytics/readiness/accuracy", &student_token)
        .await;
    assert_eq!(response.status(), 403);
}
