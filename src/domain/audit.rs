//! What the audit log records: one [`AuditAction`] per kind of entry. The strings are the values
//! stored in `audit_log.action`, shown in `GET /api/v1/admin/audit` and accepted by its `action`
//! filter; they must never change, since older entries keep theirs.

use serde::{Deserialize, Serialize};

/// A kind of audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A password login succeeded.
    Login,
    /// A wrong password for an existing account.
    LoginFailed,
    /// A wrong password that locked the account at the address it came from.
    AccountLocked,
    /// A used refresh token was presented again; its family was revoked.
    RefreshTokenReuse,
    UserCreated,
    UserUpdated,
    UserDisabled,
    UserEnabled,
    RoleChanged,
    /// An administrator (API or CLI) set a generated password.
    PasswordReset,
    /// A user changed their own password.
    PasswordChanged,
    CohortCreated,
    CohortMemberAdded,
    CohortMemberRemoved,
    EnrolmentCodeRotated,
    /// A student joined a cohort with its enrolment code.
    CohortJoined,
    /// Items were exported (API or CLI).
    Export,
    BackupCreated,
    BackupFailed,
    Restore,
    /// An instructor or admin recorded a clinical evaluation or simulation score.
    CompetencyEvidenceRecorded,
    /// A competency assessment was stored with the evidence it brought.
    CompetencyAssessed,
}

impl AuditAction {
    pub const ALL: [AuditAction; 22] = [
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::AccountLocked,
        AuditAction::RefreshTokenReuse,
        AuditAction::UserCreated,
        AuditAction::UserUpdated,
        AuditAction::UserDisabled,
        AuditAction::UserEnabled,
        AuditAction::RoleChanged,
        AuditAction::PasswordReset,
        AuditAction::PasswordChanged,
        AuditAction::CohortCreated,
        AuditAction::CohortMemberAdded,
        AuditAction::CohortMemberRemoved,
        AuditAction::EnrolmentCodeRotated,
        AuditAction::CohortJoined,
        AuditAction::Export,
        AuditAction::BackupCreated,
        AuditAction::BackupFailed,
        AuditAction::Restore,
        AuditAction::CompetencyEvidenceRecorded,
        AuditAction::CompetencyAssessed,
    ];

    /// The stored and shown string.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::AccountLocked => "account_locked",
            AuditAction::RefreshTokenReuse => "refresh_token_reuse",
            AuditAction::UserCreated => "user_created",
            AuditAction::UserUpdated => "user_updated",
            AuditAction::UserDisabled => "user_disabled",
            AuditAction::UserEnabled => "user_enabled",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::CohortCreated => "cohort_created",
            AuditAction::CohortMemberAdded => "cohort_member_added",
            AuditAction::CohortMemberRemoved => "cohort_member_removed",
            AuditAction::EnrolmentCodeRotated => "enrolment_code_rotated",
            AuditAction::CohortJoined => "cohort_joined",
            AuditAction::Export => "export",
            AuditAction::BackupCreated => "backup_created",
            AuditAction::BackupFailed => "backup_failed",
            AuditAction::Restore => "restore",
            AuditAction::CompetencyEvidenceRecorded => "competency_evidence_recorded",
            AuditAction::CompetencyAssessed => "competency_assessed",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL
            .into_iter()
            .find(|action| action.as_str() == text)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_strings_are_the_ones_written_before_the_enum() {
        let strings: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            strings,
            [
                "login",
                "login_failed",
                "account_locked",
                "refresh_token_reuse",
                "user_created",
                "user_updated",
                "user_disabled",
                "user_enabled",
                "role_changed",
                "password_reset",
                "password_changed",
                "cohort_created",
                "cohort_member_added",
                "cohort_member_removed",
                "enrolment_code_rotated",
                "cohort_joined",
                "export",
                "backup_created",
                "backup_failed",
                "restore",
                "competency_evidence_recorded",
                "competency_assessed",
            ]
        );
    }

    #[test]
    fn serde_parse_and_display_agree() {
        for action in AuditAction::ALL {
            let json = serde_json::to_value(action).unwrap();
            assert_eq!(json, serde_json::Value::from(action.as_str()));
            assert_eq!(serde_json::from_value::<AuditAction>(json).unwrap(), action);
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(action.to_string(), action.as_str());
        }
        assert_eq!(AuditAction::parse("Login"), None);
    }
}
