//! A cohort's analytics: the distribution of readiness and of performance by client need, each
//! student compared with the cohort, and the students at risk with the reason for each (low
//! readiness, a falling trend, inactivity). Every figure carries the count it rests on.

use std::collections::BTreeMap;

use serde::Serialize;

use super::progress::{MIN_EVIDENCE, wilson};
use super::rasch::Counted;
use super::readiness::{self, FAIL_THRESHOLD, Readiness};
use crate::domain::accounts::UserId;
use crate::domain::items::ClientNeed;

/// No scored response for this many days: inactive.
pub const INACTIVE_DAYS: i64 = 14;
/// The recent weeks a trend compares with the weeks before them.
pub const TREND_WEEKS: usize = 2;
/// The one-sided 5% normal quantile: a fall must be this many standard errors.
const Z_ONE_SIDED_5: f64 = 1.644_853_626_951_472_2;

/// Counts of one student's scored quiz and practice responses in one client need and week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub client_need: String,
    /// Monday of the week, YYYY-MM-DD.
    pub week: String,
    pub correct: u64,
    pub n: u64,
}

/// One student's data.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentData {
    pub student_id: UserId,
    pub username: String,
    pub display_name: String,
    pub cells: Vec<Cell>,
    /// Every scored response as a Rasch response (readiness), identical ones counted once.
    pub rasch: Vec<Counted>,
    /// Unix seconds of the last scored response of any kind.
    pub last_activity: Option<i64>,
}

/// Why a student is on the at-risk list.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RiskReason {
    /// Readiness P(pass) below 0.5.
    LowReadiness { p_pass: f64, n: usize },
    /// Accuracy over the last two weeks with responses fell below the weeks before, by more than
    /// chance explains (one-sided two-proportion z-test at 5%, at least 20 answers each side).
    FallingTrend {
        earlier_accuracy: f64,
        earlier_n: u64,
        recent_accuracy: f64,
        recent_n: u64,
    },
    /// No scored response for 14 days or more (`days` absent: never).
    Inactive {
        #[serde(skip_serializing_if = "Option::is_none")]
        days: Option<i64>,
    },
}

/// One student against the cohort.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StudentSummary {
    #[schema(value_type = i64)]
    pub student_id: UserId,
    pub username: String,
    pub display_name: String,
    /// Scored quiz and practice responses.
    pub n: u64,
    /// Full-credit share; `None` without responses.
    pub accuracy: Option<f64>,
    /// Share of the cohort's students with data whose accuracy is below this student's.
    pub accuracy_percentile: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Readiness>,
    /// This student's P(pass) minus the cohort's median P(pass).
    pub p_pass_vs_median: Option<f64>,
    pub days_since_activity: Option<i64>,
    /// Empty when not at risk.
    pub risks: Vec<RiskReason>,
}

/// Five-number summary of per-student figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Spread {
    /// Students it rests on.
    pub students: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

/// Linear-interpolation quantiles (type 7) of `values`; `None` when empty.
pub fn spread(mut values: Vec<f64>) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        let position = q * (values.len() - 1) as f64;
        let low = position.floor() as usize;
        let high = position.ceil() as usize;
        values[low] + (values[high] - values[low]) * (position - low as f64)
    };
    Some(Spread {
        students: values.len(),
        min: values[0],
        q1: quantile(0.25),
        median: quantile(0.5),
        q3: quantile(0.75),
        max: values[values.len() - 1],
    })
}

/// One band of the readiness distribution.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadinessBand {
    pub p_pass_low: f64,
    pub p_pass_high: f64,
    pub students: usize,
}

/// The cohort's readiness.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReadinessDistribution {
    pub students_with_data: usize,
    pub students_without_data: usize,
    /// Five bands of P(pass): [0, 0.2), [0.2, 0.4), ... [0.8, 1].
    pub bands: Vec<ReadinessBand>,
    pub p_pass: Option<Spread>,
}

/// The cohort's performance in one client need.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CategoryDistribution {
    pub client_need: ClientNeed,
    /// All responses of the cohort in it.
    pub responses: u64,
    /// Pooled accuracy with its Wilson 95% interval; `None` without responses.
    pub accuracy: Option<f64>,
    pub accuracy_ci_low: Option<f64>,
    pub accuracy_ci_high: Option<f64>,
    /// Accuracy per student, over students with at least 20 answers in it.
    pub student_accuracy: Option<Spread>,
    /// Students with some, but fewer than 20, answers in it (left out of the spread).
    pub students_below_min_evidence: usize,
}

/// A cohort's analytics.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CohortReport {
    pub students: usize,
    pub min_evidence: usize,
    pub readiness: ReadinessDistribution,
    pub by_client_need: Vec<CategoryDistribution>,
    pub accuracy: Option<Spread>,
    pub student_summaries: Vec<StudentSummary>,
    /// The students with at least one risk, by id.
    #[schema(value_type = Vec<i64>)]
    pub at_risk: Vec<UserId>,
}

fn falling_trend(cells: &[Cell]) -> Option<RiskReason> {
    let mut weeks: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for cell in cells {
        let entry = weeks.entry(cell.week.as_str()).or_default();
        entry.0 += cell.correct;
        entry.1 += cell.n;
    }
    if weeks.len() <= TREND_WEEKS {
        return None;
    }
    let split = weeks.len() - TREND_WEEKS;
    let sum = |part: &mut dyn Iterator<Item = &(u64, u64)>| {
        part.fold((0, 0), |(c, n), (wc, wn)| (c + wc, n + wn))
    };
    let (earlier_correct, earlier_n) = sum(&mut weeks.values().take(split));
    let (recent_correct, recent_n) = sum(&mut weeks.values().skip(split));
    if earlier_n < MIN_EVIDENCE as u64 || recent_n < MIN_EVIDENCE as u64 {
        return None;
    }
    let p1 = earlier_correct as f64 / earlier_n as f64;
    let p2 = recent_correct as f64 / recent_n as f64;
    let pooled = (earlier_correct + recent_correct) as f64 / (earlier_n + recent_n) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / earlier_n as f64 + 1.0 / recent_n as f64)).sqrt();
    (se > 0.0 && (p2 - p1) / se < -Z_ONE_SIDED_5).then_some(RiskReason::FallingTrend {
        earlier_accuracy: p1,
        earlier_n,
        recent_accuracy: p2,
        recent_n,
    })
}

fn median(values: &[f64]) -> Option<f64> {
    spread(values.to_vec()).map(|spread| spread.median)
}

/// The report for `students` at `now` (Unix seconds).
pub fn report(students: &[StudentData], now: i64) -> CohortReport {
    let readiness: Vec<Option<Readiness>> = students
        .iter()
        .map(|student| readiness::readiness_counted(&student.rasch))
        .collect();
    let totals: Vec<(u64, u64)> = students
        .iter()
        .map(|student| {
            student
                .cells
                .iter()
                .fold((0, 0), |(c, n), cell| (c + cell.correct, n + cell.n))
        })
        .collect();
    let accuracies: Vec<f64> = totals
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| *c as f64 / *n as f64)
        .collect();
    let passes: Vec<f64> = readiness.iter().flatten().map(|r| r.p_pass).collect();
    let median_pass = median(&passes);

    let mut summaries = Vec::with_capacity(students.len());
    for ((student, readiness), (correct, n)) in students.iter().zip(&readiness).zip(&totals) {
        let accuracy = (*n > 0).then(|| *correct as f64 / *n as f64);
        let accuracy_percentile = accuracy.map(|mine| {
            accuracies.iter().filter(|other| **other < mine).count() as f64
                / accuracies.len() as f64
        });
        let days = student
            .last_activity
            .map(|last| (now - last).max(0) / 86_400);
        let mut risks = Vec::new();
        if let Some(estimate) = readiness
            && estimate.p_pass < FAIL_THRESHOLD
        {
            risks.push(RiskReason::LowReadiness {
                p_pass: estimate.p_pass,
                n: estimate.n,
            });
        }
        if let Some(trend) = falling_trend(&student.cells) {
            risks.push(trend);
        }
        match days {
            Some(days) if days >= INACTIVE_DAYS => {
                risks.push(RiskReason::Inactive { days: Some(days) })
            }
            None => risks.push(RiskReason::Inactive { days: None }),
            Some(_) => {}
        }
        summaries.push(StudentSummary {
            student_id: student.student_id,
            username: student.username.clone(),
            display_name: student.display_name.clone(),
            n: *n,
            accuracy,
            accuracy_percentile,
            p_pass_vs_median: readiness
                .as_ref()
                .zip(median_pass)
                .map(|(r, m)| r.p_pass - m),
            readiness: readiness.clone(),
            days_since_activity: days,
            risks,
        });
    }

    let bands = (0..5)
        .map(|band| {
            let low = band as f64 * 0.2;
            let high = low + 0.2;
            ReadinessBand {
                p_pass_low: low,
                p_pass_high: high,
                students: passes
                    .iter()
                    .filter(|p| **p >= low && (**p < high || (band == 4 && **p <= high)))
                    .count(),
            }
        })
        .collect();

    let by_client_need = ClientNeed::ALL
        .into_iter()
        .map(|need| {
            let (mut correct, mut responses) = (0u64, 0u64);
            let mut per_student = Vec::new();
            let mut below = 0;
            for student in students {
                let (c, n) = student
                    .cells
                    .iter()
                    .filter(|cell| cell.client_need == need.as_str())
                    .fold((0, 0), |(c, n), cell| (c + cell.correct, n + cell.n));
                correct += c;
                responses += n;
                if n >= MIN_EVIDENCE as u64 {
                    per_student.push(c as f64 / n as f64);
                } else if n > 0 {
                    below += 1;
                }
            }
            let interval = wilson(correct as usize, responses as usize);
            CategoryDistribution {
                client_need: need,
                responses,
                accuracy: (responses > 0).then(|| correct as f64 / responses as f64),
                accuracy_ci_low: interval.map(|i| i.0),
                accuracy_ci_high: interval.map(|i| i.1),
                student_accuracy: spread(per_student),
                students_below_min_evidence: below,
            }
        })
        .collect();

    CohortReport {
        students: students.len(),
        min_evidence: MIN_EVIDENCE,
        readiness: ReadinessDistribution {
            students_with_data: passes.len(),
            students_without_data: students.len() - passes.len(),
            bands,
            p_pass: spread(passes.clone()),
        },
        by_client_need,
        accuracy: spread(accuracies),
        at_risk: summaries
            .iter()
            .filter(|summary| !summary.risks.is_empty())
            .map(|summary| summary.student_id)
            .collect(),
        student_summaries: summaries,
    }
}

/// A spreadsheet cell: quoted, with a leading formula character defused.
fn csv_field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

fn number(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// The report as CSV, one row per student.
pub fn to_csv(report: &CohortReport) -> String {
    let mut out = String::from(
        "student_id,username,display_name,responses,accuracy,accuracy_percentile,p_pass,p_pass_low,p_pass_high,readiness_n,days_since_activity,at_risk,risks\r\n",
    );
    for student in &report.student_summaries {
        let risks: Vec<&str> = student
            .risks
            .iter()
            .map(|risk| match risk {
                RiskReason::LowReadiness { .. } => "low_readiness",
                RiskReason::FallingTrend { .. } => "falling_trend",
                RiskReason::Inactive { .. } => "inactive",
            })
            .collect();
        let readiness = student.readiness.as_ref();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            student.student_id,
            csv_field(&student.username),
            csv_field(&student.display_name),
            student.n,
            number(student.accuracy),
            number(student.accuracy_percentile),
            number(readiness.map(|r| r.p_pass)),
            number(readiness.map(|r| r.p_pass_low)),
            number(readiness.map(|r| r.p_pass_high)),
            readiness.map_or(0, |r| r.n),
            student
                .days_since_activity
                .map(|d| d.to_string())
                .unwrap_or_default(),
            !risks.is_empty(),
            risks.join(";"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::psychometrics::rasch::Response;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_780_000_000;

    fn cell(need: ClientNeed, week: &str, correct: u64, n: u64) -> Cell {
        Cell {
            client_need: need.as_str().to_owned(),
            week: week.to_owned(),
            correct,
            n,
        }
    }

    fn student(id: i64, cells: Vec<Cell>, last: Option<i64>) -> StudentData {
        let mut rasch = Vec::new();
        for cell in &cells {
            rasch.push(Counted {
                response: Response::new(0.0, true),
                count: cell.correct,
            });
            rasch.push(Counted {
                response: Response::new(0.0, false),
                count: cell.n - cell.correct,
            });
        }
        StudentData {
            student_id: UserId(id),
            username: format!("s{id}"),
            display_name: format!("Student {id}"),
            cells,
            rasch,
            last_activity: last,
        }
    }

    #[test]
    fn quantiles_interpolate() {
        let s = spread(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((s.min, s.max, s.students), (1.0, 4.0, 4));
        assert!((s.median - 2.5).abs() < 1e-12);
        assert!((s.q1 - 1.75).abs() < 1e-12);
        assert!(spread(Vec::new()).is_none());
    }

    #[test]
    fn each_risk_has_its_reason_and_the_steady_student_has_none() {
        let need = ClientNeed::ManagementOfCare;
        let steady = student(
            1,
            vec![
                cell(need, "2026-03-02", 40, 50),
                cell(need, "2026-03-09", 40, 50),
                cell(need, "2026-03-16", 40, 50),
            ],
            Some(NOW - DAY),
        );
        let falling = student(
            2,
            vec![
                cell(need, "2026-03-02", 45, 50),
                cell(need, "2026-03-09", 10, 25),
                cell(need, "2026-03-16", 10, 25),
            ],
            Some(NOW - 2 * DAY),
        );
        let weak = student(3, vec![cell(need, "2026-03-16", 5, 40)], Some(NOW));
        let idle = student(
            4,
            vec![cell(need, "2026-01-05", 8, 10)],
            Some(NOW - 30 * DAY),
        );
        let never = student(5, Vec::new(), None);
        let report = report(&[steady, falling, weak, idle, never], NOW);
        let risks = |id: i64| {
            report
                .student_summaries
                .iter()
                .find(|s| s.student_id == UserId(id))
                .unwrap()
                .risks
                .clone()
        };
        assert!(risks(1).is_empty(), "{:?}", risks(1));
        assert!(matches!(
            risks(2)[..],
            [RiskReason::FallingTrend { recent_n: 50, .. }]
        ));
        assert!(matches!(
            risks(3)[..],
            [RiskReason::LowReadiness { n: 40, .. }]
        ));
        assert_eq!(risks(4), vec![RiskReason::Inactive { days: Some(30) }]);
        assert_eq!(risks(5), vec![RiskReason::Inactive { days: None }]);
        assert_eq!(report.at_risk, [2, 3, 4, 5].map(UserId).to_vec());
        assert_eq!(report.readiness.students_without_data, 1);
        assert_eq!(
            report
                .readiness
                .bands
                .iter()
                .map(|b| b.students)
                .sum::<usize>(),
            4
        );
        // Management of care: three students with at least 20 answers, one with fewer.
        let moc = &report.by_client_need[0];
        assert_eq!(moc.client_need, ClientNeed::ManagementOfCare);
        assert_eq!(moc.student_accuracy.as_ref().unwrap().students, 3);
        assert_eq!(moc.students_below_min_evidence, 1);
        assert_eq!(moc.responses, 150 + 100 + 40 + 10);
        let other = &report.by_client_need[1];
        assert_eq!(other.responses, 0);
        assert!(other.accuracy.is_none() && other.student_accuracy.is_none());
        let steady_summary = &report.student_summaries[0];
        assert!((steady_summary.accuracy.unwrap() - 0.8).abs() < 1e-12);
        // Above the falling (0.65), the weak (0.125) and the idle (0.8 is not below 0.8).
        assert!((steady_summary.accuracy_percentile.unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_small_fall_is_not_a_trend() {
        let need = ClientNeed::ReductionOfRisk;
        let cells = vec![
            cell(need, "2026-03-02", 16, 20),
            cell(need, "2026-03-09", 7, 10),
            cell(need, "2026-03-16", 7, 10),
        ];
        assert!(falling_trend(&cells).is_none());
    }

    #[test]
    fn csv_quotes_and_defuses_cells() {
        let mut data = student(7, Vec::new(), None);
        data.display_name = "=HYPERLINK(\"x\")".to_owned();
        let csv = to_csv(&report(&[data], NOW));
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("student_id,username,"));
        assert_eq!(
            lines[1],
            "7,\"s7\",\"'=HYPERLINK(\"\"x\"\")\",0,,,,,,0,,true,inactive"
        );
    }
}
