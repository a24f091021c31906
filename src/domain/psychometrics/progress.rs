//! A student's progress from their scored responses (quizzes, self-practice and adaptive exams):
//! accuracy, share of points, time per item and volume by client need, NCJMM function, item type,
//! AACN domain and competency, and by week; strengths and weaknesses only where the evidence carries
//! them (a minimum n and a Wilson 95% interval that clears the student's own overall accuracy);
//! knowledge gaps; and recommendations that are bodies of `POST /api/v1/practice`. Without
//! responses there is nothing to report, and nothing is invented: a figure a response does not
//! carry (an adaptive exam measures no time per item) is left out of that figure, and each summary
//! says how many responses the figure rests on.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Z95;
use crate::domain::items::{ClientNeed, ItemType};

/// Fewer answers than this in a category: its figures are shown with their n, and it is called
/// neither a strength nor a weakness.
pub const MIN_EVIDENCE: usize = 20;
/// Items in a recommended practice set.
pub const PRACTICE_COUNT: i64 = 10;

/// Where a scored response comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A quiz or self-practice attempt (one response per item; a case study is one item).
    Attempt,
    /// An adaptive exam (one response per scored part: a case study's six items count one by one,
    /// each under its own item type).
    AdaptiveExam,
}

/// One scored response as progress reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredResponse {
    pub source: Source,
    pub client_need: String,
    /// `None` when not known (an adaptive-exam response whose item left the bank before its
    /// categories were recorded): the response is then left out of that breakdown.
    pub item_type: Option<String>,
    pub ncjmm_function: Option<String>,
    /// The AACN Essentials competency, e.g. "2.4"; its domain is the part before the dot.
    pub aacn_competency: Option<String>,
    /// Full credit.
    pub correct: bool,
    /// Points earned and possible; `None` when not recorded (adaptive-exam responses stored before
    /// the exam recorded points).
    pub points: Option<(u32, u32)>,
    /// Whether the student gave an answer (an unanswered item is scored zero); `None` when not
    /// known.
    pub answered: Option<bool>,
    /// Server-measured time on the item; `None` when not measured (adaptive exams measure none).
    pub time_spent_ms: Option<u64>,
    /// The Monday (YYYY-MM-DD) of the week the response was scored in.
    pub week: String,
}

/// The dimensions progress is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    ClientNeed,
    NcjmmFunction,
    ItemType,
    AacnDomain,
    AacnCompetency,
}

impl Dimension {
    /// The response's category in this dimension; `None` when it is not known.
    fn key_of(self, response: &ScoredResponse) -> Option<String> {
        match self {
            Dimension::ClientNeed => Some(response.client_need.clone()),
            Dimension::NcjmmFunction => response.ncjmm_function.clone(),
            Dimension::ItemType => response.item_type.clone(),
            Dimension::AacnDomain => response
                .aacn_competency
                .as_deref()
                .and_then(|competency| competency.split('.').next())
                .map(str::to_owned),
            Dimension::AacnCompetency => response.aacn_competency.clone(),
        }
    }
}

/// Accuracy, points, time and volume over a set of responses.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Scored responses (the evidence count): quizzes, self-practice and adaptive exams.
    pub n: usize,
    /// Of them, from adaptive exams.
    pub adaptive_exam: usize,
    /// Of them, answered (the rest were left blank and scored zero, or, for a few adaptive-exam
    /// case-study items stored before this was recorded, are not known either way).
    pub answered: usize,
    /// Responses with full points.
    pub correct: usize,
    /// correct / n.
    pub accuracy: f64,
    /// Wilson 95% interval of the accuracy: wide on few answers, narrow on many.
    pub accuracy_ci_low: f64,
    pub accuracy_ci_high: f64,
    /// Responses whose points were recorded: `points`, `max_points` and `share_of_points` rest on
    /// these (adaptive-exam responses stored before the exam recorded points are left out).
    pub with_points: usize,
    pub points: u64,
    pub max_points: u64,
    /// points / max_points (partial credit counts here, not in accuracy); 0 when no response has
    /// points.
    pub share_of_points: f64,
    /// Answered responses with a server-measured time: `mean_time_ms` rests on these. Adaptive
    /// exams measure no time per item, so their responses are never among them.
    pub timed: usize,
    /// Mean server-measured time on an answered item, milliseconds; `None` when no answered
    /// response has a measured time.
    pub mean_time_ms: Option<f64>,
}

/// The Wilson score interval of `successes` in `n` at 95%; `None` for n = 0.
pub fn wilson(successes: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The summary of `responses`; `None` when there are none.
pub fn summarise<'a>(responses: impl IntoIterator<Item = &'a ScoredResponse>) -> Option<Summary> {
    let (mut n, mut adaptive_exam, mut answered, mut correct) = (0usize, 0usize, 0usize, 0usize);
    let (mut with_points, mut points, mut max_points) = (0usize, 0u64, 0u64);
    let (mut timed, mut time) = (0usize, 0u64);
    for response in responses {
        n += 1;
        if response.source == Source::AdaptiveExam {
            adaptive_exam += 1;
        }
        if response.answered == Some(true) {
            answered += 1;
            if let Some(spent) = response.time_spent_ms {
                timed += 1;
                time += spent;
            }
        }
        if response.correct {
            correct += 1;
        }
        if let Some((earned, possible)) = response.points {
            with_points += 1;
            points += u64::from(earned.min(possible));
            max_points += u64::from(possible);
        }
    }
    let (low, high) = wilson(correct, n)?;
    Some(Summary {
        n,
        adaptive_exam,
        answered,
        correct,
        accuracy: correct as f64 / n as f64,
        accuracy_ci_low: low,
        accuracy_ci_high: high,
        with_points,
        points,
        max_points,
        share_of_points: if max_points == 0 {
            0.0
        } else {
            points as f64 / max_points as f64
        },
        timed,
        mean_time_ms: (timed > 0).then(|| time as f64 / timed as f64),
    })
}

/// What the evidence says about a category, against the student's own overall accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// At least [`MIN_EVIDENCE`] answers and the interval's lower end above the overall accuracy.
    Strength,
    /// At least [`MIN_EVIDENCE`] answers and the interval's upper end below the overall accuracy.
    Weakness,
    /// Enough answers, and the interval includes the overall accuracy.
    Typical,
    /// Fewer than [`MIN_EVIDENCE`] answers: no verdict.
    InsufficientEvidence,
}

fn verdict(summary: &Summary, overall_accuracy: f64) -> Verdict {
    if summary.n < MIN_EVIDENCE {
        Verdict::InsufficientEvidence
    } else if summary.accuracy_ci_low > overall_accuracy {
        Verdict::Strength
    } else if summary.accuracy_ci_high < overall_accuracy {
        Verdict::Weakness
    } else {
        Verdict::Typical
    }
}

/// One category of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Category {
    pub key: String,
    #[serde(flatten)]
    pub summary: Summary,
    pub verdict: Verdict,
}

/// One week.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Week {
    /// Monday of the week, YYYY-MM-DD (UTC).
    pub week_start: String,
    #[serde(flatten)]
    pub summary: Summary,
}

/// A strength or weakness with the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Finding {
    pub dimension: Dimension,
    pub key: String,
    pub n: usize,
    pub accuracy: f64,
    pub accuracy_ci_low: f64,
    pub accuracy_ci_high: f64,
    /// The student's overall accuracy it was compared with.
    pub compared_with: f64,
}

/// Why a gap is a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// A weakness on the evidence.
    Weakness,
    /// A client need with fewer than [`MIN_EVIDENCE`] answers: not yet known either way.
    TooLittlePractice,
}

/// A knowledge gap.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    pub dimension: Dimension,
    pub key: String,
    pub reason: GapReason,
    /// Answers it rests on.
    pub n: usize,
}

/// A `POST /api/v1/practice` body.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PracticeSet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_need: Option<ClientNeed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_types: Option<Vec<ItemType>>,
    pub count: i64,
}

/// A recommended practice set and the gap it addresses.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    pub dimension: Dimension,
    pub key: String,
    pub reason: GapReason,
    /// Send this as the body of `POST /api/v1/practice`.
    pub practice: PracticeSet,
}

/// A student's progress.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub overall: Summary,
    /// The minimum answers before a category gets a verdict.
    pub min_evidence: usize,
    pub by_client_need: Vec<Category>,
    /// This and the breakdowns below count the responses whose category is known (every quiz and
    /// practice response; an adaptive-exam response unless its item had left the bank before its
    /// categories were recorded), so their n may add up to less than `overall.n`.
    pub by_ncjmm_function: Vec<Category>,
    pub by_item_type: Vec<Category>,
    pub by_aacn_domain: Vec<Category>,
    pub by_aacn_competency: Vec<Category>,
    /// Oldest week first; weeks without responses are left out.
    pub weekly: Vec<Week>,
    pub strengths: Vec<Finding>,
    pub weaknesses: Vec<Finding>,
    pub knowledge_gaps: Vec<Gap>,
    pub recommendations: Vec<Recommendation>,
}

fn categories(responses: &[ScoredResponse], dimension: Dimension, overall: f64) -> Vec<Category> {
    let mut groups: BTreeMap<String, Vec<&ScoredResponse>> = BTreeMap::new();
    for response in responses {
        if let Some(key) = dimension.key_of(response) {
            groups.entry(key).or_default().push(response);
        }
    }
    groups
        .into_iter()
        .filter_map(|(key, group)| {
            summarise(group).map(|summary| Category {
                verdict: verdict(&summary, overall),
                key,
                summary,
            })
        })
        .collect()
}

fn finding(dimension: Dimension, category: &Category, overall: f64) -> Finding {
    Finding {
        dimension,
        key: category.key.clone(),
        n: category.summary.n,
        accuracy: category.summary.accuracy,
        accuracy_ci_low: category.summary.accuracy_ci_low,
        accuracy_ci_high: category.summary.accuracy_ci_high,
        compared_with: overall,
    }
}

fn practice_for(dimension: Dimension, key: &str) -> Option<PracticeSet> {
    match dimension {
        Dimension::ClientNeed => ClientNeed::parse(key).map(|need| PracticeSet {
            client_need: Some(need),
            item_types: None,
            count: PRACTICE_COUNT,
        }),
        Dimension::ItemType => ItemType::parse(key).map(|item_type| PracticeSet {
            client_need: None,
            item_types: Some(vec![item_type]),
            count: PRACTICE_COUNT,
        }),
        // Practice sets are not yet chosen by NCJMM function or AACN competency: these gaps are
        // reported without a set.
        Dimension::NcjmmFunction | Dimension::AacnDomain | Dimension::AacnCompetency => None,
    }
}

/// Progress from `responses`; `None` without any ("no data yet").
pub fn progress(responses: &[ScoredResponse]) -> Option<Progress> {
    let overall = summarise(responses)?;
    let accuracy = overall.accuracy;
    let dimensions = [
        Dimension::ClientNeed,
        Dimension::NcjmmFunction,
        Dimension::ItemType,
        Dimension::AacnDomain,
        Dimension::AacnCompetency,
    ];
    let [
        by_client_need,
        by_ncjmm_function,
        by_item_type,
        by_aacn_domain,
        by_aacn_competency,
    ] = dimensions.map(|dimension| categories(responses, dimension, accuracy));

    let mut strengths = Vec::new();
    let mut weaknesses = Vec::new();
    for (dimension, list) in dimensions.iter().zip([
        &by_client_need,
        &by_ncjmm_function,
        &by_item_type,
        &by_aacn_domain,
        &by_aacn_competency,
    ]) {
        for category in list {
            match category.verdict {
                Verdict::Strength => strengths.push(finding(*dimension, category, accuracy)),
                Verdict::Weakness => weaknesses.push(finding(*dimension, category, accuracy)),
                Verdict::Typical | Verdict::InsufficientEvidence => {}
            }
        }
    }
    // Weakest first (by the upper end of the interval: the surest shortfall leads).
    weaknesses.sort_by(|a, b| a.accuracy_ci_high.total_cmp(&b.accuracy_ci_high));
    strengths.sort_by(|a, b| b.accuracy_ci_low.total_cmp(&a.accuracy_ci_low));

    let mut knowledge_gaps: Vec<Gap> = weaknesses
        .iter()
        .map(|weakness| Gap {
            dimension: weakness.dimension,
            key: weakness.key.clone(),
            reason: GapReason::Weakness,
            n: weakness.n,
        })
        .collect();
    for need in ClientNeed::ALL {
        let n = by_client_need
            .iter()
            .find(|category| category.key == need.as_str())
            .map_or(0, |category| category.summary.n);
        if n < MIN_EVIDENCE {
            knowledge_gaps.push(Gap {
                dimension: Dimension::ClientNeed,
                key: need.as_str().to_owned(),
                reason: GapReason::TooLittlePractice,
                n,
            });
        }
    }
    let recommendations = knowledge_gaps
        .iter()
        .filter_map(|gap| {
            practice_for(gap.dimension, &gap.key).map(|practice| Recommendation {
                dimension: gap.dimension,
                key: gap.key.clone(),
                reason: gap.reason,
                practice,
            })
        })
        .collect();

    let mut weeks: BTreeMap<&str, Vec<&ScoredResponse>> = BTreeMap::new();
    for response in responses {
        weeks.entry(&response.week).or_default().push(response);
    }
    let weekly = weeks
        .into_iter()
        .filter_map(|(week, group)| {
            summarise(group).map(|summary| Week {
                week_start: week.to_owned(),
                summary,
            })
        })
        .collect();

    Some(Progress {
        overall,
        min_evidence: MIN_EVIDENCE,
        by_client_need,
        by_ncjmm_function,
        by_item_type,
        by_aacn_domain,
        by_aacn_competency,
        weekly,
        strengths,
        weaknesses,
        knowledge_gaps,
        recommendations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(
        need: ClientNeed,
        item_type: ItemType,
        correct: bool,
        week: &str,
    ) -> ScoredResponse {
        ScoredResponse {
            source: Source::Attempt,
            item_type: Some(item_type.as_str().to_owned()),
            client_need: need.as_str().to_owned(),
            ncjmm_function: Some("recognize_cues".to_owned()),
            aacn_competency: Some("2.4".to_owned()),
            correct,
            points: Some((u32::from(correct), 1)),
            answered: Some(true),
            time_spent_ms: Some(30_000),
            week: week.to_owned(),
        }
    }

    fn many(
        need: ClientNeed,
        item_type: ItemType,
        correct: usize,
        wrong: usize,
    ) -> Vec<ScoredResponse> {
        let mut out = Vec::new();
        for index in 0..correct + wrong {
            out.push(response(need, item_type, index < correct, "2026-03-02"));
        }
        out
    }

    #[test]
    fn no_responses_no_progress() {
        assert!(progress(&[]).is_none());
        assert!(wilson(0, 0).is_none());
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Table I: 81/263 → 0.2553–0.3662; 0/10 → 0–0.2775.
        let (low, high) = wilson(81, 263).unwrap();
        assert!(
            (low - 0.2553).abs() < 5e-4 && (high - 0.3662).abs() < 5e-4,
            "{low} {high}"
        );
        let (low, high) = wilson(0, 10).unwrap();
        assert!(
            low.abs() < 1e-12 && (high - 0.2775).abs() < 5e-4,
            "{low} {high}"
        );
        // Few answers make a wide interval, many a narrow one, at the same accuracy.
        let few = wilson(2, 3).unwrap();
        let lots = wilson(200, 300).unwrap();
        assert!(few.1 - few.0 > 4.0 * (lots.1 - lots.0));
    }

    #[test]
    fn a_small_category_gets_no_verdict_however_extreme() {
        let mut responses = many(
            ClientNeed::ManagementOfCare,
            ItemType::MultipleChoice,
            30,
            30,
        );
        // Three wrong answers out of three: accuracy 0, but too little evidence to call it.
        responses.extend(many(
            ClientNeed::PsychosocialIntegrity,
            ItemType::Matrix,
            0,
            3,
        ));
        let progress = progress(&responses).unwrap();
        let small = progress
            .by_client_need
            .iter()
            .find(|c| c.key == "psychosocial_integrity")
            .unwrap();
        assert_eq!(small.summary.n, 3);
        assert_eq!(small.verdict, Verdict::InsufficientEvidence);
        assert!(progress.weaknesses.is_empty(), "{:?}", progress.weaknesses);
        // It is a gap for want of practice, with a set to practise.
        assert!(
            progress
                .knowledge_gaps
                .iter()
                .any(|gap| gap.key == "psychosocial_integrity"
                    && gap.reason == GapReason::TooLittlePractice
                    && gap.n == 3)
        );
    }

    #[test]
    fn strengths_and_weaknesses_need_the_interval_to_clear_the_overall_accuracy() {
        let mut responses = many(
            ClientNeed::ManagementOfCare,
            ItemType::MultipleChoice,
            45,
            5,
        );
        responses.extend(many(
            ClientNeed::PharmacologicalParenteral,
            ItemType::Matrix,
            10,
            40,
        ));
        // Close to the overall accuracy: typical.
        responses.extend(many(
            ClientNeed::SafetyInfectionControl,
            ItemType::MultipleChoice,
            13,
            12,
        ));
        let progress = progress(&responses).unwrap();
        assert_eq!(progress.overall.n, 125);
        let verdict_of = |key: &str| {
            progress
                .by_client_need
                .iter()
                .find(|c| c.key == key)
                .unwrap()
                .verdict
        };
        assert_eq!(verdict_of("management_of_care"), Verdict::Strength);
        assert_eq!(verdict_of("pharmacological_parenteral"), Verdict::Weakness);
        assert_eq!(verdict_of("safety_infection_control"), Verdict::Typical);
        let weakness = &progress.weaknesses[0];
        assert_eq!(weakness.key, "pharmacological_parenteral");
        assert_eq!(weakness.n, 50);
        assert!(weakness.accuracy_ci_high < weakness.compared_with);
        // The weakness and the matrix items are recommended as concrete practice sets.
        let sets: Vec<&PracticeSet> = progress
            .recommendations
            .iter()
            .filter(|r| r.reason == GapReason::Weakness)
            .map(|r| &r.practice)
            .collect();
        assert!(sets.contains(&&PracticeSet {
            client_need: Some(ClientNeed::PharmacologicalParenteral),
            item_types: None,
            count: PRACTICE_COUNT
        }));
        assert!(sets.contains(&&PracticeSet {
            client_need: None,
            item_types: Some(vec![ItemType::Matrix]),
            count: PRACTICE_COUNT
        }));
    }

    #[test]
    fn points_time_and_weeks_are_counted() {
        let mut partial = response(
            ClientNeed::ReductionOfRisk,
            ItemType::MultipleResponse,
            false,
            "2026-03-09",
        );
        partial.points = Some((2, 3));
        let mut blank = response(
            ClientNeed::ReductionOfRisk,
            ItemType::MultipleChoice,
            false,
            "2026-03-02",
        );
        blank.answered = Some(false);
        blank.time_spent_ms = Some(0);
        let right = response(
            ClientNeed::ReductionOfRisk,
            ItemType::MultipleChoice,
            true,
            "2026-03-09",
        );
        let progress = progress(&[partial, blank, right]).unwrap();
        let overall = &progress.overall;
        assert_eq!((overall.n, overall.answered, overall.correct), (3, 2, 1));
        assert_eq!((overall.points, overall.max_points), (3, 5));
        assert!((overall.share_of_points - 0.6).abs() < 1e-12);
        assert_eq!(overall.mean_time_ms, Some(30_000.0));
        let weeks: Vec<(&str, usize)> = progress
            .weekly
            .iter()
            .map(|week| (week.week_start.as_str(), week.summary.n))
            .collect();
        assert_eq!(weeks, vec![("2026-03-02", 1), ("2026-03-09", 2)]);
        assert_eq!(progress.by_aacn_domain[0].key, "2");
    }

    /// An adaptive-exam response as the exam stores it: no time; points when recorded.
    fn exam_response(
        need: ClientNeed,
        correct: bool,
        points: Option<(u32, u32)>,
    ) -> ScoredResponse {
        ScoredResponse {
            source: Source::AdaptiveExam,
            time_spent_ms: None,
            points,
            ..response(need, ItemType::Matrix, correct, "2026-03-16")
        }
    }

    #[test]
    fn adaptive_exam_responses_count_in_every_breakdown_but_not_in_time() {
        // Only an adaptive exam: progress is not empty, by client need with the right counts.
        let exam = vec![
            exam_response(ClientNeed::ManagementOfCare, true, Some((1, 1))),
            exam_response(ClientNeed::ManagementOfCare, false, Some((1, 3))),
            exam_response(ClientNeed::ReductionOfRisk, true, Some((2, 2))),
        ];
        let only = progress(&exam).unwrap();
        let needs: Vec<(&str, usize, usize, usize)> = only
            .by_client_need
            .iter()
            .map(|c| {
                (
                    c.key.as_str(),
                    c.summary.n,
                    c.summary.correct,
                    c.summary.adaptive_exam,
                )
            })
            .collect();
        assert_eq!(
            needs,
            vec![
                ("management_of_care", 2, 1, 2),
                ("reduction_of_risk", 1, 1, 1)
            ]
        );
        assert_eq!(only.overall.adaptive_exam, 3);
        assert_eq!((only.overall.points, only.overall.max_points), (4, 6));
        assert_eq!((only.overall.timed, only.overall.mean_time_ms), (0, None));
        assert_eq!(only.by_item_type[0].key, "matrix");
        assert_eq!(only.weekly[0].summary.n, 3);

        // With a quiz: each response counts once; time rests on the quiz's answers alone, points
        // on the responses that carry them.
        let mut both = exam;
        both.push(exam_response(ClientNeed::ReductionOfRisk, false, None));
        both.extend(many(
            ClientNeed::ManagementOfCare,
            ItemType::MultipleChoice,
            2,
            1,
        ));
        let mixed = progress(&both).unwrap();
        let overall = &mixed.overall;
        assert_eq!(
            (overall.n, overall.adaptive_exam, overall.correct),
            (7, 4, 4)
        );
        assert_eq!(
            (overall.with_points, overall.points, overall.max_points),
            (6, 6, 9)
        );
        assert_eq!((overall.timed, overall.mean_time_ms), (3, Some(30_000.0)));
        let care = &mixed.by_client_need[0];
        assert_eq!(
            (
                care.key.as_str(),
                care.summary.n,
                care.summary.adaptive_exam
            ),
            ("management_of_care", 5, 2)
        );
        let total: usize = mixed.by_client_need.iter().map(|c| c.summary.n).sum();
        assert_eq!(total, 7);
        let weeks: Vec<(&str, usize)> = mixed
            .weekly
            .iter()
            .map(|week| (week.week_start.as_str(), week.summary.n))
            .collect();
        assert_eq!(weeks, vec![("2026-03-02", 3), ("2026-03-16", 4)]);

        // A response whose categories are unknown counts overall and by client need, and is left
        // out of the breakdowns it has no category in.
        let mut unknown = exam_response(ClientNeed::ReductionOfRisk, true, None);
        unknown.item_type = None;
        unknown.ncjmm_function = None;
        unknown.aacn_competency = None;
        both.push(unknown);
        let with_unknown = progress(&both).unwrap();
        assert_eq!(with_unknown.overall.n, 8);
        let by = |list: &[Category]| list.iter().map(|c| c.summary.n).sum::<usize>();
        assert_eq!(by(&with_unknown.by_client_need), 8);
        for list in [
            &with_unknown.by_item_type,
            &with_unknown.by_ncjmm_function,
            &with_unknown.by_aacn_domain,
            &with_unknown.by_aacn_competency,
        ] {
            assert_eq!(by(list), 7);
        }
    }
}
