//! Classical item analysis as faculty read it in exam reports: difficulty p, the upper–lower
//! discrimination index D (27% groups), the corrected point-biserial, distractor analysis, KR-20 /
//! Cronbach's alpha and the SEM, and the conventional flags. Every statistic carries its n.

use serde::Serialize;

/// Share of examinees in each of the upper and lower groups.
pub const GROUP_SHARE: f64 = 0.27;
/// An option chosen by fewer than this share of examinees is a non-functioning distractor.
pub const FUNCTIONING_SHARE: f64 = 0.05;
/// Flags are raised only on at least this many responses; below it the figures are shown with
/// their n and no verdict.
pub const MIN_FLAG_N: usize = 20;

/// One examinee's response to the item under analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Points earned as a share of the item's maximum (0..=1).
    pub score: f64,
    /// The examinee's score on the other items (the item itself excluded), as a share of their
    /// maximum; it ranks examinees for the groups and gives the corrected point-biserial.
    pub rest: f64,
    /// The options the examinee chose (one for multiple choice; several for select-all).
    pub chosen: Vec<String>,
}

/// A conventional flag (conventions, not standards: McGahee & Ball 2009).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// p below 0.30.
    TooHard,
    /// p above 0.90.
    TooEasy,
    /// A negative corrected point-biserial: check the key.
    NegativePointBiserial,
    /// A corrected point-biserial below 0.20.
    LowPointBiserial,
    /// D below 0.20 (Ebel: poor).
    PoorDiscrimination,
    /// A distractor chosen by fewer than 5% of examinees.
    NonFunctioningDistractor { option: String },
}

/// One option's use.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OptionUse {
    pub option: String,
    pub is_key: bool,
    /// Share of all examinees choosing it.
    pub share: f64,
    pub upper_share: f64,
    pub lower_share: f64,
    /// Distractors only: chosen by at least 5% of examinees.
    pub functioning: Option<bool>,
}

/// The analysis of one item.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ItemAnalysis {
    pub n: usize,
    /// Mean score share (p = correct / N for a 0/1 item).
    pub difficulty: Option<f64>,
    /// p(upper 27%) − p(lower 27%), groups ranked by the rest score; `None` with fewer than 2 examinees per group.
    pub discrimination: Option<f64>,
    /// Examinees in each group.
    pub group_n: usize,
    /// Correlation of the item score with the rest score; `None` when either has no variance.
    pub point_biserial: Option<f64>,
    pub options: Vec<OptionUse>,
    pub flags: Vec<Flag>,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}

/// The Pearson correlation; `None` when either variable is constant.
pub fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = x.iter().take(n).sum::<f64>() / n as f64;
    let my = y.iter().take(n).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 1e-12 && syy > 1e-12).then(|| sxy / (sxx * syy).sqrt())
}

/// Analyses one item from its observations, its option ids and its keyed options.
pub fn analyse_item(
    observations: &[Observation],
    options: &[String],
    keys: &[String],
) -> ItemAnalysis {
    let n = observations.len();
    // Rank by the rest score (the item excluded, as for the corrected point-biserial: the item
    // does not vote on its own groups); ties keep input order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| observations[b].rest.total_cmp(&observations[a].rest));
    let group_n = ((n as f64) * GROUP_SHARE).round() as usize;
    let (upper, lower): (&[usize], &[usize]) = if group_n >= 1 && 2 * group_n <= n {
        (&order[..group_n], &order[n - group_n..])
    } else {
        (&[], &[])
    };
    let group_mean = |group: &[usize]| mean(group.iter().map(|&i| observations[i].score));
    let discrimination = if group_n >= 2 {
        group_mean(upper).zip(group_mean(lower)).map(|(u, l)| u - l)
    } else {
        None
    };
    let scores: Vec<f64> = observations.iter().map(|o| o.score).collect();
    let rests: Vec<f64> = observations.iter().map(|o| o.rest).collect();
    let point_biserial = correlation(&scores, &rests);
    let difficulty = mean(scores.iter().copied());
    let share_in = |group: &[usize], option: &str| {
        if group.is_empty() {
            0.0
        } else {
            group
                .iter()
                .filter(|&&i| observations[i].chosen.iter().any(|c| c == option))
                .count() as f64
                / group.len() as f64
        }
    };
    let everyone: Vec<usize> = (0..n).collect();
    let option_uses: Vec<OptionUse> = options
        .iter()
        .map(|option| {
            let is_key = keys.contains(option);
            let share = share_in(&everyone, option);
            OptionUse {
                option: option.clone(),
                is_key,
                share,
                upper_share: share_in(upper, option),
                lower_share: share_in(lower, option),
                functioning: (!is_key).then_some(share >= FUNCTIONING_SHARE),
            }
        })
        .collect();
    let mut flags = Vec::new();
    if n >= MIN_FLAG_N {
        if let Some(p) = difficulty {
            if p < 0.30 {
                flags.push(Flag::TooHard);
            } else if p > 0.90 {
                flags.push(Flag::TooEasy);
            }
        }
        match point_biserial {
            Some(r) if r < 0.0 => flags.push(Flag::NegativePointBiserial),
            Some(r) if r < 0.20 => flags.push(Flag::LowPointBiserial),
            _ => {}
        }
        if discrimination.is_some_and(|d| d < 0.20) {
            flags.push(Flag::PoorDiscrimination);
        }
        for option in &option_uses {
            if option.functioning == Some(false) {
                flags.push(Flag::NonFunctioningDistractor {
                    option: option.option.clone(),
                });
            }
        }
    }
    ItemAnalysis {
        n,
        difficulty,
        discrimination,
        group_n: if upper.is_empty() { 0 } else { group_n },
        point_biserial,
        options: option_uses,
        flags,
    }
}

/// A test's internal consistency.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reliability {
    /// Examinees with a complete record.
    pub n: usize,
    /// Items.
    pub k: usize,
    pub mean: f64,
    /// Standard deviation of total points (population form, as in the KR-20 formula).
    pub sd: f64,
    /// Cronbach's alpha = (k/(k−1))·(1 − Σσ²ᵢ/σ²_X); `None` with k < 2, n < 2 or no variance.
    pub alpha: Option<f64>,
    /// KR-20, the same coefficient for items scored 0/1 only; `None` otherwise.
    pub kr20: Option<f64>,
    /// SEM = σ_X·√(1 − α).
    pub sem: Option<f64>,
}

fn variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let count = values.clone().count();
    if count == 0 {
        return 0.0;
    }
    let m = values.clone().sum::<f64>() / count as f64;
    values.map(|v| (v - m).powi(2)).sum::<f64>() / count as f64
}

/// Reliability of a test from its examinees × items matrix of points (complete records only).
pub fn reliability(matrix: &[Vec<f64>]) -> Reliability {
    let n = matrix.len();
    let k = matrix.first().map_or(0, Vec::len);
    let totals: Vec<f64> = matrix.iter().map(|row| row.iter().sum()).collect();
    let total_variance = variance(totals.iter().copied());
    let mean = if n > 0 {
        totals.iter().sum::<f64>() / n as f64
    } else {
        0.0
    };
    let item_variances: f64 = (0..k)
        .map(|j| variance(matrix.iter().map(move |row| row[j])))
        .sum();
    let alpha = (k >= 2 && n >= 2 && total_variance > 1e-12)
        .then(|| k as f64 / (k as f64 - 1.0) * (1.0 - item_variances / total_variance));
    let dichotomous = matrix
        .iter()
        .all(|row| row.iter().all(|&v| v == 0.0 || v == 1.0));
    let sd = total_variance.sqrt();
    Reliability {
        n,
        k,
        mean,
        sd,
        alpha,
        kr20: alpha.filter(|_| dichotomous),
        sem: alpha.map(|a| sd * (1.0 - a).max(0.0).sqrt()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kr20_alpha_and_sem_by_hand() {
        // Five examinees × four 0/1 items.
        let matrix = vec![
            vec![1.0, 1.0, 1.0, 1.0],
            vec![1.0, 1.0, 1.0, 0.0],
            vec![1.0, 1.0, 0.0, 0.0],
            vec![1.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.0, 0.0],
        ];
        // Totals 4,3,2,1,0: mean 2, σ² = 2. p = .8,.6,.4,.2 → Σpq = .16+.24+.24+.16 = .80.
        // KR-20 = 4/3 × (1 − 0.8/2) = 0.8; SEM = √2 × √0.2 = 0.632456.
        let r = reliability(&matrix);
        assert_eq!((r.n, r.k), (5, 4));
        assert!((r.mean - 2.0).abs() < 1e-12);
        assert!((r.alpha.unwrap() - 0.8).abs() < 1e-12);
        assert!((r.kr20.unwrap() - 0.8).abs() < 1e-12);
        assert!((r.sem.unwrap() - 0.632_455_532).abs() < 1e-8);
    }

    #[test]
    fn alpha_with_partial_credit_and_no_kr20() {
        // Three examinees × two items scored 0–2: totals 4, 2, 0 (σ² = 8/3);
        // item variances 2/3 each → α = 2 × (1 − (4/3)/(8/3)) = 1.0.
        let matrix = vec![vec![2.0, 2.0], vec![1.0, 1.0], vec![0.0, 0.0]];
        let r = reliability(&matrix);
        assert!((r.alpha.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(r.kr20, None);
        assert!(r.sem.unwrap().abs() < 1e-9);
        // Too few items or examinees: no coefficient.
        assert_eq!(reliability(&[vec![1.0], vec![0.0]]).alpha, None);
        assert_eq!(reliability(&[]).alpha, None);
    }

    fn obs(score: f64, rest: f64, chosen: &str) -> Observation {
        Observation {
            score,
            rest,
            chosen: vec![chosen.to_owned()],
        }
    }

    #[test]
    fn item_statistics_by_hand() {
        // Ten examinees; key B. Groups: round(0.27 × 10) = 3 per group.
        let observations = vec![
            obs(1.0, 0.9, "B"),
            obs(1.0, 0.8, "B"),
            obs(1.0, 0.7, "B"),
            obs(0.0, 0.75, "A"),
            obs(1.0, 0.5, "B"),
            obs(1.0, 0.4, "B"),
            obs(0.0, 0.45, "C"),
            obs(0.0, 0.3, "A"),
            obs(1.0, 0.2, "B"),
            obs(0.0, 0.1, "A"),
        ];
        let options: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
        let a = analyse_item(&observations, &options, &["B".to_owned()]);
        assert_eq!(a.n, 10);
        assert!((a.difficulty.unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(a.group_n, 3);
        // Rest scores ranked: upper = 0.9, 0.8, 0.75 (right, right, wrong: 2/3), lower = 0.3, 0.2,
        // 0.1 (wrong, right, wrong: 1/3) → D = 1/3.
        assert!((a.discrimination.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // Pearson r(score, rest), computed by hand: mean score 0.6, mean rest 0.51;
        // Σdxdy = 0.44, Σdx² = 2.4, Σdy² = 0.654 → r = 0.44/√(2.4 × 0.654) = 0.351203.
        assert!((a.point_biserial.unwrap() - 0.351_203).abs() < 1e-5);
        let option = |id: &str| a.options.iter().find(|o| o.option == id).unwrap();
        assert!((option("A").share - 0.3).abs() < 1e-12);
        assert!((option("A").lower_share - 2.0 / 3.0).abs() < 1e-12);
        assert!((option("A").upper_share - 1.0 / 3.0).abs() < 1e-12);
        assert!((option("B").upper_share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(option("B").functioning, None);
        assert_eq!(option("D").functioning, Some(false));
        assert_eq!(option("C").functioning, Some(true));
        // n = 10 is below the flagging minimum.
        assert!(a.flags.is_empty());
    }

    #[test]
    fn a_miskeyed_item_is_flagged() {
        // 40 examinees; the strong ones choose A, the weak ones B, and the key says B.
        let observations: Vec<Observation> = (0..40)
            .map(|i| {
                let rest = i as f64 / 40.0;
                if i >= 20 {
                    obs(0.0, rest, "A")
                } else {
                    obs(1.0, rest, "B")
                }
            })
            .collect();
        let options: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
        let a = analyse_item(&observations, &options, &["B".to_owned()]);
        assert!(a.point_biserial.unwrap() < 0.0);
        assert!(a.discrimination.unwrap() < 0.0);
        assert!(a.flags.contains(&Flag::NegativePointBiserial));
        assert!(a.flags.contains(&Flag::PoorDiscrimination));
        assert!(
            a.flags
                .contains(&Flag::NonFunctioningDistractor { option: "C".into() })
        );
    }

    #[test]
    fn correlation_needs_variance() {
        assert_eq!(correlation(&[1.0, 1.0], &[0.0, 1.0]), None);
        assert!((correlation(&[0.0, 1.0, 2.0], &[0.0, 2.0, 4.0]).unwrap() - 1.0).abs() < 1e-12);
    }
}
