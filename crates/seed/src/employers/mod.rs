//! The synthetic city's employer register: employers across SNI industries
//! with workplaces in Stockholm's districts, contact persons, an interaction
//! log, and for some a partnership agreement with outcomes or a
//! social-procurement contract with monthly fulfilment.
//!
//! Pure and deterministic: employer `i` is a function of `(seed, i, as_of)`.
//! Organisation numbers come from the index (`559` + six digits + check
//! digit), so they are valid and unique for indices below a million.

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vagar_domain::employers::{
    AccessibilityFeature, ContactData, EmployerData, EmployerRecord, FulfilmentRow,
    InteractionData, InteractionKind, OutcomeKind, PartnershipData, ProcurementData, Requirement,
    SizeClass, WorkplaceData,
};
use vagar_domain::geo::{STOCKHOLM, STOCKHOLM_DISTRICTS};
use vagar_domain::identity::luhn_check_digit;
use vagar_domain::OrganisationNumber;

/// How many employers a city of `size` participants gets: 3 %, at least 30.
pub fn employer_count(size: u64) -> u64 {
    (size * 3 / 100).clamp(30, 5_000)
}

/// Industry word, SNI division.
const INDUSTRIES: &[(&str, &str)] = &[
    ("Bygg", "41"),
    ("Städ & Service", "81"),
    ("Vård", "86"),
    ("Omsorg", "87"),
    ("Restaurang", "56"),
    ("Café", "56"),
    ("Logistik", "52"),
    ("Transport", "49"),
    ("IT-konsult", "62"),
    ("Handel", "47"),
    ("Fastighetsservice", "68"),
    ("Bemanning", "78"),
    ("Hotell", "55"),
    ("Utbildning", "85"),
    ("Måleri", "43"),
    ("Livsmedel", "10"),
];

const PLACES: &[&str] = &[
    "Söder",
    "Norr",
    "Kista",
    "Järva",
    "Bromma",
    "Farsta",
    "Hammarby",
    "Liljeholmen",
    "Vällingby",
    "Skärholmen",
    "Östermalm",
    "Kungsholms",
    "Årsta",
    "Tensta",
    "Hägersten",
    "Solberga",
];

const SUFFIXES: &[&str] = &[
    "AB",
    "i Stockholm AB",
    "Service AB",
    "& Partners AB",
    "Gruppen AB",
];

const STREETS: &[&str] = &[
    "Götgatan",
    "Hornsgatan",
    "Sveavägen",
    "Fleminggatan",
    "Kistagången",
    "Rinkebytorget",
    "Farstaplan",
    "Vällingbyplan",
    "Bromma Blocks",
    "Årstavägen",
    "Skärholmsplan",
    "Valhallavägen",
];

const FIRST: &[&str] = &[
    "Anna", "Erik", "Maria", "Johan", "Fatima", "Ali", "Sara", "Karin", "Ahmed", "Lena", "Mikael",
    "Sofia", "Hassan", "Eva", "Jonas", "Amina",
];
const LAST: &[&str] = &[
    "Andersson",
    "Lind",
    "Berg",
    "Nilsson",
    "Yusuf",
    "Karlsson",
    "Holm",
    "Ahmadi",
    "Ek",
    "Lund",
    "Svensson",
    "Haddad",
];
const TITLES: &[&str] = &[
    "VD",
    "HR-ansvarig",
    "Rekryterare",
    "Platschef",
    "Arbetsledare",
    "Personalchef",
];

const NOTES: &[(InteractionKind, &str)] = &[
    (
        InteractionKind::Call,
        "Första kontakt, intresserade av att ta emot praktikanter.",
    ),
    (
        InteractionKind::Call,
        "Uppföljning av pågående praktik, fungerar bra.",
    ),
    (
        InteractionKind::Visit,
        "Besök på arbetsplatsen, gick igenom introduktion och handledning.",
    ),
    (
        InteractionKind::Meeting,
        "Möte om rekryteringsbehov inför säsongen.",
    ),
    (
        InteractionKind::Email,
        "Skickade information om lönestöd och introduktionsjobb.",
    ),
    (
        InteractionKind::Offer,
        "Erbjöd matchning mot två kandidater.",
    ),
    (
        InteractionKind::Meeting,
        "Avstämning om branschpartnerskapet.",
    ),
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn ascii(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            'é' => 'e',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The organisation number of synthetic employer `i`.
pub fn employer_org_number(i: u64) -> OrganisationNumber {
    let nine = format!("559{:06}", i % 1_000_000);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let check = luhn_check_digit(&digits);
    OrganisationNumber::from_canonical(&format!("{nine}{check}"))
        .unwrap_or_else(|_| unreachable!("559… with a Luhn digit is a legal person's number"))
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Employer `i` of the synthetic city, as of `as_of`.
pub fn employer(seed: u64, i: u64, as_of: NaiveDate) -> EmployerRecord {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&i.to_le_bytes());
    key[16..32].copy_from_slice(b"vagar-seed/e/v1\0");
    let mut rng = ChaCha8Rng::from_seed(key);
    let (industry, sni) = *pick(&mut rng, INDUSTRIES);
    let place = *pick(&mut rng, PLACES);
    let suffix = *pick(&mut rng, SUFFIXES);
    let name = format!("{place} {industry} {suffix}");
    let size_class = *pick(
        &mut rng,
        &[
            SizeClass::Micro,
            SizeClass::Micro,
            SizeClass::Small,
            SizeClass::Small,
            SizeClass::Medium,
            SizeClass::Large,
            SizeClass::Unknown,
        ],
    );
    // Fictional: example.se and the range PTS reserves for fiction.
    let domain = format!("{}{}.example.se", ascii(place), ascii(industry));
    let workplaces = (0..rng.gen_range(1..=3))
        .map(|w| {
            let district = *pick(&mut rng, &STOCKHOLM_DISTRICTS);
            let accessibility: Vec<AccessibilityFeature> = AccessibilityFeature::ALL
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.4))
                .collect();
            WorkplaceData {
                name: if w == 0 {
                    format!("{name}, huvudkontor")
                } else {
                    format!("{name}, {district}")
                },
                street_address: Some(format!(
                    "{} {}",
                    pick(&mut rng, STREETS),
                    rng.gen_range(1..120)
                )),
                postal_code: Some(format!(
                    "1{:02} {:02}",
                    rng.gen_range(0..80),
                    rng.gen_range(10..99)
                )),
                city: Some("Stockholm".into()),
                municipality_code: STOCKHOLM.into(),
                district: Some(district.into()),
                accessibility,
                accessibility_note: None,
            }
        })
        .collect();
    let contacts = (0..rng.gen_range(1..=2))
        .map(|_| {
            let first = *pick(&mut rng, FIRST);
            let last = *pick(&mut rng, LAST);
            ContactData {
                name: format!("{first} {last}"),
                title: Some((*pick(&mut rng, TITLES)).into()),
                email: Some(format!("{}.{}@{domain}", ascii(first), ascii(last))),
                phone: Some(format!("08-465 004 {:02}", rng.gen_range(0..100))),
            }
        })
        .collect();
    let mut interactions: Vec<InteractionData> = (0..rng.gen_range(0..=6))
        .map(|_| {
            let (kind, note) = *pick(&mut rng, NOTES);
            InteractionData {
                occurred_on: as_of - Days::new(rng.gen_range(0..365)),
                kind,
                note: note.into(),
            }
        })
        .collect();
    interactions.sort_by_key(|x| x.occurred_on);
    let mut partnerships = vec![];
    if rng.gen_bool(0.12) {
        let valid_from = NaiveDate::from_ymd_opt(as_of.year() - 1, 1, 1).unwrap_or(as_of);
        let tp = rng.gen_range(2..=10);
        let th = rng.gen_range(1..=5);
        let span = (as_of - valid_from).num_days().max(1) as u64;
        let n = rng.gen_range(0..=(tp + th) * 2);
        let mut outcomes: Vec<(NaiveDate, OutcomeKind)> = (0..n)
            .map(|_| {
                let kind = if rng.gen_bool(0.7) {
                    OutcomeKind::Placement
                } else {
                    OutcomeKind::Hire
                };
                (valid_from + Days::new(rng.gen_range(0..span)), kind)
            })
            .collect();
        outcomes.sort();
        partnerships.push((
            PartnershipData {
                name: format!("Branschpartnerskap {industry}"),
                valid_from,
                valid_to: NaiveDate::from_ymd_opt(as_of.year() + 1, 12, 31),
                target_placements_per_year: tp,
                target_hires_per_year: th,
                note: None,
            },
            outcomes,
        ));
    }
    let mut contracts = vec![];
    if rng.gen_bool(0.08) {
        let period_from = first_of_month(as_of) - Months::new(rng.gen_range(6..=18));
        let period_to = (period_from + Months::new(24))
            .pred_opt()
            .unwrap_or(period_from);
        let requirement = if rng.gen_bool(0.5) {
            Requirement::Placements(rng.gen_range(2..=8))
        } else {
            Requirement::HoursShare(rng.gen_range(2..=8) * 10)
        };
        let mut months = vec![];
        let mut m = period_from;
        while m < first_of_month(as_of) {
            let contract_hours = rng.gen_range(300..1500);
            let share = match requirement {
                Requirement::HoursShare(r) => rng.gen_range(r / 2..r * 3 / 2 + 1),
                Requirement::Placements(_) => 0,
            };
            months.push(FulfilmentRow {
                month: m,
                placements: i64::from(rng.gen_bool(0.25)),
                contract_hours,
                target_group_hours: contract_hours * share / 1000,
            });
            m = m + Months::new(1);
        }
        contracts.push((
            ProcurementData {
                contract_name: format!(
                    "{industry} för {}",
                    pick(&mut rng, &["skolor", "äldreboenden", "parker", "kontor"])
                ),
                contract_reference: Some(format!("SF-{}-{:04}", period_from.year(), i % 10_000)),
                procuring_unit: (*pick(
                    &mut rng,
                    &[
                        "Fastighetskontoret",
                        "Utbildningsförvaltningen",
                        "Trafikkontoret",
                        "Äldreförvaltningen",
                    ],
                ))
                .into(),
                period_from,
                period_to,
                requirement,
                note: None,
            },
            months,
        ));
    }
    EmployerRecord {
        employer: EmployerData {
            organisation_number: employer_org_number(i),
            name,
            sni_code: Some(sni.into()),
            size_class,
        },
        workplaces,
        contacts,
        interactions,
        partnerships,
        contracts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employers_are_deterministic_valid_and_unique() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(employer(7, 3, as_of), employer(7, 3, as_of));
        let all: Vec<EmployerRecord> = (0..300).map(|i| employer(7, i, as_of)).collect();
        let mut numbers: Vec<&str> = all
            .iter()
            .map(|e| e.employer.organisation_number.as_str())
            .collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 300);
        assert!(all.iter().any(|e| !e.partnerships.is_empty()));
        assert!(all.iter().any(|e| !e.contracts.is_empty()));
        for e in &all {
            assert!(!e.workplaces.is_empty());
            for w in &e.workplaces {
                assert!(vagar_domain::geo::municipality(&w.municipality_code).is_some());
                assert!(
                    vagar_domain::employers::postal_code(w.postal_code.as_deref().unwrap())
                        .is_some()
                );
            }
            for c in &e.contacts {
                assert!(vagar_domain::employers::email_ok(
                    c.email.as_deref().unwrap()
                ));
                assert!(vagar_domain::employers::phone_ok(
                    c.phone.as_deref().unwrap()
                ));
            }
            for (c, months) in &e.contracts {
                assert!(months
                    .iter()
                    .all(|m| m.month >= c.period_from && m.month <= c.period_to));
                assert!(months
                    .iter()
                    .all(|m| m.target_group_hours <= m.contract_hours));
            }
        }
        assert_eq!(employer_count(10_000), 300);
    }
}
