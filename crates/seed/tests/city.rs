//! Properties of the synthetic city: validity, uniqueness, determinism and
//! rough distributions.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use proptest::prelude::*;
use vagar_domain::geo::STOCKHOLM_DISTRICTS;
use vagar_domain::identity::{IdentityKind, IdentityNumber};
use vagar_domain::participants::{
    BirthRegion, EducationLevel, Gender, ParticipantData, SwedishLevel, TargetGroup,
};
use vagar_domain::{OrgKind, Role};
use vagar_seed::{demo_users, organisations, participant, INDEX_SPACE};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn sample(seed: u64, n: u64) -> Vec<ParticipantData> {
    (0..n).map(|i| participant(seed, i, today())).collect()
}

/// Checks the parts of a participant that validation does not: the number
/// is canonical and valid, the serial's parity agrees with gender, and the
/// age is in range.
fn assert_consistent(p: &ParticipantData, today: NaiveDate) {
    let id = p.identity_number.as_str();
    assert_eq!(
        IdentityNumber::from_canonical(id).as_ref(),
        Ok(&p.identity_number)
    );
    assert_eq!(
        IdentityNumber::parse(id, today).as_ref(),
        Ok(&p.identity_number)
    );
    let ten = p.identity_number.ten_digit(today);
    assert_eq!(
        IdentityNumber::parse(&ten, today).as_ref(),
        Ok(&p.identity_number)
    );
    let gender_digit = id.as_bytes()[10] - b'0';
    match p.gender {
        Gender::Man => assert_eq!(gender_digit % 2, 1),
        Gender::Woman => assert_eq!(gender_digit % 2, 0),
        Gender::Other | Gender::Unknown => {}
    }
    assert!((16..=66).contains(&p.age_on(today)));
    if p.identity_number.kind() == IdentityKind::Samordningsnummer {
        assert_ne!(p.birth_region, BirthRegion::Sweden);
        assert!(p.target_groups.contains(&TargetGroup::NewlyArrived));
    }
    if p.target_groups.contains(&TargetGroup::NewlyArrived) {
        assert_ne!(p.birth_region, BirthRegion::Sweden);
    }
    assert!(p.registered_on <= today);
    assert!(today - p.registered_on <= chrono::Duration::days(3 * 365));
    assert_eq!(p.municipality_code, "0180");
    assert!(p.responsible_caseworker_id.is_none());
    if let Some(d) = &p.district {
        assert!(STOCKHOLM_DISTRICTS.contains(&d.as_str()));
    }
    if let Some(e) = &p.email {
        assert!(
            e.ends_with("@example.se") || e.ends_with("@example.com"),
            "{e}"
        );
        assert!(e.is_ascii());
    }
}

#[test]
fn every_participant_passes_domain_validation() {
    for (seed, today) in [
        (0, today()),
        (42, today()),
        (u64::MAX, NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()),
    ] {
        for i in 0..20_000 {
            let p = participant(seed, i, today);
            let again = ParticipantData::from_input(&p.to_input(), today)
                .unwrap_or_else(|e| panic!("seed {seed} index {i}: {e}"));
            assert_eq!(again, p, "seed {seed} index {i}");
            assert_consistent(&p, today);
        }
    }
}

#[test]
fn identity_numbers_are_unique() {
    let mut seen = HashSet::with_capacity(200_000);
    for i in 0..200_000 {
        let p = participant(7, i, today());
        assert!(seen.insert(p.identity_number), "duplicate at index {i}");
    }
    // Indices far apart, including the very last one.
    let mut seen = HashSet::new();
    for i in (0..INDEX_SPACE).step_by(997).chain([INDEX_SPACE - 1]) {
        assert!(seen.insert(participant(7, i, today()).identity_number));
    }
}

/// A million people, the size `vagar seed` must reach, all get distinct
/// numbers (the permutation test covers the whole index space).
#[test]
fn a_million_identity_numbers_are_unique() {
    let epoch = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    // One bit per (birth day, kind, serial): about 18 MB.
    let mut bits = vec![0u64; 130 * 366 * 2 * 1000 / 64];
    for i in 0..1_000_000 {
        let id = participant(3, i, today()).identity_number;
        let day = (id.birth_date() - epoch).num_days() as usize;
        let kind = usize::from(id.kind() == IdentityKind::Samordningsnummer);
        let serial: usize = id.as_str()[8..11].parse().unwrap();
        let key = (day * 2 + kind) * 1000 + serial;
        assert!(bits[key / 64] & (1 << (key % 64)) == 0, "duplicate at {i}");
        bits[key / 64] |= 1 << (key % 64);
    }
}

#[test]
fn generation_is_deterministic_and_seeded() {
    let a = sample(1, 500);
    let b: Vec<_> = (0..500).rev().map(|i| participant(1, i, today())).collect();
    assert_eq!(a, b.into_iter().rev().collect::<Vec<_>>());
    let other = sample(2, 500);
    let differ = a.iter().zip(&other).filter(|(x, y)| x != y).count();
    assert!(differ > 490, "seeds barely change the city: {differ}");
}

#[test]
#[should_panic]
fn index_outside_the_space_panics() {
    participant(0, INDEX_SPACE, today());
}

fn share(ps: &[ParticipantData], f: impl Fn(&ParticipantData) -> bool) -> f64 {
    ps.iter().filter(|p| f(p)).count() as f64 / ps.len() as f64
}

fn assert_between(name: &str, value: f64, lo: f64, hi: f64) {
    assert!(
        (lo..=hi).contains(&value),
        "{name}: {value:.3} not in {lo}..={hi}"
    );
}

#[test]
fn distributions_are_plausible() {
    let ps = sample(2026, 20_000);
    let t = today();

    assert_between(
        "women",
        share(&ps, |p| p.gender == Gender::Woman),
        0.45,
        0.51,
    );
    assert_between("men", share(&ps, |p| p.gender == Gender::Man), 0.47, 0.53);
    assert_between(
        "other",
        share(&ps, |p| p.gender == Gender::Other),
        0.003,
        0.02,
    );
    assert_between(
        "unknown",
        share(&ps, |p| p.gender == Gender::Unknown),
        0.003,
        0.02,
    );

    let region = |r| move |p: &ParticipantData| p.birth_region == r;
    assert_between(
        "sweden",
        share(&ps, region(BirthRegion::Sweden)),
        0.32,
        0.38,
    );
    assert_between(
        "nordic",
        share(&ps, region(BirthRegion::Nordic)),
        0.035,
        0.065,
    );
    assert_between(
        "europe",
        share(&ps, region(BirthRegion::Europe)),
        0.10,
        0.14,
    );
    assert_between(
        "outside",
        share(&ps, region(BirthRegion::OutsideEurope)),
        0.42,
        0.48,
    );
    assert_between(
        "unknown region",
        share(&ps, region(BirthRegion::Unknown)),
        0.02,
        0.04,
    );

    let samordning = share(&ps, |p| {
        p.identity_number.kind() == IdentityKind::Samordningsnummer
    });
    assert_between("samordningsnummer", samordning, 0.02, 0.04);

    let age = |lo, hi| move |p: &ParticipantData| (lo..=hi).contains(&p.age_on(t));
    assert_between("18-35", share(&ps, age(18, 35)), 0.5, 0.65);
    assert_between("16-24", share(&ps, age(16, 24)), 0.2, 0.3);
    assert!(share(&ps, age(50, 66)) > 0.05);

    let has = |g| move |p: &ParticipantData| p.target_groups.contains(&g);
    assert_between(
        "income support",
        share(&ps, has(TargetGroup::IncomeSupport)),
        0.36,
        0.44,
    );
    let youth_ok = share(&ps, |p| {
        p.target_groups.contains(&TargetGroup::Youth) == (p.age_on(t) <= 24)
    });
    assert!(youth_ok > 0.9, "youth iff 16-24: {youth_ok}");
    let sfi_outside = ps
        .iter()
        .filter(|p| p.target_groups.contains(&TargetGroup::Sfi))
        .filter(|p| p.birth_region != BirthRegion::Sweden)
        .count();
    assert_eq!(
        sfi_outside,
        ps.iter()
            .filter(|p| p.target_groups.contains(&TargetGroup::Sfi))
            .count()
    );
    assert!(share(&ps, has(TargetGroup::Sfi)) > 0.1);
    assert!(share(&ps, has(TargetGroup::NewlyArrived)) > 0.1);
    assert!(share(&ps, has(TargetGroup::LongTermUnemployed)) > 0.2);
    assert!(share(&ps, has(TargetGroup::WeakAttachment)) > 0.15);
    let one_or_two = share(&ps, |p| (1..=2).contains(&p.target_groups.len()));
    assert!(
        one_or_two > 0.6,
        "most have 1-2 target groups: {one_or_two}"
    );

    let edu = |e| move |p: &ParticipantData| p.education_level == e;
    assert_between(
        "primary",
        share(&ps, edu(EducationLevel::Primary)),
        0.26,
        0.34,
    );
    assert_between(
        "secondary",
        share(&ps, edu(EducationLevel::Secondary)),
        0.36,
        0.44,
    );
    assert_between(
        "short",
        share(&ps, edu(EducationLevel::PostSecondaryShort)),
        0.07,
        0.13,
    );
    assert_between(
        "long",
        share(&ps, edu(EducationLevel::PostSecondaryLong)),
        0.07,
        0.13,
    );
    assert_between(
        "edu unknown",
        share(&ps, edu(EducationLevel::Unknown)),
        0.07,
        0.13,
    );

    assert_between(
        "disabled",
        share(&ps, |p| p.disability == Some(true)),
        0.08,
        0.12,
    );
    assert_between(
        "not disabled",
        share(&ps, |p| p.disability == Some(false)),
        0.72,
        0.78,
    );
    assert_between("email", share(&ps, |p| p.email.is_some()), 0.67, 0.73);
    assert_between("phone", share(&ps, |p| p.phone.is_some()), 0.82, 0.88);
    let b = share(&ps, |p| p.driving_licences.iter().any(|l| l == "B"));
    assert_between("licence B", b, 0.35, 0.45);
    assert!(ps
        .iter()
        .any(|p| p.driving_licences.iter().any(|l| l == "CE")));
    assert!(ps
        .iter()
        .any(|p| p.driving_licences.iter().any(|l| l == "D")));

    let native_swedes = share(&ps, |p| {
        p.birth_region == BirthRegion::Sweden && p.swedish_level == Some(SwedishLevel::Native)
    }) / share(&ps, region(BirthRegion::Sweden));
    assert!(native_swedes > 0.85, "{native_swedes}");
    let abroad_sfi_or_cefr = ps
        .iter()
        .filter(|p| p.birth_region == BirthRegion::OutsideEurope)
        .filter(|p| matches!(p.swedish_level, Some(l) if l != SwedishLevel::Native))
        .count();
    assert!(abroad_sfi_or_cefr > 5_000);

    // Rinkeby-Kista is the biggest district, Östermalm among the smallest.
    let mut districts: HashMap<&str, usize> = HashMap::new();
    for p in &ps {
        *districts
            .entry(p.district.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    let top = districts.iter().max_by_key(|(_, n)| **n).unwrap().0;
    assert_eq!(*top, "Rinkeby-Kista");
    assert!(districts["Östermalm"] < districts["Skärholmen"] / 3);
    assert_eq!(districts.len(), 14, "13 districts and some without");

    // Languages follow origin: Somali and Arabic speakers are mostly born
    // outside Europe, and nearly everyone born in Sweden speaks Swedish.
    for code in ["so", "ar", "ti", "prs"] {
        let speakers: Vec<_> = ps
            .iter()
            .filter(|p| p.languages.iter().any(|l| l == code))
            .collect();
        assert!(speakers.len() > 50, "{code}");
        let abroad = speakers
            .iter()
            .filter(|p| p.birth_region != BirthRegion::Sweden)
            .count();
        assert!(abroad * 10 > speakers.len() * 6, "{code}");
    }
    assert!(ps.iter().any(|p| p.languages.iter().any(|l| l == "pl")));
    let swedes_speak_sv = share(&ps, |p| {
        p.birth_region == BirthRegion::Sweden
            && p.languages.first().map(String::as_str) == Some("sv")
    }) / share(&ps, region(BirthRegion::Sweden));
    assert!(swedes_speak_sv > 0.99);

    // Names are diverse and include Swedish letters.
    let first: HashSet<_> = ps.iter().map(|p| p.first_name.as_str()).collect();
    let last: HashSet<_> = ps.iter().map(|p| p.last_name.as_str()).collect();
    assert!(
        first.len() > 300 && last.len() > 250,
        "{} {}",
        first.len(),
        last.len()
    );
    assert!(ps
        .iter()
        .any(|p| p.last_name.contains(['å', 'ä', 'ö', 'Å', 'Ö'])));
    assert!(ps.iter().any(|p| p.first_name.contains('é')));
    let andersson = ps.iter().filter(|p| p.last_name == "Andersson").count();
    let ostlund = ps.iter().filter(|p| p.last_name == "Östlund").count();
    assert!(andersson > ostlund, "frequency order respected");
    let somali_names = ps
        .iter()
        .filter(|p| p.languages.first().map(String::as_str) == Some("so"))
        .filter(|p| {
            ["Mohamed", "Ahmed", "Ali", "Hassan", "Abdi", "Yusuf"].contains(&p.last_name.as_str())
        })
        .count();
    assert!(somali_names > 100);
}

#[test]
fn organisations_cover_the_collaboration() {
    let orgs = organisations();
    assert_eq!(orgs[0], ("Jobbtorg Stockholm", OrgKind::MunicipalUnit));
    let names: HashSet<_> = orgs.iter().map(|o| o.0).collect();
    assert_eq!(names.len(), orgs.len(), "names are unique");
    for (name, kind) in [
        ("Arbetsförmedlingen Stockholm", OrgKind::Arbetsformedlingen),
        ("Försäkringskassan", OrgKind::Forsakringskassan),
        ("Socialtjänsten Södermalm", OrgKind::SocialServices),
        ("Vuxenutbildning Stockholm", OrgKind::AdultEducation),
        ("Region Stockholm psykiatri", OrgKind::RegionPsychiatry),
        ("Exempelbolaget AB", OrgKind::Employer),
        ("Stockholms stad analys", OrgKind::MunicipalUnit),
    ] {
        assert!(orgs.contains(&(name, kind)), "{name}");
    }
    assert!(orgs.iter().any(|o| o.1 == OrgKind::School));
}

#[test]
fn demo_users_have_one_login_per_role() {
    let users = demo_users();
    let orgs = organisations();
    let usernames: HashSet<_> = users.iter().map(|u| u.username).collect();
    assert_eq!(usernames.len(), users.len());
    for (username, role) in [
        ("handlaggare", Role::Caseworker),
        ("partner", Role::Partner),
        ("samordnare", Role::EmployerCoordinator),
        ("analytiker", Role::Analyst),
        ("admin", Role::Admin),
        ("arbetsgivare", Role::Employer),
    ] {
        let u = users.iter().find(|u| u.username == username).unwrap();
        assert_eq!(u.role, role, "{username}");
    }
    for role in Role::ALL {
        assert!(users.iter().any(|u| u.role == *role));
    }
    for u in &users {
        let kind = orgs
            .iter()
            .find(|o| o.0 == u.organisation)
            .unwrap_or_else(|| panic!("{} has unknown org", u.username))
            .1;
        assert!(u.password.len() >= 10);
        assert!(!u.display_name.is_empty());
        let fits = match u.role {
            Role::Caseworker => kind == OrgKind::MunicipalUnit,
            Role::Partner => !matches!(kind, OrgKind::MunicipalUnit | OrgKind::Employer),
            Role::Employer => kind == OrgKind::Employer,
            Role::EmployerCoordinator | Role::Analyst | Role::Admin => {
                kind == OrgKind::MunicipalUnit
            }
        };
        assert!(fits, "{} in {}", u.username, u.organisation);
    }
    let home_caseworkers = users
        .iter()
        .filter(|u| u.role == Role::Caseworker && u.organisation == "Jobbtorg Stockholm")
        .count();
    assert_eq!(home_caseworkers, 5);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any seed, any index, any plausible `today`: valid and consistent.
    #[test]
    fn any_participant_is_valid(
        seed in any::<u64>(),
        index in 0..INDEX_SPACE,
        days in 0i64..40_000,
    ) {
        let today = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(days);
        let p = participant(seed, index, today);
        let again = ParticipantData::from_input(&p.to_input(), today);
        prop_assert_eq!(again.as_ref(), Ok(&p));
        assert_consistent(&p, today);
        prop_assert_eq!(participant(seed, index, today), p);
    }
}
