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

use std::collections::{BTreeMap, BTreeSet};

use super::super::build::{self, MatrixRow, Meta, Opt, SlotSpec, sentence};
use super::super::catalog::{Case, ItemModel};
use super::super::rng::Rng;
use super::super::{ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen, gate};
use super::{cite_note, commonness};
use crate::domain::knowledge::{Fact, Family, KnowledgeBase, Population, normalise};

const DX: Family = Family::Disorders;

/// Attributes whose texts describe what the client has: a distractor finding must touch none.
const FIND_ALL: [&str; 8] = ["cue", "vital_sign_cue", "lab_cue", "complication_sign", "complication", "priority_problem", "risk_factor", "expected_outcome"];
/// Assessment findings that can be keys.
const FINDINGS: [&str; 3] = ["cue", "vital_sign_cue", "lab_cue"];
/// Attributes whose texts describe what is done for the client: a distractor action must touch none.
const ACT_ALL: [&str; 6] = ["priority_intervention", "intervention", "avoid", "teaching", "medication", "diagnostic_test"];
/// Canonical words of findings that fit too many clients to be called "not a finding".
const BROAD_FINDING: [&str; 14] = ["weak", "mental", "nausea", "temp", "heart", "sweat", "pale", "anxie", "appet", "dizzi", "thirst", "weight", "head", "resp"];
/// Canonical words of actions that fit too many clients to be called wrong.
const BROAD_ACTION: [&str; 22] = [
    "resp", "antib", "pain", "fluid", "monit", "asses", "check", "notif", "provi", "rapid", "stay", "obser", "measu", "inspe", "record", "weigh", "vital", "npo", "infec", "hygie", "safet", "calm",
];

pub fn models() -> Vec<Box<dyn ItemModel>> {
    let list: Vec<DxModel> = vec![
        // recognize cues
        DxModel {
            id: "dx-expected-findings-sata",
            kind: ItemType::MultipleResponse,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::RecognizeCues,
            aacn: "2.3",
            qsen: Qsen::PatientCenteredCare,
            difficulty: Difficulty::Intermediate,
            variants: 2,
            description: "Asks which assessment findings the nurse should expect in a client with a named disorder. Keys: 2–3 of the disorder's `cue`/`vital_sign_cue`/`lab_cue` facts (population-appropriate, unconditioned). Distractors: findings of disorders of other body systems that share no content word or clinical synonym with anything recorded about the disorder, excluding broad findings (fever, fatigue, heart rate, breathing, confusion).",
            make: expected_findings_sata,
        },
        DxModel {
            id: "dx-findings-highlight",
            kind: ItemType::Highlight,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::RecognizeCues,
            aacn: "2.3",
            qsen: Qsen::PatientCenteredCare,
            difficulty: Difficulty::Intermediate,
            variants: 2,
            description: "A nurse's note of 6–9 segments; the student highlights the findings that support the suspected disorder. Keys: 3–4 of the disorder's `cue`/`vital_sign_cue`/`lab_cue` facts. Other segments: normal findings (normal vital signs from `vital_signs` reference ranges, normal physical findings) chosen only when they touch nothing the disorder records, plus at most one finding of a disorder of another body system that shares no feature with this one.",
            make: findings_highlight,
        },
        DxModel {
            id: "dx-finding-consistent-matrix",
            kind: ItemType::Matrix,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::RecognizeCues,
            aacn: "2.3",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Matrix: for each of 5–6 findings, the student marks whether it is consistent with the named disorder or not. Consistent rows: 2–3 of its `cue`/`vital_sign_cue`/`lab_cue` facts. Not-consistent rows: findings of disorders of other body systems that share no content word or clinical synonym with anything recorded about the disorder (broad findings excluded).",
            make: finding_consistent_matrix,
        },
        DxModel {
            id: "dx-complication-sign-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::ReductionOfRisk,
            ncjmm: NcjmmFunction::RecognizeCues,
            aacn: "2.3",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which finding indicates a named complication in a client with a disorder. Key: the disorder's `complication_sign` whose condition names that complication. Distractors: complication signs and findings of disorders of other body systems that share no content word or synonym with the disorder's records or the complication's name.",
            make: complication_sign_mc,
        },
        DxModel {
            id: "dx-lab-finding-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::RecognizeCues,
            aacn: "2.3",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which laboratory finding the nurse should expect in a client with a disorder. Key: one of its text `lab_cue` facts. Distractors: laboratory cues of disorders of other body systems on analytes the disorder records nothing about (inflammatory markers, WBC and lactate excluded as too broad).",
            make: lab_finding_mc,
        },
        // analyze cues
        DxModel {
            id: "dx-hypothesis-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::AnalyzeCues,
            aacn: "2.4",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Advanced,
            variants: 2,
            description: "Presents 2–3 findings and asks which condition they are most consistent with. Key: the disorder. Distractors: 3 disorders of the same body system that share the most features with it (competing hypotheses). The findings shown are only the disorder's cues that share no content word or synonym with anything any of the three competitors records, so each competitor is ruled out by the data.",
            make: hypothesis_mc,
        },
        DxModel {
            id: "dx-differentiate-matrix",
            kind: ItemType::Matrix,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::AnalyzeCues,
            aacn: "2.4",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Matrix with three same-system disorders as columns (the subject and two competing hypotheses that share features with it); each of 4–6 finding rows belongs to exactly one of them. A row is used only when it shares no content word or synonym with anything the other two columns record.",
            make: differentiate_matrix,
        },
        DxModel {
            id: "dx-hypothesis-triad-ddr",
            kind: ItemType::DragDropRationale,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::AnalyzeCues,
            aacn: "2.4",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Triad: \"The client is most likely experiencing {{1}} as evidenced by {{2}} and {{3}}.\" The stem lists two discriminating cues of the disorder and two normal findings. Slot 1: the disorder and 3 same-system competitors. Slots 2 and 3: one discriminating cue each; distractors are the normal findings from the stem and a cue of a competitor that the disorder does not record.",
            make: hypothesis_triad_ddr,
        },
        DxModel {
            id: "dx-complication-dyad-ddr",
            kind: ItemType::DragDropRationale,
            need: ClientNeed::ReductionOfRisk,
            ncjmm: NcjmmFunction::AnalyzeCues,
            aacn: "2.4",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Dyad: \"The client is most likely developing {{1}}, as evidenced by {{2}}.\" The stem gives the disorder's admission cues and a new `complication_sign`. Slot 1: the complication that sign indicates (its condition); distractors are complications named by other body systems' complication signs that touch nothing recorded about the disorder. Slot 2: the new sign; distractors are the admission cues from the stem (present, but evidence of the disorder itself, chosen to share no word or synonym with the sign) and a normal finding.",
            make: complication_dyad_ddr,
        },
        // prioritize hypotheses
        DxModel {
            id: "dx-hypothesis-cloze",
            kind: ItemType::DropDownCloze,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::PrioritizeHypotheses,
            aacn: "2.4",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Drop-down cloze with a nurse's-note exhibit: \"The client is most likely experiencing {{1}} as evidenced by {{2}}.\" Exhibit: two discriminating cues of the disorder and two normal findings. Drop-down 1: the disorder and 3 same-system competitors. Drop-down 2: one discriminating cue; distractors are the normal findings in the note and a cue of a competitor that is not in the note.",
            make: hypothesis_cloze,
        },
        DxModel {
            id: "dx-priority-problem-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::PrioritizeHypotheses,
            aacn: "2.4",
            qsen: Qsen::PatientCenteredCare,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Gives a client's disorder and findings and asks for the priority problem. Key: one of the disorder's `priority_problem` facts. Distractors: priority problems of disorders of other body systems that touch nothing recorded about the disorder and are never airway, breathing, circulation or fluid problems (which could outrank the key).",
            make: priority_problem_mc,
        },
        DxModel {
            id: "dx-bow-tie",
            kind: ItemType::BowTie,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::PrioritizeHypotheses,
            aacn: "2.4",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Bow-tie from a stem of discriminating cues. Condition: the disorder with 3 same-system competitors. Actions: 2 of its `priority_intervention`/`intervention` facts; distractors are its own `avoid` actions and specific actions for disorders of other systems that touch nothing it records. Parameters: 2 of its `cue`/`vital_sign_cue`/`lab_cue`/`complication_sign` facts to monitor; distractors are findings of unrelated disorders.",
            make: bow_tie,
        },
        // generate solutions
        DxModel {
            id: "dx-plan-interventions-sata",
            kind: ItemType::MultipleResponse,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::GenerateSolutions,
            aacn: "2.5",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 2,
            description: "Asks which interventions belong in the plan of care for a disorder. Keys: 2–3 of its `priority_intervention`/`intervention` facts. Distractors: its own `avoid` (contraindicated) actions and specific actions for disorders of other body systems that share no word or synonym with anything it records (oxygen, fluids, antibiotics, analgesia and monitoring excluded as broadly applicable).",
            make: plan_interventions_sata,
        },
        DxModel {
            id: "dx-orders-matrix",
            kind: ItemType::Matrix,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::GenerateSolutions,
            aacn: "2.5",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Matrix: for each of 4–5 actions in a draft plan of care, the student marks it indicated or contraindicated for the disorder. Indicated rows: its `priority_intervention`/`intervention` facts. Contraindicated rows: its `avoid` facts. Both columns come from the disorder's own records only.",
            make: orders_matrix,
        },
        DxModel {
            id: "dx-goals-sata",
            kind: ItemType::MultipleResponse,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::GenerateSolutions,
            aacn: "2.5",
            qsen: Qsen::PatientCenteredCare,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which expected outcomes are appropriate goals for a client with a disorder. Keys: 2 of its text `expected_outcome` facts. Distractors: expected outcomes of disorders of other body systems that share no word or synonym with anything the disorder records (pain, temperature, vital-sign and infection outcomes excluded as broadly applicable).",
            make: goals_sata,
        },
        DxModel {
            id: "dx-diagnostic-test-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::ReductionOfRisk,
            ncjmm: NcjmmFunction::GenerateSolutions,
            aacn: "2.5",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which diagnostic test the nurse should anticipate to help confirm a suspected disorder. Key: one of its `diagnostic_test` facts. Distractors: diagnostic tests for disorders of other body systems that touch nothing recorded about it (chest x-ray, cultures, blood counts, blood gases, ECG, echocardiogram and urinalysis excluded as broadly ordered).",
            make: diagnostic_test_mc,
        },
        DxModel {
            id: "dx-comfort-measure-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::BasicCareComfort,
            ncjmm: NcjmmFunction::GenerateSolutions,
            aacn: "2.5",
            qsen: Qsen::PatientCenteredCare,
            difficulty: Difficulty::Beginner,
            variants: 1,
            description: "Asks which comfort measure (positioning, heat or cold, environment, diet, skin care) is appropriate for a client with a disorder. Key: one of its interventions that is a comfort measure. Distractors: its own contraindicated comfort measures (`avoid`) first, then comfort measures for disorders of other body systems that share no word or synonym with anything it records.",
            make: comfort_measure_mc,
        },
        // take action
        DxModel {
            id: "dx-comfort-avoid-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::BasicCareComfort,
            ncjmm: NcjmmFunction::TakeAction,
            aacn: "2.5",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which comfort measure the nurse should avoid for a client with a disorder. Key: one of its `avoid` facts that is a comfort measure (positioning, heat, cold, massage, cushions). Distractors: 3 of its own `priority_intervention`/`intervention` facts, all indicated.",
            make: comfort_avoid_mc,
        },
        DxModel {
            id: "dx-first-action-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::TakeAction,
            aacn: "2.4",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Gives a client's disorder and current findings and asks which action the nurse should take first. Key: one of its `priority_intervention` facts. Distractors: its own `avoid` actions and specific treatments of disorders of other body systems that share no word or synonym with anything it records; assessment, notification, oxygen, fluid, antibiotic and analgesic actions are never distractors since they could be argued first.",
            make: first_action_mc,
        },
        DxModel {
            id: "dx-unsafe-action-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::ReductionOfRisk,
            ncjmm: NcjmmFunction::TakeAction,
            aacn: "5.2",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which planned action is unsafe for a client with a disorder and should not be carried out. Key: one of its `avoid` facts that is not a comfort measure. Distractors: 3 of its own indicated `priority_intervention`/`intervention` facts.",
            make: unsafe_action_mc,
        },
        DxModel {
            id: "dx-complication-action-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::TakeAction,
            aacn: "2.4",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Advanced,
            variants: 3,
            description: "A client with a disorder develops the findings of one of its complications that is itself a disorder in the knowledge base (for example DVT → pulmonary embolism); asks which action the nurse should take first. Key: a `priority_intervention` of the complication. Distractors: specific treatments of disorders of other body systems that touch nothing recorded about either disorder.",
            make: complication_action_mc,
        },
        DxModel {
            id: "dx-priority-actions-sata",
            kind: ItemType::MultipleResponse,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::TakeAction,
            aacn: "2.4",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Gives a client's disorder and findings and asks which actions the nurse should take now. Keys: 2–3 of its `priority_intervention` facts. Distractors: its own `avoid` actions and specific treatments of disorders of other body systems that touch nothing it records (broad actions excluded).",
            make: priority_actions_sata,
        },
        // evaluate outcomes
        DxModel {
            id: "dx-effective-outcome-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::EvaluateOutcomes,
            aacn: "2.7",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which finding indicates that treatment of a disorder is effective. Key: one of its text `expected_outcome` facts. Distractors: its `complication_sign` facts (worsening) and its own presenting cues (persisting disease), never cues worded as an absence or a normal finding.",
            make: effective_outcome_mc,
        },
        DxModel {
            id: "dx-outcome-matrix",
            kind: ItemType::Matrix,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::EvaluateOutcomes,
            aacn: "2.7",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Matrix of reassessment findings after treatment of a disorder: each is marked as showing the treatment is effective or not effective. Effective rows: 1–2 of its `expected_outcome` facts. Not-effective rows: its persisting presenting cues and its `complication_sign` facts.",
            make: outcome_matrix,
        },
        DxModel {
            id: "dx-improvement-sata",
            kind: ItemType::MultipleResponse,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::EvaluateOutcomes,
            aacn: "2.7",
            qsen: Qsen::EvidenceBasedPractice,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "Asks which findings show a client's disorder is improving with treatment. Keys: 2 or more of its text `expected_outcome` facts. Distractors: its persisting presenting cues and its `complication_sign` facts (worsening).",
            make: improvement_sata,
        },
        DxModel {
            id: "dx-worsening-mc",
            kind: ItemType::MultipleChoice,
            need: ClientNeed::ReductionOfRisk,
            ncjmm: NcjmmFunction::EvaluateOutcomes,
            aacn: "2.7",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Intermediate,
            variants: 1,
            description: "While evaluating treatment of a disorder, asks which finding requires immediate follow-up. Key: one of its `complication_sign` facts. Distractors: its own expected outcomes and expected outcomes of disorders of other body systems (improvement findings) that share no word or synonym with the sign.",
            make: worsening_mc,
        },
        // unfolding case studies
        DxModel {
            id: "dx-unfolding-case-study",
            kind: ItemType::CaseStudy,
            need: ClientNeed::PhysiologicalAdaptation,
            ncjmm: NcjmmFunction::RecognizeCues,
            aacn: "2.4",
            qsen: Qsen::PatientCenteredCare,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Six-item unfolding case built from one disorder. Scenario: presenting complaint. 1 recognize cues (highlight a nurse's note of discriminating cues and normal findings), 2 analyze cues (MC: which condition, with 3 same-system competitors, after a new finding), 3 prioritize hypotheses (MC: priority problem, after the provider's note), 4 generate solutions (SATA: plan interventions vs its `avoid` and other-system actions, after a new finding), 5 take action (MC: first action, after new vital data), 6 evaluate outcomes (matrix: effective / not effective for the reassessment findings). Every item after the first has an exhibit of new data built from the disorder's facts.",
            make: unfolding_case,
        },
        DxModel {
            id: "dx-complication-case-study",
            kind: ItemType::CaseStudy,
            need: ClientNeed::ReductionOfRisk,
            ncjmm: NcjmmFunction::RecognizeCues,
            aacn: "2.4",
            qsen: Qsen::Safety,
            difficulty: Difficulty::Advanced,
            variants: 1,
            description: "Six-item unfolding case about a disorder and one of its complications. Scenario: presentation with cues and normal findings. 1 recognize cues (SATA: which findings require follow-up), 2 analyze cues (cloze: condition and evidence, after a laboratory exhibit), 3 prioritize hypotheses (dyad: developing complication as evidenced by its `complication_sign`, after a nurse's note), 4 generate solutions (matrix: indicated/contraindicated for the provider's orders, from its interventions and `avoid`), 5 take action (MC: first action), 6 evaluate outcomes (MC: finding that shows treatment is effective vs persisting cues and the complication sign).",
            make: complication_case,
        },
    ];
    list.into_iter().map(|model| Box::new(model) as Box<dyn ItemModel>).collect()
}

type Make = fn(&KnowledgeBase, &Meta, &Case, u64) -> Option<Item>;

/// One disorder item model: its identity and the function that makes its items.
struct DxModel {
    id: &'static str,
    kind: ItemType,
    need: ClientNeed,
    ncjmm: NcjmmFunction,
    aacn: &'static str,
    qsen: Qsen,
    difficulty: Difficulty,
    /// Stem frames or key choices per subject.
    variants: u32,
    description: &'static str,
    make: Make,
}

impl DxModel {
    fn meta(&self, subject: &str) -> Meta {
        Meta {
            model: self.id,
            client_need: self.need,
            ncjmm: self.ncjmm,
            aacn: self.aacn,
            qsen: self.qsen,
            difficulty: self.difficulty,
            topic: subject.to_owned(),
        }
    }
}

impl ItemModel for DxModel {
    fn id(&self) -> &'static str {
        self.id
    }
    fn item_type(&self) -> ItemType {
        self.kind
    }
    fn client_need(&self) -> ClientNeed {
        self.need
    }
    fn ncjmm(&self) -> NcjmmFunction {
        self.ncjmm
    }
    fn description(&self) -> &'static str {
        self.description
    }
    fn cases(&self, kb: &KnowledgeBase) -> Vec<Case> {
        // Only cases that make sound items for most surfaces.
        let mut cases = Vec::new();
        for subject in kb.subjects(DX) {
            for variant in 0..self.variants {
                let case = Case::new(subject, DX, variant);
                if (0..6u64).filter(|seed| self.generate(kb, &case, *seed).is_some()).count() >= 4 {
                    cases.push(case);
                }
            }
        }
        cases
    }
    fn generate(&self, kb: &KnowledgeBase, case: &Case, seed: u64) -> Option<Item> {
        if case.family != DX {
            return None;
        }
        let item = (self.make)(kb, &self.meta(&case.subject), case, seed)?;
        gate::passes(&item).then_some(item)
    }
}

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
    for fact in kb.about(DX, subject) {
        *populations.entry(fact.population).or_default() += 1;
        *conditions.entry(fact.condition.trim().to_owned()).or_default() += 1;
        total += 1;
    }
    let main = populations.iter().max_by_key(|(_, count)| **count).map_or(Population::Adult, |(population, _)| *population);
    let context = conditions.into_iter().find(|(condition, count)| !condition.is_empty() && *count * 2 > total).map(|(condition, _)| condition).unwrap_or_default();
    let who = match main {
        _ if context == "postpartum" => "a postpartum client",
        Population::Pregnant => "a pregnant client",
        Population::Infant => "an infant",
        Population::Neonate => "a newborn",
        Population::Pediatric => "a child",
        Population::OlderAdult => "an older adult client",
        _ => "a client",
    };
    let child = matches!(main, Population::Infant | Population::Neonate | Population::Pediatric);
    Ctx { main, context, who, child }
}

/// Whether a fact of another subject suits a stem about a client of `ctx`'s population.
fn population_fits(population: Population, ctx: &Ctx) -> bool {
    use Population::*;
    match (ctx.main, population) {
        (_, All) => true,
        (Infant | Neonate | Pediatric, _) => true,
        (Pregnant, Adult | OlderAdult | Pregnant) => true,
        (Adult | OlderAdult | All, Adult | OlderAdult) => true,
        _ => false,
    }
}

/// Whether one of the subject's own facts applies to the client in the stem.
fn own_fits(fact: &Fact, ctx: &Ctx) -> bool {
    use Population::*;
    let population = fact.population == ctx.main
        || fact.population == All
        || ctx.main == All
        || matches!((ctx.main, fact.population), (Adult, OlderAdult) | (OlderAdult, Adult) | (Infant, Neonate) | (Neonate, Infant));
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
    "with", "without", "and", "the", "from", "that", "over", "after", "before", "during", "than", "into", "when", "more", "less", "most", "some", "sign",
    "signs", "client", "clients", "level", "levels", "such", "only", "other", "early", "late", "affected", "side", "both", "body", "area", "serum",
    "count", "test", "ratio", "prescribed", "each", "every", "until", "unless", "their", "them", "then", "this", "these", "once", "also", "very",
    "within", "least", "hours", "minutes", "days", "daily", "times", "sudden", "severe", "mild", "acute", "chronic", "persistent", "elevated",
    "increased", "decreased", "rapid", "high", "rate", "rising",
];

/// Clinical synonyms: a word containing any of these stems maps to the group's name.
const SYNONYMS: [(&str, &[&str]); 26] = [
    ("resp", &["pnea", "orthop", "breath", "respir", "crackl", "wheez", "lung", "cough", "sputum", "strid", "hypox", "oxygen", "saturat", "cyano", "ventilat", "airway"]),
    ("heart", &["heart", "pulse", "tachycard", "bradycard", "palpit", "dysrhythm", "arrhythm", "rhythm"]),
    ("bp", &["pressure", "hypotens", "hypertens"]),
    ("temp", &["temperat", "fever", "febril", "thermi", "chill", "pyrex"]),
    ("mental", &["confus", "mental", "conscious", "letharg", "delir", "orient", "agitat", "irritab", "drows", "coma", "restless", "stupor", "alert"]),
    ("sweat", &["sweat", "diaphor", "clammy"]),
    ("nausea", &["nause", "vomit", "emesis"]),
    ("pale", &["pale", "pallor"]),
    ("swell", &["edema", "swell", "swoll"]),
    ("urine", &["urin", "void", "oligur", "anuri", "diures", "polyur"]),
    ("bleed", &["bleed", "hemorrh", "bruis", "petech", "ecchym", "oozing"]),
    ("pain", &["pain", "tender", "ache", "aching", "cramp", "colic"]),
    ("skin", &["rash", "lesion", "vesic", "erythem", "redness", "hives", "flush"]),
    ("weak", &["weak", "fatigu", "tired", "malaise"]),
    ("thirst", &["thirst", "polydip"]),
    ("glucose", &["glucos", "glycem", "dextros", "insulin"]),
    ("potassium", &["potass", "kalem"]),
    ("sodium", &["sodium", "natrem"]),
    ("calcium", &["calc", "tetan", "chvost", "trouss"]),
    ("bowel", &["stool", "diarrh", "constip", "bowel", "flatus", "defecat", "feces", "fecal"]),
    ("vision", &["vision", "visual", "diplop", "blurr"]),
    ("head", &["headach"]),
    ("fluid", &["fluid", "hydrat", "saline", "crystall", "bolus", "infus", "ringer"]),
    ("anticoag", &["anticoag", "heparin", "enoxaparin", "warfarin", "apixaban", "thrombin"]),
    ("analgesic", &["opioid", "morphine", "analges", "hydromorph"]),
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
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|word| (word.chars().count() >= 4 || ["npo", "wbc", "ecg"].contains(&word.as_str())) && !STOP.contains(&word.as_str()))
        .map(|word| canon(&word))
        .collect()
}

/// True when `text` is, or shares a content word or synonym with, anything `subject` records under
/// `attributes` (any population, condition, or dispute status), or with the subject's name.
fn clash(kb: &KnowledgeBase, subject: &str, text: &str, attributes: &[&str]) -> bool {
    let wanted = keys(text);
    if !wanted.is_disjoint(&keys(subject)) {
        return true;
    }
    kb.about(DX, subject).filter(|fact| attributes.contains(&fact.attribute.as_str())).any(|fact| {
        normalise(fact.text()) == normalise(text) || !wanted.is_disjoint(&keys(fact.text())) || !wanted.is_disjoint(&keys(&fact.condition))
    })
}

/// The subject's own facts under `attributes` that suit the stem's client and do not name it.
fn own<'a>(kb: &'a KnowledgeBase, subject: &str, attributes: &[&str], ctx: &Ctx) -> Vec<&'a Fact> {
    let name = keys(subject);
    attributes
        .iter()
        .flat_map(|attribute| kb.values(DX, subject, attribute))
        .filter(|fact| own_fits(fact, ctx) && !vague(fact.text()) && keys(fact.text()).is_disjoint(&name))
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
    let class = kb.class_of(DX, subject);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for attribute in from {
        for fact in kb.with_attribute(DX, attribute) {
            let text = fact.text();
            if fact.subject == subject
                || text.is_empty()
                || text.chars().count() > 55
                || (other_class && class.is_some() && kb.class_of(DX, &fact.subject) == class)
                || (!allow_condition && !fact.condition.trim().is_empty())
                || !population_fits(fact.population, ctx)
                || vague(text)
                || keys(text).iter().any(|key| broad.contains(&key.as_str()))
                || commonness(kb, DX, attribute, text) >= 3
                || clash(kb, subject, text, clash_with)
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
fn pick<'a>(rng: &mut Rng, pool: &[&'a Fact], count: usize, taken: &mut Vec<BTreeSet<String>>) -> Vec<&'a Fact> {
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

/// Option text: parenthetical qualifiers go to the rationale.
fn clean(text: &str) -> String {
    let base = match text.find(" (") {
        Some(index) if text.trim_end().ends_with(')') => &text[..index],
        _ => text,
    };
    sentence(base.trim())
}

/// "a, b, and c".
fn list(texts: &[String]) -> String {
    match texts.len() {
        0 => String::new(),
        1 => texts[0].clone(),
        2 => format!("{} and {}", texts[0], texts[1]),
        _ => format!("{}, and {}", texts[..texts.len() - 1].join(", "), texts[texts.len() - 1]),
    }
}

fn texts(facts: &[&Fact]) -> Vec<String> {
    facts.iter().map(|fact| normalise(fact.text())).collect()
}

fn ids(facts: &[&Fact]) -> Vec<String> {
    facts.iter().map(|fact| fact.id.clone()).collect()
}

/// Same-class disorders ranked by how many features they share with `subject` (most first).
fn rivals(kb: &KnowledgeBase, subject: &str) -> Vec<String> {
    let Some(class) = kb.class_of(DX, subject) else { return Vec::new() };
    let mine: BTreeSet<String> = kb.about(DX, subject).filter(|fact| FIND_ALL.contains(&fact.attribute.as_str())).flat_map(|fact| keys(fact.text())).collect();
    let mut ranked: Vec<(usize, String)> = kb
        .subjects(DX)
        .iter()
        .filter(|other| other.as_str() != subject && kb.class_of(DX, other) == Some(class))
        .map(|other| {
            let theirs: BTreeSet<String> = kb.about(DX, other).filter(|fact| FIND_ALL.contains(&fact.attribute.as_str())).flat_map(|fact| keys(fact.text())).collect();
            (mine.intersection(&theirs).count(), other.clone())
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, name)| name).collect()
}

/// Three competing hypotheses for `subject`, drawn with the seed from its five closest rivals, and
/// the subject's findings that none of them records (with no word or synonym in common).
fn hypotheses<'a>(kb: &'a KnowledgeBase, subject: &str, rng: &mut Rng, ctx: &Ctx) -> Option<(Vec<String>, Vec<&'a Fact>)> {
    let close: Vec<String> = rivals(kb, subject).into_iter().take(5).collect();
    let chosen = rng.sample(&close, 3);
    if chosen.len() < 3 {
        return None;
    }
    let cues: Vec<&Fact> = own(kb, subject, &FINDINGS, ctx).into_iter().filter(|fact| chosen.iter().all(|rival| !clash(kb, rival, fact.text(), &FIND_ALL))).collect();
    Some((chosen, cues))
}

/// A distinctive cue of `rival` that `subject` does not record, for the rationale.
fn rival_cue<'a>(kb: &'a KnowledgeBase, rival: &str, subject: &str) -> Option<&'a Fact> {
    FINDINGS
        .iter()
        .flat_map(|attribute| kb.values(DX, rival, attribute))
        .find(|fact| !fact.text().is_empty() && fact.condition.trim().is_empty() && !clash(kb, subject, fact.text(), &FIND_ALL))
}

fn rival_rationale(kb: &KnowledgeBase, rival: &str, subject: &str, evidence: &str) -> String {
    match rival_cue(kb, rival, subject) {
        Some(cue) => format!(
            "{} is less likely: it typically shows findings such as {}, and it does not account for {evidence}.",
            sentence(rival),
            normalise(cue.text())
        ),
        None => format!("{} is less likely: it does not account for {evidence}.", sentence(rival)),
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
    Normal { text: "Heart rate 78/min and regular", tags: &["heart"], vital: Some("heart rate"), child: false },
    Normal { text: "Respirations 16/min and unlabored", tags: &["resp"], vital: Some("respiratory rate"), child: false },
    Normal { text: "Oral temperature 37 C", tags: &["temp"], vital: Some("body temperature"), child: false },
    Normal { text: "Blood pressure 118/76 mm Hg", tags: &["bp"], vital: Some("normal blood pressure"), child: false },
    Normal { text: "SpO2 97% on room air", tags: &["resp"], vital: Some("oxygen saturation"), child: false },
    Normal { text: "Alert and oriented to person, place, and time", tags: &["mental"], vital: None, child: false },
    Normal { text: "Skin warm, dry, and intact", tags: &["sweat", "skin", "pale", "resp", "jaund", "mottl", "temp", "intac", "ulcer", "wound", "burns", "eschar"], vital: None, child: true },
    Normal { text: "Bowel sounds active in all four quadrants", tags: &["bowel", "abdom", "nausea", "disten"], vital: None, child: true },
    Normal { text: "Pupils equal, round, and reactive to light", tags: &["pupil", "mental", "vision"], vital: None, child: true },
    Normal { text: "Capillary refill less than 3 seconds", tags: &["capil", "pale", "heart", "resp", "perfu", "shock"], vital: None, child: true },
    Normal { text: "Moist oral mucous membranes", tags: &["mucou", "fluid", "thirst", "oral", "mouth", "dehyd"], vital: None, child: true },
    Normal { text: "Moves all extremities with equal strength", tags: &["weak", "paral", "motor", "stren", "gait", "balan", "tremo", "rigid", "joint", "fract", "limb", "extre"], vital: None, child: true },
];

/// Normal findings that touch nothing the subject records, as options with their rationale and the
/// vital-sign reference range behind them.
fn normals(kb: &KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<Opt> {
    let recorded: BTreeSet<String> = kb.about(DX, subject).filter(|fact| FIND_ALL.contains(&fact.attribute.as_str())).flat_map(|fact| keys(fact.text()).into_iter().chain(keys(&fact.condition))).collect();
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

fn draw_normals(kb: &KnowledgeBase, subject: &str, ctx: &Ctx, rng: &mut Rng, count: usize) -> Vec<Opt> {
    let all = normals(kb, subject, ctx);
    rng.sample(&all, count)
}

fn key_opt(fact: &Fact, rationale: String) -> Opt {
    Opt::new(clean(fact.text()), format!("{rationale}{}", cite_note(fact)), &[fact])
}

fn finding_of(kb: &KnowledgeBase, fact: &Fact, subject: &str) -> String {
    let class = kb.class_of(DX, &fact.subject).unwrap_or("another");
    format!("{} is a finding of {} ({class}), not of {subject}.", sentence(fact.text()), fact.subject)
}

fn action_of(kb: &KnowledgeBase, fact: &Fact, subject: &str) -> String {
    let class = kb.class_of(DX, &fact.subject).unwrap_or("another");
    format!("{} belongs to the care of {} ({class}); it is not part of the care of {subject}.", sentence(fact.text()), fact.subject)
}

const COMFORT: [&str; 22] = [
    "position", "fowler", "elevate", "raise", "upright", "side-lying", "flat", "warm", "cool", "heat", "ice", "cold", "compress", "quiet", "dark", "environment", "blanket", "massage",
    "cushion", "cradle", "skin", "diet",
];

fn comfort(text: &str) -> bool {
    let text = normalise(text);
    COMFORT.iter().any(|word| text.split(|c: char| !c.is_alphanumeric() && c != '-').any(|token| token.starts_with(word)))
}

/// Specific actions of disorders of other body systems that are wrong for `subject`.
fn foreign_actions<'a>(kb: &'a KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<&'a Fact> {
    let mut clash_with: Vec<&str> = ACT_ALL.to_vec();
    clash_with.extend(FIND_ALL);
    foreign(kb, subject, &["priority_intervention", "intervention"], &clash_with, &BROAD_ACTION, true, false, ctx)
        .into_iter()
        .filter(|fact| {
            let text = normalise(fact.text());
            !["call", "stay", "assess", "monitor", "check", "notify", "obtain", "observe", "keep the", "maintain", "provide", "encourage", "teach", "explain", "protect", "implement", "remove"]
                .iter()
                .any(|verb| text.starts_with(verb))
        })
        .collect()
}

/// A complication named by a complication sign's condition, when it reads as one.
fn complication_name(fact: &Fact) -> Option<String> {
    let condition = normalise(&fact.condition);
    let rejected = ["need for", "increased suicide", "air leak", "worsening", "impending", "spreading", "respiratory muscle", "obstructed", "arterial bleeding", "perforation"];
    if condition.is_empty() || rejected.iter().any(|prefix| condition.starts_with(prefix)) {
        return None;
    }
    Some(condition)
}

/// The subject's complication signs that name a complication and suit its client.
fn complication_signs<'a>(kb: &'a KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<(&'a Fact, String)> {
    kb.values(DX, subject, "complication_sign")
        .into_iter()
        .filter(|fact| {
            use Population::*;
            let population = fact.population == ctx.main || fact.population == All || ctx.main == All || matches!((ctx.main, fact.population), (Adult, OlderAdult) | (OlderAdult, Adult));
            population && !fact.text().is_empty() && fact.text().chars().count() <= 60
        })
        .filter_map(|fact| complication_name(fact).map(|name| (fact, name)))
        .collect()
}

/// Expected outcomes with a text value.
fn outcomes<'a>(kb: &'a KnowledgeBase, subject: &str, ctx: &Ctx) -> Vec<&'a Fact> {
    kb.values(DX, subject, "expected_outcome").into_iter().filter(|fact| own_fits(fact, ctx)).collect()
}

/// Presenting cues that would show the disorder persisting (and never sound like improvement).
fn persisting<'a>(kb: &'a KnowledgeBase, subject: &str, ctx: &Ctx, against: &[&Fact]) -> Vec<&'a Fact> {
    let outcome_words: BTreeSet<String> = against.iter().flat_map(|fact| keys(fact.text())).collect();
    own(kb, subject, &FINDINGS, ctx)
        .into_iter()
        .filter(|fact| {
            let text = normalise(fact.text());
            !text.contains("normal") && !text.contains("relieved") && !text.contains("absent") && !text.contains("risk") && !text.contains("history")
        })
        .filter(|fact| keys(fact.text()).is_disjoint(&outcome_words))
        .collect()
}

fn who_with(ctx: &Ctx, subject: &str) -> String {
    format!("{} with {subject}", ctx.who)
}

// ---------------------------------------------------------------------------------------------
// Recognize cues
// ---------------------------------------------------------------------------------------------

/// "Which findings should the nurse expect in a client with X? Select all that apply."
fn expected_findings_sata(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let keys_wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, keys_wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let pool = foreign(kb, subject, &FINDINGS, &FIND_ALL, &BROAD_FINDING, true, false, &ctx);
    let total = 5 + rng.below(2);
    let distractors = pick(&mut rng, &pool, total - keys_chosen.len(), &mut taken);
    if distractors.len() < total - keys_chosen.len() {
        return None;
    }
    let stem = match case.variant {
        0 => format!("The nurse admits {}. Which findings should the nurse expect to assess? Select all that apply.", who_with(&ctx, subject)),
        _ => format!("The nurse reviews the assessment of {}. Which findings are consistent with this condition? Select all that apply.", who_with(&ctx, subject)),
    };
    let keys_opts = keys_chosen.iter().map(|fact| key_opt(fact, format!("{} is a recognised finding of {subject}.", sentence(fact.text())))).collect();
    let distractor_opts = distractors.iter().map(|fact| Opt::new(clean(fact.text()), finding_of(kb, fact, subject), &[*fact])).collect();
    let rationale = format!(
        "{} typically presents with {}. The other findings belong to disorders of other body systems.",
        sentence(subject),
        list(&texts(&keys_chosen))
    );
    Some(build::multiple_response(kb, meta, seed, stem, keys_opts, distractor_opts, rationale))
}

/// A nurse's note: highlight the findings that support the suspected disorder.
fn findings_highlight(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let wanted = 3 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, wanted, &mut taken);
    if keys_chosen.len() < 3 {
        return None;
    }
    let normal_count = 2 + rng.below(2);
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, normal_count);
    let pool = foreign(kb, subject, &["cue"], &FIND_ALL, &BROAD_FINDING, true, false, &ctx);
    let foreign_count = usize::from(case.variant == 1 || normal_opts.len() < 2);
    let unrelated = pick(&mut rng, &pool, foreign_count, &mut taken);
    let mut segments: Vec<(bool, Opt)> = keys_chosen
        .iter()
        .map(|fact| (true, key_opt(fact, format!("{} is a finding of {subject}.", sentence(fact.text())))))
        .collect();
    segments.extend(normal_opts.into_iter().map(|opt| (false, opt)));
    segments.extend(unrelated.iter().map(|fact| {
        (false, Opt::new(clean(fact.text()), format!("{} Although it needs its own follow-up, it does not support {subject}.", finding_of(kb, fact, subject)), &[*fact]))
    }));
    if segments.len() < 6 {
        return None;
    }
    rng.shuffle(&mut segments);
    let stem = format!(
        "The nurse suspects that {} has {subject}. Highlight the findings in the nurse's note that support this suspicion.",
        ctx.who
    );
    let rationale = format!(
        "Findings of {subject} in this note: {}. The remaining findings are normal or belong to other conditions.",
        list(&texts(&keys_chosen))
    );
    Some(build::highlight(kb, meta, seed, stem, segments, rationale))
}

/// For each finding: consistent / not consistent with the disorder.
fn finding_consistent_matrix(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let pool = foreign(kb, subject, &FINDINGS, &FIND_ALL, &BROAD_FINDING, true, false, &ctx);
    let total = 5 + rng.below(2);
    let others = pick(&mut rng, &pool, total - keys_chosen.len(), &mut taken);
    if others.len() < 2 {
        return None;
    }
    let mut rows: Vec<MatrixRow> = keys_chosen
        .iter()
        .map(|fact| MatrixRow {
            text: clean(fact.text()),
            column: 0,
            rationale: format!("{} is a finding of {subject}.{}", sentence(fact.text()), cite_note(fact)),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(others.iter().map(|fact| MatrixRow { text: clean(fact.text()), column: 1, rationale: finding_of(kb, fact, subject), facts: vec![fact.id.clone()] }));
    let stem = format!(
        "The nurse is caring for {}. For each finding, indicate whether it is consistent or not consistent with {subject}.",
        who_with(&ctx, subject)
    );
    let rationale = format!("{} is consistent with {}; the other findings point to disorders of other body systems.", list(&texts(&keys_chosen)), subject);
    Some(build::matrix(kb, meta, seed, stem, &["Consistent", "Not consistent"], rows, rationale))
}

/// "The nurse monitors a client with X for <complication>. Which finding indicates it?"
fn complication_sign_mc(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let signs = complication_signs(kb, subject, &ctx);
    let (sign, name) = rng.pick(&signs)?.clone();
    let mut clash_with: Vec<&str> = FIND_ALL.to_vec();
    clash_with.push("intervention");
    let pool: Vec<&Fact> = foreign(kb, subject, &["complication_sign", "cue", "vital_sign_cue"], &clash_with, &BROAD_FINDING, true, true, &ctx)
        .into_iter()
        .filter(|fact| keys(fact.text()).is_disjoint(&keys(&name)))
        .collect();
    let mut taken = vec![keys(sign.text()), keys(&name)];
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse is monitoring {} for {name}. Which finding indicates that this complication is developing?",
        who_with(&ctx, subject)
    );
    let key = key_opt(sign, format!("{} signals {name} in a client with {subject}.", sentence(sign.text())));
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            let what = if fact.condition.trim().is_empty() { fact.subject.clone() } else { format!("{} in {}", normalise(&fact.condition), fact.subject) };
            Opt::new(clean(fact.text()), format!("{} is a sign of {what}, not of {name}.", sentence(fact.text())), &[*fact])
        })
        .collect();
    let rationale = format!("{} is a complication of {subject}; {} is its warning sign and needs prompt reporting.", sentence(&name), normalise(sign.text()));
    Some(build::multiple_choice(kb, meta, seed, stem, key, distractor_opts, rationale))
}

/// "Which laboratory finding should the nurse expect in a client with X?"
fn lab_finding_mc(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let labs = own(kb, subject, &["lab_cue"], &ctx);
    let key = *rng.pick(&labs)?;
    let broad = ["wbc", "white", "lacta", "react", "sedim", "esr"];
    let pool = foreign(kb, subject, &["lab_cue"], &FIND_ALL, &broad, true, false, &ctx);
    let mut taken = vec![keys(key.text())];
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!("The nurse reviews the laboratory results of {}. Which result should the nurse expect?", who_with(&ctx, subject));
    let key_option = key_opt(key, format!("{} is an expected laboratory finding in {subject}.", sentence(key.text())));
    let distractor_opts = distractors.iter().map(|fact| Opt::new(clean(fact.text()), finding_of(kb, fact, subject), &[*fact])).collect();
    let rationale = format!("In {subject} the nurse expects {}.", normalise(key.text()));
    Some(build::multiple_choice(kb, meta, seed, stem, key_option, distractor_opts, rationale))
}

// ---------------------------------------------------------------------------------------------
// Analyze cues
// ---------------------------------------------------------------------------------------------

/// "The client has A, B, and C. These findings are most consistent with which condition?"
fn hypothesis_mc(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let wanted = 2 + rng.below(2);
    let shown = pick(&mut rng, &cues, wanted, &mut taken);
    if shown.len() < 2 {
        return None;
    }
    let evidence = list(&texts(&shown));
    let stem = match case.variant {
        0 => format!("The nurse assesses {} who has {evidence}. These findings are most consistent with which condition?", ctx.who),
        _ => format!("{} presents with {evidence}. Which condition should the nurse suspect?", sentence(ctx.who)),
    };
    let key = Opt::new(sentence(subject), format!("{evidence} together point to {subject}.", sentence(&evidence)), &shown);
    let distractors = competitors
        .iter()
        .map(|rival| {
            let cue = rival_cue(kb, rival, subject);
            let facts: Vec<&Fact> = cue.into_iter().collect();
            Opt::new(sentence(rival), rival_rationale(kb, rival, subject, &evidence), &facts)
        })
        .collect();
    let rationale = format!(
        "{} is the hypothesis that explains {evidence}; the competing conditions of the same body system do not produce these findings.",
        sentence(subject)
    );
    Some(build::multiple_choice(kb, meta, seed, stem, key, distractors, rationale))
}

/// Three same-system disorders as columns; each finding belongs to exactly one.
fn differentiate_matrix(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let mut rng = Rng::new(seed);
    let close: Vec<String> = rivals(kb, subject).into_iter().take(4).collect();
    let pair = rng.sample(&close, 2);
    if pair.len() < 2 {
        return None;
    }
    let columns = [subject.to_owned(), pair[0].clone(), pair[1].clone()];
    let mut taken = Vec::new();
    let mut rows = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        let column_ctx = ctx(kb, column);
        let unique: Vec<&Fact> = own(kb, column, &FINDINGS, &column_ctx)
            .into_iter()
            .filter(|fact| columns.iter().filter(|other| *other != column).all(|other| !clash(kb, other, fact.text(), &FIND_ALL)))
            .collect();
        let count = if index == 0 { 2 } else { 1 + rng.below(2) };
        for fact in pick(&mut rng, &unique, count, &mut taken) {
            rows.push(MatrixRow {
                text: clean(fact.text()),
                column: index,
                rationale: format!("{} is a finding of {column} and not of the other two conditions.{}", sentence(fact.text()), cite_note(fact)),
                facts: vec![fact.id.clone()],
            });
        }
    }
    let used: BTreeSet<usize> = rows.iter().map(|row| row.column).collect();
    if rows.len() < 4 || used.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse compares three {} conditions. For each finding, select the condition it is most consistent with.",
        kb.class_of(DX, subject).unwrap_or("related").replace('_', " ")
    );
    let headers: Vec<String> = columns.iter().map(|column| sentence(column)).collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rationale = format!("{}, {} and {} share some features, but each finding here is recorded for only one of them.", sentence(subject), columns[1], columns[2]);
    Some(build::matrix(kb, meta, seed, stem, &header_refs, rows, rationale))
}

/// Triad: condition, and two pieces of evidence from the stem.
fn hypothesis_triad_ddr(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let shown = pick(&mut rng, &cues, 2, &mut taken);
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, 2);
    if shown.len() < 2 || normal_opts.len() < 2 {
        return None;
    }
    let rival_pool: Vec<&Fact> = competitors
        .iter()
        .flat_map(|rival| own(kb, rival, &FINDINGS, &ctx(kb, rival)))
        .filter(|fact| !clash(kb, subject, fact.text(), &FIND_ALL))
        .collect();
    let rival_cues = pick(&mut rng, &rival_pool, 2, &mut taken);
    if rival_cues.len() < 2 {
        return None;
    }
    let mut findings: Vec<String> = texts(&shown);
    findings.extend(normal_opts.iter().map(|opt| normalise(&opt.text)));
    rng.shuffle(&mut findings);
    let stem = format!(
        "The nurse assesses {} and documents {}. Complete the following sentence by choosing from the lists of options.",
        ctx.who,
        list(&findings)
    );
    let template = "The client is most likely experiencing {{1}} as evidenced by {{2}} and {{3}}.".to_owned();
    let condition = SlotSpec {
        key: Opt::new(sentence(subject), format!("{} is explained by {subject}.", sentence(&list(&texts(&shown)))), &shown),
        distractors: competitors
            .iter()
            .map(|rival| Opt::new(sentence(rival), rival_rationale(kb, rival, subject, &list(&texts(&shown))), &rival_cue(kb, rival, subject).into_iter().collect::<Vec<_>>()))
            .collect(),
    };
    let evidence = |index: usize| SlotSpec {
        key: key_opt(shown[index], format!("{} is a finding of {subject} documented for this client.", sentence(shown[index].text()))),
        distractors: vec![
            normal_opts[index].clone(),
            Opt::new(clean(rival_cues[index].text()), format!("{} It was not documented for this client.", finding_of(kb, rival_cues[index], subject)), &[rival_cues[index]]),
        ],
    };
    let specs = vec![condition, evidence(0), evidence(1)];
    let rationale = format!("{} and {} are findings of {subject}; the normal findings do not support any condition.", sentence(shown[0].text()), normalise(shown[1].text()));
    Some(build::drag_drop_rationale(kb, meta, seed, stem, template, specs, rationale))
}

/// Dyad: a complication of the disorder and the new sign that reveals it.
fn complication_dyad_ddr(kb: &KnowledgeBase, meta: &Meta, case: &Case, seed: u64) -> Option<Item> {
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let mut rng = Rng::new(seed);
    let signs = complication_signs(kb, subject, &ctx);
    let (sign, name) = rng.pick(&signs)?.clone();
    let sign_words: BTreeSet<String> = keys(sign.text()).union(&keys(&name)).cloned().collect();
    let baseline: Vec<&Fact> = own(kb, subject, &FINDINGS, &ctx).into_iter().filter(|fact| keys(fact.text()).is_disjoint(&sign_words)).collect();
    let mut taken = vec![sign_words.clone()];
    let shown = pick(&mut rng, &baseline, 2, &mut taken);
    let normal_opts: Vec<Opt> = draw_normals(kb, subject, &ctx, &mut rng, 3).into_iter().filter(|opt| keys(&opt.text).is_disjoint(&sign_words)).take(1).collect();
    if shown.len() + normal_opts.len() < 2 {
        return None;
    }
    // Complications named by other body systems' complication signs.
    let class = kb.class_of(DX, subject);
    let mut seen = BTreeSet::from([name.clone()]);
    let names: Vec<(String, &Fact)> = kb
        .with_attribute(DX, "complication_sign")
        .into_iter()
        .filter(|fact| kb.class_of(DX, &fact.subject) != class)
        .filter_map(|fact| complication_name(fact).map(|other| (other, fact)))
        .filter(|(other, _)| !clash(kb, subject, other, &FIND_ALL) && keys(other).is_disjoint(&sign_words))
        .filter(|(other, _)| seen.insert(other.clone()))
        .collect();
    let chosen = rng.sample(&names, 3);
    if chosen.len() < 2 {
        return None;
    }
    let mut admission: Vec<String> = texts(&shown);
    admission.extend(normal_opts.iter().map(|opt| normalise(&opt.text)));
    let stem = format!(
        "The nurse is caring for {}. On admission the nurse documented {}. Today the nurse notes {}. Complete the following sentence by choosing from the lists of options.",
        who_with(&ctx, subject),
        list(&admission),
        normalise(sign.text())
    );
    let template = "The client is most likely developing {{1}}, as evidenced by {{2}}.".to_owned();
    let cause = SlotSpec {
        key: Opt::new(sentence(&name), format!("{} is the sign of {name}, a complication of {subject}.{}", sentence(sign.text()), cite_note(sign)), &[sign]),
        distractors: chosen
            .iter()
            .map(|(other, fact)| Opt::new(sentence(other), format!("{} is a complication of {} signalled by {}, which this client does not show.", sentence(other), fact.subject, normalise(fact.text())), &[*fact]))
            .collect(),
    };
    let mut evidence_distractors: Vec<Opt> = shown
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), format!("{} was present on admission and reflects {subject} itself, not {name}.", sentence(fact.text())), &[*fact]))
        .collect();
    evidence_distractors.extend(normal_opts);
    let effect = SlotSpec { key: key_opt(sign, format!("{} is the new finding that signals {name}.", sentence(sign.text()))), distractors: evidence_distractors };
    let rationale = format!("In a client with {subject}, the new finding of {} signals {name}.", normalise(sign.text()));
    Some(build::drag_drop_rationale(kb, meta, seed, stem, template, vec![cause, effect], rationale))
}
