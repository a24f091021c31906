//! Gaps against a target level, and the order of a learning path, from computed proficiencies.
//!
//! A **gap** is a competency whose proficiency score (from stored evidence) is below the target
//! level's lower bound; its size is `target − score` (fractions, 0–1) and its severity follows the
//! size: ≥ 0.30 critical, ≥ 0.20 high, ≥ 0.10 medium, otherwise low (the original service's
//! thresholds, on its 0–100 scale). A gap resting on fewer than [`MIN_EVIDENCE`] pieces is marked
//! `tentative`. A competency without evidence is not a gap of any size: it is listed as
//! `without_evidence`. Gaps are ranked largest first; equal gaps keep the framework's order.
//!
//! A **learning path** takes the gaps in that rank, then the competencies without evidence in the
//! framework's order (the Essentials record no prerequisites between competencies, so there is no
//! other order to respect). Competencies at or above the target are left out.

use super::{Competency, MIN_EVIDENCE, Proficiency, ProficiencyLevel};

/// How large a gap is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn of(gap: f64) -> Severity {
        if gap >= 0.30 - 1e-9 {
            Severity::Critical
        } else if gap >= 0.20 - 1e-9 {
            Severity::High
        } else if gap >= 0.10 - 1e-9 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

/// One competency with its proficiency.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub competency: Competency,
    pub proficiency: Proficiency,
}

/// A competency below target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = CompetencyGap)]
pub struct Gap {
    pub competency_id: String,
    pub domain: u32,
    pub title: Option<String>,
    pub score: f64,
    pub level: Option<ProficiencyLevel>,
    pub target_score: f64,
    /// `target_score − score`.
    pub gap: f64,
    pub severity: Severity,
    pub evidence_count: u32,
    /// True when fewer than the pieces a level needs support the score.
    pub tentative: bool,
}

/// Gaps ranked largest first, competencies without evidence, and those at or above target.
#[derive(Debug, Clone, PartialEq)]
pub struct GapReport {
    pub gaps: Vec<Gap>,
    pub without_evidence: Vec<Competency>,
    pub met: Vec<(Competency, Proficiency)>,
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// The gaps of `standings` (in framework order) against `target`.
pub fn analyze(standings: &[Standing], target: ProficiencyLevel) -> GapReport {
    let target_score = target.lower_bound();
    let mut report = GapReport {
        gaps: Vec::new(),
        without_evidence: Vec::new(),
        met: Vec::new(),
    };
    for standing in standings {
        match standing.proficiency.score {
            None => report.without_evidence.push(standing.competency.clone()),
            Some(score) if score >= target_score => report
                .met
                .push((standing.competency.clone(), standing.proficiency.clone())),
            Some(score) => {
                let gap = round3(target_score - score);
                report.gaps.push(Gap {
                    competency_id: standing.competency.id.clone(),
                    domain: standing.competency.domain,
                    title: standing.competency.title.clone(),
                    score,
                    level: standing.proficiency.level,
                    target_score,
                    gap,
                    severity: Severity::of(gap),
                    evidence_count: standing.proficiency.evidence_count,
                    tentative: standing.proficiency.evidence_count < MIN_EVIDENCE,
                })
            }
        }
    }
    // Stable: equal gaps keep the framework's order.
    report.gaps.sort_by(|a, b| b.gap.total_cmp(&a.gap));
    report
}

/// Why a competency is on the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepReason {
    /// Its score is below target.
    BelowTarget,
    /// Nothing is recorded for it yet.
    NoEvidence,
}

/// One step of a learning path, before its practice set is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct PathStep {
    pub competency: Competency,
    pub reason: StepReason,
    pub gap: Option<Gap>,
}

/// The path's order (module docs).
pub fn path(report: &GapReport, standings: &[Standing]) -> Vec<PathStep> {
    let competency_of = |id: &str| {
        standings
            .iter()
            .find(|standing| standing.competency.id == id)
            .map(|standing| standing.competency.clone())
    };
    let mut steps: Vec<PathStep> = report
        .gaps
        .iter()
        .filter_map(|gap| {
            competency_of(&gap.competency_id).map(|competency| PathStep {
                competency,
                reason: StepReason::BelowTarget,
                gap: Some(gap.clone()),
            })
        })
        .collect();
    steps.extend(report.without_evidence.iter().map(|competency| PathStep {
        competency: competency.clone(),
        reason: StepReason::NoEvidence,
        gap: None,
    }));
    steps
}

#[cfg(test)]
mod tests {
    use super::super::{Evidence, proficiency};
    use super::*;

    fn standing(id: &str, scores: &[f64]) -> Standing {
        let evidence: Vec<Evidence> = scores
            .iter()
            .map(|&score| Evidence { score, weight: 1.0 })
            .collect();
        Standing {
            competency: Competency {
                id: id.into(),
                domain: id[..1].parse().unwrap(),
                title: None,
                title_verified: false,
            },
            proficiency: proficiency(&evidence),
        }
    }

    #[test]
    fn gaps_are_ranked_by_size_with_their_evidence_and_severity() {
        let standings = vec![
            standing("1.1", &[0.5, 0.5, 0.5]),
            standing("1.2", &[]),
            standing("2.1", &[0.2]),
            standing("2.2", &[0.9, 0.8, 0.7]),
            standing("2.3", &[0.5, 0.5, 0.5]),
            standing("3.1", &[0.55, 0.55, 0.55]),
        ];
        let report = analyze(&standings, ProficiencyLevel::Competent);
        let ranked: Vec<(&str, f64, Severity, u32, bool)> = report
            .gaps
            .iter()
            .map(|gap| {
                (
                    gap.competency_id.as_str(),
                    gap.gap,
                    gap.severity,
                    gap.evidence_count,
                    gap.tentative,
                )
            })
            .collect();
        assert_eq!(
            ranked,
            vec![
                ("2.1", 0.4, Severity::Critical, 1, true),
                ("1.1", 0.1, Severity::Medium, 3, false),
                ("2.3", 0.1, Severity::Medium, 3, false),
                ("3.1", 0.05, Severity::Low, 3, false),
            ]
        );
        assert_eq!(report.without_evidence.len(), 1);
        assert_eq!(report.without_evidence[0].id, "1.2");
        assert_eq!(report.met.len(), 1);
        assert_eq!(report.met[0].0.id, "2.2");
        // A higher target turns the met competency into a gap.
        let expert = analyze(&standings, ProficiencyLevel::Expert);
        assert_eq!(expert.gaps.len(), 5);
        assert!(expert.met.is_empty());
    }

    #[test]
    fn the_path_takes_gaps_largest_first_then_competencies_without_evidence() {
        let standings = vec![
            standing("1.1", &[]),
            standing("1.2", &[0.5, 0.5, 0.5]),
            standing("2.1", &[0.1, 0.1, 0.1]),
            standing("2.2", &[]),
            standing("2.3", &[1.0, 1.0, 1.0]),
        ];
        let report = analyze(&standings, ProficiencyLevel::Competent);
        let steps = path(&report, &standings);
        let order: Vec<(&str, StepReason)> = steps
            .iter()
            .map(|step| (step.competency.id.as_str(), step.reason))
            .collect();
        assert_eq!(
            order,
            vec![
                ("2.1", StepReason::BelowTarget),
                ("1.2", StepReason::BelowTarget),
                ("1.1", StepReason::NoEvidence),
                ("2.2", StepReason::NoEvidence),
            ]
        );
        assert!(steps.iter().all(|step| step.competency.id != "2.3"));
    }

    #[test]
    fn severity_follows_the_gap_size() {
        assert_eq!(Severity::of(0.3), Severity::Critical);
        assert_eq!(Severity::of(0.29), Severity::High);
        assert_eq!(Severity::of(0.2), Severity::High);
        assert_eq!(Severity::of(0.1), Severity::Medium);
        assert_eq!(Severity::of(0.099), Severity::Low);
    }
}
