//! Care-environment item models: management of care (delegation, priority, triage frameworks),
//! safety and infection control (isolation, hand hygiene, START triage, safety sequences and
//! rules), health promotion and maintenance (growth and development, maternal–newborn, age norms),
//! psychosocial integrity (therapeutic communication, defense mechanisms, mental-health safety) and
//! basic care and comfort (procedure rules and steps).
//!
//! Every model is a [`Spec`]: its metadata plus a `cases` and a `generate` function. Keys and
//! distractors come from undisputed facts; where a distractor could be true for the subject in
//! some reading (neighbouring developmental stages, interventions shared by two deceleration
//! patterns, overlapping age ranges), the model excludes it explicitly and says so in its
//! description. The catalog checks every generated item against the quality gate, once.

use std::collections::BTreeSet;

use super::super::build::{self, MatrixRow, Opt, SlotSpec, sentence};
use super::super::catalog::Case;
use super::super::rng::Rng;
use super::super::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use super::super::{ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use super::{cite_note, with_article};
use crate::domain::knowledge::{
    Fact, Family, KnowledgeBase, Value, content_words, normalise, number, sorted_share,
};

const DEL: Family = Family::Delegation;
const PRI: Family = Family::Priority;
const ISO: Family = Family::Isolation;
const DEV: Family = Family::Development;
const COMM: Family = Family::Communication;
const MAT: Family = Family::MaternalNewborn;
const MH: Family = Family::MentalHealth;
const PROC: Family = Family::ProceduresSafety;
const VS: Family = Family::VitalSigns;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    // Management of care
    ModelSpec {
        id: "deleg-uap-task-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Beginner,
        description: "Asks which task the RN may delegate to the UAP. Key: a task whose `delegable_to` is uap. Distractors: tasks recorded as delegable only to the LPN (licensed-nurse tasks) or only to the RN, with the RN task's `not_delegable_because` as the rationale. Disputed tasks (IV push, initiating a transfusion) are never used.",
        cases: Cases::From(uap_task_cases),
        seeding: Seeding::MixVariant,
        generate: uap_task_mc,
    },
    ModelSpec {
        id: "deleg-rn-only-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Intermediate,
        description: "Asks which task the RN must keep rather than delegate to the LPN or UAP. Key: a task whose `delegable_to` is rn, rationale from its `not_delegable_because`. Distractors: tasks recorded as delegable to the UAP or the LPN. Disputed tasks are never used.",
        cases: Cases::From(rn_task_cases),
        seeding: Seeding::MixVariant,
        generate: rn_only_mc,
    },
    ModelSpec {
        id: "deleg-team-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(6, 2),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 tasks the nurse selects the least-licensed team member who may do each (UAP, LPN, RN only), from each task's `delegable_to`; RN-only rows cite `not_delegable_because`. Every item uses at least two columns; disputed tasks are never used.",
        cases: Cases::From(all_task_cases),
        seeding: Seeding::MixVariant,
        generate: team_matrix,
    },
    ModelSpec {
        id: "deleg-five-rights-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Beginner,
        description: "SATA: which principles are among the five rights of delegation. Keys: 2–4 `five_rights` facts. Distractors: rights of medication administration (procedures_safety `rule`), leaving out \"right client\", which could be read as \"right person\".",
        cases: Cases::From(five_rights_cases),
        seeding: Seeding::MixVariant,
        generate: five_rights_sata,
    },
    ModelSpec {
        id: "deleg-note-highlight",
        item_type: ItemType::Highlight,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Highlight: the charge nurse reviews the list of tasks an RN delegated to a UAP and highlights the ones that should not have been delegated. Keys: 1–2 tasks recorded as delegable only to the LPN or RN; the other 4–5 lines are tasks whose `delegable_to` is uap.",
        cases: Cases::From(non_uap_task_cases),
        seeding: Seeding::MixVariant,
        generate: delegation_highlight,
    },
    ModelSpec {
        id: "priority-first-client-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Which client to see first. Clients are the priority family's `example` facts (ABC airway/breathing/circulation examples, the unexpected-finding example, the expected-finding example, Maslow love-and-belonging and esteem examples), ranked by the recorded `rule`s (ABC order; unexpected before expected; lower Maslow levels first). The key always outranks every distractor under those rules.",
        cases: Cases::From(priority_cases),
        seeding: Seeding::MixVariant,
        generate: priority_first_mc,
    },
    ModelSpec {
        id: "esi-level-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Emergency Severity Index: a stable adult's anticipated needs are listed and the nurse picks the ESI level. Resources come from the recorded `category_meaning` lists (counted vs not counted; ECG and imaging never paired, since ESI may count them as one); ESI 2 from the recorded \"new confusion or lethargy\" criterion. Options: ESI levels (`level`).",
        cases: Cases::From(esi_cases),
        seeding: Seeding::MixVariant,
        generate: esi_mc,
    },
    ModelSpec {
        id: "priority-sequence-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over sequences recorded with `order`: Maslow's levels, the ABC order, and the parts of an SBAR report (labels removed). Cases are the full sequence and its ordered subsets of three or more.",
        cases: Cases::From(priority_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
    // Safety and infection control
    ModelSpec {
        id: "iso-precaution-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Which transmission-based precaution a client with an organism needs. Key: the organism's single `precaution` (organisms needing two precautions, and the disputed RSV record, are left out; recorded conditions are stated in the stem). Distractors: the other precaution types. When the key is airborne, droplet or contact, the stem asks what to add to standard precautions and standard precautions are not offered (they apply to every client, so they are never wrong); the item then has three options.",
        cases: Cases::From(organism_cases),
        seeding: Seeding::MixVariant,
        generate: precaution_mc,
    },
    ModelSpec {
        id: "iso-organism-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 organisms the nurse selects airborne, droplet or contact precautions, from each organism's single `precaution`. Organisms needing two precautions or only standard precautions are left out; at least two columns are used.",
        cases: Cases::From(transmission_organism_cases),
        seeding: Seeding::MixVariant,
        generate: organism_matrix,
    },
    ModelSpec {
        id: "iso-precaution-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Drag-and-drop rationale triad: a client's organism → the precaution (cause) → the PPE and the room it requires. Options: the `ppe` and `room` facts of the airborne, droplet and contact precaution types (plus the protective-environment room); a room that also satisfies the key's precaution (a droplet room for contact precautions and the other way round) is never a distractor.",
        cases: Cases::From(transmission_organism_cases),
        seeding: Seeding::MixVariant,
        generate: precaution_ddr,
    },
    ModelSpec {
        id: "iso-precaution-actions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "SATA: which actions the nurse takes for a client with an organism. Keys: 2–3 `ppe`/`room`/`transport`/`note` facts of the organism's precaution type, plus soap-and-water hand hygiene for C. difficile and norovirus. Distractors: facts of other precaution types that do not also hold for this one (shared transport limits, cohorting and room-sharing rules are never used as distractors).",
        cases: Cases::From(transmission_organism_cases),
        seeding: Seeding::MixVariant,
        generate: precaution_actions_sata,
    },
    ModelSpec {
        id: "iso-hand-hygiene-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Matrix: for 4–6 situations the nurse selects the preferred hand-hygiene method (alcohol-based rub or soap and water), from the `hand_hygiene` facts: soap and water for visible soiling, C. difficile and norovirus; rub before/after client contact and after glove removal when hands are not soiled (only organisms for which alcohol rub is effective).",
        cases: Cases::From(hand_hygiene_cases),
        seeding: Seeding::MixVariant,
        generate: hand_hygiene_matrix,
    },
    ModelSpec {
        id: "start-triage-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "START triage: a mass-casualty victim is described by walking, breathing after airway repositioning, respiratory rate, capillary refill, radial pulse and ability to follow commands (numbers seeded within each recorded rule), and the nurse picks the tag. Options: the four START `level`s; rationale from the matching `rule` and `category_meaning`.",
        cases: Cases::From(start_cases),
        seeding: Seeding::MixVariant,
        generate: start_mc,
    },
    ModelSpec {
        id: "safety-sequence-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over safety sequences recorded with `order`: donning and doffing PPE, RACE, PASS, the Universal Protocol and the transfusion-reaction response. Cases are the full sequence and its ordered subsets of three or more.",
        cases: Cases::From(safety_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
    ModelSpec {
        id: "safety-action-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: the charge nurse watches a new nurse care for a client in restraints, having a seizure, or receiving blood, and marks each action appropriate or requiring follow-up. Appropriate rows: the topic's `rule`, `equipment`, `priority_intervention` and `time_limit` facts; follow-up rows: its `avoid` facts, restated as actions.",
        cases: Cases::From(safety_action_cases),
        seeding: Seeding::MixVariant,
        generate: safety_action_matrix,
    },
    ModelSpec {
        id: "transfusion-first-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "A client receiving packed red cells shows signs of a transfusion reaction (`complication_sign` of hemolytic, allergic or circulatory-overload reactions); which action first. Key: step 1 of the recorded transfusion-reaction response; distractors: its later steps.",
        cases: Cases::From(transfusion_cases),
        seeding: Seeding::MixVariant,
        generate: transfusion_first_mc,
    },
    // Health promotion and maintenance
    ModelSpec {
        id: "dev-milestone-age-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "At what age an infant milestone typically occurs (`typical_age`). Distractors: the ages of other milestones that do not overlap the key's range; disputed milestones are left out, as are neighbouring ages that some references give for the same milestone.",
        cases: Cases::From(milestone_cases),
        seeding: Seeding::MixVariant,
        generate: milestone_mc,
    },
    ModelSpec {
        id: "dev-erikson-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Erikson: (a) the stage of a client of a given age (`typical_age`, ages inside the range only), (b) the stage whose `task` is described, or (c) the nursing action (`example`, nursing application) that best supports a child's stage, with distractor actions only from stages two or more steps away and never the universally sound trust-stage action.",
        cases: Cases::From(erikson_cases),
        seeding: Seeding::MixVariant,
        generate: erikson_mc,
    },
    ModelSpec {
        id: "dev-piaget-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–5 children of seeded ages (never at a stage boundary) the nurse selects the Piaget stage, from each stage's `typical_age`; rationale cites the stage's `task`.",
        cases: Cases::From(piaget_cases),
        seeding: Seeding::MixVariant,
        generate: piaget_matrix,
    },
    ModelSpec {
        id: "dev-play-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Play: the type of play typical of a child of a given age (`play_type`: solitary, parallel, associative, cooperative), or for an infant or school-age child the most suitable toys (`example`), with toy distractors only from age groups two or more steps away.",
        cases: Cases::From(play_cases),
        seeding: Seeding::MixVariant,
        generate: play_mc,
    },
    ModelSpec {
        id: "dev-safety-teaching-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Age-specific safety teaching for parents. Key: a `safety_teaching` fact of the child's age group. Distractors: teaching specific to an age group two or more steps away (infant sleep and honey rules for older children; street and bicycle safety for infants); teaching that stays valid at older ages is never a distractor.",
        cases: Cases::From(safety_teaching_cases),
        seeding: Seeding::MixVariant,
        generate: safety_teaching_mc,
    },
    ModelSpec {
        id: "fhr-deceleration-cloze",
        item_type: ItemType::DropDownCloze,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Drop-down cloze: an FHR deceleration (`cue`) → its name, its cause (`rule`) and a priority nursing response (`priority_intervention`). Response distractors: interventions of other patterns never indicated for this one (position changes, fluids and oxygen are not used as distractors for variable decelerations) and clearly unrelated postpartum/magnesium actions.",
        cases: Cases::From(deceleration_cases),
        seeding: Seeding::MixVariant,
        generate: deceleration_cloze,
    },
    ModelSpec {
        id: "pph-cues-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "SATA: which postpartum findings indicate hemorrhage. Keys: 2–3 `complication_sign` facts of postpartum hemorrhage. Distractors: expected involution findings, foul-smelling lochia (infection) and magnesium-toxicity cues.",
        cases: Cases::From(pph_cases),
        seeding: Seeding::MixVariant,
        generate: pph_sata,
    },
    ModelSpec {
        id: "newborn-findings-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 newborn findings with seeded values (respiratory rate, axillary temperature, 5-minute Apgar, age at onset of jaundice, apnea length, jitteriness) the nurse marks expected or requires follow-up, from the recorded `reference_range`, physiologic/pathologic jaundice rules, apnea `critical_sign` and hypoglycemia `cue`. The disputed newborn heart-rate range is not used.",
        cases: Cases::From(newborn_cases),
        seeding: Seeding::MixVariant,
        generate: newborn_matrix,
    },
    ModelSpec {
        id: "naegele-edd-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Naegele's rule (`rule`): the estimated date of birth from the first day of the last menstrual period. LMP days are 8–21 so that adding 7 days never crosses a month end. Distractors: forgetting the 7 days, subtracting them, and adding 3 months instead of subtracting.",
        cases: Cases::From(naegele_cases),
        seeding: Seeding::MixVariant,
        generate: naegele_mc,
    },
    ModelSpec {
        id: "apgar-components-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "SATA: which findings are scored in the Apgar score. Keys: 2–4 of the five components in the Apgar `rule`. Distractors: routine newborn measures recorded elsewhere (axillary temperature, blood glucose) that are not Apgar components.",
        cases: Cases::From(apgar_cases),
        seeding: Seeding::MixVariant,
        generate: apgar_sata,
    },
    ModelSpec {
        id: "vitals-range-cloze",
        item_type: ItemType::DropDownCloze,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Drop-down cloze: a client of a given age has a seeded heart or respiratory rate; the nurse picks the expected range for that age (`reference_range`, undisputed, distractors are other ages' ranges) and whether the value is within, above or below it.",
        cases: Cases::From(vitals_cases),
        seeding: Seeding::MixVariant,
        generate: vitals_cloze,
    },
    ModelSpec {
        id: "dev-stage-order-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over developmental and postpartum sequences recorded with `order`: Erikson's stages, Piaget's stages and the lochia sequence. Cases are the full sequence and its ordered subsets (four or more for Erikson).",
        cases: Cases::From(stage_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
    // Psychosocial integrity
    ModelSpec {
        id: "comm-therapeutic-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Which statement reflects therapeutic communication. Key: an `example` of a therapeutic technique. Distractors: examples of nontherapeutic techniques, each explained with its `why_nontherapeutic`. Option sets are re-drawn until lengths are homogeneous.",
        cases: Cases::From(therapeutic_example_cases),
        seeding: Seeding::MixVariant,
        generate: therapeutic_mc,
    },
    ModelSpec {
        id: "comm-technique-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Names the technique a nurse's statement (`example`) uses. Distractors: other techniques outside the key's confusion cluster (e.g. exploring vs. open-ended question vs. focusing, restating vs. reflecting, cliché vs. false reassurance are never paired). A technique whose name shares a word with the statement (\"Why did you...?\" for asking why questions) is not asked this way.",
        cases: Cases::From(technique_example_cases),
        seeding: Seeding::MixVariant,
        generate: technique_mc,
    },
    ModelSpec {
        id: "comm-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Matrix: for 4–6 nurse statements (`example`) the learner marks therapeutic or nontherapeutic, from each technique's `technique_type`; rationales give the technique and its `definition` or `why_nontherapeutic`.",
        cases: Cases::From(technique_example_cases),
        seeding: Seeding::MixVariant,
        generate: communication_matrix,
    },
    ModelSpec {
        id: "comm-nontherapeutic-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Drag-and-drop rationale dyad: a nontherapeutic statement (`example`) → the technique it shows (cause) → why it blocks communication (`why_nontherapeutic`). Distractors come from techniques outside the key's confusion cluster, and reasons sharing the key reason's wording are left out.",
        cases: Cases::From(nontherapeutic_cases),
        seeding: Seeding::MixVariant,
        generate: nontherapeutic_ddr,
    },
    ModelSpec {
        id: "mh-defense-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Defense mechanisms: (a) which mechanism a described behaviour (`cue`) shows, or (b) which behaviour illustrates a named mechanism. Distractors: other mechanisms or their cues.",
        cases: Cases::From(defense_cases),
        seeding: Seeding::MixVariant,
        generate: defense_mc,
    },
    ModelSpec {
        id: "mh-nms-ss-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Matrix: a febrile client on psychotropic drugs; for 4–6 findings and actions the nurse attributes each to neuroleptic malignant syndrome or serotonin syndrome. Rows: the distinguishing `cue`/`priority_intervention` facts (rigidity, creatine kinase, dantrolene/bromocriptine vs. clonus/hyperreflexia, diarrhea, cyproheptadine; rows that name the drug class, such as stopping the antipsychotic, are left out because they match their column by wording); shared features (hyperthermia, autonomic signs, mental-status change) are left out.",
        cases: Cases::From(nms_ss_cases),
        seeding: Seeding::MixVariant,
        generate: nms_ss_matrix,
    },
    ModelSpec {
        id: "mh-actions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "SATA: actions to include for a client at risk for suicide, escalating, manic, hearing voices, in crisis, in alcohol withdrawal or in restraints. Keys: 2–3 `priority_intervention`/`safety_rule` facts of the subject. Distractors: recorded `avoid` facts restated as actions (no-suicide contract, reinforcing delusions, restraining or putting objects in the mouth during a seizure) and interventions recorded only for unrelated conditions (meal supervision for eating disorders, thiamine and CIWA-Ar for alcohol withdrawal). Give-aways no candidate would pick (arguing, threatening, punishing) are left out, and no two distractors share a content word, so near-duplicates never appear together.",
        cases: Cases::From(mh_action_cases),
        seeding: Seeding::MixVariant,
        generate: mh_actions_sata,
    },
    ModelSpec {
        id: "mh-restraint-order-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "CMS restraint and seclusion rules for violent behaviour (`safety_rule`): the maximum length of each order by age (4 h adults, 2 h ages 9–17, 1 h under 9; seeded ages inside each band) or the time limit for the face-to-face evaluation (1 h). Options: the recorded hour limits.",
        cases: Cases::From(restraint_cases),
        seeding: Seeding::MixVariant,
        generate: restraint_mc,
    },
    // Basic care and comfort
    ModelSpec {
        id: "comfort-care-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 nursing actions the nurse selects the care topic each belongs to (closed wound drain, incentive spirometry, pressure injury prevention, nasogastric tube, wound cleansing), from the topics' `rule`/`step` facts. Generic steps shared by several topics are not used, and the head-of-bed rule is never shown beside the nasogastric tube column.",
        cases: Cases::From(comfort_cases),
        seeding: Seeding::MixVariant,
        generate: comfort_matrix,
    },
    ModelSpec {
        id: "care-correction-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Which action by a new nurse requires correction during pressure-injury prevention, nasogastric tube placement or tracheostomy suctioning. Key: the topic's `avoid` fact restated as an action. Distractors: the topic's own correct `rule`/`step`/`time_limit` facts.",
        cases: Cases::From(correction_cases),
        seeding: Seeding::MixVariant,
        generate: correction_mc,
    },
    ModelSpec {
        id: "care-procedure-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over care procedures recorded with `order`: tracheostomy suctioning and incentive-spirometer use. Cases are the full sequence and its ordered subsets of three (suctioning) or four (spirometer) or more steps.",
        cases: Cases::From(procedure_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
];

// ---------------------------------------------------------------------------------------------
// Shared helpers

fn ids(facts: &[&Fact]) -> Vec<String> {
    facts.iter().map(|fact| fact.id.clone()).collect()
}

/// Text before a parenthetical qualifier.
fn bare(text: &str) -> &str {
    text.split(" (").next().unwrap_or(text).trim()
}

fn cases_n(subject: &str, family: Family, count: u32) -> Vec<Case> {
    (0..count)
        .map(|variant| Case::new(subject, family, variant))
        .collect()
}

/// "preschooler safety" → "preschoolers".
fn age_group_label(subject: &str) -> &str {
    match subject {
        "infant safety" => "infants",
        "toddler safety" => "toddlers",
        "preschooler safety" => "preschoolers",
        "school-age safety" => "school-age children",
        "adolescent safety" => "adolescents",
        other => other,
    }
}

/// "a, b and c".
fn join_and(parts: &[String]) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// Avoid facts ("tying the restraint to a side rail") restated as actions a nurse might take.
const AVOID_AS_ACTION: [(&str, &str); 13] = [
    (
        "relying on a no-suicide contract",
        "Rely on a no-suicide contract",
    ),
    (
        "arguing with or threatening the client",
        "Argue with or threaten the client",
    ),
    (
        "arguing about or reinforcing delusions",
        "Argue about or reinforce the client's delusions",
    ),
    (
        "using restraint or seclusion for staff convenience or as punishment",
        "Use restraint or seclusion as punishment",
    ),
    (
        "competitive group games",
        "Encourage competitive group games",
    ),
    (
        "restraining the client",
        "Restrain the client during the seizure",
    ),
    (
        "putting anything in the client's mouth",
        "Put an object in the client's mouth during the seizure",
    ),
    (
        "tying the restraint to a side rail",
        "Tie the restraint to the side rail",
    ),
    (
        "adding medications to the blood or its tubing",
        "Add a medication to the blood tubing",
    ),
    (
        "massaging reddened bony prominences",
        "Massage reddened bony prominences",
    ),
    (
        "relying on auscultation of injected air to confirm placement",
        "Confirm placement by auscultating injected air",
    ),
    (
        "routine instillation of normal saline",
        "Instill normal saline before each suction pass",
    ),
    (
        "arguing with or reinforcing delusions",
        "Argue about or reinforce the client's delusions",
    ),
];

fn avoid_action(fact: &Fact) -> Option<String> {
    let wanted = fact.norm();
    AVOID_AS_ACTION
        .iter()
        .find(|(text, _)| normalise(text) == wanted)
        .map(|(_, action)| (*action).to_owned())
}

/// A sequence recorded with `order` (at least three steps).
fn sequence<'a>(
    kb: &'a KnowledgeBase,
    family: Family,
    subject: &str,
    attribute: &str,
) -> Vec<&'a Fact> {
    let steps: Vec<&Fact> = kb
        .values(family, subject, attribute)
        .into_iter()
        .filter(|fact| fact.order.is_some())
        .collect();
    let distinct: BTreeSet<u32> = steps.iter().filter_map(|fact| fact.order).collect();
    if distinct.len() == steps.len() {
        steps
    } else {
        Vec::new()
    }
}

/// Index sets (in order) of `n` steps: the full sequence and every subset of at least `min` steps.
fn subsets(n: usize, min: usize) -> Vec<Vec<usize>> {
    if n == 0 || n > 12 {
        return Vec::new();
    }
    let mut all: Vec<Vec<usize>> = (1u32..(1 << n))
        .map(|mask| {
            (0..n)
                .filter(|index| mask & (1 << index) != 0)
                .collect::<Vec<usize>>()
        })
        .filter(|set| set.len() >= min.min(n) && set.len() <= 7)
        .collect();
    all.sort_by_key(|set| (std::cmp::Reverse(set.len()), set.clone()));
    all
}

/// One ordered-response sequence: where it is recorded and how the stem introduces it.
struct SequenceSpec {
    family: Family,
    subject: &'static str,
    attribute: &'static str,
    stem: &'static str,
    min: usize,
    /// Strips a "label: " prefix (SBAR definitions) so the order is not given away.
    strip_label: bool,
}

const PRIORITY_SEQUENCES: [SequenceSpec; 3] = [
    SequenceSpec {
        family: PRI,
        subject: "maslow",
        attribute: "level",
        stem: "The nurse uses Maslow's hierarchy of needs to plan care. Place the needs in the order in which the nurse should address them, starting with the first.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PRI,
        subject: "abc",
        attribute: "level",
        stem: "The nurse applies the ABC framework to set priorities. Place the problems in the order in which the nurse should address them.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: COMM,
        subject: "sbar",
        attribute: "definition",
        stem: "The nurse calls the provider about a change in a client's condition using SBAR. Place the parts of the report in the order in which the nurse should give them.",
        min: 3,
        strip_label: true,
    },
];

const SAFETY_SEQUENCES: [SequenceSpec; 6] = [
    SequenceSpec {
        family: ISO,
        subject: "ppe sequence",
        attribute: "don_step",
        stem: "The nurse is preparing to enter the room of a client who requires several types of personal protective equipment. Place the items in the order in which the nurse should put them on.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: ISO,
        subject: "ppe sequence",
        attribute: "doff_step",
        stem: "The nurse is leaving the room of a client in isolation. Place the steps for removing personal protective equipment in the correct order.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "race",
        attribute: "step",
        stem: "A fire starts in a client's room. Place the nurse's actions in the order of the RACE response.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "pass",
        attribute: "step",
        stem: "The nurse uses a portable fire extinguisher on a small fire. Place the steps in the correct order.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "universal protocol",
        attribute: "step",
        stem: "A client is scheduled for an invasive procedure. Place the steps of the Universal Protocol in the correct order.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "transfusion reaction response",
        attribute: "step",
        stem: "A client receiving packed red blood cells develops chills and low back pain. Place the nurse's actions in the order in which they should be performed.",
        min: 3,
        strip_label: false,
    },
];

const STAGE_SEQUENCES: [SequenceSpec; 3] = [
    SequenceSpec {
        family: DEV,
        subject: "erikson",
        attribute: "stage",
        stem: "Place Erikson's psychosocial stages in the order in which they occur across the life span.",
        min: 4,
        strip_label: false,
    },
    SequenceSpec {
        family: DEV,
        subject: "piaget",
        attribute: "stage",
        stem: "Place Piaget's stages of cognitive development in the order in which children move through them.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: MAT,
        subject: "lochia",
        attribute: "rule",
        stem: "The nurse teaches a postpartum client about expected vaginal discharge. Place the types of lochia in the order in which they normally occur.",
        min: 3,
        strip_label: false,
    },
];

const PROCEDURE_SEQUENCES: [SequenceSpec; 2] = [
    SequenceSpec {
        family: PROC,
        subject: "tracheostomy suctioning",
        attribute: "step",
        stem: "The nurse is suctioning a client's tracheostomy. Place the steps in the order in which the nurse should perform them.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "incentive spirometer teaching",
        attribute: "step",
        stem: "The nurse teaches a postoperative client to use an incentive spirometer. Place the steps in the order the client should follow.",
        min: 4,
        strip_label: false,
    },
];

fn sequence_specs(id: &str) -> &'static [SequenceSpec] {
    match id {
        "priority-sequence-or" => &PRIORITY_SEQUENCES,
        "safety-sequence-or" => &SAFETY_SEQUENCES,
        "dev-stage-order-or" => &STAGE_SEQUENCES,
        _ => &PROCEDURE_SEQUENCES,
    }
}

/// Variant = sequence index × 1000 + subset index.
fn sequence_cases_for(kb: &KnowledgeBase, specs: &[SequenceSpec]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, seq) in specs.iter().enumerate() {
        let steps = sequence(kb, seq.family, seq.subject, seq.attribute);
        if steps.len() < 3 {
            continue;
        }
        for subset in 0..subsets(steps.len(), seq.min).len() {
            cases.push(Case::new(
                seq.subject,
                seq.family,
                index as u32 * 1000 + subset as u32,
            ));
        }
    }
    cases
}

fn priority_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &PRIORITY_SEQUENCES)
}
fn safety_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &SAFETY_SEQUENCES)
}
fn stage_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &STAGE_SEQUENCES)
}
fn procedure_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &PROCEDURE_SEQUENCES)
}

/// Put the steps of a recorded sequence (or an ordered subset of it) in order.
fn sequence_or(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        meta,
        ..
    } = g;
    let seq = sequence_specs(meta.model).get((case.variant / 1000) as usize)?;
    let steps = sequence(kb, seq.family, seq.subject, seq.attribute);
    let chosen = subsets(steps.len(), seq.min)
        .get((case.variant % 1000) as usize)?
        .clone();
    let text_of = |fact: &Fact| -> String {
        let text = fact.text();
        let text = if seq.strip_label {
            text.split_once(": ").map_or(text, |(_, rest)| rest)
        } else {
            text
        };
        sentence(&text.replace(" vs ", " vs. "))
    };
    let options: Vec<Opt> = chosen
        .iter()
        .enumerate()
        .map(|(position, &index)| {
            let fact = steps[index];
            Opt::new(
                text_of(fact),
                format!(
                    "Position {} of {}: {} (step {} of the full sequence).{}",
                    position + 1,
                    chosen.len(),
                    sentence(fact.text()),
                    fact.order.unwrap_or(0),
                    cite_note(fact)
                ),
                &[fact],
            )
        })
        .collect();
    let full: Vec<String> = steps.iter().map(|fact| sentence(fact.text())).collect();
    let partial = if chosen.len() < steps.len() {
        " Only some of the steps are listed; keep them in their relative order."
    } else {
        ""
    };
    let stem = format!(
        "{}{}",
        seq.stem,
        if partial.is_empty() {
            ""
        } else {
            " Not every step is listed."
        }
    );
    let rationale = format!("The recorded sequence is: {}.{partial}", full.join(" → "));
    Some(build::ordered_response(
        kb,
        &meta.about(seq.subject),
        seed,
        stem,
        options,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Delegation

/// Tasks recorded as delegable to `role` (for the RN: with a reason it must not be delegated).
fn tasks(kb: &KnowledgeBase, role: &str) -> Vec<String> {
    kb.subjects(DEL)
        .iter()
        .filter(|task| {
            kb.value(DEL, task, "delegable_to")
                .is_some_and(|fact| fact.text() == role)
        })
        .filter(|task| role != "rn" || kb.value(DEL, task, "not_delegable_because").is_some())
        .cloned()
        .collect()
}

/// Why a task goes to the role it does, and the facts behind that.
fn task_reason<'a>(kb: &'a KnowledgeBase, task: &str) -> Option<(String, Vec<&'a Fact>)> {
    let role = kb.value(DEL, task, "delegable_to")?;
    let name = sentence(task);
    match role.text() {
        "uap" => {
            let scope = kb
                .values(DEL, "uap", "role_scope")
                .into_iter()
                .find(|fact| fact.text().contains("routine"));
            let mut facts = vec![role];
            facts.extend(scope);
            Some((
                format!(
                    "{name} is a routine task for a stable client with a predictable outcome, within the UAP's scope, so the RN may delegate it to the UAP."
                ),
                facts,
            ))
        }
        "lpn" => {
            let scope = kb
                .values(DEL, "lpn", "role_scope")
                .into_iter()
                .find(|fact| fact.text().contains("stable"));
            let mut facts = vec![role];
            facts.extend(scope);
            Some((
                format!(
                    "{name} needs a licensed nurse: the RN may assign it to the LPN (stable client, predictable outcome) but not to the UAP."
                ),
                facts,
            ))
        }
        "rn" => {
            let because = kb.value(DEL, task, "not_delegable_because")?;
            Some((
                format!("{name} stays with the RN: {}.", because.text()),
                vec![role, because],
            ))
        }
        _ => None,
    }
}

fn task_opt(kb: &KnowledgeBase, task: &str) -> Option<Opt> {
    let (why, facts) = task_reason(kb, task)?;
    Some(Opt::new(sentence(task), why, &facts))
}

fn uap_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    tasks(kb, "uap")
        .iter()
        .flat_map(|task| cases_n(task, DEL, 3))
        .collect()
}

/// "Which task may the RN delegate to the UAP?"
fn uap_task_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key = task_opt(kb, &case.subject)?;
    let pool: Vec<String> = tasks(kb, "rn")
        .into_iter()
        .chain(tasks(kb, "lpn"))
        .collect();
    let chosen = rng.sample(&pool, 3);
    let distractors: Vec<Opt> = chosen
        .iter()
        .filter_map(|task| task_opt(kb, task))
        .collect();
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        "The RN is organizing care for clients on a medical-surgical unit. Which task may the RN delegate to the unlicensed assistive personnel (UAP)?",
        "An RN is working with unlicensed assistive personnel (UAP) today. Which task is appropriate for the RN to delegate to the UAP?",
        "Which task can the charge nurse safely delegate to the unlicensed assistive personnel (UAP)?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let rationale = "The RN may delegate to the UAP routine tasks for stable clients with predictable outcomes (activities of daily living, vital signs, intake and output). Assessment, planning, evaluation, initial teaching and care of unstable clients stay with the RN; medication administration and sterile procedures need a licensed nurse.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

fn rn_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    tasks(kb, "rn")
        .iter()
        .flat_map(|task| cases_n(task, DEL, 3))
        .collect()
}

/// "Which task must the RN keep rather than delegate?"
fn rn_only_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key = task_opt(kb, &case.subject)?;
    let pool: Vec<String> = tasks(kb, "uap")
        .into_iter()
        .chain(tasks(kb, "lpn"))
        .collect();
    // Re-draw until no option stands out by length.
    let chosen = (0..20).map(|_| rng.sample(&pool, 3)).find(|set| {
        let texts: Vec<&str> = set
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(case.subject.as_str()))
            .collect();
        balanced(&texts, &case.subject)
    })?;
    let distractors: Vec<Opt> = chosen
        .iter()
        .filter_map(|task| task_opt(kb, task))
        .collect();
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        "The RN is working with an LPN and a UAP. Which task must the RN keep rather than delegate?",
        "Which task should the RN not delegate to another member of the care team?",
        "The charge nurse reviews the RN's delegation plan. Which task must remain with the RN?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let rationale = "The RN cannot delegate the nursing process itself: assessment, nursing judgment, care planning, evaluation and initial teaching, or the care of clients who are unstable or whose outcomes are unpredictable. The RN remains accountable for every delegation decision.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

fn all_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ["uap", "lpn", "rn"]
        .iter()
        .flat_map(|role| tasks(kb, role))
        .flat_map(|task| cases_n(&task, DEL, 4))
        .collect()
}

/// Matrix: for each task, the least-licensed team member who may do it.
fn team_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let roles = ["uap", "lpn", "rn"];
    let role_of = |task: &str| {
        kb.value(DEL, task, "delegable_to")
            .and_then(|fact| roles.iter().position(|role| *role == fact.text()))
    };
    let anchor_role = role_of(&case.subject)?;
    let other_roles: Vec<&str> = roles
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != anchor_role)
        .map(|(_, role)| *role)
        .collect();
    let second_pool = tasks(kb, rng.pick(&other_roles)?);
    let second = rng.pick(&second_pool)?.clone();
    let mut rest: Vec<String> = roles
        .iter()
        .flat_map(|role| tasks(kb, role))
        .filter(|task| *task != case.subject && *task != second)
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let chosen: Vec<String> = [case.subject.clone(), second]
        .into_iter()
        .chain(rest.into_iter().take(count - 2))
        .collect();
    let mut rows = Vec::new();
    for task in &chosen {
        let (why, facts) = task_reason(kb, task)?;
        rows.push(MatrixRow {
            text: sentence(task),
            column: role_of(task)?,
            rationale: why,
            facts: ids(&facts),
        });
    }
    let stem = "The RN is planning care with a team that includes a licensed practical nurse (LPN) and unlicensed assistive personnel (UAP). For each task, select the least-licensed team member to whom the RN may delegate it, or RN only if the RN must do it.".to_owned();
    let rationale = "Delegate to the least-licensed member whose scope fits: routine care of stable clients to the UAP; medications and sterile procedures for stable clients to the LPN; assessment, planning, evaluation, initial teaching and unstable clients remain with the RN.".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &["UAP", "LPN", "RN only"],
        rows,
        rationale,
    ))
}

fn five_rights_cases(kb: &KnowledgeBase) -> Vec<Case> {
    kb.values(DEL, "five rights of delegation", "five_rights")
        .iter()
        .flat_map(|fact| cases_n(fact.text(), DEL, 4))
        .collect()
}

/// SATA: which are among the five rights of delegation.
fn five_rights_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let rights = kb.values(DEL, "five rights of delegation", "five_rights");
    let anchor = rights.iter().find(|fact| fact.text() == case.subject)?;
    let others: Vec<&Fact> = rights
        .iter()
        .copied()
        .filter(|fact| fact.id != anchor.id)
        .collect();
    let key_count = 2 + rng.below(3);
    let mut keys = vec![*anchor];
    keys.extend(rng.sample(&others, key_count - 1));
    let med_rights: Vec<&Fact> = kb
        .values(PROC, "rights of medication administration", "rule")
        .into_iter()
        .filter(|fact| fact.text() != "right client")
        .filter(|fact| !rights.iter().any(|right| right.norm() == fact.norm()))
        .collect();
    let distractor_count = if key_count == 4 {
        2
    } else {
        6 - key_count - rng.below(2)
    };
    let distractors = rng.sample(&med_rights, distractor_count);
    if distractors.len() < distractor_count || distractors.len() < 2 {
        return None;
    }
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is right {} of the five rights of delegation.{}",
                    sentence(fact.text()),
                    fact.order.unwrap_or(0),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(sentence(fact.text()), format!("{} is one of the rights of medication administration, not one of the five rights of delegation.", sentence(fact.text())), &[*fact]))
        .collect();
    let stem = "Before delegating a task to unlicensed assistive personnel, the RN reviews the five rights of delegation. Which principles are among them? Select all that apply.".to_owned();
    let list: Vec<String> = rights.iter().map(|fact| fact.text().to_owned()).collect();
    let rationale = format!("The five rights of delegation are {}.", join_and(&list));
    Some(build::multiple_response(
        kb,
        &meta.about("five rights of delegation"),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

fn non_uap_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    tasks(kb, "rn")
        .into_iter()
        .chain(tasks(kb, "lpn"))
        .flat_map(|task| cases_n(&task, DEL, 4))
        .collect()
}

/// Highlight the tasks in a delegation list that should not have gone to the UAP.
fn delegation_highlight(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let mut keys = vec![case.subject.clone()];
    if rng.below(2) == 1 {
        let others: Vec<String> = tasks(kb, "rn")
            .into_iter()
            .chain(tasks(kb, "lpn"))
            .filter(|task| *task != case.subject)
            .collect();
        keys.push(rng.pick(&others)?.clone());
    }
    let filler_count = 4 + rng.below(2);
    let fillers = rng.sample(&tasks(kb, "uap"), filler_count);
    let mut lines: Vec<(bool, String)> = keys
        .into_iter()
        .map(|task| (true, task))
        .chain(fillers.into_iter().map(|task| (false, task)))
        .collect();
    rng.shuffle(&mut lines);
    let mut segments = Vec::new();
    for (is_key, task) in &lines {
        segments.push((*is_key, task_opt(kb, task)?));
    }
    let stem = "The charge nurse reviews the list of tasks an RN delegated to the unlicensed assistive personnel (UAP) for the shift. Highlight the tasks that should not have been delegated to the UAP.".to_owned();
    let rationale = "Only routine tasks for stable clients with predictable outcomes belong on a UAP's list. Tasks that need a licensed nurse (medications, sterile procedures) or RN judgment (assessment, planning, evaluation, initial teaching, unstable clients) should not have been delegated to the UAP.".to_owned();
    Some(build::highlight(kb, &meta, seed, stem, segments, rationale))
}

// ---------------------------------------------------------------------------------------------
// Priority frameworks

/// Priority examples as client descriptions: (fact subject, fact text, option text, tier, why it
/// ranks where it does). Lower tiers come first under the recorded rules.
const PRIORITY_CLIENTS: [(&str, &str, &str, u32, &str); 7] = [
    (
        "abc",
        "airway obstruction from secretions in a client with a decreased level of consciousness",
        "A client with decreased consciousness and secretions in the airway",
        1,
        "An obstructed airway comes first in the ABC order",
    ),
    (
        "abc",
        "respiratory depression after an opioid",
        "A client with respiratory depression after an opioid dose",
        2,
        "Breathing comes right after airway in the ABC order",
    ),
    (
        "abc",
        "active hemorrhage with hypotension",
        "A client with active hemorrhage and hypotension",
        3,
        "Circulation comes after airway and breathing in the ABC order",
    ),
    (
        "unexpected versus expected",
        "new confusion in a postoperative client",
        "A postoperative client with new confusion",
        4,
        "New confusion is an unexpected finding that needs prompt assessment, but it ranks after threats to airway, breathing or circulation",
    ),
    (
        "unexpected versus expected",
        "incisional pain on the first postoperative day",
        "A client with incisional pain on postoperative day 1",
        5,
        "Incisional pain on the first postoperative day is an expected finding; unexpected findings come first",
    ),
    (
        "maslow",
        "contact with family and support groups",
        "A client who wants contact with family and support groups",
        5,
        "Contact with family is a love-and-belonging need, met after physiological and safety needs",
    ),
    (
        "maslow",
        "body image and self-worth concerns",
        "A client expressing body image and self-worth concerns",
        5,
        "Body-image concerns are an esteem need, met after physiological and safety needs",
    ),
];

fn priority_client<'a>(
    kb: &'a KnowledgeBase,
    entry: &(&str, &str, &str, u32, &str),
) -> Option<(&'a Fact, Option<&'a Fact>)> {
    let example = kb
        .values(PRI, entry.0, "example")
        .into_iter()
        .find(|fact| fact.norm() == normalise(entry.1))?;
    let rule = kb.value(PRI, entry.0, "rule");
    Some((example, rule))
}

fn priority_cases(kb: &KnowledgeBase) -> Vec<Case> {
    PRIORITY_CLIENTS
        .iter()
        .filter(|entry| entry.3 <= 4 && priority_client(kb, entry).is_some())
        .flat_map(|entry| cases_n(entry.1, PRI, 3))
        .collect()
}

/// "Which client should the nurse see first?"
fn priority_first_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key_entry = PRIORITY_CLIENTS
        .iter()
        .find(|entry| entry.1 == case.subject)?;
    let (key_fact, key_rule) = priority_client(kb, key_entry)?;
    let lower: Vec<&(&str, &str, &str, u32, &str)> = PRIORITY_CLIENTS
        .iter()
        .filter(|entry| entry.3 > key_entry.3 && priority_client(kb, entry).is_some())
        .collect();
    let chosen = rng.sample(&lower, 3);
    if chosen.len() < 3 {
        return None;
    }
    let facts_of = |fact: &'_ Fact, rule: Option<&'_ Fact>| -> Vec<String> {
        std::iter::once(fact.id.clone())
            .chain(rule.map(|rule| rule.id.clone()))
            .collect()
    };
    let key = Opt {
        text: key_entry.2.to_owned(),
        rationale: format!(
            "{}. This client outranks the others.{}",
            key_entry.4,
            key_rule
                .map(|rule| format!(" Rule: {}.", rule.text()))
                .unwrap_or_default()
        ),
        facts: facts_of(key_fact, key_rule),
    };
    let mut distractors = Vec::new();
    for entry in chosen {
        let (fact, rule) = priority_client(kb, entry)?;
        distractors.push(Opt {
            text: entry.2.to_owned(),
            rationale: format!("{}.", entry.4),
            facts: facts_of(fact, rule),
        });
    }
    let frames = [
        "The nurse receives report on four clients. Which client should the nurse see first?",
        "After shift report, which client should the nurse assess first?",
        "The nurse is setting priorities for four assigned clients. Which client has the highest priority?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let rationale = "Threats to airway, breathing and circulation come first, in that order; then unexpected findings before expected ones; physiological and safety needs come before love-and-belonging and esteem needs (Maslow).".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(key_entry.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

fn esi_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.values(PRI, "esi", "level").len() < 5 {
        return Vec::new();
    }
    (0..32)
        .map(|variant| Case::new("esi", PRI, variant))
        .collect()
}

/// The listed items of a `category_meaning` fact whose condition matches.
fn esi_list<'a>(kb: &'a KnowledgeBase, condition: &str) -> Option<(&'a Fact, Vec<String>)> {
    let fact = kb
        .values(PRI, "esi", "category_meaning")
        .into_iter()
        .find(|fact| fact.condition == condition)?;
    let items = fact.text().split(", ").map(str::to_owned).collect();
    Some((fact, items))
}

/// ESI level from a stable adult's anticipated needs (or new confusion for ESI 2).
fn esi_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let levels = kb.values(PRI, "esi", "level");
    let level = 2 + (case.variant % 4) as usize;
    let (counted_fact, counted) = esi_list(kb, "counted as resources")?;
    let (free_fact, free) = esi_list(kb, "not counted as resources")?;
    let (stem, mut facts) = if level == 2 {
        let who = [
            "An adult client",
            "An older adult client",
            "A middle-aged client",
        ][rng.below(3)];
        let sign = ["new confusion", "new lethargy"][rng.below(2)];
        let when = ["this morning", "2 hours ago", "during the night"][rng.below(3)];
        (
            format!(
                "{who} is brought to the emergency department by family because of {sign} that began {when}. The client does not need an immediate life-saving intervention. Which Emergency Severity Index (ESI) level should the triage nurse assign?"
            ),
            vec![],
        )
    } else {
        let resources: Vec<String> = match level {
            3 => loop {
                let pair = rng.sample(&counted, 2);
                let joined = pair.join(" ");
                if !(joined.contains("ECG") && joined.contains("imaging")) {
                    break pair;
                }
            },
            4 => rng.sample(&counted, 1),
            _ => Vec::new(),
        };
        let extra = if level == 5 {
            1 + rng.below(2)
        } else {
            rng.below(2)
        };
        let mut needs = resources.clone();
        needs.extend(rng.sample(&free, extra));
        rng.shuffle(&mut needs);
        (
            format!(
                "An adult client with stable vital signs comes to the emergency department. The triage nurse anticipates that the client will need {}. Which Emergency Severity Index (ESI) level should the nurse assign?",
                join_and(&needs)
            ),
            vec![counted_fact, free_fact],
        )
    };
    let key_fact = *levels.get(level - 1)?;
    facts.push(key_fact);
    let label = |fact: &Fact| {
        fact.text()
            .split(':')
            .next()
            .unwrap_or_default()
            .replace("ESI ", "ESI level ")
    };
    let meaning = |fact: &Fact| {
        fact.text()
            .split_once(": ")
            .map_or(String::new(), |(_, rest)| rest.to_owned())
    };
    let key = Opt::new(
        label(key_fact),
        format!("{}: {}.", label(key_fact), meaning(key_fact)),
        &facts,
    );
    let others: Vec<&Fact> = levels
        .iter()
        .copied()
        .filter(|fact| fact.id != key_fact.id)
        .collect();
    let distractors = rng
        .sample(&others, 3)
        .into_iter()
        .map(|fact| {
            Opt::new(
                label(fact),
                format!(
                    "{} is assigned for: {}. This client does not fit it.",
                    label(fact),
                    meaning(fact)
                ),
                &[fact],
            )
        })
        .collect();
    let rationale = format!(
        "ESI sorts by acuity, then by the number of resources expected. Counted resources: {}. Not counted: {}.",
        counted.join(", "),
        free.join(", ")
    );
    Some(build::multiple_choice(
        kb,
        &meta.about("esi"),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Isolation and hand hygiene

/// Organisms with a single precaution: (subject, who, stem phrase). Recorded conditions are folded
/// into the phrase (meningococcal meningitis, Hib epiglottitis, symptomatic norovirus, a young
/// child with group A streptococcal pharyngitis).
const ORGANISMS: [(&str, &str, &str); 22] = [
    (
        "pulmonary tuberculosis",
        "client",
        "suspected pulmonary tuberculosis",
    ),
    ("measles (rubeola)", "client", "measles (rubeola)"),
    ("seasonal influenza", "client", "seasonal influenza"),
    ("pertussis", "client", "pertussis"),
    (
        "neisseria meningitidis",
        "client",
        "meningococcal meningitis",
    ),
    (
        "haemophilus influenzae type b",
        "client",
        "Haemophilus influenzae type b epiglottitis",
    ),
    ("mumps", "client", "mumps"),
    ("rubella", "client", "rubella"),
    (
        "mycoplasma pneumoniae",
        "client",
        "Mycoplasma pneumoniae pneumonia",
    ),
    (
        "group a streptococcal pharyngitis",
        "young child",
        "group A streptococcal pharyngitis",
    ),
    ("mrsa", "client", "an MRSA wound infection"),
    ("vre", "client", "a VRE infection"),
    (
        "clostridioides difficile",
        "client",
        "Clostridioides difficile infection",
    ),
    ("norovirus", "client", "symptomatic norovirus infection"),
    ("rotavirus", "client", "rotavirus gastroenteritis"),
    ("scabies", "client", "scabies"),
    (
        "head lice (pediculosis)",
        "client",
        "head lice (pediculosis)",
    ),
    ("impetigo", "client", "impetigo"),
    (
        "acute viral conjunctivitis",
        "client",
        "acute viral conjunctivitis",
    ),
    ("hiv", "client", "HIV infection"),
    ("hepatitis b", "client", "hepatitis B"),
    ("hepatitis c", "client", "hepatitis C"),
];

const PRECAUTION_TYPES: [&str; 4] = [
    "airborne precautions",
    "droplet precautions",
    "contact precautions",
    "standard precautions",
];

fn organism_entry(subject: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    ORGANISMS.iter().find(|entry| entry.0 == subject)
}

/// The organism's single precaution fact (one of the four types).
fn single_precaution<'a>(kb: &'a KnowledgeBase, organism: &str) -> Option<&'a Fact> {
    let facts = kb.values(ISO, organism, "precaution");
    if facts.len() != 1 {
        return None;
    }
    let fact = facts[0];
    PRECAUTION_TYPES.contains(&fact.text()).then_some(fact)
}

/// "Measles (rubeola)" or "Group A streptococcal pharyngitis (young child)".
fn organism_row(entry: &(&str, &str, &str)) -> String {
    let phrase = entry.2.trim_start_matches("an ").trim_start_matches("a ");
    if entry.1 == "client" {
        sentence(phrase)
    } else {
        format!("{} ({})", sentence(phrase), entry.1)
    }
}

fn organism_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ORGANISMS
        .iter()
        .filter(|entry| single_precaution(kb, entry.0).is_some())
        .flat_map(|entry| cases_n(entry.0, ISO, 2))
        .collect()
}

fn transmission_organism_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ORGANISMS
        .iter()
        .filter(|entry| {
            single_precaution(kb, entry.0).is_some_and(|fact| fact.text() != "standard precautions")
        })
        .flat_map(|entry| cases_n(entry.0, ISO, 6))
        .collect()
}

fn precaution_rationale(kb: &KnowledgeBase, organism: &str, precaution: &Fact) -> String {
    let duration = kb
        .value(ISO, organism, "duration")
        .map(|fact| format!(" Duration: {}.", fact.text()))
        .unwrap_or_default();
    let condition = if precaution.condition.is_empty() {
        String::new()
    } else {
        format!(" ({})", precaution.condition)
    };
    format!(
        "{} requires {}{condition}.{duration}{}",
        organism_entry(organism).map_or_else(|| sentence(organism), organism_row),
        precaution.text(),
        cite_note(precaution)
    )
}

/// "Which precautions does a client with X need?"
fn precaution_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = organism_entry(&case.subject)?;
    let precaution = single_precaution(kb, entry.0)?;
    // Standard precautions apply to every client, so they are never a wrong answer to "which
    // precautions": when the key is transmission-based, the stem asks what to add to them and
    // standard precautions are not offered.
    let transmission_based = precaution.text() != "standard precautions";
    let others: Vec<&str> = PRECAUTION_TYPES
        .iter()
        .copied()
        .filter(|kind| *kind != precaution.text())
        .filter(|kind| !transmission_based || *kind != "standard precautions")
        .collect();
    let key = Opt::new(
        sentence(precaution.text()),
        precaution_rationale(kb, entry.0, precaution),
        &[precaution],
    );
    let mut distractors = Vec::new();
    let wanted = if transmission_based { 2 } else { 3 };
    for kind in rng.sample(&others, wanted) {
        let example = ORGANISMS
            .iter()
            .find_map(|other| single_precaution(kb, other.0).filter(|fact| fact.text() == kind));
        let example = example?;
        distractors.push(Opt::new(
            sentence(kind),
            format!(
                "{} are used for organisms such as {}, not for {}.",
                sentence(kind),
                example.subject,
                entry.2.trim_start_matches("an ").trim_start_matches("a ")
            ),
            &[example],
        ));
    }
    let frames = if transmission_based {
        [
            format!(
                "A {} is admitted with {}. In addition to standard precautions, which precautions should the nurse implement?",
                entry.1, entry.2
            ),
            format!(
                "The nurse is preparing a room for a {} with {}. Which transmission-based precautions are required?",
                entry.1, entry.2
            ),
        ]
    } else {
        [
            format!(
                "A {} is admitted with {}. Which type of precautions should the nurse implement?",
                entry.1, entry.2
            ),
            format!(
                "The nurse is preparing a room for a {} with {}. Which precautions are required?",
                entry.1, entry.2
            ),
        ]
    };
    let stem = frames[case.variant as usize % frames.len()].clone();
    let rationale = "Transmission-based precautions follow the route of spread: airborne for small particles that stay suspended (negative-pressure room, N95), droplet for large droplets (surgical mask), contact for direct or indirect contact (gown and gloves). Standard precautions alone apply to bloodborne pathogens.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(entry.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Matrix: airborne, droplet or contact for each organism.
fn organism_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let columns = [
        "airborne precautions",
        "droplet precautions",
        "contact precautions",
    ];
    let eligible: Vec<&(&str, &str, &str)> = ORGANISMS
        .iter()
        .filter(|entry| {
            single_precaution(kb, entry.0).is_some_and(|fact| columns.contains(&fact.text()))
        })
        .collect();
    let anchor = eligible.iter().find(|entry| entry.0 == case.subject)?;
    let column_of = |entry: &(&str, &str, &str)| {
        single_precaution(kb, entry.0)
            .and_then(|fact| columns.iter().position(|column| *column == fact.text()))
    };
    let anchor_column = column_of(anchor)?;
    let different: Vec<&&(&str, &str, &str)> = eligible
        .iter()
        .filter(|entry| column_of(entry).is_some_and(|column| column != anchor_column))
        .collect();
    let second = **rng.pick(&different)?;
    let mut rest: Vec<&(&str, &str, &str)> = eligible
        .iter()
        .copied()
        .filter(|entry| entry.0 != anchor.0 && entry.0 != second.0)
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let chosen: Vec<&(&str, &str, &str)> = [*anchor, second]
        .into_iter()
        .chain(rest.into_iter().take(count - 2))
        .collect();
    let mut rows = Vec::new();
    for entry in chosen {
        let fact = single_precaution(kb, entry.0)?;
        rows.push(MatrixRow {
            text: organism_row(entry),
            column: column_of(entry)?,
            rationale: precaution_rationale(kb, entry.0, fact),
            facts: vec![fact.id.clone()],
        });
    }
    let stem = "The infection preventionist reviews the unit's admissions. For each client's diagnosis, select the transmission-based precautions the nurse should implement.".to_owned();
    let rationale = "Airborne: tuberculosis, measles (negative-pressure room, N95). Droplet: influenza, pertussis, meningococcal disease, Hib, mumps, rubella, Mycoplasma (surgical mask). Contact: MRSA, VRE, C. difficile, norovirus, rotavirus, scabies, lice, impetigo, viral conjunctivitis (gown and gloves).".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &["Airborne", "Droplet", "Contact"],
        rows,
        rationale,
    ))
}

/// The first `attribute` fact of a precaution type whose text starts with `prefix`.
fn precaution_fact<'a>(
    kb: &'a KnowledgeBase,
    kind: &str,
    attribute: &str,
    prefix: &str,
) -> Option<&'a Fact> {
    kb.values(ISO, kind, attribute)
        .into_iter()
        .find(|fact| fact.text().starts_with(prefix))
}

/// Triad: organism → precaution → PPE and room.
fn precaution_ddr(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = organism_entry(&case.subject)?;
    let precaution = single_precaution(kb, entry.0)?;
    let kinds = [
        "airborne precautions",
        "droplet precautions",
        "contact precautions",
    ];
    let ppe: Vec<&Fact> = kinds
        .iter()
        .map(|kind| precaution_fact(kb, kind, "ppe", ""))
        .collect::<Option<_>>()?;
    let mut rooms: Vec<&Fact> = kinds
        .iter()
        .map(|kind| precaution_fact(kb, kind, "room", ""))
        .collect::<Option<_>>()?;
    rooms.extend(precaution_fact(
        kb,
        "protective environment",
        "room",
        "positive",
    ));
    let index = kinds.iter().position(|kind| *kind == precaution.text())?;
    let kind_opt = |i: usize| -> Opt {
        let why = if i == index {
            precaution_rationale(kb, entry.0, precaution)
        } else {
            format!(
                "{} do not fit {}; it needs {}.",
                sentence(kinds[i]),
                entry.2,
                precaution.text()
            )
        };
        Opt {
            text: kinds[i].to_owned(),
            rationale: why,
            facts: vec![precaution.id.clone()],
        }
    };
    let fact_opt = |fact: &Fact, is_key: bool| -> Opt {
        let why = if is_key {
            format!(
                "{} requires {}.{}",
                sentence(&fact.subject),
                fact.text(),
                cite_note(fact)
            )
        } else {
            format!(
                "{} belongs to {}, not to {}.",
                sentence(fact.text()),
                fact.subject,
                precaution.text()
            )
        };
        Opt::new(fact.text(), why, &[fact])
    };
    let slot1 = SlotSpec {
        key: kind_opt(index),
        distractors: (0..3).filter(|i| *i != index).map(kind_opt).collect(),
    };
    let slot2 = SlotSpec {
        key: fact_opt(ppe[index], true),
        distractors: (0..3)
            .filter(|i| *i != index)
            .map(|i| fact_opt(ppe[i], false))
            .collect(),
    };
    // A droplet room (private, door may stay open) is also right for contact precautions and
    // the other way round: such a room is never a wrong answer.
    let room_distractors: Vec<Opt> = rooms
        .iter()
        .enumerate()
        .filter(|(i, fact)| *i != index && !shared_precaution_fact(fact, precaution.text()))
        .map(|(_, fact)| fact_opt(fact, false))
        .collect();
    if room_distractors.len() < 2 {
        return None;
    }
    let slot3 = SlotSpec {
        key: fact_opt(rooms[index], true),
        distractors: room_distractors,
    };
    let frames = [
        format!(
            "A {} is admitted with {}. Drag words from the choices below to fill in each blank in the following sentence.",
            entry.1, entry.2
        ),
        format!(
            "The nurse prepares to admit a {} with {}. Drag the choices below to complete the sentence.",
            entry.1, entry.2
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    let template = "Because the client requires {{1}}, staff must wear a {{2}}, and the client is placed in a {{3}}.".to_owned();
    let rationale = format!(
        "{} The precaution type decides both the protective equipment and the room.",
        precaution_rationale(kb, entry.0, precaution)
    );
    Some(build::drag_drop_rationale(
        kb,
        &meta.about(entry.0),
        seed,
        stem,
        template,
        vec![slot1, slot2, slot3],
        rationale,
    ))
}

/// Facts that never serve as a distractor for `kind` because they also hold for it.
fn shared_precaution_fact(fact: &Fact, kind: &str) -> bool {
    let text = fact.text();
    text.starts_with("limit transport")
        || text.starts_with("susceptible staff")
        || text.starts_with("standard precautions")
        || text.starts_with("minimize time")
        || text.starts_with("for allogeneic")
        || (fact.subject == "droplet precautions" && text.starts_with("if sharing"))
        || (fact.subject == "contact precautions" && text.starts_with("remove gown"))
        || (kind == "contact precautions"
            && fact.subject == "droplet precautions"
            && fact.attribute == "room")
        || (kind == "droplet precautions"
            && fact.subject == "contact precautions"
            && fact.attribute == "room")
}

fn precaution_type_facts<'a>(kb: &'a KnowledgeBase, kind: &str) -> Vec<&'a Fact> {
    ["ppe", "room", "transport", "note"]
        .iter()
        .flat_map(|attribute| kb.values(ISO, kind, attribute))
        .filter(|fact| {
            !fact.text().starts_with("susceptible staff")
                && !fact.text().starts_with("limit transport")
        })
        .collect()
}

/// SATA: which actions for a client with X.
fn precaution_actions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = organism_entry(&case.subject)?;
    let precaution = single_precaution(kb, entry.0)?;
    let kind = precaution.text();
    let mut own = precaution_type_facts(kb, kind);
    let soap = kb
        .values(ISO, "hand hygiene", "hand_hygiene")
        .into_iter()
        .find(|fact| {
            (entry.0 == "clostridioides difficile" && fact.text().contains("Clostridioides"))
                || (entry.0 == "norovirus" && fact.text().contains("norovirus"))
        });
    own.extend(soap);
    let key_count = 2 + rng.below(2).min(own.len().saturating_sub(2));
    let keys = rng.sample(&own, key_count);
    let mut seen: BTreeSet<String> = own.iter().map(|fact| fact.norm().to_owned()).collect();
    let pool: Vec<&Fact> = [
        "airborne precautions",
        "droplet precautions",
        "contact precautions",
        "protective environment",
    ]
    .iter()
    .filter(|other| **other != kind)
    .flat_map(|other| {
        ["ppe", "room", "transport", "note"]
            .iter()
            .flat_map(move |attribute| kb.values(ISO, other, attribute))
    })
    .filter(|fact| !shared_precaution_fact(fact, kind))
    .filter(|fact| {
        !["ppe", "room", "transport", "note"]
            .iter()
            .any(|attribute| kb.states_fact(ISO, kind, attribute, fact))
    })
    .filter(|fact| seen.insert(fact.norm().to_owned()))
    .collect();
    let distractor_count = 5 + rng.below(2) - key_count;
    let distractors = rng.sample(&pool, distractor_count);
    if distractors.len() < distractor_count {
        return None;
    }
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is part of {} ({}).{}",
                    sentence(fact.text()),
                    if fact.subject == "hand hygiene" {
                        "hand hygiene for this organism".to_owned()
                    } else {
                        kind.to_owned()
                    },
                    entry.2.trim_start_matches("an ").trim_start_matches("a "),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} belongs to {}, which this client does not need; the client needs {}.",
                    sentence(fact.text()),
                    fact.subject,
                    kind
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = format!(
        "A {} with {} is admitted to the medical unit. Which measures should the nurse include in the client's care? Select all that apply.",
        entry.1, entry.2
    );
    let rationale = precaution_rationale(kb, entry.0, precaution);
    Some(build::multiple_response(
        kb,
        &meta.about(entry.0),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

/// Organisms for which an alcohol-based rub is the preferred hand hygiene when hands are clean.
const RUB_ORGANISMS: [&str; 8] = [
    "an MRSA wound infection",
    "a VRE infection",
    "seasonal influenza",
    "pulmonary tuberculosis",
    "pertussis",
    "hepatitis B",
    "HIV infection",
    "mumps",
];

/// Hand-hygiene situations: (text, column 0 rub / 1 soap, hand_hygiene fact prefixes).
fn hand_hygiene_rows() -> Vec<(String, usize, Vec<&'static str>)> {
    let mut rows = vec![
        (
            "Leaving the room of a client with Clostridioides difficile infection".to_owned(),
            1,
            vec!["soap and water after caring for a client with Clostridioides"],
        ),
        (
            "Leaving the room of a client with symptomatic norovirus infection".to_owned(),
            1,
            vec!["soap and water after caring for a client with norovirus"],
        ),
        (
            "Hands are visibly soiled with a client's blood".to_owned(),
            1,
            vec!["soap and water when hands are visibly soiled"],
        ),
        (
            "Hands are visibly soiled with wound drainage".to_owned(),
            1,
            vec!["soap and water when hands are visibly soiled"],
        ),
        (
            "Hands are visibly soiled after helping a client with toileting".to_owned(),
            1,
            vec!["soap and water when hands are visibly soiled"],
        ),
    ];
    for organism in RUB_ORGANISMS {
        rows.push((
            format!("Before touching a client with {organism}; hands not visibly soiled"),
            0,
            vec![
                "alcohol-based hand rub",
                "before and after direct client contact",
            ],
        ));
        rows.push((
            format!("After removing gloves, client with {organism}; hands look clean"),
            0,
            vec!["alcohol-based hand rub", "after removing gloves"],
        ));
    }
    rows
}

fn hand_hygiene_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.values(ISO, "hand hygiene", "hand_hygiene").len() < 4 {
        return Vec::new();
    }
    (0..hand_hygiene_rows().len() as u32 * 3)
        .map(|variant| Case::new("hand hygiene", ISO, variant))
        .collect()
}

/// Matrix: alcohol rub or soap and water for each situation.
fn hand_hygiene_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = hand_hygiene_rows();
    let facts = kb.values(ISO, "hand hygiene", "hand_hygiene");
    let anchor = all.get(case.variant as usize % all.len())?.clone();
    let opposite: Vec<&(String, usize, Vec<&str>)> =
        all.iter().filter(|row| row.1 != anchor.1).collect();
    let second = (*rng.pick(&opposite)?).clone();
    let mut rest: Vec<(String, usize, Vec<&str>)> = all
        .iter()
        .filter(|row| row.0 != anchor.0 && row.0 != second.0)
        .cloned()
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let mut rows = Vec::new();
    let mut used_soiled = false;
    for (text, column, prefixes) in [anchor, second].into_iter().chain(rest) {
        if rows.len() >= count {
            break;
        }
        // One "visibly soiled" row per item is enough.
        if text.starts_with("Hands are visibly") {
            if used_soiled {
                continue;
            }
            used_soiled = true;
        }
        let row_facts: Vec<&Fact> = prefixes
            .iter()
            .filter_map(|prefix| {
                facts
                    .iter()
                    .copied()
                    .find(|fact| fact.text().starts_with(prefix))
            })
            .collect();
        if row_facts.len() != prefixes.len() {
            return None;
        }
        let why = if column == 1 {
            format!(
                "Soap and water is required: {}.",
                row_facts
                    .iter()
                    .map(|fact| fact.text())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        } else {
            "An alcohol-based hand rub is preferred when hands are not visibly soiled; it is effective against this organism.".to_owned()
        };
        rows.push(MatrixRow {
            text,
            column,
            rationale: why,
            facts: ids(&row_facts),
        });
    }
    let stem =
        "For each situation, select the preferred hand hygiene method for the nurse.".to_owned();
    let rationale = "An alcohol-based hand rub is preferred whenever hands are not visibly soiled. Wash with soap and water when hands are visibly soiled or contaminated with body fluids, and after caring for a client with C. difficile or norovirus, which alcohol does not reliably inactivate.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about("hand hygiene"),
        seed,
        stem,
        &["Alcohol-based hand rub", "Soap and water"],
        rows,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// START triage

/// START scenarios: (rule prefix, level index 0 red / 1 yellow / 2 green / 3 black).
const START_SCENARIOS: [(&str, usize); 8] = [
    ("able to walk", 2),
    ("not breathing after airway repositioning", 3),
    ("breathing only after airway repositioning", 0),
    ("respiratory rate above 30", 0),
    ("capillary refill above 2", 0),
    ("absent radial pulse", 0),
    ("cannot follow simple commands", 0),
    ("breathing 30/min or less", 1),
];

fn start_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.values(PRI, "start triage", "level").len() != 4 {
        return Vec::new();
    }
    (0..START_SCENARIOS.len() as u32 * 8)
        .map(|variant| Case::new("start triage", PRI, variant))
        .collect()
}

/// START tag for a described victim.
fn start_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let (prefix, level) = START_SCENARIOS[case.variant as usize % START_SCENARIOS.len()];
    let rule = kb
        .values(PRI, "start triage", "rule")
        .into_iter()
        .find(|fact| fact.text().starts_with(prefix))?;
    let levels = kb.values(PRI, "start triage", "level");
    let meanings = kb.values(PRI, "start triage", "category_meaning");
    let injuries = [
        "an open fracture of the lower leg",
        "burns to both legs",
        "a crushed foot",
        "a deep laceration of the thigh",
        "a deformed, swollen ankle",
    ];
    let injury = injuries[rng.below(injuries.len())];
    let slow_rr = 14 + rng.below(15);
    let description = match prefix {
        "able to walk" => {
            let minor = [
                "abrasions on both forearms",
                "a small laceration on one hand",
                "a swollen wrist",
                "bruises on the shoulder",
            ][rng.below(4)];
            format!("has {minor} and walks to the designated area when asked")
        }
        "not breathing after airway repositioning" => {
            "is not breathing and does not begin to breathe after the airway is repositioned"
                .to_owned()
        }
        "breathing only after airway repositioning" => {
            "is not breathing at first but begins to breathe after the airway is repositioned"
                .to_owned()
        }
        "respiratory rate above 30" => format!(
            "has {injury}, cannot walk, and is breathing at {}/min",
            32 + rng.below(12)
        ),
        "capillary refill above 2" => format!(
            "has {injury}, cannot walk, breathes at {slow_rr}/min, and has a capillary refill of {} seconds",
            3 + rng.below(3)
        ),
        "absent radial pulse" => format!(
            "has {injury}, cannot walk, breathes at {slow_rr}/min, and has no palpable radial pulse"
        ),
        "cannot follow simple commands" => format!(
            "has a head wound, cannot walk, breathes at {slow_rr}/min, has a palpable radial pulse, and does not follow simple commands"
        ),
        _ => format!(
            "has {injury}, cannot walk, breathes at {slow_rr}/min, has a palpable radial pulse and capillary refill under 2 seconds, and follows simple commands"
        ),
    };
    let colour = |index: usize| ["red", "yellow", "green", "black"][index];
    let meaning = |index: usize| {
        meanings
            .iter()
            .copied()
            .find(|fact| fact.condition.starts_with(colour(index)))
    };
    let opt = |index: usize, is_key: bool| -> Option<Opt> {
        let level_fact = levels.get(index).copied()?;
        let meaning_fact = meaning(index)?;
        let why = if is_key {
            format!(
                "START rule: {}. {}",
                rule.text(),
                sentence(meaning_fact.text())
            )
        } else {
            format!(
                "{} means {}; the rule that applies here is: {}.",
                sentence(level_fact.text()),
                meaning_fact.text(),
                rule.text()
            )
        };
        Some(Opt::new(
            sentence(level_fact.text()),
            why,
            &[level_fact, meaning_fact, rule],
        ))
    };
    let key = opt(level, true)?;
    let distractors: Vec<Opt> = (0..4)
        .filter(|index| *index != level)
        .map(|index| opt(index, false))
        .collect::<Option<_>>()?;
    let stem = format!(
        "During a mass-casualty incident, the nurse uses the START triage system. A victim {description}. Which triage tag should the nurse assign?"
    );
    let rationale = "START checks, in order: ability to walk (green), breathing (black if still apneic after airway repositioning; red if breathing starts), respiratory rate above 30/min (red), perfusion (capillary refill above 2 seconds or no radial pulse: red) and mental status (cannot follow simple commands: red); otherwise yellow.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about("start triage"),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Safety rules and transfusion

/// Topics of the safety-action matrix: (subject, stem context, appropriate attributes, extra
/// (family, subject) whose avoid facts also count).
/// (subject, stem context, appropriate attributes, extra (family, subject) avoid sources).
type SafetyTopic = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(Family, &'static str)],
);

const SAFETY_TOPICS: [SafetyTopic; 3] = [
    (
        "physical restraint safety",
        "a client in physical restraints",
        &["rule"],
        &[(MH, "restraint and seclusion for violent behavior")],
    ),
    (
        "seizure care",
        "a client having a tonic-clonic seizure",
        &["priority_intervention"],
        &[],
    ),
    (
        "blood transfusion",
        "a client receiving a unit of packed red blood cells",
        &["rule", "equipment", "time_limit"],
        &[],
    ),
];

/// An appropriate safety fact as an action row.
fn safety_row_text(fact: &Fact) -> Option<String> {
    match &fact.value {
        Value::Range {
            low: Some(low),
            high: Some(high),
            units,
        } if low == high && fact.condition.starts_with("maximum time to complete") => {
            Some(format!("Complete the unit within {} {units}", number(*low)))
        }
        Value::Range { .. } => None,
        Value::Text(text) if fact.attribute == "equipment" && text.starts_with("0.9%") => {
            Some("Use 0.9% sodium chloride as the only solution with the blood".to_owned())
        }
        Value::Text(text) if fact.attribute == "equipment" => {
            Some(format!("Use a {}", text.trim_start_matches("a ")))
        }
        Value::Text(text) => Some(sentence(text)),
    }
}

fn safety_action_cases(kb: &KnowledgeBase) -> Vec<Case> {
    SAFETY_TOPICS
        .iter()
        .filter(|topic| !kb.values(PROC, topic.0, "avoid").is_empty())
        .flat_map(|topic| cases_n(topic.0, PROC, 24))
        .collect()
}

/// Matrix: appropriate or requires follow-up, for each observed action.
fn safety_action_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let topic = SAFETY_TOPICS.iter().find(|topic| topic.0 == case.subject)?;
    let mut good: Vec<(String, &Fact)> = topic
        .2
        .iter()
        .flat_map(|attribute| kb.values(PROC, topic.0, attribute))
        .filter_map(|fact| safety_row_text(fact).map(|text| (text, fact)))
        .collect();
    if topic.0 == "seizure care" {
        good.extend(
            kb.values(PROC, "seizure precautions", "equipment")
                .into_iter()
                .map(|fact| (format!("Keep {} available", fact.text()), fact)),
        );
    }
    let mut bad: Vec<(String, &Fact)> = kb
        .values(PROC, topic.0, "avoid")
        .into_iter()
        .filter_map(|fact| avoid_action(fact).map(|text| (text, fact)))
        .collect();
    for (family, subject) in topic.3 {
        bad.extend(
            kb.values(*family, subject, "avoid")
                .into_iter()
                .filter_map(|fact| avoid_action(fact).map(|text| (text, fact))),
        );
    }
    if bad.is_empty() || good.len() < 2 {
        return None;
    }
    let bad_count = 1 + rng.below(bad.len().min(2));
    let good_count = (2 + rng.below(3)).min(good.len());
    let mut rows: Vec<MatrixRow> = rng
        .sample(&bad, bad_count)
        .into_iter()
        .map(|(text, fact)| MatrixRow {
            text,
            column: 1,
            rationale: format!(
                "Requires follow-up: avoid {}.{}",
                fact.text(),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(
        rng.sample(&good, good_count)
            .into_iter()
            .map(|(text, fact)| MatrixRow {
                text,
                column: 0,
                rationale: format!("Appropriate: {}.{}", fact.value.display(), cite_note(fact)),
                facts: vec![fact.id.clone()],
            }),
    );
    if rows.len() < 3 {
        return None;
    }
    let stem = format!(
        "The charge nurse observes a newly hired nurse caring for {}. For each action, indicate whether it is appropriate or requires follow-up.",
        topic.1
    );
    let rationale = format!(
        "Safe care of {} follows the recorded rules; any action on the avoid list needs immediate follow-up.",
        topic.1
    );
    Some(build::matrix(
        kb,
        &meta.about(topic.0),
        seed,
        stem,
        &["Appropriate", "Requires follow-up"],
        rows,
        rationale,
    ))
}

const REACTIONS: [&str; 3] = [
    "acute hemolytic transfusion reaction",
    "allergic transfusion reaction",
    "transfusion-associated circulatory overload",
];

fn transfusion_cases(kb: &KnowledgeBase) -> Vec<Case> {
    REACTIONS
        .iter()
        .filter(|reaction| !kb.values(PROC, reaction, "complication_sign").is_empty())
        .flat_map(|reaction| cases_n(reaction, PROC, 8))
        .collect()
}

/// First action when a transfusion reaction appears.
fn transfusion_first_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let signs = kb.values(PROC, &case.subject, "complication_sign");
    let shown_count = 1 + rng.below(2);
    let shown = rng.sample(&signs, shown_count);
    let steps = sequence(kb, PROC, "transfusion reaction response", "step");
    let first = *steps.first()?;
    let later: Vec<&Fact> = steps.iter().skip(1).copied().collect();
    let key = Opt::new(
        sentence(first.text()),
        format!(
            "{}: stopping the infusion limits how much more of the product the client receives; it comes before every other step.{}",
            sentence(first.text()),
            cite_note(first)
        ),
        &[first],
    );
    let distractors: Vec<Opt> = rng
        .sample(&later, 3)
        .into_iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is step {} of the response, done after the transfusion is stopped.",
                    sentence(fact.text()),
                    fact.order.unwrap_or(0)
                ),
                &[fact],
            )
        })
        .collect();
    let sign_text: Vec<String> = shown.iter().map(|fact| fact.text().to_owned()).collect();
    let minutes = 10 + 5 * rng.below(6);
    let stem = format!(
        "A client is receiving a unit of packed red blood cells that was started {minutes} minutes ago. The client now has {}. Which action should the nurse take first?",
        sign_text.join(" along with ")
    );
    let rationale = format!(
        "These findings ({}) suggest {}. For any suspected transfusion reaction, the nurse first stops the transfusion, then keeps the vein open with 0.9% sodium chloride through new tubing, notifies the provider and blood bank, and monitors the client.",
        sign_text.join("; "),
        case.subject
    );
    let mut item = build::multiple_choice(kb, &meta, seed, stem, key, distractors, rationale);
    item.source_facts
        .extend(shown.iter().map(|fact| fact.id.clone()));
    item.source_facts.sort();
    item.source_facts.dedup();
    Some(item)
}

// ---------------------------------------------------------------------------------------------
// Growth and development

/// Milestones with a question, and the ages other references also give for them (never used as
/// distractors).
const MILESTONES: [(&str, &str, &[&str]); 5] = [
    (
        "birth weight triples",
        "At about what age does a healthy infant's birth weight triple?",
        &[],
    ),
    (
        "birth length increases by 50 percent",
        "By about what age has a healthy infant's birth length increased by 50 percent?",
        &[],
    ),
    (
        "anterior fontanel closes",
        "At what age does the anterior fontanel usually close?",
        &[],
    ),
    (
        "holds head steady without support when held",
        "By what age do at least 75 percent of infants hold the head steady without support when held?",
        &["5 to 6 months"],
    ),
    (
        "rolls from abdomen to back",
        "At about what age does an infant typically roll from abdomen to back?",
        &["4 months"],
    ),
];

/// Age range of a `typical_age` fact as (low, high, "12–18 months").
fn age_range(fact: &Fact) -> Option<(f64, f64, String)> {
    match &fact.value {
        Value::Range {
            low: Some(low),
            high: Some(high),
            units,
        } => {
            let text = if low == high {
                format!("{} {units}", number(*low))
            } else {
                format!("{} to {} {units}", number(*low), number(*high))
            };
            Some((*low, *high, text))
        }
        Value::Range {
            low: Some(low),
            high: None,
            units,
        } => Some((
            *low,
            f64::INFINITY,
            format!("{} {units} and older", number(*low)),
        )),
        _ => None,
    }
}

fn milestone_cases(kb: &KnowledgeBase) -> Vec<Case> {
    MILESTONES
        .iter()
        .filter(|entry| kb.value(DEV, entry.0, "typical_age").is_some())
        .flat_map(|entry| cases_n(entry.0, DEV, 2))
        .collect()
}

/// Typical age of an infant milestone.
fn milestone_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = MILESTONES.iter().find(|entry| entry.0 == case.subject)?;
    let fact = kb.value(DEV, entry.0, "typical_age")?;
    let (low, high, key_text) = age_range(fact)?;
    let mut seen = BTreeSet::from([key_text.clone()]);
    let mut pool = Vec::new();
    for other in MILESTONES.iter().filter(|other| other.0 != entry.0) {
        let Some(other_fact) = kb.value(DEV, other.0, "typical_age") else {
            continue;
        };
        let Some((other_low, other_high, text)) = age_range(other_fact) else {
            continue;
        };
        let overlaps = other_low <= high && low <= other_high;
        if overlaps || entry.2.contains(&text.as_str()) || !seen.insert(text.clone()) {
            continue;
        }
        pool.push((text, other_fact));
    }
    let chosen = rng.sample(&pool, 3);
    if chosen.len() < 2 {
        return None;
    }
    let condition = if fact.condition.is_empty() {
        String::new()
    } else {
        format!(" ({})", fact.condition)
    };
    let key = Opt::new(
        key_text.clone(),
        format!(
            "{} at {key_text}{condition}.{}",
            sentence(entry.0),
            cite_note(fact)
        ),
        &[fact],
    );
    let distractors = chosen
        .into_iter()
        .map(|(text, other)| {
            Opt::new(
                text.clone(),
                format!(
                    "{text} is the typical age for another milestone ({}), not this one.",
                    other.subject
                ),
                &[other],
            )
        })
        .collect();
    let lead = [
        "A parent asks the nurse about expected growth and development. ",
        "The nurse is teaching a parenting class about infant development. ",
    ][case.variant as usize % 2];
    let stem = format!("{lead}{}", entry.1);
    let rationale = format!("{}: typically {key_text}.", sentence(entry.0));
    Some(build::multiple_choice(
        kb,
        &meta.about(entry.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Erikson's stages as (order, stage) from the recorded `stage` facts.
fn erikson_stages(kb: &KnowledgeBase) -> Vec<&Fact> {
    sequence(kb, DEV, "erikson", "stage")
}

/// Ages strictly inside each childhood stage, as stem phrases; adult stages by their condition.
fn erikson_ages(stage: &str) -> &'static [&'static str] {
    match stage {
        "trust vs mistrust" => &[
            "a 4-month-old infant",
            "a 6-month-old infant",
            "a 9-month-old infant",
        ],
        "autonomy vs shame and doubt" => &[
            "an 18-month-old toddler",
            "a 2-year-old toddler",
            "a 30-month-old toddler",
        ],
        "initiative vs guilt" => &["a 4-year-old", "a 5-year-old"],
        "industry vs inferiority" => &[
            "a 7-year-old",
            "an 8-year-old",
            "a 9-year-old",
            "a 10-year-old",
            "an 11-year-old",
        ],
        "identity vs role confusion" => &[
            "a 13-year-old adolescent",
            "a 14-year-old adolescent",
            "a 15-year-old adolescent",
            "a 16-year-old adolescent",
        ],
        "intimacy vs isolation" => &["a young adult client"],
        "generativity vs stagnation" => &["a middle-aged adult client"],
        "integrity vs despair" => &["an older adult client"],
        _ => &[],
    }
}

fn erikson_cases(kb: &KnowledgeBase) -> Vec<Case> {
    erikson_stages(kb)
        .iter()
        .flat_map(|stage| cases_n(stage.text(), DEV, 9))
        .collect()
}

fn stage_name(text: &str) -> String {
    sentence(&text.replace(" vs ", " vs. "))
}

/// Erikson: stage by age, stage by task, or best nursing action for a child's stage.
fn erikson_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let stages = erikson_stages(kb);
    let position = stages.iter().position(|fact| fact.text() == case.subject)?;
    let stage = stages[position];
    let ages = erikson_ages(stage.text());
    let who = *rng.pick(ages)?;
    let age_fact = kb.value(DEV, stage.text(), "typical_age");
    let task = kb.value(DEV, stage.text(), "task")?;
    let mut frame = case.variant % 3;
    // Adult stages have no nursing-application example; a task that names the stage would cue it.
    let stage_words: Vec<String> = stage
        .text()
        .split_whitespace()
        .filter(|word| word.len() >= 5)
        .map(str::to_owned)
        .collect();
    if (frame == 2 && position > 4)
        || (frame == 1
            && stage_words
                .iter()
                .any(|word| task.text().contains(word.as_str())))
    {
        frame = 0;
    }
    let (stem, key, distractors) = if frame == 2 {
        // Best nursing action for a child's stage; only childhood stages with an example.
        let example = kb.values(DEV, stage.text(), "example").into_iter().next()?;
        if position > 4 {
            return None;
        }
        let pool: Vec<(usize, &Fact)> = stages
            .iter()
            .enumerate()
            .filter(|(index, other)| {
                index.abs_diff(position) >= 2 && *index != 0 && other.text() != stage.text()
            })
            .filter_map(|(index, other)| {
                kb.values(DEV, other.text(), "example")
                    .into_iter()
                    .next()
                    .map(|fact| (index, fact))
            })
            .collect();
        let chosen = rng.sample(&pool, 3);
        if chosen.len() < 2 {
            return None;
        }
        let key = Opt::new(
            sentence(example.text()),
            format!(
                "{} supports {} ({}): the task is to {}.",
                sentence(example.text()),
                stage_name(stage.text()),
                who,
                task.text()
            ),
            &[example, task],
        );
        let distractors: Vec<Opt> = chosen
            .into_iter()
            .map(|(_, fact)| {
                Opt::new(
                    sentence(fact.text()),
                    format!(
                        "{} fits the stage of {}, not the stage of {who}.",
                        sentence(fact.text()),
                        stage_name(&fact.subject)
                    ),
                    &[fact],
                )
            })
            .collect();
        (
            format!(
                "The nurse is planning care for {who} who is hospitalized. Which nursing action best supports the client's psychosocial development?"
            ),
            key,
            distractors,
        )
    } else {
        let others: Vec<&Fact> = stages
            .iter()
            .copied()
            .filter(|other| other.id != stage.id)
            .collect();
        let near: Vec<&Fact> = others
            .iter()
            .copied()
            .filter(|other| other.order.unwrap_or(0).abs_diff(stage.order.unwrap_or(0)) <= 2)
            .collect();
        let mut chosen = rng.sample(&near, 2);
        let far: Vec<&Fact> = others
            .iter()
            .copied()
            .filter(|other| !chosen.iter().any(|chosen| chosen.id == other.id))
            .collect();
        chosen.extend(rng.sample(&far, 3 - chosen.len()));
        let mut key_facts = vec![stage, task];
        key_facts.extend(age_fact);
        let key = Opt::new(
            stage_name(stage.text()),
            format!(
                "{} is Erikson's stage for {who}; its task is to {}.",
                stage_name(stage.text()),
                task.text()
            ),
            &key_facts,
        );
        let distractors: Vec<Opt> = chosen
            .into_iter()
            .map(|other| {
                let other_task = kb
                    .value(DEV, other.text(), "task")
                    .map(|fact| format!(": {}", fact.text()))
                    .unwrap_or_default();
                Opt::new(
                    stage_name(other.text()),
                    format!(
                        "{} is stage {} of Erikson's theory{other_task}.",
                        stage_name(other.text()),
                        other.order.unwrap_or(0)
                    ),
                    &[other],
                )
            })
            .collect();
        let stem = if frame == 0 {
            format!("According to Erikson, which psychosocial stage is {who} in?")
        } else {
            format!(
                "The nurse notes that a client is working to {}. Which of Erikson's stages does this describe?",
                task.text()
            )
        };
        (stem, key, distractors)
    };
    let rationale = format!(
        "Erikson's stage {}: {} — {}.",
        stage.order.unwrap_or(0),
        stage_name(stage.text()),
        task.text()
    );
    Some(build::multiple_choice(
        kb,
        &meta.about(stage.text()),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Ages inside each Piaget stage (never at a boundary).
fn piaget_ages(stage: &str) -> &'static [&'static str] {
    match stage {
        "sensorimotor" => &[
            "A 4-month-old infant",
            "A 9-month-old infant",
            "A 12-month-old infant",
            "A 15-month-old toddler",
            "A 20-month-old toddler",
        ],
        "preoperational" => &[
            "A 3-year-old child",
            "A 4-year-old child",
            "A 5-year-old child",
            "A 6-year-old child",
        ],
        "concrete operational" => &[
            "An 8-year-old child",
            "A 9-year-old child",
            "A 10-year-old child",
        ],
        "formal operational" => &[
            "A 13-year-old adolescent",
            "A 14-year-old adolescent",
            "A 15-year-old adolescent",
            "A 16-year-old adolescent",
        ],
        _ => &[],
    }
}

fn piaget_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence(kb, DEV, "piaget", "stage")
        .iter()
        .flat_map(|stage| cases_n(stage.text(), DEV, 12))
        .collect()
}

/// Matrix: the Piaget stage of each child.
fn piaget_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let stages = sequence(kb, DEV, "piaget", "stage");
    if stages.len() != 4 {
        return None;
    }
    let anchor = stages.iter().position(|fact| fact.text() == case.subject)?;
    let mut candidates: Vec<(usize, &str)> = stages
        .iter()
        .enumerate()
        .flat_map(|(index, stage)| {
            piaget_ages(stage.text())
                .iter()
                .map(move |age| (index, *age))
        })
        .collect();
    rng.shuffle(&mut candidates);
    let first = candidates
        .iter()
        .copied()
        .find(|(index, _)| *index == anchor)?;
    let second = candidates
        .iter()
        .copied()
        .find(|(index, _)| *index != anchor)?;
    let count = 4 + rng.below(2);
    let chosen: Vec<(usize, &str)> = [first, second]
        .into_iter()
        .chain(
            candidates
                .iter()
                .copied()
                .filter(|row| *row != first && *row != second),
        )
        .take(count)
        .collect();
    let mut rows = Vec::new();
    for (index, age) in chosen {
        let stage = stages[index];
        let range = kb
            .value(DEV, stage.text(), "typical_age")
            .and_then(age_range)
            .map(|(_, _, text)| text)
            .unwrap_or_default();
        let task = kb.value(DEV, stage.text(), "task");
        let mut facts = vec![stage.id.clone()];
        facts.extend(task.map(|fact| fact.id.clone()));
        rows.push(MatrixRow {
            text: age.to_owned(),
            column: index,
            rationale: format!(
                "{age} is in the {} stage ({range}): {}.",
                stage.text(),
                task.map_or("", |fact| fact.text())
            ),
            facts,
        });
    }
    let columns: Vec<String> = stages.iter().map(|stage| sentence(stage.text())).collect();
    let column_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let stem = "The nurse plans age-appropriate explanations for children on the pediatric unit. For each child, select the stage of cognitive development according to Piaget.".to_owned();
    let rationale = "Piaget: sensorimotor (0–2 years, object permanence), preoperational (2–7 years, symbolic and magical thinking), concrete operational (7–11 years, conservation and logic about concrete events), formal operational (11 years on, abstract reasoning).".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &column_refs,
        rows,
        rationale,
    ))
}

/// Play subjects in age order with stem ages.
const PLAY_GROUPS: [(&str, &[&str]); 4] = [
    (
        "infant play",
        &[
            "a 6-month-old infant",
            "a 9-month-old infant",
            "a 4-month-old infant",
        ],
    ),
    (
        "toddler play",
        &[
            "an 18-month-old toddler",
            "a 2-year-old toddler",
            "a 30-month-old toddler",
        ],
    ),
    (
        "preschooler play",
        &[
            "a 4-year-old child",
            "a 5-year-old child",
            "a 4-year-old preschooler",
        ],
    ),
    (
        "school-age play",
        &[
            "an 8-year-old child",
            "a 10-year-old child",
            "a 9-year-old child",
        ],
    ),
];

fn play_cases(kb: &KnowledgeBase) -> Vec<Case> {
    // Toy variants (odd) only where two or more age groups lie two steps away.
    PLAY_GROUPS
        .iter()
        .enumerate()
        .filter(|(_, group)| kb.value(DEV, group.0, "play_type").is_some())
        .flat_map(|(index, group)| {
            (0..6)
                .filter(move |variant| variant % 2 == 0 || index == 0 || index == 3)
                .map(|variant| Case::new(group.0, DEV, variant))
        })
        .collect()
}

/// Typical play type, or suitable toys, for a child's age.
fn play_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let position = PLAY_GROUPS
        .iter()
        .position(|group| group.0 == case.subject)?;
    let group = PLAY_GROUPS[position];
    let who = *rng.pick(group.1)?;
    let toys = case.variant % 2 == 1;
    let attribute = if toys { "example" } else { "play_type" };
    let key_fact = kb.value(DEV, group.0, attribute)?;
    let others: Vec<&Fact> = PLAY_GROUPS
        .iter()
        .enumerate()
        .filter(|(index, _)| {
            if toys {
                index.abs_diff(position) >= 2
            } else {
                *index != position
            }
        })
        .filter_map(|(_, other)| kb.value(DEV, other.0, attribute))
        .collect();
    if others.len() < 2 {
        return None;
    }
    let key = Opt::new(
        sentence(key_fact.text()),
        format!(
            "{} is typical of {} ({who}).{}",
            sentence(key_fact.text()),
            group.0,
            cite_note(key_fact)
        ),
        &[key_fact],
    );
    let distractors = others
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is typical of {}, not of {who}.",
                    sentence(fact.text()),
                    fact.subject
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = if toys {
        format!(
            "A parent asks the nurse which toys to bring for {who} who will be hospitalized for several days. Which choice is most appropriate for the child's age?"
        )
    } else {
        format!(
            "The nurse observes {who} in the playroom. Which type of play does the nurse expect at this age?"
        )
    };
    let rationale = "Play develops from solitary (infant) to parallel (toddler), associative (preschooler) and cooperative, rule-based play (school-age).".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(group.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Safety-teaching groups in age order: (subject, rank, stem phrase).
const SAFETY_GROUPS: [(&str, usize, &str); 5] = [
    ("infant safety", 0, "a 3-month-old"),
    ("toddler safety", 1, "a 2-year-old"),
    ("preschooler safety", 2, "a 4-year-old"),
    ("school-age safety", 3, "an 8-year-old"),
    ("adolescent safety", 4, "a 15-year-old"),
];

/// Whether `fact` (teaching for `group`) is wrong for a child of `rank`: it must be specific to
/// an age group two or more steps away and not stay valid at older ages.
fn teaching_wrong_for(fact: &Fact, group_rank: usize, rank: usize) -> bool {
    if group_rank == rank {
        return false;
    }
    let text = fact.text();
    if group_rank == 0 {
        // Infant sleep and honey rules no longer apply to children past infancy; the
        // water-heater and raised-surface rules stay sound at any age.
        return text.contains("back for every sleep")
            || text.contains("sleep surface")
            || text.contains("room but not the bed")
            || text.contains("honey");
    }
    // Teaching for preschool and older children (street safety, helmets) is wrong only for an
    // infant; driving advice is never used (a parent could read it as advice for themselves).
    rank == 0 && group_rank >= 2 && !text.contains("drive")
}

fn safety_teaching_cases(kb: &KnowledgeBase) -> Vec<Case> {
    SAFETY_GROUPS
        .iter()
        .flat_map(|group| {
            kb.values(DEV, group.0, "safety_teaching")
                .into_iter()
                .map(|fact| fact.id.clone())
                .collect::<Vec<_>>()
        })
        .flat_map(|id| cases_n(&id, DEV, 3))
        .collect()
}

/// The teaching that fits the child's age.
fn safety_teaching_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key_fact = kb.fact(&case.subject)?;
    let group = SAFETY_GROUPS
        .iter()
        .find(|group| group.0 == key_fact.subject)?;
    let pool: Vec<&Fact> = SAFETY_GROUPS
        .iter()
        .flat_map(|other| {
            kb.values(DEV, other.0, "safety_teaching")
                .into_iter()
                .filter(move |fact| teaching_wrong_for(fact, other.1, group.1))
        })
        .collect();
    let chosen = rng.sample(&pool, 3);
    if chosen.len() < 2 {
        return None;
    }
    let key = Opt::new(
        sentence(key_fact.text()),
        format!(
            "{} is recommended safety teaching for the parents of {}.{}",
            sentence(key_fact.text()),
            group.2,
            cite_note(key_fact)
        ),
        &[key_fact],
    );
    let distractors = chosen
        .into_iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is teaching for {}, which does not fit {}.",
                    sentence(fact.text()),
                    age_group_label(&fact.subject),
                    group.2
                ),
                &[fact],
            )
        })
        .collect();
    let frames = [
        format!(
            "The nurse is providing anticipatory guidance to the parents of {}. Which teaching is most appropriate for this age?",
            group.2
        ),
        format!(
            "At a routine health visit for {}, which injury-prevention instruction should the nurse emphasize?",
            group.2
        ),
        format!(
            "The parents of {} ask how to prevent injuries. Which teaching fits this age?",
            group.2
        ),
    ];
    let stem = frames[case.variant as usize % frames.len()].clone();
    let rationale = format!(
        "Injury prevention follows development: teaching for {} addresses the risks typical of that age.",
        group.2
    );
    Some(build::multiple_choice(
        kb,
        &meta.about(&key_fact.subject),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Maternal–newborn

const DECELERATIONS: [&str; 3] = [
    "early deceleration",
    "late deceleration",
    "variable deceleration",
];

/// Whether an intervention is never indicated for `pattern` (and so a sound distractor).
fn deceleration_distractor(pattern: &str, fact: &Fact) -> bool {
    if fact.subject == pattern {
        return false;
    }
    let text = fact.text();
    let unrelated = fact.subject == "boggy fundus" || fact.subject == "magnesium sulfate toxicity";
    match pattern {
        "late deceleration" => {
            unrelated
                || text.contains("vaginal examination")
                || text.contains("amnioinfusion")
                || text.starts_with("no intervention")
        }
        // Position changes, fluids, oxygen and oxytocin stop are also used for variable decelerations.
        "variable deceleration" => unrelated || text.starts_with("no intervention"),
        "early deceleration" => {
            unrelated
                || text.contains("oxytocin")
                || text.contains("oxygen")
                || text.contains("amnioinfusion")
                || text.contains("vaginal examination")
        }
        _ => false,
    }
}

fn deceleration_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for pattern in DECELERATIONS {
        let count = kb.values(MAT, pattern, "priority_intervention").len() as u32;
        cases.extend((0..count * 2).map(|variant| Case::new(pattern, MAT, variant)));
    }
    cases
}

/// Cloze: deceleration → name, cause, nursing response.
fn deceleration_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let pattern = case.subject.as_str();
    let cue = kb.value(MAT, pattern, "cue")?;
    let interventions = kb.values(MAT, pattern, "priority_intervention");
    let key_action =
        *interventions.get((case.variant / 2) as usize % interventions.len().max(1))?;
    let cause_of = |name: &str| {
        kb.values(MAT, name, "rule")
            .into_iter()
            .find(|fact| fact.text().starts_with("caused by"))
    };
    let key_cause = cause_of(pattern)?;
    let strip = |fact: &Fact| fact.text().trim_start_matches("caused by ").to_owned();
    let name_opt = |name: &str| -> Opt {
        let why = if name == pattern {
            format!("A {} is {}.", cue.text(), with_article(pattern))
        } else {
            format!(
                "{} looks different: {}.",
                sentence(&with_article(name)),
                kb.value(MAT, name, "cue").map_or("", |fact| fact.text())
            )
        };
        Opt {
            text: name.to_owned(),
            rationale: why,
            facts: kb
                .value(MAT, name, "cue")
                .map(|fact| vec![fact.id.clone()])
                .unwrap_or_default(),
        }
    };
    let slot1 = SlotSpec {
        key: name_opt(pattern),
        distractors: DECELERATIONS
            .iter()
            .filter(|name| **name != pattern)
            .map(|name| name_opt(name))
            .collect(),
    };
    let mut cause_distractors = Vec::new();
    for name in DECELERATIONS.iter().filter(|name| **name != pattern) {
        let fact = cause_of(name)?;
        cause_distractors.push(Opt::new(
            strip(fact),
            format!("{} causes {name}s, not {pattern}s.", sentence(&strip(fact))),
            &[fact],
        ));
    }
    let slot2 = SlotSpec {
        key: Opt::new(
            strip(key_cause),
            format!(
                "{}s are {}.{}",
                sentence(pattern),
                key_cause.text(),
                cite_note(key_cause)
            ),
            &[key_cause],
        ),
        distractors: cause_distractors,
    };
    let mut pool: Vec<&Fact> = DECELERATIONS
        .iter()
        .flat_map(|name| kb.values(MAT, name, "priority_intervention"))
        .filter(|fact| deceleration_distractor(pattern, fact))
        .collect();
    pool.extend(kb.values(MAT, "boggy fundus", "priority_intervention"));
    pool.extend(
        kb.values(MAT, "magnesium sulfate toxicity", "priority_intervention")
            .into_iter()
            .filter(|fact| fact.text().contains("calcium")),
    );
    let mut seen = BTreeSet::from([key_action.norm()]);
    let pool: Vec<&Fact> = pool
        .into_iter()
        .filter(|fact| !kb.states_fact(MAT, pattern, "priority_intervention", fact))
        .filter(|fact| seen.insert(fact.norm()))
        .collect();
    let chosen = rng.sample(&pool, 3);
    if chosen.len() < 2 {
        return None;
    }
    let action_distractors = chosen
        .into_iter()
        .map(|fact| {
            let why = if DECELERATIONS.contains(&fact.subject.as_str()) {
                format!(
                    "{} is a response to {}, not to {}.",
                    sentence(fact.text()),
                    with_article(&fact.subject),
                    with_article(pattern)
                )
            } else {
                format!(
                    "{} is the response to {}, which this client does not have.",
                    sentence(fact.text()),
                    fact.subject
                )
            };
            Opt::new(sentence(fact.text()), why, &[fact])
        })
        .collect();
    let slot3 = SlotSpec {
        key: Opt::new(
            sentence(key_action.text()),
            format!(
                "{} is an appropriate response to {}.{}",
                sentence(key_action.text()),
                with_article(pattern),
                cite_note(key_action)
            ),
            &[key_action],
        ),
        distractors: action_distractors,
    };
    let lead = [
        "During labor, the electronic fetal monitor",
        "The nurse reviewing a laboring client's fetal monitor strip notes that the tracing",
    ][case.variant as usize % 2];
    let stem = format!(
        "{lead} shows a {}. Complete the sentences by choosing from the lists of options.",
        cue.text()
    );
    let template = "The nurse interprets this pattern as {{1}}, which is caused by {{2}}. An appropriate nursing response is: {{3}}".to_owned();
    let rationale = "Early decelerations mirror contractions (head compression) and need no intervention; late decelerations follow the contraction peak (uteroplacental insufficiency) and call for intrauterine resuscitation; variable decelerations are abrupt (cord compression) and call for position change and evaluation for cord prolapse.".to_owned();
    Some(build::drop_down_cloze(
        kb,
        &meta.about(pattern),
        seed,
        stem,
        template,
        vec![slot1, slot2, slot3],
        rationale,
    ))
}

fn pph_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let count = kb
        .values(MAT, "postpartum hemorrhage", "complication_sign")
        .len() as u32;
    (0..count * 8)
        .map(|variant| Case::new("postpartum hemorrhage", MAT, variant))
        .collect()
}

/// SATA: which findings indicate postpartum hemorrhage.
fn pph_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let signs = kb.values(MAT, "postpartum hemorrhage", "complication_sign");
    let anchor = *signs.get(case.variant as usize % signs.len().max(1))?;
    let others: Vec<&Fact> = signs
        .iter()
        .copied()
        .filter(|fact| fact.id != anchor.id)
        .collect();
    let key_count = 2 + rng.below(2);
    let mut keys = vec![anchor];
    keys.extend(rng.sample(&others, key_count - 1));
    let mut pool: Vec<&Fact> = Vec::new();
    pool.extend(kb.values(MAT, "uterine involution", "cue"));
    pool.extend(
        kb.values(MAT, "uterine involution", "rule")
            .into_iter()
            .filter(|fact| fact.text().contains("within 12 hours")),
    );
    pool.extend(
        kb.values(MAT, "lochia", "complication_sign")
            .into_iter()
            .filter(|fact| fact.text().contains("foul")),
    );
    pool.extend(
        kb.values(MAT, "magnesium sulfate toxicity", "cue")
            .into_iter()
            .filter(|fact| fact.text().contains("reflexes") || fact.text().contains("respiratory")),
    );
    let pool: Vec<&Fact> = pool
        .into_iter()
        .filter(|fact| {
            !kb.states(
                MAT,
                "postpartum hemorrhage",
                "complication_sign",
                fact.text(),
            )
        })
        .collect();
    let distractor_count = 5 + rng.below(2) - key_count;
    let distractors = rng.sample(&pool, distractor_count);
    if distractors.len() < 2 {
        return None;
    }
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(bare(fact.text())),
                format!(
                    "{} is a sign of postpartum hemorrhage.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            let why = match fact.subject.as_str() {
                "uterine involution" => format!(
                    "{} is an expected finding of normal involution.",
                    sentence(fact.text())
                ),
                "lochia" => format!(
                    "{} suggests infection, not hemorrhage.",
                    sentence(fact.text())
                ),
                _ => format!(
                    "{} is a sign of {}, not of hemorrhage.",
                    sentence(fact.text()),
                    fact.subject
                ),
            };
            Opt::new(sentence(bare(fact.text())), why, &[*fact])
        })
        .collect();
    let hours = 2 + rng.below(9);
    let stem = format!(
        "The nurse assesses a client who gave birth vaginally {hours} hours ago. Which findings indicate postpartum hemorrhage? Select all that apply."
    );
    let rationale = "Postpartum hemorrhage shows as a boggy uterus, heavy lochia or clots, or a steady trickle of bright red blood with a firm fundus (laceration); tachycardia appears early and hypotension late. A firm, midline fundus at or near the umbilicus is expected.".to_owned();
    Some(build::multiple_response(
        kb,
        &meta.about("postpartum hemorrhage"),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

/// One seeded newborn finding of `category`; `expected` picks a normal or abnormal value where the
/// category has both. Returns the row or None when the facts are missing.
fn newborn_row(
    kb: &KnowledgeBase,
    category: usize,
    expected: bool,
    rng: &mut Rng,
) -> Option<MatrixRow> {
    let range = |subject: &str| -> Option<(&Fact, f64, f64)> {
        let fact = kb
            .values(MAT, subject, "reference_range")
            .into_iter()
            .find(|fact| fact.condition.is_empty())?;
        match fact.value {
            Value::Range {
                low: Some(low),
                high: Some(high),
                ..
            } => Some((fact, low, high)),
            _ => None,
        }
    };
    let row = |text: String, ok: bool, why: String, facts: &[&Fact]| MatrixRow {
        text,
        column: usize::from(!ok),
        rationale: why,
        facts: ids(facts),
    };
    match category {
        0 => {
            let (fact, low, high) = range("newborn respiratory rate")?;
            let value = if expected {
                low + 4.0 + rng.below((high - low - 8.0).max(1.0) as usize) as f64
            } else if rng.below(2) == 0 {
                high + 6.0 + rng.below(15) as f64
            } else {
                low - 6.0 - rng.below(8) as f64
            };
            let ok = value >= low && value <= high;
            Some(row(
                format!("Respiratory rate {}/min", number(value)),
                ok,
                format!(
                    "{}/min is {} the expected newborn respiratory rate of {}–{}/min.",
                    number(value),
                    if ok { "within" } else { "outside" },
                    number(low),
                    number(high)
                ),
                &[fact],
            ))
        }
        1 => {
            let (fact, low, high) = range("newborn axillary temperature")?;
            let tenths = if expected {
                (low * 10.0).round() as i64
                    + 1
                    + rng.below(((high - low) * 10.0).round() as usize - 1) as i64
            } else if rng.below(2) == 0 {
                (high * 10.0).round() as i64 + 4 + rng.below(5) as i64
            } else {
                (low * 10.0).round() as i64 - 4 - rng.below(6) as i64
            };
            let value = tenths as f64 / 10.0;
            let ok = value >= low && value <= high;
            Some(row(
                format!("Axillary temperature {value:.1} °C"),
                ok,
                format!(
                    "{value:.1} °C is {} the expected newborn axillary temperature of {}–{} °C.",
                    if ok { "within" } else { "outside" },
                    number(low),
                    number(high)
                ),
                &[fact],
            ))
        }
        2 => {
            let reassuring = kb
                .values(MAT, "apgar score", "reference_range")
                .into_iter()
                .find(|fact| fact.condition == "reassuring")?;
            let moderate = kb
                .values(MAT, "apgar score", "reference_range")
                .into_iter()
                .find(|fact| fact.condition == "moderately abnormal")?;
            let repeat = kb
                .values(MAT, "apgar score", "rule")
                .into_iter()
                .find(|fact| fact.text().contains("below 7"));
            let score = if expected {
                8 + rng.below(2)
            } else {
                4 + rng.below(3)
            };
            let mut facts = vec![reassuring, moderate];
            facts.extend(repeat);
            let why = if expected {
                format!(
                    "A 5-minute Apgar score of {score} is reassuring ({}).",
                    reassuring.value.display()
                )
            } else {
                format!(
                    "A 5-minute Apgar score of {score} is moderately abnormal ({}); {}.",
                    moderate.value.display(),
                    repeat.map_or("the score is repeated", |fact| fact.text())
                )
            };
            Some(row(
                format!("5-minute Apgar score of {score}"),
                expected,
                why,
                &facts,
            ))
        }
        3 => {
            let physiologic = kb.value(MAT, "physiologic jaundice", "rule")?;
            let pathologic = kb.value(MAT, "pathologic jaundice", "complication_sign")?;
            let hours = if expected {
                48 + 12 * rng.below(4)
            } else {
                6 + 2 * rng.below(7)
            };
            let why = if expected {
                format!(
                    "Jaundice first seen at {hours} hours is consistent with physiologic jaundice, which {}.",
                    physiologic.text()
                )
            } else {
                format!(
                    "Jaundice at {hours} hours of age is pathologic: {}.",
                    pathologic.text()
                )
            };
            Some(row(
                format!("Jaundice first noted at {hours} hours of age"),
                expected,
                why,
                &[physiologic, pathologic],
            ))
        }
        4 => {
            let apnea = kb
                .values(VS, "respiratory rate", "critical_sign")
                .into_iter()
                .find(|fact| fact.text().contains("apnea"))?;
            let seconds = 22 + rng.below(9);
            Some(row(
                format!("Apnea lasting {seconds} seconds"),
                false,
                format!("Critical: {}.", apnea.text()),
                &[apnea],
            ))
        }
        _ => {
            let cues = kb.values(MAT, "newborn hypoglycemia", "cue");
            let cue = *rng.pick(
                &cues
                    .into_iter()
                    .filter(|fact| {
                        fact.text() == "jitteriness" || fact.text() == "high-pitched cry"
                    })
                    .collect::<Vec<_>>(),
            )?;
            Some(row(
                sentence(cue.text()),
                false,
                format!(
                    "{} is a cue of newborn hypoglycemia; check the blood glucose.",
                    sentence(cue.text())
                ),
                &[cue],
            ))
        }
    }
}

fn newborn_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..48)
        .map(|variant| Case::new("newborn assessment", MAT, variant))
        .collect()
}

/// Matrix: expected or requires follow-up, for each newborn finding.
fn newborn_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        seed,
        mut rng,
        meta,
        ..
    } = g;
    let mut categories: Vec<usize> = (0..6).collect();
    rng.shuffle(&mut categories);
    // The first row is a category that can be expected, so both columns are used.
    let first = categories
        .iter()
        .position(|category| *category <= 3)
        .unwrap_or(0);
    categories.swap(0, first);
    let count = 4 + rng.below(3);
    let mut rows = Vec::new();
    for (position, category) in categories.into_iter().take(count).enumerate() {
        // The first two rows are one expected and one abnormal finding (when the category allows).
        let expected = match position {
            0 => category <= 3,
            1 => false,
            _ => category <= 3 && rng.below(2) == 0,
        };
        rows.push(newborn_row(kb, category, expected, &mut rng)?);
    }
    let stem = "The nurse reviews findings recorded for term newborns in the nursery. For each finding, indicate whether it is expected or requires follow-up.".to_owned();
    let rationale = "Newborn norms: respiratory rate 30–60/min, axillary temperature 36.5–37.5 °C, 5-minute Apgar 7–10. Jaundice in the first 24 hours, apnea longer than 20 seconds and jitteriness or a high-pitched cry (possible hypoglycemia) need follow-up.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about("newborn assessment"),
        seed,
        stem,
        &["Expected", "Requires follow-up"],
        rows,
        rationale,
    ))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as (year, month 1–12, day).
fn date_text(year: i32, month: i32, day: i32) -> String {
    format!(
        "{} {day}, {year}",
        MONTHS[(month - 1).rem_euclid(12) as usize]
    )
}

/// Adds `months` to a month, carrying into the year.
fn shift_month(year: i32, month: i32, months: i32) -> (i32, i32) {
    let total = year * 12 + (month - 1) + months;
    (total.div_euclid(12), total.rem_euclid(12) + 1)
}

fn naegele_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.value(MAT, "naegele's rule", "rule").is_none() {
        return Vec::new();
    }
    (0..12 * 14)
        .map(|variant| Case::new("naegele's rule", MAT, variant))
        .collect()
}

/// Estimated date of birth by Naegele's rule.
fn naegele_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let rule = kb.value(MAT, "naegele's rule", "rule")?;
    let month = (case.variant % 12) as i32 + 1;
    // Days 8–21: adding 7 never crosses a month end, subtracting 7 never crosses a month start.
    let day = (case.variant / 12) as i32 + 8;
    let year = 2024 + rng.below(3) as i32;
    // LMP − 3 months + 7 days + 1 year.
    let (key_year, key_month) = shift_month(year + 1, month, -3);
    let key = date_text(key_year, key_month, day + 7);
    let forgot_days = date_text(key_year, key_month, day);
    let minus_days = date_text(key_year, key_month, day - 7);
    let (plus_year, plus_month) = shift_month(year + 1, month, 3);
    let plus_months = date_text(plus_year, plus_month, day + 7);
    let errors = [
        (forgot_days, "The 7 days were not added."),
        (minus_days, "7 days were subtracted instead of added."),
        (plus_months, "3 months were added instead of subtracted."),
    ];
    let distractors: Vec<Opt> = errors
        .iter()
        .map(|(text, why)| {
            Opt::new(
                text.clone(),
                format!("{why} Naegele's rule: {}.", rule.text()),
                &[rule],
            )
        })
        .collect();
    let key_opt = Opt::new(
        key.clone(),
        format!(
            "{} − 3 months + 7 days + 1 year = {key}.",
            date_text(year, month, day)
        ),
        &[rule],
    );
    let stem = format!(
        "A client with regular 28-day menstrual cycles reports that the first day of her last menstrual period was {}. Using Naegele's rule, which date should the nurse record as the estimated date of birth?",
        date_text(year, month, day)
    );
    let rationale = format!(
        "Naegele's rule: {}. Here: {} → {key}.",
        rule.text(),
        date_text(year, month, day)
    );
    Some(build::multiple_choice(
        kb,
        &meta.about("naegele's rule"),
        seed,
        stem,
        key_opt,
        distractors,
        rationale,
    ))
}

/// The five Apgar components, from the rule that lists them.
fn apgar_components(kb: &KnowledgeBase) -> Option<(&Fact, Vec<String>)> {
    let fact = kb
        .values(MAT, "apgar score", "rule")
        .into_iter()
        .find(|fact| fact.text().contains("heart rate"))?;
    let parts: Vec<String> = fact
        .text()
        .replace(" and ", ", ")
        .split(", ")
        .map(|part| part.trim().to_owned())
        .filter(|part| !part.is_empty())
        .collect();
    (parts.len() == 5).then_some((fact, parts))
}

fn apgar_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let Some((_, parts)) = apgar_components(kb) else {
        return Vec::new();
    };
    parts
        .iter()
        .flat_map(|part| cases_n(part, MAT, 4))
        .collect()
}

/// SATA: which findings are scored in the Apgar score.
fn apgar_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let (fact, parts) = apgar_components(kb)?;
    let others: Vec<String> = parts
        .iter()
        .filter(|part| **part != case.subject)
        .cloned()
        .collect();
    let key_count = 2 + rng.below(3);
    let mut keys = vec![case.subject.clone()];
    keys.extend(rng.sample(&others, key_count - 1));
    let temperature = kb.value(MAT, "newborn axillary temperature", "reference_range")?;
    let glucose = kb.value(MAT, "newborn hypoglycemia", "rule")?;
    let distractors = vec![
        Opt::new(
            "Axillary temperature",
            format!(
                "Temperature is measured routinely (expected {}) but is not scored in the Apgar score.",
                temperature.value.display()
            ),
            &[temperature],
        ),
        Opt::new(
            "Blood glucose level",
            format!(
                "Blood glucose is screened only in at-risk newborns ({}); it is not an Apgar component.",
                glucose
                    .text()
                    .split_once(": ")
                    .map_or(glucose.text(), |(_, rest)| rest)
            ),
            &[glucose],
        ),
    ];
    let key_opts = keys
        .iter()
        .map(|part| {
            Opt::new(
                sentence(part),
                format!(
                    "{} is one of the five Apgar components ({}).",
                    sentence(part),
                    fact.text()
                ),
                &[fact],
            )
        })
        .collect();
    let stem = ["The nurse assigns the 1-minute Apgar score to a newborn. Which findings does the nurse score? Select all that apply.", "Which assessments are included in a newborn's Apgar score? Select all that apply."][case.variant as usize % 2].to_owned();
    let rationale = format!(
        "The Apgar score rates {} at 1 and 5 minutes after birth, each 0–2 points.",
        fact.text()
    );
    Some(build::multiple_response(
        kb,
        &meta.about("apgar score"),
        seed,
        stem,
        key_opts,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Vital-sign norms by age

/// Who a range applies to, for the stem, or None when the record is too vague to name an age.
fn vital_who(fact: &Fact) -> Option<&'static str> {
    use crate::domain::knowledge::Population;
    let condition = fact.condition.as_str();
    Some(match (fact.population, condition) {
        (Population::Adult, "resting") => "A resting adult",
        (Population::Adult, "") => "An adult",
        (Population::Neonate, "") => "A newborn",
        (Population::Infant, "") => "An infant",
        (Population::Infant, "about 6 months") => "A 6-month-old infant",
        (Population::Pediatric, "toddler") => "A toddler",
        (Population::Pediatric, "toddler (about 2 years)") => "A 2-year-old toddler",
        (Population::Pediatric, "preschooler") => "A preschooler",
        (Population::Pediatric, "school-age child") => "A school-age child",
        (Population::Pediatric, "adolescent") => "An adolescent",
        _ => return None,
    })
}

fn range_of(fact: &Fact) -> Option<(f64, f64)> {
    match fact.value {
        Value::Range {
            low: Some(low),
            high: Some(high),
            ..
        } if high > low => Some((low, high)),
        _ => None,
    }
}

fn vital_ranges<'a>(kb: &'a KnowledgeBase, measure: &str) -> Vec<&'a Fact> {
    kb.values(VS, measure, "reference_range")
        .into_iter()
        .filter(|fact| range_of(fact).is_some())
        .collect()
}

fn vitals_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for measure in ["heart rate", "respiratory rate"] {
        for (index, fact) in vital_ranges(kb, measure).iter().enumerate() {
            if vital_who(fact).is_some() {
                cases.extend(
                    (0..12).map(|variant| Case::new(measure, VS, index as u32 * 100 + variant)),
                );
            }
        }
    }
    cases
}

/// Cloze: the expected range for the client's age and where a value falls.
fn vitals_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let measure = case.subject.as_str();
    let ranges = vital_ranges(kb, measure);
    let fact = *ranges.get((case.variant / 100) as usize)?;
    let who = vital_who(fact)?;
    let (low, high) = range_of(fact)?;
    let span = high - low;
    let margin = (span / 3.0).max(3.0).round() as usize;
    let direction = (case.variant % 100) % 3;
    let value = match direction {
        0 => low + 1.0 + rng.below((span - 1.0).max(1.0) as usize) as f64,
        1 => high + (margin + rng.below(margin + 1)) as f64,
        _ => low - (margin + rng.below(margin.min(low as usize / 3) + 1)) as f64,
    };
    if value <= 0.0 {
        return None;
    }
    let text_of = |fact: &Fact| {
        range_of(fact).map(|(low, high)| format!("{}–{}/min", number(low), number(high)))
    };
    let key_text = text_of(fact)?;
    let mut seen = BTreeSet::from([key_text.clone()]);
    let others: Vec<(String, &Fact)> = ranges
        .iter()
        .copied()
        .filter(|other| other.id != fact.id)
        .filter_map(|other| text_of(other).map(|text| (text, other)))
        .filter(|(text, _)| seen.insert(text.clone()))
        .collect();
    let chosen = rng.sample(&others, 3);
    if chosen.len() < 2 {
        return None;
    }
    let label = |other: &Fact| {
        if other.condition.is_empty() {
            format!("{:?}", other.population)
                .to_lowercase()
                .replace("olderadult", "older adult")
        } else {
            other.condition.clone()
        }
    };
    let slot2 = SlotSpec {
        key: Opt::new(
            key_text.clone(),
            format!(
                "The expected {measure} for this client is {key_text}.{}",
                cite_note(fact)
            ),
            &[fact],
        ),
        distractors: chosen
            .iter()
            .map(|(text, other)| {
                Opt::new(
                    text.clone(),
                    format!(
                        "{text} is the expected {measure} for a different age group ({}).",
                        label(other)
                    ),
                    &[*other],
                )
            })
            .collect(),
    };
    let words = ["within", "above", "below"];
    let where_opt = |index: usize| {
        Opt::new(
            words[index],
            if index == direction as usize {
                format!(
                    "Correct: {} is {} the expected range of {key_text}.",
                    number(value),
                    words[index]
                )
            } else {
                format!(
                    "Not {}: {} is {} the expected range of {key_text}.",
                    words[index],
                    number(value),
                    words[direction as usize]
                )
            },
            &[fact],
        )
    };
    let slot1 = SlotSpec {
        key: where_opt(direction as usize),
        distractors: (0..3)
            .filter(|index| *index != direction as usize)
            .map(where_opt)
            .collect(),
    };
    let stem = "The nurse measures vital signs during a routine health assessment. Complete the sentence by choosing from the lists of options.".to_owned();
    let template = format!(
        "{who} has a {measure} of {}/min. This rate is {{{{1}}}} the expected range for the client's age, which is {{{{2}}}}.",
        number(value)
    );
    let rationale = format!(
        "For this age the expected {measure} is {key_text}; {} lies {} it.",
        number(value),
        words[direction as usize]
    );
    Some(build::drop_down_cloze(
        kb,
        &meta.about(measure),
        seed,
        stem,
        template,
        vec![slot1, slot2],
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Therapeutic communication

/// Techniques a learner could reasonably confuse; never paired as key and distractor.
const CONFUSABLE: [&[&str]; 9] = [
    &[
        "open-ended question",
        "giving broad openings",
        "offering general leads",
        "exploring",
        "focusing",
        "clarifying",
        "placing events in sequence",
    ],
    &["restating", "reflecting", "summarizing"],
    &[
        "sharing observations",
        "giving recognition",
        "acknowledging feelings",
        "reflecting",
    ],
    &["giving advice", "giving approval", "expressing disapproval"],
    &["false reassurance", "using cliches", "belittling feelings"],
    &[
        "disagreeing",
        "challenging",
        "defending",
        "rejecting",
        "presenting reality",
    ],
    &["asking why questions", "probing", "excessive questioning"],
    &["changing the subject", "rejecting"],
    &["offering self", "acknowledging feelings"],
];

fn confusable(a: &str, b: &str) -> bool {
    a == b
        || CONFUSABLE
            .iter()
            .any(|cluster| cluster.contains(&a) && cluster.contains(&b))
}

/// Techniques (not the structured tools) with their type.
fn techniques(kb: &KnowledgeBase) -> Vec<(String, bool)> {
    kb.subjects(COMM)
        .iter()
        .filter(|subject| subject.as_str() != "asking about suicide")
        .filter_map(|subject| {
            kb.value(COMM, subject, "technique_type")
                .map(|fact| (subject.clone(), fact.text() == "therapeutic"))
        })
        .collect()
}

/// Examples short enough for an option, with their technique and type.
fn examples(kb: &KnowledgeBase) -> Vec<(&Fact, bool)> {
    techniques(kb)
        .into_iter()
        .flat_map(|(subject, therapeutic)| {
            kb.values(COMM, &subject, "example")
                .into_iter()
                .map(move |fact| (fact, therapeutic))
        })
        .filter(|(fact, _)| fact.text().chars().count() <= 72)
        .collect()
}

/// Why a statement is or is not therapeutic.
fn example_rationale(kb: &KnowledgeBase, fact: &Fact) -> (String, Vec<String>) {
    let technique = fact.subject.as_str();
    let mut facts = vec![fact.id.clone()];
    let text = if let Some(why) = kb.value(COMM, technique, "why_nontherapeutic") {
        facts.push(why.id.clone());
        format!(
            "{} is {technique}, a nontherapeutic technique: it {}.",
            fact.text(),
            why.text()
        )
    } else if let Some(definition) = kb.value(COMM, technique, "definition") {
        facts.push(definition.id.clone());
        format!(
            "{} is {technique}, a therapeutic technique: {}.",
            fact.text(),
            definition.text()
        )
    } else {
        format!("{} is an example of {technique}.", fact.text())
    };
    (text, facts)
}

fn example_opt(kb: &KnowledgeBase, fact: &Fact) -> Opt {
    let (why, facts) = example_rationale(kb, fact);
    Opt {
        text: fact.text().to_owned(),
        rationale: why,
        facts,
    }
}

/// Lengths homogeneous enough for one-best-answer options.
fn balanced(texts: &[&str], key: &str) -> bool {
    let lengths: Vec<usize> = texts.iter().map(|text| text.chars().count()).collect();
    let shortest = lengths.iter().copied().min().unwrap_or(0);
    let longest = lengths.iter().copied().max().unwrap_or(0);
    let key_length = key.chars().count();
    let longest_other = texts
        .iter()
        .filter(|text| **text != key)
        .map(|text| text.chars().count())
        .max()
        .unwrap_or(0);
    longest <= shortest * 4 && key_length * 2 <= longest_other * 3
}

fn therapeutic_example_cases(kb: &KnowledgeBase) -> Vec<Case> {
    examples(kb)
        .into_iter()
        .filter(|(_, therapeutic)| *therapeutic)
        .flat_map(|(fact, _)| cases_n(&fact.id, COMM, 8))
        .collect()
}

/// "Which statement by the nurse is therapeutic?"
fn therapeutic_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key_fact = kb.fact(&case.subject)?;
    let pool: Vec<&Fact> = examples(kb)
        .into_iter()
        .filter(|(_, therapeutic)| !therapeutic)
        .map(|(fact, _)| fact)
        .collect();
    let chosen = (0..20).map(|_| rng.sample(&pool, 3)).find(|set| {
        let texts: Vec<&str> = set
            .iter()
            .map(|fact| fact.text())
            .chain(std::iter::once(key_fact.text()))
            .collect();
        set.len() == 3 && balanced(&texts, key_fact.text())
    })?;
    let frames = [
        "A nursing student is practicing therapeutic communication with clients. Which statement by the student reflects a therapeutic technique?",
        "The nurse is talking with a client who has been quiet and withdrawn since admission. Which statement by the nurse is therapeutic?",
        "A nurse educator reviews a new nurse's communication with clients. Which statement by the new nurse is an example of therapeutic communication?",
        "Which statement by the nurse is most likely to encourage a client to keep talking?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let key = example_opt(kb, key_fact);
    let distractors = chosen
        .into_iter()
        .map(|fact| example_opt(kb, fact))
        .collect();
    let rationale = "Therapeutic techniques keep the focus on the client and invite the client to go on; nontherapeutic responses judge, advise, reassure falsely, change the subject or put the client on the defensive.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(&key_fact.subject),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

fn technique_example_cases(kb: &KnowledgeBase) -> Vec<Case> {
    examples(kb)
        .into_iter()
        .flat_map(|(fact, _)| cases_n(&fact.id, COMM, 8))
        .collect()
}

/// "Which technique is the nurse using?"
fn technique_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let example = kb.fact(&case.subject)?;
    let technique = example.subject.as_str();
    // "Asking why questions" for a statement that asks "Why...?" is answered by matching words.
    let said: BTreeSet<String> = example
        .text()
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    let cued = technique
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .any(|word| {
            word.len() >= 3
                && !["the", "and", "for", "with"].contains(&word.as_str())
                && said.contains(&word)
        });
    if cued {
        return None;
    }
    let pool: Vec<String> = techniques(kb)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !confusable(name, technique))
        .collect();
    let chosen = rng.sample(&pool, 3);
    if chosen.len() < 3 {
        return None;
    }
    let definition = kb.value(COMM, technique, "definition")?;
    let (why, mut facts) = example_rationale(kb, example);
    facts.push(definition.id.clone());
    let key = Opt {
        text: sentence(technique),
        rationale: why,
        facts,
    };
    let mut distractors = Vec::new();
    for name in chosen {
        let other = kb.value(COMM, &name, "definition")?;
        distractors.push(Opt::new(
            sentence(&name),
            format!(
                "{} means {}; the statement does not do that.",
                sentence(&name),
                other.text()
            ),
            &[other],
        ));
    }
    let stem = format!(
        "A nurse says to a client, {} Which communication technique is the nurse using?",
        example.text()
    );
    let rationale = format!("{}: {}.", sentence(technique), definition.text());
    Some(build::multiple_choice(
        kb,
        &meta.about(technique),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Matrix: therapeutic or nontherapeutic, for each statement.
fn communication_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = examples(kb);
    let anchor = all.iter().find(|(fact, _)| fact.id == case.subject)?;
    let opposite: Vec<&(&Fact, bool)> = all
        .iter()
        .filter(|(_, therapeutic)| *therapeutic != anchor.1)
        .collect();
    let second = *rng.pick(&opposite)?;
    let mut rest: Vec<&(&Fact, bool)> = all
        .iter()
        .filter(|(fact, _)| {
            fact.id != anchor.0.id
                && fact.id != second.0.id
                && fact.subject != anchor.0.subject
                && fact.subject != second.0.subject
        })
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let mut used = BTreeSet::new();
    let mut rows = Vec::new();
    for (fact, therapeutic) in [anchor, second].into_iter().chain(rest) {
        if rows.len() >= count {
            break;
        }
        if !used.insert(fact.subject.clone()) {
            continue;
        }
        let (why, facts) = example_rationale(kb, fact);
        rows.push(MatrixRow {
            text: fact.text().to_owned(),
            column: usize::from(!*therapeutic),
            rationale: why,
            facts,
        });
    }
    let stem = "A nurse educator reviews statements a nursing student made to clients during a clinical day. For each statement, indicate whether it is therapeutic or nontherapeutic.".to_owned();
    let rationale = "Therapeutic statements invite the client to share and keep the focus on the client's feelings; nontherapeutic statements judge, advise, reassure falsely, change the subject or make the client defensive.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about(&anchor.0.subject),
        seed,
        stem,
        &["Therapeutic", "Nontherapeutic"],
        rows,
        rationale,
    ))
}

fn nontherapeutic_cases(kb: &KnowledgeBase) -> Vec<Case> {
    examples(kb)
        .into_iter()
        .filter(|(fact, therapeutic)| {
            !therapeutic
                && kb
                    .value(COMM, &fact.subject, "why_nontherapeutic")
                    .is_some()
        })
        .flat_map(|(fact, _)| cases_n(&fact.id, COMM, 8))
        .collect()
}

/// Words that mark two reasons as saying nearly the same thing.
fn reasons_overlap(a: &str, b: &str) -> bool {
    [
        "defensive",
        "ignores",
        "concern",
        "dismisses",
        "minimizes",
        "feelings",
        "blocks",
    ]
    .iter()
    .any(|word| a.contains(word) && b.contains(word))
}

/// Dyad: nontherapeutic statement → technique → why it blocks communication.
fn nontherapeutic_ddr(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let example = kb.fact(&case.subject)?;
    let technique = example.subject.as_str();
    let why = kb.value(COMM, technique, "why_nontherapeutic")?;
    let others: Vec<(String, &Fact)> = techniques(kb)
        .into_iter()
        .filter(|(name, therapeutic)| !therapeutic && !confusable(name, technique))
        .filter_map(|(name, _)| {
            kb.value(COMM, &name, "why_nontherapeutic")
                .map(|fact| (name, fact))
        })
        .filter(|(_, fact)| !reasons_overlap(fact.text(), why.text()))
        .collect();
    let chosen = rng.sample(&others, 3);
    if chosen.len() < 2 {
        return None;
    }
    let (key_why, key_facts) = example_rationale(kb, example);
    let slot1 = SlotSpec {
        key: Opt {
            text: technique.to_owned(),
            rationale: key_why,
            facts: key_facts,
        },
        distractors: chosen
            .iter()
            .map(|(name, fact)| {
                let definition = kb
                    .value(COMM, name, "definition")
                    .map_or(String::new(), |fact| format!(" ({})", fact.text()));
                Opt::new(
                    name.clone(),
                    format!("The statement is not {name}{definition}.",),
                    &[*fact],
                )
            })
            .collect(),
    };
    let second: Vec<(String, &Fact)> = {
        let mut pool = others.clone();
        rng.shuffle(&mut pool);
        pool.into_iter().take(3).collect()
    };
    let slot2 = SlotSpec {
        key: Opt::new(
            why.text(),
            format!(
                "{} is nontherapeutic because it {}.{}",
                sentence(technique),
                why.text(),
                cite_note(why)
            ),
            &[why],
        ),
        distractors: second
            .iter()
            .map(|(name, fact)| {
                Opt::new(
                    fact.text(),
                    format!("That is why {name} is nontherapeutic, not why this response is.",),
                    &[*fact],
                )
            })
            .collect(),
    };
    let stem = "A nurse educator reviews a student's conversation with a client. Drag words from the choices below to fill in each blank in the following sentence.".to_owned();
    let template = format!(
        "The student's response {} is an example of {{{{1}}}}, which is nontherapeutic because it {{{{2}}}}.",
        example.text()
    );
    let rationale = format!("{} is {technique}; it {}.", example.text(), why.text());
    Some(build::drag_drop_rationale(
        kb,
        &meta.about(technique),
        seed,
        stem,
        template,
        vec![slot1, slot2],
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Mental health

fn defenses(kb: &KnowledgeBase) -> Vec<&Fact> {
    kb.subjects(MH)
        .iter()
        .filter_map(|subject| {
            kb.values(MH, subject, "cue")
                .into_iter()
                .find(|fact| fact.condition == "defense mechanism")
        })
        .collect()
}

fn defense_cases(kb: &KnowledgeBase) -> Vec<Case> {
    defenses(kb)
        .iter()
        .flat_map(|fact| cases_n(&fact.subject, MH, 6))
        .collect()
}

/// Defense mechanism from behaviour, or behaviour from mechanism.
fn defense_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = defenses(kb);
    let key_fact = *all.iter().find(|fact| fact.subject == case.subject)?;
    let others: Vec<&Fact> = all
        .iter()
        .copied()
        .filter(|fact| fact.subject != case.subject)
        .collect();
    let chosen = rng.sample(&others, 3);
    if chosen.len() < 3 {
        return None;
    }
    let by_name = case.variant.is_multiple_of(2);
    let (stem, key, distractors) = if by_name {
        let stem = [
            format!("The nurse observes a client {}. Which defense mechanism is the client using?", key_fact.text()),
            format!("The nurse notes that a client keeps {}. Which defense mechanism does the nurse recognize?", key_fact.text()),
            format!("During a group session, a client is noted to be {}. Which defense mechanism does this describe?", key_fact.text()),
        ][(case.variant / 2) as usize % 3]
            .clone();
        let key = Opt::new(
            sentence(&key_fact.subject),
            format!("{}: {}.", sentence(&key_fact.subject), key_fact.text()),
            &[key_fact],
        );
        let distractors = chosen
            .iter()
            .map(|fact| {
                Opt::new(
                    sentence(&fact.subject),
                    format!("{} is {}.", sentence(&fact.subject), fact.text()),
                    &[*fact],
                )
            })
            .collect();
        (stem, key, distractors)
    } else {
        let stem = format!(
            "The nurse is teaching a class about defense mechanisms. Which client action is an example of {}?",
            key_fact.subject
        );
        let key = Opt::new(
            sentence(key_fact.text()),
            format!("{} is {}.", sentence(key_fact.text()), key_fact.subject),
            &[key_fact],
        );
        let distractors = chosen
            .iter()
            .map(|fact| {
                Opt::new(
                    sentence(fact.text()),
                    format!(
                        "{} describes {}, not {}.",
                        sentence(fact.text()),
                        fact.subject,
                        key_fact.subject
                    ),
                    &[*fact],
                )
            })
            .collect();
        (stem, key, distractors)
    };
    let rationale = format!("{}: {}.", sentence(&key_fact.subject), key_fact.text());
    Some(build::multiple_choice(
        kb,
        &meta.about(&key_fact.subject),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Rows that tell NMS from serotonin syndrome (shared features excluded).
fn nms_ss_rows(kb: &KnowledgeBase) -> Vec<(usize, &Fact)> {
    let marks: [(&str, &[&str]); 2] = [
        (
            "neuroleptic malignant syndrome",
            // Not "antipsychotic" or "serotonergic": a row naming the drug class matches its
            // column by wording alone.
            &["rigidity", "creatine kinase", "dantrolene"],
        ),
        (
            "serotonin syndrome",
            &["clonus", "diarrhea", "cyproheptadine"],
        ),
    ];
    let mut rows = Vec::new();
    for (column, (subject, words)) in marks.iter().enumerate() {
        let other = marks[1 - column].0;
        for attribute in ["cue", "priority_intervention"] {
            for fact in kb.values(MH, subject, attribute) {
                if words.iter().any(|word| fact.text().contains(word))
                    && !kb.states_fact(MH, other, attribute, fact)
                {
                    rows.push((column, fact));
                }
            }
        }
    }
    rows
}

fn nms_ss_cases(kb: &KnowledgeBase) -> Vec<Case> {
    nms_ss_rows(kb)
        .iter()
        .flat_map(|(_, fact)| cases_n(&fact.id, MH, 8))
        .collect()
}

/// Matrix: NMS or serotonin syndrome, for each finding or action.
fn nms_ss_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = nms_ss_rows(kb);
    let anchor = *all.iter().find(|(_, fact)| fact.id == case.subject)?;
    let opposite: Vec<(usize, &Fact)> = all
        .iter()
        .copied()
        .filter(|(column, _)| *column != anchor.0)
        .collect();
    let second = *rng.pick(&opposite)?;
    let mut rest: Vec<(usize, &Fact)> = all
        .iter()
        .copied()
        .filter(|(_, fact)| fact.id != anchor.1.id && fact.id != second.1.id)
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let rows: Vec<MatrixRow> = [anchor, second]
        .into_iter()
        .chain(rest)
        .take(count)
        .map(|(column, fact)| {
            let kind = if fact.attribute == "cue" {
                "a finding"
            } else {
                "a priority action"
            };
            let name = &fact.subject;
            let note = cite_note(fact);
            MatrixRow {
                text: sentence(fact.text()),
                column,
                rationale: format!("{} is {kind} of {name}.{note}", sentence(fact.text())),
                facts: vec![fact.id.clone()],
            }
        })
        .collect();
    let stem = "A client taking several psychotropic medications develops a high fever and tachycardia. For each finding or action, indicate whether it points to neuroleptic malignant syndrome or serotonin syndrome.".to_owned();
    let rationale = "Both cause hyperthermia and autonomic instability. Neuroleptic malignant syndrome (antipsychotics) develops over days with lead-pipe rigidity and a high creatine kinase and is treated with dantrolene or bromocriptine; serotonin syndrome (serotonergic drugs) develops within hours with clonus, hyperreflexia and diarrhea and is treated with cyproheptadine.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about(&anchor.1.subject),
        seed,
        stem,
        &["Neuroleptic malignant syndrome", "Serotonin syndrome"],
        rows,
        rationale,
    ))
}

/// Mental-health subjects of the actions SATA: (subject, stem context).
const MH_CONTEXTS: [(&str, &str); 7] = [
    ("suicide risk", "a client at high risk for suicide"),
    (
        "de-escalation",
        "a client who is pacing, shouting and becoming increasingly agitated",
    ),
    ("acute mania", "a client in an acute manic episode"),
    (
        "schizophrenia",
        "a client with schizophrenia who reports hearing voices",
    ),
    (
        "crisis intervention",
        "a client in crisis after the sudden death of a spouse",
    ),
    (
        "alcohol withdrawal",
        "a client admitted in early alcohol withdrawal",
    ),
    (
        "restraint and seclusion for violent behavior",
        "a client in seclusion and restraints for violent behavior",
    ),
];

fn mh_keys<'a>(kb: &'a KnowledgeBase, subject: &str) -> Vec<&'a Fact> {
    ["priority_intervention", "safety_rule"]
        .iter()
        .flat_map(|attribute| kb.values(MH, subject, attribute))
        .filter(|fact| !fact.text().is_empty())
        .collect()
}

/// Distractors for a subject: recorded avoid facts restated as actions, and interventions recorded
/// only for unrelated conditions.
fn mh_distractors<'a>(kb: &'a KnowledgeBase, subject: &str) -> Vec<(String, &'a Fact)> {
    let mut pool: Vec<(String, &Fact)> = Vec::new();
    for source in [
        "suicide risk",
        "de-escalation",
        "schizophrenia",
        "restraint and seclusion for violent behavior",
    ] {
        pool.extend(
            kb.values(MH, source, "avoid")
                .into_iter()
                .filter_map(|fact| avoid_action(fact).map(|text| (text, fact))),
        );
    }
    if subject == "acute mania" {
        pool.extend(
            kb.values(MH, "acute mania", "avoid")
                .into_iter()
                .filter_map(|fact| avoid_action(fact).map(|text| (text, fact))),
        );
    }
    if subject == "alcohol withdrawal" {
        pool.extend(
            kb.values(PROC, "seizure care", "avoid")
                .into_iter()
                .filter_map(|fact| avoid_action(fact).map(|text| (text, fact))),
        );
    }
    let unrelated: [(&str, &str); 3] = [
        ("anorexia nervosa", "priority_intervention"),
        ("bulimia nervosa", "safety_rule"),
        ("alcohol withdrawal", "priority_intervention"),
    ];
    for (source, attribute) in unrelated {
        if source != subject {
            pool.extend(
                kb.values(MH, source, attribute)
                    .into_iter()
                    .filter(|fact| !fact.text().contains("benzodiazepines"))
                    .map(|fact| (sentence(fact.text()), fact)),
            );
        }
    }
    // Options no candidate would pick ("argue with or threaten the client") test nothing; two
    // options about the same thing (observing after meals, twice) make a near-duplicate pair.
    const GIVEAWAYS: [&str; 4] = ["argue", "threaten", "punish", "ridicule"];
    let mut seen = BTreeSet::new();
    let mut words_taken: Vec<Vec<String>> = Vec::new();
    pool.into_iter()
        .filter(|(_, fact)| {
            !["priority_intervention", "safety_rule"]
                .iter()
                .any(|attribute| kb.states_fact(MH, subject, attribute, fact))
        })
        .filter(|(text, _)| {
            let lower = text.to_lowercase();
            !GIVEAWAYS.iter().any(|word| lower.contains(word))
        })
        .filter(|(text, _)| seen.insert(normalise(text)))
        .filter(|(text, _)| {
            let words = content_words(text);
            let fresh = words_taken.iter().all(|taken| !sorted_share(taken, &words));
            if fresh {
                words_taken.push(words);
            }
            fresh
        })
        .collect()
}

fn mh_action_cases(kb: &KnowledgeBase) -> Vec<Case> {
    MH_CONTEXTS
        .iter()
        .filter(|(subject, _)| mh_keys(kb, subject).len() >= 2)
        .flat_map(|(subject, _)| {
            let count = mh_keys(kb, subject).len() as u32;
            cases_n(subject, MH, count * 4)
        })
        .collect()
}

/// SATA: which actions belong in the plan for a mental-health situation.
fn mh_actions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let context = MH_CONTEXTS
        .iter()
        .find(|(subject, _)| *subject == case.subject)?;
    let own = mh_keys(kb, context.0);
    let anchor = *own.get(case.variant as usize % own.len().max(1))?;
    let others: Vec<&Fact> = own
        .iter()
        .copied()
        .filter(|fact| fact.id != anchor.id)
        .collect();
    let key_count = (2 + rng.below(2)).min(own.len());
    let mut keys = vec![anchor];
    keys.extend(rng.sample(&others, key_count - 1));
    let pool = mh_distractors(kb, context.0);
    let distractor_count = 5 + rng.below(2) - key_count;
    let distractors = rng.sample(&pool, distractor_count);
    if distractors.len() < 2 {
        return None;
    }
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is part of safe care for {}.{}",
                    sentence(fact.text()),
                    context.1,
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .into_iter()
        .map(|(text, fact)| {
            let why = if fact.attribute == "avoid" {
                format!(
                    "{text} is unsafe or ineffective: the nurse should avoid {}.",
                    fact.text()
                )
            } else {
                format!(
                    "{text} is an intervention for {}, not indicated here.",
                    fact.subject
                )
            };
            Opt::new(text, why, &[fact])
        })
        .collect();
    let stem = format!(
        "The nurse is caring for {}. Which actions should the nurse include in the plan of care? Select all that apply.",
        context.1
    );
    let rationale = format!(
        "Care for {} puts safety first and uses the recorded priority interventions; actions on the avoid lists and treatments for unrelated conditions do not belong in the plan.",
        context.1
    );
    Some(build::multiple_response(
        kb,
        &meta.about(context.0),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

const RESTRAINT: &str = "restraint and seclusion for violent behavior";

/// The hour limits of restraint orders: (condition prefix, hours, fact).
fn restraint_limits(kb: &KnowledgeBase) -> Vec<(&Fact, f64)> {
    kb.values(MH, RESTRAINT, "safety_rule")
        .into_iter()
        .filter(|fact| fact.condition.starts_with("maximum length of each order"))
        .filter_map(|fact| match fact.value {
            Value::Range {
                low: Some(low),
                high: Some(high),
                ..
            } if low == high => Some((fact, low)),
            _ => None,
        })
        .collect()
}

fn restraint_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if restraint_limits(kb).len() != 3 {
        return Vec::new();
    }
    (0..40)
        .map(|variant| Case::new(RESTRAINT, MH, variant))
        .collect()
}

fn hours_text(hours: f64) -> String {
    if hours == 1.0 {
        "1 hour".to_owned()
    } else {
        format!("{} hours", number(hours))
    }
}

/// CMS limits: order length by age, or the face-to-face evaluation.
fn restraint_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let limits = restraint_limits(kb);
    let frame = case.variant % 4;
    let options: Vec<(f64, &Fact)> = limits.iter().map(|(fact, hours)| (*hours, *fact)).collect();
    let (stem, key_hours, key_fact) = if frame == 3 {
        let face = kb
            .values(MH, RESTRAINT, "safety_rule")
            .into_iter()
            .find(|fact| fact.text().starts_with("face-to-face"))?;
        let age = 18 + rng.below(60);
        (
            format!(
                "{} client is placed in restraints for violent behavior that puts staff at risk. Within what time must a physician, licensed practitioner or trained RN evaluate the client face to face?",
                sentence(&with_article(&format!("{age}-year-old")))
            ),
            1.0,
            face,
        )
    } else {
        let (fact, hours) = *limits.get(frame as usize)?;
        let age = match fact.condition.as_str() {
            condition if condition.contains("18 years") => 18 + rng.below(70),
            condition if condition.contains("9 to 17") => 9 + rng.below(9),
            _ => 5 + rng.below(4),
        };
        (
            format!(
                "{} client is placed in seclusion for violent behavior, and the provider writes the order. What is the longest time the order may remain in effect before it must be renewed?",
                sentence(&with_article(&format!("{age}-year-old")))
            ),
            hours,
            fact,
        )
    };
    let key_why = if frame == 3 {
        format!("CMS: {}.", key_fact.text())
    } else {
        format!("CMS: {}, {}.", key_fact.condition, hours_text(key_hours))
    };
    let key = Opt::new(hours_text(key_hours), key_why, &[key_fact]);
    let distractors: Vec<Opt> = options
        .iter()
        .filter(|(hours, _)| *hours != key_hours)
        .map(|(hours, fact)| {
            let why = if frame == 3 {
                format!(
                    "{} is the {}, not the deadline for the face-to-face evaluation.",
                    hours_text(*hours),
                    fact.condition
                )
            } else {
                format!(
                    "{} is the {}; this client is in a different age group.",
                    hours_text(*hours),
                    fact.condition
                )
            };
            Opt::new(hours_text(*hours), why, &[*fact])
        })
        .collect();
    if distractors.len() < 2 {
        return None;
    }
    let rationale = "CMS: each order for restraint or seclusion for violent or self-destructive behavior lasts at most 4 hours for adults, 2 hours for ages 9–17 and 1 hour under 9, and a face-to-face evaluation must occur within 1 hour of the start.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(RESTRAINT),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Basic care and comfort

/// Care topics with the facts that belong only to them: (subject, column label, rows as
/// (attribute, text prefix)).
/// (subject, column label, rows as (attribute, text prefix)).
type ComfortTopic = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const COMFORT_TOPICS: [ComfortTopic; 5] = [
    (
        "closed wound drain",
        "Closed wound drain",
        &[
            ("rule", "empty the drain"),
            ("rule", "compress the bulb"),
            ("rule", "measure and record"),
            ("rule", "secure the drain"),
        ],
    ),
    (
        "incentive spirometer teaching",
        "Incentive spirometry",
        &[
            ("rule", "repeat about 10 times"),
            ("step", "hold the breath"),
            ("step", "inhale slowly"),
        ],
    ),
    (
        "pressure injury prevention",
        "Pressure injury prevention",
        &[
            ("rule", "reposition bed-bound"),
            ("rule", "assess risk with the Braden"),
            ("rule", "keep the head of the bed"),
        ],
    ),
    (
        "nasogastric tube placement",
        "Nasogastric tube",
        &[
            ("step", "measure from the tip"),
            ("rule", "confirm initial placement"),
            ("rule", "gastric aspirate pH"),
            ("rule", "mark the tube"),
        ],
    ),
    (
        "wound cleansing",
        "Wound cleansing",
        &[
            ("rule", "clean from the least"),
            ("rule", "clean a surgical incision"),
        ],
    ),
];

fn comfort_facts(kb: &KnowledgeBase, topic: usize) -> Vec<&Fact> {
    let (subject, _, rows) = COMFORT_TOPICS[topic];
    rows.iter()
        .filter_map(|(attribute, prefix)| {
            kb.values(PROC, subject, attribute)
                .into_iter()
                .find(|fact| fact.text().starts_with(prefix))
        })
        .collect()
}

fn comfort_cases(kb: &KnowledgeBase) -> Vec<Case> {
    (0..COMFORT_TOPICS.len())
        .filter(|topic| comfort_facts(kb, *topic).len() >= 2)
        .flat_map(|topic| cases_n(COMFORT_TOPICS[topic].0, PROC, 16))
        .collect()
}

/// Matrix: which care topic each nursing action belongs to.
fn comfort_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let anchor = COMFORT_TOPICS
        .iter()
        .position(|topic| topic.0 == case.subject)?;
    let others: Vec<usize> = (0..COMFORT_TOPICS.len())
        .filter(|topic| *topic != anchor && comfort_facts(kb, *topic).len() >= 2)
        .collect();
    let mut topics = vec![anchor];
    let extra = 2 + rng.below(2);
    topics.extend(rng.sample(&others, extra));
    if topics.len() < 3 {
        return None;
    }
    let has_ng = topics
        .iter()
        .any(|topic| COMFORT_TOPICS[*topic].0 == "nasogastric tube placement");
    let mut candidates: Vec<(usize, &Fact)> = Vec::new();
    for (column, topic) in topics.iter().enumerate() {
        for fact in comfort_facts(kb, *topic) {
            // The head-of-bed limit for pressure injury conflicts with tube-feeding positioning.
            if has_ng && fact.text().starts_with("keep the head of the bed") {
                continue;
            }
            candidates.push((column, fact));
        }
    }
    rng.shuffle(&mut candidates);
    // Every column gets a row, then fill up to 4–6.
    let mut rows: Vec<(usize, &Fact)> = Vec::new();
    for column in 0..topics.len() {
        rows.push(*candidates.iter().find(|(c, _)| *c == column)?);
    }
    let count = (4 + rng.below(3)).max(rows.len());
    for candidate in &candidates {
        if rows.len() >= count {
            break;
        }
        if !rows.iter().any(|row| row.1.id == candidate.1.id) {
            rows.push(*candidate);
        }
    }
    let labels: Vec<&str> = topics
        .iter()
        .map(|topic| COMFORT_TOPICS[*topic].1)
        .collect();
    let matrix_rows = rows
        .into_iter()
        .map(|(column, fact)| MatrixRow {
            text: sentence(fact.text()),
            column,
            rationale: format!(
                "{} is part of {}.{}",
                sentence(fact.text()),
                COMFORT_TOPICS[topics[column]].0,
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    let stem = "The nurse is reviewing care for several clients on a surgical unit. For each nursing action, select the aspect of care it applies to.".to_owned();
    let rationale = "Each action is a recorded rule or step of one care topic: closed wound drains, incentive spirometry, pressure injury prevention, nasogastric tube placement or wound cleansing.".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &labels,
        matrix_rows,
        rationale,
    ))
}

/// Topics of the correction item: (subject, stem context).
const CORRECTION_TOPICS: [(&str, &str); 3] = [
    (
        "pressure injury prevention",
        "caring for a bed-bound client at risk for pressure injury",
    ),
    (
        "nasogastric tube placement",
        "inserting a nasogastric tube for enteral feeding",
    ),
    (
        "tracheostomy suctioning",
        "clearing secretions from a client's tracheostomy",
    ),
];

fn correction_good<'a>(kb: &'a KnowledgeBase, subject: &str) -> Vec<(String, &'a Fact)> {
    let mut good: Vec<(String, &Fact)> = ["step", "rule"]
        .iter()
        .flat_map(|attribute| kb.values(PROC, subject, attribute))
        .map(|fact| (sentence(fact.text()), fact))
        .collect();
    for fact in kb.values(PROC, subject, "time_limit") {
        if let Value::Range {
            low: Some(low),
            high: Some(high),
            units,
        } = &fact.value
        {
            good.push((
                format!(
                    "Limit each suction pass to {} to {} {units}",
                    number(*low),
                    number(*high)
                ),
                fact,
            ));
        }
    }
    good
}

fn correction_cases(kb: &KnowledgeBase) -> Vec<Case> {
    CORRECTION_TOPICS
        .iter()
        .filter(|(subject, _)| {
            correction_good(kb, subject).len() >= 3
                && kb
                    .values(PROC, subject, "avoid")
                    .iter()
                    .any(|fact| avoid_action(fact).is_some())
        })
        .flat_map(|(subject, _)| cases_n(subject, PROC, 8))
        .collect()
}

/// "Which action by the new nurse requires correction?"
fn correction_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let topic = CORRECTION_TOPICS
        .iter()
        .find(|(subject, _)| *subject == case.subject)?;
    let avoid = kb
        .values(PROC, topic.0, "avoid")
        .into_iter()
        .find(|fact| avoid_action(fact).is_some())?;
    let key = Opt::new(
        avoid_action(avoid)?,
        format!(
            "This needs correction: avoid {}.{}",
            avoid.text(),
            cite_note(avoid)
        ),
        &[avoid],
    );
    let good = correction_good(kb, topic.0);
    let distractors: Vec<Opt> = rng
        .sample(&good, 3)
        .into_iter()
        .map(|(text, fact)| {
            Opt::new(
                text.clone(),
                format!("{text} is correct practice.{}", cite_note(fact)),
                &[fact],
            )
        })
        .collect();
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        format!(
            "The nurse observes a newly hired nurse {}. Which action requires the nurse to intervene?",
            topic.1
        ),
        format!(
            "A preceptor watches an orientee {}. Which action by the orientee needs correction?",
            topic.1
        ),
    ];
    let stem = frames[case.variant as usize % 2].clone();
    let rationale = format!(
        "Safe practice when {} follows the recorded rules; the action to correct is {}.",
        topic.1,
        avoid.text()
    );
    Some(build::multiple_choice(
        kb,
        &meta.about(topic.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}
