use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Api, SECRET, password_of};
use crate::helpers::{Server, assert_envelope};

/// Starts (or resumes) an exam. The first request after a start builds the exam's item bank, which
/// takes a while in a debug build: 503 means "still preparing", so retry.
pub async fn start(api: &Api, token: &str, body: Value) -> reqwest::Response {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    loop {
        let response = http
            .post(api.server.url("/api/v1/cat/sessions"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        if response.status() != 503 || std::time::Instant::now() > deadline {
            return response;
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}

pub async fn answer(api: &Api, token: &str, session: i64, body: Value) -> reqwest::Response {
    api.send(
        Method::POST,
        &format!("/api/v1/cat/sessions/{session}/answers"),
        Some(token),
        Some(body),
    )
    .await
}

/// The key of a presented item, read from the bank by an admin (the student never sees it).
async fn key_of(api: &Api, admin: &str, item: &Value) -> Value {
    let id = item["id"].as_str().unwrap();
    let response = api.get(&format!("/api/v1/items/{id}"), admin).await;
    assert_eq!(response.status(), 200, "presented items are in the bank");
    let stored: Value = response.json().await.unwrap();
    if stored["item_type"] == "case_study" {
        let mut keys = serde_json::Map::new();
        for inner in stored["items"].as_array().unwrap() {
            keys.insert(
                inner["id"].as_str().unwrap().to_owned(),
                inner["correct_answer"].clone(),
            );
        }
        Value::Object(keys)
    } else {
        stored["correct_answer"].clone()
    }
}

/// An answer of the right shape that is wrong (or at least not the key).
/// An answer that earns nothing without knowing the key: an empty answer of the item type's shape
/// (scored 0), or a number no dosage or intake item has as its key. An option id the item does
/// not have would be refused as the wrong shape, not scored.
pub fn wrong_answer(item: &Value) -> Value {
    match item["item_type"].as_str().unwrap() {
        "multiple_choice" => json!(""),
        "numeric" => json!(-12345.0),
        "multiple_response" | "highlight" | "ordered_response" => json!([]),
        _ => json!({}),
    }
}

async fn progress_of(api: &Api, path: &str, token: &str) -> Value {
    let response = api.get(path, token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn restart(api: &mut Api) {
    api.server.kill();
    let dir = std::mem::replace(&mut api.server.dir, tempfile::tempdir().unwrap());
    let config = format!(
        "[rate_limits]\nper_ip_rps = 10000\nper_ip_burst = 10000\n\n[auth]\nsecret_key = \"{SECRET}\"\n\n"
    );
    api.server = Server::start_in(dir, &config, &[]);
}

#[tokio::test]
async fn an_adaptive_exam_runs_to_a_decision_and_survives_a_restart() {
    let mut api = Api::start();
    let admin = api.admin().await;
    let student_id = api.create_user(&admin, "cat-student", "student").await;
    let student = api.token("cat-student", &password_of("cat-student")).await;

    // Bad settings are refused before anything is stored.
    for (body, field) in [
        (json!({"min_items": 5}), "min_items"),
        (json!({"min_items": 20, "max_items": 10}), "max_items"),
        (json!({"max_items": 151}), "max_items"),
        (json!({"time_limit_minutes": 0}), "time_limit_minutes"),
    ] {
        let response = start(&api, &student, body).await;
        assert_eq!(response.status(), 422);
        let envelope: Value = response.json().await.unwrap();
        assert_envelope(&envelope, "VALIDATION_ERROR", "/api/v1/cat/sessions");
        assert_eq!(envelope["details"]["validation_errors"][0]["field"], field);
    }
    let response = start(&api, &student, json!({"bogus": 1})).await;
    assert_eq!(response.status(), 422);
    // Staff do not take exams.
    let response = start(&api, &admin, json!({})).await;
    assert_eq!(response.status(), 403);

    let response = start(&api, &student, json!({"min_items": 10, "max_items": 20})).await;
    assert_eq!(response.status(), 201);
    let started: Value = response.json().await.unwrap();
    let session = started["session_id"].as_i64().unwrap();
    assert_eq!(started["resumed"], false);
    assert_eq!(started["items_answered"], 0);
    let mut item = started["item"].clone();
    assert!(item["id"].is_string());
    assert!(
        item.get("correct_answer").is_none(),
        "no key for the student"
    );
    assert!(item.get("rationale").is_none());
    for provenance in ["seed", "item_model", "sources"] {
        assert!(
            item.get(provenance).is_none(),
            "{provenance} would let the student regenerate the key"
        );
    }

    // An answer for an item that was not presented changes nothing.
    let response = answer(
        &api,
        &student,
        session,
        json!({"item_id": "nope", "answer": "A"}),
    )
    .await;
    assert_eq!(response.status(), 422);
    let envelope: Value = response.json().await.unwrap();
    assert_eq!(
        envelope["details"]["validation_errors"][0]["field"],
        "item_id"
    );
    // An answer of the wrong shape changes nothing either.
    let response = answer(
        &api,
        &student,
        session,
        json!({"item_id": item["id"], "answer": {"not": ["a", "shape"]}}),
    )
    .await;
    if item["item_type"] == "multiple_choice" {
        assert_eq!(response.status(), 422);
    }
    // Another student cannot see or answer this session.
    api.create_user(&admin, "cat-other", "student").await;
    let other = api.token("cat-other", &password_of("cat-other")).await;
    let response = answer(
        &api,
        &other,
        session,
        json!({"item_id": item["id"], "answer": "A"}),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert_envelope(
        &response.json().await.unwrap(),
        "RESOURCE_NOT_FOUND",
        &format!("/api/v1/cat/sessions/{session}/answers"),
    );

    // Answer three items right, then abandon: starting again resumes the same exam.
    let mut answered_ids = Vec::new();
    for _ in 0..3 {
        let key = key_of(&api, &admin, &item).await;
        let response = answer(
            &api,
            &student,
            session,
            json!({"item_id": item["id"], "answer": key}),
        )
        .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        answered_ids.push(item["id"].clone());
        item = body["item"].clone();
        assert!(item["id"].is_string(), "{body}");
    }
    let resumed: Value = start(&api, &student, json!({})).await.json().await.unwrap();
    assert_eq!(resumed["session_id"], session);
    assert_eq!(resumed["resumed"], true);
    assert_eq!(resumed["item"]["id"], item["id"]);
    assert_eq!(resumed["items_answered"], 3);

    // The server restarts; the exam is still there, at the same item.
    restart(&mut api);
    let resumed: Value = start(&api, &student, json!({})).await.json().await.unwrap();
    assert_eq!(resumed["session_id"], session);
    assert_eq!(resumed["item"]["id"], item["id"]);
    assert_eq!(resumed["items_answered"], 3);

    // An item answered before is a conflict, not a second response.
    let response = answer(
        &api,
        &student,
        session,
        json!({"item_id": answered_ids[0], "answer": "A"}),
    )
    .await;
    assert_eq!(response.status(), 409);

    // Answer everything right: the 95% interval clears the cut at the minimum length.
    let mut result = Value::Null;
    for _ in 0..40 {
        let key = key_of(&api, &admin, &item).await;
        let response = answer(
            &api,
            &student,
            session,
            json!({"item_id": item["id"], "answer": key}),
        )
        .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        if body.get("result").is_some() {
            result = body["result"].clone();
            assert!(body.get("item").is_none());
            break;
        }
        item = body["item"].clone();
    }
    assert_eq!(result["decision"], "pass", "{result}");
    assert_eq!(result["stop_rule"], "confidence_interval");
    let answered = result["items_answered"].as_u64().unwrap();
    assert!((10..=20).contains(&answered), "{result}");
    for field in ["theta", "se", "ci_low", "ci_high", "p_pass"] {
        assert!(result[field].is_f64(), "{field} in {result}");
    }
    assert!(result["ci_low"].as_f64().unwrap() > 0.0);
    assert!(result["p_pass"].as_f64().unwrap() > 0.975);
    assert!(result["bands"].as_object().is_some_and(|b| !b.is_empty()));

    // The ended exam takes no more answers.
    let response = answer(
        &api,
        &student,
        session,
        json!({"item_id": item["id"], "answer": "A"}),
    )
    .await;
    assert_eq!(response.status(), 409);

    // Its responses feed the student's readiness, counted once each.
    let readiness: Value = api
        .get(
            &format!("/api/v1/analytics/student/{student_id}/readiness"),
            &student,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(readiness["status"], "estimated");
    assert_eq!(readiness["n"].as_u64().unwrap(), answered);
    assert!(readiness["readiness"]["p_pass"].as_f64().unwrap() > 0.5);

    // A new exam does not repeat the items just seen.
    let fresh: Value = start(&api, &student, json!({"min_items": 10, "max_items": 12}))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(fresh["session_id"], session);
    assert!(!answered_ids.contains(&fresh["item"]["id"]));
}

#[tokio::test]
async fn wrong_answers_fail_and_the_openapi_document_lists_the_routes() {
    let api = Api::start();
    let admin = api.admin().await;
    let student_id = api.create_user(&admin, "cat-weak", "student").await;
    let student = api.token("cat-weak", &password_of("cat-weak")).await;
    let started: Value = start(&api, &student, json!({"min_items": 10, "max_items": 15}))
        .await
        .json()
        .await
        .unwrap();
    let session = started["session_id"].as_i64().unwrap();
    let progress_path = format!("/api/v1/analytics/student/{student_id}/progress");
    // Nothing answered yet: no data (and that answer is now cached).
    assert_eq!(
        progress_of(&api, &progress_path, &admin).await["status"],
        "no_data_yet"
    );

    let mut item = started["item"].clone();
    let mut result = Value::Null;
    // The scored parts per client need: a case study's six items count one by one.
    let mut per_need: std::collections::BTreeMap<String, u64> = Default::default();
    let mut first_single: Option<String> = None;
    for index in 0..20 {
        let parts: Vec<&Value> = if item["item_type"] == "case_study" {
            item["items"].as_array().unwrap().iter().collect()
        } else {
            first_single.get_or_insert_with(|| item["id"].as_str().unwrap().to_owned());
            vec![&item]
        };
        for part in parts {
            let need = part["client_need"]
                .as_str()
                .expect("a presented item's client need");
            *per_need.entry(need.to_owned()).or_default() += 1;
        }
        let body: Value = answer(
            &api,
            &student,
            session,
            json!({"item_id": item["id"], "answer": wrong_answer(&item)}),
        )
        .await
        .json()
        .await
        .unwrap();
        if index == 0 {
            // The answer is not hidden behind the cached "no data yet".
            let progress = progress_of(&api, &progress_path, &admin).await;
            assert_eq!(progress["status"], "estimated", "{progress}");
            assert_eq!(progress["n"].as_u64(), Some(per_need.values().sum()));
        }
        if body.get("result").is_some() {
            result = body["result"].clone();
            break;
        }
        item = body["item"].clone();
        assert!(item.is_object(), "{body}");
    }
    assert_eq!(result["decision"], "fail", "{result}");
    assert!(result["ci_high"].as_f64().unwrap() < 0.0);

    // Progress by client need counts every scored part of the exam once, none of them correct;
    // the exam measures no time per item, and says so.
    let body = progress_of(&api, &progress_path, &student).await;
    let parts: u64 = per_need.values().sum();
    assert_eq!(body["n"].as_u64(), Some(parts), "{body}");
    let progress = &body["progress"];
    let overall = &progress["overall"];
    assert_eq!(overall["n"].as_u64(), Some(parts));
    assert_eq!(overall["adaptive_exam"].as_u64(), Some(parts));
    assert_eq!(overall["correct"], 0);
    assert_eq!(overall["timed"], 0);
    assert!(overall["mean_time_ms"].is_null(), "{overall}");
    assert_eq!(overall["with_points"].as_u64(), Some(parts));
    assert_eq!(overall["points"], 0);
    let by_need: std::collections::BTreeMap<String, u64> = progress["by_client_need"]
        .as_array()
        .unwrap()
        .iter()
        .map(|category| {
            assert_eq!(category["correct"], 0, "{category}");
            assert_eq!(category["adaptive_exam"], category["n"], "{category}");
            (
                category["key"].as_str().unwrap().to_owned(),
                category["n"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_need, per_need);
    for dimension in ["by_ncjmm_function", "by_item_type", "by_aacn_competency"] {
        let total: u64 = progress[dimension]
            .as_array()
            .unwrap()
            .iter()
            .map(|category| category["n"].as_u64().unwrap())
            .sum();
        assert_eq!(total, parts, "{dimension}: {body}");
    }
    let weekly: u64 = progress["weekly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|week| week["n"].as_u64().unwrap())
        .sum();
    assert_eq!(weekly, parts);
    // Readiness rests on the same responses.
    let readiness: Value = api
        .get(
            &format!("/api/v1/analytics/student/{student_id}/readiness"),
            &student,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(readiness["n"].as_u64(), Some(parts));

    // Item analysis stays classical (quiz and practice attempts) and counts the exam's responses
    // beside it.
    let single = first_single.expect("a stand-alone item among the first twenty");
    let quiz = api
        .send(
            Method::POST,
            "/api/v1/quizzes",
            Some(&admin),
            Some(json!({"title": "From the exam", "item_ids": [single]})),
        )
        .await;
    assert_eq!(quiz.status(), 201);
    let analysis: Value = api
        .get(&format!("/api/v1/analytics/items/{single}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(analysis["attempts"], 0, "{analysis}");
    assert_eq!(analysis["n"], 0, "{analysis}");
    assert_eq!(analysis["adaptive_exam_responses"], 1, "{analysis}");

    let doc: Value = api
        .http
        .get(api.server.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/cat/sessions",
        "/api/v1/cat/sessions/{session_id}/answers",
        "/api/v1/analytics/student/{student_id}/readiness",
        "/api/v1/analytics/outcomes",
        "/api/v1/analytics/readiness/accuracy",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} in the OpenAPI document"
        );
    }
}
