//! Psychometrics: the Rasch model and its ability estimates, the adaptive exam (CAT) as a pure state
//! machine, classical item analysis, Rasch calibration with priors and fit, readiness and the
//! accuracy of readiness against recorded NCLEX outcomes. Pure: no IO; every figure carries the
//! number of responses it rests on.

pub mod bank;
pub mod calibration;
pub mod cat;
pub mod classical;
pub mod cohort;
pub mod item_report;
pub mod progress;
pub mod rasch;
pub mod readiness;

/// The NCLEX-RN passing standard in logits (since April 2013; upheld December 2022).
pub const PASSING_STANDARD: f64 = 0.0;

/// The two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The standard normal distribution function Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The complementary error function (Chebyshev fit, Numerical Recipes `erfcc`; relative error below
/// 1.2e-7 everywhere).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let value = t * poly.exp();
    if x >= 0.0 { value } else { 2.0 - value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tables() {
        // Standard normal table values.
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.0) - 0.841_344_746).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_254).abs() < 1e-6);
        assert!((normal_cdf(Z95) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-2.5) - 0.006_209_665).abs() < 1e-6);
    }
}
