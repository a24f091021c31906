//! Readiness — P(θ > cut) from a student's scored responses, with its interval and the count it
//! rests on — and how well readiness predicted recorded NCLEX outcomes: Brier score, sensitivity
//! and specificity *for failure*, a reliability table by predicted-probability band, and n.

use serde::Serialize;

use super::cat::p_pass;
use super::rasch::{self, Counted, Quadrature, Response};
use super::{PASSING_STANDARD, Z95};

/// A student's readiness.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// EAP ability (N(0,1) prior: finite and stable for any number of responses).
    pub theta: f64,
    pub se: f64,
    pub theta_ci_low: f64,
    pub theta_ci_high: f64,
    /// P(θ > cut) = Φ((θ̂ − cut)/SE).
    pub p_pass: f64,
    /// The same probability at the ends of θ̂'s 95% interval.
    pub p_pass_low: f64,
    pub p_pass_high: f64,
    pub cut: f64,
    /// Scored responses it rests on.
    pub n: usize,
}

/// Readiness from scored responses; `None` without any (no data yet, never an invented figure).
pub fn readiness(responses: &[Response]) -> Option<Readiness> {
    if responses.is_empty() {
        return None;
    }
    let estimate = rasch::eap(responses, &Quadrature::default());
    Some(from_estimate(estimate, responses.len()))
}

/// [`readiness`] over counted responses (the cohort report's per-student counts); `None` when
/// they count nothing.
pub fn readiness_counted(groups: &[Counted]) -> Option<Readiness> {
    let n: u64 = groups.iter().map(|g| g.count).sum();
    if n == 0 {
        return None;
    }
    let estimate = rasch::eap_counted(groups, &Quadrature::default());
    Some(from_estimate(estimate, n as usize))
}

fn from_estimate(estimate: rasch::Estimate, n: usize) -> Readiness {
    let cut = PASSING_STANDARD;
    let low = estimate.theta - Z95 * estimate.se;
    let high = estimate.theta + Z95 * estimate.se;
    Readiness {
        theta: estimate.theta,
        se: estimate.se,
        theta_ci_low: low,
        theta_ci_high: high,
        p_pass: p_pass(estimate.theta, estimate.se, cut),
        p_pass_low: p_pass(low, estimate.se, cut),
        p_pass_high: p_pass(high, estimate.se, cut),
        cut,
        n,
    }
}

/// A prediction and what happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The readiness P(pass) recorded with the outcome.
    pub predicted_pass: f64,
    pub passed: bool,
}

/// Predicted to fail when P(pass) is below this.
pub const FAIL_THRESHOLD: f64 = 0.5;
/// With fewer outcomes, or fewer failures, than these the report says the figures are unstable.
pub const SMALL_N: usize = 30;
pub const SMALL_FAILURES: usize = 5;

/// One band of the reliability table.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReliabilityBand {
    pub predicted_low: f64,
    pub predicted_high: f64,
    pub n: usize,
    pub mean_predicted: Option<f64>,
    pub observed_pass_rate: Option<f64>,
}

/// How well readiness predicted the recorded outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Accuracy {
    pub n: usize,
    pub passes: usize,
    pub failures: usize,
    /// Mean of (P(pass) − outcome)²; 0 is perfect, 0.25 is a coin.
    pub brier: Option<f64>,
    /// Of those who failed, the share predicted to fail (P(pass) < 0.5).
    pub sensitivity_for_failure: Option<f64>,
    /// Of those who passed, the share predicted to pass.
    pub specificity_for_failure: Option<f64>,
    pub fail_threshold: f64,
    pub reliability: Vec<ReliabilityBand>,
    /// Plain-language warning when the figures rest on too few graduates.
    pub caveat: Option<String>,
}

/// The accuracy report over `outcomes`.
pub fn accuracy(outcomes: &[Outcome]) -> Accuracy {
    let n = outcomes.len();
    let passes = outcomes.iter().filter(|o| o.passed).count();
    let failures = n - passes;
    let brier = (n > 0).then(|| {
        outcomes
            .iter()
            .map(|o| (o.predicted_pass - f64::from(u8::from(o.passed))).powi(2))
            .sum::<f64>()
            / n as f64
    });
    let predicted_fail = |o: &&Outcome| o.predicted_pass < FAIL_THRESHOLD;
    let caught = outcomes
        .iter()
        .filter(|o| !o.passed)
        .filter(predicted_fail)
        .count();
    let cleared = outcomes
        .iter()
        .filter(|o| o.passed)
        .filter(|o| !predicted_fail(o))
        .count();
    let reliability = (0..5u8)
        .map(|band| {
            let low = f64::from(band) / 5.0;
            let high = f64::from(band + 1) / 5.0;
            let members: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| {
                    o.predicted_pass >= low
                        && (o.predicted_pass < high || (band == 4 && o.predicted_pass <= 1.0))
                })
                .collect();
            let count = members.len();
            ReliabilityBand {
                predicted_low: low,
                predicted_high: high,
                n: count,
                mean_predicted: (count > 0)
                    .then(|| members.iter().map(|o| o.predicted_pass).sum::<f64>() / count as f64),
                observed_pass_rate: (count > 0)
                    .then(|| members.iter().filter(|o| o.passed).count() as f64 / count as f64),
            }
        })
        .collect();
    let caveat = if n == 0 {
        Some("No NCLEX results have been recorded yet, so there is nothing to compare the readiness estimate with.".to_owned())
    } else if n < SMALL_N || failures < SMALL_FAILURES {
        Some(format!(
            "These figures rest on {n} recorded result{} ({failures} failure{}). With fewer than {SMALL_N} results or fewer than {SMALL_FAILURES} failures they can change a lot with each new graduate; read them as a first impression, not as evidence.",
            if n == 1 { "" } else { "s" },
            if failures == 1 { "" } else { "s" },
        ))
    } else {
        None
    };
    Accuracy {
        n,
        passes,
        failures,
        brier,
        sensitivity_for_failure: (failures > 0).then(|| caught as f64 / failures as f64),
        specificity_for_failure: (passes > 0).then(|| cleared as f64 / passes as f64),
        fail_threshold: FAIL_THRESHOLD,
        reliability,
        caveat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_responses_no_readiness() {
        assert_eq!(readiness(&[]), None);
    }

    #[test]
    fn readiness_by_hand() {
        // One right answer at b = 0: EAP θ̂ = 0.4131 (61-point grid), SE ≈ 0.87.
        let r = readiness(&[Response::new(0.0, true)]).unwrap();
        assert_eq!(r.n, 1);
        assert!((r.theta - 0.4131).abs() < 1e-3);
        assert!((r.p_pass - super::super::normal_cdf(r.theta / r.se)).abs() < 1e-12);
        assert!(r.p_pass_low < r.p_pass && r.p_pass < r.p_pass_high);
        assert!(r.theta_ci_low < 0.0 && r.theta_ci_high > 0.0);
    }

    #[test]
    fn many_right_answers_make_a_confident_pass() {
        let responses: Vec<Response> = (0..100).map(|i| Response::new(0.0, i % 10 < 8)).collect();
        let r = readiness(&responses).unwrap();
        assert!(r.p_pass > 0.99 && r.theta_ci_low > 0.0, "{r:?}");
    }

    #[test]
    fn accuracy_by_hand() {
        let outcomes = [
            Outcome {
                predicted_pass: 0.9,
                passed: true,
            },
            Outcome {
                predicted_pass: 0.8,
                passed: true,
            },
            Outcome {
                predicted_pass: 0.3,
                passed: false,
            },
            Outcome {
                predicted_pass: 0.6,
                passed: false,
            },
        ];
        let a = accuracy(&outcomes);
        assert_eq!((a.n, a.passes, a.failures), (4, 2, 2));
        // (0.01 + 0.04 + 0.09 + 0.36) / 4 = 0.125
        assert!((a.brier.unwrap() - 0.125).abs() < 1e-12);
        // One of two failures predicted (0.3 < 0.5); both passes predicted.
        assert_eq!(a.sensitivity_for_failure, Some(0.5));
        assert_eq!(a.specificity_for_failure, Some(1.0));
        assert_eq!(a.reliability.len(), 5);
        assert_eq!(a.reliability[1].n, 1);
        assert_eq!(a.reliability[1].observed_pass_rate, Some(0.0));
        assert_eq!(a.reliability[4].n, 2);
        assert!((a.reliability[4].mean_predicted.unwrap() - 0.85).abs() < 1e-12);
        assert_eq!(a.reliability[3].observed_pass_rate, Some(0.0));
        assert_eq!(a.reliability[0].n, 0);
        assert_eq!(a.reliability[0].observed_pass_rate, None);
        assert!(
            a.caveat
                .unwrap()
                .contains("4 recorded results (2 failures)")
        );
    }

    #[test]
    fn accuracy_without_outcomes_says_so() {
        let a = accuracy(&[]);
        assert_eq!(a.brier, None);
        assert_eq!(a.sensitivity_for_failure, None);
        assert!(a.caveat.is_some());
        let all_pass: Vec<Outcome> = (0..40)
            .map(|_| Outcome {
                predicted_pass: 1.0,
                passed: true,
            })
            .collect();
        let a = accuracy(&all_pass);
        assert_eq!(a.sensitivity_for_failure, None);
        assert_eq!(a.reliability[4].n, 40);
        // 40 results but no failures: still a caveat.
        assert!(a.caveat.is_some());
    }
}
