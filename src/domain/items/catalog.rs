//! The catalog of item models ([`ModelSpec`]s): their cases (content instances) enumerated once from the knowledge
//! base, seeded generation through the quality gate, topic filtering, and the yield report.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::generate::Seed;
use super::rng::{Rng, mix};
use super::spec::ModelSpec;
use super::{ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, gate};
use crate::domain::knowledge::{Family, KnowledgeBase, normalise};

/// One content instance of an item model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The knowledge-base subject the item is about ("warfarin", "diabetic ketoacidosis").
    pub subject: String,
    pub family: Family,
    /// Which variant of the model for this subject (attribute chosen, stem frame, ...).
    pub variant: u32,
}

impl Case {
    pub fn new(subject: &str, family: Family, variant: u32) -> Case {
        Case {
            subject: subject.to_owned(),
            family,
            variant,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only cases about these (family, subject) pairs; `None` = any.
    pub subjects: Option<BTreeSet<(Family, String)>>,
    pub item_types: Option<BTreeSet<ItemType>>,
    pub client_need: Option<ClientNeed>,
    pub difficulty: Option<Difficulty>,
}

/// Per-model and total counts of distinct valid items.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct YieldRow {
    pub model: String,
    pub item_type: ItemType,
    pub client_need: ClientNeed,
    pub ncjmm_function: NcjmmFunction,
    pub cases: usize,
    pub valid: usize,
    pub distinct: usize,
}

pub struct Catalog {
    models: Vec<&'static ModelSpec>,
    cases: Vec<Vec<Case>>,
}

/// What two items of one set must not share: the stem, normalised, with what it presents (a case
/// study's scenario, an exhibit of values: the same question over other values is another item).
pub fn stem_key(item: &Item) -> String {
    normalise(&format!(
        "{}|{}|{}",
        item.scenario.as_deref().unwrap_or(""),
        item.exhibit.as_deref().unwrap_or(""),
        item.question
    ))
}

/// The content signature of an item: what it asks and answers, not the order of its options.
pub fn signature(item: &Item) -> String {
    let mut hasher = Sha256::new();
    hasher.update(normalise(&item.question));
    hasher.update(item.scenario.as_deref().map(normalise).unwrap_or_default());
    hasher.update(item.exhibit.as_deref().map(normalise).unwrap_or_default());
    hasher.update(item.template.as_deref().map(normalise).unwrap_or_default());
    let mut texts: Vec<String> = item
        .options
        .iter()
        .chain(&item.rows)
        .chain(item.slots.iter().flat_map(|slot| &slot.options))
        .map(|option| normalise(&option.text))
        .collect();
    texts.sort();
    for text in texts {
        hasher.update(b"\x1f");
        hasher.update(text);
    }
    let mut keys: Vec<String> = key_texts(item);
    keys.sort();
    for key in keys {
        hasher.update(b"\x1e");
        hasher.update(key);
    }
    for inner in &item.items {
        hasher.update(signature(inner));
    }
    hasher
        .finalize()
        .iter()
        .take(12)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The texts of the keyed options (so two items differing only in the key are distinct).
fn key_texts(item: &Item) -> Vec<String> {
    let text_of = |id: &str| {
        item.options
            .iter()
            .chain(item.slots.iter().flat_map(|slot| &slot.options))
            .find(|option| option.id == id)
            .map(|option| normalise(&option.text))
            .unwrap_or_else(|| id.to_owned())
    };
    match &item.correct_answer {
        super::Answer::Choice(id) => vec![text_of(id)],
        super::Answer::Choices(ids) => ids.iter().map(|id| text_of(id)).collect(),
        super::Answer::Number(value) => vec![value.to_string()],
        super::Answer::BowTie {
            condition,
            actions,
            parameters,
        } => std::iter::once(condition)
            .chain(actions)
            .chain(parameters)
            .map(|id| text_of(id))
            .collect(),
        super::Answer::Keyed(map) => map
            .iter()
            .map(|(slot, value)| format!("{slot}={value}"))
            .collect(),
    }
}

/// The Markdown table of every model for `docs/content.md`: id, type, client need, NCJMM function,
/// number of cases, and the model's own description of its facts and distractors.
pub fn model_table(catalog: &Catalog) -> String {
    let mut out = String::from(
        "| model | item type | client need | NCJMM function | cases | facts used and distractors |\n|---|---|---|---|---|---|\n",
    );
    for (index, model) in catalog.models().enumerate() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            model.id(),
            model.item_type().as_str(),
            model.client_need().as_str(),
            model.ncjmm().as_str(),
            catalog.case_count(index),
            model.description().replace('|', "\\|").replace('\n', " ")
        ));
    }
    out
}

impl Catalog {
    pub fn new(kb: &KnowledgeBase, models: Vec<&'static ModelSpec>) -> Catalog {
        let cases = models.iter().map(|model| model.cases(kb)).collect();
        Catalog { models, cases }
    }

    /// The catalog of every built-in item model.
    pub fn builtin(kb: &KnowledgeBase) -> Catalog {
        Catalog::new(kb, super::models::all())
    }

    pub fn models(&self) -> impl Iterator<Item = &'static ModelSpec> + '_ {
        self.models.iter().copied()
    }

    pub fn model_index(&self, id: &str) -> Option<usize> {
        self.models.iter().position(|model| model.id() == id)
    }

    pub fn case_count(&self, model: usize) -> usize {
        self.cases.get(model).map_or(0, Vec::len)
    }

    /// The cases of `model`, in their stable order.
    pub fn cases(&self, model: usize) -> &[Case] {
        self.cases.get(model).map_or(&[], Vec::as_slice)
    }

    /// The item of `model` for `seed`: the seed picks the case and the surface. Items that fail the
    /// gate are never returned.
    pub fn generate(&self, kb: &KnowledgeBase, model: usize, seed: u64) -> Option<Item> {
        let cases = self.cases.get(model)?;
        if cases.is_empty() {
            return None;
        }
        let case = &cases[(mix(model as u64, seed) % cases.len() as u64) as usize];
        self.generate_case(kb, model, case, seed)
    }

    /// The item of `model` for one `case` and `seed`, through the gate.
    pub fn generate_case(
        &self,
        kb: &KnowledgeBase,
        model: usize,
        case: &Case,
        seed: u64,
    ) -> Option<Item> {
        let item = self.models[model].generate(kb, case, seed)?;
        gate::passes(&item).then_some(item)
    }

    /// Up to `count` distinct items matching `filter`, drawn deterministically from `seed`, spread
    /// over models and subjects; fewer when the filter allows fewer.
    pub fn generate_matching(
        &self,
        kb: &KnowledgeBase,
        filter: &Filter,
        count: usize,
        seed: u64,
    ) -> Vec<Item> {
        let mut pool: Vec<(usize, &Case)> = Vec::new();
        for (index, model) in self.models.iter().enumerate() {
            if filter
                .item_types
                .as_ref()
                .is_some_and(|types| !types.contains(&model.item_type()))
            {
                continue;
            }
            if filter
                .client_need
                .is_some_and(|need| need != model.client_need())
            {
                continue;
            }
            for case in &self.cases[index] {
                if filter.subjects.as_ref().is_some_and(|subjects| {
                    !subjects.contains(&(case.family, case.subject.clone()))
                }) {
                    continue;
                }
                pool.push((index, case));
            }
        }
        let mut rng = Rng::new(seed);
        rng.shuffle(&mut pool);
        // Round-robin over models so one model with many cases does not crowd out the others.
        let mut by_model: BTreeMap<usize, Vec<&Case>> = BTreeMap::new();
        for (model, case) in pool {
            by_model.entry(model).or_default().push(case);
        }
        let mut order: Vec<usize> = by_model.keys().copied().collect();
        rng.shuffle(&mut order);
        let mut items = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stems = BTreeSet::new();
        let mut used_subjects: HashMap<(usize, String), usize> = HashMap::new();
        let mut attempts = 0;
        let mut cursor: HashMap<usize, usize> = HashMap::new();
        while items.len() < count && attempts < count * 40 + 200 {
            let mut progressed = false;
            for &model in &order {
                if items.len() >= count {
                    break;
                }
                let cases = &by_model[&model];
                let position = cursor.entry(model).or_insert(0);
                if *position >= cases.len() {
                    continue;
                }
                let case = cases[*position];
                *position += 1;
                progressed = true;
                attempts += 1;
                // One item per model and subject keeps near-duplicates out of a set.
                if used_subjects.contains_key(&(model, case.subject.clone())) {
                    continue;
                }
                // Below 2^53 like every seed a client sees (items carry theirs).
                let item_seed = Seed::fold(mix(seed, attempts as u64)).get();
                let Some(item) = self.generate_case(kb, model, case, item_seed) else {
                    continue;
                };
                if filter
                    .difficulty
                    .is_some_and(|difficulty| difficulty != item.difficulty)
                {
                    continue;
                }
                // Never the same stem twice in one set, even over different options.
                if !stems.contains(&stem_key(&item)) && seen.insert(signature(&item)) {
                    stems.insert(stem_key(&item));
                    used_subjects.insert((model, case.subject.clone()), 1);
                    items.push(item);
                }
            }
            if !progressed {
                break;
            }
        }
        items
    }

    /// For each model, how many of its cases make a valid item and how many distinct items
    /// (by content) they make, trying `surfaces` seeds per case.
    pub fn yield_report(&self, kb: &KnowledgeBase, surfaces: u64) -> Vec<YieldRow> {
        self.models
            .iter()
            .enumerate()
            .map(|(index, model)| {
                let mut valid = 0;
                let mut distinct = BTreeSet::new();
                for (case_index, case) in self.cases[index].iter().enumerate() {
                    let mut case_valid = false;
                    for surface in 0..surfaces {
                        if let Some(item) =
                            self.generate_case(kb, index, case, mix(case_index as u64, surface))
                        {
                            case_valid = true;
                            distinct.insert(signature(&item));
                        }
                    }
                    valid += usize::from(case_valid);
                }
                YieldRow {
                    model: model.id().to_owned(),
                    item_type: model.item_type(),
                    client_need: model.client_need(),
                    ncjmm_function: model.ncjmm(),
                    cases: self.cases[index].len(),
                    valid,
                    distinct: distinct.len(),
                }
            })
            .collect()
    }
}
