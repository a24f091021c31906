//! The one shape of an item model: a declarative [`ModelSpec`] (what the model is, how its cases
//! are enumerated, how its generator's random numbers are seeded, the generator function) and the
//! [`Gen`] context every generator receives. Each area file under `models/` exports a table of
//! specs; the catalog runs them and gates every item once.

use std::fmt;

use super::build::Meta;
use super::catalog::Case;
use super::rng::{Rng, mix};
use super::{ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen, gate};
use crate::domain::knowledge::{Family, KnowledgeBase};

/// An AACN Essentials (2021) competency, domain and number: `Aacn::new(2, 4)` is "2.4".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Aacn {
    domain: u8,
    competency: u8,
}

impl Aacn {
    pub const fn new(domain: u8, competency: u8) -> Aacn {
        Aacn { domain, competency }
    }
}

impl fmt::Display for Aacn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.domain, self.competency)
    }
}

/// How a model's cases (content instances) are enumerated from the knowledge base.
#[derive(Clone, Copy)]
pub enum Cases {
    /// The model's own enumerator.
    From(fn(&KnowledgeBase) -> Vec<Case>),
    /// Every subject of `family` × `variants` (stem frames or key choices per subject), kept when
    /// at least three of the seeds 0–3 make an item that passes the gate.
    Vetted { family: Family, variants: u32 },
}

/// How the generator's [`Rng`] is seeded from the item's seed and the case's variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeding {
    /// The seed alone.
    Seed,
    /// `seed ^ variant × factor`.
    XorVariant(u64),
    /// `seed + variant` (wrapping).
    AddVariant,
    /// `mix(seed, variant + 1)`.
    MixVariant,
}

impl Seeding {
    fn rng(self, seed: u64, variant: u32) -> Rng {
        let variant = u64::from(variant);
        Rng::new(match self {
            Seeding::Seed => seed,
            Seeding::XorVariant(factor) => seed ^ variant.wrapping_mul(factor),
            Seeding::AddVariant => seed.wrapping_add(variant),
            Seeding::MixVariant => mix(seed, variant + 1),
        })
    }
}

/// What a generator works with: the knowledge base, the case, the metadata every item of the
/// model carries (topic: the case's subject), the item's seed and the model's random numbers.
pub struct Gen<'a> {
    pub kb: &'a KnowledgeBase,
    pub case: &'a Case,
    pub meta: Meta,
    pub seed: u64,
    pub rng: Rng,
}

/// The item for the context's case, or `None` when the case cannot make a sound item.
pub type Generator = fn(Gen<'_>) -> Option<Item>;

/// One item model: a cognitive model of one kind of clinical reasoning, turned into items.
pub struct ModelSpec {
    /// Stable id, e.g. "med-antidote-mc"; part of every item id.
    pub id: &'static str,
    pub item_type: ItemType,
    pub client_need: ClientNeed,
    pub ncjmm: NcjmmFunction,
    pub aacn: Aacn,
    pub qsen: Qsen,
    /// The difficulty of its items, unless the generator grades each item (dosage calculations
    /// grade by the steps a calculation takes).
    pub difficulty: Difficulty,
    /// For `docs/content.md`: what the item asks, the facts it uses, how distractors are built.
    pub description: &'static str,
    pub cases: Cases,
    pub seeding: Seeding,
    pub generate: Generator,
}

impl ModelSpec {
    pub fn id(&self) -> &'static str {
        self.id
    }
    pub fn item_type(&self) -> ItemType {
        self.item_type
    }
    pub fn client_need(&self) -> ClientNeed {
        self.client_need
    }
    pub fn ncjmm(&self) -> NcjmmFunction {
        self.ncjmm
    }
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The metadata of this model's items about `topic`.
    pub fn meta(&self, topic: &str) -> Meta {
        Meta {
            model: self.id,
            client_need: self.client_need,
            ncjmm: self.ncjmm,
            aacn: self.aacn,
            qsen: self.qsen,
            difficulty: self.difficulty,
            topic: topic.to_owned(),
        }
    }

    /// Every content instance this model can make from the knowledge base.
    pub fn cases(&self, kb: &KnowledgeBase) -> Vec<Case> {
        match self.cases {
            Cases::From(enumerate) => enumerate(kb),
            Cases::Vetted { family, variants } => {
                let mut cases = Vec::new();
                for subject in kb.subjects(family) {
                    for variant in 0..variants {
                        let case = Case::new(subject, family, variant);
                        let sound = (0..4u64)
                            .filter(|&seed| {
                                self.generate(kb, &case, seed)
                                    .is_some_and(|item| gate::passes(&item))
                            })
                            .count();
                        if sound >= 3 {
                            cases.push(case);
                        }
                    }
                }
                cases
            }
        }
    }

    /// The item for `case`, before the gate; `seed` decides the surface (option order, names,
    /// numbers where the model varies them).
    pub fn generate(&self, kb: &KnowledgeBase, case: &Case, seed: u64) -> Option<Item> {
        if let Cases::Vetted { family, .. } = self.cases
            && case.family != family
        {
            return None;
        }
        (self.generate)(Gen {
            kb,
            case,
            meta: self.meta(&case.subject),
            seed,
            rng: self.seeding.rng(seed, case.variant),
        })
    }
}

impl Meta {
    /// The same metadata about another topic.
    pub fn about(&self, topic: &str) -> Meta {
        Meta {
            topic: topic.to_owned(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aacn_competency_prints_as_domain_dot_number() {
        assert_eq!(Aacn::new(2, 4).to_string(), "2.4");
        assert_eq!(Aacn::new(5, 2).to_string(), "5.2");
    }

    #[test]
    fn each_seeding_gives_the_generator_it_names() {
        let draw = |mut rng: Rng| rng.next_u64();
        assert_eq!(
            draw(Seeding::Seed.rng(41, 3)),
            draw(Rng::new(41)),
            "the seed alone"
        );
        assert_eq!(
            draw(Seeding::XorVariant(0x9E37).rng(41, 3)),
            draw(Rng::new(41 ^ 3u64.wrapping_mul(0x9E37)))
        );
        assert_eq!(
            draw(Seeding::AddVariant.rng(u64::MAX, 3)),
            draw(Rng::new(2))
        );
        assert_eq!(
            draw(Seeding::MixVariant.rng(41, 3)),
            draw(Rng::new(mix(41, 4)))
        );
        assert_ne!(
            draw(Seeding::MixVariant.rng(41, 3)),
            draw(Seeding::MixVariant.rng(41, 4)),
            "the variant matters"
        );
    }
}
