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

    // The list of recorded results: one per student, with the name, for whom the caller may see.
    let listed: Value = api
        .get("/api/v1/analytics/outcomes", &teacher)
        .await
        .json()
        .await
        .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "recording twice lists once");
    assert_eq!(listed[0]["student_id"], student);
    assert_eq!(listed[0]["username"], "grad-one");
    assert_eq!(listed[0]["result"], "pass");
    assert_eq!(listed[0]["date"], "2026-06-02");
    let outsiders: Value = api
        .get("/api/v1/analytics/outcomes", &other_teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outsiders.as_array().unwrap().len(), 0);
    assert_eq!(
        api.get("/api/v1/analytics/outcomes", &student_token)
            .await
            .status(),
        403
    );
}

async fn json_of(response: reqwest::Response, status: u16, what: &str) -> Value {
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{what}: {body}");
    body
}

#[tokio::test]
async fn progress_and_readiness_rest_on_scored_quiz_responses() {
    let api = Api::start_with(
        "assessment_per_hour = 1000000\ncontent_per_hour = 10000\nanalytics_per_hour = 10000",
        "",
    );
    let admin = api.admin().await;
    let cohort = api.create_cohort(&admin, "Cohort P").await;
    let elsewhere = api.create_cohort(&admin, "Cohort Q").await;
    let student = api.create_user(&admin, "learner-p", "student").await;
    let peer = api.create_user(&admin, "learner-q", "student").await;
    let instructor = api.create_user(&admin, "teacher-p", "instructor").await;
    let outsider = api.create_user(&admin, "teacher-q", "instructor").await;
    for (cohort, user, role) in [
        (cohort, student, "student"),
        (cohort, instructor, "instructor"),
        (elsewhere, peer, "student"),
        (elsewhere, outsider, "instructor"),
    ] {
        assert_eq!(
            api.add_member(&admin, cohort, user, role).await.status(),
            204
        );
    }
    let learner = api.token("learner-p", &password_of("learner-p")).await;
    let peer_token = api.token("learner-q", &password_of("learner-q")).await;
    let teacher = api.token("teacher-p", &password_of("teacher-p")).await;
    let other_teacher = api.token("teacher-q", &password_of("teacher-q")).await;

    // No responses: "no data yet" and no figures, for everyone who may look.
    let path = format!("/api/v1/analytics/student/{student}/progress");
    for token in [&learner, &teacher, &admin] {
        let body = json_of(api.get(&path, token).await, 200, "empty progress").await;
        assert_eq!(body["status"], "no_data_yet");
        assert_eq!(body["n"], 0);
        assert!(body.get("progress").is_none(), "{body}");
    }
    for token in [&other_teacher, &peer_token] {
        let envelope = json_of(api.get(&path, token).await, 403, "outsider").await;
        assert_envelope(&envelope, "AUTHORIZATION_ERROR", &path);
    }
    json_of(
        api.get("/api/v1/analytics/student/999999/progress", &admin)
            .await,
        404,
        "unknown student",
    )
    .await;
    json_of(
        api.get(
            &format!("/api/v1/analytics/student/{instructor}/progress"),
            &admin,
        )
        .await,
        404,
        "not a student",
    )
    .await;
    let envelope = json_of(
        api.get("/api/v1/analytics/student/abc/progress", &admin)
            .await,
        422,
        "not a number",
    )
    .await;
    assert_eq!(
        envelope["details"]["validation_errors"][0]["field"],
        "student_id"
    );

    // A quiz of ten items; the student answers six with their keys and leaves four blank.
    let generated = json_of(
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(180))
            .build()
            .unwrap()
            .post(api.server.url("/api/v1/nclex/generate"))
            .bearer_auth(&admin)
            .json(&json!({"topic": "pharmacology", "question_count": 10,
                          "item_types": ["multiple_choice"], "seed": 11}))
            .send()
            .await
            .unwrap(),
        200,
        "generate",
    )
    .await;
    let ids: Vec<Value> = generated["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].clone())
        .collect();
    assert_eq!(ids.len(), 10);
    let quiz = json_of(
        api.send(
            Method::POST,
            "/api/v1/quizzes",
            Some(&teacher),
            Some(json!({"title": "Progress quiz", "item_ids": ids, "cohort_ids": [cohort]})),
        )
        .await,
        201,
        "quiz",
    )
    .await;
    let quiz_id = quiz["id"].as_i64().unwrap();
    let started = json_of(
        api.send(
            Method::POST,
            &format!("/api/v1/quizzes/{quiz_id}/attempts"),
            Some(&learner),
            None,
        )
        .await,
        201,
        "start",
    )
    .await;
    let attempt = started["attempt_id"].as_i64().unwrap();
    for item in quiz["items"].as_array().unwrap().iter().take(6) {
        json_of(
            api.send(
                Method::PUT,
                &format!(
                    "/api/v1/attempts/{attempt}/responses/{}",
                    item["id"].as_str().unwrap()
                ),
                Some(&learner),
                Some(json!({"answer": item["correct_answer"]})),
            )
            .await,
            200,
            "save",
        )
        .await;
    }
    json_of(
        api.send(
            Method::POST,
            &format!("/api/v1/attempts/{attempt}/submit"),
            Some(&learner),
            None,
        )
        .await,
        200,
        "submit",
    )
    .await;

    // The cached "no data yet" is not served: the new responses show at once.
    let body = json_of(api.get(&path, &teacher).await, 200, "progress").await;
    assert_eq!(body["status"], "estimated", "{body}");
    assert_eq!(body["n"], 10);
    let progress = &body["progress"];
    let overall = &progress["overall"];
    assert_eq!(overall["n"], 10);
    assert_eq!(overall["correct"], 6);
    assert_eq!(overall["answered"], 6);
    assert!((overall["accuracy"].as_f64().unwrap() - 0.6).abs() < 1e-9);
    // Wilson 95% for 6 of 10: 0.3127 to 0.8318.
    assert!((overall["accuracy_ci_low"].as_f64().unwrap() - 0.3127).abs() < 1e-3);
    assert!((overall["accuracy_ci_high"].as_f64().unwrap() - 0.8318).abs() < 1e-3);
    assert_eq!(progress["min_evidence"], 20);
    assert_eq!(progress["by_item_type"][0]["key"], "multiple_choice");
    assert_eq!(progress["by_item_type"][0]["n"], 10);
    // Ten answers are too few to call anything a strength or a weakness.
    for dimension in [
        "by_client_need",
        "by_ncjmm_function",
        "by_item_type",
        "by_aacn_domain",
        "by_aacn_competency",
    ] {
        for category in progress[dimension].as_array().unwrap() {
            assert_eq!(category["verdict"], "insufficient_evidence", "{category}");
        }
    }
    assert!(progress["strengths"].as_array().unwrap().is_empty());
    assert!(progress["weaknesses"].as_array().unwrap().is_empty());
    let weekly = progress["weekly"].as_array().unwrap();
    assert_eq!(weekly.len(), 1);
    assert_eq!(weekly[0]["n"], 10);
    let gaps = progress["knowledge_gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 8, "every client need has too little practice");
    assert!(
        gaps.iter()
            .all(|gap| gap["reason"] == "too_little_practice")
    );

    // A recommendation is a practice body the server accepts as it stands.
    let recommendation = &progress["recommendations"][0]["practice"];
    assert!(
        recommendation["client_need"].is_string(),
        "{recommendation}"
    );
    json_of(
        api.send(
            Method::POST,
            "/api/v1/practice",
            Some(&learner),
            Some(recommendation.clone()),
        )
        .await,
        201,
        "recommended practice",
    )
    .await;

    // Readiness rests on the quiz responses too.
    let readiness = json_of(
        api.get(
            &format!("/api/v1/analytics/student/{student}/readiness"),
            &learner,
        )
        .await,
        200,
        "readiness",
    )
    .await;
    assert_eq!(readiness["status"], "estimated", "{readiness}");
    assert_eq!(readiness["n"], 10);
    assert_eq!(readiness["readiness"]["n"], 10);

    // Item and quiz analysis: staff only, each figure with its n.
    let quiz_path = format!("/api/v1/analytics/quizzes/{quiz_id}");
    let report = json_of(api.get(&quiz_path, &teacher).await, 200, "quiz analysis").await;
    assert_eq!(report["quiz_id"], quiz_id);
    assert_eq!(report["attempts"], 1);
    assert_eq!(report["reliability"]["n"], 1);
    assert_eq!(report["reliability"]["k"], 10);
    assert!(
        report["reliability"]["kr20"].is_null(),
        "one attempt: no KR-20"
    );
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let first = &items[0];
    assert_eq!(first["n"], 1);
    assert_eq!(first["difficulty"], 1.0, "answered with its key");
    assert!(
        first["flags"].as_array().unwrap().is_empty(),
        "no flags on n = 1"
    );
    let key = quiz["items"][0]["correct_answer"].as_str().unwrap();
    let chosen: Vec<&Value> = first["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|option| option["share"] == 1.0)
        .collect();
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0]["option"], key);
    assert_eq!(chosen[0]["is_key"], true);
    assert_eq!(items[9]["difficulty"], 0.0, "left blank");
    let item_id = quiz["items"][0]["id"].as_str().unwrap();
    let item_path = format!("/api/v1/analytics/items/{item_id}");
    let item = json_of(api.get(&item_path, &admin).await, 200, "item analysis").await;
    assert_eq!(item["item_id"], item_id);
    assert_eq!(item["attempts"], 1);
    assert_eq!(item["adaptive_exam_responses"], 0);
    assert_eq!(item["n"], 1);
    for (path, token, status) in [
        (quiz_path.as_str(), &learner, 403),
        (item_path.as_str(), &learner, 403),
        ("/api/v1/analytics/quizzes/999999", &teacher, 404),
        ("/api/v1/analytics/items/no-such-item", &teacher, 404),
        ("/api/v1/analytics/quizzes/abc", &teacher, 422),
    ] {
        json_of(api.get(path, token).await, status, path).await;
    }

    // A quiz's analysis is for its author, its cohorts' instructors and admins; an item's rests
    // on the responses of the caller's own cohorts' students (admins: everyone's).
    let refused = json_of(
        api.get(&quiz_path, &other_teacher).await,
        403,
        "another cohort's instructor",
    )
    .await;
    assert_envelope(&refused, "AUTHORIZATION_ERROR", &quiz_path);
    assert_eq!(item["scope"], "all");
    let outside = json_of(api.get(&item_path, &other_teacher).await, 200, "item").await;
    assert_eq!(outside["scope"], "own_cohorts");
    assert_eq!(outside["attempts"], 0, "{outside}");
    assert_eq!(outside["n"], 0, "{outside}");
    let inside = json_of(api.get(&item_path, &teacher).await, 200, "item").await;
    assert_eq!(inside["scope"], "own_cohorts");
    assert_eq!(inside["attempts"], 1, "{inside}");
    assert!(item.get("calibration").is_none(), "no run yet: {item}");

    // Calibration: staff only; on demand it estimates every item from the stored responses.
    let calibration_path = "/api/v1/analytics/calibration";
    let before = json_of(api.get(calibration_path, &teacher).await, 200, "no run").await;
    assert!(before.get("run").is_none(), "{before}");
    assert_eq!(before["items"], json!([]));
    for (method, token) in [(Method::GET, &learner), (Method::POST, &learner)] {
        let envelope = json_of(
            api.send(method, calibration_path, Some(token), None).await,
            403,
            "student calibration",
        )
        .await;
        assert_envelope(&envelope, "AUTHORIZATION_ERROR", calibration_path);
    }
    let ran = json_of(
        api.send(Method::POST, calibration_path, Some(&teacher), None)
            .await,
        200,
        "calibrate",
    )
    .await;
    let run = &ran["run"];
    assert_eq!(run["trigger"], "on_demand", "{ran}");
    assert_eq!(run["responses"], 10);
    assert_eq!(run["items"], 10);
    assert_eq!(run["persons"], 1);
    assert_eq!(ran["min_n_for_adaptive_exam"], 30);
    let calibrated = ran["items"].as_array().unwrap();
    assert_eq!(calibrated.len(), 10);
    let first_item = calibrated
        .iter()
        .find(|entry| entry["item_id"] == item_id)
        .expect("the answered item is calibrated");
    assert_eq!(first_item["n"], 1);
    assert_eq!(
        first_item["misfit"], false,
        "no fit verdict on one response"
    );
    assert_eq!(first_item["used_by_adaptive_exam"], false);
    // Answered right, it comes out easier than its prior.
    assert!(
        first_item["b"].as_f64().unwrap() < first_item["prior_mean"].as_f64().unwrap(),
        "{first_item}"
    );
    let again = json_of(api.get(calibration_path, &admin).await, 200, "report").await;
    assert_eq!(again["run"]["run_id"], run["run_id"]);
    assert_eq!(
        (
            again["total"].as_i64(),
            again["limit"].as_i64(),
            again["offset"].as_i64()
        ),
        (Some(10), Some(50), Some(0))
    );
    assert_eq!(again["misfit_only"], false);

    // The report pages through the items in one stable order, each page with the total.
    let full: Vec<Value> = again["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["item_id"].clone())
        .collect();
    let mut paged = Vec::new();
    for offset in [0, 4, 8] {
        let page = json_of(
            api.get(
                &format!("{calibration_path}?limit=4&offset={offset}"),
                &teacher,
            )
            .await,
            200,
            "page",
        )
        .await;
        assert_eq!(page["total"], 10, "{page}");
        assert_eq!(
            (page["limit"].as_i64(), page["offset"].as_i64()),
            (Some(4), Some(offset))
        );
        assert_eq!(page["run"]["run_id"], run["run_id"]);
        let ids = page["items"].as_array().unwrap();
        assert_eq!(ids.len(), if offset == 8 { 2 } else { 4 }, "{page}");
        paged.extend(ids.iter().map(|entry| entry["item_id"].clone()));
    }
    assert_eq!(paged, full);
    let past = json_of(
        api.get(&format!("{calibration_path}?offset=10"), &admin)
            .await,
        200,
        "past the end",
    )
    .await;
    assert_eq!(past["items"], json!([]));
    assert_eq!(past["total"], 10);
    // No item misfits on one response each: the filter finds none, and says how many it matched.
    let misfits = json_of(
        api.get(&format!("{calibration_path}?misfit_only=true"), &admin)
            .await,
        200,
        "misfits",
    )
    .await;
    assert_eq!(
        (misfits["total"].as_i64(), misfits["misfitting"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(misfits["misfit_only"], true);
    assert_eq!(misfits["items"], json!([]));
    // Bad paging is refused with the parameter named, before anything runs.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "query"),
        ("misfit_only=maybe", "query"),
        ("page=2", "query"),
    ] {
        let path = format!("{calibration_path}?{query}");
        let envelope = json_of(api.get(&path, &teacher).await, 422, &path).await;
        assert_envelope(&envelope, "VALIDATION_ERROR", calibration_path);
        assert_eq!(
            envelope["details"]["validation_errors"][0]["field"], field,
            "{envelope}"
        );
    }
    let envelope = json_of(
        api.send(
            Method::POST,
            &format!("{calibration_path}?limit=0"),
            Some(&teacher),
            None,
        )
        .await,
        422,
        "bad page on a run",
    )
    .await;
    assert_eq!(
        envelope["details"]["validation_errors"][0]["field"],
        "limit"
    );
    let runs_after = json_of(api.get(calibration_path, &admin).await, 200, "report").await;
    assert_eq!(
        runs_after["run"]["run_id"], run["run_id"],
        "the refused run did not run"
    );
    let item = json_of(api.get(&item_path, &admin).await, 200, "item analysis").await;
    assert_eq!(item["calibration"]["n"], 1, "{item}");
    assert_eq!(item["calibration"]["b"], first_item["b"]);

    // Cohort analytics: its instructors and admins; JSON or CSV.
    let cohort_path = format!("/api/v1/analytics/cohorts/{cohort}");
    let report = json_of(api.get(&cohort_path, &teacher).await, 200, "cohort").await;
    assert_eq!(report["cohort_id"], cohort);
    assert_eq!(report["students"], 1);
    assert_eq!(report["readiness"]["students_with_data"], 1);
    let summary = &report["student_summaries"][0];
    assert_eq!(summary["student_id"], student);
    assert_eq!(summary["n"], 10);
    assert_eq!(summary["readiness"]["n"], 10);
    assert_eq!(summary["days_since_activity"], 0);
    let need_responses: u64 = report["by_client_need"]
        .as_array()
        .unwrap()
        .iter()
        .map(|need| need["responses"].as_u64().unwrap())
        .sum();
    assert_eq!(need_responses, 10);
    let other = json_of(
        api.get(&format!("/api/v1/analytics/cohorts/{elsewhere}"), &admin)
            .await,
        200,
        "other cohort",
    )
    .await;
    assert_eq!(other["readiness"]["students_without_data"], 1);
    assert_eq!(other["at_risk"], json!([peer]));
    assert_eq!(
        other["student_summaries"][0]["risks"],
        json!([{"reason": "inactive"}]),
        "never active"
    );
    let csv = api
        .get(&format!("{cohort_path}?format=csv"), &teacher)
        .await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("student_id,username,"));
    assert!(
        lines[1].starts_with(&format!("{student},\"learner-p\",")),
        "{text}"
    );
    let accepted = api
        .http
        .get(api.server.url(&cohort_path))
        .bearer_auth(&teacher)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    assert_eq!(accepted.text().await.unwrap(), text);
    for (path, token, status) in [
        (cohort_path.clone(), &other_teacher, 403),
        (cohort_path.clone(), &learner, 403),
        ("/api/v1/analytics/cohorts/999999".to_owned(), &admin, 404),
        (format!("{cohort_path}?format=xml"), &teacher, 422),
    ] {
        json_of(api.get(&path, token).await, status, &path).await;
    }
}
