//! The OpenAPI document the binary serves: valid (an OpenAPI validator accepts it) and true to the
//! server (parameters where the server reads them, the shared error responses, the answer and seed
//! shapes), and JSON bodies refused when they are not the object the document says.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::Api;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document(api: &Api) -> Value {
    let response = api
        .http
        .get(api.server.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Every operation as (path, method, operation).
fn operations(spec: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((path.clone(), method.to_owned(), operation.clone()));
            }
        }
    }
    found
}

fn validator() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BSN_TEST_OPENAPI_VALIDATOR") {
        return Some(PathBuf::from(path));
    }
    let venv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/openapi-spec-validator");
    venv.is_file().then_some(venv)
}

#[tokio::test]
async fn the_document_passes_an_openapi_validator() {
    let api = Api::start();
    let spec = document(&api).await;
    let Some(validator) = validator() else {
        assert!(
            std::env::var_os("BSN_REQUIRE_OPENAPI_VALIDATOR").is_none(),
            "BSN_REQUIRE_OPENAPI_VALIDATOR is set but no openapi-spec-validator was found"
        );
        eprintln!("skipped: no openapi-spec-validator (pip install openapi-spec-validator)");
        return;
    };
    let file = api.server.dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&spec).unwrap()).unwrap();
    let output = Command::new(validator).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the validator refused the document:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("OK"), "{stdout}");
}

#[tokio::test]
async fn parameters_and_error_responses_are_where_the_server_has_them() {
    let api = Api::start();
    let spec = document(&api).await;
    for (path, method, operation) in operations(&spec) {
        let name = format!("{} {path}", method.to_uppercase());
        let responses = operation["responses"].as_object().unwrap();
        for (status, response) in responses {
            let description = response["description"].as_str().unwrap_or("");
            assert!(
                !description.is_empty(),
                "{name} {status} has no description"
            );
        }
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let parameter_name = parameter["name"].as_str().unwrap();
            let in_template = path.contains(&format!("{{{parameter_name}}}"));
            match parameter["in"].as_str().unwrap() {
                "path" => assert!(in_template, "{name}: {parameter_name} is not in the path"),
                "query" => assert!(!in_template, "{name}: {parameter_name} is in the path"),
                other => panic!("{name}: unexpected parameter location {other}"),
            }
        }
        let secured = operation["security"]
            .as_array()
            .is_some_and(|list| list.iter().any(|entry| entry != &json!({})));
        let mut expected: Vec<&str> = Vec::new();
        if secured {
            expected.push("401");
        }
        if path != "/health" {
            expected.push("429");
        }
        if operation.get("requestBody").is_some() {
            expected.extend(["413", "415", "422"]);
        }
        if operation["parameters"]
            .as_array()
            .is_some_and(|list| !list.is_empty())
        {
            expected.push("422");
        }
        for status in expected {
            let response = responses
                .get(status)
                .unwrap_or_else(|| panic!("{name} does not declare {status}"));
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorEnvelope",
                "{name} {status}"
            );
        }
    }
    // The routes the original document got wrong: query parameters are query parameters.
    for (path, parameter) in [
        ("/api/v1/admin/audit", "limit"),
        ("/api/v1/auth/users", "skip"),
        ("/api/v1/items", "item_type"),
        ("/api/v1/items/export", "format"),
    ] {
        let declared = spec["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|declared| declared["name"] == parameter)
            .unwrap_or_else(|| panic!("{path} lacks {parameter}"))
            .clone();
        assert_eq!(declared["in"], "query", "{path} {parameter}");
    }
    // The audit filter lists every action it accepts.
    let action = spec["paths"]["/api/v1/admin/audit"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|declared| declared["name"] == "action")
        .expect("the audit log takes an action filter")
        .clone();
    assert_eq!(action["in"], "query");
    assert_ne!(action["required"], true);
    let action_schema = match action["schema"]["$ref"].as_str() {
        Some(reference) => spec["components"]["schemas"]
            [reference.trim_start_matches("#/components/schemas/")]
        .clone(),
        None => action["schema"].clone(),
    };
    let listed: Vec<&str> = action_schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("the action filter lists no values: {action}"))
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect();
    for expected in [
        "login",
        "login_failed",
        "role_changed",
        "backup_created",
        "competency_assessed",
    ] {
        assert!(
            listed.contains(&expected),
            "{expected} missing from {listed:?}"
        );
    }
    // The server accepts exactly what the document lists.
    let admin = api.admin().await;
    for value in &listed {
        let response = api
            .get(&format!("/api/v1/admin/audit?action={value}"), &admin)
            .await;
        assert_eq!(response.status(), 200, "{value}");
    }
    assert_eq!(
        api.get("/api/v1/admin/audit?action=logins", &admin)
            .await
            .status(),
        422
    );
    // Rules the server enforces are in the schemas.
    let list = &spec["paths"]["/api/v1/items"]["get"]["parameters"];
    let limit = list
        .as_array()
        .unwrap()
        .iter()
        .find(|declared| declared["name"] == "limit")
        .unwrap();
    assert_ne!(limit["required"], true);
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 200);
    let schemas = &spec["components"]["schemas"];
    let generate = &schemas["GenerateRequest"]["properties"];
    assert_eq!(generate["topic"]["maxLength"], 200);
    assert_eq!(generate["question_count"]["maximum"], 50);
}

#[tokio::test]
async fn answers_and_seeds_are_described_as_the_server_sends_them() {
    let api = Api::start();
    let spec = document(&api).await;
    let schemas = &spec["components"]["schemas"];
    let answer = &schemas["Item"]["properties"]["correct_answer"];
    let answer = match answer.get("$ref").and_then(Value::as_str) {
        Some(reference) => &schemas[reference.trim_start_matches("#/components/schemas/")],
        None => answer,
    };
    let shapes: Vec<&Value> = answer["oneOf"]
        .as_array()
        .unwrap_or_else(|| panic!("correct_answer is not a oneOf: {answer}"))
        .iter()
        .map(|shape| &shape["type"])
        .collect();
    assert_eq!(
        shapes,
        [
            &json!("string"),
            &json!("array"),
            &json!("number"),
            &json!("object")
        ]
    );
    // Seeds stay below 2^53 so JavaScript clients hold them exactly.
    for (schema, field) in [
        ("Item", "seed"),
        ("GenerateRequest", "seed"),
        ("GenerateMetadata", "seed"),
        ("BlueprintRequest", "seed"),
        ("BlueprintResponse", "seed"),
    ] {
        let seed = &schemas[schema]["properties"][field];
        assert_eq!(seed["minimum"], 0, "{schema}.{field}: {seed}");
        assert_eq!(
            seed["maximum"].as_u64(),
            Some((1u64 << 53) - 1),
            "{schema}.{field}: {seed}"
        );
    }
}

#[tokio::test]
async fn an_array_is_refused_where_the_body_must_be_an_object() {
    let api = Api::start();
    let token = api.admin().await;
    let before: Value = api
        .get("/api/v1/auth/users/1", &token)
        .await
        .json()
        .await
        .unwrap();
    for body in [
        json!([null, null]),
        json!([null, null, null, null]),
        json!([]),
    ] {
        let response = api
            .send(
                Method::PATCH,
                "/api/v1/auth/users/1",
                Some(&token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(response.status(), 422, "{body}");
        let envelope: Value = response.json().await.unwrap();
        crate::helpers::assert_envelope(&envelope, "VALIDATION_ERROR", "/api/v1/auth/users/1");
        let message = envelope["details"]["validation_errors"][0]["message"]
            .as_str()
            .unwrap();
        assert!(message.contains("expected struct"), "{message}");
    }
    // The same for every JSON body, here a new cohort given as an array.
    let response = api
        .send(
            Method::POST,
            "/api/v1/cohorts",
            Some(&token),
            Some(json!(["name", "description"])),
        )
        .await;
    assert_eq!(response.status(), 422);
    // Nothing changed.
    let after: Value = api
        .get("/api/v1/auth/users/1", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["display_name"], after["display_name"]);
    assert_eq!(before["role"], after["role"]);
    assert_eq!(before["is_active"], after["is_active"]);
    let cohorts: Value = api
        .get("/api/v1/cohorts", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cohorts, json!([]));
    // An object still works.
    let response = api
        .send(
            Method::PATCH,
            "/api/v1/auth/users/1",
            Some(&token),
            Some(json!({"display_name": "Head of Nursing"})),
        )
        .await;
    assert_eq!(response.status(), 200);
}
