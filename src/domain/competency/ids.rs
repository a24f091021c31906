//! Which competency a request names. Our ids are AACN's numbers: `"2.4"`, or a sub-competency
//! `"2.4c"` (filed under its competency). The original service named eight competencies of its own,
//! one per domain of an older eight-domain frame, `aacn_1_1` … `aacn_8_1`; each is mapped onto the
//! AACN Essentials (2021) competency that fits it, as [`ORIGINAL_IDS`] says and why.

use super::{CompetencyId, Essentials};

/// One id of the original service and the competency it is filed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OriginalId {
    pub id: &'static str,
    /// The original's domain key and competency name (its own wording, not AACN's).
    pub original_domain: &'static str,
    pub original_name: &'static str,
    /// Our competency id.
    pub maps_to: &'static str,
    /// Why this competency: `"title"` when a verified AACN title fits the original's name,
    /// `"domain"` when only the domain does (then the domain's first competency).
    pub basis: &'static str,
}

/// The original's eight ids. Its domains 5–8 are ordered differently from AACN's 2021 domains, so
/// the mapping follows the names, not the numbers.
pub const ORIGINAL_IDS: [OriginalId; 8] = [
    OriginalId {
        id: "aacn_1_1",
        original_domain: "knowledge_for_nursing_practice",
        original_name: "pathophysiology and pharmacology integration",
        // "Apply theory and research-based knowledge from nursing, the arts, humanities, and other sciences."
        maps_to: "1.2",
        basis: "title",
    },
    OriginalId {
        id: "aacn_2_1",
        original_domain: "person_centered_care",
        original_name: "holistic assessment and care planning",
        // "Integrate assessment skills in practice." (care planning is 2.5; evidence goes to one)
        maps_to: "2.3",
        basis: "title",
    },
    OriginalId {
        id: "aacn_3_1",
        original_domain: "population_health",
        original_name: "health promotion and disease prevention",
        // "Manage population health."
        maps_to: "3.1",
        basis: "title",
    },
    OriginalId {
        id: "aacn_4_1",
        original_domain: "scholarship_for_nursing_discipline",
        original_name: "EBP integration",
        // Domain 4, Scholarship for the Nursing Discipline: "Advance the scholarship of nursing".
        maps_to: "4.1",
        basis: "domain",
    },
    OriginalId {
        id: "aacn_5_1",
        original_domain: "information_technology",
        original_name: "healthcare informatics and technology",
        // Domain 8, Informatics and Healthcare Technologies: "Describe the various information and
        // communication technology tools used in the care of patients, communities, and populations."
        maps_to: "8.1",
        basis: "title",
    },
    OriginalId {
        id: "aacn_6_1",
        original_domain: "healthcare_systems",
        original_name: "quality and safety in healthcare delivery",
        // Domain 5, Quality and Safety, by the competency's name (the original's domain key would
        // suggest domain 7, Systems-Based Practice).
        maps_to: "5.1",
        basis: "domain",
    },
    OriginalId {
        id: "aacn_7_1",
        original_domain: "interprofessional_partnerships",
        original_name: "collaborative practice and communication",
        // Domain 6, Interprofessional Partnerships.
        maps_to: "6.1",
        basis: "domain",
    },
    OriginalId {
        id: "aacn_8_1",
        original_domain: "personal_professional_development",
        original_name: "professional identity and lifelong learning",
        // Domain 10, Personal, Professional, and Leadership Development.
        maps_to: "10.1",
        basis: "domain",
    },
];

/// A competency named in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedCompetency {
    /// Our competency id, e.g. "2.3"; evidence is filed under it.
    pub id: CompetencyId,
    /// As the request named it (a sub-competency "2.3b", or "aacn_2_1").
    pub requested: String,
    /// The original id's mapping, when the request used one.
    pub original: Option<OriginalId>,
}

impl Essentials {
    /// Resolves `requested` (case and surrounding space ignored), or says what is accepted.
    pub fn resolve(&self, requested: &str) -> Result<ResolvedCompetency, String> {
        let text = requested.trim();
        let lower = text.to_ascii_lowercase();
        if let Some(original) = ORIGINAL_IDS.iter().find(|original| original.id == lower) {
            return Ok(ResolvedCompetency {
                id: CompetencyId::from(original.maps_to),
                requested: text.to_owned(),
                original: Some(*original),
            });
        }
        let base = lower.trim_end_matches(|c: char| c.is_ascii_lowercase());
        // A sub-competency is one letter after the competency's number.
        let suffix = lower.len() - base.len();
        if suffix <= 1
            && !base.is_empty()
            && self
                .competencies()
                .iter()
                .any(|competency| competency.id == base)
        {
            return Ok(ResolvedCompetency {
                id: CompetencyId::from(base),
                requested: text.to_owned(),
                original: None,
            });
        }
        let shown: String = text.chars().take(60).collect();
        Err(format!(
            "unknown competency `{shown}`: use an AACN Essentials (2021) competency such as \"2.4\" (see GET /api/v1/assessment/competencies/available) or one of the original ids aacn_1_1 to aacn_8_1"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_ids_sub_competencies_and_the_originals_resolve() {
        let essentials = Essentials::embedded().unwrap();
        let plain = essentials.resolve("2.4").unwrap();
        assert_eq!((plain.id.as_str(), plain.original), ("2.4", None));
        let sub = essentials.resolve(" 2.4c ").unwrap();
        assert_eq!((sub.id.as_str(), sub.requested.as_str()), ("2.4", "2.4c"));
        let original = essentials.resolve("AACN_5_1").unwrap();
        assert_eq!(original.id, "8.1");
        assert_eq!(original.original.unwrap().basis, "title");
        for bad in [
            "",
            "2.10",
            "11.1",
            "2.4cc",
            "AACN_KNOWLEDGE_1",
            "aacn_9_1",
            "c",
        ] {
            let error = essentials.resolve(bad).unwrap_err();
            assert!(error.contains("unknown competency"), "{bad}: {error}");
        }
    }

    #[test]
    fn every_original_id_maps_onto_a_competency_that_exists() {
        let essentials = Essentials::embedded().unwrap();
        let ids: Vec<String> = essentials
            .competencies()
            .into_iter()
            .map(|competency| competency.id)
            .collect();
        for original in ORIGINAL_IDS {
            assert!(ids.contains(&original.maps_to.to_owned()), "{original:?}");
            // A mapping that rests on a title rests on one we verified.
            if original.basis == "title" {
                assert!(
                    essentials.titles.contains_key(original.maps_to),
                    "{original:?}"
                );
            }
        }
    }
}
