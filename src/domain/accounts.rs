//! Accounts: roles, usernames, password policy and who may see whose data.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

id_type!(
    /// A user id.
    UserId
);

id_type!(
    /// A cohort id.
    CohortId
);

/// What a user may do: students see themselves, instructors the students of their cohorts, admins
/// everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Student,
    Instructor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Student, Role::Instructor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Instructor => "instructor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A username in canonical form: NFKC-normalised, lowercased, 3–64 characters of letters, digits,
/// `.`, `_` and `-`. Two spellings that normalise alike are the same username.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

/// Why a username or password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialProblem {
    #[error("must be between {min} and {max} characters")]
    Length { min: usize, max: usize },
    #[error("may contain only letters, digits, '.', '_' and '-'")]
    Characters,
    #[error("must not be the same as the username")]
    SameAsUsername,
    #[error("must not mix letters of different scripts (such as Latin and Cyrillic)")]
    MixedScripts,
    #[error("looks the same as an existing username: choose one that cannot be mistaken for it")]
    Confusable,
}

impl Username {
    pub const MIN: usize = 3;
    pub const MAX: usize = 64;

    pub fn parse(raw: &str) -> Result<Username, CredentialProblem> {
        let canonical = canonical_username(raw);
        let length = canonical.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&length) {
            return Err(CredentialProblem::Length {
                min: Self::MIN,
                max: Self::MAX,
            });
        }
        if !canonical
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(CredentialProblem::Characters);
        }
        Ok(Username(canonical))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Rules for a username being created (not for existing ones): its letters come from one script,
/// so "аdmin" with a Cyrillic а is refused (Unicode TR39 single-script, where digits and
/// punctuation belong to every script and Japanese may mix Han and kana).
pub fn check_new_username(username: &Username) -> Result<(), CredentialProblem> {
    use unicode_security::MixedScript;
    if username.as_str().is_single_script() {
        Ok(())
    } else {
        Err(CredentialProblem::MixedScripts)
    }
}

/// The Unicode TR39 skeleton of a username: two names with the same skeleton look alike ("paypal"
/// and "pаypal" with a Cyrillic а, "rn" and "m", "1" and "l").
pub fn username_skeleton(canonical: &str) -> String {
    unicode_security::skeleton(canonical).collect()
}

/// The canonical spelling used for look-ups, also for strings that are not valid usernames.
pub fn canonical_username(raw: &str) -> String {
    raw.trim().nfkc().flat_map(char::to_lowercase).collect()
}

/// Password rules: 10 to 1,024 characters (the cap keeps hashing cheap and bounded), not the username.
pub fn check_new_password(password: &str, username: &Username) -> Result<(), CredentialProblem> {
    let length = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&length) {
        return Err(CredentialProblem::Length {
            min: PASSWORD_MIN,
            max: PASSWORD_MAX,
        });
    }
    if canonical_username(password) == username.as_str() {
        return Err(CredentialProblem::SameAsUsername);
    }
    Ok(())
}

pub const PASSWORD_MIN: usize = 10;
/// Longest password accepted anywhere, including login, so a huge body never reaches the hasher.
pub const PASSWORD_MAX: usize = 1_024;

/// The user making a request, as re-read from storage for that request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    /// Cohorts in which this user is an instructor.
    pub instructs: Vec<CohortId>,
}

impl Principal {
    /// The user id.
    pub fn id(&self) -> UserId {
        self.user_id
    }
}

/// May `viewer` see the data of student `student_id`, who belongs to `student_cohorts`?
pub fn can_view_student(
    viewer: &Principal,
    student_id: UserId,
    student_cohorts: &[CohortId],
) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Student => viewer.user_id == student_id,
        Role::Instructor => {
            viewer.user_id == student_id
                || student_cohorts
                    .iter()
                    .any(|cohort| viewer.instructs.contains(cohort))
        }
    }
}

/// May `viewer` see or manage cohort `cohort_id`? `member_of` lists the viewer's own cohorts.
pub fn can_view_cohort(viewer: &Principal, cohort_id: CohortId, member_of: &[CohortId]) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Instructor | Role::Student => member_of.contains(&cohort_id),
    }
}

/// May `viewer` see the members and the enrolment code of cohort `cohort_id`, rotate the code and
/// remove students? Admins always; instructors for the cohorts they teach.
pub fn can_manage_cohort(viewer: &Principal, cohort_id: CohortId) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Instructor => viewer.instructs.contains(&cohort_id),
        Role::Student => false,
    }
}

/// May `viewer` see the item analysis of a quiz set by `author` and assigned to `cohorts`? Admins;
/// the quiz's author; instructors of a cohort it is assigned to. (A student's self-practice set
/// has the student as its author, so only admins see its analysis.)
pub fn can_analyse_quiz(viewer: &Principal, author: Option<UserId>, cohorts: &[CohortId]) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Instructor => {
            author == Some(viewer.user_id)
                || cohorts
                    .iter()
                    .any(|cohort| viewer.instructs.contains(cohort))
        }
        Role::Student => false,
    }
}

/// Whose responses an item analysis may rest on for `viewer`: `None` for everyone's (admins),
/// else the students of these cohorts (an instructor's own; none for a student).
pub fn response_scope(viewer: &Principal) -> Option<Vec<CohortId>> {
    match viewer.role {
        Role::Admin => None,
        Role::Instructor => Some(viewer.instructs.clone()),
        Role::Student => Some(Vec::new()),
    }
}

/// May `viewer` put someone into a cohort? Only admins: access to a student's data must never be
/// obtainable by an instructor's own action. Students join themselves with the enrolment code.
pub fn can_enrol_members(viewer: &Principal) -> bool {
    viewer.role == Role::Admin
}

/// May `viewer` remove a member whose account role is `member_role` from cohort `cohort_id`?
/// Admins anyone; instructors of the cohort its students.
pub fn can_remove_member(viewer: &Principal, cohort_id: CohortId, member_role: Role) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Instructor => viewer.instructs.contains(&cohort_id) && member_role == Role::Student,
        Role::Student => false,
    }
}

/// Characters of an enrolment code: capitals and digits without look-alikes (no I, L, O, 0, 1).
pub const ENROLMENT_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in an enrolment code (31^12 ≈ 2^59 codes; guessing one is hopeless).
pub const ENROLMENT_CODE_LEN: usize = 12;

/// An enrolment code as typed: case, spaces and dashes do not matter. `None` when it cannot be a
/// code at all.
pub fn normalise_enrolment_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    (code.len() == ENROLMENT_CODE_LEN && code.bytes().all(|b| ENROLMENT_ALPHABET.contains(&b)))
        .then_some(code)
}

/// An enrolment code as shown: groups of four joined by dashes.
pub fn display_enrolment_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, user_id: i64, instructs: &[i64]) -> Principal {
        Principal {
            user_id: UserId(user_id),
            username: format!("u{user_id}"),
            role,
            instructs: instructs.iter().copied().map(CohortId).collect(),
        }
    }

    #[test]
    fn quiz_analysis_is_for_admins_the_author_and_instructors_of_its_cohorts() {
        let admin = principal(Role::Admin, 1, &[]);
        let author = principal(Role::Instructor, 2, &[]);
        let teacher = principal(Role::Instructor, 3, &[7]);
        let stranger = principal(Role::Instructor, 4, &[8]);
        let student = principal(Role::Student, 5, &[]);
        let cohorts = |ids: &[i64]| ids.iter().copied().map(CohortId).collect::<Vec<_>>();
        assert!(can_analyse_quiz(&admin, Some(UserId(2)), &cohorts(&[7])));
        assert!(can_analyse_quiz(&author, Some(UserId(2)), &[]));
        assert!(can_analyse_quiz(
            &teacher,
            Some(UserId(2)),
            &cohorts(&[7, 9])
        ));
        assert!(!can_analyse_quiz(
            &stranger,
            Some(UserId(2)),
            &cohorts(&[7, 9])
        ));
        assert!(!can_analyse_quiz(&stranger, None, &[]));
        assert!(!can_analyse_quiz(&student, Some(UserId(5)), &[]));
        assert_eq!(response_scope(&admin), None);
        assert_eq!(response_scope(&teacher), Some(vec![CohortId(7)]));
        assert_eq!(response_scope(&student), Some(vec![]));
    }

    #[test]
    fn usernames_normalise_case_and_compatibility_forms() {
        let cases = [
            ("Student1", Ok("student1")),
            ("  maria.lopez ", Ok("maria.lopez")),
            ("ＡＤＭＩＮ", Ok("admin")), // full-width letters
            ("ﬁona", Ok("fiona")),       // ligature
            ("ab", Err(CredentialProblem::Length { min: 3, max: 64 })),
            ("admin' OR 1=1 --", Err(CredentialProblem::Characters)),
            ("robert\u{0000}", Err(CredentialProblem::Characters)),
            ("josé", Ok("josé")),
        ];
        for (raw, expected) in cases {
            let got = Username::parse(raw).map(|u| u.as_str().to_owned());
            assert_eq!(got, expected.map(str::to_owned), "{raw:?}");
        }
    }

    #[test]
    fn look_alike_and_mixed_script_usernames_are_caught() {
        let skeleton = |raw: &str| username_skeleton(Username::parse(raw).unwrap().as_str());
        let admin = skeleton("admin");
        assert_eq!(skeleton("\u{0430}dmin"), admin, "Cyrillic а");
        assert_eq!(skeleton("n\u{03bf}rse"), skeleton("norse"), "Greek ο");
        assert_eq!(skeleton("rnary"), skeleton("mary"), "rn and m");
        assert_eq!(
            skeleton("user\u{0661}"),
            skeleton("userl"),
            "Arabic-Indic one"
        );
        assert_ne!(skeleton("maria"), skeleton("marta"));
        let mixed = |raw: &str| check_new_username(&Username::parse(raw).unwrap());
        assert_eq!(mixed("\u{0430}dmin"), Err(CredentialProblem::MixedScripts));
        assert_eq!(mixed("n\u{03bf}rse"), Err(CredentialProblem::MixedScripts));
        assert_eq!(
            mixed("student\u{0663}"),
            Err(CredentialProblem::MixedScripts)
        );
        for fine in [
            "josé",
            "maria.lopez",
            "student-42",
            "иван",
            "αλέξης",
            "山田たろう",
        ] {
            assert_eq!(mixed(fine), Ok(()), "{fine}");
        }
    }

    #[test]
    fn password_policy() {
        let user = Username::parse("nurse.student").unwrap();
        assert!(check_new_password("correct horse battery", &user).is_ok());
        assert_eq!(
            check_new_password("short", &user),
            Err(CredentialProblem::Length { min: 10, max: 1024 })
        );
        assert!(check_new_password(&"x".repeat(1_025), &user).is_err());
        assert_eq!(
            check_new_password("Nurse.Student", &user),
            Err(CredentialProblem::SameAsUsername)
        );
    }

    #[test]
    fn who_may_see_a_student() {
        let admin = principal(Role::Admin, 1, &[]);
        let instructor = principal(Role::Instructor, 2, &[10]);
        let student = principal(Role::Student, 3, &[]);
        let cases = [
            (&admin, 99, vec![], true),
            (&instructor, 3, vec![CohortId(10)], true),
            (&instructor, 4, vec![CohortId(11)], false),
            (&instructor, 4, vec![], false),
            (&student, 3, vec![CohortId(10)], true),
            (&student, 4, vec![CohortId(10)], false),
        ];
        for (viewer, student_id, cohorts, expected) in cases {
            assert_eq!(
                can_view_student(viewer, UserId(student_id), &cohorts),
                expected,
                "{viewer:?} -> {student_id}"
            );
        }
    }

    #[test]
    fn only_admins_enrol_and_instructors_remove_only_their_students() {
        let admin = principal(Role::Admin, 1, &[]);
        let instructor = principal(Role::Instructor, 2, &[10]);
        let student = principal(Role::Student, 3, &[]);
        assert!(can_enrol_members(&admin));
        assert!(!can_enrol_members(&instructor));
        assert!(!can_enrol_members(&student));
        assert!(can_remove_member(&admin, CohortId(11), Role::Instructor));
        assert!(can_remove_member(&instructor, CohortId(10), Role::Student));
        assert!(!can_remove_member(
            &instructor,
            CohortId(10),
            Role::Instructor
        ));
        assert!(!can_remove_member(&instructor, CohortId(11), Role::Student));
        assert!(!can_remove_member(&student, CohortId(10), Role::Student));
    }

    #[test]
    fn enrolment_codes_are_read_forgivingly_and_shown_grouped() {
        assert_eq!(
            normalise_enrolment_code(" abcd-efgh-jk23 ").as_deref(),
            Some("ABCDEFGHJK23")
        );
        assert_eq!(display_enrolment_code("ABCDEFGHJK23"), "ABCD-EFGH-JK23");
        assert_eq!(normalise_enrolment_code("ABCDEFGHJK2"), None, "too short");
        assert_eq!(
            normalise_enrolment_code("ABCDEFGHJK20"),
            None,
            "0 is not used"
        );
        assert_eq!(normalise_enrolment_code("ÄBCDEFGHJK23"), None);
    }

    #[test]
    fn ids_show_and_serialise_as_bare_numbers() {
        assert_eq!(
            serde_json::to_value(UserId(7)).unwrap(),
            serde_json::json!(7)
        );
        assert_eq!(
            serde_json::from_value::<CohortId>(serde_json::json!(12)).unwrap(),
            CohortId(12)
        );
        assert_eq!(
            format!("no user with id {}", UserId(7)),
            "no user with id 7"
        );
        assert_eq!(i64::from(CohortId::from(3)), 3);
    }

    #[test]
    fn cohort_rules() {
        let instructor = principal(Role::Instructor, 2, &[10]);
        assert!(can_manage_cohort(&instructor, CohortId(10)));
        assert!(!can_manage_cohort(&instructor, CohortId(11)));
        assert!(!can_manage_cohort(
            &principal(Role::Student, 3, &[]),
            CohortId(10)
        ));
        assert!(can_view_cohort(
            &principal(Role::Student, 3, &[]),
            CohortId(10),
            &[CohortId(10)]
        ));
        assert!(!can_view_cohort(
            &principal(Role::Student, 3, &[]),
            CohortId(11),
            &[CohortId(10)]
        ));
    }
}
