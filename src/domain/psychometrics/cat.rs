//! The adaptive exam as a pure state machine, after the NCLEX-RN rules: θ̂ re-estimated after every
//! response (EAP until the responses are mixed, then MLE); the next item from the client need furthest
//! below its test-plan share (Kingsbury–Zara, largest shortfall first), targeted at θ̂ (maximum Rasch
//! information), drawn at random among the `top_k` best (randomesque exposure control); items the
//! student saw recently excluded; case studies served whole as six-item testlets at spaced positions.
//! Stop rules: the 95% confidence interval wholly above or below the cut after the minimum length;
//! the maximum length (final θ̂ against the cut); running out of time (below the minimum → fail,
//! otherwise the final θ̂ from all answered items against the cut).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::rasch::{self, Estimator, Quadrature, Response};
use super::{PASSING_STANDARD, Z95, normal_cdf};
use crate::domain::items::rng::{Rng, mix};
use crate::domain::items::{ClientNeed, Item, ItemType, NcjmmFunction};

id_type!(
    /// An adaptive exam session id.
    CatSessionId
);

/// One scored part of a bank entry: a stand-alone item is one part, a case study six.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub id: String,
    pub b: f64,
    pub client_need: ClientNeed,
}

/// What the exam can present: a stand-alone item or a case-study testlet.
#[derive(Debug, Clone, PartialEq)]
pub struct BankEntry {
    pub id: String,
    pub client_need: ClientNeed,
    pub parts: Vec<Part>,
}

impl BankEntry {
    pub fn single(id: &str, b: f64, client_need: ClientNeed) -> BankEntry {
        BankEntry {
            id: id.to_owned(),
            client_need,
            parts: vec![Part {
                id: id.to_owned(),
                b,
                client_need,
            }],
        }
    }

    pub fn is_testlet(&self) -> bool {
        self.parts.len() > 1
    }

    fn mean_b(&self) -> f64 {
        self.parts.iter().map(|p| p.b).sum::<f64>() / self.parts.len().max(1) as f64
    }
}

/// The item pool, indexed for selection: stand-alone items per client need sorted by difficulty,
/// and the testlets.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    entries: Vec<BankEntry>,
    by_id: std::collections::HashMap<String, usize>,
    singles: BTreeMap<ClientNeed, Vec<usize>>,
    testlets: Vec<usize>,
}

impl Bank {
    pub fn new(entries: Vec<BankEntry>) -> Bank {
        let mut bank = Bank::default();
        for entry in entries {
            if entry.parts.is_empty() || bank.by_id.contains_key(&entry.id) {
                continue;
            }
            let index = bank.entries.len();
            bank.by_id.insert(entry.id.clone(), index);
            if entry.is_testlet() {
                bank.testlets.push(index);
            } else {
                bank.singles
                    .entry(entry.client_need)
                    .or_default()
                    .push(index);
            }
            bank.entries.push(entry);
        }
        let entries = &bank.entries;
        for list in bank.singles.values_mut() {
            list.sort_by(|&a, &b| entries[a].parts[0].b.total_cmp(&entries[b].parts[0].b));
        }
        bank
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&BankEntry> {
        self.by_id.get(id).map(|&index| &self.entries[index])
    }

    pub fn entries(&self) -> &[BankEntry] {
        &self.entries
    }
}

/// Exam settings. `Default` is the NCLEX-RN length: 85–150 items with three case studies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CatConfig {
    pub min_items: usize,
    pub max_items: usize,
    /// Case-study testlets to place (six scored items each).
    pub case_studies: usize,
    /// Randomesque exposure control: pick among this many best candidates.
    pub top_k: usize,
    /// The passing standard in logits.
    pub cut: f64,
}

impl Default for CatConfig {
    fn default() -> CatConfig {
        CatConfig {
            min_items: 85,
            max_items: 150,
            case_studies: 3,
            top_k: 5,
            cut: PASSING_STANDARD,
        }
    }
}

/// Why exam settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    pub field: &'static str,
    pub message: String,
}

/// The shortest practice exam allowed.
pub const MIN_PRACTICE_ITEMS: usize = 10;
/// The longest exam allowed (the NCLEX-RN maximum).
pub const MAX_ITEMS: usize = 150;

impl CatConfig {
    /// A practice length: `min_items`..=`max_items` within 10..=150; case studies scale with the
    /// minimum (three per 85 items, rounded down).
    pub fn practice(min_items: usize, max_items: usize) -> Result<CatConfig, ConfigError> {
        if !(MIN_PRACTICE_ITEMS..=MAX_ITEMS).contains(&min_items) {
            return Err(ConfigError {
                field: "min_items",
                message: format!("must be between {MIN_PRACTICE_ITEMS} and {MAX_ITEMS}"),
            });
        }
        if !(min_items..=MAX_ITEMS).contains(&max_items) {
            return Err(ConfigError {
                field: "max_items",
                message: format!("must be between min_items ({min_items}) and {MAX_ITEMS}"),
            });
        }
        Ok(CatConfig {
            min_items,
            max_items,
            case_studies: min_items * 3 / 85,
            ..CatConfig::default()
        })
    }
}

/// One presented entry and, once answered, its scored parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Presented {
    pub entry_id: String,
    /// Empty until answered; one per part, in part order.
    #[serde(default)]
    pub scored: Vec<ScoredPart>,
}

/// A scored part: its difficulty and client need at the time, and whether it earned full credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPart {
    pub part_id: String,
    pub b: f64,
    pub client_need: ClientNeed,
    pub correct: bool,
}

/// What is stored of a scored part beside its Rasch response, for the student's progress: the
/// categories of the item it answered (a case study's own item for its parts), the points it
/// earned and whether an answer was given. The exam measures no time per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartDetail {
    pub item_type: ItemType,
    pub ncjmm_function: NcjmmFunction,
    pub aacn_competency: String,
    pub points: u32,
    pub max_points: u32,
    pub answered: bool,
}

impl PartDetail {
    /// The detail of `item` answered (or not) for `points` of `max_points`.
    pub fn of(item: &Item, points: u32, max_points: u32, answered: bool) -> PartDetail {
        PartDetail {
            item_type: item.item_type,
            ncjmm_function: item.ncjmm_function,
            aacn_competency: item.aacn_competency.clone(),
            points,
            max_points,
            answered,
        }
    }

    /// Full points: the part counts as correct for the Rasch estimate.
    pub fn correct(&self) -> bool {
        self.points >= self.max_points
    }
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Pass,
    Fail,
    Undetermined,
}

/// Which rule ended the exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopRule {
    ConfidenceInterval,
    MaximumLength,
    RunOutOfTime,
    /// The bank had nothing more to offer (after the minimum: final θ̂ against the cut; before it:
    /// undetermined).
    BankExhausted,
}

/// A client need's standing against the cut (the candidate performance report's bands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Above,
    Near,
    Below,
}

/// The exam result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CatResult {
    pub theta: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub decision: Decision,
    /// P(θ > cut) = Φ((θ̂ − cut)/SE).
    pub p_pass: f64,
    pub items_answered: usize,
    pub stop_rule: StopRule,
    /// Per client need with at least one answered item: `above` when θ̂ − SE for that need's items is
    /// above the cut, `below` when θ̂ + SE is below it, otherwise `near` (a 68% interval: with about a
    /// dozen items per need a 95% interval would call almost everyone near).
    pub bands: BTreeMap<ClientNeed, Band>,
}

/// The exam's progress: settings, seed and what was presented and answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatState {
    pub config: CatConfig,
    pub seed: u64,
    pub presented: Vec<Presented>,
}

impl CatState {
    pub fn new(config: CatConfig, seed: u64) -> CatState {
        CatState {
            config,
            seed,
            presented: Vec::new(),
        }
    }

    /// Every scored response so far, in order.
    pub fn responses(&self) -> Vec<Response> {
        self.scored()
            .map(|s| Response::new(s.b, s.correct))
            .collect()
    }

    fn scored(&self) -> impl Iterator<Item = &ScoredPart> {
        self.presented.iter().flat_map(|p| p.scored.iter())
    }

    pub fn items_answered(&self) -> usize {
        self.scored().count()
    }

    /// The entry presented and not yet answered, if any.
    pub fn pending(&self) -> Option<&str> {
        self.presented
            .last()
            .filter(|p| p.scored.is_empty())
            .map(|p| p.entry_id.as_str())
    }

    /// The current ability estimate.
    pub fn estimate(&self) -> (rasch::Estimate, Estimator) {
        rasch::estimate(&self.responses())
    }
}

/// Why an answer could not be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("no item is waiting for an answer")]
    NothingPending,
    #[error("item {given} was not presented; the item waiting for an answer is {pending}")]
    NotPending { given: String, pending: String },
    #[error("the answer scores {got} parts; the item has {expected}")]
    WrongParts { expected: usize, got: usize },
}

/// Records the scored parts of the pending entry.
pub fn record(
    state: &mut CatState,
    bank: &Bank,
    entry_id: &str,
    correct: &[bool],
) -> Result<(), RecordError> {
    let pending = state
        .pending()
        .ok_or(RecordError::NothingPending)?
        .to_owned();
    if pending != entry_id {
        return Err(RecordError::NotPending {
            given: entry_id.to_owned(),
            pending,
        });
    }
    let entry = bank.get(entry_id).ok_or(RecordError::NothingPending)?;
    if entry.parts.len() != correct.len() {
        return Err(RecordError::WrongParts {
            expected: entry.parts.len(),
            got: correct.len(),
        });
    }
    let scored = entry
        .parts
        .iter()
        .zip(correct)
        .map(|(part, &correct)| ScoredPart {
            part_id: part.id.clone(),
            b: part.b,
            client_need: part.client_need,
            correct,
        })
        .collect();
    if let Some(last) = state.presented.last_mut() {
        last.scored = scored;
    }
    Ok(())
}

/// The next entry to present, or `None` when the bank has nothing suitable left. `excluded` holds
/// item ids the student saw recently (in addition to everything presented in this exam).
pub fn select_next<'a>(
    state: &CatState,
    bank: &'a Bank,
    excluded: &HashSet<String>,
) -> Option<&'a BankEntry> {
    let config = &state.config;
    let answered = state.items_answered();
    let remaining = config.max_items.saturating_sub(answered);
    if remaining == 0 {
        return None;
    }
    let seen: HashSet<&str> = state
        .presented
        .iter()
        .map(|p| p.entry_id.as_str())
        .collect();
    let available = |index: &usize| {
        let entry = &bank.entries[*index];
        !seen.contains(entry.id.as_str()) && !excluded.contains(&entry.id)
    };
    let theta = state.estimate().0.theta;
    let mut rng = Rng::new(mix(state.seed, state.presented.len() as u64));

    // A case study when its turn has come: testlet k is due after (k+1)/(n+1) of the minimum length.
    let testlets_given = state
        .presented
        .iter()
        .filter(|p| bank.get(&p.entry_id).is_some_and(BankEntry::is_testlet))
        .count();
    if testlets_given < config.case_studies {
        let due = (testlets_given + 1) * config.min_items / (config.case_studies + 1);
        if answered >= due {
            let mut candidates: Vec<&BankEntry> = bank
                .testlets
                .iter()
                .filter(|i| available(i))
                .map(|&i| &bank.entries[i])
                .filter(|entry| entry.parts.len() <= remaining)
                .collect();
            candidates.sort_by(|a, b| {
                (a.mean_b() - theta)
                    .abs()
                    .total_cmp(&(b.mean_b() - theta).abs())
            });
            candidates.truncate(config.top_k.max(1));
            if let Some(entry) = rng.pick(&candidates) {
                return Some(entry);
            }
        }
    }

    // The client need furthest below its share of the next item.
    let counts = state.scored().fold(BTreeMap::new(), |mut counts, s| {
        *counts.entry(s.client_need).or_insert(0usize) += 1;
        counts
    });
    let mut needs: Vec<(f64, ClientNeed)> = ClientNeed::ALL
        .into_iter()
        .map(|need| {
            let (low, high) = need.test_plan_percent();
            let target = (low + high) / 200.0 * (answered + 1) as f64;
            let have = counts.get(&need).copied().unwrap_or(0) as f64;
            (target - have, need)
        })
        .collect();
    needs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, need) in needs {
        let Some(list) = bank.singles.get(&need) else {
            continue;
        };
        // The list is sorted by b: walk outwards from θ̂ to collect the top k available.
        let start = list.partition_point(|&i| bank.entries[i].parts[0].b < theta);
        let (mut left, mut right) = (start, start);
        let mut candidates: Vec<&BankEntry> = Vec::with_capacity(config.top_k);
        while candidates.len() < config.top_k.max(1) && (left > 0 || right < list.len()) {
            let take_left = match (left > 0, right < list.len()) {
                (true, true) => {
                    let l = theta - bank.entries[list[left - 1]].parts[0].b;
                    let r = bank.entries[list[right]].parts[0].b - theta;
                    l <= r
                }
                (true, false) => true,
                _ => false,
            };
            let index = if take_left {
                left -= 1;
                list[left]
            } else {
                right += 1;
                list[right - 1]
            };
            if available(&index) {
                candidates.push(&bank.entries[index]);
            }
        }
        if let Some(entry) = rng.pick(&candidates) {
            return Some(entry);
        }
    }
    None
}

/// Presents `entry` (the caller chose it with [`select_next`]).
pub fn present(state: &mut CatState, entry: &BankEntry) {
    state.presented.push(Presented {
        entry_id: entry.id.clone(),
        scored: Vec::new(),
    });
}

/// Whether a stop rule ends the exam now. `timed_out` when the time limit has passed;
/// `exhausted` when [`select_next`] found nothing.
pub fn stop_rule(state: &CatState, timed_out: bool, exhausted: bool) -> Option<StopRule> {
    let config = &state.config;
    let answered = state.items_answered();
    if timed_out {
        return Some(StopRule::RunOutOfTime);
    }
    if answered >= config.max_items {
        return Some(StopRule::MaximumLength);
    }
    if answered >= config.min_items {
        let (estimate, _) = state.estimate();
        let low = estimate.theta - Z95 * estimate.se;
        let high = estimate.theta + Z95 * estimate.se;
        if low > config.cut || high < config.cut {
            return Some(StopRule::ConfidenceInterval);
        }
    }
    exhausted.then_some(StopRule::BankExhausted)
}

/// The result once `rule` has ended the exam.
pub fn result(state: &CatState, rule: StopRule) -> CatResult {
    let config = &state.config;
    let answered = state.items_answered();
    let (estimate, _) = state.estimate();
    let ci_low = estimate.theta - Z95 * estimate.se;
    let ci_high = estimate.theta + Z95 * estimate.se;
    let by_final = if estimate.theta > config.cut {
        Decision::Pass
    } else {
        Decision::Fail
    };
    let decision = match rule {
        StopRule::ConfidenceInterval => by_final,
        StopRule::MaximumLength => by_final,
        StopRule::RunOutOfTime if answered < config.min_items => Decision::Fail,
        StopRule::RunOutOfTime => by_final,
        StopRule::BankExhausted if answered < config.min_items => Decision::Undetermined,
        StopRule::BankExhausted => by_final,
    };
    CatResult {
        theta: estimate.theta,
        se: estimate.se,
        ci_low,
        ci_high,
        decision,
        p_pass: p_pass(estimate.theta, estimate.se, config.cut),
        items_answered: answered,
        stop_rule: rule,
        bands: bands(state.scored(), config.cut),
    }
}

/// P(θ > cut) = Φ((θ̂ − cut)/SE).
pub fn p_pass(theta: f64, se: f64, cut: f64) -> f64 {
    if se > 0.0 && se.is_finite() {
        normal_cdf((theta - cut) / se)
    } else if theta > cut {
        1.0
    } else {
        0.0
    }
}

/// The band per client need from that need's responses (EAP with the N(0,1) prior; see
/// [`CatResult::bands`]).
pub fn bands<'a>(
    scored: impl Iterator<Item = &'a ScoredPart>,
    cut: f64,
) -> BTreeMap<ClientNeed, Band> {
    let mut per_need: BTreeMap<ClientNeed, Vec<Response>> = BTreeMap::new();
    for s in scored {
        per_need
            .entry(s.client_need)
            .or_default()
            .push(Response::new(s.b, s.correct));
    }
    per_need
        .into_iter()
        .map(|(need, responses)| {
            let e = rasch::eap(&responses, &Quadrature::default());
            let band = if e.theta - e.se > cut {
                Band::Above
            } else if e.theta + e.se < cut {
                Band::Below
            } else {
                Band::Near
            };
            (need, band)
        })
        .collect()
}

/// Runs a whole exam for a simulated examinee: `answer(part)` says whether they answer a part
/// right. Used by the validation harness and the benchmark.
pub fn simulate(
    bank: &Bank,
    config: CatConfig,
    seed: u64,
    excluded: &HashSet<String>,
    mut answer: impl FnMut(&Part) -> bool,
) -> CatResult {
    let mut state = CatState::new(config, seed);
    loop {
        let Some(entry) = select_next(&state, bank, excluded) else {
            let rule = stop_rule(&state, false, true).unwrap_or(StopRule::BankExhausted);
            return result(&state, rule);
        };
        present(&mut state, entry);
        let correct: Vec<bool> = entry.parts.iter().map(&mut answer).collect();
        // The entry was just presented, so recording cannot fail.
        if record(&mut state, bank, &entry.id, &correct).is_err() {
            return result(&state, StopRule::BankExhausted);
        }
        if let Some(rule) = stop_rule(&state, false, false) {
            return result(&state, rule);
        }
    }
}

/// What the validation harness measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    pub examinees: usize,
    /// Mean of θ̂ − θ.
    pub bias: f64,
    /// Root mean square of θ̂ − θ.
    pub rmse: f64,
    /// Share classified on the right side of the cut, over everyone.
    pub accuracy: f64,
    /// The same over examinees with |θ − cut| ≥ 0.5, and how many they were.
    pub accuracy_far: f64,
    pub far: usize,
    pub mean_length: f64,
    pub undetermined: usize,
}

/// Simulated examinees with known θ, evenly spaced over [−2.5, 2.5], take the exam on `bank`
/// answering by the Rasch model (each from its own seeded stream).
pub fn validate(bank: &Bank, config: CatConfig, examinees: usize, seed: u64) -> ValidationReport {
    let mut errors = Vec::with_capacity(examinees);
    let (mut right, mut far, mut far_right, mut length, mut undetermined) = (0, 0, 0, 0, 0);
    for n in 0..examinees {
        let theta = -2.5 + 5.0 * n as f64 / (examinees.max(2) - 1) as f64;
        let mut rng = Rng::new(mix(seed, n as u64));
        let result = simulate(
            bank,
            config,
            mix(seed ^ 0x5eed, n as u64),
            &HashSet::new(),
            |part| {
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                u < rasch::probability(theta, part.b)
            },
        );
        errors.push(result.theta - theta);
        length += result.items_answered;
        let truth = if theta > config.cut {
            Decision::Pass
        } else {
            Decision::Fail
        };
        undetermined += usize::from(result.decision == Decision::Undetermined);
        let correct = result.decision == truth;
        right += usize::from(correct);
        if (theta - config.cut).abs() >= 0.5 {
            far += 1;
            far_right += usize::from(correct);
        }
    }
    let count = errors.len().max(1) as f64;
    ValidationReport {
        examinees,
        bias: errors.iter().sum::<f64>() / count,
        rmse: (errors.iter().map(|e| e * e).sum::<f64>() / count).sqrt(),
        accuracy: right as f64 / count,
        accuracy_far: far_right as f64 / far.max(1) as f64,
        far,
        mean_length: length as f64 / count,
        undetermined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic bank: `per_need` items per client need with difficulties spread over [−3, 3],
    /// and `testlets` case studies of six parts.
    pub(crate) fn synthetic_bank(per_need: usize, testlets: usize) -> Bank {
        let mut entries = Vec::new();
        for need in ClientNeed::ALL {
            for i in 0..per_need {
                let b = -3.0 + 6.0 * i as f64 / (per_need - 1) as f64;
                entries.push(BankEntry::single(
                    &format!("{}-{i}", need.as_str()),
                    b,
                    need,
                ));
            }
        }
        for t in 0..testlets {
            let centre = -2.0 + 4.0 * t as f64 / testlets.max(2) as f64;
            let parts = (0..6)
                .map(|j| Part {
                    id: format!("cs{t}-{j}"),
                    b: centre + (j as f64 - 2.5) * 0.2,
                    client_need: ClientNeed::PhysiologicalAdaptation,
                })
                .collect();
            entries.push(BankEntry {
                id: format!("cs{t}"),
                client_need: ClientNeed::PhysiologicalAdaptation,
                parts,
            });
        }
        Bank::new(entries)
    }

    #[test]
    fn first_item_targets_the_prior_mean_in_the_most_underrepresented_need() {
        let bank = synthetic_bank(61, 0);
        let state = CatState::new(CatConfig::default(), 7);
        let entry = select_next(&state, &bank, &HashSet::new()).unwrap();
        // Management of care has the largest share (18%), so it is furthest below it at the start.
        assert_eq!(entry.client_need, ClientNeed::ManagementOfCare);
        // Among the five items nearest θ̂ = 0 (b spaced 0.1 apart).
        assert!(entry.parts[0].b.abs() <= 0.21, "{}", entry.parts[0].b);
    }

    #[test]
    fn content_balance_follows_the_test_plan() {
        let bank = synthetic_bank(200, 10);
        let config = CatConfig {
            min_items: 150,
            ..CatConfig::default()
        };
        let mut state = CatState::new(config, 3);
        while let Some(entry) = select_next(&state, &bank, &HashSet::new()) {
            present(&mut state, entry);
            let correct: Vec<bool> = entry.parts.iter().map(|p| p.b < 0.3).collect();
            record(&mut state, &bank, &entry.id.clone(), &correct).unwrap();
        }
        let total = state.items_answered();
        assert_eq!(total, 150);
        let testlets = state
            .presented
            .iter()
            .filter(|p| p.scored.len() == 6)
            .count();
        assert_eq!(testlets, 3);
        for need in ClientNeed::ALL {
            let n = state.scored().filter(|s| s.client_need == need).count();
            let share = n as f64 * 100.0 / total as f64;
            let (low, high) = need.test_plan_percent();
            assert!(
                share >= low - 3.0 && share <= high + 3.0,
                "{need:?} {share}"
            );
        }
    }

    #[test]
    fn excluded_and_presented_items_are_never_offered() {
        let bank = synthetic_bank(3, 0);
        let excluded: HashSet<String> = ["management_of_care-1".to_owned()].into();
        let mut state = CatState::new(CatConfig::practice(10, 24).unwrap(), 1);
        let mut seen = HashSet::new();
        while let Some(entry) = select_next(&state, &bank, &excluded) {
            assert!(seen.insert(entry.id.clone()), "{} twice", entry.id);
            assert!(!excluded.contains(&entry.id));
            present(&mut state, entry);
            record(&mut state, &bank, &entry.id.clone(), &[true]).unwrap();
        }
        // 8 needs × 3 items − 1 excluded.
        assert_eq!(seen.len(), 23);
        assert_eq!(
            stop_rule(&state, false, true),
            Some(StopRule::ConfidenceInterval)
        );
    }

    #[test]
    fn answers_must_match_the_pending_item() {
        let bank = synthetic_bank(5, 1);
        let mut state = CatState::new(CatConfig::practice(10, 20).unwrap(), 1);
        assert_eq!(
            record(&mut state, &bank, "x", &[true]),
            Err(RecordError::NothingPending)
        );
        let entry = select_next(&state, &bank, &HashSet::new()).unwrap().clone();
        present(&mut state, &entry);
        assert!(matches!(
            record(&mut state, &bank, "other", &[true]),
            Err(RecordError::NotPending { .. })
        ));
        assert!(matches!(
            record(&mut state, &bank, &entry.id, &[true, false]),
            Err(RecordError::WrongParts { .. })
        ));
        record(&mut state, &bank, &entry.id, &[true]).unwrap();
        assert_eq!(
            record(&mut state, &bank, &entry.id, &[true]),
            Err(RecordError::NothingPending)
        );
    }

    #[test]
    fn stop_rules() {
        let bank = synthetic_bank(50, 0);
        let config = CatConfig::practice(10, 30).unwrap();
        // All right: the CI rule passes at the minimum.
        let result = simulate(&bank, config, 5, &HashSet::new(), |_| true);
        assert_eq!(result.decision, Decision::Pass);
        assert_eq!(result.stop_rule, StopRule::ConfidenceInterval);
        assert_eq!(result.items_answered, 10);
        assert!(result.ci_low > 0.0 && result.p_pass > 0.975);
        // All wrong: fails.
        let result = simulate(&bank, config, 5, &HashSet::new(), |_| false);
        assert_eq!(result.decision, Decision::Fail);
        assert!(result.ci_high < 0.0 && result.p_pass < 0.025);
        // Alternating right and wrong around the cut: runs to the maximum.
        let mut flip = false;
        let result = simulate(&bank, config, 5, &HashSet::new(), |_| {
            flip = !flip;
            flip
        });
        assert_eq!(result.stop_rule, StopRule::MaximumLength);
        assert_eq!(result.items_answered, 30);
        // Out of time before the minimum fails; after it, the final estimate decides.
        let mut state = CatState::new(config, 1);
        assert_eq!(stop_rule(&state, true, false), Some(StopRule::RunOutOfTime));
        assert_eq!(result_of(&state, StopRule::RunOutOfTime), Decision::Fail);
        for i in 0..12 {
            let entry = select_next(&state, &bank, &HashSet::new()).unwrap().clone();
            present(&mut state, &entry);
            record(&mut state, &bank, &entry.id, &[i % 3 != 0]).unwrap();
        }
        assert!(state.estimate().0.theta > 0.0);
        assert_eq!(result_of(&state, StopRule::RunOutOfTime), Decision::Pass);
        // The bank running out before the minimum leaves the decision open.
        let tiny = synthetic_bank(1, 0);
        let result = simulate(&tiny, config, 1, &HashSet::new(), |_| true);
        assert_eq!(result.stop_rule, StopRule::BankExhausted);
        assert_eq!(result.decision, Decision::Undetermined);
    }

    fn result_of(state: &CatState, rule: StopRule) -> Decision {
        result(state, rule).decision
    }

    #[test]
    fn bands_by_hand() {
        let part = |need, correct| ScoredPart {
            part_id: String::new(),
            b: 0.0,
            client_need: need,
            correct,
        };
        let mut scored = Vec::new();
        scored.extend((0..12).map(|_| part(ClientNeed::ManagementOfCare, true)));
        scored.extend((0..12).map(|i| part(ClientNeed::ReductionOfRisk, i % 2 == 0)));
        scored.extend((0..12).map(|_| part(ClientNeed::BasicCareComfort, false)));
        let bands = bands(scored.iter(), 0.0);
        assert_eq!(bands[&ClientNeed::ManagementOfCare], Band::Above);
        assert_eq!(bands[&ClientNeed::ReductionOfRisk], Band::Near);
        assert_eq!(bands[&ClientNeed::BasicCareComfort], Band::Below);
        assert!(!bands.contains_key(&ClientNeed::PsychosocialIntegrity));
    }

    #[test]
    fn practice_lengths_are_checked() {
        assert!(CatConfig::practice(9, 20).is_err());
        assert!(CatConfig::practice(20, 19).is_err());
        assert!(CatConfig::practice(20, 151).is_err());
        assert_eq!(CatConfig::practice(85, 150).unwrap().case_studies, 3);
        assert_eq!(CatConfig::practice(30, 60).unwrap().case_studies, 1);
        assert_eq!(CatConfig::practice(10, 20).unwrap().case_studies, 0);
    }

    #[test]
    fn simulated_examinees_are_classified_and_measured() {
        // The synthetic bank; the real bank's harness lives with the bank builder.
        let bank = synthetic_bank(150, 30);
        let report = validate(&bank, CatConfig::default(), 400, 11);
        assert!(report.accuracy_far >= 0.95, "{report:?}");
        assert!(report.rmse <= 0.35, "{report:?}");
        assert!(report.bias.abs() <= 0.1, "{report:?}");
    }
}
