//! Every code the seed writes exists: SSYK groups in the taxonomy the app
//! ships (`data/taxonomy`, embedded by `vagar_domain::taxonomy::shipped`),
//! with role titles that belong to the group; target groups and the other
//! codes parse as their enums; occupations fit their employer's industry;
//! youth models hold young people; programmes are used only in their years.

use crate::occupations::{self, fits, TITLES};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeSet;
use vagar_domain::participants::TargetGroup;
use vagar_domain::taxonomy::Taxonomy;
use vagar_domain::work::placements::enrolment::{belongs_to, YOUTH_MAX_AGE, YOUTH_MIN_AGE};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

fn taxonomy() -> Taxonomy {
    vagar_domain::taxonomy::shipped().expect("the shipped taxonomy parses")
}

fn exists(t: &Taxonomy, code: &str) -> bool {
    t.groups.iter().any(|g| g.level == 4 && g.code == code)
}

/// A role title fits group `code` when the group's label or one of its
/// occupation names contains it, or it starts with one of those (a title
/// like "Vårdbiträde under utbildning").
fn title_fits(t: &Taxonomy, code: &str, title: &str) -> bool {
    let title = title.to_lowercase();
    t.groups
        .iter()
        .filter(|g| g.level == 4 && g.code == code)
        .map(|g| g.label.to_lowercase())
        .chain(
            t.names
                .iter()
                .filter(|n| n.ssyk_code == code)
                .map(|n| n.label.to_lowercase()),
        )
        .any(|l| l.contains(&title) || (l.len() >= 5 && title.starts_with(&l)))
}

/// Every (SSYK, title) pair written in the seed's source.
fn hard_coded_pairs() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = TITLES.to_vec();
    out.extend(crate::plans::OCCUPATIONS.iter().map(|(p, _)| *p));
    for iv in crate::work::interventions::interventions(as_of()) {
        out.extend(iv.occupations.iter().copied());
    }
    out.extend(
        crate::work::learning::INTERVENTIONS
            .iter()
            .map(|i| (i.2, i.3)),
    );
    for roles in crate::work::rental::ROLES {
        out.extend(roles.iter().map(|(title, code)| (*code, *title)));
    }
    out.push((crate::work::staffing::UNDERSKOTERSKA, "Undersköterska"));
    out.push((crate::work::staffing::VARDBITRADE, "Vårdbiträde"));
    out
}

/// Every bare SSYK code written in the seed's source.
fn hard_coded_codes() -> Vec<&'static str> {
    let mut out: Vec<&str> = hard_coded_pairs().iter().map(|p| p.0).collect();
    out.extend(crate::competence::COMMON_SSYK);
    out.extend(crate::shortage::VERDICTS.iter().map(|v| v.0));
    out.extend(crate::needs::AREAS.iter().flat_map(|a| a.1.iter().copied()));
    out.extend(occupations::all_industry_codes());
    out
}

#[test]
fn every_hard_coded_ssyk_code_exists_with_a_fitting_title() {
    let t = taxonomy();
    assert!(t.groups.iter().filter(|g| g.level == 4).count() > 300);
    for code in hard_coded_codes() {
        assert!(exists(&t, code), "SSYK {code} is not in the taxonomy");
    }
    for (code, title) in hard_coded_pairs() {
        assert!(
            title_fits(&t, code, title),
            "\"{title}\" is not an occupation of SSYK {code}"
        );
    }
    // The same title for a code wherever the seed uses it for a placement
    // or a plan (learning's "… under utbildning" titles aside).
    for (code, title) in crate::plans::OCCUPATIONS.iter().map(|(p, _)| *p).chain(
        crate::work::interventions::interventions(as_of())
            .iter()
            .flat_map(|iv| iv.occupations.iter().copied()),
    ) {
        assert_eq!(occupations::title(code), Some(title), "{code}");
    }
}

/// Participants that look like the seeded ones: candidates for placements.
fn candidates(n: u64) -> Vec<vagar_domain::work::interventions::seed_rows::Candidate> {
    (0..n)
        .map(|i| {
            let p = crate::participant(3, i, as_of());
            (
                i as i64 + 1,
                p.identity_number.birth_date(),
                p.target_groups.clone(),
            )
        })
        .collect()
}

/// The employers' industries of a seeded city of 40 hosts.
fn hosts() -> Vec<Option<String>> {
    (0..40)
        .map(|i| crate::employer(3, i, as_of()).employer.sni_code)
        .collect()
}

#[test]
fn every_generated_ssyk_code_exists_and_fits_its_employer() {
    let t = taxonomy();
    let hosts = hosts();
    let work = crate::work::interventions::generate(3, 400, &candidates(3000), &hosts, as_of());
    assert!(work.placements.len() > 200, "{}", work.placements.len());
    for p in &work.placements {
        let code = &p.terms.occupation_ssyk;
        assert!(exists(&t, code), "placement SSYK {code}");
        let sni = hosts[p.host].as_deref();
        assert!(fits(sni, code), "{code} at a host in SNI {sni:?}");
        let title = p.terms.role_title.as_deref().unwrap_or_default();
        assert!(title_fits(&t, code, title), "{title} as {code}");
    }
    for r in &work.reductions {
        assert!(exists(&t, r.occupation_ssyk));
    }
    for n in crate::needs::needs(3, 500, &hosts, as_of(), &t) {
        assert!(exists(&t, &n.ssyk_code), "need SSYK {}", n.ssyk_code);
        let sni = hosts[n.employer_index].as_deref();
        assert!(
            fits(sni, &n.ssyk_code),
            "need {} at SNI {sni:?}",
            n.ssyk_code
        );
    }
    for s in crate::work::learning::learning_employments(3, as_of()) {
        assert!(exists(&t, &s.ssyk));
    }
    let rental = crate::work::rental::rental_plan(3, as_of(), 16);
    for c in &rental.contracts {
        assert!(exists(&t, c.occupation_ssyk));
        assert!(fits(Some(rental.hosts[c.host].sni), c.occupation_ssyk));
    }
    let staffing = crate::work::staffing::staffing_plan(3, as_of() - Duration::days(365), 10);
    for s in &staffing.staff {
        assert!(exists(&t, &s.occupation));
    }
    for r in &staffing.requests {
        assert!(exists(&t, &r.occupation));
    }
    for i in 0..2000 {
        let p = crate::participant(3, i, as_of());
        let c = crate::collaboration(3, i, p.registered_on, as_of());
        if let Some(code) = c.plan.and_then(|p| p.ssyk_code) {
            assert!(exists(&t, code), "plan goal SSYK {code}");
        }
        if let Some((_, d)) = crate::competence_profile(3, i, &p, &t, as_of()) {
            for x in &d.experiences {
                assert!(exists(&t, &x.occupation.ssyk_code));
            }
        }
    }
    for r in crate::shortage::demo_round(&t.groups) {
        assert!(exists(&t, &r.ssyk_code));
    }
}

#[test]
fn youth_models_hold_young_people_and_programmes_only_their_years() {
    let ivs = crate::work::interventions::interventions(as_of());
    let cands = candidates(3000);
    let work = crate::work::interventions::generate(3, 400, &cands, &hosts(), as_of());
    let mut youth = 0;
    for p in &work.placements {
        let iv = &ivs[p.intervention];
        let start = p.terms.start_date;
        let (_, birth, groups) = cands
            .iter()
            .find(|c| c.0 == p.participant_id)
            .expect("a candidate");
        if iv.target_groups.contains(&TargetGroup::Youth) {
            youth += 1;
            let age = vagar_domain::time::age_on(*birth, start);
            assert!(
                (YOUTH_MIN_AGE..=YOUTH_MAX_AGE).contains(&age),
                "{age} in {} on {start}",
                iv.name
            );
        }
        assert!(
            iv.target_groups.is_empty()
                || iv
                    .target_groups
                    .iter()
                    .any(|g| belongs_to(*g, groups, *birth, start)),
            "{} is not for participant {}",
            iv.name,
            p.participant_id
        );
        assert!(
            iv.programme_type.rules_on(start).is_ok(),
            "{:?} starting {start}",
            iv.programme_type
        );
        assert!(!iv.programme_type.is_closed() || iv.programme_type.rules_on(start).is_ok());
    }
    assert!(youth > 10, "youth placements {youth}");
}

#[test]
fn every_seeded_code_parses_as_its_enum() {
    use vagar_domain::work::placements::{EmploymentForm, ExitOutcome};
    // Participants' target groups and the other codes of a participant.
    for i in 0..3000 {
        let p = crate::participant(3, i, as_of());
        let mask = TargetGroup::to_mask(&p.target_groups);
        assert_eq!(TargetGroup::from_mask(mask), p.target_groups);
        for g in &p.target_groups {
            assert_eq!(TargetGroup::parse(g.as_str()), Some(*g));
        }
    }
    let mut codes = BTreeSet::new();
    for iv in crate::work::interventions::interventions(as_of()) {
        for g in iv.target_groups {
            assert_eq!(TargetGroup::parse(g.as_str()), Some(*g));
        }
        assert_eq!(
            vagar_domain::work::interventions::ProgrammeType::parse(iv.programme_type.as_str()),
            Some(iv.programme_type)
        );
        assert!(EmploymentForm::parse(iv.employment_form.as_str()).is_some());
        for (outcome, _, _) in &iv.indicators {
            assert!(
                vagar_domain::work::interventions::IndicatorOutcome::parse(outcome).is_some(),
                "{outcome}"
            );
        }
        codes.insert(iv.name);
    }
    assert_eq!(codes.len(), 5, "distinct intervention names");
    let work = crate::work::interventions::generate(3, 200, &candidates(1000), &hosts(), as_of());
    for p in &work.placements {
        if let Some((_, o)) = p.exit {
            assert_eq!(ExitOutcome::parse(o.as_str()), Some(o));
        }
    }
    // Plans' steps, contacts and consents use the store's codes.
    for i in 0..2000 {
        let p = crate::participant(3, i, as_of());
        let c = crate::collaboration(3, i, p.registered_on, as_of());
        for s in &c.steps {
            assert!(["planned", "active", "done", "cancelled"].contains(&s.status));
        }
        for k in &c.contacts {
            assert!(["meeting", "call", "message", "home_visit", "other"].contains(&k.kind));
        }
    }
}
