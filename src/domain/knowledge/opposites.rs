//! Opposite findings: pairs of findings that move one measure in opposite directions
//! (hypokalemia and hyperkalemia, bradycardia and tachycardia, constipation and diarrhea).
//!
//! The table is definitional, not clinical knowledge about any one drug: it says only that the
//! two findings are the two directions of the same measure. An item may offer one side as wrong
//! for a subject only when the subject's own facts name the other side and nothing recorded about
//! the subject (or its class) names this one ([`KnowledgeBase::mentions_any`]).

use super::{Fact, Family, KnowledgeBase};

/// One measure and the finding on each side of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opposite {
    /// What moves: "serum potassium", "heart rate".
    pub measure: &'static str,
    /// The finding when the measure is low (or slowed): its name and the phrases that also name it.
    pub low: Side,
    /// The finding when the measure is high (or sped up).
    pub high: Side,
}

/// One direction of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    /// The finding as an option shows it: "hyperkalemia".
    pub name: &'static str,
    /// The verb for a drug that moves the measure this way: "lowers", "slows".
    pub verb: &'static str,
    /// Lowercase fragments that name this side in a fact's text (the name's stem first); a subject
    /// with any of them anywhere in its facts is never offered this side as wrong.
    pub phrases: &'static [&'static str],
    /// Whether this side may be offered as a wrong adverse effect of a drug that moves the measure
    /// the other way. False where drugs commonly cause both directions (blood pressure, heart
    /// rate and bowel changes under different doses or effects) or where a rebound or a neonatal
    /// effect goes the other way (hypoglycemia after glucose-raising drugs).
    pub adverse_distractor: bool,
}

/// Fragments that name a heart-rhythm change of either direction; they block both heart-rate sides.
const RHYTHM: [&str; 3] = ["dysrhythm", "arrhythm", "heart rate"];

/// The definitional table of opposite findings.
pub static OPPOSITES: &[Opposite] = &[
    Opposite {
        measure: "blood pressure",
        low: Side {
            name: "hypotension",
            verb: "lowers",
            phrases: &["hypotens", "low blood pressure", "blood pressure drop"],
            adverse_distractor: false,
        },
        high: Side {
            name: "hypertension",
            verb: "raises",
            phrases: &[
                "hypertens",
                "high blood pressure",
                "elevated blood pressure",
                "blood pressure elevation",
                "increased blood pressure",
            ],
            adverse_distractor: false,
        },
    },
    Opposite {
        measure: "heart rate",
        low: Side {
            name: "bradycardia",
            verb: "slows",
            phrases: &[
                "bradycard",
                "bradydysrhythm",
                "slow heart",
                "slow pulse",
                "heart block",
                "av block",
                RHYTHM[0],
                RHYTHM[1],
                RHYTHM[2],
            ],
            adverse_distractor: false,
        },
        high: Side {
            name: "tachycardia",
            verb: "speeds",
            phrases: &[
                "tachycard",
                "tachydysrhythm",
                "tachyarrhythm",
                "rapid heart",
                "fast heart",
                "rapid pulse",
                "palpitation",
                "fibrillation",
                RHYTHM[0],
                RHYTHM[1],
                RHYTHM[2],
            ],
            adverse_distractor: false,
        },
    },
    Opposite {
        measure: "blood glucose",
        low: Side {
            name: "hypoglycemia",
            verb: "lowers",
            phrases: &[
                "hypoglyc",
                "low blood glucose",
                "low blood sugar",
                "dysglyc",
                "glucose changes",
            ],
            adverse_distractor: false,
        },
        high: Side {
            name: "hyperglycemia",
            verb: "raises",
            phrases: &[
                "hyperglyc",
                "high blood glucose",
                "high blood sugar",
                "elevated glucose",
                "elevated blood glucose",
                "increased blood glucose",
                "glucose intolerance",
                "new-onset diabetes",
                "dysglyc",
                "glucose changes",
            ],
            adverse_distractor: true,
        },
    },
    Opposite {
        measure: "serum potassium",
        low: Side {
            name: "hypokalemia",
            verb: "lowers",
            phrases: &[
                "hypokal",
                "low potassium",
                "potassium loss",
                "potassium depletion",
                "potassium wasting",
            ],
            adverse_distractor: true,
        },
        high: Side {
            name: "hyperkalemia",
            verb: "raises",
            phrases: &[
                "hyperkal",
                "high potassium",
                "elevated potassium",
                "increased potassium",
                "potassium retention",
            ],
            adverse_distractor: true,
        },
    },
    Opposite {
        measure: "serum sodium",
        low: Side {
            name: "hyponatremia",
            verb: "lowers",
            phrases: &["hyponat", "low sodium", "siadh", "water intoxication"],
            adverse_distractor: false,
        },
        high: Side {
            name: "hypernatremia",
            verb: "raises",
            phrases: &[
                "hypernat",
                "high sodium",
                "elevated sodium",
                "sodium retention",
                "diabetes insipidus",
                "dehydration",
                "volume depletion",
            ],
            adverse_distractor: true,
        },
    },
    Opposite {
        measure: "serum calcium",
        low: Side {
            name: "hypocalcemia",
            verb: "lowers",
            phrases: &["hypocalc", "low calcium"],
            adverse_distractor: true,
        },
        high: Side {
            name: "hypercalcemia",
            verb: "raises",
            phrases: &["hypercalc", "high calcium", "elevated calcium"],
            adverse_distractor: true,
        },
    },
    Opposite {
        measure: "serum magnesium",
        low: Side {
            name: "hypomagnesemia",
            verb: "lowers",
            phrases: &["hypomagnes", "low magnesium"],
            adverse_distractor: true,
        },
        high: Side {
            name: "hypermagnesemia",
            verb: "raises",
            phrases: &["hypermagnes", "high magnesium", "elevated magnesium"],
            adverse_distractor: true,
        },
    },
    Opposite {
        measure: "bowel activity",
        low: Side {
            name: "constipation",
            verb: "slows",
            phrases: &["constipat", "ileus", "fecal impaction", "obstipation"],
            adverse_distractor: false,
        },
        high: Side {
            name: "diarrhea",
            verb: "speeds",
            phrases: &[
                "diarrh",
                "loose stool",
                "watery stool",
                "difficile",
                "colitis",
                "frequent stool",
            ],
            adverse_distractor: false,
        },
    },
    Opposite {
        measure: "body weight",
        low: Side {
            name: "weight loss",
            verb: "lowers",
            phrases: &[
                "weight loss",
                "lose weight",
                "weight management",
                "obesity",
                "dehydration",
                "volume depletion",
                "weight reduction",
                "anorexia",
                "appetite loss",
                "loss of appetite",
                "decreased appetite",
            ],
            adverse_distractor: true,
        },
        high: Side {
            name: "weight gain",
            verb: "raises",
            phrases: &[
                "weight gain",
                "gain weight",
                "increased appetite",
                "fluid retention",
                "edema",
            ],
            adverse_distractor: true,
        },
    },
    Opposite {
        measure: "saliva production",
        low: Side {
            name: "dry mouth",
            verb: "reduces",
            phrases: &["dry mouth", "xerostomia", "decreased saliva"],
            adverse_distractor: true,
        },
        high: Side {
            name: "excessive salivation",
            verb: "increases",
            phrases: &[
                "salivation",
                "hypersaliv",
                "drool",
                "sialorrh",
                "extrapyramidal",
                "parkinson",
            ],
            adverse_distractor: true,
        },
    },
];

/// Words that make a finding a withdrawal or rebound effect (the opposite of the drug's action) or
/// a masked sign: such a fact says nothing about the direction the drug itself moves the measure.
const NOT_DIRECT: [&str; 14] = [
    "rapid",
    "injection",
    "infusion",
    "excess",
    "overdose",
    "neonat",
    "withdrawal",
    "rebound",
    "abrupt",
    "stopped",
    "discontinu",
    "mask",
    "blunt",
    "reflex",
];

/// A side of a measure that a text names as a finding, with the measure and the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub opposite: &'static Opposite,
    /// The side the text names.
    pub this: Side,
    /// The other side.
    pub other: Side,
}

/// Whether `text` (already lowercase) names this side.
pub fn names(text: &str, side: &Side) -> bool {
    side.phrases.iter().any(|phrase| text.contains(phrase))
}

/// The sides a finding's text names directly: the side's own name (or stem) appears and nothing
/// marks the finding as a withdrawal, rebound or masked effect; a text naming both sides of a
/// measure names neither.
pub fn named_sides(text: &str) -> Vec<Named> {
    let text = text.to_lowercase();
    if NOT_DIRECT.iter().any(|word| text.contains(word)) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for opposite in OPPOSITES {
        let low = text.contains(opposite.low.phrases[0]);
        let high = text.contains(opposite.high.phrases[0]);
        if low && !names(&text, &opposite.high) {
            found.push(Named {
                opposite,
                this: opposite.low,
                other: opposite.high,
            });
        } else if high && !names(&text, &opposite.low) {
            found.push(Named {
                opposite,
                this: opposite.high,
                other: opposite.low,
            });
        }
    }
    found
}

/// Every text a fact carries: its value, condition, note and disputed alternative.
fn fact_texts(fact: &Fact) -> [String; 4] {
    [
        fact.text().to_lowercase(),
        fact.condition.to_lowercase(),
        fact.note.to_lowercase(),
        fact.alternative.to_lowercase(),
    ]
}

impl KnowledgeBase {
    /// Whether any fact about `subject`, or about a subject of the same class, of one of
    /// `attributes` (every attribute when empty; any condition, disputed included, notes and
    /// alternatives too) names `side`.
    pub fn mentions_any(
        &self,
        family: Family,
        subject: &str,
        attributes: &[&str],
        side: &Side,
    ) -> bool {
        let class = self.class_of(family, subject);
        let mut subjects = vec![subject];
        if let Some(class) = class {
            subjects.extend(
                self.subjects(family)
                    .iter()
                    .map(String::as_str)
                    .filter(|other| {
                        *other != subject && self.class_of(family, other) == Some(class)
                    }),
            );
        }
        subjects.iter().any(|name| {
            self.about(family, name)
                .filter(|fact| {
                    attributes.is_empty() || attributes.contains(&fact.attribute.as_str())
                })
                .any(|fact| fact_texts(fact).iter().any(|text| names(text, side)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_names_itself_and_not_its_opposite() {
        for opposite in OPPOSITES {
            assert!(
                names(opposite.low.name, &opposite.low),
                "{}",
                opposite.low.name
            );
            assert!(
                names(opposite.high.name, &opposite.high),
                "{}",
                opposite.high.name
            );
            assert!(
                !names(opposite.low.name, &opposite.high),
                "{}",
                opposite.low.name
            );
            assert!(
                !names(opposite.high.name, &opposite.low),
                "{}",
                opposite.high.name
            );
        }
    }

    #[test]
    fn a_direct_finding_names_one_side_and_a_withdrawal_effect_none() {
        let found = named_sides("Hypokalemia");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].other.name, "hyperkalemia");
        assert_eq!(
            named_sides("orthostatic hypotension")[0].other.name,
            "hypertension"
        );
        assert!(named_sides("rebound tachycardia if stopped abruptly").is_empty());
        assert!(named_sides("masks tachycardia of hypoglycemia").is_empty());
        // Both directions named: no side can be offered as the opposite.
        assert!(named_sides("hypoglycemia or hyperglycemia (dysglycemia)").is_empty());
        assert!(named_sides("headache").is_empty());
    }

    #[test]
    fn a_subject_whose_facts_name_a_side_mentions_it() {
        let kb = super::super::load_embedded_for_tests();
        let potassium = OPPOSITES
            .iter()
            .find(|opposite| opposite.measure == "serum potassium")
            .map(|opposite| (opposite.low, opposite.high));
        let Some((low, high)) = potassium else {
            panic!("the potassium pair is in the table");
        };
        assert!(kb.mentions_any(Family::Medications, "furosemide", &[], &low));
        assert!(!kb.mentions_any(Family::Medications, "furosemide", &[], &high));
        assert!(kb.mentions_any(Family::Medications, "spironolactone", &[], &high));
    }
}
