use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Api, password_of};
use crate::helpers::assert_envelope;

async fn generate(api: &Api, token: &str, body: Value) -> reqwest::Response {
    api.send(
        Method::POST,
        "/api/v1/nclex/generate",
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn generate_returns_items_in_the_contract_shape() {
    let api = Api::start();
    let admin = api.admin().await;
    let response = generate(
        &api,
        &admin,
        json!({"topic": "pharmacology", "question_count": 5, "difficulty": "beginner"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["x-ratelimit-limit"],
        "50",
        "content-generation quota"
    );
    let body: Value = response.json().await.unwrap();
    let questions = body["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 5);
    for question in questions {
        assert!(question["id"].as_str().is_some_and(|id| !id.is_empty()));
        assert_eq!(
            question["item_type"], "multiple_choice",
            "default item type"
        );
        assert!(question["question"].as_str().unwrap().len() > 20);
        assert!(question["options"].as_array().unwrap().len() >= 2);
        let key = question["correct_answer"].as_str().unwrap();
        assert!(["A", "B", "C", "D", "E"].contains(&key), "{key}");
        assert!(question["rationale"].as_str().unwrap().len() > 10);
        for option in question["options"].as_array().unwrap() {
            assert!(
                question["option_rationales"][option["id"].as_str().unwrap()].is_string(),
                "every option has a rationale"
            );
        }
        for field in [
            "scoring_rule",
            "max_points",
            "client_need",
            "ncjmm_function",
            "aacn_competency",
            "difficulty",
            "topic",
            "sources",
        ] {
            assert!(!question[field].is_null(), "{field} missing");
        }
    }
    assert_eq!(body["metadata"]["topic"], "pharmacology");
    assert_eq!(body["metadata"]["difficulty"], "beginner");
    assert!(body["metadata"]["generation_time"].is_number());

    // The same parameters give the same items (and come from the cache); another seed, others.
    let again: Value = generate(
        &api,
        &admin,
        json!({"topic": "pharmacology", "question_count": 5, "difficulty": "beginner"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let ids = |value: &Value| {
        value["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&body), ids(&again));
    assert_eq!(again["metadata"]["cached"], true);
    // Every seed the server derives stays below 2^53: the request's and each item's.
    const MAX_SEED: u64 = (1 << 53) - 1;
    assert!(
        body["metadata"]["seed"].as_u64().unwrap() <= MAX_SEED,
        "{body}"
    );
    for question in body["questions"].as_array().unwrap() {
        assert!(question["seed"].as_u64().unwrap() <= MAX_SEED, "{question}");
    }
    let largest: Value = generate(
        &api,
        &admin,
        json!({"topic": "pharmacology", "question_count": 2, "seed": MAX_SEED}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(largest["metadata"]["seed"], MAX_SEED, "{largest}");
    let other: Value = generate(
        &api,
        &admin,
        json!({"topic": "pharmacology", "question_count": 5, "seed": 99}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_ne!(ids(&body), ids(&other));
}

#[tokio::test]
async fn generate_rejects_bad_input_with_validation_envelopes() {
    let api = Api::start();
    let admin = api.admin().await;
    let cases = [
        (json!({}), "topic"),
        (
            json!({"topic": "warfarin", "question_count": 0}),
            "question_count",
        ),
        (
            json!({"topic": "warfarin", "question_count": 51}),
            "question_count",
        ),
        (
            json!({"topic": "warfarin", "question_count": 100}),
            "question_count",
        ),
        (
            json!({"topic": "warfarin", "question_count": "five"}),
            "question_count",
        ),
        (
            json!({"topic": "warfarin", "difficulty": "medium"}),
            "difficulty",
        ),
        (
            json!({"topic": "warfarin", "item_types": ["essay"]}),
            "item_types",
        ),
        (
            json!({"topic": "warfarin", "client_need": "vibes"}),
            "client_need",
        ),
        (json!({"topic": 42}), "topic"),
        // Seeds stay below 2^53 so JavaScript clients hold them exactly.
        (
            json!({"topic": "warfarin", "seed": 9_007_199_254_740_992u64}),
            "seed",
        ),
        (json!({"topic": "warfarin", "seed": u64::MAX}), "seed"),
        (json!({"topic": "warfarin", "seed": -1}), "seed"),
    ];
    for (body, field) in cases {
        let response = generate(&api, &admin, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let envelope: Value = response.json().await.unwrap();
        assert_envelope(&envelope, "VALIDATION_ERROR", "/api/v1/nclex/generate");
        assert_eq!(
            envelope["details"]["validation_errors"][0]["field"], field,
            "{body}: {envelope}"
        );
    }
    let malformed = api
        .http
        .post(api.server.url("/api/v1/nclex/generate"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"topic\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 422);

    let unknown: Value = generate(&api, &admin, json!({"topic": "hart failure"}))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("heart failure"),
        "closest topics suggested: {unknown}"
    );

    let without_token = api
        .send(
            Method::POST,
            "/api/v1/nclex/generate",
            None,
            Some(json!({"topic": "warfarin"})),
        )
        .await;
    assert_eq!(without_token.status(), 401);

    // A known topic that no model can serve with these filters is a counted generation failure.
    let impossible = generate(
        &api,
        &admin,
        json!({"topic": "warfarin", "client_need": "psychosocial_integrity"}),
    )
    .await;
    assert_eq!(impossible.status(), 422);
    let metrics = api
        .http
        .get(api.server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("nclex_generation_failures_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_fifty_first_generation_in_an_hour_is_refused() {
    let api = Api::start();
    let admin = api.admin().await;
    for call in 0..50 {
        let response = generate(
            &api,
            &admin,
            json!({"topic": "pharmacology", "question_count": 1, "seed": call}),
        )
        .await;
        assert_eq!(response.status(), 200, "call {call}");
    }
    let response = generate(
        &api,
        &admin,
        json!({"topic": "pharmacology", "question_count": 1}),
    )
    .await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["x-ratelimit-limit"], "50");
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(body["details"]["endpoint_type"], "content");
    // Reading stays possible: other classes have their own quotas.
    assert_eq!(api.get("/api/v1/auth/me", &admin).await.status(), 200);
}

#[tokio::test]
async fn generated_items_land_in_the_bank_and_instructors_curate_it() {
    let api = Api::start();
    let admin = api.admin().await;
    api.create_user(&admin, "teacher", "instructor").await;
    api.create_user(&admin, "pupil", "student").await;
    let teacher = api.token("teacher", &password_of("teacher")).await;
    let pupil = api.token("pupil", &password_of("pupil")).await;

    let generated: Value = generate(
        &api,
        &pupil,
        json!({"topic": "warfarin", "question_count": 1}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = generated["questions"][0]["id"].as_str().unwrap().to_owned();

    let page: Value = api
        .get("/api/v1/items?limit=10", &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["id"] == id.as_str()),
        "{page}"
    );
    let item: Value = api
        .get(&format!("/api/v1/items/{id}"), &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["origin"], "generated");
    assert_eq!(
        api.get(&format!("/api/v1/items/{id}"), &pupil)
            .await
            .status(),
        403,
        "students do not browse keys"
    );
    assert_eq!(api.get("/api/v1/items", &pupil).await.status(), 403);
    assert_eq!(
        api.get("/api/v1/items/no-such-item", &teacher)
            .await
            .status(),
        404
    );
    assert_eq!(
        api.get("/api/v1/items?item_type=essay", &teacher)
            .await
            .status(),
        422
    );

    // An instructor's own item passes the same gate.
    let mut authored = json!({
        "item_type": "multiple_choice",
        "question": "Which action should the nurse take first when a client receiving a blood transfusion reports chills?",
        "options": [
            {"id": "A", "text": "Stop the transfusion"},
            {"id": "B", "text": "Slow the transfusion rate"},
            {"id": "C", "text": "Recheck vital signs in one hour"},
            {"id": "D", "text": "Offer a warm blanket"}
        ],
        "correct_answer": "A",
        "scoring_rule": "zero_one",
        "max_points": 1,
        "rationale": "Chills during a transfusion suggest a reaction: stopping the transfusion comes first.",
        "option_rationales": {
            "A": "Stopping the transfusion limits exposure to the reacting blood product.",
            "B": "Slowing still infuses the product that may be causing the reaction.",
            "C": "Waiting an hour delays treatment of a possible reaction.",
            "D": "Warmth treats comfort, not the cause of the chills."
        },
        "client_need": "reduction_of_risk",
        "ncjmm_function": "take_action",
        "aacn_competency": "5.2",
        "qsen_competency": "safety",
        "difficulty": "intermediate",
        "topic": "blood transfusion",
        "sources": [{"id": "school-policy", "citation": "Transfusion policy, School of Nursing skills lab, 2026"}],
        "source_facts": [],
        "item_model": "x",
        "seed": 0
    });
    let created = api
        .send(
            Method::POST,
            "/api/v1/items",
            Some(&teacher),
            Some(authored.clone()),
        )
        .await;
    let status = created.status();
    let created: Value = created.json().await.unwrap();
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["origin"], "authored");
    let authored_id = created["id"].as_str().unwrap().to_owned();

    authored["options"][3]["text"] = json!("All of the above");
    let flawed = api
        .send(
            Method::POST,
            "/api/v1/items",
            Some(&teacher),
            Some(authored),
        )
        .await;
    assert_eq!(flawed.status(), 422);
    let flawed: Value = flawed.json().await.unwrap();
    assert!(
        flawed["message"]
            .as_str()
            .unwrap()
            .contains("All of the above"),
        "{flawed}"
    );
    assert_eq!(
        api.send(Method::POST, "/api/v1/items", Some(&pupil), Some(json!({})))
            .await
            .status(),
        403
    );

    let retired = api
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{authored_id}"),
            Some(&teacher),
            Some(json!({"status": "retired"})),
        )
        .await;
    assert_eq!(retired.status(), 200);
    let active: Value = api
        .get("/api/v1/items?origin=authored", &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(active["total"], 0);
    let retired_list: Value = api
        .get("/api/v1/items?origin=authored&status=retired", &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retired_list["total"], 1);
}

#[tokio::test]
async fn a_blueprint_exam_follows_the_test_plan() {
    let api = Api::start();
    let admin = api.admin().await;
    let response = api
        .send(
            Method::POST,
            "/api/v1/nclex/blueprint",
            Some(&admin),
            Some(json!({"count": 75, "seed": 1})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let total = body["questions"].as_array().unwrap().len() as f64;
    assert_eq!(total, 75.0);
    for share in body["shares"].as_array().unwrap() {
        let percent = share["items"].as_f64().unwrap() * 100.0 / total;
        assert!(
            percent >= share["test_plan_low"].as_f64().unwrap() - 1e-9,
            "{share}"
        );
        assert!(
            percent <= share["test_plan_high"].as_f64().unwrap() + 1e-9,
            "{share}"
        );
    }
    let bad = api
        .send(
            Method::POST,
            "/api/v1/nclex/blueprint",
            Some(&admin),
            Some(json!({"count": 500})),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad_seed = api
        .send(
            Method::POST,
            "/api/v1/nclex/blueprint",
            Some(&admin),
            Some(json!({"count": 75, "seed": 9_007_199_254_740_992u64})),
        )
        .await;
    assert_eq!(bad_seed.status(), 422);
    let envelope: Value = bad_seed.json().await.unwrap();
    assert_eq!(
        envelope["details"]["validation_errors"][0]["field"], "seed",
        "{envelope}"
    );
}

#[tokio::test]
async fn bank_items_export_for_an_lms_from_the_api_and_the_cli() {
    let api = Api::start();
    let admin = api.admin().await;
    let made = generate(&api, &admin, json!({"topic": "pharmacology", "question_count": 4, "item_types": ["multiple_choice", "multiple_response", "numeric"]})).await;
    assert_eq!(made.status(), 200);

    let moodle = api.get("/api/v1/items/export?format=moodle", &admin).await;
    assert_eq!(moodle.status(), 200);
    assert!(
        moodle.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("bsn-items-moodle.xml")
    );
    let exported: usize = moodle.headers()["x-items-exported"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(exported >= 1);
    let text = moodle.text().await.unwrap();
    assert!(
        text.contains("<quiz>") && text.contains("<question type=\"multichoice\">"),
        "{text}"
    );

    let qti = api.get("/api/v1/items/export?format=qti30", &admin).await;
    assert_eq!(qti.status(), 200);
    assert_eq!(
        &qti.bytes().await.unwrap()[..2],
        b"PK",
        "a zip content package"
    );
    assert_eq!(
        api.get("/api/v1/items/export?format=docx", &admin)
            .await
            .status(),
        422
    );

    let out = api.server.dir.path().join("export.gift");
    let outcome = crate::helpers::run(
        api.server.dir.path(),
        &[
            "export",
            "--format",
            "gift",
            "--output",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stdout.contains("items exported"),
        "{}",
        outcome.stdout
    );
    let gift = std::fs::read_to_string(&out).unwrap();
    assert!(gift.contains("::") && gift.contains('{'), "{gift}");
    assert_eq!(
        crate::helpers::run(api.server.dir.path(), &["export", "--format", "pdf"], &[]).code,
        2
    );

    let audit: Value = api
        .get("/api/v1/admin/audit?action=export", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        audit["entries"].as_array().unwrap().len(),
        3,
        "two API exports and one CLI export are audited"
    );
}

#[tokio::test]
async fn the_bank_list_and_export_search_stems_and_topics() {
    let api = Api::start();
    let admin = api.admin().await;
    let made = generate(
        &api,
        &admin,
        json!({"topic": "warfarin", "question_count": 2}),
    )
    .await;
    assert_eq!(made.status(), 200);
    let made = generate(
        &api,
        &admin,
        json!({"topic": "delegation", "question_count": 2}),
    )
    .await;
    assert_eq!(made.status(), 200);

    let all: Value = api.get("/api/v1/items", &admin).await.json().await.unwrap();
    let total = all["total"].as_i64().unwrap();
    let matching = |item: &Value| {
        let text = format!("{} {}", item["question"], item["topic"]).to_lowercase();
        text.contains("warfarin")
    };
    let expected = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| matching(item))
        .count();
    assert!(expected >= 1 && (expected as i64) < total, "{all}");

    let page: Value = api
        .get("/api/v1/items?q=%20WarFarin%20", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"].as_i64().unwrap(), expected as i64, "{page}");
    assert!(
        page["items"].as_array().unwrap().iter().all(matching),
        "{page}"
    );

    let none: Value = api
        .get("/api/v1/items?q=no%20such%20words%20zzz", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["total"], 0);
    let blank: Value = api
        .get("/api/v1/items?q=%20", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        blank["total"].as_i64().unwrap(),
        total,
        "a blank search is no search"
    );
    let long = "a".repeat(201);
    let refused = api.get(&format!("/api/v1/items?q={long}"), &admin).await;
    assert_eq!(refused.status(), 422);
    let envelope: Value = refused.json().await.unwrap();
    assert_envelope(&envelope, "VALIDATION_ERROR", "/api/v1/items");

    let exported = api
        .get("/api/v1/items/export?format=gift&q=warfarin", &admin)
        .await;
    assert_eq!(exported.status(), 200);
    let count: usize = exported.headers()["x-items-exported"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        count, expected,
        "multiple choice only, so every match exports"
    );
    let gift = exported.text().await.unwrap();
    assert!(gift.to_lowercase().contains("warfarin"), "{gift}");
}
