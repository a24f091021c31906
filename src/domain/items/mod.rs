//! NCLEX-style items and their automatic generation (AIG: cognitive model → item model → assembly).
//!
//! An item model turns knowledge-base facts into one item per *case* (a content instance: which
//! drug, which distractors, which stem frame); a seed picks the case and the surface (option order,
//! names). Every generated item passes the quality gate (`gate`) before anyone sees it; `scoring`
//! applies the NCSBN rules; `blueprint` assembles exams to the test plan. Pure: no IO.

pub mod blueprint;
pub mod build;
pub mod catalog;
pub mod export;
pub mod gate;
pub mod generate;
#[cfg(test)]
mod golden_tests;
pub mod models;
pub mod rng;
pub mod scoring;
pub mod spec;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

text_id_type!(
    /// An item's id (`Item::id`, `items.id`, `quiz_items.item_id`): what the repositories and
    /// services take when they name one item.
    ItemId
);

/// The item types of the contract.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    MultipleChoice,
    MultipleResponse,
    OrderedResponse,
    Numeric,
    Matrix,
    DropDownCloze,
    DragDropRationale,
    Highlight,
    BowTie,
    CaseStudy,
}

impl ItemType {
    pub const ALL: [ItemType; 10] = [
        ItemType::MultipleChoice,
        ItemType::MultipleResponse,
        ItemType::OrderedResponse,
        ItemType::Numeric,
        ItemType::Matrix,
        ItemType::DropDownCloze,
        ItemType::DragDropRationale,
        ItemType::Highlight,
        ItemType::BowTie,
        ItemType::CaseStudy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::MultipleChoice => "multiple_choice",
            ItemType::MultipleResponse => "multiple_response",
            ItemType::OrderedResponse => "ordered_response",
            ItemType::Numeric => "numeric",
            ItemType::Matrix => "matrix",
            ItemType::DropDownCloze => "drop_down_cloze",
            ItemType::DragDropRationale => "drag_drop_rationale",
            ItemType::Highlight => "highlight",
            ItemType::BowTie => "bow_tie",
            ItemType::CaseStudy => "case_study",
        }
    }

    pub fn parse(text: &str) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// NCSBN scoring rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoringRule {
    ZeroOne,
    PlusMinus,
    Rationale,
}

/// The eight client-need subcategories of the NCLEX-RN test plan.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ClientNeed {
    ManagementOfCare,
    SafetyInfectionControl,
    HealthPromotionMaintenance,
    PsychosocialIntegrity,
    BasicCareComfort,
    PharmacologicalParenteral,
    ReductionOfRisk,
    PhysiologicalAdaptation,
}

impl ClientNeed {
    pub const ALL: [ClientNeed; 8] = [
        ClientNeed::ManagementOfCare,
        ClientNeed::SafetyInfectionControl,
        ClientNeed::HealthPromotionMaintenance,
        ClientNeed::PsychosocialIntegrity,
        ClientNeed::BasicCareComfort,
        ClientNeed::PharmacologicalParenteral,
        ClientNeed::ReductionOfRisk,
        ClientNeed::PhysiologicalAdaptation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientNeed::ManagementOfCare => "management_of_care",
            ClientNeed::SafetyInfectionControl => "safety_infection_control",
            ClientNeed::HealthPromotionMaintenance => "health_promotion_maintenance",
            ClientNeed::PsychosocialIntegrity => "psychosocial_integrity",
            ClientNeed::BasicCareComfort => "basic_care_comfort",
            ClientNeed::PharmacologicalParenteral => "pharmacological_parenteral",
            ClientNeed::ReductionOfRisk => "reduction_of_risk",
            ClientNeed::PhysiologicalAdaptation => "physiological_adaptation",
        }
    }

    pub fn parse(text: &str) -> Option<ClientNeed> {
        ClientNeed::ALL
            .into_iter()
            .find(|need| need.as_str() == text)
    }

    /// The NCLEX-RN test-plan range for this subcategory, in percent (2023 plan; unchanged in 2026).
    pub fn test_plan_percent(self) -> (f64, f64) {
        match self {
            ClientNeed::ManagementOfCare => (15.0, 21.0),
            ClientNeed::SafetyInfectionControl => (10.0, 16.0),
            ClientNeed::HealthPromotionMaintenance => (6.0, 12.0),
            ClientNeed::PsychosocialIntegrity => (6.0, 12.0),
            ClientNeed::BasicCareComfort => (6.0, 12.0),
            ClientNeed::PharmacologicalParenteral => (13.0, 19.0),
            ClientNeed::ReductionOfRisk => (9.0, 15.0),
            ClientNeed::PhysiologicalAdaptation => (11.0, 17.0),
        }
    }
}

/// The six cognitive functions of the NCSBN Clinical Judgment Measurement Model (layer 3).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NcjmmFunction {
    RecognizeCues,
    AnalyzeCues,
    PrioritizeHypotheses,
    GenerateSolutions,
    TakeAction,
    EvaluateOutcomes,
}

impl NcjmmFunction {
    pub const ALL: [NcjmmFunction; 6] = [
        NcjmmFunction::RecognizeCues,
        NcjmmFunction::AnalyzeCues,
        NcjmmFunction::PrioritizeHypotheses,
        NcjmmFunction::GenerateSolutions,
        NcjmmFunction::TakeAction,
        NcjmmFunction::EvaluateOutcomes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NcjmmFunction::RecognizeCues => "recognize_cues",
            NcjmmFunction::AnalyzeCues => "analyze_cues",
            NcjmmFunction::PrioritizeHypotheses => "prioritize_hypotheses",
            NcjmmFunction::GenerateSolutions => "generate_solutions",
            NcjmmFunction::TakeAction => "take_action",
            NcjmmFunction::EvaluateOutcomes => "evaluate_outcomes",
        }
    }
}

/// Difficulty as the API names it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

impl Difficulty {
    pub fn parse(text: &str) -> Option<Difficulty> {
        match text {
            "beginner" => Some(Difficulty::Beginner),
            "intermediate" => Some(Difficulty::Intermediate),
            "advanced" => Some(Difficulty::Advanced),
            _ => None,
        }
    }

    /// A Rasch difficulty prior (logits) for items of this level, before any calibration.
    pub fn logit_prior(self) -> f64 {
        match self {
            Difficulty::Beginner => -1.0,
            Difficulty::Intermediate => 0.0,
            Difficulty::Advanced => 1.0,
        }
    }
}

/// The QSEN pre-licensure competencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Qsen {
    PatientCenteredCare,
    TeamworkCollaboration,
    EvidenceBasedPractice,
    QualityImprovement,
    Safety,
    Informatics,
}

/// A selectable option (also used for matrix rows/columns and highlight segments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChoiceOption {
    pub id: String,
    pub text: String,
}

/// A drop-down or drag-and-drop slot with its own choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Slot {
    pub id: String,
    pub options: Vec<ChoiceOption>,
}

/// One value of a keyed answer map: one option id or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum SlotAnswer {
    One(String),
    Many(Vec<String>),
}

/// A correct answer (and a student's answer), in the contract's JSON shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// multiple choice: `"B"`
    Choice(String),
    /// multiple response, highlight, ordered response: `["A","C"]`
    Choices(Vec<String>),
    /// numeric
    Number(f64),
    /// bow-tie: `{"condition": id, "actions": [..], "parameters": [..]}`
    BowTie {
        condition: String,
        actions: Vec<String>,
        parameters: Vec<String>,
    },
    /// matrix, drop-down cloze, drag-and-drop rationale: `{slot: option}`; case study: `{item_id: answer}`
    Keyed(BTreeMap<String, serde_json::Value>),
}

/// The schema of [`Answer`]: one of its four JSON shapes (the bow-tie and keyed answers are both
/// objects, so they share one branch and `oneOf` stays exclusive).
impl utoipa::PartialSchema for Answer {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Type,
        };
        let string = || ObjectBuilder::new().schema_type(Type::String);
        OneOfBuilder::new()
            .description(Some(
                "An answer in the shape of its item type: multiple choice \"B\"; multiple response, \
                 highlight, ordered response [\"A\",\"C\"]; numeric a number; matrix, drop-down cloze, \
                 drag-and-drop rationale {slot_id: option_id or [option_ids]}; bow-tie \
                 {\"condition\": id, \"actions\": [ids], \"parameters\": [ids]}; case study {item_id: answer}.",
            ))
            .item(string().description(Some("multiple choice: an option id")))
            .item(
                ArrayBuilder::new()
                    .items(string())
                    .description(Some("multiple response, highlight, ordered response: option ids")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .description(Some("numeric")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .additional_properties(Some(AdditionalProperties::FreeForm(true)))
                    .description(Some("matrix, cloze, drag-and-drop, bow-tie, case study: keyed")),
            )
            .into()
    }
}

impl utoipa::ToSchema for Answer {}

/// A reference an item draws on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SourceRef {
    pub id: String,
    pub citation: String,
}

/// A generated or stored item. Fields beyond the contract's common ones appear only for the types
/// that use them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    /// Assigned by the server for new authored items.
    #[serde(default)]
    pub id: String,
    pub item_type: ItemType,
    /// The stem.
    pub question: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    pub correct_answer: Answer,
    pub scoring_rule: ScoringRule,
    pub max_points: u32,
    pub rationale: String,
    pub option_rationales: BTreeMap<String, String>,
    pub client_need: ClientNeed,
    pub ncjmm_function: NcjmmFunction,
    /// AACN Essentials sub-competency, e.g. "2.4".
    pub aacn_competency: String,
    pub qsen_competency: Qsen,
    pub difficulty: Difficulty,
    pub topic: String,
    pub sources: Vec<SourceRef>,
    /// Knowledge-base fact ids the key, distractors and rationales come from.
    #[serde(default)]
    pub source_facts: Vec<String>,
    #[serde(default)]
    pub item_model: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_u64)]
    pub seed: u64,
    /// Chart data shown with the item (vital signs, labs, nurse's notes, orders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exhibit: Option<String>,
    /// Numeric: units of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Numeric: accepted absolute difference from the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Matrix: rows (answer keys are row ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<ChoiceOption>,
    /// Matrix: columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ChoiceOption>,
    /// Cloze and drag-and-drop: text with `{{slot_id}}` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Cloze and drag-and-drop: the slots and their choices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<Slot>,
    /// Bow-tie: option ids per well ("conditions", "actions", "parameters").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub wells: BTreeMap<String, Vec<String>>,
    /// Case study: the client's situation at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Case study: the six items, one per NCJMM function, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub items: Vec<Item>,
    /// Numeric: the calculation behind the key, recomputed independently by the quality gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation: Option<Calculation>,
}

/// A dosage calculation, stated as data so the quality gate can redo it its own way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "formula", rename_all = "snake_case")]
pub enum Calculation {
    /// dose = desired / have × quantity
    DesiredOverHave {
        desired: f64,
        have: f64,
        quantity: f64,
        decimals: u32,
    },
    /// gtt/min = volume (mL) × drop factor (gtt/mL) / time (min)
    DripRate {
        volume_ml: f64,
        drop_factor: f64,
        minutes: f64,
        decimals: u32,
    },
    /// mL/h = volume (mL) / time (h)
    PumpRate {
        volume_ml: f64,
        hours: f64,
        decimals: u32,
    },
    /// mL/h = dose (mcg/kg/min) × weight (kg) × 60 / concentration (mcg/mL)
    WeightBasedInfusion {
        mcg_per_kg_min: f64,
        weight_kg: f64,
        concentration_mcg_ml: f64,
        decimals: u32,
    },
    /// mg = mg/kg × weight (kg), weight from pounds when `pounds` is set
    WeightBasedDose {
        mg_per_kg: f64,
        weight_kg: f64,
        pounds: Option<f64>,
        decimals: u32,
    },
    /// mL/day by Holliday–Segar for a weight in kg
    MaintenanceFluids { weight_kg: f64, decimals: u32 },
    /// mL in the first 8 h by the Parkland formula (4 mL × kg × %TBSA / 2)
    ParklandFirstEight {
        weight_kg: f64,
        tbsa_percent: f64,
        decimals: u32,
    },
    /// a unit conversion: value × factor
    Conversion {
        value: f64,
        factor: f64,
        decimals: u32,
    },
}

impl Item {
    /// The item as a student sees it before answering: keys and rationales removed.
    pub fn without_key(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        strip_keys(&mut value);
        value
    }
}

fn strip_keys(value: &mut serde_json::Value) {
    if let Some(object) = value.as_object_mut() {
        for key in [
            "correct_answer",
            "rationale",
            "option_rationales",
            "source_facts",
            "tolerance",
            "calculation",
        ] {
            object.remove(key);
        }
        if let Some(serde_json::Value::Array(items)) = object.get_mut("items") {
            items.iter_mut().for_each(strip_keys);
        }
    }
}
