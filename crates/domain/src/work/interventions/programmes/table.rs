//! The dated rule table: every programme type's versions, oldest first,
//! with their sources. The docs (docs/work-models/programmes.md) give the
//! same table in prose with every uncertainty; keep them together.
//!
//! Dates are **start dates** of placements. A version's `valid_to` is the
//! day before the next version's `valid_from`; the last version of an open
//! programme has `valid_to: None`; the last version of a programme closed
//! to new decisions has `valid_to == last_start`. Where the law speaks of
//! the decision date (beslutstillfället) Vägar uses the start date: the two
//! are close, and the start date is what the placement records.

use super::{Eligibility, ProgrammeType, RuleVersion, SectorRule, Source, SourceKind};
use crate::participants::TargetGroup::{self, LongTermUnemployed, NewlyArrived, Youth};
use crate::work::placements::EmploymentForm;
use chrono::NaiveDate;

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in the programme table"),
    }
}

/// A full-time week in minutes (40 hours), the base of "75 % of full
/// time". Collective agreements differ (38¼–40 hours); 40 is assumed.
pub const FULL_TIME_WEEK_MINUTES: i64 = 40 * 60;
/// Most working time a week for 16–17-year-olds (AFS on minors' work
/// environment): 40 hours.
pub const MINOR_16_17_WEEK_MINUTES: i64 = 40 * 60;
/// Most working time a week during school holidays for those under 16
/// (äldre barn, 13–15): 35 hours.
pub const MINOR_UNDER_16_WEEK_MINUTES: i64 = 35 * 60;

/// First start date of the municipality's own models (no national rule):
/// the start of Vägar's dates, i.e. "always".
pub const MUNICIPAL_MODEL_FROM: NaiveDate = ymd(2000, 1, 1);
/// Förordning (2000:634) and (2000:630) took effect on 1 July 2000
/// (uncertain: the exact day is not confirmed).
pub const ORDINANCES_2000_FROM: NaiveDate = ymd(2000, 7, 1);
/// Förordning (2017:462) replaced (2000:630) on 1 July 2017.
pub const DISABILITY_ORDINANCE_2017_FROM: NaiveDate = ymd(2017, 7, 1);
/// Förordningarna (2018:42) and (2018:43) took effect on 1 May 2018.
pub const ORDINANCES_2018_FROM: NaiveDate = ymd(2018, 5, 1);
/// SFS 2020:224: 36 months in all for särskilt anställningsstöd from 1 May 2020.
pub const TEMPORARY_36_MONTHS_FROM: NaiveDate = ymd(2020, 5, 1);
/// SFS 2020:225: back to 24 months from 1 January 2022.
pub const BACK_TO_24_MONTHS_FROM: NaiveDate = ymd(2022, 1, 1);

/// Traineejobb: first placements (uncertain: 1 August 2015 as proposed).
pub const TRAINEE_JOB_FROM: NaiveDate = ymd(2015, 8, 1);
/// Traineejobb: Arbetsförmedlingen decided on traineejobb until 31 December 2017.
pub const TRAINEE_JOB_LAST_START: NaiveDate = ymd(2017, 12, 31);
/// Utbildningskontrakt: from 1 August 2015 (Arbetsförmedlingen's fact sheet 2015-08).
pub const EDUCATION_CONTRACT_FROM: NaiveDate = ymd(2015, 8, 1);
/// Utbildningskontrakt: no new agreements from 1 January 2020.
pub const EDUCATION_CONTRACT_LAST_START: NaiveDate = ymd(2019, 12, 31);
/// Extratjänst: introduced in November 2015 (uncertain: the 1st).
pub const EXTRA_JOB_FROM: NaiveDate = ymd(2015, 11, 1);
/// Extratjänst: newly arrived included from 1 December 2016 (SFS 2016:926).
pub const EXTRA_JOB_NEWLY_ARRIVED_FROM: NaiveDate = ymd(2016, 12, 1);
/// Extratjänst: culture, sport and non-profit employers from 1 July 2017.
pub const EXTRA_JOB_NON_PROFIT_FROM: NaiveDate = ymd(2017, 7, 1);
/// Extratjänst: no new decisions from 1 January 2022; starts before then
/// were carried out.
pub const EXTRA_JOB_LAST_START: NaiveDate = ymd(2021, 12, 31);
/// Yrkesintroduktionsanställning: förordning (2013:1157) from 15 January 2014.
pub const VOCATIONAL_INTRODUCTION_FROM: NaiveDate = ymd(2014, 1, 15);
/// Yrkesintroduktionsanställning: the ordinance was repealed on 1 January
/// 2024 (uncertain: the transitional rule for earlier decisions).
pub const VOCATIONAL_INTRODUCTION_LAST_START: NaiveDate = ymd(2023, 12, 31);
/// Nystartsjobb: the temporary doubled support time for those over 55
/// ended on 1 January 2025.
pub const NEW_START_JOB_2025_FROM: NaiveDate = ymd(2025, 1, 1);
/// Nystartsjobb: stricter rules from 1 February 2025 (no relatives, no
/// redundancies at the unit in 12 months, prison no longer qualifies).
pub const NEW_START_JOB_FEB_2025_FROM: NaiveDate = ymd(2025, 2, 1);

const fn day_before(d: NaiveDate) -> NaiveDate {
    match d.pred_opt() {
        Some(p) => p,
        None => panic!("no day before"),
    }
}

const EMPLOYED: &[EmploymentForm] = &[EmploymentForm::Municipality, EmploymentForm::Host];

const fn path(
    min_age: Option<u32>,
    max_age: Option<u32>,
    target_groups: &'static [TargetGroup],
    condition: &'static str,
) -> Eligibility {
    Eligibility {
        min_age,
        max_age,
        target_groups,
        condition,
        max_months: None,
        max_week_minutes: None,
    }
}

/// A version with every limit unset; each entry fills in its own.
const BLANK: RuleVersion = RuleVersion {
    programme: ProgrammeType::FixedTermJob,
    valid_from: MUNICIPAL_MODEL_FROM,
    valid_to: None,
    last_start: None,
    replaced_by: None,
    summary: "",
    sources: &[],
    eligibility: &[],
    target_groups: &[],
    decision_months: None,
    min_months: None,
    max_months: None,
    min_study_percent: None,
    max_study_percent: None,
    employment_forms: &[],
    min_week_minutes: None,
    max_week_minutes: None,
    sector: SectorRule::AnyEmployer,
    employer_conditions: "",
    uncertain: "",
};

// ---------------------------------------------------------------- sources

const MUNICIPAL: Source = Source {
    kind: SourceKind::Municipal,
    citation: "The municipality's own decision on the intervention (no national rule)",
    url: "",
};
const SFS_2018_42: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2018:42) om särskilt anställningsstöd, 3–5 och 10–11 §§",
    url: "https://rkrattsbaser.gov.se/sfst?bet=2018:42",
};
const AF_INTRODUCTION_JOB: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation: "Arbetsförmedlingen: Introduktionsjobb (introductory job)",
    url: "https://arbetsformedlingen.se/other-languages/english-engelska/additional-support/support-a-z/introduktionsjobb",
};
const SFS_2020_224: Source = Source {
    kind: SourceKind::Ordinance,
    citation:
        "SFS 2020:224, ändring i förordningen (2018:42), 10–11 §§: 36 månader i sammanlagd stödtid",
    url: "",
};
const SFS_2020_225: Source = Source {
    kind: SourceKind::Ordinance,
    citation:
        "SFS 2020:225, ändring i förordningen (2018:42), 10–11 §§: 24 månader från 2022-01-01",
    url: "https://www.paragraf.nu/2018:42",
};
const SFS_2018_43: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2018:43) om stöd för nystartsjobb, 5–6 och 11–15 §§",
    url: "https://www.paragraf.nu/2018:43",
};
const AF_NEW_START_JOB: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation: "Arbetsförmedlingen: Nystartsjobb (för arbetsgivare)",
    url: "https://arbetsformedlingen.se/for-arbetsgivare/anstallningsstod/anstall-med-ekonomiskt-stod/nystartsjobb",
};
const AF_NEW_START_JOB_2025: Source = Source {
    kind: SourceKind::Secondary,
    citation: "Arbetsförmedlingen: Nya regler för nystartsjobb från 1 februari 2025 (as summarised by IKEM, Arbetsgivarbrevet 2025)",
    url: "https://www.ikem.se/arbetsgivarbrevet/arbetsgivarbrevet-2025/nya-regler-for-nystartsjobb",
};
const SFS_2000_630: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2000:630) om särskilda insatser för personer med funktionshinder som medför nedsatt arbetsförmåga (upphävd 2017-07-01)",
    url: "https://open.karnovgroup.se/arbetsratt/SFS2000-0630",
};
const SFS_2017_462: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2017:462) om särskilda insatser för personer med funktionsnedsättning som medför nedsatt arbetsförmåga, 1 § (lönebidrag, skyddat arbete)",
    url: "https://rkrattsbaser.gov.se/sfst?bet=2017:462",
};
const AF_WAGE_SUBSIDY: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation: "Arbetsförmedlingen: Lönebidrag – när du anställer någon med en funktionsnedsättning eller ohälsa",
    url: "https://arbetsformedlingen.se/for-arbetsgivare/anstallningsstod/stod-nar-en-person-har-en-funktionsnedsattning/lonebidrag",
};
const AF_OSA: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation:
        "Arbetsförmedlingen: Skyddat arbete hos offentlig arbetsgivare (OSA), faktablad 2015-03",
    url: "",
};
const SFS_2000_634: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2000:634) om arbetsmarknadspolitiska program, 7 § (längst 6 månader), 8–9 §§ (ålder)",
    url: "https://rkrattsbaser.gov.se/sfst?bet=2000:634",
};
const SFS_2013_1157: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2013:1157) om stöd för yrkesintroduktionsanställningar, 3–6 §§ (upphävd 2024-01-01)",
    url: "https://lagen.nu/2013:1157",
};
const GOV_VOCATIONAL_REPEAL: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Regeringen, pressmeddelande 2023-09: förordningen om stöd för yrkesintroduktionsanställningar upphävs den 1 januari 2024",
    url: "https://www.regeringen.se/pressmeddelanden/2023/09/regeringen-forenklar-den-arbetsmarknadspolitiska-insatsfloran/",
};
const AFS_MINORS: Source = Source {
    kind: SourceKind::Regulation,
    citation: "Arbetsmiljöverkets föreskrifter om minderårigas arbetsmiljö (AFS 2012:3, in the new AFS structure from 2025): working hours of those under 18",
    url: "https://www.av.se/",
};
const SFS_2015_503: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2015:503) om särskilt anställningsstöd (upphävd 2018-05-01 genom SFS 2018:42): traineejobb 14–14 c §§, extratjänst 8–11 §§",
    url: "https://www.paragraf.nu/2015:503",
};
const AF_TRAINEE_CLOSED: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation: "Arbetsförmedlingen: Traineejobben försvinner vid årsskiftet (beslut t.o.m. 2017-12-31)",
    url: "https://www.arbetsformedlingen.se/For-arbetsgivare/Anstall-med-stod/Vara-anstallningsstod/Traineejobb.html",
};
const SFS_2015_502: Source = Source {
    kind: SourceKind::Ordinance,
    citation: "Förordning (2015:502) om samverkan för att minska ungdomsarbetslösheten (utbildningskontrakt)",
    url: "",
};
const AF_EDUCATION_CONTRACT_CLOSED: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation: "Arbetsförmedlingen: Utbildningskontrakt avvecklas (inga nya överenskommelser från 2020-01-01)",
    url: "https://arbetsformedlingen.se/for-arbetssokande/extra-stod/stod-a-o/utbildningskontrakt",
};
const AF_EXTRA_JOB: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation: "Arbetsförmedlingen: Extratjänst – när du vill anställa inom offentlig verksamhet eller ideell sektor",
    url: "https://arbetsformedlingen.se/for-arbetsgivare/anstall-med-stod/extratjanst",
};
const AF_EXTRA_JOB_CLOSED: Source = Source {
    kind: SourceKind::Arbetsformedlingen,
    citation: "Arbetsförmedlingen, nyhet 2021-12-23: Extratjänster fasas ut under 2022 (inga nya beslut från 2022-01-01)",
    url: "https://arbetsformedlingen.se/om-oss/press/nyheter/nyhetsarkiv/2021-12-23-extratjanster-fasas-ut-under-2022",
};
const SKR_EXTRA_JOB: Source = Source {
    kind: SourceKind::Secondary,
    citation: "SKR cirkulär 2018: Information om extratjänster (målgrupp och verksamheter)",
    url: "https://skr.se/tjanster/merfranskr/cirkular/cirkular/2018/informationomextratjanster.24241.html",
};

// --------------------------------------------------------------- eligibility

const INTRODUCTION_JOB_PATHS: &[Eligibility] = &[
    path(
        None,
        None,
        &[LongTermUnemployed],
        "deltar i jobb- och utvecklingsgarantin (4 § 1)",
    ),
    path(
        Some(20),
        Some(24),
        &[Youth],
        "fyllt 20 år och deltagit i jobbgarantin för ungdomar i minst 200 ersättningsdagar (4 § 2)",
    ),
    path(
        Some(20),
        None,
        &[NewlyArrived],
        "nyanländ, fyllt 20 år, i etableringsprogrammet (eller inom 12 månader därefter) eller uppehållstillstånd inom 36 månader (4 § 3, 5 §)",
    ),
];
const INTRODUCTION_JOB_GROUPS: &[TargetGroup] = &[Youth, LongTermUnemployed, NewlyArrived];

const fn months(mut p: Eligibility, m: u32) -> Eligibility {
    p.max_months = Some(m);
    p
}

const NEW_START_JOB_PATHS: &[Eligibility] = &[
    months(
        path(
            Some(20),
            Some(24),
            &[],
            "20–24 år och utan arbete på heltid minst 6 av de senaste 9 månaderna (arbetslös, i program, med sjukpenning eller ekonomiskt bistånd)",
        ),
        12,
    ),
    months(
        path(
            Some(25),
            None,
            &[LongTermUnemployed],
            "fyllt 25 år och utan arbete på heltid minst 12 av de senaste 15 månaderna",
        ),
        24,
    ),
    months(
        path(
            Some(20),
            Some(24),
            &[NewlyArrived],
            "nyanländ, fyllt 20 år, uppehållstillstånd inom 36 månader eller i etableringsprogrammet (6 §)",
        ),
        12,
    ),
    months(
        path(
            Some(25),
            None,
            &[NewlyArrived],
            "nyanländ, fyllt 25 år, uppehållstillstånd inom 36 månader eller i etableringsprogrammet (6 §)",
        ),
        24,
    ),
];
const NEW_START_JOB_2025_PATHS: &[Eligibility] = &[
    months(
        path(
            Some(20),
            Some(24),
            &[],
            "20–24 år och utan arbete på heltid minst 6 av de senaste 9 månaderna",
        ),
        12,
    ),
    months(
        path(
            Some(25),
            Some(66),
            &[LongTermUnemployed],
            "25–66 år och utan arbete på heltid minst 12 av de senaste 15 månaderna",
        ),
        24,
    ),
    months(
        path(
            Some(20),
            Some(24),
            &[NewlyArrived],
            "nyanländ 20–24 år, uppehållstillstånd inom 36 månader eller i etableringsprogrammet",
        ),
        12,
    ),
    months(
        path(
            Some(25),
            Some(66),
            &[NewlyArrived],
            "nyanländ 25–66 år, uppehållstillstånd inom 36 månader eller i etableringsprogrammet",
        ),
        24,
    ),
];

const DISABILITY_PATH: &[Eligibility] = &[path(
    None,
    None,
    &[],
    "funktionsnedsättning som medför nedsatt arbetsförmåga, bedömd av Arbetsförmedlingen (not in Vägar's record)",
)];
const OSA_PATH: &[Eligibility] = &[path(
    None,
    None,
    &[],
    "nedsatt arbetsförmåga och specifik kognitiv funktionsnedsättning eller missbruks- eller beroendeproblematik, rätt till insatser enligt LSS (1993:387), eller lång frånvaro från arbetslivet på grund av långvarig och svår psykisk sjukdom (Arbetsförmedlingen judges)",
)];

const VOCATIONAL_INTRODUCTION_PATHS: &[Eligibility] = &[
    path(
        Some(15),
        Some(24),
        &[],
        "fyllt 15 men inte 25 år och saknar relevant yrkeserfarenhet, eller arbetslös och inskriven 90 dagar under fyra månader (6 § 1, 4 §)",
    ),
    path(
        Some(25),
        None,
        &[LongTermUnemployed],
        "fyllt 25 år och arbetslös på heltid sedan 12 månader",
    ),
    path(
        Some(15),
        None,
        &[NewlyArrived],
        "nyanländ med etableringsplan, eller uppehållstillstånd inom 36 månader",
    ),
];

const fn week(mut p: Eligibility, minutes: i64) -> Eligibility {
    p.max_week_minutes = Some(minutes);
    p
}

const SUMMER_JOB_PATHS: &[Eligibility] = &[
    week(
        path(
            Some(15),
            Some(15),
            &[],
            "turns 16 during the year (äldre barn until then: light work, at most 7 hours a day and 35 a week in the holidays)",
        ),
        MINOR_UNDER_16_WEEK_MINUTES,
    ),
    week(
        path(
            Some(16),
            Some(19),
            &[],
            "16–19 years, living in the municipality (the municipality's decision; under 18: at most 8 hours a day and 40 a week)",
        ),
        MINOR_16_17_WEEK_MINUTES,
    ),
];

const TRAINEE_JOB_PATHS: &[Eligibility] = &[
    path(
        Some(20),
        Some(24),
        &[],
        "20–24 år, arbetslös på heltid minst 3 av de senaste 6 månaderna och i risk för långtidsarbetslöshet (14 a §)",
    ),
    path(
        Some(25),
        None,
        &[LongTermUnemployed],
        "fyllt 25 år och arbetslös på heltid 12 av de senaste 15 månaderna (14 b §, from 2016)",
    ),
    path(
        Some(20),
        None,
        &[NewlyArrived],
        "nyanländ, fyllt 20 år, med etableringsplan eller avslutad inom 12 månader (14 c §, from 2016)",
    ),
];

const EXTRA_JOB_LTU_ONLY: &[Eligibility] = &[path(
    Some(18),
    None,
    &[LongTermUnemployed],
    "deltagit i jobb- och utvecklingsgarantin i 450 ersättningsdagar",
)];
const EXTRA_JOB_PATHS: &[Eligibility] = &[
    path(
        Some(18),
        None,
        &[LongTermUnemployed],
        "deltagit i jobb- och utvecklingsgarantin i 450 ersättningsdagar",
    ),
    path(
        Some(18),
        None,
        &[NewlyArrived],
        "nyanländ med (eller som har haft) etableringsplan, eller uppehållstillstånd inom 36 månader",
    ),
];

// ------------------------------------------------------------------- table

const INTRODUCTION_JOB: &[RuleVersion] = &[
    RuleVersion {
        programme: ProgrammeType::IntroductionJob,
        valid_from: ORDINANCES_2018_FROM,
        valid_to: Some(day_before(TEMPORARY_36_MONTHS_FROM)),
        summary: "Introduced: replaces särskilt anställningsstöd, förstärkt särskilt anställningsstöd, both traineejobb and instegsjobb",
        sources: &[SFS_2018_42, AF_INTRODUCTION_JOB],
        eligibility: INTRODUCTION_JOB_PATHS,
        target_groups: INTRODUCTION_JOB_GROUPS,
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        employer_conditions: "private or public employer; wage and benefits per collective agreement or equivalent; part time only with a permanently reduced work capacity (per Arbetsförmedlingen's description; other sources say full or part time)",
        uncertain: "Whether part-time is allowed without reduced work capacity; no upper age limit was found in the sources.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::IntroductionJob,
        valid_from: TEMPORARY_36_MONTHS_FROM,
        valid_to: Some(day_before(BACK_TO_24_MONTHS_FROM)),
        summary: "Temporarily 36 months in all (SFS 2020:224)",
        sources: &[SFS_2018_42, SFS_2020_224],
        eligibility: INTRODUCTION_JOB_PATHS,
        target_groups: INTRODUCTION_JOB_GROUPS,
        decision_months: Some(12),
        max_months: Some(36),
        employment_forms: EMPLOYED,
        employer_conditions: "private or public employer; wage and benefits per collective agreement or equivalent",
        uncertain: "The end of the temporary 36 months: Arbetsförmedlingen first said 2020-12-31; the ordinance's return to 24 months (SFS 2020:225) took effect 2022-01-01, so 2021-12-31 is used. Decisions on extension after 2021 follow 24 months.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::IntroductionJob,
        valid_from: BACK_TO_24_MONTHS_FROM,
        valid_to: None,
        summary: "24 months in all again; an extension after 12 months needs an assessed need (SFS 2020:225)",
        sources: &[SFS_2018_42, SFS_2020_225, AF_INTRODUCTION_JOB],
        eligibility: INTRODUCTION_JOB_PATHS,
        target_groups: INTRODUCTION_JOB_GROUPS,
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        employer_conditions: "private or public employer; wage and benefits per collective agreement or equivalent",
        uncertain: "Changes after 2022 (e.g. with etableringsjobb from 2024) were not found in the sources; the rules are assumed unchanged in 2026. The subsidy level and ceiling (80 % of a wage up to 20 000 kr in 2018) are not modelled.",
        ..BLANK
    },
];

const NEW_START_JOB: &[RuleVersion] = &[
    RuleVersion {
        programme: ProgrammeType::NewStartJob,
        valid_from: ORDINANCES_2018_FROM,
        valid_to: Some(day_before(NEW_START_JOB_2025_FROM)),
        summary: "Förordning (2018:43) replaces (2006:1481)",
        sources: &[SFS_2018_43, AF_NEW_START_JOB],
        eligibility: NEW_START_JOB_PATHS,
        target_groups: &[],
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        employer_conditions: "wage and benefits per collective agreement or equivalent; not for an employment that already runs",
        uncertain: "The ordinance counts age by the year (fyllt 20/25 år vid årets ingång in older wording); Vägar uses the age at the start date. Temporary extensions (+12 months 2021-03-01–2021-12-31, doubled time for those over 55 until 2024-12-31) and the path for those released from prison are not modelled. Whether public employers outside business activity may get the support is not confirmed. The longest time also depends on how long the person was away from work.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::NewStartJob,
        valid_from: NEW_START_JOB_2025_FROM,
        valid_to: Some(day_before(NEW_START_JOB_FEB_2025_FROM)),
        summary: "The temporary doubled time for those over 55 ends: at most 1 year for 20–24, 2 years for 25–66",
        sources: &[SFS_2018_43, AF_NEW_START_JOB_2025],
        eligibility: NEW_START_JOB_2025_PATHS,
        target_groups: &[],
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        employer_conditions: "wage and benefits per collective agreement or equivalent",
        uncertain: "The SFS number of the 2025 amendments is not known here; the source is a summary of Arbetsförmedlingen's page.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::NewStartJob,
        valid_from: NEW_START_JOB_FEB_2025_FROM,
        valid_to: None,
        summary: "No relatives or persons with substantial influence; no redundancies at the unit in the last 12 months; a prison sentence alone no longer qualifies",
        sources: &[SFS_2018_43, AF_NEW_START_JOB_2025],
        eligibility: NEW_START_JOB_2025_PATHS,
        target_groups: &[],
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        employer_conditions: "wage and benefits per collective agreement or equivalent; not a family member, close relative or person with substantial influence; no notice for redundancy in the last 12 months at the unit (see the displacement check's reductions)",
        uncertain: "The SFS number of the 2025 amendments is not known here; amounts (two employer contributions on a wage up to 20 000 kr) are not modelled.",
        ..BLANK
    },
];

const WAGE_SUBSIDY: &[RuleVersion] = &[
    RuleVersion {
        programme: ProgrammeType::WageSubsidy,
        valid_from: ORDINANCES_2000_FROM,
        valid_to: Some(day_before(DISABILITY_ORDINANCE_2017_FROM)),
        summary: "Lönebidrag under förordning (2000:630)",
        sources: &[SFS_2000_630],
        eligibility: DISABILITY_PATH,
        decision_months: Some(12),
        max_months: Some(48),
        employment_forms: EMPLOYED,
        uncertain: "Kept so that old placements have a version; the first day (2000-07-01) and the four-year limit are not confirmed.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::WageSubsidy,
        valid_from: DISABILITY_ORDINANCE_2017_FROM,
        valid_to: None,
        summary: "Förordning (2017:462): lönebidrag för anställning (also för utveckling i anställning and för trygghet i anställning, not separate codes)",
        sources: &[SFS_2017_462, AF_WAGE_SUBSIDY],
        eligibility: DISABILITY_PATH,
        decision_months: Some(12),
        max_months: Some(48),
        employment_forms: EMPLOYED,
        employer_conditions: "private or public employer registered as employer; wage and benefits per collective agreement or equivalent; a work environment that meets arbetsmiljölagen",
        uncertain: "Longest time: 12 months per decision and four years in all for lönebidrag för anställning is believed (after that lönebidrag för trygghet i anställning) but not confirmed in the sources. No age limit found. The wage ceiling (18 300 kr in 2017, raised 2018–2020) is not modelled.",
        ..BLANK
    },
];

const SHELTERED_PUBLIC_EMPLOYMENT: &[RuleVersion] = &[
    RuleVersion {
        programme: ProgrammeType::ShelteredPublicEmployment,
        valid_from: ORDINANCES_2000_FROM,
        valid_to: Some(day_before(DISABILITY_ORDINANCE_2017_FROM)),
        summary: "Skyddat arbete hos offentlig arbetsgivare under förordning (2000:630) (OSA exists since 1986)",
        sources: &[SFS_2000_630],
        eligibility: OSA_PATH,
        decision_months: Some(12),
        employment_forms: EMPLOYED,
        sector: SectorRule::PublicOnly,
        employer_conditions: "public employer; not in an activity open to competition",
        uncertain: "Kept so that old placements have a version; the first day (2000-07-01) is not confirmed.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::ShelteredPublicEmployment,
        valid_from: DISABILITY_ORDINANCE_2017_FROM,
        valid_to: None,
        summary: "Förordning (2017:462): skyddat arbete hos offentlig arbetsgivare",
        sources: &[SFS_2017_462, AF_OSA],
        eligibility: OSA_PATH,
        decision_months: Some(12),
        employment_forms: EMPLOYED,
        sector: SectorRule::PublicOnly,
        employer_conditions: "public employer only; not in an activity open to competition; wage per collective agreement; LAS does not apply",
        uncertain: "No longest total time was found (decisions are usually for a year at a time and reviewed yearly). Whether municipal companies count as public employers is not confirmed; Vägar does not accept them.",
        ..BLANK
    },
];

const WORK_PRACTICE: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::WorkPractice,
    valid_from: ORDINANCES_2000_FROM,
    valid_to: None,
    summary: "Arbetspraktik under förordning (2000:634): an assignment of at most 6 months",
    sources: &[SFS_2000_634],
    eligibility: &[path(
        Some(16),
        None,
        &[],
        "anvisad av Arbetsförmedlingen; from 25 years, younger in jobbgarantin för ungdomar, with a disability, in etableringsprogrammet, or 18+ far from the labour market (8–9 §§)",
    )],
    max_months: Some(6),
    max_study_percent: Some(50),
    employment_forms: &[EmploymentForm::WorkPractice],
    employer_conditions: "no wage from the host: the participant gets aktivitetsstöd or utvecklingsersättning",
    uncertain: "The age rules are simplified to 16+ (the ordinance's main rule is 25+ with exceptions the record does not show); the 50 % study limit is Vägar's assumption; the first day (2000-07-01) is not confirmed.",
    ..BLANK
}];

const VOCATIONAL_INTRODUCTION: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::VocationalIntroduction,
    valid_from: VOCATIONAL_INTRODUCTION_FROM,
    valid_to: Some(VOCATIONAL_INTRODUCTION_LAST_START),
    last_start: Some(VOCATIONAL_INTRODUCTION_LAST_START),
    replaced_by: Some(ProgrammeType::NewStartJob),
    summary: "Stöd för yrkesintroduktionsanställningar; the ordinance was repealed on 2024-01-01 (nystartsjobb named instead)",
    sources: &[SFS_2013_1157, GOV_VOCATIONAL_REPEAL],
    eligibility: VOCATIONAL_INTRODUCTION_PATHS,
    target_groups: &[],
    decision_months: Some(12),
    min_months: Some(6),
    max_months: Some(12),
    employment_forms: EMPLOYED,
    min_week_minutes: Some(FULL_TIME_WEEK_MINUTES * 3 / 4),
    employer_conditions: "bound by a central collective agreement on yrkesintroduktion (or a hängavtal); education or supervision at least 15 % of the working time; the person not already employed there",
    uncertain: "The paths for 25+ long-term unemployed and newly arrived came later than 2014 (date not confirmed) and are applied to the whole period. The transitional rule for decisions made before 2024-01-01 is not known: 2023-12-31 is used as the last start date. The issue lists this programme as in use today; the sources say it was abolished.",
    ..BLANK
}];

const SUMMER_JOB: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::SummerJob,
    valid_from: MUNICIPAL_MODEL_FROM,
    valid_to: None,
    summary: "The municipality's own summer jobs for young people (feriejobb / feriearbete): a municipal model, not national law",
    sources: &[MUNICIPAL, AFS_MINORS],
    eligibility: SUMMER_JOB_PATHS,
    max_months: Some(1),
    employment_forms: EMPLOYED,
    employer_conditions: "the municipality's units, associations and companies the municipality chooses; a supervisor present; no ordinary staff replaced",
    uncertain: "Ages, length and hours are the municipality's decision; common models are those who turn 16 during the year up to 19, three to four weeks (90–120 hours) in June–August. The limits here (15–19 at the start, at most a month, 35/40 hours a week for minors) are Vägar's defaults. The minors' rules moved from AFS 2012:3 into the new AFS structure in 2025; the limits are believed unchanged.",
    ..BLANK
}];

const TRAINEE_JOB: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::TraineeJob,
    valid_from: TRAINEE_JOB_FROM,
    valid_to: Some(TRAINEE_JOB_LAST_START),
    last_start: Some(TRAINEE_JOB_LAST_START),
    replaced_by: Some(ProgrammeType::IntroductionJob),
    summary: "Traineejobb in the welfare sector and in shortage occupations: half-time work combined with vocational training; closed 2017-12-31, replaced by introduktionsjobb",
    sources: &[SFS_2015_503, AF_TRAINEE_CLOSED],
    eligibility: TRAINEE_JOB_PATHS,
    target_groups: &[],
    decision_months: Some(12),
    max_months: Some(24),
    min_study_percent: Some(15),
    max_study_percent: Some(50),
    employment_forms: EMPLOYED,
    uncertain: "First day 2015-08-01 as proposed by the government (not confirmed). The 25+ and newly-arrived paths came with SFS 2016:367 (date not confirmed) and are applied to the whole period. The extension to 24 months applied to the welfare sector while studies went on. The 15–50 % study share is Vägar's reading of half-time work with training.",
    ..BLANK
}];

const EDUCATION_CONTRACT: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::EducationContract,
    valid_from: EDUCATION_CONTRACT_FROM,
    valid_to: Some(EDUCATION_CONTRACT_LAST_START),
    last_start: Some(EDUCATION_CONTRACT_LAST_START),
    summary: "Utbildningskontrakt: upper secondary studies at komvux or folkhögskola for 20–24-year-olds without it; closed 2019-12-31",
    sources: &[SFS_2015_502, AF_EDUCATION_CONTRACT_CLOSED],
    eligibility: &[path(
        Some(20),
        Some(24),
        &[],
        "20–24 år, saknar fullständig gymnasieutbildning, inte i etableringsprogrammet, bor i en kommun med överenskommelse",
    )],
    max_months: Some(24),
    min_study_percent: Some(50),
    uncertain: "The contract ran until the person turned 25 or finished; the 24 months and the 50 % study share are Vägar's assumptions. Ongoing contracts could continue at most until 2020-09-20 (not checked).",
    ..BLANK
}];

const EXTRA_JOB: &[RuleVersion] = &[
    RuleVersion {
        programme: ProgrammeType::ExtraJob,
        valid_from: EXTRA_JOB_FROM,
        valid_to: Some(day_before(EXTRA_JOB_NEWLY_ARRIVED_FROM)),
        summary: "Extratjänst introduced for long-term unemployed in welfare and public authorities",
        sources: &[SFS_2015_503],
        eligibility: EXTRA_JOB_LTU_ONLY,
        target_groups: &[LongTermUnemployed],
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        sector: SectorRule::WelfareOrPublicAuthority,
        employer_conditions: "an extra resource, not ordinary tasks; no redundancies in the last 12 months (local agreement SKL–Kommunal)",
        uncertain: "The first day (1 November 2015) and the amending SFS number are not confirmed. The 18+ age is Vägar's assumption (the law names no age; JoU participants are adults).",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::ExtraJob,
        valid_from: EXTRA_JOB_NEWLY_ARRIVED_FROM,
        valid_to: Some(day_before(EXTRA_JOB_NON_PROFIT_FROM)),
        summary: "Newly arrived included; full wage subsidy (SFS 2016:926)",
        sources: &[SFS_2015_503, SKR_EXTRA_JOB],
        eligibility: EXTRA_JOB_PATHS,
        target_groups: &[LongTermUnemployed, NewlyArrived],
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        sector: SectorRule::WelfareOrPublicAuthority,
        employer_conditions: "an extra resource, not ordinary tasks; no redundancies in the last 12 months",
        uncertain: "The 18+ age is Vägar's assumption.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::ExtraJob,
        valid_from: EXTRA_JOB_NON_PROFIT_FROM,
        valid_to: Some(day_before(ORDINANCES_2018_FROM)),
        summary: "Culture, non-profit sport for children and youth, religious communities and non-profit social associations added",
        sources: &[SFS_2015_503, SKR_EXTRA_JOB],
        eligibility: EXTRA_JOB_PATHS,
        target_groups: &[LongTermUnemployed, NewlyArrived],
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        sector: SectorRule::WelfarePublicOrNonProfit,
        employer_conditions: "an extra resource, not ordinary tasks; no redundancies in the last 12 months; culture not mainly commercially financed and open to the public free or at a low fee",
        uncertain: "The amending SFS number is not confirmed (one source names 2017:462, which is the disability ordinance).",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::ExtraJob,
        valid_from: ORDINANCES_2018_FROM,
        valid_to: Some(day_before(TEMPORARY_36_MONTHS_FROM)),
        summary: "Moved into förordning (2018:42) with introduktionsjobb; rules unchanged",
        sources: &[SFS_2018_42, AF_EXTRA_JOB],
        eligibility: EXTRA_JOB_PATHS,
        target_groups: &[LongTermUnemployed, NewlyArrived],
        decision_months: Some(12),
        max_months: Some(24),
        employment_forms: EMPLOYED,
        sector: SectorRule::WelfarePublicOrNonProfit,
        employer_conditions: "an extra resource, not ordinary tasks; no redundancies in the last 12 months",
        uncertain: "Arbetsförmedlingen stopped new extratjänster from 2019-01-01 for lack of funds and resumed later in 2019 (date not confirmed); the stop was a budget decision, not a rule, and is not modelled.",
        ..BLANK
    },
    RuleVersion {
        programme: ProgrammeType::ExtraJob,
        valid_from: TEMPORARY_36_MONTHS_FROM,
        valid_to: Some(EXTRA_JOB_LAST_START),
        last_start: Some(EXTRA_JOB_LAST_START),
        summary: "Temporarily 36 months in all; closed to new decisions from 2022-01-01 (regleringsbrevet 2022), existing ones run out",
        sources: &[SFS_2018_42, SFS_2020_224, AF_EXTRA_JOB, AF_EXTRA_JOB_CLOSED],
        eligibility: EXTRA_JOB_PATHS,
        target_groups: &[LongTermUnemployed, NewlyArrived],
        decision_months: Some(12),
        max_months: Some(36),
        employment_forms: EMPLOYED,
        sector: SectorRule::WelfarePublicOrNonProfit,
        employer_conditions: "an extra resource, not ordinary tasks; no redundancies in the last 12 months",
        uncertain: "The closing concerns decisions (anvisningar): those made before 2022-01-01 or with a start before then were carried out; 2021-12-31 is used as the last start date. The end of the temporary 36 months (2020-12-31 or 2021-12-31) is not confirmed.",
        ..BLANK
    },
];

const FIXED_TERM_JOB: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::FixedTermJob,
    valid_from: MUNICIPAL_MODEL_FROM,
    valid_to: None,
    summary: "A municipal fixed-term job (kommunal visstidsanställning): an adult's ordinary employment for at most a year",
    sources: &[MUNICIPAL],
    eligibility: &[path(Some(18), None, &[], "adult, by the municipality's decision")],
    max_months: Some(12),
    employment_forms: EMPLOYED,
    uncertain: "A municipal model: the limits are the municipality's and Vägar's defaults.",
    ..BLANK
}];

const TRYOUT_STUDIES: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::TryoutStudies,
    valid_from: MUNICIPAL_MODEL_FROM,
    valid_to: None,
    summary: "Prova-på-studier: trying studies at least half the time, a municipal model",
    sources: &[MUNICIPAL],
    eligibility: &[path(Some(16), None, &[], "by the municipality's decision")],
    max_months: Some(6),
    min_study_percent: Some(50),
    uncertain: "A municipal model: the limits are the municipality's and Vägar's defaults. Arbetsförmedlingen's studiemotiverande folkhögskolekurs (SFS 2000:634 7 § 3: at most 3 months) is a different programme.",
    ..BLANK
}];

const YOUTH_EMPLOYMENT: &[RuleVersion] = &[RuleVersion {
    programme: ProgrammeType::YouthEmployment,
    valid_from: MUNICIPAL_MODEL_FROM,
    valid_to: None,
    summary: "Kommunala ungdomsjobb: 16–24 years, at most 6 months, a municipal model",
    sources: &[MUNICIPAL],
    eligibility: &[path(
        Some(16),
        Some(24),
        &[],
        "by the municipality's decision",
    )],
    max_months: Some(6),
    uncertain: "A municipal model: the limits are the municipality's and Vägar's defaults.",
    ..BLANK
}];

/// Every version of a programme type, oldest first.
pub(super) fn versions(p: ProgrammeType) -> &'static [RuleVersion] {
    use ProgrammeType::*;
    match p {
        FixedTermJob => FIXED_TERM_JOB,
        TraineeJob => TRAINEE_JOB,
        EducationContract => EDUCATION_CONTRACT,
        ExtraJob => EXTRA_JOB,
        WorkPractice => WORK_PRACTICE,
        TryoutStudies => TRYOUT_STUDIES,
        YouthEmployment => YOUTH_EMPLOYMENT,
        IntroductionJob => INTRODUCTION_JOB,
        NewStartJob => NEW_START_JOB,
        WageSubsidy => WAGE_SUBSIDY,
        ShelteredPublicEmployment => SHELTERED_PUBLIC_EMPLOYMENT,
        VocationalIntroduction => VOCATIONAL_INTRODUCTION,
        SummerJob => SUMMER_JOB,
    }
}
