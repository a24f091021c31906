//! Rasch calibration of item difficulties from response data: joint maximum a posteriori estimation
//! (JMLE with normal priors on items and persons, alternating Newton steps). An item's prior comes from
//! its difficulty level and, once its item model (family) has calibrated items, from their mean, so
//! a new item starts at a sensible value and a small school's data refines it. Item fit: infit and
//! outfit mean-squares, flagged outside 0.7–1.3 (Wright & Linacre 1994, "Reasonable mean-square fit
//! values", Rasch Measurement Transactions 8:3, the range for high-stakes multiple-choice tests).

use serde::Serialize;

use super::rasch::probability;

id_type!(
    /// A stored calibration run (`calibration_runs.id`).
    CalibrationRunId
);

/// One scored response: person and item are indexes into the caller's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    pub person: u32,
    pub item: u32,
    pub correct: bool,
}

/// A normal prior on an item's difficulty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ItemPrior {
    pub mean: f64,
    pub sd: f64,
}

/// How strongly a family's calibrated mean replaces the level prior: the family mean counts as
/// this many items' worth of evidence against the level prior's one.
pub const FAMILY_SHRINKAGE: f64 = 5.0;
/// The prior SD of a new item: wide enough that ~30 responses move it (Linacre: ~30 examinees
/// give b within ±1 logit).
pub const ITEM_PRIOR_SD: f64 = 1.0;
/// The prior SD of person ability (keeps all-right and all-wrong records finite).
pub const PERSON_PRIOR_SD: f64 = 2.0;
/// Fit mean-squares outside this range are flagged.
pub const FIT_RANGE: (f64, f64) = (0.7, 1.3);
/// Fit is judged only on at least this many responses.
pub const MIN_FIT_N: usize = 30;
/// The adaptive exam uses an item's calibrated difficulty instead of its prior from this many
/// responses (about ±0.4 logits at 95%; Linacre's ~30 examinees for ±1 logit at 99% is the
/// smallest useful sample).
pub const MIN_CALIBRATED_N: usize = 30;

/// Is this calibration what the adaptive exam should use for the item?
pub fn usable_by_exam(estimate: &ItemCalibration) -> bool {
    usable_difficulty(estimate.b, estimate.n)
}

/// Whether a stored difficulty `b` estimated from `n` responses is to be used instead of the
/// item's prior (by the adaptive exam and the readiness estimate alike).
pub fn usable_difficulty(b: f64, n: usize) -> bool {
    n >= MIN_CALIBRATED_N && b.is_finite()
}

/// The prior for an item of difficulty level `level_prior` (logits) whose item model has
/// calibrated difficulties `family`: the family mean shrunk toward the level prior,
/// (n·b̄ + k·level)/(n + k) with k = [`FAMILY_SHRINKAGE`].
pub fn item_prior(level_prior: f64, family: &[f64]) -> ItemPrior {
    let n = family.len() as f64;
    let mean = if family.is_empty() {
        level_prior
    } else {
        (family.iter().sum::<f64>() + FAMILY_SHRINKAGE * level_prior) / (n + FAMILY_SHRINKAGE)
    };
    ItemPrior {
        mean,
        sd: ITEM_PRIOR_SD,
    }
}

/// One item's calibration.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ItemCalibration {
    pub b: f64,
    pub se: f64,
    pub n: usize,
    pub prior_mean: f64,
    /// Information-weighted mean-square Σ(x−P)²/ΣP(1−P); `None` without responses.
    pub infit: Option<f64>,
    /// Unweighted mean-square: the mean of (x−P)²/(P(1−P)).
    pub outfit: Option<f64>,
    /// Fit outside 0.7–1.3 on at least 30 responses.
    pub misfit: bool,
}

/// The calibration of a bank.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub items: Vec<ItemCalibration>,
    pub persons: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

/// Settings for [`calibrate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub person_prior_sd: f64,
    pub max_iterations: usize,
    /// Stop when no estimate moves more than this (logits).
    pub tolerance: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            person_prior_sd: PERSON_PRIOR_SD,
            max_iterations: 200,
            tolerance: 1e-4,
        }
    }
}

/// Calibrates `priors.len()` items and `persons` persons from `observations` (indexes out of range
/// are ignored).
pub fn calibrate(
    persons: usize,
    priors: &[ItemPrior],
    observations: &[Observation],
    settings: Settings,
) -> Calibration {
    let items = priors.len();
    let valid: Vec<Observation> = observations
        .iter()
        .copied()
        .filter(|o| (o.person as usize) < persons && (o.item as usize) < items)
        .collect();
    let mut b: Vec<f64> = priors.iter().map(|p| p.mean).collect();
    let mut theta = vec![0.0; persons];
    let person_precision = 1.0 / settings.person_prior_sd.powi(2);
    let (mut grad_b, mut info_b) = (vec![0.0; items], vec![0.0; items]);
    let (mut grad_t, mut info_t) = (vec![0.0; persons], vec![0.0; persons]);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < settings.max_iterations {
        iterations += 1;
        // Persons given items.
        grad_t.iter_mut().for_each(|g| *g = 0.0);
        info_t.iter_mut().for_each(|i| *i = 0.0);
        for o in &valid {
            let p = probability(theta[o.person as usize], b[o.item as usize]);
            grad_t[o.person as usize] += f64::from(u8::from(o.correct)) - p;
            info_t[o.person as usize] += p * (1.0 - p);
        }
        let mut largest: f64 = 0.0;
        for j in 0..persons {
            let gradient = grad_t[j] - theta[j] * person_precision;
            let info = info_t[j] + person_precision;
            let step = (gradient / info).clamp(-1.0, 1.0);
            theta[j] += step;
            largest = largest.max(step.abs());
        }
        // Items given persons.
        grad_b.iter_mut().for_each(|g| *g = 0.0);
        info_b.iter_mut().for_each(|i| *i = 0.0);
        for o in &valid {
            let p = probability(theta[o.person as usize], b[o.item as usize]);
            grad_b[o.item as usize] += p - f64::from(u8::from(o.correct));
            info_b[o.item as usize] += p * (1.0 - p);
        }
        for i in 0..items {
            let precision = 1.0 / priors[i].sd.powi(2);
            let gradient = grad_b[i] - (b[i] - priors[i].mean) * precision;
            let info = info_b[i] + precision;
            let step = (gradient / info).clamp(-1.0, 1.0);
            b[i] += step;
            largest = largest.max(step.abs());
        }
        if largest < settings.tolerance {
            converged = true;
            break;
        }
    }
    // Standard errors and fit at the final estimates.
    let mut n = vec![0usize; items];
    let mut info = vec![0.0; items];
    let mut squared = vec![0.0; items];
    let mut standardised = vec![0.0; items];
    for o in &valid {
        let (i, j) = (o.item as usize, o.person as usize);
        let p = probability(theta[j], b[i]);
        let variance = (p * (1.0 - p)).max(1e-12);
        let residual = f64::from(u8::from(o.correct)) - p;
        n[i] += 1;
        info[i] += variance;
        squared[i] += residual * residual;
        standardised[i] += residual * residual / variance;
    }
    let items = (0..items)
        .map(|i| {
            let infit = (n[i] > 0).then(|| squared[i] / info[i].max(1e-12));
            let outfit = (n[i] > 0).then(|| standardised[i] / n[i] as f64);
            let outside = |v: Option<f64>| v.is_some_and(|v| v < FIT_RANGE.0 || v > FIT_RANGE.1);
            ItemCalibration {
                b: b[i],
                se: 1.0 / (info[i] + 1.0 / priors[i].sd.powi(2)).sqrt(),
                n: n[i],
                prior_mean: priors[i].mean,
                infit,
                outfit,
                misfit: n[i] >= MIN_FIT_N && (outside(infit) || outside(outfit)),
            }
        })
        .collect();
    Calibration {
        items,
        persons: theta,
        iterations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::items::rng::Rng;

    fn uniform(rng: &mut Rng) -> f64 {
        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn item_priors_by_hand() {
        assert_eq!(item_prior(1.0, &[]).mean, 1.0);
        // Five family items at 0.0 and the level prior 1.0: (0 + 5 × 1)/(5 + 5) = 0.5.
        assert!((item_prior(1.0, &[0.0; 5]).mean - 0.5).abs() < 1e-12);
        assert_eq!(item_prior(0.0, &[]).sd, ITEM_PRIOR_SD);
    }

    #[test]
    fn an_item_without_responses_keeps_its_prior() {
        let priors = [
            ItemPrior {
                mean: -1.0,
                sd: 1.0,
            },
            ItemPrior { mean: 0.7, sd: 1.0 },
        ];
        let observations = [
            Observation {
                person: 0,
                item: 0,
                correct: true,
            },
            Observation {
                person: 1,
                item: 0,
                correct: false,
            },
        ];
        let c = calibrate(2, &priors, &observations, Settings::default());
        assert!(c.converged);
        assert!((c.items[1].b - 0.7).abs() < 1e-9);
        assert_eq!(c.items[1].n, 0);
        assert_eq!(c.items[1].infit, None);
        assert!((c.items[1].se - 1.0).abs() < 1e-9);
    }

    #[test]
    fn simulated_difficulties_are_recovered() {
        // 1,000 persons θ ~ spread over [−2, 2], 40 items with b over [−2, 2], everyone answers
        // every item; flat-ish priors (sd 3) at 0 so the data decide.
        let items = 40;
        let persons = 1000;
        let truth: Vec<f64> = (0..items).map(|i| -2.0 + 4.0 * i as f64 / 39.0).collect();
        let mut rng = Rng::new(42);
        let mut observations = Vec::new();
        for j in 0..persons {
            let theta = -2.0 + 4.0 * (j as f64 + 0.5) / persons as f64;
            for (i, &b) in truth.iter().enumerate() {
                observations.push(Observation {
                    person: j as u32,
                    item: i as u32,
                    correct: uniform(&mut rng) < probability(theta, b),
                });
            }
        }
        let priors = vec![ItemPrior { mean: 0.0, sd: 3.0 }; items];
        let c = calibrate(persons, &priors, &observations, Settings::default());
        assert!(c.converged);
        let rmse = (c
            .items
            .iter()
            .zip(&truth)
            .map(|(e, t)| (e.b - t).powi(2))
            .sum::<f64>()
            / items as f64)
            .sqrt();
        // JMLE spreads difficulties by about (L/(L−1)); with L = 40 that is 2.5%, and the sampling
        // error with 1,000 responses per item is about 0.08 logits.
        assert!(rmse < 0.15, "rmse {rmse}");
        // Data that fit the model fit: mean-squares near 1, nothing flagged.
        for item in &c.items {
            assert!(!item.misfit, "{item:?}");
            assert!((item.infit.unwrap() - 1.0).abs() < 0.15, "{item:?}");
        }
    }

    #[test]
    fn a_guessable_item_misfits() {
        // Responses to item 0 are coin flips regardless of ability: an underfitting (noisy) item
        // has infit and outfit above 1.3 once the others define the scale.
        let persons = 300;
        let mut rng = Rng::new(7);
        let mut observations = Vec::new();
        for j in 0..persons {
            let theta = -3.0 + 6.0 * j as f64 / persons as f64;
            for i in 0..20u32 {
                let b = -1.5 + 3.0 * f64::from(i) / 19.0;
                let p = if i == 0 { 0.5 } else { probability(theta, b) };
                observations.push(Observation {
                    person: j as u32,
                    item: i,
                    correct: uniform(&mut rng) < p,
                });
            }
        }
        let priors = vec![ItemPrior { mean: 0.0, sd: 1.0 }; 20];
        let c = calibrate(persons, &priors, &observations, Settings::default());
        assert!(c.items[0].misfit, "{:?}", c.items[0]);
        assert!(c.items[0].outfit.unwrap() > 1.3);
        // It is the worst-fitting item of the bank.
        let worst = (0..20)
            .max_by(|&a, &b| {
                c.items[a]
                    .infit
                    .unwrap()
                    .total_cmp(&c.items[b].infit.unwrap())
            })
            .unwrap();
        assert_eq!(worst, 0);
    }

    #[test]
    fn a_small_school_refines_the_prior() {
        // 30 persons all at θ = 0 answer an item whose prior is 0; 24 right pull b below 0 but the
        // prior holds it short of the unpenalised value ln(6/24) = −1.386.
        let observations: Vec<Observation> = (0..30)
            .map(|j| Observation {
                person: j,
                item: 0,
                correct: j < 24,
            })
            .collect();
        let priors = [ItemPrior { mean: 0.0, sd: 1.0 }];
        let c = calibrate(30, &priors, &observations, Settings::default());
        assert!(
            c.items[0].b < -0.5 && c.items[0].b > -1.386,
            "{:?}",
            c.items[0]
        );
    }
}
