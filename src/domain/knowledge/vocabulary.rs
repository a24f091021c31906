//! The families of the knowledge base and the attributes each may use (assets/knowledge/README.md).

/// A family of facts; one folder under `assets/knowledge/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Medications,
    Labs,
    Disorders,
    Priority,
    Delegation,
    Isolation,
    Development,
    Communication,
    FluidsElectrolytes,
    AcidBase,
    Dosage,
    MaternalNewborn,
    MentalHealth,
    ProceduresSafety,
    VitalSigns,
}

impl Family {
    pub const ALL: [Family; 15] = [
        Family::Medications,
        Family::Labs,
        Family::Disorders,
        Family::Priority,
        Family::Delegation,
        Family::Isolation,
        Family::Development,
        Family::Communication,
        Family::FluidsElectrolytes,
        Family::AcidBase,
        Family::Dosage,
        Family::MaternalNewborn,
        Family::MentalHealth,
        Family::ProceduresSafety,
        Family::VitalSigns,
    ];

    pub fn folder(self) -> &'static str {
        match self {
            Family::Medications => "medications",
            Family::Labs => "labs",
            Family::Disorders => "disorders",
            Family::Priority => "priority",
            Family::Delegation => "delegation",
            Family::Isolation => "isolation",
            Family::Development => "development",
            Family::Communication => "communication",
            Family::FluidsElectrolytes => "fluids_electrolytes",
            Family::AcidBase => "acid_base",
            Family::Dosage => "dosage",
            Family::MaternalNewborn => "maternal_newborn",
            Family::MentalHealth => "mental_health",
            Family::ProceduresSafety => "procedures_safety",
            Family::VitalSigns => "vital_signs",
        }
    }

    pub fn from_folder(folder: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|family| family.folder() == folder)
    }
}

/// Whether `attribute` belongs to `family`'s vocabulary.
pub fn attribute_allowed(family: Family, attribute: &str) -> bool {
    let allowed: &[&str] = match family {
        Family::Medications => &[
            "indication",
            "mechanism",
            "adverse_effect",
            "serious_adverse_effect",
            "hold_if",
            "monitor",
            "teaching",
            "administration",
            "antidote",
            "contraindication",
            "interaction",
            "therapeutic_range",
            "toxic_level",
            "toxicity_sign",
            "onset",
            "peak",
            "duration",
        ],
        Family::Labs => &[
            "reference_range",
            "critical_low",
            "critical_high",
            "therapeutic_range",
            "toxic_level",
            "high_cause",
            "low_cause",
            "high_sign",
            "low_sign",
            "nursing_action",
            "specimen_note",
        ],
        Family::Disorders => &[
            "cue",
            "vital_sign_cue",
            "lab_cue",
            "risk_factor",
            "priority_problem",
            "priority_intervention",
            "intervention",
            "avoid",
            "complication",
            "complication_sign",
            "expected_outcome",
            "teaching",
            "diagnostic_test",
            "medication",
            "differential",
            "against",
        ],
        Family::Priority => &["level", "rule", "example", "category_meaning"],
        Family::Delegation => &[
            "delegable_to",
            "not_delegable_because",
            "five_rights",
            "rn_only",
            "role_scope",
        ],
        Family::Isolation => &[
            "precaution",
            "ppe",
            "room",
            "hand_hygiene",
            "don_step",
            "doff_step",
            "transport",
            "duration",
            "note",
        ],
        Family::Development => &[
            "typical_age",
            "stage",
            "task",
            "play_type",
            "example",
            "safety_teaching",
        ],
        Family::Communication => &[
            "technique_type",
            "definition",
            "example",
            "why_nontherapeutic",
        ],
        Family::FluidsElectrolytes => &[
            "cue",
            "ecg_change",
            "cause",
            "treatment",
            "avoid",
            "tonicity",
            "use",
            "caution",
        ],
        Family::AcidBase => &[
            "reference_range",
            "ph_direction",
            "paco2_direction",
            "hco3_direction",
            "cause",
            "cue",
            "compensation",
            "rule",
        ],
        Family::Dosage => &["formula", "conversion", "rule"],
        Family::MaternalNewborn => &[
            "reference_range",
            "typical_time",
            "rule",
            "cue",
            "priority_intervention",
            "complication_sign",
            "teaching",
        ],
        Family::MentalHealth => &[
            "cue",
            "priority_intervention",
            "avoid",
            "teaching",
            "safety_rule",
        ],
        Family::ProceduresSafety => &[
            "step",
            "rule",
            "equipment",
            "complication_sign",
            "priority_intervention",
            "avoid",
            "time_limit",
        ],
        Family::VitalSigns => &["reference_range", "rule", "critical_sign"],
    };
    allowed.contains(&attribute)
}
