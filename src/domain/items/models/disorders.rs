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

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::super::build::{self, MatrixRow, Meta, Opt, SlotSpec, sentence};
use super::super::rng::Rng;
use super::super::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use super::super::{ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use super::prose::{cite_note, serial_list, without_closing_parenthetical};
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

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    // recognize cues
    ModelSpec {
        id: "dx-expected-findings-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Asks which assessment findings the nurse should expect in a client with a named disorder. Keys: 2–3 of the disorder's `cue`/`vital_sign_cue`/`lab_cue` facts (population-appropriate, unconditioned). Distractors: findings of disorders of other body systems that share no content word or clinical synonym with anything recorded about the disorder, excluding broad findings (fever, fatigue, heart rate, breathing, confusion).",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: expected_findings_sata,
    },
    ModelSpec {
        id: "dx-findings-highlight",
        item_type: ItemType::Highlight,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "A nurse's note of 6–9 segments; the student highlights the findings that support the suspected disorder. Keys: 3–4 of the disorder's `cue`/`vital_sign_cue`/`lab_cue` facts. Other segments: normal findings (normal vital signs from `vital_signs` reference ranges, normal physical findings) chosen only when they touch nothing the disorder records, plus at most one finding of a disorder of another body system that shares no feature with this one.",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: findings_highlight,
    },
    ModelSpec {
        id: "dx-finding-consistent-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for each of 5–6 findings, the student marks whether it is consistent with the named disorder or not. Consistent rows: 2–3 of its `cue`/`vital_sign_cue`/`lab_cue` facts. Not-consistent rows: findings of disorders of other body systems that share no content word or clinical synonym with anything recorded about the disorder (broad findings excluded).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: finding_consistent_matrix,
    },
    ModelSpec {
        id: "dx-complication-sign-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Asks which finding indicates a named complication in a client with a disorder. Key: the disorder's `complication_sign` whose condition names that complication. Distractors: complication signs and unconditioned findings of disorders of other body systems that this client could have and that share no content word or synonym with the disorder's records or the complication's name.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: complication_sign_mc,
    },
    ModelSpec {
        id: "dx-lab-finding-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which laboratory finding the nurse should expect in a client with a disorder. Key: one of its text `lab_cue` facts. Distractors: laboratory cues of disorders of other body systems on analytes the disorder records nothing about (inflammatory markers, WBC and lactate excluded as too broad).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: lab_finding_mc,
    },
    // analyze cues
    ModelSpec {
        id: "dx-hypothesis-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Presents 2–3 findings and asks which condition they are most consistent with. Key: the disorder. Distractors: 3 disorders of the same body system that share the most features with it (competing hypotheses), never one that its facts name or that names it (a cause or complication is no competing explanation). The findings shown are only the disorder's cues that share no content word or synonym with anything any of the three competitors records, so each competitor is ruled out by the data.",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: hypothesis_mc,
    },
    ModelSpec {
        id: "dx-differentiate-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Matrix with three same-system disorders as columns (the subject and two competing hypotheses that share features with it); each of 4–6 finding rows belongs to exactly one of them. A row is used only when it shares no content word or synonym with anything the other two columns record.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: differentiate_matrix,
    },
    ModelSpec {
        id: "dx-hypothesis-triad-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Triad: \"The client is most likely experiencing {{1}} as evidenced by {{2}} and {{3}}.\" The stem lists two discriminating cues of the disorder and two normal findings. Slot 1: the disorder and 3 same-system competitors. Slots 2 and 3: one discriminating cue each; distractors are the normal findings from the stem and a cue of a competitor that the disorder does not record.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: hypothesis_triad_ddr,
    },
    ModelSpec {
        id: "dx-complication-dyad-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Dyad: \"The client is most likely developing {{1}}, as evidenced by {{2}}.\" The stem gives the disorder's admission cues and a new `complication_sign`. Slot 1: the complication that sign indicates (its condition); distractors are complications named by other body systems' complication signs that touch nothing recorded about the disorder and that this client could have (population fits; complications of pregnancy, childhood or psychiatric care only for such clients). Slot 2: the new sign; distractors are the admission cues from the stem (present, but evidence of the disorder itself, chosen to share no word or synonym with the sign) and a normal finding.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: complication_dyad_ddr,
    },
    // prioritize hypotheses
    ModelSpec {
        id: "dx-hypothesis-cloze",
        item_type: ItemType::DropDownCloze,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Drop-down cloze with a nurse's-note exhibit: \"The client is most likely experiencing {{1}} as evidenced by {{2}}.\" Exhibit: two discriminating cues of the disorder and two normal findings. Drop-down 1: the disorder and 3 same-system competitors. Drop-down 2: one discriminating cue; distractors are the normal findings in the note and a cue of a competitor that is not in the note.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: hypothesis_cloze,
    },
    ModelSpec {
        id: "dx-priority-problem-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Gives a client's disorder and findings and asks for the priority problem. Key: one of the disorder's `priority_problem` facts. Distractors: priority problems of disorders of other body systems that touch nothing recorded about the disorder and are never airway, breathing, circulation or fluid problems (which could outrank the key).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: priority_problem_mc,
    },
    ModelSpec {
        id: "dx-bow-tie",
        item_type: ItemType::BowTie,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Bow-tie from a stem of discriminating cues. Condition: the disorder with 3 same-system competitors. Actions: 2 of its `priority_intervention`/`intervention` facts; distractors are its own `avoid` actions and specific actions for disorders of other systems that touch nothing it records. Parameters: 2 of its `cue`/`vital_sign_cue`/`lab_cue`/`complication_sign` facts to monitor; distractors are findings of unrelated disorders.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: bow_tie,
    },
    // generate solutions
    ModelSpec {
        id: "dx-plan-interventions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which interventions belong in the plan of care for a disorder. Keys: 2–3 of its `priority_intervention`/`intervention` facts. Distractors: its own `avoid` (contraindicated) actions and specific actions for disorders of other body systems that share no word or synonym with anything it records (oxygen, fluids, antibiotics, analgesia and monitoring excluded as broadly applicable).",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: plan_interventions_sata,
    },
    ModelSpec {
        id: "dx-orders-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for each of 4–5 actions in a draft plan of care, the student marks it indicated or contraindicated for the disorder. Indicated rows: its `priority_intervention`/`intervention` facts. Contraindicated rows: its `avoid` facts. Both columns come from the disorder's own records only.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: orders_matrix,
    },
    ModelSpec {
        id: "dx-goals-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Asks which expected outcomes are appropriate goals for a client with a disorder. Keys: 2 of its text `expected_outcome` facts. Distractors: expected outcomes of disorders of other body systems that share no word or synonym with anything the disorder records (pain, temperature, vital-sign and infection outcomes excluded as broadly applicable).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: goals_sata,
    },
    ModelSpec {
        id: "dx-diagnostic-test-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which diagnostic test the nurse should anticipate to help confirm a suspected disorder. Key: one of its `diagnostic_test` facts. Distractors: diagnostic tests for disorders of other body systems that touch nothing recorded about it (chest x-ray, cultures, blood counts, blood gases, ECG, echocardiogram and urinalysis excluded as broadly ordered).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: diagnostic_test_mc,
    },
    ModelSpec {
        id: "dx-comfort-measure-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Asks which comfort measure (positioning, heat or cold, environment, skin care) is appropriate for a client with a disorder. Key: one of its interventions that is a comfort measure. Distractors: its own contraindicated comfort measures (`avoid`) first, then comfort measures for disorders of other body systems that share no word or synonym with anything it records.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: comfort_measure_mc,
    },
    // take action
    ModelSpec {
        id: "dx-comfort-avoid-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Asks which comfort measure the nurse should avoid for a client with a disorder. Key: one of its `avoid` facts that is a comfort measure (positioning, heat, cold, massage, cushions). Distractors: 3 of its own `priority_intervention`/`intervention` facts, all indicated.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: comfort_avoid_mc,
    },
    ModelSpec {
        id: "dx-first-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Gives a client's disorder and current findings and asks which action the nurse should take first. Key: one of its `priority_intervention` facts. Distractors: its own `avoid` actions and specific treatments of disorders of other body systems that share no word or synonym with anything it records; assessment, notification, oxygen, fluid, antibiotic and analgesic actions are never distractors since they could be argued first.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: first_action_mc,
    },
    ModelSpec {
        id: "dx-unsafe-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Asks which planned action is unsafe for a client with a disorder and should not be carried out. Key: one of its `avoid` facts that is not a comfort measure. Distractors: 3 of its own indicated `priority_intervention`/`intervention` facts.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: unsafe_action_mc,
    },
    ModelSpec {
        id: "dx-complication-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "A client with a disorder develops the findings of one of its complications that is itself a disorder in the knowledge base (for example DVT → pulmonary embolism); asks which action the nurse should take first. Key: a `priority_intervention` of the complication. Distractors: specific treatments of disorders of other body systems that touch nothing recorded about either disorder.",
        cases: Cases::Vetted {
            family: DX,
            variants: 3,
        },
        seeding: Seeding::Seed,
        generate: complication_action_mc,
    },
    ModelSpec {
        id: "dx-priority-actions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Gives a client's disorder and findings and asks which actions the nurse should take now. Keys: 2–3 of its `priority_intervention` facts. Distractors: its own `avoid` actions and specific treatments of disorders of other body systems that touch nothing it records (broad actions excluded).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: priority_actions_sata,
    },
    // evaluate outcomes
    ModelSpec {
        id: "dx-effective-outcome-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which finding indicates that treatment of a disorder is effective. Key: one of its text `expected_outcome` facts. Distractors: its `complication_sign` facts (worsening) and its own presenting cues (persisting disease), never cues worded as an absence or a normal finding or marked `lasting`.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: effective_outcome_mc,
    },
    ModelSpec {
        id: "dx-outcome-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Matrix of reassessment findings after treatment of a disorder: each is marked as showing the treatment is effective or not effective. Effective rows: 1–2 of its `expected_outcome` facts. Not-effective rows: its persisting presenting cues and its `complication_sign` facts; findings marked `lasting` (deformities from damage already done, diagnostic antibodies) are never used, since they stay when treatment works.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: outcome_matrix,
    },
    ModelSpec {
        id: "dx-improvement-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which findings show a client's disorder is improving with treatment. Keys: 2 or more of its text `expected_outcome` facts. Distractors: its persisting presenting cues (never `lasting` ones) and its `complication_sign` facts (worsening).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: improvement_sata,
    },
    ModelSpec {
        id: "dx-worsening-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "While evaluating treatment of a disorder, asks which finding requires immediate follow-up. Key: one of its `complication_sign` facts. Distractors: its own expected outcomes and expected outcomes of disorders of other body systems (improvement findings) that share no word or synonym with the sign.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: worsening_mc,
    },
    // unfolding case studies
    ModelSpec {
        id: "dx-unfolding-case-study",
        item_type: ItemType::CaseStudy,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Advanced,
        description: "Six-item unfolding case built from one disorder. Scenario: presenting complaint. 1 recognize cues (highlight a nurse's note of discriminating cues and normal findings), 2 analyze cues (MC: which condition, with 3 same-system competitors, after a new finding), 3 prioritize hypotheses (MC: priority problem, after the provider's note), 4 generate solutions (SATA: plan interventions vs its `avoid` and other-system actions, after a new finding), 5 take action (MC: first action, after new vital data), 6 evaluate outcomes (matrix: effective / not effective for the reassessment findings). Every item after the first has an exhibit of new data built from the disorder's facts.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: unfolding_case,
    },
    ModelSpec {
        id: "dx-complication-case-study",
        item_type: ItemType::CaseStudy,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Six-item unfolding case about a disorder and one of its complications. Scenario: presentation with cues and normal findings. 1 recognize cues (SATA: which findings require follow-up), 2 analyze cues (cloze: condition and evidence, after a new finding, with 3 same-system competitors), 3 prioritize hypotheses (MC: priority problem, after the provider's note), 4 generate solutions (matrix: indicated/contraindicated for the provider's orders, from its interventions and `avoid`), 5 take action (MC: first action, after a nurse's note; distractors are other-system treatments), 6 evaluate outcomes (dyad: the client is not responding and is developing the complication named by its `complication_sign`, with the admission cues as distractor evidence).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: complication_case,
    },
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
    for fact in kb.about(DX, subject) {
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

/// Same-class disorders ranked by how many features they share with `subject` (most first).
/// Whether any fact about `subject` names `other` (as a risk factor, cause or complication).
fn mentions(kb: &KnowledgeBase, subject: &str, other: &str) -> bool {
    kb.about(DX, subject)
        .any(|fact| fact.norm().contains(other))
}

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
    let class = kb.class_of(DX, &fact.subject).unwrap_or("another");
    format!(
        "{} is a finding of {} ({class}), not of {subject}.",
        sentence(fact.text()),
        fact.subject
    )
}

fn action_of(kb: &KnowledgeBase, fact: &Fact, subject: &str) -> String {
    let class = kb.class_of(DX, &fact.subject).unwrap_or("another");
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

// ---------------------------------------------------------------------------------------------
// Recognize cues
// ---------------------------------------------------------------------------------------------

/// "Which findings should the nurse expect in a client with X? Select all that apply."
fn expected_findings_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let keys_wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, keys_wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let pool = foreign(
        kb,
        subject,
        &FINDINGS,
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
    let total = 5 + rng.below(2);
    let distractors = pick(&mut rng, &pool, total - keys_chosen.len(), &mut taken);
    if distractors.len() < total - keys_chosen.len() {
        return None;
    }
    let stem = match case.variant {
        0 => format!(
            "The nurse admits {}. Which findings should the nurse expect to assess? Select all that apply.",
            who_with(&ctx, subject)
        ),
        _ => format!(
            "The nurse reviews the assessment of {}. Which findings are consistent with this condition? Select all that apply.",
            who_with(&ctx, subject)
        ),
    };
    let keys_opts = keys_chosen
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is a recognised finding of {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), finding_of(kb, fact, subject), &[*fact]))
        .collect();
    let rationale = format!(
        "{} typically presents with {}. The other findings belong to disorders of other body systems.",
        sentence(subject),
        serial_list(&texts(&keys_chosen))
    );
    Some(build::multiple_response(
        kb,
        meta,
        seed,
        stem,
        keys_opts,
        distractor_opts,
        rationale,
    ))
}

/// A nurse's note: highlight the findings that support the suspected disorder.
fn findings_highlight(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let wanted = 3 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, wanted, &mut taken);
    if keys_chosen.len() < 3 {
        return None;
    }
    let normal_count = 2 + rng.below(2);
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, normal_count);
    let pool = foreign(
        kb,
        subject,
        &["cue"],
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
    let foreign_count = usize::from(case.variant == 1 || normal_opts.len() < 2);
    let unrelated = pick(&mut rng, &pool, foreign_count, &mut taken);
    let mut segments: Vec<(bool, Opt)> = keys_chosen
        .iter()
        .map(|fact| {
            (
                true,
                key_opt(
                    fact,
                    format!("{} is a finding of {subject}.", sentence(fact.text())),
                ),
            )
        })
        .collect();
    segments.extend(normal_opts.into_iter().map(|opt| (false, opt)));
    segments.extend(unrelated.iter().map(|fact| {
        (
            false,
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} Although it needs its own follow-up, it does not support {subject}.",
                    finding_of(kb, fact, subject)
                ),
                &[*fact],
            ),
        )
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
        serial_list(&texts(&keys_chosen))
    );
    Some(build::highlight(kb, meta, seed, stem, segments, rationale))
}

/// For each finding: consistent / not consistent with the disorder.
fn finding_consistent_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let pool = foreign(
        kb,
        subject,
        &FINDINGS,
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
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
            rationale: format!(
                "{} is a finding of {subject}.{}",
                sentence(fact.text()),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(others.iter().map(|fact| MatrixRow {
        text: clean(fact.text()),
        column: 1,
        rationale: finding_of(kb, fact, subject),
        facts: vec![fact.id.clone()],
    }));
    let stem = format!(
        "The nurse is caring for {}. For each finding, indicate whether it is consistent or not consistent with {subject}.",
        who_with(&ctx, subject)
    );
    let rationale = format!(
        "{} is consistent with {}; the other findings point to disorders of other body systems.",
        serial_list(&texts(&keys_chosen)),
        subject
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &["Consistent", "Not consistent"],
        rows,
        rationale,
    ))
}

/// "The nurse monitors a client with X for <complication>. Which finding indicates it?"
fn complication_sign_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let signs = complication_signs(kb, subject, &ctx);
    let (sign, name) = rng.pick(&signs)?.clone();
    let mut clash_with: Vec<&str> = FIND_ALL.to_vec();
    clash_with.push("intervention");
    let pool: Vec<&Fact> = foreign(
        kb,
        subject,
        &["complication_sign", "cue", "vital_sign_cue"],
        &clash_with,
        &BROAD_FINDING,
        true,
        true,
        &ctx,
    )
    .into_iter()
    .filter(|fact| keys(fact.text()).is_disjoint(&keys(&name)))
    // A cue recorded for a setting ("postpartum", "in pregnancy") belongs to that client, not
    // to this one; only complication signs name their complication in `condition`.
    .filter(|fact| fact.attribute == "complication_sign" || fact.condition.trim().is_empty())
    .filter(|fact| could_happen_to(kb, fact, &ctx))
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
    let key = key_opt(
        sign,
        format!(
            "{} signals {name} in a client with {subject}.",
            sentence(sign.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            let what = if fact.condition.trim().is_empty() {
                fact.subject.clone()
            } else {
                format!("{} in {}", normalise(&fact.condition), fact.subject)
            };
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is a sign of {what}, not of {name}.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "{} is a complication of {subject}; {} is its warning sign and needs prompt reporting.",
        sentence(&name),
        low(sign.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key,
        distractor_opts,
        rationale,
    ))
}

/// "Which laboratory finding should the nurse expect in a client with X?"
fn lab_finding_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let labs = own(kb, subject, &["lab_cue"], &ctx);
    let key = *rng.pick(&labs)?;
    let broad = ["wbc", "white", "lacta", "react", "sedim", "esr"];
    let pool = foreign(
        kb,
        subject,
        &["lab_cue"],
        &FIND_ALL,
        &broad,
        true,
        false,
        &ctx,
    );
    let mut taken = vec![keys(key.text())];
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse reviews the laboratory results of {}. Which result should the nurse expect?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is an expected laboratory finding in {subject}.",
            sentence(key.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), finding_of(kb, fact, subject), &[*fact]))
        .collect();
    let rationale = format!("In {subject} the nurse expects {}.", low(key.text()));
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Analyze cues
// ---------------------------------------------------------------------------------------------

/// "The client has A, B, and C. These findings are most consistent with which condition?"
fn hypothesis_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let wanted = 2 + rng.below(2);
    let shown = pick(&mut rng, &cues, wanted, &mut taken);
    if shown.len() < 2 {
        return None;
    }
    let evidence = serial_list(&texts(&shown));
    let stem = match case.variant {
        0 => format!(
            "The nurse assesses {} who has {evidence}. These findings are most consistent with which condition?",
            ctx.who
        ),
        _ => format!(
            "{} presents with {evidence}. Which condition should the nurse suspect?",
            sentence(ctx.who)
        ),
    };
    let key = Opt::new(
        sentence(subject),
        format!("{} together point to {subject}.", sentence(&evidence)),
        &shown,
    );
    let distractors = competitors
        .iter()
        .map(|rival| {
            let cue = rival_cue(kb, rival, subject);
            let facts: Vec<&Fact> = cue.into_iter().collect();
            Opt::new(
                sentence(rival),
                rival_rationale(kb, rival, subject, &evidence),
                &facts,
            )
        })
        .collect();
    let rationale = format!(
        "{} is the hypothesis that explains {evidence}; the competing conditions of the same body system do not produce these findings.",
        sentence(subject)
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Three same-system disorders as columns; each finding belongs to exactly one.
fn differentiate_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let close: Vec<String> = rivals(kb, subject).into_iter().take(4).collect();
    let pair = rng.sample_exactly(&close, 2)?;
    let columns = [subject.to_owned(), pair[0].clone(), pair[1].clone()];
    let mut taken = Vec::new();
    let mut rows = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        let column_ctx = ctx(kb, column);
        let unique: Vec<&Fact> = own(kb, column, &FINDINGS, &column_ctx)
            .into_iter()
            .filter(|fact| {
                columns
                    .iter()
                    .filter(|other| *other != column)
                    .all(|other| !clash(kb, other, fact.text(), &FIND_ALL))
            })
            .collect();
        let count = if index == 0 { 2 } else { 1 + rng.below(2) };
        for fact in pick(&mut rng, &unique, count, &mut taken) {
            rows.push(MatrixRow {
                text: clean(fact.text()),
                column: index,
                rationale: format!(
                    "{} is a finding of {column} and not of the other two conditions.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
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
        kb.class_of(DX, subject)
            .unwrap_or("related")
            .replace('_', " ")
    );
    let headers: Vec<String> = columns.iter().map(|column| sentence(column)).collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rationale = format!(
        "{}, {} and {} share some features, but each finding here is recorded for only one of them.",
        sentence(subject),
        columns[1],
        columns[2]
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &header_refs,
        rows,
        rationale,
    ))
}

/// Triad: condition, and two pieces of evidence from the stem.
fn hypothesis_triad_ddr(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let shown = pick(&mut rng, &cues, 2, &mut taken);
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, 2);
    if shown.len() < 2 || normal_opts.len() < 2 {
        return None;
    }
    let rival_pool: Vec<&Fact> = competitors
        .iter()
        .flat_map(|rival| own(kb, rival, &FINDINGS, &ctx_for(kb, rival)))
        .filter(|fact| !clash(kb, subject, fact.text(), &FIND_ALL))
        .collect();
    let rival_cues = pick(&mut rng, &rival_pool, 2, &mut taken);
    if rival_cues.len() < 2 {
        return None;
    }
    let mut findings: Vec<String> = texts(&shown);
    findings.extend(normal_opts.iter().map(|opt| lower_first(&opt.text)));
    rng.shuffle(&mut findings);
    let stem = format!(
        "The nurse assesses {} and documents {}. Complete the following sentence by choosing from the lists of options.",
        ctx.who,
        serial_list(&findings)
    );
    let template =
        "The client is most likely experiencing {{1}} as evidenced by {{2}} and {{3}}.".to_owned();
    let condition = SlotSpec {
        key: Opt::new(
            sentence(subject),
            format!(
                "{} is explained by {subject}.",
                sentence(&serial_list(&texts(&shown)))
            ),
            &shown,
        ),
        distractors: competitors
            .iter()
            .map(|rival| {
                Opt::new(
                    sentence(rival),
                    rival_rationale(kb, rival, subject, &serial_list(&texts(&shown))),
                    &rival_cue(kb, rival, subject)
                        .into_iter()
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let evidence = |index: usize| SlotSpec {
        key: key_opt(
            shown[index],
            format!(
                "{} is a finding of {subject} documented for this client.",
                sentence(shown[index].text())
            ),
        ),
        distractors: vec![
            normal_opts[index].clone(),
            Opt::new(
                clean(rival_cues[index].text()),
                format!(
                    "{} It was not documented for this client.",
                    finding_of(kb, rival_cues[index], subject)
                ),
                &[rival_cues[index]],
            ),
        ],
    };
    let specs = vec![condition, evidence(0), evidence(1)];
    let rationale = format!(
        "{} and {} are findings of {subject}; the normal findings do not support any condition.",
        sentence(shown[0].text()),
        low(shown[1].text())
    );
    Some(build::drag_drop_rationale(
        kb, meta, seed, stem, template, specs, rationale,
    ))
}

/// Dyad: a complication of the disorder and the new sign that reveals it.
fn complication_dyad_ddr(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let signs = complication_signs(kb, subject, &ctx);
    let (sign, name) = rng.pick(&signs)?.clone();
    let sign_words: BTreeSet<String> = keys(sign.text()).union(&keys(&name)).cloned().collect();
    let baseline: Vec<&Fact> = own(kb, subject, &FINDINGS, &ctx)
        .into_iter()
        .filter(|fact| keys(fact.text()).is_disjoint(&sign_words))
        .collect();
    let mut taken = vec![sign_words.clone()];
    let shown = pick(&mut rng, &baseline, 2, &mut taken);
    let normal_opts: Vec<Opt> = draw_normals(kb, subject, &ctx, &mut rng, 3)
        .into_iter()
        .filter(|opt| keys(&opt.text).is_disjoint(&sign_words))
        .take(1)
        .collect();
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
        .filter(|fact| could_happen_to(kb, fact, &ctx))
        .filter_map(|fact| complication_name(fact).map(|other| (other, fact)))
        .filter(|(other, _)| {
            !clash(kb, subject, other, &FIND_ALL) && keys(other).is_disjoint(&sign_words)
        })
        .filter(|(other, _)| seen.insert(other.clone()))
        .collect();
    let chosen = rng.sample(&names, 3);
    if chosen.len() < 2 {
        return None;
    }
    let mut admission: Vec<String> = texts(&shown);
    admission.extend(normal_opts.iter().map(|opt| lower_first(&opt.text)));
    let stem = format!(
        "The nurse is caring for {}. On admission the nurse documented {}. Today the nurse notes {}. Complete the following sentence by choosing from the lists of options.",
        who_with(&ctx, subject),
        serial_list(&admission),
        low(sign.text())
    );
    let template = "The client is most likely developing {{1}}, as evidenced by {{2}}.".to_owned();
    let cause = SlotSpec {
        key: Opt::new(sentence(&name), format!("{} is the sign of {name}, a complication of {subject}.{}", sentence(sign.text()), cite_note(sign)), &[sign]),
        distractors: chosen
            .iter()
            .map(|(other, fact)| Opt::new(sentence(other), format!("{} is a complication of {} signalled by {}, which this client does not show.", sentence(other), fact.subject, low(fact.text())), &[*fact]))
            .collect(),
    };
    let mut evidence_distractors: Vec<Opt> = shown
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} was present on admission and reflects {subject} itself, not {name}.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    evidence_distractors.extend(normal_opts);
    let effect = SlotSpec {
        key: key_opt(
            sign,
            format!(
                "{} is the new finding that signals {name}.",
                sentence(sign.text())
            ),
        ),
        distractors: evidence_distractors,
    };
    let rationale = format!(
        "In a client with {subject}, the new finding of {} signals {name}.",
        low(sign.text())
    );
    Some(build::drag_drop_rationale(
        kb,
        meta,
        seed,
        stem,
        template,
        vec![cause, effect],
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Prioritize hypotheses
// ---------------------------------------------------------------------------------------------

/// Drop-down cloze with a nurse's note: the condition and one piece of evidence.
fn hypothesis_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let shown = pick(&mut rng, &cues, 2, &mut taken);
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, 2);
    if shown.len() < 2 || normal_opts.is_empty() {
        return None;
    }
    let rival_pool: Vec<&Fact> = competitors
        .iter()
        .flat_map(|rival| own(kb, rival, &FINDINGS, &ctx_for(kb, rival)))
        .filter(|fact| !clash(kb, subject, fact.text(), &FIND_ALL))
        .collect();
    let rival_cues = pick(&mut rng, &rival_pool, 3 - normal_opts.len(), &mut taken);
    if rival_cues.len() + normal_opts.len() < 3 {
        return None;
    }
    let mut note: Vec<String> = shown.iter().map(|fact| clean(fact.text())).collect();
    note.extend(normal_opts.iter().map(|opt| opt.text.clone()));
    rng.shuffle(&mut note);
    let exhibit = format!("Nurse's note: {}.", note.join(". "));
    let stem = format!(
        "The nurse reviews the note for {} admitted with a new problem. Complete the following sentence by choosing from the lists of options.",
        ctx.who
    );
    let key_index = rng.below(2);
    let key = shown[key_index];
    let template = "The client is most likely experiencing {{1}} as evidenced by {{2}}.".to_owned();
    let evidence = serial_list(&texts(&shown));
    let condition = SlotSpec {
        key: Opt::new(
            sentence(subject),
            format!("{} in the note point to {subject}.", sentence(&evidence)),
            &shown,
        ),
        distractors: competitors
            .iter()
            .map(|rival| {
                Opt::new(
                    sentence(rival),
                    rival_rationale(kb, rival, subject, &evidence),
                    &rival_cue(kb, rival, subject)
                        .into_iter()
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let mut evidence_distractors = normal_opts;
    evidence_distractors.extend(rival_cues.iter().map(|fact| {
        Opt::new(
            clean(fact.text()),
            format!(
                "{} It is not in the nurse's note.",
                finding_of(kb, fact, subject)
            ),
            &[*fact],
        )
    }));
    let proof = SlotSpec {
        key: key_opt(
            key,
            format!(
                "{} is in the note and is a finding of {subject}.",
                sentence(key.text())
            ),
        ),
        distractors: evidence_distractors,
    };
    let rationale = format!(
        "The note shows {evidence}, which fit {subject} and none of the competing conditions."
    );
    let mut item = build::drop_down_cloze(
        kb,
        meta,
        seed,
        stem,
        template,
        vec![condition, proof],
        rationale,
    );
    item.exhibit = Some(exhibit);
    Some(item)
}

/// The priority problem for a client with the disorder.
fn priority_problem_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let problems = own(kb, subject, &["priority_problem"], &ctx);
    let key = *rng.pick(&problems)?;
    let findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = vec![keys(key.text())];
    let shown = pick(&mut rng, &findings, 2, &mut taken);
    if shown.is_empty() {
        return None;
    }
    let pool = rival_problems(kb, subject, &ctx);
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse plans care for {} who has {}. Which problem is the nurse's priority?",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is the priority problem in {subject}, shown here by {}.",
            sentence(key.text()),
            serial_list(&texts(&shown))
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), format!("{} is a priority problem in {}; nothing in this client's findings supports it.", sentence(fact.text()), fact.subject), &[*fact]))
        .collect();
    let rationale = format!(
        "For a client with {subject}, {} comes first; the other problems are not supported by the findings.",
        low(key.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

/// Bow-tie: condition, two actions, two parameters.
fn bow_tie(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let shown = pick(&mut rng, &cues, 2, &mut taken);
    if shown.len() < 2 {
        return None;
    }
    let evidence = serial_list(&texts(&shown));
    // Actions.
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let mut action_taken = Vec::new();
    let action_keys = pick(&mut rng, &actions, 2, &mut action_taken);
    if action_keys.len() < 2 {
        return None;
    }
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let avoid_chosen = pick(&mut rng, &avoid, 1, &mut action_taken);
    let other_actions = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(
        &mut rng,
        &other_actions,
        3 - avoid_chosen.len(),
        &mut action_taken,
    );
    if avoid_chosen.len() + other_chosen.len() < 3 {
        return None;
    }
    // Parameters to monitor.
    let mut parameter_pool = own(kb, subject, &FINDINGS, &ctx);
    // Findings about onset or history are not parameters one can monitor.
    parameter_pool.retain(|fact| {
        !["onset", "history", "at birth", "older children"]
            .iter()
            .any(|word| fact.text().contains(word))
    });
    parameter_pool.extend(
        complication_signs(kb, subject, &ctx)
            .into_iter()
            .map(|(fact, _)| fact),
    );
    let fresh: Vec<&Fact> = parameter_pool
        .iter()
        .copied()
        .filter(|fact| !shown.iter().any(|seen| seen.id == fact.id))
        .collect();
    let mut parameter_taken = Vec::new();
    let mut parameter_keys = pick(&mut rng, &fresh, 2, &mut parameter_taken);
    if parameter_keys.len() < 2 {
        parameter_keys.extend(pick(
            &mut rng,
            &parameter_pool,
            2 - parameter_keys.len(),
            &mut parameter_taken,
        ));
    }
    if parameter_keys.len() < 2 {
        return None;
    }
    let unrelated = foreign(
        kb,
        subject,
        &FINDINGS,
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
    let parameter_distractors = pick(&mut rng, &unrelated, 3, &mut parameter_taken);
    if parameter_distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "{} has {evidence}. Complete the diagram by selecting the condition the client is most likely experiencing, 2 actions the nurse should take, and 2 parameters the nurse should monitor.",
        sentence(ctx.who)
    );
    let condition = SlotSpec {
        key: Opt::new(
            sentence(subject),
            format!("{} point to {subject}.", sentence(&evidence)),
            &shown,
        ),
        distractors: competitors
            .iter()
            .map(|rival| {
                Opt::new(
                    sentence(rival),
                    rival_rationale(kb, rival, subject, &evidence),
                    &rival_cue(kb, rival, subject)
                        .into_iter()
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let action_key_opts: Vec<Opt> = action_keys
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!("{} is indicated in {subject}.", sentence(fact.text())),
            )
        })
        .collect();
    let mut action_distractors: Vec<Opt> = avoid_chosen
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    action_distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let parameter_key_opts: Vec<Opt> = parameter_keys
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} tracks the course of {subject} and its complications.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let parameter_distractor_opts: Vec<Opt> = parameter_distractors
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} It is not a parameter to monitor here.",
                    finding_of(kb, fact, subject)
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "The findings indicate {subject}. The nurse should {} and {}, and monitor {} and {}.",
        low(action_keys[0].text()),
        low(action_keys[1].text()),
        low(parameter_keys[0].text()),
        low(parameter_keys[1].text())
    );
    Some(build::bow_tie(
        kb,
        meta,
        seed,
        stem,
        condition,
        (action_key_opts, action_distractors),
        (parameter_key_opts, parameter_distractor_opts),
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Generate solutions
// ---------------------------------------------------------------------------------------------

/// "Which interventions should the nurse include in the plan of care? Select all that apply."
fn plan_interventions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let mut taken = Vec::new();
    let wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &actions, wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let total = 5 + rng.below(2);
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let avoid_chosen = pick(
        &mut rng,
        &avoid,
        2.min(total - keys_chosen.len()),
        &mut taken,
    );
    let others = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(
        &mut rng,
        &others,
        total - keys_chosen.len() - avoid_chosen.len(),
        &mut taken,
    );
    if keys_chosen.len() + avoid_chosen.len() + other_chosen.len() < total {
        return None;
    }
    let stem = match case.variant {
        0 => format!(
            "The nurse develops the plan of care for {}. Which interventions should the nurse include? Select all that apply.",
            who_with(&ctx, subject)
        ),
        _ => format!(
            "Which nursing actions are appropriate for {}? Select all that apply.",
            who_with(&ctx, subject)
        ),
    };
    let key_opts = keys_chosen
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is part of the care of {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let mut distractors: Vec<Opt> = avoid_chosen
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let rationale = format!(
        "Care of {subject} includes: {}.",
        serial_list(&texts(&keys_chosen))
    );
    Some(build::multiple_response(
        kb,
        meta,
        seed,
        stem,
        key_opts,
        distractors,
        rationale,
    ))
}

/// For each planned action: indicated or contraindicated.
fn orders_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let mut taken = Vec::new();
    let bad_count = 1 + rng.below(2);
    let bad = pick(&mut rng, &avoid, bad_count, &mut taken);
    let good = pick(&mut rng, &actions, 5 - bad.len(), &mut taken);
    if bad.is_empty() || good.len() < 2 || good.len() + bad.len() < 4 {
        return None;
    }
    let mut rows: Vec<MatrixRow> = good
        .iter()
        .map(|fact| MatrixRow {
            text: clean(fact.text()),
            column: 0,
            rationale: format!(
                "{} is indicated in {subject}.{}",
                sentence(fact.text()),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(bad.iter().map(|fact| MatrixRow {
        text: clean(fact.text()),
        column: 1,
        rationale: format!(
            "{} is contraindicated in {subject}.{}",
            sentence(fact.text()),
            cite_note(fact)
        ),
        facts: vec![fact.id.clone()],
    }));
    let stem = format!(
        "The nurse reviews a draft plan of care for {}. For each action, indicate whether it is indicated or contraindicated.",
        who_with(&ctx, subject)
    );
    let rationale = format!(
        "In {subject} the nurse should not {}.",
        serial_list(&texts(&bad))
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &["Indicated", "Contraindicated"],
        rows,
        rationale,
    ))
}

/// "Which goals are appropriate for a client with X? Select all that apply."
fn goals_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let goals = outcomes(kb, subject, &ctx);
    let mut taken = Vec::new();
    let keys_chosen = pick(&mut rng, &goals, 2, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let mut clash_with: Vec<&str> = FIND_ALL.to_vec();
    clash_with.extend(ACT_ALL);
    let broad = [
        "pain", "temp", "vital", "stabl", "infec", "sympt", "resol", "heart", "resp", "bleed",
        "mental", "flare", "weight",
    ];
    let pool = foreign(
        kb,
        subject,
        &["expected_outcome"],
        &clash_with,
        &broad,
        true,
        false,
        &ctx,
    );
    let count = 3 + rng.below(2);
    let distractors = pick(&mut rng, &pool, count, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse writes expected outcomes for {}. Which outcomes are appropriate? Select all that apply.",
        who_with(&ctx, subject)
    );
    let key_opts = keys_chosen
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is an expected outcome of care in {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is an outcome for {}; it does not measure the problems of {subject}.",
                    sentence(fact.text()),
                    fact.subject
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "Outcomes for {subject} measure its own problems: {}.",
        serial_list(&texts(&keys_chosen))
    );
    Some(build::multiple_response(
        kb,
        meta,
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

/// "Which diagnostic test should the nurse anticipate to help confirm X?"
fn diagnostic_test_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let tests = own(kb, subject, &["diagnostic_test"], &ctx);
    let key = *rng.pick(&tests)?;
    let mut clash_with: Vec<&str> = FIND_ALL.to_vec();
    clash_with.extend(ACT_ALL);
    let broad = [
        "chest", "cultu", "compl", "blood", "arter", "gases", "elect", "echoc", "urina", "ultra",
        "abdom", "head", "liver", "coagu", "serum",
    ];
    let pool = foreign(
        kb,
        subject,
        &["diagnostic_test"],
        &clash_with,
        &broad,
        true,
        false,
        &ctx,
    );
    let mut taken = vec![keys(key.text())];
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The provider suspects that {} has {subject}. Which diagnostic test should the nurse anticipate?",
        ctx.who
    );
    let key_option = key_opt(
        key,
        format!("{} is used to diagnose {subject}.", sentence(key.text())),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is used to diagnose {}, not {subject}.",
                    sentence(fact.text()),
                    fact.subject
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!("{} helps confirm {subject}.", sentence(key.text()));
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

/// "Which comfort measure is appropriate for a client with X?"
fn comfort_measure_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let measures: Vec<&Fact> = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    )
    .into_iter()
    .filter(|fact| comfort(fact.text()))
    .collect();
    let key = *rng.pick(&measures)?;
    let mut taken = vec![keys(key.text())];
    let avoid: Vec<&Fact> = own(kb, subject, &["avoid"], &ctx)
        .into_iter()
        .filter(|fact| comfort(fact.text()))
        .collect();
    let bad = pick(&mut rng, &avoid, 2, &mut taken);
    let others: Vec<&Fact> = foreign_actions(kb, subject, &ctx)
        .into_iter()
        .filter(|fact| comfort(fact.text()))
        .collect();
    let other_chosen = pick(&mut rng, &others, 3 - bad.len(), &mut taken);
    if bad.len() + other_chosen.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse plans comfort care for {}. Which measure is appropriate?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        key,
        format!(
            "{} promotes comfort and safety in {subject}.",
            sentence(key.text())
        ),
    );
    let mut distractors: Vec<Opt> = bad
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let rationale = format!(
        "For {subject}, the appropriate comfort measure is to {}.",
        low(key.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Take action
// ---------------------------------------------------------------------------------------------

/// "Which comfort measure should the nurse avoid for a client with X?"
fn comfort_avoid_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let avoid: Vec<&Fact> = own(kb, subject, &["avoid"], &ctx)
        .into_iter()
        .filter(|fact| comfort(fact.text()))
        .collect();
    avoid_from_own(kb, meta, seed, &mut rng, subject, &ctx, &avoid, true)
}

/// "Which action should the nurse avoid for a client with X?" (non-comfort `avoid` facts)
fn unsafe_action_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let avoid: Vec<&Fact> = own(kb, subject, &["avoid"], &ctx)
        .into_iter()
        .filter(|fact| !comfort(fact.text()))
        .collect();
    avoid_from_own(kb, meta, seed, &mut rng, subject, &ctx, &avoid, false)
}

#[allow(clippy::too_many_arguments)]
fn avoid_from_own(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    rng: &mut Rng,
    subject: &str,
    ctx: &Ctx,
    avoid: &[&Fact],
    comfort_frame: bool,
) -> Option<Item> {
    let key = *rng.pick(avoid)?;
    let actions = own(kb, subject, &["priority_intervention", "intervention"], ctx);
    let mut taken = vec![keys(key.text())];
    let distractors = pick(rng, &actions, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = if comfort_frame {
        format!(
            "The nurse plans comfort measures for {}. Which measure should the nurse avoid?",
            who_with(ctx, subject)
        )
    } else {
        format!(
            "The nurse reviews the plan of care for {}. Which action would be unsafe for this client?",
            who_with(ctx, subject)
        )
    };
    let key_option = key_opt(
        key,
        format!("{} is contraindicated in {subject}.", sentence(key.text())),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is indicated in {subject}, so it is safe.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let rationale = format!(
        "The nurse should not {} for a client with {subject}.{}",
        low(key.text()),
        cite_note(key)
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

/// "Which action should the nurse take first?"
fn first_action_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let key = *rng.pick(&priorities)?;
    let findings = own(kb, subject, &FINDINGS, &ctx);
    let mut seen_taken = Vec::new();
    let shown = pick(&mut rng, &findings, 2, &mut seen_taken);
    if shown.is_empty() {
        return None;
    }
    // Other priority interventions of the subject must not sit beside the key as "wrong".
    let mut taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let bad = pick(&mut rng, &avoid, 1, &mut taken);
    let others = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(&mut rng, &others, 3 - bad.len(), &mut taken);
    if bad.len() + other_chosen.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse is caring for {} who has {}. Which action should the nurse take first?",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is the priority action in {subject}.",
            sentence(key.text())
        ),
    );
    let mut distractors: Vec<Opt> = bad
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let rationale = format!("In {subject}, the nurse should first {}.", low(key.text()));
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractors,
        rationale,
    ))
}

/// The subject's complications that are themselves disorders in the knowledge base.
fn complication_subjects(kb: &KnowledgeBase, subject: &str) -> Vec<String> {
    let known: BTreeSet<String> = kb.subjects(DX).iter().map(|name| normalise(name)).collect();
    kb.values(DX, subject, "complication")
        .into_iter()
        .map(|fact| fact.norm().to_owned())
        .filter(|name| known.contains(name) && name != subject)
        .collect()
}

/// A client with X develops complication Y: which action first?
fn complication_action_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let complications = complication_subjects(kb, subject);
    let complication = complications.get(case.variant as usize)?.clone();
    let ctx = ctx(kb, subject);
    let complication_ctx = ctx_for(kb, &complication);
    let priorities = own(
        kb,
        &complication,
        &["priority_intervention"],
        &complication_ctx,
    );
    let key = *rng.pick(&priorities)?;
    let findings = own(kb, &complication, &FINDINGS, &complication_ctx);
    let mut seen_taken = Vec::new();
    let shown_count = 2 + rng.below(2);
    let shown = pick(&mut rng, &findings, shown_count, &mut seen_taken);
    if shown.len() < 2 {
        return None;
    }
    let mut taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    let pool: Vec<&Fact> = foreign_actions(kb, subject, &ctx)
        .into_iter()
        .filter(|fact| kb.class_of(DX, &fact.subject) != kb.class_of(DX, &complication))
        .filter(|fact| {
            let mut clash_with: Vec<&str> = ACT_ALL.to_vec();
            clash_with.extend(FIND_ALL);
            !clash(kb, &complication, fact.text(), &clash_with)
        })
        .collect();
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse is caring for {}. The client suddenly develops {}. Which action should the nurse take first?",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_option = key_opt(
        key,
        format!(
            "The new findings indicate {complication}; the priority action is to {}.",
            low(key.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                action_of(kb, fact, &complication),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "{} is a complication of {subject}; {} signal it and call for the nurse to {}.",
        sentence(&complication),
        serial_list(&texts(&shown)),
        low(key.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

fn ctx_for(kb: &KnowledgeBase, subject: &str) -> Ctx {
    ctx(kb, subject)
}

/// "Which actions should the nurse take now? Select all that apply."
fn priority_actions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let mut taken = Vec::new();
    let keys_chosen = pick(&mut rng, &priorities, 3, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let findings = own(kb, subject, &FINDINGS, &ctx);
    let mut seen_taken = Vec::new();
    let shown = pick(&mut rng, &findings, 2, &mut seen_taken);
    if shown.is_empty() {
        return None;
    }
    // Lower-priority interventions of the subject are neither keys nor distractors.
    taken.extend(
        own(kb, subject, &["intervention"], &ctx)
            .iter()
            .map(|fact| keys(fact.text())),
    );
    let total = 5 + rng.below(2);
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let bad = pick(
        &mut rng,
        &avoid,
        2.min(total - keys_chosen.len()),
        &mut taken,
    );
    let others = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(
        &mut rng,
        &others,
        total - keys_chosen.len() - bad.len(),
        &mut taken,
    );
    if keys_chosen.len() + bad.len() + other_chosen.len() < total {
        return None;
    }
    let stem = format!(
        "The nurse is caring for {} who has {}. Which actions should the nurse take now? Select all that apply.",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_opts = keys_chosen
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is a priority action in {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let mut distractors: Vec<Opt> = bad
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let rationale = format!(
        "Priority actions in {subject}: {}.",
        serial_list(&texts(&keys_chosen))
    );
    Some(build::multiple_response(
        kb,
        meta,
        seed,
        stem,
        key_opts,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Evaluate outcomes
// ---------------------------------------------------------------------------------------------

/// Findings that show treatment is not working: complication signs first, then persisting cues.
fn not_effective<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    ctx: &Ctx,
    against: &[&Fact],
) -> (Vec<&'a Fact>, Vec<&'a Fact>) {
    let against_words: BTreeSet<String> =
        against.iter().flat_map(|fact| keys(fact.text())).collect();
    let signs: Vec<&Fact> = complication_signs(kb, subject, ctx)
        .into_iter()
        .map(|(fact, _)| fact)
        .filter(|fact| keys(fact.text()).is_disjoint(&against_words))
        .collect();
    (signs, persisting(kb, subject, ctx, against))
}

fn worse_rationale(fact: &Fact, subject: &str) -> String {
    if fact.attribute == "complication_sign" {
        format!(
            "{} signals {}, a worsening of {subject}.",
            sentence(fact.text()),
            normalise(&fact.condition)
        )
    } else {
        format!(
            "{} is a presenting finding of {subject}; if it persists, treatment has not yet been effective.",
            sentence(fact.text())
        )
    }
}

/// "Which finding indicates that treatment has been effective?"
fn effective_outcome_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let goals = outcomes(kb, subject, &ctx);
    let key = *rng.pick(&goals)?;
    let (signs, cues) = not_effective(kb, subject, &ctx, &goals);
    let mut taken = vec![keys(key.text())];
    let mut distractors = pick(&mut rng, &signs, 1, &mut taken);
    distractors.extend(pick(&mut rng, &cues, 3 - distractors.len(), &mut taken));
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse evaluates the response to treatment of {}. Which finding indicates that the treatment is effective?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is an expected outcome of effective treatment of {subject}.",
            sentence(key.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), worse_rationale(fact, subject), &[*fact]))
        .collect();
    let rationale = format!(
        "Effective treatment of {subject} is shown by {}.",
        low(key.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

fn outcome_rows<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    ctx: &Ctx,
    rng: &mut Rng,
) -> Option<(Vec<MatrixRow>, Vec<&'a Fact>, Vec<&'a Fact>)> {
    let goals = outcomes(kb, subject, ctx);
    let mut taken = Vec::new();
    let wanted = 1 + rng.below(2);
    let good = pick(rng, &goals, wanted, &mut taken);
    if good.is_empty() {
        return None;
    }
    let (signs, cues) = not_effective(kb, subject, ctx, &goals);
    let mut bad = pick(rng, &signs, 1, &mut taken);
    let more = 4 - good.len() - bad.len() + rng.below(2);
    bad.extend(pick(rng, &cues, more, &mut taken));
    if bad.len() < 2 || good.len() + bad.len() < 3 {
        return None;
    }
    let mut rows: Vec<MatrixRow> = good
        .iter()
        .map(|fact| MatrixRow {
            text: clean(fact.text()),
            column: 0,
            rationale: format!(
                "{} is an expected outcome of effective treatment of {subject}.{}",
                sentence(fact.text()),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(bad.iter().map(|fact| MatrixRow {
        text: clean(fact.text()),
        column: 1,
        rationale: worse_rationale(fact, subject),
        facts: vec![fact.id.clone()],
    }));
    Some((rows, good, bad))
}

/// Reassessment findings: effective / not effective.
fn outcome_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (rows, good, _) = outcome_rows(kb, subject, &ctx, &mut rng)?;
    let stem = format!(
        "The nurse reassesses {} after treatment. For each finding, indicate whether it shows the treatment is effective or not effective.",
        who_with(&ctx, subject)
    );
    let rationale = format!(
        "{} shows the treatment is working; the other findings show the disorder persisting or worsening.",
        sentence(&serial_list(&texts(&good)))
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &["Effective", "Not effective"],
        rows,
        rationale,
    ))
}

/// "Which findings show the client's condition is improving? Select all that apply."
fn improvement_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let goals = outcomes(kb, subject, &ctx);
    let mut taken = Vec::new();
    let good = pick(&mut rng, &goals, 3, &mut taken);
    if good.len() < 2 {
        return None;
    }
    let (signs, cues) = not_effective(kb, subject, &ctx, &goals);
    let mut bad = pick(&mut rng, &signs, 1, &mut taken);
    let more = 5 - good.len() - bad.len() + rng.below(2);
    bad.extend(pick(&mut rng, &cues, more, &mut taken));
    if bad.len() < 2 {
        return None;
    }
    let stem = format!(
        "The nurse evaluates care of {}. Which findings indicate that the client's condition is improving? Select all that apply.",
        who_with(&ctx, subject)
    );
    let key_opts = good
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is an expected outcome of effective treatment of {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let distractors = bad
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), worse_rationale(fact, subject), &[*fact]))
        .collect();
    let rationale = format!(
        "Improvement in {subject} is shown by {}.",
        serial_list(&texts(&good))
    );
    Some(build::multiple_response(
        kb,
        meta,
        seed,
        stem,
        key_opts,
        distractors,
        rationale,
    ))
}

/// "Which finding requires immediate follow-up?" during evaluation.
fn worsening_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let signs = complication_signs(kb, subject, &ctx);
    let (sign, name) = rng.pick(&signs)?.clone();
    let sign_words: BTreeSet<String> = keys(sign.text()).union(&keys(&name)).cloned().collect();
    let goals: Vec<&Fact> = outcomes(kb, subject, &ctx)
        .into_iter()
        .filter(|fact| keys(fact.text()).is_disjoint(&sign_words))
        .collect();
    let mut taken = vec![sign_words];
    let mut distractors = pick(&mut rng, &goals, 2, &mut taken);
    let broad = [
        "pain", "temp", "vital", "stabl", "infec", "sympt", "resol", "heart", "resp", "bleed",
        "mental", "flare", "weight",
    ];
    let pool = foreign(
        kb,
        subject,
        &["expected_outcome"],
        &FIND_ALL,
        &broad,
        true,
        false,
        &ctx,
    );
    distractors.extend(pick(&mut rng, &pool, 3 - distractors.len(), &mut taken));
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse evaluates {} during treatment. Which finding requires immediate follow-up?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        sign,
        format!(
            "{} signals {name}, a complication of {subject} that needs prompt action.",
            sentence(sign.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            let why = if fact.subject == subject {
                format!("an expected outcome of treating {subject}")
            } else {
                format!(
                    "a sign of recovery (an expected outcome in {})",
                    fact.subject
                )
            };
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is {why}; it does not need urgent follow-up.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "In {subject}, {} signals {name}; the other findings show improvement.",
        low(sign.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Unfolding case studies
// ---------------------------------------------------------------------------------------------

fn inner_meta(meta: &Meta, ncjmm: NcjmmFunction) -> Meta {
    Meta {
        ncjmm,
        ..meta.clone()
    }
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

/// Case-study step 3 (prioritize hypotheses): the priority problem after the provider confirms
/// the disorder. Returns the item and the problem, which later steps and the rationale name.
fn priority_problem_step<'a>(
    kb: &'a KnowledgeBase,
    meta: &Meta,
    subject: &str,
    ctx: &Ctx,
    rng: &mut Rng,
    seed: u64,
) -> Option<(Item, &'a Fact)> {
    let problems = own(kb, subject, &["priority_problem"], ctx);
    let problem = *rng.pick(&problems)?;
    let problem_pool = rival_problems(kb, subject, ctx);
    let mut problem_taken = vec![keys(problem.text())];
    let problem_distractors = pick(rng, &problem_pool, 3, &mut problem_taken);
    if problem_distractors.len() < 3 {
        return None;
    }
    let mut third = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::PrioritizeHypotheses),
        seed,
        "Which problem is the nurse's priority for this client?".to_owned(),
        key_opt(
            problem,
            format!(
                "{} is the priority problem in {subject}.",
                sentence(problem.text())
            ),
        ),
        problem_distractors
            .iter()
            .map(|fact| {
                Opt::new(
                    clean(fact.text()),
                    format!(
                        "{} is a priority problem in {}; nothing in this case supports it.",
                        sentence(fact.text()),
                        fact.subject
                    ),
                    &[*fact],
                )
            })
            .collect(),
        format!(
            "With {subject} confirmed, {} comes first.",
            low(problem.text())
        ),
    );
    third.exhibit = Some(format!(
        "Provider's note: Findings consistent with {subject}. Admit for treatment."
    ));
    Some((third, problem))
}

/// Case A: recognise → which condition → priority problem → plan → first action → evaluate.
fn unfolding_case(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let discriminating = pick(&mut rng, &cues, 4, &mut taken);
    if discriminating.len() < 3 {
        return None;
    }
    let mut discriminating = discriminating;
    let first_cue = discriminating
        .iter()
        .position(|fact| fact.attribute == "cue")?;
    discriminating.swap(0, first_cue);
    let (presenting, rest) = discriminating.split_at(1);
    let (noted, revealed) = rest.split_at(rest.len() - 1);
    let revealed = revealed[0];
    let scenario = format!(
        "{} is brought to the emergency department with {}. The nurse completes an initial assessment.",
        sentence(ctx.who),
        low(presenting[0].text())
    );

    // 1. Recognize cues: highlight the note.
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, 4);
    if normal_opts.len() + noted.len() < 5 || normal_opts.len() < 2 {
        return None;
    }
    let mut segments: Vec<(bool, Opt)> = noted
        .iter()
        .map(|fact| {
            (
                true,
                key_opt(
                    fact,
                    format!(
                        "{} is abnormal and is a finding of {subject}.",
                        sentence(fact.text())
                    ),
                ),
            )
        })
        .collect();
    segments.push((
        true,
        key_opt(
            presenting[0],
            format!(
                "{} is the presenting finding of {subject}.",
                sentence(presenting[0].text())
            ),
        ),
    ));
    segments.extend(normal_opts.iter().cloned().map(|opt| (false, opt)));
    rng.shuffle(&mut segments);
    let first = build::highlight(
        kb,
        &inner_meta(meta, NcjmmFunction::RecognizeCues),
        seed,
        "Highlight the findings in the nurse's initial assessment that require follow-up."
            .to_owned(),
        segments,
        format!(
            "The abnormal findings are {}; the others are within normal limits.",
            serial_list(&texts(&discriminating[..discriminating.len() - 1]))
        ),
    );

    // 2. Analyze cues: which condition, after a new finding.
    let all_evidence = serial_list(&texts(&discriminating));
    let key = Opt::new(
        sentence(subject),
        format!("{} together point to {subject}.", sentence(&all_evidence)),
        &discriminating,
    );
    let distractors = competitors
        .iter()
        .map(|rival| {
            Opt::new(
                sentence(rival),
                rival_rationale(kb, rival, subject, &all_evidence),
                &rival_cue(kb, rival, subject)
                    .into_iter()
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut second = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::AnalyzeCues),
        seed,
        "The findings so far are most consistent with which condition?".to_owned(),
        key,
        distractors,
        format!("{} explains {all_evidence}.", sentence(subject)),
    );
    second.exhibit = Some(format!("Additional finding: {}.", clean(revealed.text())));

    // 3. Prioritize hypotheses: priority problem, after the provider's note.
    let (third, problem) = priority_problem_step(kb, meta, subject, &ctx, &mut rng, seed)?;

    // 4. Generate solutions: plan interventions, after a new finding.
    let interventions = own(kb, subject, &["intervention"], &ctx);
    let mut plan_taken = Vec::new();
    let plan_count = 2 + rng.below(2);
    let plan_keys = pick(&mut rng, &interventions, plan_count, &mut plan_taken);
    if plan_keys.len() < 2 {
        return None;
    }
    plan_taken.extend(
        own(kb, subject, &["priority_intervention"], &ctx)
            .iter()
            .map(|fact| keys(fact.text())),
    );
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let plan_bad = pick(&mut rng, &avoid, 1, &mut plan_taken);
    let plan_others = pick(
        &mut rng,
        &foreign_actions(kb, subject, &ctx),
        5 - plan_keys.len() - plan_bad.len(),
        &mut plan_taken,
    );
    if plan_keys.len() + plan_bad.len() + plan_others.len() < 5 {
        return None;
    }
    let mut plan_distractors: Vec<Opt> = plan_bad
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    plan_distractors.extend(
        plan_others
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let mut fourth = build::multiple_response(
        kb,
        &inner_meta(meta, NcjmmFunction::GenerateSolutions),
        seed,
        "Which interventions should the nurse include in the plan of care? Select all that apply."
            .to_owned(),
        plan_keys
            .iter()
            .map(|fact| {
                key_opt(
                    fact,
                    format!(
                        "{} is part of the care of {subject}.",
                        sentence(fact.text())
                    ),
                )
            })
            .collect(),
        plan_distractors,
        format!(
            "Care of {subject} includes {}.",
            serial_list(&texts(&plan_keys))
        ),
    );
    let priority_problem_note = format!(
        "Nurse's note: The client is transferred to the medical unit. Priority problem: {}.",
        low(problem.text())
    );
    fourth.exhibit = Some(priority_problem_note);

    // 5. Take action: first action, after new data.
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let first_key = *rng.pick(&priorities)?;
    let mut action_taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    action_taken.extend(plan_keys.iter().map(|fact| keys(fact.text())));
    let action_bad = pick(&mut rng, &avoid, 1, &mut action_taken);
    let action_others = pick(
        &mut rng,
        &foreign_actions(kb, subject, &ctx),
        3 - action_bad.len(),
        &mut action_taken,
    );
    if action_bad.len() + action_others.len() < 3 {
        return None;
    }
    let mut action_distractors: Vec<Opt> = action_bad
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    action_distractors.extend(
        action_others
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let mut fifth = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::TakeAction),
        seed,
        "Which action should the nurse take first?".to_owned(),
        key_opt(
            first_key,
            format!(
                "{} is the priority action in {subject}.",
                sentence(first_key.text())
            ),
        ),
        action_distractors,
        format!(
            "In {subject} the nurse should first {}.",
            low(first_key.text())
        ),
    );
    fifth.exhibit = Some(format!(
        "Nurse's note: The client's findings are unchanged; {} persists.",
        low(revealed.text())
    ));

    // 6. Evaluate outcomes: matrix of reassessment findings.
    let (rows, good, _) = outcome_rows(kb, subject, &ctx, &mut rng)?;
    let row_texts: Vec<String> = rows.iter().map(|row| row.text.clone()).collect();
    let mut sixth = build::matrix(
        kb,
        &inner_meta(meta, NcjmmFunction::EvaluateOutcomes),
        seed,
        "For each reassessment finding, indicate whether it shows the treatment is effective or not effective.".to_owned(),
        &["Effective", "Not effective"],
        rows,
        format!("{} shows the treatment is working; the other findings need follow-up.", sentence(&serial_list(&texts(&good)))),
    );
    sixth.exhibit = Some(format!(
        "Reassessment after treatment: {}.",
        row_texts.join("; ")
    ));

    let rationale = format!(
        "The case follows {} from its first cues ({}) through the priority problem ({}), the plan and priority action ({}), to the outcomes that show the treatment is working.",
        subject,
        serial_list(&texts(&discriminating)),
        low(problem.text()),
        low(first_key.text())
    );
    Some(build::case_study(
        kb,
        meta,
        seed,
        scenario,
        vec![first, second, third, fourth, fifth, sixth],
        rationale,
    ))
}

/// Case B: findings → condition and evidence → developing complication → orders → first action → evaluate.
fn complication_case(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let signs = complication_signs(kb, subject, &ctx);
    let (sign, name) = rng.pick(&signs)?.clone();
    let sign_words: BTreeSet<String> = keys(sign.text()).union(&keys(&name)).cloned().collect();
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let cues: Vec<&Fact> = cues
        .into_iter()
        .filter(|fact| keys(fact.text()).is_disjoint(&sign_words))
        .collect();
    let mut taken = vec![sign_words.clone()];
    let shown = pick(&mut rng, &cues, 3, &mut taken);
    if shown.len() < 3 {
        return None;
    }
    let normal_opts: Vec<Opt> = normals(kb, subject, &ctx)
        .into_iter()
        .filter(|opt| keys(&opt.text).is_disjoint(&sign_words))
        .collect();
    let normal_opts = rng.sample_exactly(&normal_opts, 3)?;
    let (admission, lab) = shown.split_at(2);
    let lab = lab[0];
    let mut presentation: Vec<String> = texts(admission);
    presentation.extend(normal_opts.iter().map(|opt| lower_first(&opt.text)));
    rng.shuffle(&mut presentation);
    let scenario = format!(
        "{} is admitted to the medical unit. The admission assessment shows {}.",
        sentence(ctx.who),
        serial_list(&presentation)
    );

    // 1. Recognize cues: which findings require follow-up.
    let first = build::multiple_response(
        kb,
        &inner_meta(meta, NcjmmFunction::RecognizeCues),
        seed,
        "Which findings from the admission assessment require follow-up? Select all that apply."
            .to_owned(),
        admission
            .iter()
            .map(|fact| {
                key_opt(
                    fact,
                    format!(
                        "{} is abnormal and is a finding of {subject}.",
                        sentence(fact.text())
                    ),
                )
            })
            .collect(),
        normal_opts.clone(),
        format!(
            "{} are abnormal; the other findings are within normal limits.",
            sentence(&serial_list(&texts(admission)))
        ),
    );

    // 2. Analyze cues: condition and evidence, after a new result.
    let evidence = serial_list(&texts(&shown));
    let rival_pool: Vec<&Fact> = competitors
        .iter()
        .flat_map(|rival| own(kb, rival, &FINDINGS, &ctx_for(kb, rival)))
        .filter(|fact| !clash(kb, subject, fact.text(), &FIND_ALL))
        .collect();
    let mut rival_taken = taken.clone();
    let rival_cues = pick(&mut rng, &rival_pool, 1, &mut rival_taken);
    if rival_cues.is_empty() {
        return None;
    }
    let condition = SlotSpec {
        key: Opt::new(
            sentence(subject),
            format!("{} point to {subject}.", sentence(&evidence)),
            &shown,
        ),
        distractors: competitors
            .iter()
            .map(|rival| {
                Opt::new(
                    sentence(rival),
                    rival_rationale(kb, rival, subject, &evidence),
                    &rival_cue(kb, rival, subject)
                        .into_iter()
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let proof = SlotSpec {
        key: key_opt(
            lab,
            format!(
                "{} is the new result and is a finding of {subject}.",
                sentence(lab.text())
            ),
        ),
        distractors: vec![
            normal_opts[0].clone(),
            Opt::new(
                clean(rival_cues[0].text()),
                format!(
                    "{} The client does not have it.",
                    finding_of(kb, rival_cues[0], subject)
                ),
                &[rival_cues[0]],
            ),
        ],
    };
    let mut second = build::drop_down_cloze(
        kb,
        &inner_meta(meta, NcjmmFunction::AnalyzeCues),
        seed,
        "Complete the following sentence by choosing from the lists of options.".to_owned(),
        "The client's findings are most consistent with {{1}}, as shown by the new finding of {{2}}.".to_owned(),
        vec![condition, proof],
        format!("{} fit {subject} and none of the competing conditions.", sentence(&evidence)),
    );
    second.exhibit = Some(format!("New result: {}.", clean(lab.text())));

    // 3. Prioritize hypotheses: the priority problem, after the provider's note.
    let (third, problem) = priority_problem_step(kb, meta, subject, &ctx, &mut rng, seed)?;

    // 4. Generate solutions: which orders are indicated.
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let mut order_taken = Vec::new();
    let bad = pick(&mut rng, &avoid, 1, &mut order_taken);
    let good = pick(&mut rng, &actions, 3, &mut order_taken);
    if bad.is_empty() || good.len() < 3 {
        return None;
    }
    let mut rows: Vec<MatrixRow> = good
        .iter()
        .map(|fact| MatrixRow {
            text: clean(fact.text()),
            column: 0,
            rationale: format!(
                "{} is indicated in {subject}.{}",
                sentence(fact.text()),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(bad.iter().map(|fact| MatrixRow {
        text: clean(fact.text()),
        column: 1,
        rationale: format!(
            "{} is contraindicated in {subject}; the nurse should question this order.{}",
            sentence(fact.text()),
            cite_note(fact)
        ),
        facts: vec![fact.id.clone()],
    }));
    let mut order_texts: Vec<String> = rows.iter().map(|row| row.text.clone()).collect();
    rng.shuffle(&mut order_texts);
    let mut fourth = build::matrix(
        kb,
        &inner_meta(meta, NcjmmFunction::GenerateSolutions),
        seed,
        "For each order, indicate whether it is indicated or contraindicated for this client."
            .to_owned(),
        &["Indicated", "Contraindicated"],
        rows,
        format!(
            "The nurse should question the order to {}.",
            serial_list(&texts(&bad))
        ),
    );
    fourth.exhibit = Some(format!("Provider's orders: {}.", order_texts.join("; ")));

    // 5. Take action: first action.
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let first_key = *rng.pick(&priorities)?;
    let mut action_taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    action_taken.extend(good.iter().map(|fact| keys(fact.text())));
    action_taken.extend(bad.iter().map(|fact| keys(fact.text())));
    let others = pick(
        &mut rng,
        &foreign_actions(kb, subject, &ctx),
        3,
        &mut action_taken,
    );
    if others.len() < 3 {
        return None;
    }
    let mut fifth = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::TakeAction),
        seed,
        "The nurse receives report on the client. Which action should the nurse take first?"
            .to_owned(),
        key_opt(
            first_key,
            format!(
                "{} is the priority action in {subject}.",
                sentence(first_key.text())
            ),
        ),
        others
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact]))
            .collect(),
        format!(
            "In {subject} the nurse should first {}.",
            low(first_key.text())
        ),
    );
    fifth.exhibit = Some(format!(
        "Nurse's note, day 2: The orders have been received; the client still has {}.",
        low(lab.text())
    ));

    // 6. Evaluate outcomes: treatment is not working; a complication is developing.
    let class = kb.class_of(DX, subject);
    let mut seen = BTreeSet::from([name.clone()]);
    let names: Vec<(String, &Fact)> = kb
        .with_attribute(DX, "complication_sign")
        .into_iter()
        .filter(|fact| kb.class_of(DX, &fact.subject) != class)
        .filter(|fact| could_happen_to(kb, fact, &ctx))
        .filter_map(|fact| complication_name(fact).map(|other| (other, fact)))
        .filter(|(other, _)| {
            !clash(kb, subject, other, &FIND_ALL) && keys(other).is_disjoint(&sign_words)
        })
        .filter(|(other, _)| seen.insert(other.clone()))
        .collect();
    let chosen = rng.sample(&names, 3);
    if chosen.len() < 2 {
        return None;
    }
    let cause = SlotSpec {
        key: Opt::new(sentence(&name), format!("{} is the sign of {name}, a complication of {subject}.{}", sentence(sign.text()), cite_note(sign)), &[sign]),
        distractors: chosen
            .iter()
            .map(|(other, fact)| Opt::new(sentence(other), format!("{} is a complication of {} signalled by {}, which this client does not show.", sentence(other), fact.subject, low(fact.text())), &[*fact]))
            .collect(),
    };
    let effect = SlotSpec {
        key: key_opt(
            sign,
            format!(
                "{} is the new finding that signals {name}.",
                sentence(sign.text())
            ),
        ),
        distractors: admission
            .iter()
            .map(|fact| {
                Opt::new(
                    clean(fact.text()),
                    format!(
                        "{} was present on admission and reflects {subject} itself, not {name}.",
                        sentence(fact.text())
                    ),
                    &[*fact],
                )
            })
            .collect(),
    };
    let mut sixth = build::drag_drop_rationale(
        kb,
        &inner_meta(meta, NcjmmFunction::EvaluateOutcomes),
        seed,
        "Complete the following sentence by choosing from the lists of options.".to_owned(),
        "The client is not responding as expected and is most likely developing {{1}}, as evidenced by {{2}}.".to_owned(),
        vec![cause, effect],
        format!(
            "The new finding of {} signals {name}.",
            low(sign.text())
        ),
    );
    sixth.exhibit = Some(format!(
        "Nurse's note, day 3: The client has received the prescribed treatment and now has {}.",
        low(sign.text())
    ));

    let rationale = format!(
        "The case follows a client with {subject} from the first cues ({evidence}) through the priority problem ({}), the orders and the first action, to {name}, signalled by {}.",
        low(problem.text()),
        low(sign.text())
    );
    Some(build::case_study(
        kb,
        meta,
        seed,
        scenario,
        vec![first, second, third, fourth, fifth, sixth],
        rationale,
    ))
}
