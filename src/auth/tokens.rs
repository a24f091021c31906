//! Access tokens are HS256 JWTs (`sub`, `role`, `iat`, `exp`, `jti`, and the session they belong
//! to: `sid`, the refresh-token family, and `sep`, the user's session epoch); only HS256 is accepted, so
//! `alg: none` and RS/ES/other-HS tokens fail. Refresh tokens are opaque random strings; only their
//! SHA-256 is stored.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::accounts::{Role, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub sub: String,
    pub role: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
    /// Always "access": a refresh token can never pass as an access token and vice versa.
    pub typ: String,
    /// The session (refresh-token family) the token was issued to; absent in tokens issued before
    /// sessions were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The user's session epoch when the token was issued; a password change or reset raises the
    /// epoch and so ends every token issued before it.
    #[serde(default)]
    pub sep: i64,
}

/// The session an access token is issued to.
#[derive(Debug, Clone, Copy)]
pub struct SessionRef<'a> {
    /// The refresh-token family.
    pub id: &'a str,
    /// The user's current session epoch.
    pub epoch: i64,
}

impl AccessClaims {
    pub fn user_id(&self) -> Option<UserId> {
        self.sub.parse().ok().map(UserId)
    }
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Expired,
    Invalid,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
        })
    }

    /// Signs an access token; returns it with its claims.
    pub fn issue(
        &self,
        user_id: UserId,
        role: Role,
        now: u64,
        ttl_secs: u64,
        session: SessionRef<'_>,
    ) -> anyhow::Result<(String, AccessClaims)> {
        let claims = AccessClaims {
            sub: user_id.to_string(),
            role: role.as_str().to_owned(),
            iat: now,
            exp: now + ttl_secs,
            jti: super::random_token(16),
            typ: "access".to_owned(),
            sid: Some(session.id.to_owned()),
            sep: session.epoch,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, claims))
    }

    /// Checks signature, algorithm, expiry and type.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenProblem> {
        match jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation) {
            Ok(data) if data.claims.typ == "access" && data.claims.user_id().is_some() => {
                Ok(data.claims)
            }
            Ok(_) => Err(TokenProblem::Invalid),
            Err(error) => match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => Err(TokenProblem::Expired),
                _ => Err(TokenProblem::Invalid),
            },
        }
    }
}

/// A new refresh token: the value handed to the client, and the hash to store.
pub fn new_refresh_token() -> (String, String) {
    let token = super::random_token(48);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;

    fn b64(value: &serde_json::Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn forged(header: serde_json::Value, claims: serde_json::Value, signature: &str) -> String {
        format!("{}.{}.{signature}", b64(&header), b64(&claims))
    }

    fn live_claims() -> serde_json::Value {
        let now = crate::clock::unix_now();
        serde_json::json!({"sub": "1", "role": "admin", "iat": now, "exp": now + 3600, "jti": "x", "typ": "access"})
    }

    const SESSION: SessionRef<'static> = SessionRef {
        id: "family",
        epoch: 3,
    };

    #[test]
    fn issued_tokens_verify() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let now = crate::clock::unix_now();
        let (token, claims) = keys
            .issue(UserId(7), Role::Student, now, 3_600, SESSION)
            .unwrap();
        assert_eq!((claims.sid.as_deref(), claims.sep), (Some("family"), 3));
        assert_eq!(keys.verify(&token), Ok(claims.clone()));
        assert_eq!(claims.user_id(), Some(UserId(7)));
        assert!(token.len() > 50);
    }

    #[test]
    fn expired_tokens_are_told_apart() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let (token, _) = keys
            .issue(
                UserId(7),
                Role::Student,
                crate::clock::unix_now() - 10_000,
                3_600,
                SESSION,
            )
            .unwrap();
        assert_eq!(keys.verify(&token), Err(TokenProblem::Expired));
    }

    #[test]
    fn forged_and_foreign_tokens_are_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let other = TokenKeys::new(b"another-secret-another-secret-another").unwrap();
        let (foreign, _) = other
            .issue(
                UserId(1),
                Role::Admin,
                crate::clock::unix_now(),
                3_600,
                SESSION,
            )
            .unwrap();
        assert_eq!(
            keys.verify(&foreign),
            Err(TokenProblem::Invalid),
            "another secret"
        );

        let none = forged(
            serde_json::json!({"alg": "none", "typ": "JWT"}),
            live_claims(),
            "",
        );
        assert_eq!(keys.verify(&none), Err(TokenProblem::Invalid), "alg none");
        for alg in ["RS256", "HS384", "HS512", "ES256"] {
            let token = forged(
                serde_json::json!({"alg": alg, "typ": "JWT"}),
                live_claims(),
                "c2ln",
            );
            assert_eq!(keys.verify(&token), Err(TokenProblem::Invalid), "{alg}");
        }

        let (good, _) = keys
            .issue(
                UserId(7),
                Role::Student,
                crate::clock::unix_now(),
                3_600,
                SESSION,
            )
            .unwrap();
        let parts: Vec<&str> = good.split('.').collect();
        let mut claims = live_claims();
        claims["sub"] = "7".into();
        let tampered = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
        assert_eq!(
            keys.verify(&tampered),
            Err(TokenProblem::Invalid),
            "tampered payload"
        );
        assert_eq!(keys.verify("garbage"), Err(TokenProblem::Invalid));

        let (refresh, _) = new_refresh_token();
        assert_eq!(
            keys.verify(&refresh),
            Err(TokenProblem::Invalid),
            "a refresh token is not an access token"
        );
    }

    #[test]
    fn refresh_tokens_are_stored_as_hashes() {
        let (token, hash) = new_refresh_token();
        assert_eq!(hash, hash_refresh_token(&token));
        assert_eq!(hash.len(), 64);
        assert!(token.len() > 50);
    }
}
