//! `ApiJson<T>`: axum's JSON extractor with our envelope for every rejection (415 for a missing or
//! wrong content type, 413 for an oversized body, 422 naming the field for bad JSON or wrong types,
//! including an array where an object is expected).

mod objects;

use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::http::AppState;
use crate::http::error::{ApiError, FieldError};

/// A JSON request body (as extractor) or response body.
pub struct ApiJson<T>(pub T);

impl<T> FromRequest<AppState> for ApiJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "expected a JSON body with the header Content-Type: application/json".into(),
            ));
        }
        let limit = state.config.server.max_body_bytes;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge { limit }
                } else {
                    ApiError::BadRequest(format!("could not read the request body: {rejection}"))
                }
            })?;
        parse_json(&body).map(ApiJson)
    }
}

/// Parses a JSON body, naming the field that is wrong.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::validation(
            "body",
            "the request body is empty; expected a JSON object",
        ));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let parsed = serde_path_to_error::deserialize(objects::ObjectsOnly(&mut *deserializer))
        .map_err(|error| (error.path().to_string(), error.into_inner()))
        // Like serde_json::from_slice: nothing but whitespace may follow the value.
        .and_then(|value| {
            deserializer
                .end()
                .map(|()| value)
                .map_err(|error| (String::new(), error))
        });
    parsed.map_err(|(field, inner)| {
        let message = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                format!(
                    "malformed JSON at line {} column {}",
                    inner.line(),
                    inner.column()
                )
            }
            _ => strip_position(&inner.to_string()),
        };
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned);
        let field = match (field.as_str(), missing) {
            ("." | "", Some(name)) => name,
            ("." | "", None) => "body".to_owned(),
            (path, Some(name)) => format!("{path}.{name}"),
            (path, None) => path.to_owned(),
        };
        let error = FieldError::new(field, message);
        ApiError::Validation {
            message: format!("invalid request body: {}: {}", error.field, error.message),
            errors: vec![error],
        }
    })
}

/// serde_json appends "at line 1 column 17"; the field path says more to an API user.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        count: u8,
    }

    fn field_of(body: &str) -> (String, String) {
        match parse_json::<Login>(body.as_bytes()) {
            Err(ApiError::Validation { errors, .. }) => {
                (errors[0].field.clone(), errors[0].message.clone())
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn bad_bodies_name_the_field() {
        assert_eq!(field_of("{\"username\": 5, \"count\": 1}").0, "username");
        assert_eq!(field_of("{\"username\": \"a\", \"count\": 900}").0, "count");
        let (field, message) = field_of("{\"username\": \"a\"}");
        assert_eq!(field, "count");
        assert!(message.contains("missing field `count`"), "{message}");
        let (field, message) = field_of("{\"username\": ");
        assert_eq!(field, "username");
        assert!(message.starts_with("malformed JSON"), "{message}");
        assert_eq!(field_of("   ").0, "body");
        assert_eq!(field_of("{\"username\": \"a\", \"count\": 1} x").0, "body");
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Counts {
        small: u8,
        signed: Option<i64>,
        ratio: f64,
        list: Vec<u32>,
    }

    #[test]
    fn integral_floats_are_integers_and_other_floats_are_refused() {
        let parsed: Counts =
            parse_json(br#"{"small": 82.0, "signed": -3.0, "ratio": 2, "list": [1.0, 2]}"#)
                .unwrap();
        assert_eq!(
            parsed,
            Counts {
                small: 82,
                signed: Some(-3),
                ratio: 2.0,
                list: vec![1, 2]
            }
        );
        for body in [
            r#"{"small": 82.5, "signed": null, "ratio": 1, "list": []}"#,
            r#"{"small": 256.0, "signed": null, "ratio": 1, "list": []}"#,
            r#"{"small": -1.0, "signed": null, "ratio": 1, "list": []}"#,
            r#"{"small": 1, "signed": 1e300, "ratio": 1, "list": []}"#,
        ] {
            assert!(parse_json::<Counts>(body.as_bytes()).is_err(), "{body}");
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: Option<String>,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
        kind: Option<Kind>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        a: Option<u8>,
        b: Option<u8>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Kind {
        Plain,
        Shaped { x: u8 },
        Pair(u8, u8),
    }

    fn outer(body: &str) -> Result<Outer, (String, String)> {
        parse_json::<Outer>(body.as_bytes()).map_err(|error| match error {
            ApiError::Validation { errors, .. } => {
                (errors[0].field.clone(), errors[0].message.clone())
            }
            other => panic!("expected a validation error, got {other:?}"),
        })
    }

    #[test]
    fn arrays_are_refused_where_objects_are_expected_at_any_depth() {
        let (field, message) = outer("[null, null, null, null]").unwrap_err();
        assert_eq!(field, "body");
        assert!(
            message.contains("invalid type: sequence, expected struct Outer"),
            "{message}"
        );
        assert_eq!(outer(r#"{"inner": [1, 2]}"#).unwrap_err().0, "inner");
        assert_eq!(
            outer(r#"{"list": [{"a": 1}, [1, 2]]}"#).unwrap_err().0,
            "list[1]"
        );
        assert_eq!(
            outer(r#"{"kind": {"shaped": [1]}}"#).unwrap_err().0,
            "kind.shaped"
        );
        // Everything else decodes as before.
        let ok = outer(
            r#"{"name": "n", "inner": {"a": 1}, "list": [{"b": 2}], "kind": {"pair": [1, 2]}}"#,
        )
        .unwrap();
        assert!(matches!(ok.kind, Some(Kind::Pair(1, 2))));
        assert!(matches!(
            outer(r#"{"kind": "plain"}"#).unwrap().kind,
            Some(Kind::Plain)
        ));
        assert!(matches!(
            outer(r#"{"kind": {"shaped": {"x": 3}}}"#).unwrap().kind,
            Some(Kind::Shaped { x: 3 })
        ));
        let vec: Vec<u8> = parse_json(b"[1, 2]").unwrap();
        assert_eq!(vec, [1, 2]);
    }
}
