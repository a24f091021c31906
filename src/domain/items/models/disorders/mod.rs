//! Disorder-based clinical judgment item models (the `disorders` family, with `vital_signs` for the
//! normal findings shown in notes): every NCJMM function from recognising a disorder's cues to
//! evaluating the response to treatment, in every Next Generation item type.
//!
//! Safety rules shared by every model here, on top of those in `models/mod.rs`:
//! - a distractor finding or action comes from a disorder of ANOTHER body system (class) and is
//!   checked against everything recorded about the subject, not only by exact text but by its
//!   content words and clinical synonyms (`clash`): "rapid heart rate" is never offered as "not a
//!   finding" of a disorder that lists "palpitations";
//! - broad findings and actions (fever, fatigue, oxygen, antibiotics, analgesia, monitoring) never
//!   serve as distractors, since they may apply to almost any client;
//! - competing hypotheses are disorders of the same class ranked by shared features, and the cues
//!   shown in the stem are only those that no competitor records (`discriminating`);
//! - normal findings in notes are dropped whenever they touch anything the disorder records, so a
//!   note never contradicts itself.
//!
//! One file per NCJMM function (and one for the unfolding case studies), each with its table of
//! [`ModelSpec`]s in catalog order; this module holds what they share (the attribute lists, the
//! population context, distractor safety, normal findings, notes and exhibits).

pub mod action;
pub mod analyze;
pub mod evaluate;
pub mod prioritize;
pub mod recognize;
pub mod solutions;
pub mod unfolding;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::super::build::{self, MatrixRow, Meta, Opt, SlotSpec, sentence};
use super::super::rng::Rng;
use super::super::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use super::super::{ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use super::prose::{cite_note, class_label, serial_list, without_closing_parenthetical};
use crate::domain::knowledge::{Fact, Family, KnowledgeBase, Population, normalise};

const DX: Family = Family::Disorders;

/// Attributes whose texts describe what the client has: a distractor finding must touch none.
const FIND_ALL: [&str; 8] = [
    "cue",
    "vital_sign_cue",
    "lab_cue",
    "complication_sign",
    "complication",
    "priority_problem",
    "risk_factor",
    "expected_outcome",
];
/// Assessment findings that can be keys.
const FINDINGS: [&str; 3] = ["cue", "vital_sign_cue", "lab_cue"];
/// Attributes whose texts describe what is done for the client: a distractor action must touch none.
const ACT_ALL: [&str; 6] = [
    "priority_intervention",
    "intervention",
    "avoid",
    "teaching",
    "medication",
    "diagnostic_test",
];
/// Canonical words of findings that fit too many clients to be called "not a finding".
const BROAD_FINDING: [&str; 14] = [
    "weak", "mental", "nausea", "temp", "heart", "sweat", "pale", "anxie", "appet", "dizzi",
    "thirst", "weight", "head", "resp",
];
/// Canonical words of actions that fit too many clients to be called wrong.
const BROAD_ACTION: [&str; 43] = [
    "resp", "antib", "pain", "fluid", "monit", "asses", "check", "notif", "provi", "rapid", "stay",
    "obser", "measu", "inspe", "record", "weigh", "vital", "npo", "infec", "hygie", "safet",
    "calm", "trans", "cross", "blood", "rest", "space", "quiet", "envir", "gentl", "sched",
    "prote", "calor", "nutri", "diet", "intak", "meal", "food", "skin", "repos", "commo", "bathr",
    "blank",
];

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Who the disorder's facts are about, and a condition every fact shares ("postpartum").
struct Ctx {
    main: Population,
    context: String,
    who: &'static str,
    child: bool,
}

fn ctx(kb: &KnowledgeBase, subject: &str) -> Ctx {
    let mut populations: BTreeMap<Population, usize> = BTreeMap::new();
    let mut conditions: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for fact in kb.about(DX, subject).filter(|fact| about_the_client(fact)) {
        *populations.entry(fact.population).or_default() += 1;
        *conditions
            .entry(fact.condition.trim().to_owned())
            .or_default() += 1;
        total += 1;
    }
    let main = populations
        .iter()
        .max_by_key(|(_, count)| **count)
        .map_or(Population::Adult, |(population, _)| *population);
    let context = conditions
        .into_iter()
        .find(|(condition, count)| !condition.is_empty() && *count * 2 > total)
        .map(|(condition, _)| condition)
        .unwrap_or_default();
    let who = match main {
        _ if context == "postpartum" => "a postpartum client",
        Population::Pregnant => "a pregnant client",
        Population::Infant => "an infant",
        Population::Neonate => "a newborn",
        Population::Pediatric => "a child",
        Population::OlderAdult => "an older adult client",
        _ => "a client",
    };
    let child = matches!(
        main,
        Population::Infant | Population::Neonate | Population::Pediatric
    );
    Ctx {
        main,
        context,
        who,
        child,
    }
}

/// Whether a fact of another subject suits a stem about a client of `ctx`'s population.
fn population_fits(population: Population, ctx: &Ctx) -> bool {
    use Population::*;
    matches!(
        (ctx.main, population),
        (_, All)
            | (Infant | Neonate | Pediatric, _)
            | (Pregnant, Adult | OlderAdult | Pregnant)
            | (Adult | OlderAdult | All, Adult | OlderAdult)
    )
}

/// Whether another disorder's complication is one this client could have: its population fits,
/// and complications of pregnancy, childhood or psychiatric care are offered only to such
/// clients (a tubal rupture is no competing explanation for a man with meningitis).
fn could_happen_to(kb: &KnowledgeBase, fact: &Fact, ctx: &Ctx) -> bool {
    use Population::*;
    let context_fits = match kb.class_of(DX, &fact.subject) {
        Some("maternal") => ctx.main == Pregnant,
        Some("pediatric") => matches!(ctx.main, Infant | Neonate | Pediatric),
        Some("psychiatric") => false,
        _ => true,
    };
    context_fits && population_fits(fact.population, ctx)
}

/// Whether one of the subject's own facts applies to the client in the stem.
fn own_fits(fact: &Fact, ctx: &Ctx) -> bool {
    use Population::*;
    let population = fact.population == ctx.main
        || fact.population == All
        || ctx.main == All
        || matches!(
            (ctx.main, fact.population),
            (Adult, OlderAdult) | (OlderAdult, Adult) | (Infant, Neonate) | (Neonate, Infant)
        );
    let condition = fact.condition.trim().is_empty() || fact.condition == ctx.context;
    population && condition && !fact.text().is_empty() && fact.text().chars().count() <= 60
}

/// Findings stated as an absence or as most clients' experience make poor keys and distractors.
fn vague(text: &str) -> bool {
    let text = normalise(text);
    text.starts_with("no ")
        || text.starts_with("normal ")
        || text.contains("most clients")
        || text.contains("some clients")
        || text.contains(" without ")
        || text.starts_with("absence")
        || text.starts_with("onset ")
}

const STOP: [&str; 70] = [
    "with",
    "without",
    "and",
    "the",
    "from",
    "that",
    "over",
    "after",
    "before",
    "during",
    "than",
    "into",
    "when",
    "more",
    "less",
    "most",
    "some",
    "sign",
    "signs",
    "client",
    "clients",
    "level",
    "levels",
    "such",
    "only",
    "other",
    "early",
    "late",
    "affected",
    "side",
    "both",
    "body",
    "area",
    "serum",
    "count",
    "test",
    "ratio",
    "prescribed",
    "each",
    "every",
    "until",
    "unless",
    "their",
    "them",
    "then",
    "this",
    "these",
    "once",
    "also",
    "very",
    "within",
    "least",
    "hours",
    "minutes",
    "days",
    "daily",
    "times",
    "sudden",
    "severe",
    "mild",
    "acute",
    "chronic",
    "persistent",
    "elevated",
    "increased",
    "decreased",
    "rapid",
    "high",
    "rate",
    "rising",
];

/// Clinical synonyms: a word containing any of these stems maps to the group's name.
const SYNONYMS: [(&str, &[&str]); 27] = [
    (
        "resp",
        &[
            "pnea", "orthop", "breath", "respir", "crackl", "wheez", "lung", "cough", "sputum",
            "strid", "hypox", "oxygen", "saturat", "cyano", "ventilat", "airway",
        ],
    ),
    (
        "heart",
        &[
            "heart",
            "pulse",
            "tachycard",
            "bradycard",
            "palpit",
            "dysrhythm",
            "arrhythm",
            "rhythm",
        ],
    ),
    ("bp", &["pressure", "hypotens", "hypertens"]),
    (
        "temp",
        &["temperat", "fever", "febril", "thermi", "chill", "pyrex"],
    ),
    (
        "mental",
        &[
            "confus",
            "mental",
            "conscious",
            "letharg",
            "delir",
            "orient",
            "agitat",
            "irritab",
            "drows",
            "coma",
            "restless",
            "stupor",
            "alert",
        ],
    ),
    ("sweat", &["sweat", "diaphor", "clammy"]),
    ("nausea", &["nause", "vomit", "emesis"]),
    ("pale", &["pale", "pallor"]),
    ("swell", &["edema", "swell", "swoll"]),
    (
        "urine",
        &["urin", "void", "oligur", "anuri", "diures", "polyur"],
    ),
    (
        "bleed",
        &["bleed", "hemorrh", "bruis", "petech", "ecchym", "oozing"],
    ),
    (
        "pain",
        &["pain", "tender", "ache", "aching", "cramp", "colic"],
    ),
    (
        "skin",
        &[
            "rash", "lesion", "vesic", "erythem", "redness", "hives", "flush",
        ],
    ),
    ("weak", &["weak", "fatigu", "tired", "malaise"]),
    ("thirst", &["thirst", "polydip"]),
    ("glucose", &["glucos", "glycem", "dextros", "insulin"]),
    ("potassium", &["potass", "kalem"]),
    ("sodium", &["sodium", "natrem"]),
    ("calcium", &["calc", "tetan", "chvost", "trouss"]),
    (
        "bowel",
        &[
            "stool", "diarrh", "constip", "bowel", "flatus", "defecat", "feces", "fecal",
        ],
    ),
    ("vision", &["vision", "visual", "diplop", "blurr"]),
    // "Neurologic symptoms improve" is about the paresthesias and numbness a cue names.
    ("nerve", &["neurolog", "paresth", "numb", "tingl"]),
    ("head", &["headach"]),
    (
        "fluid",
        &[
            "fluid", "hydrat", "saline", "crystall", "bolus", "infus", "ringer", "chlorid",
            "lactat",
        ],
    ),
    (
        "anticoag",
        &[
            "anticoag",
            "heparin",
            "enoxaparin",
            "warfarin",
            "apixaban",
            "thrombin",
        ],
    ),
    (
        "analgesic",
        &["opioid", "morphine", "analges", "hydromorph"],
    ),
    ("jaund", &["jaund", "icter", "bilirub"]),
];

fn canon(word: &str) -> String {
    for (name, stems) in SYNONYMS.iter() {
        if stems.iter().any(|stem| word.contains(stem)) {
            return (*name).to_owned();
        }
    }
    word.chars().take(5).collect()
}

/// Content words of a text as canonical stems (for overlap checks).
fn keys(text: &str) -> BTreeSet<String> {
    thread_local! {
        static KEYS: RefCell<HashMap<String, BTreeSet<String>>> = RefCell::new(HashMap::new());
    }
    if let Some(found) = KEYS.with(|cache| cache.borrow().get(text).cloned()) {
        return found;
    }
    let computed: BTreeSet<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|word| {
            (word.chars().count() >= 4 || ["npo", "wbc", "ecg"].contains(&word.as_str()))
                && !STOP.contains(&word.as_str())
        })
        .map(|word| canon(&word))
        .collect();
    KEYS.with(|cache| cache.borrow_mut().insert(text.to_owned(), computed.clone()));
    computed
}

/// A cache key naming one knowledge base (its address and size) and a query.
fn cache_key(kb: &KnowledgeBase, query: String) -> String {
    format!(
        "{:p}|{}|{query}",
        kb as *const KnowledgeBase,
        kb.facts().len()
    )
}

/// Everything `subject` records under `attributes` (any population, condition or dispute status),
/// with its name: canonical words and normalised texts.
#[derive(Clone)]
struct Recorded {
    words: BTreeSet<String>,
    texts: BTreeSet<String>,
}

impl Recorded {
    fn of(kb: &KnowledgeBase, subject: &str, attributes: &[&str]) -> Recorded {
        thread_local! {
            static RECORDED: RefCell<HashMap<String, Recorded>> = RefCell::new(HashMap::new());
        }
        let key = cache_key(kb, format!("{subject}|{attributes:?}"));
        if let Some(found) = RECORDED.with(|cache| cache.borrow().get(&key).cloned()) {
            return found;
        }
        let computed = Recorded::compute(kb, subject, attributes);
        RECORDED.with(|cache| cache.borrow_mut().insert(key, computed.clone()));
        computed
    }

    fn compute(kb: &KnowledgeBase, subject: &str, attributes: &[&str]) -> Recorded {
        let mut words = keys(subject);
        let mut texts = BTreeSet::new();
        for fact in kb
            .about(DX, subject)
            .filter(|fact| attributes.contains(&fact.attribute.as_str()))
        {
            words.extend(keys(fact.text()));
            words.extend(keys(&fact.condition));
            texts.insert(fact.norm().to_owned());
        }
        Recorded { words, texts }
    }

    /// True when `text` is, or shares a content word or synonym with, anything recorded.
    fn touches(&self, text: &str) -> bool {
        self.texts.contains(&normalise(text)) || !keys(text).is_disjoint(&self.words)
    }
}

/// True when `text` is, or shares a content word or synonym with, anything `subject` records under
/// `attributes` (any population, condition, or dispute status), or with the subject's name.
fn clash(kb: &KnowledgeBase, subject: &str, text: &str, attributes: &[&str]) -> bool {
    Recorded::of(kb, subject, attributes).touches(text)
}

/// The subject's own facts under `attributes` that suit the stem's client and do not name it.
fn own<'a>(kb: &'a KnowledgeBase, subject: &str, attributes: &[&str], ctx: &Ctx) -> Vec<&'a Fact> {
    let name = keys(subject);
    attributes
        .iter()
        .flat_map(|attribute| kb.values(DX, subject, attribute))
        .filter(|fact| {
            own_fits(fact, ctx) && !vague(fact.text()) && keys(fact.text()).is_disjoint(&name)
        })
        .collect()
}

/// Facts of other subjects (of another class when `other_class`) under `from` that touch nothing
/// `subject` records under `clash_with`, carry none of the `broad` canonical words, are not shared
/// by three or more subjects, and suit the client; deduplicated by text in a stable order.
#[allow(clippy::too_many_arguments)]
fn foreign<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    from: &[&str],
    clash_with: &[&str],
    broad: &[&str],
    other_class: bool,
    allow_condition: bool,
    ctx: &Ctx,
) -> Vec<&'a Fact> {
    thread_local! {
        static FOREIGN: RefCell<HashMap<String, Vec<String>>> = RefCell::new(HashMap::new());
    }
    let key = cache_key(
        kb,
        format!(
            "{subject}|{from:?}|{clash_with:?}|{broad:?}|{other_class}|{allow_condition}|{:?}",
            ctx.main
        ),
    );
    if let Some(found) = FOREIGN.with(|cache| cache.borrow().get(&key).cloned()) {
        return found.iter().filter_map(|id| kb.fact(id)).collect();
    }
    let computed = foreign_uncached(
        kb,
        subject,
        from,
        clash_with,
        broad,
        other_class,
        allow_condition,
        ctx,
    );
    FOREIGN.with(|cache| {
        cache
            .borrow_mut()
            .insert(key, computed.iter().map(|fact| fact.id.clone()).collect())
    });
    computed
}

#[allow(clippy::too_many_arguments)]
fn foreign_uncached<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    from: &[&str],
    clash_with: &[&str],
    broad: &[&str],
    other_class: bool,
    allow_condition: bool,
    ctx: &Ctx,
) -> Vec<&'a Fact> {
    let class = kb.class_of(DX, subject);
    let recorded = Recorded::of(kb, subject, clash_with);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for attribute in from {
        let facts = kb.with_attribute(DX, attribute);
        // How many subjects state each text (a local `commonness`, computed once).
        let mut holders: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for fact in &facts {
            holders
                .entry(fact.norm().to_owned())
                .or_default()
                .insert(fact.subject.as_str());
        }
        for fact in facts {
            let text = fact.text();
            if fact.subject == subject
                || text.is_empty()
                || text.chars().count() > 55
                || (other_class && class.is_some() && kb.class_of(DX, &fact.subject) == class)
                || (!allow_condition && !fact.condition.trim().is_empty())
                || !population_fits(fact.population, ctx)
                || vague(text)
                || keys(text).iter().any(|key| broad.contains(&key.as_str()))
                || holders.get(&normalise(text)).map_or(0, BTreeSet::len) >= 3
                || recorded.touches(text)
                || !seen.insert(normalise(text))
            {
                continue;
            }
            out.push(fact);
        }
    }
    out
}

/// Up to `count` facts drawn with the seed, none sharing a content word with each other or with
/// anything already `taken`.
fn pick<'a>(
    rng: &mut Rng,
    pool: &[&'a Fact],
    count: usize,
    taken: &mut Vec<BTreeSet<String>>,
) -> Vec<&'a Fact> {
    let mut order: Vec<usize> = (0..pool.len()).collect();
    rng.shuffle(&mut order);
    let mut out = Vec::new();
    for index in order {
        if out.len() == count {
            break;
        }
        let fact = pool[index];
        let words = keys(fact.text());
        if words.is_empty() || taken.iter().any(|other| !other.is_disjoint(&words)) {
            continue;
        }
        taken.push(words);
        out.push(fact);
    }
    out
}

/// Option text: a closing parenthetical qualifier goes to the rationale.
fn clean(text: &str) -> String {
    sentence(without_closing_parenthetical(text).trim())
}

fn texts(facts: &[&Fact]) -> Vec<String> {
    facts.iter().map(|fact| low(fact.text())).collect()
}

/// Fact text for the middle of a sentence: single-spaced. Facts are lowercase except proper nouns
/// and abbreviations ("Cullen sign", "WBC"), which keep their capitals.
fn low(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A normal finding ("Heart rate 78/min") for the middle of a sentence: first letter lowered unless
/// the first word is an abbreviation ("SpO2").
fn lower_first(text: &str) -> String {
    let first = text.split(' ').next().unwrap_or("");
    if first
        .chars()
        .skip(1)
        .any(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        return text.to_owned();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(head) => head.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether any fact about `subject` names `other` (as a risk factor, cause or complication).
fn mentions(kb: &KnowledgeBase, subject: &str, other: &str) -> bool {
    kb.about(DX, subject)
        .filter(|fact| about_the_client(fact))
        .any(|fact| fact.norm().contains(other))
}

/// False for the records that compare the disorder with another (`differential`, `against`):
/// they describe no client with it, so they neither set the stem's client nor make the other
/// disorder a cause or complication of it.
fn about_the_client(fact: &Fact) -> bool {
    !matches!(fact.attribute.as_str(), "differential" | "against")
}

/// Same-class disorders ranked by how many features they share with `subject` (most first).
fn rivals(kb: &KnowledgeBase, subject: &str) -> Vec<String> {
    let Some(class) = kb.class_of(DX, subject) else {
        return Vec::new();
    };
    let mine: BTreeSet<String> = kb
        .about(DX, subject)
        .filter(|fact| FIND_ALL.contains(&fact.attribute.as_str()))
        .flat_map(|fact| keys(fact.text()))
        .collect();
    let mut ranked: Vec<(usize, String)> = kb
        .subjects(DX)
        .iter()
        .filter(|other| other.as_str() != subject && kb.class_of(DX, other) == Some(class))
        // A cause or complication of the subject (a long-bone fracture for fat embolism) is no
        // competing explanation of its findings.
        .filter(|other| !mentions(kb, subject, other) && !mentions(kb, other, subject))
        .map(|other| {
            let theirs: BTreeSet<String> = kb
                .about(DX, other)
                .filter(|fact| FIND_ALL.contains(&fact.attribute.as_str()))
                .flat_map(|fact| keys(fact.text()))
                .collect();
            (mine.intersection(&theirs).count(), other.clone())
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, name)| name).collect()
}

/// Three competing hypotheses for `subject`, drawn with the seed from its five closest rivals, and
/// the subject's findings that none of them records (with no word or synonym in common).
fn hypotheses<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    rng: &mut Rng,
    ctx: &Ctx,
) -> Option<(Vec<String>, Vec<&'a Fact>)> {
    let close: Vec<String> = rivals(kb, subject).into_iter().take(5).collect();
    let chosen = rng.sample_exactly(&close, 3)?;
    let cues: Vec<&Fact> = own(kb, subject, &FINDINGS, ctx)
        .into_iter()
        .filter(|fact| {
            chosen
                .iter()
                .all(|rival| !clash(kb, rival, fact.text(), &FIND_ALL))
        })
        .collect();
    Some((chosen, cues))
}

/// A distinctive cue of `rival` that `subject` does not record, for the rationale.
fn rival_cue<'a>(kb: &'a KnowledgeBase, rival: &str, subject: &str) -> Option<&'a Fact> {
    FINDINGS
        .iter()
        .flat_map(|attribute| kb.values(DX, rival, attribute))
        .find(|fact| {
            !fact.text().is_empty()
                && fact.condition.trim().is_empty()
                && !clash(kb, subject, fact.text(), &FIND_ALL)
        })
}

fn rival_rationale(kb: &KnowledgeBase, rival: &str, subject: &str, evidence: &str) -> String {
    match rival_cue(kb, rival, subject) {
        Some(cue) => format!(
            "{} is less likely: it typically shows findings such as {}, and it does not account for {evidence}.",
            sentence(rival),
            low(cue.text())
        ),
        None => format!(
            "{} is less likely: it does not account for {evidence}.",
            sentence(rival)
        ),
    }
}

/// A normal finding for notes, with the words it speaks to.
struct Normal {
    text: &'static str,
    tags: &'static [&'static str],
    vital: Option<&'static str>,
    child: bool,
}

const NORMALS: [Normal; 12] = [
    Normal {
        text: "Heart rate 78/min and regular",
        tags: &["heart"],
        vital: Some("heart rate"),
        child: false,
    },
    Normal {
        text: "Respirations 16/min and unlabored",
        tags: &["resp"],
        vital: Some("respiratory rate"),
        child: false,
    },
    Normal {
        text: "Oral temperature 37 C",
        tags: &["temp"],
        vital: Some("body temperature"),
        child: false,
    },
    Normal {
        text: "Blood pressure 118/76 mm Hg",
        tags: &["bp"],
        vital: Some("normal blood pressure"),
        child: false,
    },
    Normal {
        text: "SpO2 97% on room air",
        tags: &["resp"],
        vital: Some("oxygen saturation"),
        child: false,
    },
    Normal {
        text: "Alert and oriented to person, place, and time",
        tags: &["mental"],
        vital: None,
        child: false,
    },
    Normal {
        text: "Skin warm, dry, and intact",
        tags: &[
            "sweat", "skin", "pale", "resp", "jaund", "mottl", "temp", "intac", "ulcer", "wound",
            "burns", "eschar",
        ],
        vital: None,
        child: true,
    },
    Normal {
        text: "Bowel sounds active in all four quadrants",
        tags: &["bowel", "abdom", "nausea", "disten"],
        vital: None,
        child: true,
    },
    Normal {
        text: "Pupils equal, round, and reactive to light",
        tags: &["pupil", "mental", "vision"],
        vital: None,
        child: true,
    },
    Normal {
        text: "Capillary refill less than 3 seconds",
        tags: &["capil", "pale", "heart", "resp", "perfu", "shock"],
        vital: None,
        child: true,
    },
    Normal {
        text: "Moist oral mucous membranes",
        tags: &["mucou", "fluid", "thirst", "oral", "mouth", "dehyd"],
        vital: None,
        child: true,
    },
    Normal {
        text: "Moves all extremities with equal strength",
        tags: &[
            "weak", "paral", "motor", "stren", "gait", "balan", "tremo", "rigid", "joint", "fract",
            "limb", "extre",
        ],
        vital: None,
        child: true,
    },
];

/// Normal findings that touch nothing the subject records, as options with their rationale and the
/// vital-sign reference range behind them.
fn normals(kb: &KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<Opt> {
    let recorded: BTreeSet<String> = kb
        .about(DX, subject)
        .filter(|fact| FIND_ALL.contains(&fact.attribute.as_str()))
        .flat_map(|fact| keys(fact.text()).into_iter().chain(keys(&fact.condition)))
        .collect();
    NORMALS
        .iter()
        .filter(|normal| !ctx.child || normal.child)
        .filter(|normal| {
            let mut words: BTreeSet<String> = keys(normal.text);
            words.extend(normal.tags.iter().map(|tag| (*tag).to_owned()));
            words.is_disjoint(&recorded)
        })
        .map(|normal| {
            let fact = normal.vital.and_then(|vital| kb.value(Family::VitalSigns, vital, "reference_range"));
            let range = fact.map(|fact| format!(" (reference range {})", fact.value.display())).unwrap_or_default();
            let rationale = format!("{} is a normal finding{range}; it is not a sign of {subject} and needs no follow-up.", normal.text);
            match fact {
                Some(fact) => Opt::new(normal.text, rationale, &[fact]),
                None => Opt::new(normal.text, rationale, &[]),
            }
        })
        .collect()
}

fn draw_normals(
    kb: &KnowledgeBase,
    subject: &str,
    ctx: &Ctx,
    rng: &mut Rng,
    count: usize,
) -> Vec<Opt> {
    let all = normals(kb, subject, ctx);
    rng.sample(&all, count)
}

fn key_opt(fact: &Fact, rationale: String) -> Opt {
    Opt::new(
        clean(fact.text()),
        format!("{rationale}{}", cite_note(fact)),
        &[fact],
    )
}

fn finding_of(kb: &KnowledgeBase, fact: &Fact, subject: &str) -> String {
    let class = class_label(kb.class_of(DX, &fact.subject).unwrap_or("another"));
    format!(
        "{} is a finding of {} ({class}), not of {subject}.",
        sentence(fact.text()),
        fact.subject
    )
}

fn action_of(kb: &KnowledgeBase, fact: &Fact, subject: &str) -> String {
    let class = class_label(kb.class_of(DX, &fact.subject).unwrap_or("another"));
    format!(
        "{} belongs to the care of {} ({class}); it is not part of the care of {subject}.",
        sentence(fact.text()),
        fact.subject
    )
}

const COMFORT: [&str; 21] = [
    "position",
    "fowler",
    "elevate",
    "raise",
    "upright",
    "side-lying",
    "flat",
    "warm",
    "cool",
    "heat",
    "ice",
    "cold",
    "compresses",
    "quiet",
    "dark",
    "environment",
    "blanket",
    "massage",
    "cushion",
    "cradle",
    "skin",
];

fn comfort(text: &str) -> bool {
    let text = normalise(text);
    COMFORT.iter().any(|word| {
        text.split(|c: char| !c.is_alphanumeric() && c != '-')
            .any(|token| token.starts_with(word))
    })
}

/// Specific actions of disorders of other body systems that are wrong for `subject`.
fn foreign_actions<'a>(kb: &'a KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<&'a Fact> {
    let mut clash_with: Vec<&str> = ACT_ALL.to_vec();
    clash_with.extend(FIND_ALL);
    foreign(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &clash_with,
        &BROAD_ACTION,
        true,
        false,
        ctx,
    )
    .into_iter()
    .filter(|fact| {
        let text = fact.norm();
        ![
            "call",
            "stay",
            "assess",
            "monitor",
            "check",
            "notify",
            "obtain",
            "observe",
            "keep the",
            "maintain",
            "provide",
            "encourage",
            "teach",
            "explain",
            "protect",
            "implement",
            "remove",
        ]
        .iter()
        .any(|verb| text.starts_with(verb))
    })
    .collect()
}

/// A complication named by a complication sign's condition, when it reads as one.
fn complication_name(fact: &Fact) -> Option<String> {
    let condition = normalise(&fact.condition);
    let rejected = [
        "need for",
        "increased suicide",
        "air leak",
        "worsening",
        "impending",
        "spreading",
        "respiratory muscle",
        "obstructed",
        "arterial bleeding",
        "perforation",
    ];
    if condition.is_empty() || rejected.iter().any(|prefix| condition.starts_with(prefix)) {
        return None;
    }
    Some(condition)
}

/// The subject's complication signs that name a complication and suit its client.
fn complication_signs<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    ctx: &Ctx,
) -> Vec<(&'a Fact, String)> {
    kb.values(DX, subject, "complication_sign")
        .into_iter()
        .filter(|fact| {
            use Population::*;
            let population = fact.population == ctx.main
                || fact.population == All
                || ctx.main == All
                || matches!(
                    (ctx.main, fact.population),
                    (Adult, OlderAdult) | (OlderAdult, Adult)
                );
            population && !fact.text().is_empty() && fact.text().chars().count() <= 60
        })
        .filter_map(|fact| complication_name(fact).map(|name| (fact, name)))
        .collect()
}

/// Expected outcomes with a text value.
fn outcomes<'a>(kb: &'a KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<&'a Fact> {
    kb.values(DX, subject, "expected_outcome")
        .into_iter()
        .filter(|fact| own_fits(fact, ctx))
        .collect()
}

/// Presenting cues that would show the disorder persisting (and never sound like improvement).
fn persisting<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    ctx: &Ctx,
    against: &[&Fact],
) -> Vec<&'a Fact> {
    let outcome_words: BTreeSet<String> =
        against.iter().flat_map(|fact| keys(fact.text())).collect();
    own(kb, subject, &FINDINGS, ctx)
        .into_iter()
        .filter(|fact| !fact.lasting)
        .filter(|fact| {
            let text = fact.norm();
            !text.contains("normal")
                && !text.contains("relieved")
                && !text.contains("absent")
                && !text.contains("risk")
                && !text.contains("history")
        })
        .filter(|fact| keys(fact.text()).is_disjoint(&outcome_words))
        .collect()
}

fn who_with(ctx: &Ctx, subject: &str) -> String {
    format!("{} with {subject}", ctx.who)
}

fn ctx_for(kb: &KnowledgeBase, subject: &str) -> Ctx {
    ctx(kb, subject)
}

/// Priority problems of disorders of other body systems that touch nothing the disorder records
/// and are never airway, breathing, circulation, fluid, bleeding, injury or suicide problems
/// (which could outrank the key).
fn rival_problems<'a>(kb: &'a KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<&'a Fact> {
    const OUTRANKING: [&str; 12] = [
        "airwa", "resp", "gas", "cardi", "perfu", "shock", "fluid", "bleed", "injur", "suici",
        "tissu", "volum",
    ];
    let mut clash_with: Vec<&str> = FIND_ALL.to_vec();
    clash_with.extend(ACT_ALL);
    foreign(
        kb,
        subject,
        &["priority_problem"],
        &clash_with,
        &OUTRANKING,
        true,
        false,
        ctx,
    )
}
