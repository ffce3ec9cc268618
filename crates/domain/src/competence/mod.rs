//! The competence profile (kompetensprofil): a participant's work experience,
//! education, skills, languages and wishes, registered so coordinators can
//! match people to employers — and the occupation-fit rule the competence
//! search ranks by. Pure: occupation, skill and language texts are resolved
//! against the taxonomy by the store first and handed in as [`Resolved`].

use crate::org::code_enum;
use crate::participants::{licence_classes, SwedishLevel, LICENCE_CLASSES};
use crate::validation::{choice, ValidationErrors};
use std::collections::{HashMap, HashSet};

code_enum!(
    /// How far a foreign education has come in being validated (bedömd).
    ValidationStatus {
        NotApplicable = "not_applicable",
        NotStarted = "not_started",
        InProgress = "in_progress",
        Validated = "validated",
        NotValidated = "not_validated",
    }
);

code_enum!(
    /// How well the person speaks a language.
    LanguageLevel {
        Basic = "basic",
        Good = "good",
        Fluent = "fluent",
        Native = "native",
    }
);

pub const MAX_EXPERIENCES: usize = 20;
pub const MAX_SKILLS: usize = 50;
pub const MAX_LANGUAGES: usize = 20;
pub const MAX_CERTIFICATES: usize = 20;
pub const MAX_WISHES: usize = 10;
pub const CERTIFICATE_MAX: usize = 200;
pub const MAX_YEARS: i64 = 60;

/// Swedish level as a number that grows with skill, so a search can ask for
/// "at least": SFI courses first, then CEFR, then mother tongue. 0 is none.
pub fn swedish_rank(level: Option<SwedishLevel>) -> i64 {
    match level {
        None => 0,
        Some(l) => SwedishLevel::ALL.iter().position(|x| *x == l).unwrap_or(0) as i64 + 1,
    }
}

/// An occupation as the taxonomy knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupation {
    /// SSYK 2012 level-4 code.
    pub ssyk_code: String,
    /// The occupation name's concept id; `None` for a whole SSYK group.
    pub concept_id: Option<String>,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    pub concept_id: String,
    pub label: String,
}

/// Raw input: texts as typed or picked (concept id, SSYK code or label).
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub experiences: Vec<ExperienceInput>,
    pub education_level: Option<String>,
    pub education_field: Option<String>,
    pub foreign_education: Option<bool>,
    pub foreign_validation: Option<String>,
    pub skills: Vec<String>,
    pub languages: Vec<LanguageInput>,
    pub swedish_level: Option<String>,
    pub driving_licences: Vec<String>,
    pub certificates: Vec<String>,
    pub wished_occupations: Vec<String>,
}

/// An experience as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExperienceInput {
    /// An occupation name or SSYK level-4 group: concept id, code or label.
    pub occupation: Option<String>,
    /// 0–60.
    pub years: Option<i64>,
}

/// A language as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LanguageInput {
    /// Concept id or label.
    pub language: Option<String>,
    /// basic, good, fluent or native
    pub level: Option<String>,
}

/// What the store found for the texts of an input, by the trimmed text.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub occupations: HashMap<String, Occupation>,
    pub skills: HashMap<String, Concept>,
    pub languages: HashMap<String, Concept>,
    pub sun_levels: HashSet<String>,
    pub sun_fields: HashSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Experience {
    pub occupation: Occupation,
    pub years: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageSkill {
    pub language: Concept,
    pub level: LanguageLevel,
}

/// A validated profile (no database ids).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileData {
    pub experiences: Vec<Experience>,
    pub education_level: Option<String>,
    pub education_field: Option<String>,
    pub foreign_education: bool,
    pub foreign_validation: Option<ValidationStatus>,
    pub skills: Vec<Concept>,
    pub languages: Vec<LanguageSkill>,
    pub swedish_level: Option<SwedishLevel>,
    pub driving_licences: Vec<String>,
    pub certificates: Vec<String>,
    pub wished_occupations: Vec<Occupation>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn too_many(e: &mut ValidationErrors, field: &str, n: usize, max: usize) -> bool {
    if n > max {
        e.add(
            field,
            "too_many",
            format!("{field} may have at most {max} entries"),
        );
        true
    } else {
        false
    }
}

impl ProfileData {
    /// Validate `input`, naming each invalid field (`experiences[2].years`).
    /// Blank rows (as forms send) are skipped; duplicates are kept once.
    pub fn from_input(input: &ProfileInput, r: &Resolved) -> Result<ProfileData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut d = ProfileData::default();

        if !too_many(
            &mut e,
            "experiences",
            input.experiences.len(),
            MAX_EXPERIENCES,
        ) {
            for (i, x) in input.experiences.iter().enumerate() {
                let field = format!("experiences[{i}]");
                let Some(text) = blank(&x.occupation) else {
                    if x.years.is_some() {
                        e.add(
                            &format!("{field}.occupation"),
                            "required",
                            format!("{field}.occupation is required when years are given"),
                        );
                    }
                    continue;
                };
                let occupation = r.occupations.get(text);
                if occupation.is_none() {
                    e.add(
                        &format!("{field}.occupation"),
                        "unknown_occupation",
                        format!("{field}.occupation names no occupation in the taxonomy"),
                    );
                }
                let years = x.years.unwrap_or(0);
                if !(0..=MAX_YEARS).contains(&years) {
                    e.add(
                        &format!("{field}.years"),
                        "out_of_range",
                        format!("{field}.years must be from 0 to {MAX_YEARS}"),
                    );
                }
                if let Some(o) = occupation {
                    d.experiences.push(Experience {
                        occupation: o.clone(),
                        years,
                    });
                }
            }
        }

        d.education_level = blank(&input.education_level).map(str::to_string);
        if let Some(l) = &d.education_level {
            if !r.sun_levels.contains(l) {
                e.add(
                    "education_level",
                    "invalid_choice",
                    "education_level must be a SUN 2020 level code",
                );
            }
        }
        d.education_field = blank(&input.education_field).map(str::to_string);
        if let Some(f) = &d.education_field {
            if !r.sun_fields.contains(f) {
                e.add(
                    "education_field",
                    "invalid_choice",
                    "education_field must be a SUN 2020 field code",
                );
            }
        }
        d.foreign_education = input.foreign_education.unwrap_or(false);
        let status = choice::<ValidationStatus>(
            &mut e,
            "foreign_validation",
            input.foreign_validation.as_deref(),
            false,
        );
        d.foreign_validation = match (d.foreign_education, status) {
            (false, None | Some(ValidationStatus::NotApplicable)) => None,
            (false, Some(_)) => {
                e.add(
                    "foreign_validation",
                    "not_applicable",
                    "foreign_validation applies only to a foreign education",
                );
                None
            }
            (true, Some(ValidationStatus::NotApplicable)) => {
                e.add(
                    "foreign_validation",
                    "required",
                    "foreign_validation must say how far the foreign education is validated",
                );
                None
            }
            (true, s) => Some(s.unwrap_or(ValidationStatus::NotStarted)),
        };

        if !too_many(&mut e, "skills", input.skills.len(), MAX_SKILLS) {
            for (i, s) in input.skills.iter().enumerate() {
                let t = s.trim();
                if t.is_empty() {
                    continue;
                }
                match r.skills.get(t) {
                    Some(c) if !d.skills.iter().any(|x| x.concept_id == c.concept_id) => {
                        d.skills.push(c.clone())
                    }
                    Some(_) => {}
                    None => e.add(
                        &format!("skills[{i}]"),
                        "unknown_skill",
                        format!("skills[{i}] names no skill in the taxonomy"),
                    ),
                }
            }
        }

        if !too_many(&mut e, "languages", input.languages.len(), MAX_LANGUAGES) {
            for (i, l) in input.languages.iter().enumerate() {
                let field = format!("languages[{i}]");
                let Some(text) = blank(&l.language) else {
                    continue;
                };
                let language = r.languages.get(text);
                if language.is_none() {
                    e.add(
                        &format!("{field}.language"),
                        "unknown_language",
                        format!("{field}.language names no language in the taxonomy"),
                    );
                }
                let level = match blank(&l.level) {
                    None => {
                        e.add(
                            &format!("{field}.level"),
                            "required",
                            format!("{field}.level is required"),
                        );
                        None
                    }
                    Some(v) => {
                        let p = LanguageLevel::parse(v);
                        if p.is_none() {
                            e.add(
                                &format!("{field}.level"),
                                "invalid_choice",
                                format!(
                                    "{field}.level must be one of: basic, good, fluent, native"
                                ),
                            );
                        }
                        p
                    }
                };
                if let (Some(c), Some(level)) = (language, level) {
                    if !d
                        .languages
                        .iter()
                        .any(|x| x.language.concept_id == c.concept_id)
                    {
                        d.languages.push(LanguageSkill {
                            language: c.clone(),
                            level,
                        });
                    }
                }
            }
        }

        d.swedish_level = choice(
            &mut e,
            "swedish_level",
            input.swedish_level.as_deref(),
            false,
        );
        d.driving_licences = licence_classes(&mut e, &input.driving_licences);
        d.driving_licences
            .sort_by_key(|c| LICENCE_CLASSES.iter().position(|x| x == c));

        if !too_many(
            &mut e,
            "certificates",
            input.certificates.len(),
            MAX_CERTIFICATES,
        ) {
            for (i, c) in input.certificates.iter().enumerate() {
                let t = c.trim();
                if t.is_empty() {
                    continue;
                }
                if t.chars().count() > CERTIFICATE_MAX {
                    e.add(
                        &format!("certificates[{i}]"),
                        "too_long",
                        format!("certificates[{i}] may be at most {CERTIFICATE_MAX} characters"),
                    );
                } else if !d.certificates.iter().any(|x| x == t) {
                    d.certificates.push(t.to_string());
                }
            }
        }

        if !too_many(
            &mut e,
            "wished_occupations",
            input.wished_occupations.len(),
            MAX_WISHES,
        ) {
            for (i, w) in input.wished_occupations.iter().enumerate() {
                let t = w.trim();
                if t.is_empty() {
                    continue;
                }
                match r.occupations.get(t) {
                    Some(o) if !d.wished_occupations.contains(o) => {
                        d.wished_occupations.push(o.clone())
                    }
                    Some(_) => {}
                    None => e.add(
                        &format!("wished_occupations[{i}]"),
                        "unknown_occupation",
                        format!("wished_occupations[{i}] names no occupation in the taxonomy"),
                    ),
                }
            }
        }
        e.into_result(d)
    }
}

/// How well one experience fits a sought occupation, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// The same occupation name, or the same SSYK level-4 group.
    Exact,
    /// The same SSYK level-3 group (first three digits).
    SameGroup3,
    /// The taxonomy says the experience serves the sought occupation to this %.
    Substitutable(u8),
    /// The same SSYK level-2 group (first two digits).
    SameGroup2,
}

impl Fit {
    /// A score for ranking: every kind above the next, and within
    /// substitutability the higher percentage first.
    pub fn score(&self) -> i64 {
        match self {
            Fit::Exact => 400,
            Fit::SameGroup3 => 300,
            Fit::Substitutable(p) => 200 + i64::from((*p).min(99)),
            Fit::SameGroup2 => 100,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Fit::Exact => "exact",
            Fit::SameGroup3 => "same_ssyk3",
            Fit::Substitutable(_) => "substitutable",
            Fit::SameGroup2 => "same_ssyk2",
        }
    }
}

/// The sought occupation: an SSYK level-4 group, and the occupation names
/// it stands for (one when an occupation name was sought; all names of the
/// group when a group was).
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub ssyk_code: String,
    pub concept_ids: HashSet<String>,
    /// Experience concept id → (target label, percentage), from the
    /// substitutability relations whose target is one of `concept_ids`
    /// (the highest percentage kept per experience).
    pub substitutes: HashMap<String, (String, u8)>,
}

/// How one experience fits the target, if at all.
pub fn occupation_fit(target: &Target, experience: &Occupation) -> Option<Fit> {
    let exp = &experience.ssyk_code;
    let concept_match = experience
        .concept_id
        .as_ref()
        .is_some_and(|c| target.concept_ids.contains(c));
    if *exp == target.ssyk_code || concept_match {
        return Some(Fit::Exact);
    }
    let prefix = |n: usize| match (exp.get(..n), target.ssyk_code.get(..n)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    if prefix(3) {
        return Some(Fit::SameGroup3);
    }
    if let Some((_, p)) = experience
        .concept_id
        .as_ref()
        .and_then(|c| target.substitutes.get(c))
    {
        return Some(Fit::Substitutable(*p));
    }
    if prefix(2) {
        return Some(Fit::SameGroup2);
    }
    None
}

/// The best fit among a person's experiences, with a reason to show:
/// e.g. "substitutable: Barnskötare → Elevassistent 75 %".
pub fn best_fit(target: &Target, experiences: &[Occupation]) -> Option<(Fit, String)> {
    experiences
        .iter()
        .filter_map(|x| occupation_fit(target, x).map(|f| (f, x)))
        .max_by_key(|(f, _)| f.score())
        .map(|(f, x)| {
            let reason = match &f {
                Fit::Substitutable(p) => {
                    let to = x
                        .concept_id
                        .as_ref()
                        .and_then(|c| target.substitutes.get(c))
                        .map(|(l, _)| l.as_str())
                        .unwrap_or("");
                    format!("substitutable: {} → {to} {p} %", x.label)
                }
                other => format!("{}: {} ({})", other.kind(), x.label, x.ssyk_code),
            };
            (f, reason)
        })
}

/// Share of the sought skills the person has, in per cent (100 when none sought).
pub fn skill_coverage(sought: usize, held: usize) -> i64 {
    (held.min(sought) * 100)
        .checked_div(sought)
        .map_or(100, |v| v as i64)
}

/// A pseudonymous profile code from random bytes: 'K-' and 8 characters of
/// an alphabet without look-alikes (0/O, 1/I), 40 bits of randomness.
pub fn profile_code(random: [u8; 8]) -> String {
    const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut s = String::from("K-");
    for b in random {
        s.push(ALPHABET[(b & 31) as usize] as char);
    }
    s
}

/// Whether text looks like a profile code (for parsing, never guessing).
pub fn is_profile_code(s: &str) -> bool {
    s.len() == 10 && s.starts_with("K-") && s.chars().skip(2).all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn occ(code: &str, id: Option<&str>, label: &str) -> Occupation {
        Occupation {
            ssyk_code: code.into(),
            concept_id: id.map(str::to_string),
            label: label.into(),
        }
    }

    fn target() -> Target {
        Target {
            ssyk_code: "5312".into(),
            concept_ids: ["elevassistent".to_string()].into_iter().collect(),
            substitutes: [("barnskotare".to_string(), ("Elevassistent".to_string(), 75))]
                .into_iter()
                .collect(),
        }
    }

    fn resolved() -> Resolved {
        let mut r = Resolved::default();
        r.occupations.insert(
            "Barnskötare".into(),
            occ("5311", Some("barnskotare"), "Barnskötare"),
        );
        r.skills.insert(
            "Truckkort".into(),
            Concept {
                concept_id: "s1".into(),
                label: "Truckkort".into(),
            },
        );
        r.languages.insert(
            "Arabiska".into(),
            Concept {
                concept_id: "l1".into(),
                label: "Arabiska".into(),
            },
        );
        r.sun_levels.insert("3".into());
        r.sun_fields.insert("72".into());
        r
    }

    #[test]
    fn fit_ranks_exact_then_ssyk3_then_substitutable_then_ssyk2() {
        let t = target();
        assert_eq!(
            occupation_fit(&t, &occ("5312", None, "x")),
            Some(Fit::Exact)
        );
        assert_eq!(
            occupation_fit(&t, &occ("9999", Some("elevassistent"), "x")),
            Some(Fit::Exact)
        );
        assert_eq!(
            occupation_fit(&t, &occ("5311", Some("other"), "x")),
            Some(Fit::SameGroup3)
        );
        assert_eq!(
            occupation_fit(&t, &occ("2341", Some("barnskotare"), "Barnskötare")),
            Some(Fit::Substitutable(75))
        );
        assert_eq!(
            occupation_fit(&t, &occ("5321", None, "x")),
            Some(Fit::SameGroup2)
        );
        assert_eq!(occupation_fit(&t, &occ("4111", None, "x")), None);
        assert!(Fit::Exact.score() > Fit::SameGroup3.score());
        assert!(Fit::SameGroup3.score() > Fit::Substitutable(99).score());
        assert!(Fit::Substitutable(1).score() > Fit::SameGroup2.score());
    }

    #[test]
    fn best_fit_explains_a_substitution() {
        let t = target();
        let (fit, reason) = best_fit(
            &t,
            &[
                occ("4111", None, "Kontorist"),
                occ("2341", Some("barnskotare"), "Barnskötare"),
            ],
        )
        .unwrap();
        assert_eq!(fit, Fit::Substitutable(75));
        assert_eq!(reason, "substitutable: Barnskötare → Elevassistent 75 %");
        assert!(best_fit(&t, &[occ("4111", None, "Kontorist")]).is_none());
    }

    #[test]
    fn a_valid_profile_is_resolved_and_deduplicated() {
        let input = ProfileInput {
            experiences: vec![
                ExperienceInput {
                    occupation: Some(" Barnskötare ".into()),
                    years: Some(3),
                },
                ExperienceInput::default(),
            ],
            education_level: Some("3".into()),
            education_field: Some("72".into()),
            foreign_education: Some(true),
            foreign_validation: Some("in_progress".into()),
            skills: vec!["Truckkort".into(), "Truckkort".into(), "".into()],
            languages: vec![LanguageInput {
                language: Some("Arabiska".into()),
                level: Some("native".into()),
            }],
            swedish_level: Some("sfi_c".into()),
            driving_licences: vec!["b".into(), "AM".into(), "B".into()],
            certificates: vec!["Hygienpass".into()],
            wished_occupations: vec!["Barnskötare".into()],
        };
        let d = ProfileData::from_input(&input, &resolved()).unwrap();
        assert_eq!(d.experiences.len(), 1);
        assert_eq!(d.experiences[0].years, 3);
        assert_eq!(d.skills.len(), 1);
        assert_eq!(d.driving_licences, vec!["AM", "B"]);
        assert_eq!(d.foreign_validation, Some(ValidationStatus::InProgress));
        assert_eq!(d.swedish_level, Some(SwedishLevel::SfiC));
    }

    #[test]
    fn every_invalid_field_is_named() {
        let input = ProfileInput {
            experiences: vec![ExperienceInput {
                occupation: Some("Astronautkock".into()),
                years: Some(61),
            }],
            education_level: Some("x".into()),
            foreign_education: Some(false),
            foreign_validation: Some("validated".into()),
            skills: vec!["nope".into()],
            languages: vec![LanguageInput {
                language: Some("Arabiska".into()),
                level: Some("expert".into()),
            }],
            swedish_level: Some("b3".into()),
            driving_licences: vec!["Z".into()],
            certificates: vec!["x".repeat(201)],
            wished_occupations: vec!["nope".into()],
            ..Default::default()
        };
        let e = ProfileData::from_input(&input, &resolved()).unwrap_err();
        for f in [
            "experiences[0].occupation",
            "experiences[0].years",
            "education_level",
            "foreign_validation",
            "skills[0]",
            "languages[0].level",
            "swedish_level",
            "driving_licences",
            "certificates[0]",
            "wished_occupations[0]",
        ] {
            assert!(e.for_field(f).is_some(), "{f} not named in {e}");
        }
    }

    #[test]
    fn foreign_education_needs_a_status_other_than_not_applicable() {
        let input = ProfileInput {
            foreign_education: Some(true),
            foreign_validation: Some("not_applicable".into()),
            ..Default::default()
        };
        let e = ProfileData::from_input(&input, &resolved()).unwrap_err();
        assert_eq!(e.for_field("foreign_validation").unwrap().code, "required");
        let input = ProfileInput {
            foreign_education: Some(true),
            ..Default::default()
        };
        let d = ProfileData::from_input(&input, &resolved()).unwrap();
        assert_eq!(d.foreign_validation, Some(ValidationStatus::NotStarted));
    }

    #[test]
    fn swedish_rank_orders_sfi_below_cefr_below_native() {
        assert_eq!(swedish_rank(None), 0);
        let ranks: Vec<i64> = SwedishLevel::ALL
            .iter()
            .map(|l| swedish_rank(Some(*l)))
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]));
        assert!(swedish_rank(Some(SwedishLevel::SfiD)) < swedish_rank(Some(SwedishLevel::A1)));
    }

    proptest! {
        #[test]
        fn profile_codes_have_the_shape_and_no_look_alikes(bytes in any::<[u8; 8]>()) {
            let c = profile_code(bytes);
            prop_assert!(is_profile_code(&c));
            prop_assert!(!c[2..].contains(['0', 'O', '1', 'I']));
        }

        #[test]
        fn fit_is_never_better_than_exact_and_exact_for_the_own_group(code in "[1-9][0-9]{3}", other in "[1-9][0-9]{3}") {
            let t = Target { ssyk_code: code.clone(), ..Default::default() };
            prop_assert_eq!(occupation_fit(&t, &occ(&code, None, "x")), Some(Fit::Exact));
            if let Some(f) = occupation_fit(&t, &occ(&other, None, "x")) {
                prop_assert!(f.score() <= Fit::Exact.score());
                prop_assert_eq!(f == Fit::Exact, other == code);
            } else {
                prop_assert!(other[..2] != code[..2]);
            }
        }

        #[test]
        fn coverage_is_a_percentage(sought in 0usize..60, held in 0usize..60) {
            let c = skill_coverage(sought, held);
            prop_assert!((0..=100).contains(&c));
        }
    }
}
