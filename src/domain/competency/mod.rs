//! AACN Essentials (2021) competencies and proficiency from evidence. Pure: the framework is
//! embedded data (`assets/aacn/essentials-2021.toml`), evidence comes from the caller.
//!
//! **Proficiency** for one competency is the weighted mean of its evidence scores,
//! `Σ(weight × score) / Σ weight`, each score the fraction earned (0–1). A scored item response
//! weighs its item's maximum points; an instructor's clinical evaluation or simulation score
//! weighs what the instructor gave (default 1), and each score supplied in an assessment's
//! `performance_data` ([`performance`]) weighs 1. The result always says how many pieces of
//! evidence it rests on; with none there is no number ("no evidence"), and below
//! [`MIN_EVIDENCE`] pieces no level is named.
//!
//! **Levels** follow Benner's novice-to-expert scale. The cut points are this appliance's
//! convention for reading a mean score, not AACN's or Benner's: < 0.40 novice, < 0.60 advanced
//! beginner, < 0.75 competent, < 0.90 proficient, otherwise expert.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::accounts::{CohortId, Principal, Role};

pub mod gaps;
pub mod ids;
pub mod performance;

text_id_type!(
    /// An AACN Essentials competency id as evidence is filed under it ("2.4"), as
    /// [`Essentials::resolve`] gives it.
    CompetencyId
);

id_type!(
    /// A stored competency assessment id.
    AssessmentId
);

id_type!(
    /// A stored piece of competency evidence's id.
    EvidenceId
);

const ESSENTIALS: &str = include_str!("../../../assets/aacn/essentials-2021.toml");

/// The framework file's shape.
#[derive(Debug, Clone, Deserialize)]
pub struct Essentials {
    pub source: Source,
    pub domains: Vec<DomainRecord>,
    pub titles: BTreeMap<String, String>,
    pub concepts: Vec<String>,
    pub spheres_of_care: Vec<String>,
    pub qsen: QsenRecord,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Source {
    pub title: String,
    pub publisher: String,
    pub edition: String,
    pub approved: String,
    pub level: String,
    pub checked_against: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DomainRecord {
    pub id: u32,
    pub title: String,
    pub competencies: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QsenRecord {
    pub source: String,
    pub competencies: Vec<String>,
}

/// One competency: `"2.4"` with its title when the wording was checked against AACN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Competency {
    pub id: String,
    pub domain: u32,
    pub title: Option<String>,
    pub title_verified: bool,
}

impl Essentials {
    /// The embedded framework. A build whose data file does not parse fails its tests.
    pub fn embedded() -> Result<Essentials, String> {
        toml::from_str(ESSENTIALS)
            .map_err(|error| format!("assets/aacn/essentials-2021.toml: {error}"))
    }

    /// Every competency, domain by domain.
    pub fn competencies(&self) -> Vec<Competency> {
        self.domains
            .iter()
            .flat_map(|domain| {
                (1..=domain.competencies).map(move |number| {
                    let id = format!("{}.{number}", domain.id);
                    let title = self.titles.get(&id).cloned();
                    Competency {
                        title_verified: title.is_some(),
                        title,
                        domain: domain.id,
                        id,
                    }
                })
            })
            .collect()
    }

    /// Is `id` a competency ("2.4") or a sub-competency of one ("2.4c")?
    pub fn knows(&self, id: &str) -> bool {
        let base = id.trim_end_matches(|c: char| c.is_ascii_lowercase());
        self.competencies()
            .iter()
            .any(|competency| competency.id == base)
    }
}

/// Fewer pieces of evidence than this name no level.
pub const MIN_EVIDENCE: u32 = 3;

/// Benner's levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProficiencyLevel {
    Novice,
    AdvancedBeginner,
    Competent,
    Proficient,
    Expert,
}

impl ProficiencyLevel {
    pub const ALL: [ProficiencyLevel; 5] = [
        ProficiencyLevel::Novice,
        ProficiencyLevel::AdvancedBeginner,
        ProficiencyLevel::Competent,
        ProficiencyLevel::Proficient,
        ProficiencyLevel::Expert,
    ];

    /// The lowest mean score of the level.
    pub fn lower_bound(self) -> f64 {
        match self {
            ProficiencyLevel::Novice => 0.0,
            ProficiencyLevel::AdvancedBeginner => 0.40,
            ProficiencyLevel::Competent => 0.60,
            ProficiencyLevel::Proficient => 0.75,
            ProficiencyLevel::Expert => 0.90,
        }
    }

    pub fn of(score: f64) -> ProficiencyLevel {
        ProficiencyLevel::ALL
            .into_iter()
            .rev()
            .find(|level| score >= level.lower_bound())
            .unwrap_or(ProficiencyLevel::Novice)
    }

    pub fn description(self) -> &'static str {
        match self {
            ProficiencyLevel::Novice => "Novice: follows context-free rules",
            ProficiencyLevel::AdvancedBeginner => {
                "Advanced beginner: recognises recurring aspects of situations"
            }
            ProficiencyLevel::Competent => "Competent: plans deliberately",
            ProficiencyLevel::Proficient => "Proficient: sees situations as wholes",
            ProficiencyLevel::Expert => "Expert: acts from an intuitive grasp of situations",
        }
    }
}

/// One piece of evidence: the fraction earned and its weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    pub score: f64,
    pub weight: f64,
}

/// Proficiency from evidence; `score` and `level` are absent when the evidence does not support them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Proficiency {
    pub evidence_count: u32,
    pub score: Option<f64>,
    pub level: Option<ProficiencyLevel>,
    /// Why there is no score or level, when there is none.
    pub note: Option<String>,
}

/// The documented formula (module docs).
pub fn proficiency(evidence: &[Evidence]) -> Proficiency {
    let count = evidence.len() as u32;
    let weight: f64 = evidence.iter().map(|piece| piece.weight).sum();
    if count == 0 || weight <= 0.0 {
        return Proficiency {
            evidence_count: 0,
            score: None,
            level: None,
            note: Some("no evidence recorded for this competency".into()),
        };
    }
    let score = evidence
        .iter()
        .map(|piece| piece.weight * piece.score)
        .sum::<f64>()
        / weight;
    let score = (score * 1000.0).round() / 1000.0;
    if count < MIN_EVIDENCE {
        return Proficiency {
            evidence_count: count,
            score: Some(score),
            level: None,
            note: Some(format!(
                "{count} piece(s) of evidence; a level needs at least {MIN_EVIDENCE}"
            )),
        };
    }
    Proficiency {
        evidence_count: count,
        score: Some(score),
        level: Some(ProficiencyLevel::of(score)),
        note: None,
    }
}

/// The competency a stored id ("2.4", "2.4c") is filed under.
pub fn base_id(id: &str) -> &str {
    id.trim_end_matches(|c: char| c.is_ascii_lowercase())
}

/// Every competency of the framework with its proficiency from `evidence` (competency id as
/// stored, and the piece), in framework order.
pub fn standings(essentials: &Essentials, evidence: &[(String, Evidence)]) -> Vec<gaps::Standing> {
    let mut by_competency: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
    for (id, piece) in evidence {
        by_competency.entry(base_id(id)).or_default().push(*piece);
    }
    essentials
        .competencies()
        .into_iter()
        .map(|competency| gaps::Standing {
            proficiency: proficiency(
                by_competency
                    .get(competency.id.as_str())
                    .map_or(&[][..], Vec::as_slice),
            ),
            competency,
        })
        .collect()
}

/// May `viewer` record evidence or an assessment for a student in `student_cohorts`? Admins for
/// anyone, instructors for students of a cohort they teach, students never (not even their own).
pub fn may_assess(viewer: &Principal, student_cohorts: &[CohortId]) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Instructor => student_cohorts
            .iter()
            .any(|cohort| viewer.instructs.contains(cohort)),
        Role::Student => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_and_the_students_instructors_may_assess() {
        let viewer = |role, instructs: Vec<i64>| Principal {
            user_id: crate::domain::accounts::UserId(9),
            username: "v".into(),
            role,
            instructs: instructs.into_iter().map(CohortId).collect(),
        };
        assert!(may_assess(&viewer(Role::Admin, vec![]), &[]));
        assert!(may_assess(
            &viewer(Role::Instructor, vec![1, 2]),
            &[CohortId(2)]
        ));
        assert!(!may_assess(
            &viewer(Role::Instructor, vec![1]),
            &[CohortId(2)]
        ));
        assert!(!may_assess(&viewer(Role::Instructor, vec![1]), &[]));
        assert!(!may_assess(&viewer(Role::Student, vec![]), &[CohortId(2)]));
    }

    #[test]
    fn standings_file_sub_competencies_under_their_competency() {
        let essentials = Essentials::embedded().unwrap();
        let piece = Evidence {
            score: 0.5,
            weight: 1.0,
        };
        let standings = standings(
            &essentials,
            &[
                ("2.4".into(), piece),
                ("2.4c".into(), piece),
                ("1.1".into(), piece),
            ],
        );
        assert_eq!(standings.len(), 45);
        let of = |id: &str| {
            standings
                .iter()
                .find(|standing| standing.competency.id == id)
                .unwrap()
                .proficiency
                .evidence_count
        };
        assert_eq!((of("2.4"), of("1.1"), of("3.1")), (2, 1, 0));
    }

    #[test]
    fn the_framework_has_ten_domains_and_forty_five_competencies() {
        let essentials = Essentials::embedded().unwrap();
        assert_eq!(essentials.domains.len(), 10);
        assert_eq!(essentials.competencies().len(), 45);
        assert_eq!(essentials.concepts.len(), 8);
        assert_eq!(essentials.spheres_of_care.len(), 4);
        assert_eq!(essentials.qsen.competencies.len(), 6);
        assert_eq!(essentials.source.edition, "2021");
        // Every title belongs to a competency that exists.
        let ids: Vec<String> = essentials
            .competencies()
            .into_iter()
            .map(|c| c.id)
            .collect();
        for id in essentials.titles.keys() {
            assert!(ids.contains(id), "title for unknown competency {id}");
        }
        assert!(essentials.knows("2.4"));
        assert!(essentials.knows("2.4c"));
        assert!(!essentials.knows("2.10"));
        assert!(!essentials.knows("11.1"));
    }

    #[test]
    fn proficiency_is_the_weighted_mean_and_says_what_it_rests_on() {
        let none = proficiency(&[]);
        assert_eq!(none.evidence_count, 0);
        assert_eq!(none.score, None);
        assert!(none.note.unwrap().contains("no evidence"));
        let two = proficiency(&[
            Evidence {
                score: 1.0,
                weight: 1.0,
            },
            Evidence {
                score: 0.0,
                weight: 3.0,
            },
        ]);
        assert_eq!(two.score, Some(0.25));
        assert_eq!(two.level, None);
        let three = proficiency(&[
            Evidence {
                score: 1.0,
                weight: 2.0,
            },
            Evidence {
                score: 0.5,
                weight: 2.0,
            },
            Evidence {
                score: 1.0,
                weight: 1.0,
            },
        ]);
        assert_eq!(three.score, Some(0.8));
        assert_eq!(three.level, Some(ProficiencyLevel::Proficient));
        assert_eq!(ProficiencyLevel::of(0.39), ProficiencyLevel::Novice);
        assert_eq!(ProficiencyLevel::of(0.6), ProficiencyLevel::Competent);
        assert_eq!(ProficiencyLevel::of(1.0), ProficiencyLevel::Expert);
    }
}
