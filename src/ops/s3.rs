//! Off-site copies: uploads a backup archive to S3-compatible storage (AWS S3, MinIO, Garage,
//! Backblaze B2, ...). Requests are signed with AWS Signature V4 by `rusty-s3` (a presigned `PUT`
//! URL, valid for one hour) and sent with reqwest. Without `[backup].s3_endpoint` the AWS endpoint of
//! the region is used with virtual-host addressing; with an endpoint, path-style addressing, which
//! every S3-compatible server understands.

use std::path::Path;
use std::time::Duration;

use rusty_s3::actions::S3Action;
use rusty_s3::{Bucket, Credentials, UrlStyle};

use crate::config::BackupConfig;

/// Region used when `[backup].s3_region` is unset.
pub const DEFAULT_REGION: &str = "us-east-1";
const PRESIGN_VALIDITY: Duration = Duration::from_secs(3_600);
const ATTEMPTS: u32 = 3;

/// Where archives go.
pub struct S3Target {
    bucket: Bucket,
    credentials: Credentials,
    client: reqwest::Client,
}

impl S3Target {
    /// The target described by `[backup]`, or `None` when no bucket is set. The error is a sentence
    /// for the operator.
    pub fn from_config(backup: &BackupConfig) -> Result<Option<S3Target>, String> {
        let Some(bucket_name) = &backup.s3_bucket else {
            return Ok(None);
        };
        let region = backup
            .s3_region
            .clone()
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let (endpoint, style) = match &backup.s3_endpoint {
            Some(endpoint) => (endpoint.clone(), UrlStyle::Path),
            None => (
                format!("https://s3.{region}.amazonaws.com"),
                UrlStyle::VirtualHost,
            ),
        };
        let endpoint: reqwest::Url = endpoint
            .parse()
            .map_err(|error| format!("s3_endpoint `{endpoint}` is not a URL: {error}"))?;
        let bucket = Bucket::new(endpoint, style, bucket_name.clone(), region)
            .map_err(|error| format!("cannot address bucket `{bucket_name}`: {error}"))?;
        let (Some(key), Some(secret)) = (&backup.s3_access_key, &backup.s3_secret_key) else {
            return Err("s3_access_key and s3_secret_key must both be set".to_owned());
        };
        let credentials = Credentials::new(key.expose(), secret.expose());
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(30 * 60))
            .build()
            .map_err(|error| format!("cannot build an HTTP client: {error}"))?;
        Ok(Some(S3Target {
            bucket,
            credentials,
            client,
        }))
    }

    /// Uploads `file` as object `key`; returns the object URL (without the signature).
    pub async fn upload(&self, file: &Path, key: &str) -> Result<String, String> {
        let body = tokio::fs::read(file)
            .await
            .map_err(|error| format!("cannot read {}: {error}", file.display()))?;
        let body = bytes::Bytes::from(body);
        let object_url = self.bucket.object_url(key).to_string();
        let mut last_error = String::new();
        for attempt in 1..=ATTEMPTS {
            let action =
                rusty_s3::actions::PutObject::new(&self.bucket, Some(&self.credentials), key);
            let url = action.sign(PRESIGN_VALIDITY);
            let result = self
                .client
                .put(url)
                .header(reqwest::header::CONTENT_TYPE, "application/gzip")
                .header(reqwest::header::CONTENT_LENGTH, body.len())
                .body(body.clone())
                .send()
                .await;
            match result {
                Ok(response) if response.status().is_success() => return Ok(object_url),
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    last_error = format!(
                        "{object_url} answered {status}: {}",
                        s3_error_summary(&text)
                    );
                    if status.is_client_error() {
                        break;
                    }
                }
                Err(error) => last_error = format!("cannot reach {object_url}: {error}"),
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(Duration::from_secs(u64::from(attempt) * 2)).await;
            }
        }
        Err(last_error)
    }
}

/// The `<Code>` and `<Message>` of an S3 XML error body, or its first 200 characters.
fn s3_error_summary(body: &str) -> String {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find(&close)? + start;
        Some(body[start..end].to_owned())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => body.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn error_bodies_are_summarised() {
        let body = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>";
        assert_eq!(
            s3_error_summary(body),
            "NoSuchBucket: The specified bucket does not exist"
        );
        assert_eq!(s3_error_summary("plain"), "plain");
    }

    #[test]
    fn targets_follow_the_config() {
        let mut backup = BackupConfig::default();
        assert!(S3Target::from_config(&backup).unwrap().is_none());
        backup.s3_bucket = Some("school".into());
        backup.s3_access_key = Some(Secret::new("key"));
        backup.s3_secret_key = Some(Secret::new("secret"));
        let aws = S3Target::from_config(&backup).unwrap().unwrap();
        assert_eq!(
            aws.bucket.object_url("a.tar.gz").as_str(),
            "https://school.s3.us-east-1.amazonaws.com/a.tar.gz"
        );
        backup.s3_endpoint = Some("http://127.0.0.1:9000".into());
        let local = S3Target::from_config(&backup).unwrap().unwrap();
        assert_eq!(
            local.bucket.object_url("a.tar.gz").as_str(),
            "http://127.0.0.1:9000/school/a.tar.gz"
        );
    }
}
