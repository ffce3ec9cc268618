use super::table::*;
use super::*;
use crate::participants::TargetGroup::{self, *};
use crate::time::ymd as d;
use crate::validation::ValidationErrors;
use proptest::prelude::*;

fn facts<'a>(
    start: &str,
    end: &str,
    age: u32,
    groups: &'a [TargetGroup],
    form: EmploymentForm,
) -> ProgrammeFacts<'a> {
    ProgrammeFacts {
        start_date: d(start),
        end_date: d(end),
        age_at_start: age,
        target_groups: groups,
        planned_study_percent: 0,
        employment_form: form,
        hours_per_week_minutes: 40 * 60,
    }
}

fn codes_of(r: Result<(), ValidationErrors>) -> Vec<String> {
    r.err()
        .map(|e| e.0.into_iter().map(|f| f.code).collect())
        .unwrap_or_default()
}

#[test]
fn versions_are_ordered_contiguous_and_closed_only_at_the_end() {
    for &p in ProgrammeType::ALL {
        let vs = p.versions();
        assert!(!vs.is_empty(), "{p:?} has no version");
        for v in vs {
            assert_eq!(v.programme, p, "{p:?}: a version of another programme");
            if let Some(to) = v.valid_to {
                assert!(
                    v.valid_from <= to,
                    "{p:?}: {} ends before it starts",
                    v.valid_from
                );
            }
        }
        for w in vs.windows(2) {
            let to = w[0].valid_to.expect("only the last version is open-ended");
            assert_eq!(
                to.succ_opt(),
                Some(w[1].valid_from),
                "{p:?}: gap or overlap at {to}"
            );
            assert!(w[0].last_start.is_none() && w[0].replaced_by.is_none());
        }
        let last = p.latest();
        match (last.valid_to, last.last_start) {
            (None, None) => assert!(last.replaced_by.is_none()),
            (Some(to), Some(ls)) => assert_eq!(to, ls, "{p:?}: closes on its last start"),
            other => panic!("{p:?}: the last version must be open or closed, got {other:?}"),
        }
    }
}

#[test]
fn every_version_has_a_source_and_its_groups_are_the_paths_union() {
    for &p in ProgrammeType::ALL {
        for v in p.versions() {
            assert!(
                !v.sources.is_empty(),
                "{p:?} {} has no source",
                v.valid_from
            );
            for s in v.sources {
                assert!(!s.citation.trim().is_empty());
                assert!(s.url.is_empty() || s.url.starts_with("https://"));
            }
            assert!(
                v.sources.iter().any(|s| s.kind != SourceKind::Secondary),
                "{p:?} {}: a primary source",
                v.valid_from
            );
            assert!(!v.summary.is_empty());
            for path in v.eligibility {
                assert!(!path.condition.is_empty());
                if let (Some(a), Some(b)) = (path.min_age, path.max_age) {
                    assert!(a <= b);
                }
            }
            let union: Vec<TargetGroup> =
                if v.eligibility.iter().any(|x| x.target_groups.is_empty()) {
                    vec![]
                } else {
                    let mut u: Vec<_> = v
                        .eligibility
                        .iter()
                        .flat_map(|x| x.target_groups.iter().copied())
                        .collect();
                    u.sort();
                    u.dedup();
                    u
                };
            let mut own = v.target_groups.to_vec();
            own.sort();
            assert_eq!(own, union, "{p:?} {}: target_groups", v.valid_from);
            if let (Some(a), Some(b)) = (v.min_months, v.max_months) {
                assert!(a <= b);
            }
            if let (Some(a), Some(b)) = (v.decision_months, v.max_months) {
                assert!(a <= b);
            }
        }
    }
}

#[test]
fn the_closed_programmes_are_the_ones_the_sources_name() {
    let closed: Vec<_> = ProgrammeType::ALL
        .iter()
        .filter(|p| p.is_closed())
        .map(|p| p.as_str())
        .collect();
    assert_eq!(
        closed,
        vec![
            "trainee_job",
            "education_contract",
            "extra_job",
            "vocational_introduction"
        ]
    );
    assert_eq!(
        ProgrammeType::TraineeJob.latest().replaced_by,
        Some(ProgrammeType::IntroductionJob)
    );
    assert_eq!(
        ProgrammeType::parse("introduction_job"),
        Some(ProgrammeType::IntroductionJob)
    );
    assert_eq!(ProgrammeType::ALL.len(), 13);
}

#[test]
fn an_extra_job_starting_today_is_refused_naming_the_closing_date() {
    let f = facts(
        "2026-12-07",
        "2027-06-06",
        40,
        &[NewlyArrived],
        EmploymentForm::Municipality,
    );
    let e = check_programme(ProgrammeType::ExtraJob, &f).unwrap_err();
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].field, "intervention_id");
    assert_eq!(e.0[0].code, "programme_closed");
    assert!(
        e.0[0]
            .message
            .contains("closed to new decisions on 2022-01-01"),
        "{}",
        e.0[0].message
    );
    assert!(e.0[0].message.contains("2021-12-31"));
    let closed = ProgrammeType::ExtraJob
        .rules_on(d("2026-12-07"))
        .unwrap_err();
    assert_eq!(closed.closed_on(), Some(d("2022-01-01")));
    assert_eq!(closed.code(), "programme_closed");
}

#[test]
fn an_existing_extra_job_is_judged_by_its_own_version() {
    let p = ProgrammeType::ExtraJob;
    // Started in 2021: the temporary 36 months hold, 30 months pass.
    let v = p.rules_on(d("2021-06-01")).unwrap();
    assert_eq!(v.max_months, Some(36));
    assert_eq!(v.last_start, Some(EXTRA_JOB_LAST_START));
    let f = facts(
        "2021-06-01",
        "2023-11-30",
        40,
        &[NewlyArrived],
        EmploymentForm::Municipality,
    );
    assert!(check_programme(p, &f).is_ok());
    // Started in 2019: 24 months, so the same length is too long.
    let f = facts(
        "2019-03-01",
        "2021-08-31",
        40,
        &[LongTermUnemployed],
        EmploymentForm::Host,
    );
    assert_eq!(
        codes_of(check_programme(p, &f)),
        vec!["duration_exceeds_maximum"]
    );
    // Started in 2016 (before newly arrived were included): a newly
    // arrived participant is refused by that version.
    let f = facts(
        "2016-03-01",
        "2016-12-31",
        40,
        &[NewlyArrived],
        EmploymentForm::Host,
    );
    assert_eq!(
        codes_of(check_programme(p, &f)),
        vec!["target_group_not_met"]
    );
}

#[test]
fn an_introduction_job_for_an_eligible_person_is_accepted() {
    let p = ProgrammeType::IntroductionJob;
    let f = facts(
        "2026-12-07",
        "2027-12-06",
        30,
        &[NewlyArrived],
        EmploymentForm::Host,
    );
    assert!(check_programme(p, &f).is_ok());
    assert_eq!(
        p.rules_on(d("2026-12-07")).unwrap().valid_from,
        BACK_TO_24_MONTHS_FROM
    );
    // 19 and newly arrived: too young for that path.
    let young = facts(
        "2026-12-07",
        "2027-12-06",
        19,
        &[NewlyArrived],
        EmploymentForm::Host,
    );
    assert_eq!(
        codes_of(check_programme(p, &young)),
        vec!["age_below_minimum"]
    );
    // No target group on the record: refused, naming the groups.
    let none = facts("2026-12-07", "2027-12-06", 30, &[], EmploymentForm::Host);
    let e = check_programme(p, &none).unwrap_err();
    assert_eq!(e.0[0].code, "target_group_not_met");
    assert!(e.0[0].message.contains("newly_arrived"));
    // 25 months: longer than 24.
    let long = facts(
        "2026-12-07",
        "2029-01-06",
        30,
        &[NewlyArrived],
        EmploymentForm::Host,
    );
    assert_eq!(
        codes_of(check_programme(p, &long)),
        vec!["duration_exceeds_maximum"]
    );
    // A work practice is not an employment.
    let practice = facts(
        "2026-12-07",
        "2027-03-06",
        30,
        &[NewlyArrived],
        EmploymentForm::WorkPractice,
    );
    assert_eq!(
        codes_of(check_programme(p, &practice)),
        vec!["employment_form_not_allowed"]
    );
}

#[test]
fn boundary_dates_closing_day_and_first_day() {
    let extra = ProgrammeType::ExtraJob;
    assert!(extra.rules_on(d("2021-12-31")).is_ok());
    assert_eq!(
        extra.rules_on(d("2022-01-01")).unwrap_err(),
        ProgrammeClosed::Closed {
            programme: extra,
            last_start: d("2021-12-31"),
            replaced_by: None
        }
    );
    let trainee = ProgrammeType::TraineeJob;
    assert!(trainee.rules_on(d("2017-12-31")).is_ok());
    let e = trainee.rules_on(d("2018-01-01")).unwrap_err();
    assert!(e.to_string().contains("use introduction_job"), "{e}");
    assert!(ProgrammeType::EducationContract
        .rules_on(d("2019-12-31"))
        .is_ok());
    assert!(ProgrammeType::EducationContract
        .rules_on(d("2020-01-01"))
        .is_err());
    assert!(ProgrammeType::VocationalIntroduction
        .rules_on(d("2023-12-31"))
        .is_ok());
    assert!(ProgrammeType::VocationalIntroduction
        .rules_on(d("2024-01-01"))
        .is_err());
    // Before the first day: refused, naming it.
    let intro = ProgrammeType::IntroductionJob;
    let f = facts(
        "2018-04-30",
        "2018-10-30",
        30,
        &[NewlyArrived],
        EmploymentForm::Host,
    );
    let e = check_programme(intro, &f).unwrap_err();
    assert_eq!(e.0[0].code, "programme_not_started");
    assert!(e.0[0].message.contains("2018-05-01"));
    assert!(intro.rules_on(d("2018-05-01")).is_ok());
    // A version change: the day before and the day of.
    assert_eq!(
        intro.rules_on(d("2021-12-31")).unwrap().max_months,
        Some(36)
    );
    assert_eq!(
        intro.rules_on(d("2022-01-01")).unwrap().max_months,
        Some(24)
    );
}

#[test]
fn new_start_jobs_follow_age_and_group_paths() {
    let p = ProgrammeType::NewStartJob;
    let form = EmploymentForm::Host;
    // 23 without a group: the 20–24 path, 12 months.
    assert!(check_programme(p, &facts("2026-03-01", "2027-02-28", 23, &[], form)).is_ok());
    assert_eq!(
        codes_of(check_programme(
            p,
            &facts("2026-03-01", "2027-03-01", 23, &[], form)
        )),
        vec!["duration_exceeds_maximum"]
    );
    // 30 without a group: too old for the only path open to them.
    let e = check_programme(p, &facts("2026-03-01", "2027-02-28", 30, &[], form)).unwrap_err();
    assert_eq!(e.0[0].code, "age_above_maximum");
    assert!(e.0[0]
        .message
        .contains("oldest age is 24 without one of the target groups"));
    // 30 and long-term unemployed: 24 months.
    assert!(check_programme(
        p,
        &facts("2026-03-01", "2028-02-29", 30, &[LongTermUnemployed], form)
    )
    .is_ok());
    // 67 from 2025: too old; in 2024 there was no upper limit in the table.
    assert_eq!(
        codes_of(check_programme(
            p,
            &facts("2026-03-01", "2027-02-28", 67, &[LongTermUnemployed], form)
        )),
        vec!["age_above_maximum"]
    );
    assert!(check_programme(
        p,
        &facts("2024-03-01", "2025-02-28", 67, &[LongTermUnemployed], form)
    )
    .is_ok());
    // 19: too young for every path.
    assert_eq!(
        codes_of(check_programme(
            p,
            &facts("2026-03-01", "2026-09-30", 19, &[], form)
        )),
        vec!["age_below_minimum"]
    );
}

#[test]
fn summer_jobs_limit_ages_length_and_minors_hours() {
    let p = ProgrammeType::SummerJob;
    let form = EmploymentForm::Municipality;
    let mut f = facts("2026-06-22", "2026-07-10", 15, &[], form);
    f.hours_per_week_minutes = 40 * 60;
    let e = check_programme(p, &f).unwrap_err();
    assert_eq!(e.0[0].code, "hours_above_maximum");
    assert!(e.0[0].message.contains("35 hours"));
    f.hours_per_week_minutes = 30 * 60;
    assert!(check_programme(p, &f).is_ok());
    f.age_at_start = 17;
    f.hours_per_week_minutes = 40 * 60;
    assert!(check_programme(p, &f).is_ok());
    f.age_at_start = 20;
    assert_eq!(codes_of(check_programme(p, &f)), vec!["age_above_maximum"]);
    let long = facts("2026-06-01", "2026-08-15", 17, &[], form);
    assert_eq!(
        codes_of(check_programme(p, &long)),
        vec!["duration_exceeds_maximum"]
    );
}

#[test]
fn vocational_introduction_needs_six_months_and_three_quarters_time() {
    let p = ProgrammeType::VocationalIntroduction;
    let mut f = facts("2020-03-01", "2020-07-31", 19, &[], EmploymentForm::Host);
    f.hours_per_week_minutes = 20 * 60;
    let c = codes_of(check_programme(p, &f));
    assert_eq!(c, vec!["duration_below_minimum", "hours_below_minimum"]);
    f.end_date = d("2020-08-31");
    f.hours_per_week_minutes = 30 * 60;
    assert!(check_programme(p, &f).is_ok());
}

#[test]
fn sector_rules_judge_the_hosts_sni_and_legal_form() {
    let osa = ProgrammeType::ShelteredPublicEmployment.latest();
    let company = HostFacts {
        sni_code: Some("86"),
        legal_form: Some(LegalForm::LimitedCompany),
    };
    assert_eq!(
        codes_of(osa.check_host(&company)),
        vec!["sector_not_allowed"]
    );
    let municipality = HostFacts {
        sni_code: None,
        legal_form: Some(LegalForm::Municipality),
    };
    assert!(osa.check_host(&municipality).is_ok());
    assert_eq!(
        codes_of(osa.check_host(&HostFacts::default())),
        vec!["sector_unknown"]
    );

    let extra = ProgrammeType::ExtraJob.rules_on(d("2019-01-15")).unwrap();
    // A private care company (welfare), a sports club, a municipality: allowed.
    assert!(extra.check_host(&company).is_ok());
    let club = HostFacts {
        sni_code: Some("93"),
        legal_form: Some(LegalForm::NonProfitAssociation),
    };
    assert!(extra.check_host(&club).is_ok());
    assert!(extra.check_host(&municipality).is_ok());
    // An IT company, or a sports company: not allowed.
    let it = HostFacts {
        sni_code: Some("62"),
        legal_form: Some(LegalForm::LimitedCompany),
    };
    assert_eq!(codes_of(extra.check_host(&it)), vec!["sector_not_allowed"]);
    let gym = HostFacts {
        sni_code: Some("93"),
        legal_form: Some(LegalForm::LimitedCompany),
    };
    assert_eq!(codes_of(extra.check_host(&gym)), vec!["sector_not_allowed"]);
    // Before 2017-07-01 the sports club was not allowed either.
    let early = ProgrammeType::ExtraJob.rules_on(d("2016-03-01")).unwrap();
    assert_eq!(
        codes_of(early.check_host(&club)),
        vec!["sector_not_allowed"]
    );
    // Sections as letters, longer codes.
    let school = HostFacts {
        sni_code: Some("P"),
        legal_form: Some(LegalForm::LimitedCompany),
    };
    assert!(extra.check_host(&school).is_ok());
    let care = HostFacts {
        sni_code: Some("87.301"),
        legal_form: None,
    };
    assert!(extra.check_host(&care).is_ok());
    // Any employer: nothing needed.
    assert!(ProgrammeType::IntroductionJob
        .latest()
        .check_host(&HostFacts::default())
        .is_ok());
}

#[test]
fn rules_of_the_old_codes_are_frozen_and_the_new_ones_summarise_the_latest() {
    use ProgrammeType::*;
    let r = YouthEmployment.rules();
    assert_eq!(
        (r.min_age, r.max_age, r.max_months),
        (Some(16), Some(24), Some(6))
    );
    let r = ExtraJob.rules();
    assert_eq!(r.max_months, Some(24));
    assert_eq!(r.target_groups, &[LongTermUnemployed, NewlyArrived]);
    let r = TraineeJob.rules();
    assert_eq!(
        (
            r.min_age,
            r.max_age,
            r.min_study_percent,
            r.max_study_percent
        ),
        (Some(20), Some(24), Some(15), Some(50))
    );
    let r = WorkPractice.rules();
    assert_eq!(r.employment_forms, &[EmploymentForm::WorkPractice]);
    for p in [
        IntroductionJob,
        NewStartJob,
        WageSubsidy,
        ShelteredPublicEmployment,
        VocationalIntroduction,
        SummerJob,
    ] {
        assert_eq!(p.rules(), p.latest().summary_rules(), "{p:?}");
    }
    let r = IntroductionJob.rules();
    assert_eq!((r.min_age, r.max_age, r.max_months), (None, None, Some(24)));
    assert_eq!(r.target_groups, &[Youth, LongTermUnemployed, NewlyArrived]);
    let r = SummerJob.rules();
    assert_eq!((r.min_age, r.max_age), (Some(15), Some(19)));
}

proptest! {
    #[test]
    fn the_lookup_picks_the_version_in_force(p in 0usize..13, days in 0i64..11_000) {
        let p = ProgrammeType::ALL[p];
        let date = d("2000-01-01") + chrono::Duration::days(days);
        match p.rules_on(date) {
            Ok(v) => {
                prop_assert!(v.governs(date));
                prop_assert_eq!(p.versions().iter().filter(|w| w.governs(date)).count(), 1);
            }
            Err(ProgrammeClosed::NotStarted { first_day, .. }) => {
                prop_assert!(date < first_day);
                prop_assert_eq!(first_day, p.versions()[0].valid_from);
            }
            Err(ProgrammeClosed::Closed { last_start, .. }) => {
                prop_assert!(date > last_start);
                prop_assert_eq!(p.latest().last_start, Some(last_start));
            }
        }
    }

    #[test]
    fn closed_programmes_refuse_every_later_start_and_name_the_day(p in 0usize..13, after in 1i64..4000) {
        let p = ProgrammeType::ALL[p];
        if let Some(last) = p.latest().last_start {
            let start = last + chrono::Duration::days(after);
            let f = facts("2000-01-01", "2000-01-01", 30, &[], EmploymentForm::Host);
            let f = ProgrammeFacts { start_date: start, end_date: start, ..f };
            let e = check_programme(p, &f).unwrap_err();
            prop_assert_eq!(e.0.len(), 1);
            prop_assert_eq!(e.0[0].code.as_str(), "programme_closed");
            let closed_on = (last + chrono::Duration::days(1)).to_string();
            prop_assert!(e.0[0].message.contains(&closed_on));
        }
    }

}
