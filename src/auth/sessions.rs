//! Which access tokens still belong to a live session. A password change or reset raises the
//! user's session epoch, so every token issued before it stops working at once; the session that
//! changed its own password is kept (its refresh-token family is recorded as the kept session).

/// The session facts of one user, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSessions<'a> {
    pub epoch: i64,
    /// The session that made the last password change, if one is kept.
    pub kept: Option<&'a str>,
}

/// The session facts an access token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSession<'a> {
    pub epoch: i64,
    pub id: Option<&'a str>,
}

/// Whether a token is still current: issued under the user's present epoch, or by the session
/// that changed the password.
pub fn token_is_current(token: TokenSession<'_>, user: UserSessions<'_>) -> bool {
    token.epoch == user.epoch || (token.id.is_some() && token.id == user.kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_the_present_epoch_are_current() {
        let user = UserSessions {
            epoch: 0,
            kept: None,
        };
        assert!(token_is_current(
            TokenSession {
                epoch: 0,
                id: Some("a")
            },
            user
        ));
        assert!(token_is_current(TokenSession { epoch: 0, id: None }, user));
    }

    #[test]
    fn a_password_change_ends_every_other_session() {
        let user = UserSessions {
            epoch: 1,
            kept: Some("mine"),
        };
        assert!(!token_is_current(
            TokenSession {
                epoch: 0,
                id: Some("other")
            },
            user
        ));
        assert!(!token_is_current(TokenSession { epoch: 0, id: None }, user));
        assert!(token_is_current(
            TokenSession {
                epoch: 0,
                id: Some("mine")
            },
            user
        ));
    }

    #[test]
    fn a_reset_keeps_no_session() {
        let user = UserSessions {
            epoch: 2,
            kept: None,
        };
        assert!(!token_is_current(TokenSession { epoch: 1, id: None }, user));
        assert!(!token_is_current(
            TokenSession {
                epoch: 1,
                id: Some("mine")
            },
            user
        ));
    }
}
