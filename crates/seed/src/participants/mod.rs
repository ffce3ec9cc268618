//! One synthetic participant from `(seed, index)`.
//!
//! The identity number comes from [`crate::kernel::ident`]'s bijection (unique by
//! construction); everything else from a ChaCha8 stream keyed by
//! `(seed, index)` itself, so any index can be generated alone, in any
//! order, on any thread, and always gives the same person.
//!
//! The distributions aim at a plausible Stockholm caseload rather than at
//! official statistics; they are documented next to each table.

use chrono::{Days, Months, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vagar_domain::geo::{STOCKHOLM, STOCKHOLM_DISTRICTS};
use vagar_domain::participants::{
    fold_for_search, BirthRegion, EducationLevel, Gender, ParticipantData, SwedishLevel,
    TargetGroup,
};

use crate::kernel::ident::{self, Birth};
use crate::kernel::names::{
    Origin, EUROPE_ORIGINS, NORDIC_ORIGINS, OUTSIDE_EUROPE_ORIGINS, SWEDEN,
};

/// Domain separation for the attribute stream, so a future generator of
/// other records can key its own stream by the same `(seed, index)`.
const STREAM_TAG: [u8; 16] = *b"vagar-seed/p/v1\0";

fn rng_for(seed: u64, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&index.to_le_bytes());
    key[16..].copy_from_slice(&STREAM_TAG);
    ChaCha8Rng::from_seed(key)
}

/// Weighted choice; weights need not sum to anything in particular.
fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|e| e.1).sum();
    let mut x = rng.gen_range(0..total);
    for &(value, weight) in table {
        if x < weight {
            return value;
        }
        x -= weight;
    }
    table[table.len() - 1].0
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.gen_bool(p)
}

/// Picks from a frequency-ordered list with density falling toward the end
/// (index ∝ u^1.5), a cheap stand-in for real name frequencies.
fn skewed(rng: &mut ChaCha8Rng, list: &'static [&'static str]) -> &'static str {
    let u: f64 = rng.gen();
    let i = (u * u.sqrt() * list.len() as f64) as usize;
    list[i.min(list.len() - 1)]
}

/// How a person relates to Sweden, which drives names, languages and
/// Swedish level.
#[derive(Clone, Copy, PartialEq)]
enum Background {
    /// Born in Sweden to Swedish-born parents.
    Swedish,
    /// Born in Sweden to parents born abroad: Swedish as mother tongue,
    /// names (and often a second language) from the parents' origin.
    SecondGeneration,
    ForeignBorn,
}

/// Birth region for personnummer holders. Samordningsnummer (3 %) are all
/// born abroad, so these weights are the targets (35 / 5 / 12 / 45 / 3 %)
/// with the samordningsnummer share taken out.
const REGION_PERSONNUMMER: [(BirthRegion, u32); 5] = [
    (BirthRegion::Sweden, 3500),
    (BirthRegion::Nordic, 500),
    (BirthRegion::Europe, 1140),
    (BirthRegion::OutsideEurope, 4275),
    (BirthRegion::Unknown, 285),
];

const REGION_SAMORDNING: [(BirthRegion, u32); 3] = [
    (BirthRegion::OutsideEurope, 75),
    (BirthRegion::Europe, 20),
    (BirthRegion::Unknown, 5),
];

/// Swedish level of people who arrived within the last few years: most are
/// in SFI or at beginner CEFR levels.
const LEVEL_NEWLY_ARRIVED: [(Option<SwedishLevel>, u32); 8] = [
    (Some(SwedishLevel::SfiA), 20),
    (Some(SwedishLevel::SfiB), 22),
    (Some(SwedishLevel::SfiC), 18),
    (Some(SwedishLevel::SfiD), 8),
    (Some(SwedishLevel::A1), 10),
    (Some(SwedishLevel::A2), 8),
    (Some(SwedishLevel::B1), 4),
    (None, 10),
];

/// Swedish level of people born abroad who have lived here longer.
const LEVEL_ESTABLISHED: [(Option<SwedishLevel>, u32); 12] = [
    (Some(SwedishLevel::SfiA), 2),
    (Some(SwedishLevel::SfiB), 5),
    (Some(SwedishLevel::SfiC), 10),
    (Some(SwedishLevel::SfiD), 14),
    (Some(SwedishLevel::A1), 2),
    (Some(SwedishLevel::A2), 6),
    (Some(SwedishLevel::B1), 16),
    (Some(SwedishLevel::B2), 15),
    (Some(SwedishLevel::C1), 10),
    (Some(SwedishLevel::C2), 4),
    (Some(SwedishLevel::Native), 6),
    (None, 10),
];

/// Nordic neighbours mostly read and speak Scandinavian well.
const LEVEL_NORDIC: [(Option<SwedishLevel>, u32); 8] = [
    (Some(SwedishLevel::Native), 15),
    (Some(SwedishLevel::C2), 15),
    (Some(SwedishLevel::C1), 20),
    (Some(SwedishLevel::B2), 20),
    (Some(SwedishLevel::B1), 10),
    (Some(SwedishLevel::A2), 5),
    (Some(SwedishLevel::SfiD), 5),
    (None, 10),
];

/// Education by age: nobody under 19 has finished upper secondary school,
/// and long post-secondary education takes until the mid-twenties. Across
/// the age distribution this gives about 30 % primary, 40 % secondary,
/// 10 % short and 10 % long post-secondary, 10 % unknown.
const EDUCATION_UNDER_19: [(EducationLevel, u32); 3] = [
    (EducationLevel::Primary, 80),
    (EducationLevel::Secondary, 5),
    (EducationLevel::Unknown, 15),
];
const EDUCATION_19_TO_22: [(EducationLevel, u32); 5] = [
    (EducationLevel::Primary, 35),
    (EducationLevel::Secondary, 45),
    (EducationLevel::PostSecondaryShort, 5),
    (EducationLevel::PostSecondaryLong, 1),
    (EducationLevel::Unknown, 14),
];
const EDUCATION_ADULT: [(EducationLevel, u32); 5] = [
    (EducationLevel::Primary, 28),
    (EducationLevel::Secondary, 40),
    (EducationLevel::PostSecondaryShort, 11),
    (EducationLevel::PostSecondaryLong, 12),
    (EducationLevel::Unknown, 9),
];

const DISABILITY: [(Option<bool>, u32); 3] = [(Some(true), 10), (Some(false), 75), (None, 15)];

/// District weights in `STOCKHOLM_DISTRICTS` order (Bromma, Enskede-Årsta-
/// Vantör, Farsta, Hägersten-Älvsjö, Hässelby-Vällingby, Kungsholmen,
/// Norrmalm, Rinkeby-Kista, Skarpnäck, Skärholmen, Spånga-Tensta, Södermalm,
/// Östermalm). Caseloads concentrate in Järva (Rinkeby-Kista,
/// Spånga-Tensta), Skärholmen and the southern and western suburbs; people
/// with a background abroad even more so.
const DISTRICTS_ABROAD: [u32; 13] = [3, 11, 8, 6, 10, 2, 2, 20, 5, 13, 15, 4, 1];
const DISTRICTS_SWEDISH: [u32; 13] = [6, 14, 12, 11, 12, 4, 3, 5, 9, 8, 5, 9, 2];

/// PTS reserves 070-174 06 05 … 070-174 06 99 for fiction, so demo data
/// can never ring a real person.
const FICTIONAL_PHONE_FIRST: u32 = 5;
const FICTIONAL_PHONE_LAST: u32 = 99;

/// Registrations in the demo span the last three years.
const REGISTRATION_WINDOW_DAYS: u64 = 3 * 365;

fn origin_from(rng: &mut ChaCha8Rng, table: &'static [(&'static Origin, u32)]) -> &'static Origin {
    pick(rng, table)
}

/// Lower-case ASCII for an e-mail local part: diacritics folded (Åsa → asa),
/// spaces and hyphens become `-`, anything else is dropped.
fn push_slug(out: &mut String, name: &str) {
    for c in fold_for_search(name).chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            ' ' => out.push('-'),
            // Letters the search folding keeps as they are.
            'ă' => out.push('a'),
            'ș' | 'ş' => out.push('s'),
            'ț' | 'ţ' => out.push('t'),
            'ð' => out.push('d'),
            _ => {}
        }
    }
}

fn push_language(languages: &mut Vec<String>, code: &str) {
    if !languages.iter().any(|l| l == code) {
        languages.push(code.to_string());
    }
}

/// One synthetic participant, fully determined by `(seed, index)` and
/// `today` (which fixes ages and the registration window).
///
/// Identity numbers are unique over all `index < INDEX_SPACE` for a given
/// seed and `today`. The result always passes
/// [`ParticipantData::from_input`] unchanged. `responsible_caseworker_id` is
/// `None`; the caller assigns caseloads.
///
/// # Panics
/// If `index >= INDEX_SPACE` (10 000 000).
pub fn participant(seed: u64, index: u64, today: NaiveDate) -> ParticipantData {
    let birth: Birth = ident::birth(seed, index, today);
    let mut rng = rng_for(seed, index);
    let rng = &mut rng;
    let age = birth.age;

    // Gender must agree with the serial's parity; `other` and `unknown` may
    // hold either, and taking them from the even half gives ≈ 48/50/1/1 %.
    let gender = if birth.odd_serial {
        Gender::Man
    } else {
        pick(
            rng,
            &[
                (Gender::Woman, 96),
                (Gender::Other, 2),
                (Gender::Unknown, 2),
            ],
        )
    };

    let birth_region = if birth.samordning {
        pick(rng, &REGION_SAMORDNING)
    } else {
        pick(rng, &REGION_PERSONNUMMER)
    };

    let (background, origin) = match birth_region {
        BirthRegion::Sweden if chance(rng, 0.28) => {
            let table = pick(
                rng,
                &[
                    (OUTSIDE_EUROPE_ORIGINS, 70),
                    (EUROPE_ORIGINS, 20),
                    (NORDIC_ORIGINS, 10),
                ],
            );
            (Background::SecondGeneration, origin_from(rng, table))
        }
        BirthRegion::Sweden => (Background::Swedish, &SWEDEN),
        BirthRegion::Nordic => (Background::ForeignBorn, origin_from(rng, NORDIC_ORIGINS)),
        BirthRegion::Europe => (Background::ForeignBorn, origin_from(rng, EUROPE_ORIGINS)),
        BirthRegion::OutsideEurope => (
            Background::ForeignBorn,
            origin_from(rng, OUTSIDE_EUROPE_ORIGINS),
        ),
        BirthRegion::Unknown => {
            let table = if chance(rng, 0.7) {
                OUTSIDE_EUROPE_ORIGINS
            } else {
                EUROPE_ORIGINS
            };
            (Background::ForeignBorn, origin_from(rng, table))
        }
    };

    // Names.
    let female_name = match gender {
        Gender::Woman => true,
        Gender::Man => false,
        Gender::Other | Gender::Unknown => chance(rng, 0.5),
    };
    let first_name = skewed(
        rng,
        if female_name {
            origin.female
        } else {
            origin.male
        },
    );
    // Some children of mixed families carry a Swedish surname.
    let surname_origin = if background == Background::SecondGeneration && chance(rng, 0.15) {
        &SWEDEN
    } else {
        origin
    };
    let mut last_name = skewed(rng, surname_origin.surnames).to_string();
    if surname_origin.gendered_surnames
        && gender == Gender::Woman
        && (last_name.ends_with("ski") || last_name.ends_with("cki"))
    {
        last_name.pop();
        last_name.push('a');
    }

    // Newly arrived: residence permit in the last few years. Everyone with a
    // samordningsnummer is; among personnummer holders mostly those born
    // outside Europe.
    let newly_arrived = birth.samordning
        || match birth_region {
            BirthRegion::Sweden => false,
            BirthRegion::Nordic => chance(rng, 0.03),
            BirthRegion::Europe => chance(rng, 0.15),
            BirthRegion::OutsideEurope => chance(rng, 0.28),
            BirthRegion::Unknown => chance(rng, 0.30),
        };

    // Languages and Swedish level.
    let mut languages = Vec::with_capacity(4);
    let swedish_level = match background {
        Background::Swedish => {
            push_language(&mut languages, "sv");
            if chance(rng, 0.65) {
                push_language(&mut languages, "en");
            }
            pick(rng, &[(Some(SwedishLevel::Native), 93), (None, 7)])
        }
        Background::SecondGeneration => {
            push_language(&mut languages, "sv");
            if chance(rng, 0.65) {
                push_language(&mut languages, pick(rng, origin.languages));
            }
            if chance(rng, 0.5) {
                push_language(&mut languages, "en");
            }
            pick(
                rng,
                &[
                    (Some(SwedishLevel::Native), 88),
                    (Some(SwedishLevel::C2), 4),
                    (Some(SwedishLevel::C1), 3),
                    (None, 5),
                ],
            )
        }
        Background::ForeignBorn => {
            let mother_tongue = pick(rng, origin.languages);
            push_language(&mut languages, mother_tongue);
            if chance(rng, 0.2) {
                push_language(&mut languages, pick(rng, origin.languages));
            }
            let level = if mother_tongue == "sv" {
                // Finland-Swedes.
                Some(SwedishLevel::Native)
            } else if birth_region == BirthRegion::Nordic {
                pick(rng, &LEVEL_NORDIC)
            } else if newly_arrived {
                pick(rng, &LEVEL_NEWLY_ARRIVED)
            } else {
                pick(rng, &LEVEL_ESTABLISHED)
            };
            if matches!(
                level,
                Some(
                    SwedishLevel::B1
                        | SwedishLevel::B2
                        | SwedishLevel::C1
                        | SwedishLevel::C2
                        | SwedishLevel::Native
                )
            ) {
                push_language(&mut languages, "sv");
            }
            if chance(rng, 0.35) {
                push_language(&mut languages, "en");
            }
            level
        }
    };

    let education_level = if age < 19 {
        pick(rng, &EDUCATION_UNDER_19)
    } else if age <= 22 {
        pick(rng, &EDUCATION_19_TO_22)
    } else {
        pick(rng, &EDUCATION_ADULT)
    };
    let disability = pick(rng, &DISABILITY);

    // Target groups, pushed in declaration order so the list is already in
    // the sorted order validation produces.
    let youth = match age {
        ..=24 => chance(rng, 0.92),
        25..=29 => chance(rng, 0.04),
        _ => false,
    };
    let long_term_unemployed = chance(rng, if age >= 25 { 0.38 } else { 0.15 });
    let income_support = chance(
        rng,
        if birth_region == BirthRegion::OutsideEurope || newly_arrived {
            0.48
        } else {
            0.31
        },
    );
    let sfi = background == Background::ForeignBorn
        && match swedish_level {
            Some(
                SwedishLevel::SfiA | SwedishLevel::SfiB | SwedishLevel::SfiC | SwedishLevel::SfiD,
            ) => chance(rng, 0.85),
            Some(SwedishLevel::A1 | SwedishLevel::A2) => chance(rng, 0.35),
            _ => false,
        };
    let mut weak_attachment = chance(
        rng,
        if education_level == EducationLevel::Primary {
            0.38
        } else {
            0.2
        },
    );
    let mut long_term_unemployed = long_term_unemployed;
    if !(youth || long_term_unemployed || income_support || sfi || weak_attachment || newly_arrived)
        && chance(rng, 0.6)
    {
        // Most people reach the municipality because they belong to a group.
        if age >= 25 && chance(rng, 0.5) {
            long_term_unemployed = true;
        } else {
            weak_attachment = true;
        }
    }
    let mut target_groups = Vec::with_capacity(4);
    for (member, group) in [
        (youth, TargetGroup::Youth),
        (long_term_unemployed, TargetGroup::LongTermUnemployed),
        (income_support, TargetGroup::IncomeSupport),
        (sfi, TargetGroup::Sfi),
        (weak_attachment, TargetGroup::WeakAttachment),
        (newly_arrived, TargetGroup::NewlyArrived),
    ] {
        if member {
            target_groups.push(group);
        }
    }

    let district = chance(rng, 0.98).then(|| {
        let weights = if background == Background::Swedish {
            &DISTRICTS_SWEDISH
        } else {
            &DISTRICTS_ABROAD
        };
        let total: u32 = weights.iter().sum();
        let mut x = rng.gen_range(0..total);
        let mut i = 0;
        while x >= weights[i] {
            x -= weights[i];
            i += 1;
        }
        STOCKHOLM_DISTRICTS[i].to_string()
    });

    // Licences in the conventional order B, BE, C, CE, D, TAXI, with the
    // minimum ages (AM 15, B 18, C 21, D 24 without vocational training).
    let mut driving_licences = Vec::new();
    if age < 18 {
        if chance(rng, 0.12) {
            driving_licences.push("AM".to_string());
        }
    } else if chance(rng, if newly_arrived { 0.2 } else { 0.46 }) {
        driving_licences.push("B".to_string());
        if chance(rng, 0.12) {
            driving_licences.push("BE".to_string());
        }
        if age >= 21 && chance(rng, 0.07) {
            driving_licences.push("C".to_string());
            if chance(rng, 0.6) {
                driving_licences.push("CE".to_string());
            }
        }
        if age >= 24 && chance(rng, 0.03) {
            driving_licences.push("D".to_string());
        }
        if age >= 21 && chance(rng, 0.02) {
            driving_licences.push("TAXI".to_string());
        }
    }

    // Only the reserved example.se / example.com domains.
    let email = chance(rng, 0.70).then(|| {
        let mut s = String::with_capacity(48);
        push_slug(&mut s, first_name);
        s.push('.');
        push_slug(&mut s, &last_name);
        if chance(rng, 0.8) {
            let n: u32 = rng.gen_range(1..100);
            s.push_str(&n.to_string());
        }
        s.push_str(if chance(rng, 0.8) {
            "@example.se"
        } else {
            "@example.com"
        });
        s
    });
    let phone = chance(rng, 0.85).then(|| {
        let n = rng.gen_range(FICTIONAL_PHONE_FIRST..=FICTIONAL_PHONE_LAST);
        format!("070-174 06 {n:02}")
    });

    // Registered in the last three years, but not before turning 16.
    let sixteenth = birth
        .birth_date
        .checked_add_months(Months::new(12 * ident::MIN_AGE))
        .expect("realistic date");
    let earliest = (today - Days::new(REGISTRATION_WINDOW_DAYS)).max(sixteenth);
    let span = (today - earliest).num_days().max(0) as u64;
    let registered_on = earliest + Days::new(rng.gen_range(0..=span));

    ParticipantData {
        identity_number: birth.number,
        first_name: first_name.to_string(),
        last_name,
        gender,
        birth_region,
        education_level,
        disability,
        target_groups,
        municipality_code: STOCKHOLM.to_string(),
        district,
        swedish_level,
        languages,
        driving_licences,
        email,
        phone,
        registered_on,
        responsible_caseworker_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_is_ascii() {
        let mut s = String::new();
        push_slug(&mut s, "Åsa-Öberg Çelik");
        assert_eq!(s, "asa-oberg-celik");
    }

    /// Every letter in the name tables survives into e-mail addresses.
    #[test]
    fn every_name_has_a_full_slug() {
        for origin in crate::kernel::names::ALL_ORIGINS {
            for name in origin
                .female
                .iter()
                .chain(origin.male)
                .chain(origin.surnames)
            {
                let mut s = String::new();
                push_slug(&mut s, name);
                assert!(s.is_ascii(), "{name}");
                let letters = name.chars().filter(|c| c.is_alphanumeric()).count();
                let kept = s.chars().filter(char::is_ascii_alphanumeric).count();
                assert_eq!(letters, kept, "{name} -> {s}");
            }
        }
    }

    #[test]
    fn district_tables_cover_all_districts() {
        assert_eq!(DISTRICTS_ABROAD.len(), STOCKHOLM_DISTRICTS.len());
        assert!(DISTRICTS_ABROAD
            .iter()
            .chain(&DISTRICTS_SWEDISH)
            .all(|&w| w > 0));
    }
}
