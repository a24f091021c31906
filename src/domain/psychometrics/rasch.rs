//! The dichotomous Rasch model: probability, information, and ability estimates (EAP on a
//! quadrature grid with a normal prior; MLE by bounded Newton–Raphson), each with its standard error.

/// One scored response to an item of known difficulty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    /// Item difficulty in logits.
    pub b: f64,
    pub correct: bool,
}

impl Response {
    pub fn new(b: f64, correct: bool) -> Response {
        Response { b, correct }
    }
}

/// An ability estimate in logits with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub theta: f64,
    pub se: f64,
}

/// Which estimator produced an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    Eap,
    Mle,
}

/// P(correct | θ, b) = e^(θ−b) / (1 + e^(θ−b)).
pub fn probability(theta: f64, b: f64) -> f64 {
    let z = theta - b;
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Item information P(1−P); 0.25 at θ = b.
pub fn information(theta: f64, b: f64) -> f64 {
    let p = probability(theta, b);
    p * (1.0 - p)
}

/// Test information: the sum of item information at θ.
pub fn test_information(theta: f64, responses: &[Response]) -> f64 {
    responses.iter().map(|r| information(theta, r.b)).sum()
}

/// The EAP settings: a normal prior and an evenly spaced grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quadrature {
    pub prior_mean: f64,
    pub prior_sd: f64,
    pub low: f64,
    pub high: f64,
    pub points: usize,
}

impl Default for Quadrature {
    /// N(0, 1) prior on 61 points over [−4, 4].
    fn default() -> Quadrature {
        Quadrature {
            prior_mean: 0.0,
            prior_sd: 1.0,
            low: -4.0,
            high: 4.0,
            points: 61,
        }
    }
}

fn response_log_likelihood(theta: f64, r: &Response) -> f64 {
    let p = probability(theta, r.b);
    if r.correct {
        p.max(f64::MIN_POSITIVE).ln()
    } else {
        (1.0 - p).max(f64::MIN_POSITIVE).ln()
    }
}

fn log_likelihood(theta: f64, responses: &[Response]) -> f64 {
    responses
        .iter()
        .map(|r| response_log_likelihood(theta, r))
        .sum()
}

/// Identical responses counted once with their number: what the cohort report reads from the
/// per-student counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counted {
    pub response: Response,
    pub count: u64,
}

fn counted_log_likelihood(theta: f64, groups: &[Counted]) -> f64 {
    groups
        .iter()
        .map(|g| g.count as f64 * response_log_likelihood(theta, &g.response))
        .sum()
}

/// Expected a posteriori ability: the posterior mean on the grid; the posterior SD is the SE.
pub fn eap(responses: &[Response], quadrature: &Quadrature) -> Estimate {
    eap_with(|theta| log_likelihood(theta, responses), quadrature)
}

/// [`eap`] over counted responses: the same estimate as over the expanded list (to rounding,
/// since `count × ln P` replaces `count` additions of `ln P`).
pub fn eap_counted(groups: &[Counted], quadrature: &Quadrature) -> Estimate {
    eap_with(|theta| counted_log_likelihood(theta, groups), quadrature)
}

fn eap_with(log_likelihood: impl Fn(f64) -> f64, quadrature: &Quadrature) -> Estimate {
    let points = quadrature.points.max(2);
    let step = (quadrature.high - quadrature.low) / (points - 1) as f64;
    let nodes: Vec<f64> = (0..points)
        .map(|i| quadrature.low + step * i as f64)
        .collect();
    let logs: Vec<f64> = nodes
        .iter()
        .map(|&theta| {
            let z = (theta - quadrature.prior_mean) / quadrature.prior_sd;
            log_likelihood(theta) - 0.5 * z * z
        })
        .collect();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = logs.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    let mean = nodes.iter().zip(&weights).map(|(t, w)| t * w).sum::<f64>() / total;
    let variance = nodes
        .iter()
        .zip(&weights)
        .map(|(t, w)| (t - mean).powi(2) * w)
        .sum::<f64>()
        / total;
    Estimate {
        theta: mean,
        se: variance.sqrt(),
    }
}

/// Bounds and steps for the MLE.
pub const MLE_BOUND: f64 = 6.0;
const MLE_MAX_STEP: f64 = 1.0;

/// True when the responses hold at least one right and one wrong answer (the MLE is finite).
pub fn is_mixed(responses: &[Response]) -> bool {
    responses.iter().any(|r| r.correct) && responses.iter().any(|r| !r.correct)
}

/// Maximum-likelihood ability by Newton–Raphson (θ ← θ + Σ(x−P)/ΣP(1−P)), steps capped at one
/// logit and θ kept within ±6; SE = 1/√(test information). `None` for an all-right or all-wrong
/// string, whose MLE is infinite.
pub fn mle(responses: &[Response], start: f64) -> Option<Estimate> {
    if !is_mixed(responses) {
        return None;
    }
    let mut theta = start.clamp(-MLE_BOUND, MLE_BOUND);
    for _ in 0..100 {
        let (gradient, info) = responses.iter().fold((0.0, 0.0), |(g, i), r| {
            let p = probability(theta, r.b);
            (g + f64::from(u8::from(r.correct)) - p, i + p * (1.0 - p))
        });
        if info <= 0.0 {
            break;
        }
        let step = (gradient / info).clamp(-MLE_MAX_STEP, MLE_MAX_STEP);
        theta = (theta + step).clamp(-MLE_BOUND, MLE_BOUND);
        if step.abs() < 1e-9 {
            break;
        }
    }
    let info = test_information(theta, responses);
    Some(Estimate {
        theta,
        se: 1.0 / info.sqrt(),
    })
}

/// The adaptive exam's estimator: EAP (N(0,1) prior) until the responses are mixed, then MLE.
pub fn estimate(responses: &[Response]) -> (Estimate, Estimator) {
    let prior = eap(responses, &Quadrature::default());
    match mle(responses, prior.theta) {
        Some(estimate) => (estimate, Estimator::Mle),
        None => (prior, Estimator::Eap),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_and_information_by_hand() {
        assert!((probability(0.0, 0.0) - 0.5).abs() < 1e-12);
        // e^1 / (1 + e^1) = 0.7310585786
        assert!((probability(1.0, 0.0) - 0.731_058_578_6).abs() < 1e-9);
        assert!((probability(-1.0, 0.0) - 0.268_941_421_4).abs() < 1e-9);
        assert!((information(0.5, 0.5) - 0.25).abs() < 1e-12);
        // 0.7310585786 × 0.2689414214 = 0.1966119332
        assert!((information(2.0, 1.0) - 0.196_611_933_2).abs() < 1e-9);
        assert!(probability(800.0, 0.0) <= 1.0 && probability(-800.0, 0.0) >= 0.0);
    }

    #[test]
    fn mle_of_a_symmetric_string_is_the_mean_difficulty() {
        // Two items at −1 and +1, one right and one wrong in the pattern that gives θ = 0:
        // x − P sums to (1 − 0.731) + (0 − 0.269) = 0 at θ = 0.
        let responses = [Response::new(-1.0, true), Response::new(1.0, false)];
        let estimate = mle(&responses, 2.0).unwrap();
        assert!(estimate.theta.abs() < 1e-9);
        // SE = 1 / √(2 × 0.1966119332) = 1.5947
        assert!((estimate.se - 1.594_7).abs() < 1e-3);
    }

    #[test]
    fn mle_of_one_right_one_wrong_on_equal_items_is_b() {
        let responses = [Response::new(0.7, true), Response::new(0.7, false)];
        let estimate = mle(&responses, -3.0).unwrap();
        assert!((estimate.theta - 0.7).abs() < 1e-9);
        // Information 2 × 0.25 → SE = 1/√0.5 = 1.41421
        assert!((estimate.se - std::f64::consts::SQRT_2).abs() < 1e-9);
    }

    #[test]
    fn mle_of_three_of_four_right_on_equal_items() {
        // P = 3/4 at θ − b = ln 3 = 1.0986; info = 4 × 3/16 = 0.75; SE = 1.1547.
        let responses = [
            Response::new(0.0, true),
            Response::new(0.0, true),
            Response::new(0.0, true),
            Response::new(0.0, false),
        ];
        let estimate = mle(&responses, 0.0).unwrap();
        assert!((estimate.theta - 3f64.ln()).abs() < 1e-9);
        assert!((estimate.se - 1.0 / 0.75f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn mle_refuses_unmixed_strings() {
        assert!(mle(&[Response::new(0.0, true); 3], 0.0).is_none());
        assert!(mle(&[Response::new(0.0, false); 3], 0.0).is_none());
        assert!(mle(&[], 0.0).is_none());
    }

    #[test]
    fn eap_without_responses_is_the_prior() {
        let estimate = eap(&[], &Quadrature::default());
        assert!(estimate.theta.abs() < 1e-9);
        // The N(0,1) prior on a 61-point grid over [−4, 4]: SD just under 1.
        assert!((estimate.se - 1.0).abs() < 0.01);
    }

    #[test]
    fn eap_is_symmetric_and_shrinks_toward_the_prior() {
        let right = eap(&[Response::new(0.0, true)], &Quadrature::default());
        let wrong = eap(&[Response::new(0.0, false)], &Quadrature::default());
        assert!((right.theta + wrong.theta).abs() < 1e-9);
        assert!(right.theta > 0.0 && right.theta < 1.0);
        // One right answer at b = 0 with a N(0,1) prior: posterior mean ≈ 0.41 (numerical integral
        // of θ·φ(θ)·logistic(θ) over φ(θ)·logistic(θ) = 0.4132 by Simpson's rule on a fine grid).
        assert!((right.theta - 0.413).abs() < 0.01, "{}", right.theta);
        assert!(right.se < 1.0);
    }

    #[test]
    fn eap_and_mle_agree_on_long_strings() {
        // 40 items around 0.5, 24 right: the likelihood dominates the prior.
        let responses: Vec<Response> = (0..40)
            .map(|i| Response::new(0.5 + (i % 5) as f64 * 0.1 - 0.2, i % 5 < 3))
            .collect();
        let m = mle(&responses, 0.0).unwrap();
        let e = eap(&responses, &Quadrature::default());
        assert!((m.theta - e.theta).abs() < 0.1, "{m:?} {e:?}");
        let (chosen, estimator) = estimate(&responses);
        assert_eq!(estimator, Estimator::Mle);
        assert!((chosen.theta - m.theta).abs() < 1e-12);
    }

    #[test]
    fn estimate_uses_eap_until_mixed() {
        let (estimate, estimator) = estimate(&[Response::new(0.0, true)]);
        assert_eq!(estimator, Estimator::Eap);
        assert!(estimate.theta.is_finite());
    }

    #[test]
    fn counted_eap_is_the_eap_of_the_expanded_responses() {
        let groups = [
            Counted {
                response: Response::new(-1.0, true),
                count: 700,
            },
            Counted {
                response: Response::new(-1.0, false),
                count: 300,
            },
            Counted {
                response: Response::new(1.0, true),
                count: 150,
            },
            Counted {
                response: Response::new(0.3, false),
                count: 1,
            },
        ];
        let expanded: Vec<Response> = groups
            .iter()
            .flat_map(|g| std::iter::repeat_n(g.response, g.count as usize))
            .collect();
        let q = Quadrature::default();
        let (a, b) = (eap_counted(&groups, &q), eap(&expanded, &q));
        assert!((a.theta - b.theta).abs() < 1e-9, "{a:?} {b:?}");
        assert!((a.se - b.se).abs() < 1e-9, "{a:?} {b:?}");
        // Count 1 is exactly the plain EAP.
        let ones: Vec<Counted> = expanded
            .iter()
            .map(|&response| Counted { response, count: 1 })
            .collect();
        assert_eq!(eap_counted(&ones, &q), eap(&expanded, &q));
        // And the counts matter: without them the estimate moves.
        let single: Vec<Response> = groups.iter().map(|g| g.response).collect();
        assert!((eap(&single, &q).theta - a.theta).abs() > 0.05);
    }
}
