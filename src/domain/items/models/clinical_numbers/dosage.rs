//! Dosage calculation: drip and pump rates, infusion times, dose per hour, weight-based doses, maintenance fluids, unit conversion and BSA-based doses.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    DRIP_RATE,
    PUMP_RATE,
    INFUSION_TIME,
    DOSE_PER_HOUR,
    WEIGHT_INFUSION,
    WEIGHT_DOSE,
    MAINTENANCE_FLUID,
    UNIT_CONVERSION,
    BSA_DOSE,
];

const WHO: [&str; 5] = [
    "An adult client",
    "A postoperative client",
    "A client on the medical unit",
    "An older adult client",
    "A client in the emergency department",
];

fn dose_fact<'a>(kb: &'a KnowledgeBase, subject: &str, attribute: &str) -> Option<&'a Fact> {
    kb.value(DOSE, subject, attribute)
}

fn time_phrase(minutes: f64) -> String {
    if minutes >= 60.0 && (minutes % 60.0).abs() < 1e-9 {
        let hours = minutes / 60.0;
        format!(
            "{} hour{}",
            number(hours),
            if hours == 1.0 { "" } else { "s" }
        )
    } else {
        format!("{} minutes", number(minutes))
    }
}

#[allow(clippy::too_many_arguments)]
fn numeric_item(
    meta: Meta,
    kb: &KnowledgeBase,
    seed: u64,
    stem: String,
    answer: f64,
    units: &str,
    tolerance: f64,
    calculation: Calculation,
    rationale: String,
    facts: &[&Fact],
    difficulty: Difficulty,
    topic: &str,
) -> Option<Item> {
    if (gate::recompute(&calculation) - answer).abs() > 1e-9 {
        return None;
    }
    let meta = Meta {
        difficulty,
        ..meta.about(topic)
    };
    Some(build::numeric(
        kb,
        &meta,
        seed,
        stem,
        answer,
        units,
        tolerance,
        calculation,
        rationale,
        facts,
    ))
}

const DRIP: [(f64, f64); 16] = [
    (1000.0, 480.0),
    (1000.0, 600.0),
    (1000.0, 720.0),
    (1000.0, 360.0),
    (500.0, 240.0),
    (500.0, 300.0),
    (500.0, 360.0),
    (250.0, 120.0),
    (250.0, 60.0),
    (250.0, 90.0),
    (100.0, 30.0),
    (100.0, 60.0),
    (50.0, 30.0),
    (150.0, 60.0),
    (200.0, 120.0),
    (750.0, 480.0),
];
const DROP_FACTORS: [f64; 4] = [10.0, 15.0, 20.0, 60.0];

/// gtt/min = volume × drop factor ÷ minutes.
const DRIP_RATE: ModelSpec = ModelSpec {
    id: "dose-drip-rate-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a gravity drip rate in gtt/min = volume (mL) × drop factor (gtt/mL) ÷ time (min) (dosage `formula` 'iv drip rate'), rounded to the nearest whole drop ('drip rate rounding' rule). Volumes 50–1000 mL over 30 minutes to 12 hours with drop factors 10, 15, 20 and 60 gtt/mL; no drug is named. Tolerance 0; the gate recomputes the key.",
    cases: Cases::From(drip_rate_cases),
    seeding: Seeding::Seed,
    generate: drip_rate,
};

fn drip_rate_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..(DRIP.len() * DROP_FACTORS.len()) as u32)
        .map(|variant| Case::new("iv drip rate", DOSE, variant))
        .collect()
}

fn drip_rate(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "iv drip rate", "formula")?;
    let (volume, minutes) = DRIP[case.variant as usize / DROP_FACTORS.len()];
    let drop = DROP_FACTORS[case.variant as usize % DROP_FACTORS.len()];
    let answer = (volume * drop / minutes).round();
    let who = WHO[rng.below(WHO.len())];
    let fluid = [
        "0.9% sodium chloride",
        "lactated Ringer's",
        "an IV medication in 0.9% sodium chloride",
    ][rng.below(3)];
    let stem = format!(
        "{who} is prescribed {} mL of {fluid} to infuse over {}. The administration set delivers {} gtt/mL. At how many drops per minute should the nurse regulate the infusion? Round to the nearest whole number.",
        number(volume),
        time_phrase(minutes),
        number(drop)
    );
    let mut facts = vec![formula];
    facts.extend(dose_fact(kb, "drip rate rounding", "rule"));
    let rationale = format!(
        "gtt/min = volume × drop factor ÷ minutes = {} mL × {} gtt/mL ÷ {} min = {} gtt/min (rounded to the nearest whole drop).",
        number(volume),
        number(drop),
        number(minutes),
        number(answer)
    );
    let calculation = Calculation::DripRate {
        volume_ml: volume,
        drop_factor: drop,
        minutes,
        decimals: 0,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "gtt/min",
        0.0,
        calculation,
        rationale,
        &facts,
        if drop == 60.0 {
            Difficulty::Beginner
        } else {
            Difficulty::Intermediate
        },
        "iv drip rate",
    )
}

const PUMP: [(f64, f64); 18] = [
    (1000.0, 8.0),
    (1000.0, 6.0),
    (1000.0, 10.0),
    (1000.0, 12.0),
    (1000.0, 24.0),
    (500.0, 4.0),
    (500.0, 6.0),
    (500.0, 8.0),
    (250.0, 2.0),
    (250.0, 3.0),
    (750.0, 6.0),
    (1500.0, 12.0),
    (2000.0, 24.0),
    (100.0, 0.5),
    (50.0, 0.5),
    (250.0, 1.5),
    (150.0, 0.75),
    (1000.0, 9.0),
];

/// Fluids named in infusion stems (no drug, so nothing to check against a drug record).
const IV_FLUIDS: [&str; 3] = [
    "0.9% sodium chloride",
    "lactated Ringer's",
    "D5 0.45% sodium chloride",
];

/// mL/h = volume ÷ hours.
const PUMP_RATE: ModelSpec = ModelSpec {
    id: "dose-pump-rate-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Calculates an infusion-pump rate in mL/h = total volume (mL) ÷ total time (h) (dosage `formula` 'iv pump rate'), rounded to the nearest tenth. Volumes 50–2000 mL over 30 minutes to 24 hours; no drug is named. Tolerance ±0.1 mL/h; the gate recomputes the key.",
    cases: Cases::From(pump_rate_cases),
    seeding: Seeding::XorVariant(1),
    generate: pump_rate,
};

fn pump_rate_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..PUMP.len() as u32)
        .flat_map(|variant| {
            (0..3).map(move |frame| Case::new("iv pump rate", DOSE, variant * 3 + frame))
        })
        .collect()
}

fn pump_rate(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "iv pump rate", "formula")?;
    let (volume, hours) = PUMP[case.variant as usize / 3];
    let answer = round_to(volume / hours, 1);
    let who = WHO[rng.below(WHO.len())];
    let fluid = IV_FLUIDS[case.variant as usize % IV_FLUIDS.len()];
    let stem = format!(
        "{who} is prescribed {} mL of {fluid} to infuse over {} by infusion pump. At what rate in mL/h should the nurse program the pump? Round to the nearest tenth if needed.",
        number(volume),
        time_phrase(hours * 60.0)
    );
    let rationale = format!(
        "mL/h = total volume ÷ total hours = {} mL ÷ {} h = {} mL/h.",
        number(volume),
        number(hours),
        number(answer)
    );
    let calculation = Calculation::PumpRate {
        volume_ml: volume,
        hours,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/h",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Beginner,
        "iv pump rate",
    )
}

const INFUSIONS: [(f64, f64); 14] = [
    (1000.0, 125.0),
    (1000.0, 80.0),
    (1000.0, 100.0),
    (1000.0, 150.0),
    (500.0, 100.0),
    (500.0, 75.0),
    (250.0, 50.0),
    (250.0, 100.0),
    (750.0, 125.0),
    (1000.0, 200.0),
    (500.0, 40.0),
    (2000.0, 125.0),
    (1000.0, 90.0),
    (250.0, 30.0),
];

/// hours = volume ÷ rate.
const INFUSION_TIME: ModelSpec = ModelSpec {
    id: "dose-infusion-time-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Calculates how many hours an infusion will take: hours = total volume (mL) ÷ rate (mL/h) (dosage `formula` 'infusion time'), rounded to the nearest tenth. Stated to the gate as desired ÷ have × 1 (volume ÷ rate). Tolerance ±0.1 h.",
    cases: Cases::From(infusion_time_cases),
    seeding: Seeding::XorVariant(1),
    generate: infusion_time,
};

fn infusion_time_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..INFUSIONS.len() as u32)
        .flat_map(|variant| {
            (0..3).map(move |frame| Case::new("infusion time", DOSE, variant * 3 + frame))
        })
        .collect()
}

fn infusion_time(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "infusion time", "formula")?;
    let (volume, rate) = INFUSIONS[case.variant as usize / 3];
    let answer = round_to(volume / rate, 1);
    let who = WHO[rng.below(WHO.len())];
    let fluid = IV_FLUIDS[case.variant as usize % IV_FLUIDS.len()];
    let stem = format!(
        "{who} has {} mL of {fluid} infusing at {} mL/h. How many hours will the infusion take to complete? Round to the nearest tenth if needed.",
        number(volume),
        number(rate)
    );
    let rationale = format!(
        "Hours = total volume ÷ rate = {} mL ÷ {} mL/h = {} h.",
        number(volume),
        number(rate),
        number(answer)
    );
    let calculation = Calculation::DesiredOverHave {
        desired: volume,
        have: rate,
        quantity: 1.0,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "hours",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Beginner,
        "infusion time",
    )
}

/// mL/h = dose per hour ÷ concentration (heparin units/h, or a neutral medication in mg/h).
const DOSE_PER_HOUR: ModelSpec = ModelSpec {
    id: "dose-per-hour-rate-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a pump rate from a dose ordered per hour: mL/h = ordered dose per hour ÷ concentration per mL (dosage `formula` 'dose-per-hour infusion rate'), stated to the gate as desired ÷ have × volume. Heparin uses standard premixed bags (25,000 units in 250 or 500 mL) and 500–2,000 units/h; other cases name no drug (mg/h). Rounded to the nearest tenth; tolerance ±0.1 mL/h.",
    cases: Cases::From(dose_per_hour_cases),
    seeding: Seeding::XorVariant(1),
    generate: dose_per_hour,
};

fn dose_per_hour_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..48u32)
        .map(|variant| Case::new("dose-per-hour infusion rate", DOSE, variant))
        .collect()
}

fn dose_per_hour(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "dose-per-hour infusion rate", "formula")?;
    let who = WHO[rng.below(WHO.len())];
    let (stem, desired, have, volume, unit) = if case.variant < 32 {
        let volume = if case.variant.is_multiple_of(2) {
            250.0
        } else {
            500.0
        };
        let rate = 500.0 + 100.0 * (case.variant / 2) as f64;
        (
            format!(
                "{who} is prescribed a continuous heparin infusion at {} units/h. The bag contains 25,000 units of heparin in {} mL. At what rate in mL/h should the nurse set the pump? Round to the nearest tenth if needed.",
                number(rate),
                number(volume)
            ),
            rate,
            25_000.0,
            volume,
            "units",
        )
    } else {
        let bags = [
            (100.0, 100.0),
            (50.0, 250.0),
            (200.0, 100.0),
            (250.0, 250.0),
        ];
        let (mg, volume) = bags[case.variant as usize % 4];
        let rate = [2.0, 4.0, 5.0, 8.0, 10.0, 15.0][(case.variant as usize / 4) % 6];
        (
            format!(
                "{who} is prescribed a medication infusion at {} mg/h. The bag contains {} mg in {} mL. At what rate in mL/h should the nurse set the pump? Round to the nearest tenth if needed.",
                number(rate),
                number(mg),
                number(volume)
            ),
            rate,
            mg,
            volume,
            "mg",
        )
    };
    let answer = round_to(desired / have * volume, 1);
    let rationale = format!(
        "Concentration = {} {unit} ÷ {} mL; mL/h = ordered dose per hour ÷ concentration = {} {unit}/h ÷ {} {unit} × {} mL = {} mL/h.",
        number(have),
        number(volume),
        number(desired),
        number(have),
        number(volume),
        number(answer)
    );
    let calculation = Calculation::DesiredOverHave {
        desired,
        have,
        quantity: volume,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/h",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Intermediate,
        "dose-per-hour infusion",
    )
}

/// mL/h = mcg/kg/min × kg × 60 ÷ mcg/mL.
const WEIGHT_INFUSION: ModelSpec = ModelSpec {
    id: "dose-weight-infusion-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Advanced,
    description: "Calculates a weight-based infusion rate: mL/h = dose (mcg/kg/min) × weight (kg) × 60 ÷ concentration (mcg/mL) (dosage `formula` 'weight-based infusion rate'), after converting the bag's mg to mcg ('milligram to microgram' conversion). Neutral 'a medication' with bags of 250–800 mg in 250 mL, doses 2–20 mcg/kg/min and weights 50–110 kg. Rounded to the nearest tenth; tolerance ±0.1 mL/h.",
    cases: Cases::From(weight_infusion_cases),
    seeding: Seeding::XorVariant(1),
    generate: weight_infusion,
};

fn weight_infusion_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..96u32)
        .map(|variant| Case::new("weight-based infusion rate", DOSE, variant))
        .collect()
}

fn weight_infusion(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "weight-based infusion rate", "formula")?;
    let conversion = dose_fact(kb, "milligram to microgram", "conversion");
    let bags = [
        (400.0, 250.0),
        (800.0, 250.0),
        (250.0, 250.0),
        (500.0, 250.0),
    ];
    let (mg, volume) = bags[case.variant as usize % 4];
    let dose = [2.0, 3.0, 5.0, 7.5, 10.0, 12.0, 15.0, 20.0][(case.variant as usize / 4) % 8];
    let weight = draw(&mut rng, 50.0, 110.0, 2.0);
    let concentration = mg * 1000.0 / volume;
    let answer = round_to(dose * weight * 60.0 / concentration, 1);
    let stem = format!(
        "A client who weighs {} kg is prescribed a medication infusion at {} mcg/kg/min. The bag contains {} mg in {} mL. At what rate in mL/h should the nurse set the pump? Round to the nearest tenth.",
        number(weight),
        number(dose),
        number(mg),
        number(volume)
    );
    let rationale = format!(
        "Concentration = {} mg × 1,000 ÷ {} mL = {} mcg/mL. mL/h = {} mcg/kg/min × {} kg × 60 ÷ {} mcg/mL = {} mL/h.",
        number(mg),
        number(volume),
        number(concentration),
        number(dose),
        number(weight),
        number(concentration),
        number(answer)
    );
    let mut facts = vec![formula];
    facts.extend(conversion);
    let calculation = Calculation::WeightBasedInfusion {
        mcg_per_kg_min: dose,
        weight_kg: weight,
        concentration_mcg_ml: concentration,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/h",
        0.1,
        calculation,
        rationale,
        &facts,
        Difficulty::Advanced,
        "weight-based infusion",
    )
}

const MG_PER_KG: [f64; 8] = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0];

/// mg = mg/kg × kg, with the weight given in kg or in pounds.
const WEIGHT_DOSE: ModelSpec = ModelSpec {
    id: "dose-weight-based-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a weight-based dose: dose = ordered mg/kg × weight in kg (dosage `formula` 'weight-based dose'). Half the cases give the weight in pounds, converted to kg with 2.2 lb/kg ('kilogram to pound' conversion) and rounded to the nearest tenth first. Neutral 'a medication'; 0.1–20 mg/kg; pediatric weights 4–40 kg at up to 20 mg/kg, adult weights 50–100 kg at up to 2 mg/kg. Rounded to the nearest tenth; tolerance ±0.1 mg.",
    cases: Cases::From(weight_dose_cases),
    seeding: Seeding::XorVariant(1),
    generate: weight_dose,
};

fn weight_dose_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..(MG_PER_KG.len() * 2 * 4) as u32)
        .map(|variant| Case::new("weight-based dose", DOSE, variant))
        .collect()
}

fn weight_dose(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "weight-based dose", "formula")?;
    let per_kg = MG_PER_KG[case.variant as usize % MG_PER_KG.len()];
    let pounds_given = (case.variant as usize / MG_PER_KG.len()) % 2 == 1;
    let adult = per_kg <= 2.0 && rng.below(2) == 0;
    let (who, kg_raw) = if adult {
        ("An adult client", draw(&mut rng, 50.0, 100.0, 1.0))
    } else {
        ("A child", draw(&mut rng, 4.0, 40.0, 0.5))
    };
    let (weight_text, kg, pounds, difficulty) = if pounds_given {
        let lb = (kg_raw * 2.2).round();
        let kg = round_to(lb / 2.2, 1);
        (
            format!("{} lb", number(lb)),
            kg,
            Some(lb),
            Difficulty::Intermediate,
        )
    } else {
        (
            format!("{} kg", number(kg_raw)),
            kg_raw,
            None,
            Difficulty::Beginner,
        )
    };
    let answer = round_to(per_kg * kg, 1);
    let stem = format!(
        "{who} who weighs {weight_text} is prescribed a medication at {} mg/kg.{} How many mg should the nurse prepare? Round to the nearest tenth if needed.",
        number(per_kg),
        if pounds_given {
            " Convert the weight to kilograms (rounded to the nearest tenth) first."
        } else {
            ""
        }
    );
    let mut facts = vec![formula];
    let rationale = if let Some(lb) = pounds {
        facts.extend(dose_fact(kb, "kilogram to pound", "conversion"));
        format!(
            "{} lb ÷ 2.2 lb/kg = {} kg; {} mg/kg × {} kg = {} mg.",
            number(lb),
            number(kg),
            number(per_kg),
            number(kg),
            number(answer)
        )
    } else {
        format!(
            "Dose = {} mg/kg × {} kg = {} mg.",
            number(per_kg),
            number(kg),
            number(answer)
        )
    };
    let calculation = Calculation::WeightBasedDose {
        mg_per_kg: per_kg,
        weight_kg: kg,
        pounds,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mg",
        0.1,
        calculation,
        rationale,
        &facts,
        difficulty,
        "weight-based dose",
    )
}

/// Holliday–Segar maintenance fluid in mL/day.
const MAINTENANCE_FLUID: ModelSpec = ModelSpec {
    id: "dose-maintenance-fluid-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a child's 24-hour maintenance fluid requirement by the Holliday–Segar formula (100 mL/kg for the first 10 kg, 50 mL/kg for the next 10 kg, 20 mL/kg above 20 kg; dosage `formula` 'holliday-segar maintenance fluid') for weights of 3–45 kg. Whole mL; tolerance 0; the gate recomputes the key.",
    cases: Cases::From(maintenance_fluid_cases),
    seeding: Seeding::Seed,
    generate: maintenance_fluid,
};

fn maintenance_fluid_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..86u32)
        .map(|variant| Case::new("holliday-segar maintenance fluid", DOSE, variant))
        .collect()
}

fn maintenance_fluid(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "holliday-segar maintenance fluid", "formula")?;
    let weight = 3.0 + 0.5 * case.variant as f64;
    let first = weight.min(10.0) * 100.0;
    let second = (weight.min(20.0) - 10.0).max(0.0) * 50.0;
    let rest = (weight - 20.0).max(0.0) * 20.0;
    let answer = (first + second + rest).round();
    let who = [
        "A child",
        "A hospitalized child",
        "A child receiving IV fluids",
    ][rng.below(3)];
    let stem = format!(
        "{who} weighs {} kg. Using the Holliday–Segar method, calculate the child's maintenance fluid requirement for 24 hours. How many mL/day does the child need?",
        number(weight)
    );
    let mut parts = vec![format!(
        "{} kg × 100 mL = {} mL",
        number(weight.min(10.0)),
        number(first)
    )];
    if second > 0.0 {
        parts.push(format!(
            "{} kg × 50 mL = {} mL",
            number(weight.min(20.0) - 10.0),
            number(second)
        ));
    }
    if rest > 0.0 {
        parts.push(format!(
            "{} kg × 20 mL = {} mL",
            number(weight - 20.0),
            number(rest)
        ));
    }
    let rationale = format!(
        "Holliday–Segar: {}; total {} mL/day.{}",
        parts.join("; "),
        number(answer),
        cite_note(formula)
    );
    let calculation = Calculation::MaintenanceFluids {
        weight_kg: weight,
        decimals: 0,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/day",
        0.0,
        calculation,
        rationale,
        &[formula],
        Difficulty::Intermediate,
        "maintenance fluids",
    )
}

/// A unit conversion with its knowledge-base factor (forward or inverse).
struct ConversionSpec {
    subject: &'static str,
    inverse: bool,
    from: &'static str,
    to: &'static str,
    values: &'static [f64],
    decimals: u32,
    frame: &'static str,
}

const CONVERSIONS: [ConversionSpec; 14] = [
    ConversionSpec {
        subject: "teaspoon",
        inverse: false,
        from: "tsp",
        to: "mL",
        values: &[0.5, 1.0, 1.5, 2.0, 3.0],
        decimals: 1,
        frame: "A client is to take {v} {from} of an oral liquid medication. How many mL is this?",
    },
    ConversionSpec {
        subject: "tablespoon",
        inverse: false,
        from: "tbsp",
        to: "mL",
        values: &[0.5, 1.0, 2.0, 3.0],
        decimals: 1,
        frame: "A client is to take {v} {from} of an oral suspension. How many mL is this?",
    },
    ConversionSpec {
        subject: "ounce",
        inverse: false,
        from: "oz",
        to: "mL",
        values: &[4.0, 6.0, 8.0, 10.0, 12.0, 16.0],
        decimals: 0,
        frame: "A client drinks {v} {from} of water. How many mL should the nurse record as intake?",
    },
    ConversionSpec {
        subject: "cup",
        inverse: false,
        from: "cups",
        to: "mL",
        values: &[0.5, 1.0, 1.5, 2.0, 3.0],
        decimals: 0,
        frame: "A client drinks {v} {from} of juice. How many mL should the nurse record as intake?",
    },
    ConversionSpec {
        subject: "milligram to microgram",
        inverse: false,
        from: "mg",
        to: "mcg",
        values: &[0.125, 0.25, 0.5, 0.05, 0.1, 1.5],
        decimals: 0,
        frame: "A prescription reads {v} {from}. How many mcg is this dose?",
    },
    ConversionSpec {
        subject: "milligram to microgram",
        inverse: true,
        from: "mcg",
        to: "mg",
        values: &[125.0, 250.0, 500.0, 50.0, 100.0, 1500.0],
        decimals: 3,
        frame: "A dose of {v} {from} is prescribed. How many mg is this dose?",
    },
    ConversionSpec {
        subject: "gram to milligram",
        inverse: false,
        from: "g",
        to: "mg",
        values: &[0.5, 1.0, 1.5, 2.0, 0.25],
        decimals: 0,
        frame: "A prescription reads {v} {from}. How many mg is this dose?",
    },
    ConversionSpec {
        subject: "gram to milligram",
        inverse: true,
        from: "mg",
        to: "g",
        values: &[250.0, 500.0, 750.0, 1500.0, 2000.0],
        decimals: 2,
        frame: "A dose of {v} {from} is prescribed. How many grams is this dose?",
    },
    ConversionSpec {
        subject: "liter to milliliter",
        inverse: false,
        from: "L",
        to: "mL",
        values: &[0.5, 1.0, 1.5, 2.0, 2.5],
        decimals: 0,
        frame: "A client is prescribed {v} {from} of oral fluid per day. How many mL is this?",
    },
    ConversionSpec {
        subject: "kilogram to pound",
        inverse: false,
        from: "kg",
        to: "lb",
        values: &[45.0, 52.0, 60.0, 68.0, 75.0, 82.0, 90.0, 18.0, 25.0],
        decimals: 1,
        frame: "A client weighs {v} {from}. What is the client's weight in pounds?",
    },
    ConversionSpec {
        subject: "kilogram to pound",
        inverse: true,
        from: "lb",
        to: "kg",
        values: &[110.0, 132.0, 154.0, 176.0, 198.0, 44.0, 66.0, 143.0, 165.0],
        decimals: 1,
        frame: "A client weighs {v} {from}. What is the client's weight in kilograms?",
    },
    ConversionSpec {
        subject: "inch to centimeter",
        inverse: false,
        from: "inches",
        to: "cm",
        values: &[60.0, 62.0, 65.0, 68.0, 70.0, 72.0],
        decimals: 1,
        frame: "A client is {v} {from} tall. What is the client's height in centimeters?",
    },
    ConversionSpec {
        subject: "tablespoon to teaspoon",
        inverse: false,
        from: "tbsp",
        to: "tsp",
        values: &[1.0, 2.0, 0.5, 3.0],
        decimals: 1,
        frame: "A client is to take {v} {from} of an oral liquid. How many tsp is this?",
    },
    ConversionSpec {
        subject: "ounce",
        inverse: true,
        from: "mL",
        to: "oz",
        values: &[90.0, 120.0, 180.0, 240.0, 360.0],
        decimals: 1,
        frame: "A client's drainage measures {v} {from}. How many oz is this?",
    },
];

/// value × factor (or ÷ factor) for the knowledge base's conversion factors.
const UNIT_CONVERSION: ModelSpec = ModelSpec {
    id: "dose-unit-conversion-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Converts between household, metric and weight units with the dosage family's `conversion` factors (tsp, tbsp, oz, cup, mg↔mcg, g↔mg, L→mL, kg↔lb, inch→cm, tbsp→tsp, mL→oz); disputed factors (grain) are not used. The gate recomputes value × factor. Tolerance: 0 for whole units, ±0.1 for tenths, ±0.01 or less for finer answers.",
    cases: Cases::From(unit_conversion_cases),
    seeding: Seeding::Seed,
    generate: unit_conversion,
};

fn unit_conversion_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, spec) in CONVERSIONS.iter().enumerate() {
        for value in 0..spec.values.len() {
            cases.push(Case::new(spec.subject, DOSE, (index * 100 + value) as u32));
        }
    }
    cases
}

fn unit_conversion(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let spec = CONVERSIONS.get(case.variant as usize / 100)?;
    let value = *spec.values.get(case.variant as usize % 100)?;
    let fact = dose_fact(kb, spec.subject, "conversion")?;
    let Value::Range {
        low: Some(factor), ..
    } = &fact.value
    else {
        return None;
    };
    let factor = if spec.inverse { 1.0 / factor } else { *factor };
    let answer = round_to(value * factor, spec.decimals as usize);
    if answer <= 0.0 {
        return None;
    }
    let lead = [
        "",
        "The nurse is documenting care. ",
        "During a medication pass: ",
    ][rng.below(3)];
    let question = spec
        .frame
        .replace("{v}", &number(value))
        .replace("{from}", spec.from);
    let rounding = match spec.decimals {
        0 => " Round to the nearest whole number.",
        1 => " Round to the nearest tenth if needed.",
        _ => " Do not round beyond the given precision.",
    };
    let stem = format!("{lead}{question}{rounding}");
    let factor_text = fact.value.display();
    let rationale = if spec.inverse {
        format!(
            "{} {} ÷ {} = {} {} (conversion factor {factor_text}).",
            number(value),
            spec.from,
            number(1.0 / factor),
            number(answer),
            spec.to
        )
    } else {
        format!(
            "{} {} × {} = {} {} (conversion factor {factor_text}).",
            number(value),
            spec.from,
            number(factor),
            number(answer),
            spec.to
        )
    };
    let tolerance = match spec.decimals {
        0 => 0.0,
        1 => 0.1,
        2 => 0.01,
        _ => 0.001,
    };
    let calculation = Calculation::Conversion {
        value,
        factor,
        decimals: spec.decimals,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        spec.to,
        tolerance,
        calculation,
        rationale,
        &[fact],
        Difficulty::Beginner,
        "unit conversion",
    )
}

/// dose = mg/m2 × BSA.
const BSA_DOSE: ModelSpec = ModelSpec {
    id: "dose-bsa-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a body-surface-area dose: dose = ordered dose per m2 × BSA in m2 (dosage `formula` 'bsa-based dose'), with the BSA given (0.6–2.2 m2) and a neutral medication at 10–250 mg/m2. Stated to the gate as value × factor. Rounded to the nearest tenth; tolerance ±0.1 mg.",
    cases: Cases::From(bsa_dose_cases),
    seeding: Seeding::XorVariant(1),
    generate: bsa_dose,
};

fn bsa_dose_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..64u32)
        .map(|variant| Case::new("bsa-based dose", DOSE, variant))
        .collect()
}

fn bsa_dose(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "bsa-based dose", "formula")?;
    let per_m2 = [10.0, 25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 250.0][case.variant as usize % 8];
    let bsa = round_to(draw(&mut rng, 0.6, 2.2, 0.02), 2);
    let answer = round_to(bsa * per_m2, 1);
    let who = [
        "A client",
        "An adult client",
        "A client receiving chemotherapy",
        "A client on the oncology unit",
    ][case.variant as usize / 8 % 4];
    let stem = format!(
        "{who} with a body surface area of {} m2 is prescribed a medication at {} mg/m2. How many mg should the nurse expect to give? Round to the nearest tenth if needed.",
        number(bsa),
        number(per_m2)
    );
    let rationale = format!(
        "Dose = ordered dose per m2 × BSA = {} mg/m2 × {} m2 = {} mg.",
        number(per_m2),
        number(bsa),
        number(answer)
    );
    let calculation = Calculation::Conversion {
        value: bsa,
        factor: per_m2,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mg",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Intermediate,
        "bsa-based dose",
    )
}
