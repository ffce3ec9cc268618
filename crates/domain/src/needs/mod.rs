//! Competence needs (kompetensbehov): what an employer needs — an
//! occupation, how many people, from when, in which forms of employment and
//! with which skills. Pure validation and the status rules; the policy is
//! `access::NeedAction`, storage in the store's `needs` module.
//!
//! Taxonomy lookups (occupation, skills) need the database: here the
//! occupation is only checked as text and skills as ids; the store resolves
//! them and names `occupation` or `skills` when they are unknown.

pub mod access;

use crate::identity::OrganisationNumber;
use crate::org::code_enum;
use crate::participants::{licence_classes, looks_like_email, EducationLevel, SwedishLevel};
use crate::validation::{
    choice, code_list, optional_int, optional_text, required_int, required_text, Code,
    ValidationErrors, REGISTER_DATES,
};
use chrono::NaiveDate;

code_enum!(
    /// Where a need is in its life.
    NeedStatus {
        Open = "open",
        Filled = "filled",
        Closed = "closed",
    }
);

impl NeedStatus {
    /// Allowed changes: an open need is filled or closed; a filled one is
    /// reopened (a placement fell through) or closed. Closed is final: a
    /// new need is stated instead, so the history of a closed one stays.
    pub fn may_become(self, to: NeedStatus) -> bool {
        use NeedStatus::*;
        self == to
            || matches!(
                (self, to),
                (Open, Filled | Closed) | (Filled, Open | Closed)
            )
    }
}

code_enum!(
    /// The forms of employment or placement the employer accepts.
    NeedForm {
        WorkPractice = "work_practice",
        FixedTermJob = "fixed_term_job",
        LearningEmployment = "learning_employment",
        Rental = "rental",
        Staffing = "staffing",
    }
);

code_enum!(WorkingTime {
    FullTime = "full_time",
    PartTime = "part_time",
});

code_enum!(
    /// Features of the premises (as `employer_workplaces.accessibility`).
    Accessibility {
        StepFreeEntrance = "step_free_entrance",
        Lift = "lift",
        AccessibleToilet = "accessible_toilet",
        HearingLoop = "hearing_loop",
        QuietRoom = "quiet_room",
        AdjustableWorkstation = "adjustable_workstation",
    }
);

code_enum!(
    /// How a need came in.
    NeedSource {
        Coordinator = "coordinator",
        PublicForm = "public_form",
        JobAd = "job_ad",
    }
);

pub const MAX_POSITIONS: i64 = 500;
pub const MAX_SKILLS: usize = 30;
pub const TITLE_MAX: usize = 200;
pub const OCCUPATION_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
pub const NAME_MAX: usize = 200;
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 40;

/// A skill of a need: a taxonomy concept id, required or meritorious.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillInput {
    pub id: String,
    pub required: bool,
}

/// A need as it arrives from a form or the API: every field optional so each
/// problem is reported by its field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedInput {
    pub workplace_id: Option<i64>,
    pub title: Option<String>,
    /// An occupation name or SSYK level-4 group: concept id, code or label.
    pub occupation: Option<String>,
    pub positions: Option<i64>,
    pub skills: Vec<SkillInput>,
    pub swedish_level: Option<String>,
    pub driving_licences: Vec<String>,
    pub education_level: Option<String>,
    pub start_date: Option<String>,
    pub duration_months: Option<i64>,
    pub working_time: Option<String>,
    pub hours_per_week: Option<i64>,
    pub accessibility: Vec<String>,
    pub forms: Vec<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// A validated need (occupation not yet resolved against the taxonomy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedData {
    pub workplace_id: Option<i64>,
    pub title: String,
    pub occupation: String,
    pub positions: i64,
    pub skills: Vec<SkillInput>,
    pub swedish_level: Option<SwedishLevel>,
    pub driving_licences: Vec<String>,
    pub education_level: Option<EducationLevel>,
    pub start_date: Option<NaiveDate>,
    pub duration_months: Option<i64>,
    pub working_time: WorkingTime,
    pub hours_per_week: Option<i64>,
    pub accessibility: Vec<Accessibility>,
    pub forms: Vec<NeedForm>,
    pub description: String,
    pub status: NeedStatus,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// Codes from a closed list, sorted, each once; blank ones are skipped.
fn codes<T: Code + Ord>(e: &mut ValidationErrors, field: &str, values: &[String]) -> Vec<T> {
    let given = values.iter().map(|v| v.trim()).filter(|v| !v.is_empty());
    code_list(e, field, given, "may contain only")
}

/// Contact fields of the person who stated the need.
fn contact(
    e: &mut ValidationErrors,
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> (Option<String>, Option<String>, Option<String>) {
    let name = optional_text(e, "contact_name", name, NAME_MAX);
    let email = optional_text(e, "contact_email", email, EMAIL_MAX);
    if email.as_deref().is_some_and(|m| !looks_like_email(m)) {
        e.add(
            "contact_email",
            "invalid_email",
            "contact_email must be an e-mail address",
        );
    }
    let phone = optional_text(e, "contact_phone", phone, PHONE_MAX);
    if phone.as_deref().is_some_and(|p| {
        !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
            || p.chars().filter(char::is_ascii_digit).count() < 5
    }) {
        e.add(
            "contact_phone",
            "invalid_phone",
            "contact_phone must be a phone number (digits, spaces, + - ( ))",
        );
    }
    (name, email, phone)
}

impl NeedData {
    pub fn from_input(i: &NeedInput) -> Result<NeedData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if i.workplace_id.is_some_and(|w| w <= 0) {
            e.add(
                "workplace_id",
                "invalid",
                "workplace_id must be a positive id",
            );
        }
        let title = required_text(&mut e, "title", i.title.as_deref(), TITLE_MAX);
        let occupation = required_text(
            &mut e,
            "occupation",
            i.occupation.as_deref(),
            OCCUPATION_MAX,
        );
        let positions = required_int(&mut e, "positions", i.positions, 1, MAX_POSITIONS);
        let mut skills: Vec<SkillInput> = Vec::new();
        if i.skills.len() > MAX_SKILLS {
            e.add(
                "skills",
                "too_many",
                format!("skills may list at most {MAX_SKILLS} skills"),
            );
        } else {
            for s in &i.skills {
                let id = s.id.trim();
                if id.is_empty() || id.chars().count() > 100 || id.chars().any(char::is_control) {
                    e.add("skills", "invalid", "skills must name taxonomy skill ids");
                    skills.clear();
                    break;
                }
                if skills.iter().any(|k| k.id == id) {
                    e.add("skills", "duplicate", "skills may name each skill once");
                    skills.clear();
                    break;
                }
                skills.push(SkillInput {
                    id: id.to_string(),
                    required: s.required,
                });
            }
        }
        let swedish_level =
            choice::<SwedishLevel>(&mut e, "swedish_level", i.swedish_level.as_deref(), false);
        let driving_licences = licence_classes(&mut e, &i.driving_licences);
        let education_level = choice::<EducationLevel>(
            &mut e,
            "education_level",
            i.education_level.as_deref(),
            false,
        );
        let start_date = REGISTER_DATES.optional(&mut e, "start_date", i.start_date.as_deref());
        let duration_months = optional_int(&mut e, "duration_months", i.duration_months, 1, 60);
        let working_time =
            choice::<WorkingTime>(&mut e, "working_time", i.working_time.as_deref(), false)
                .unwrap_or(WorkingTime::FullTime);
        let hours_per_week = optional_int(&mut e, "hours_per_week", i.hours_per_week, 1, 40);
        if working_time == WorkingTime::PartTime && hours_per_week == Some(40) {
            e.add(
                "hours_per_week",
                "part_time_hours",
                "hours_per_week must be below 40 for part_time",
            );
        }
        let accessibility = codes::<Accessibility>(&mut e, "accessibility", &i.accessibility);
        let forms = codes::<NeedForm>(&mut e, "forms", &i.forms);
        if forms.is_empty() && e.for_field("forms").is_none() {
            e.add("forms", "required", "forms must name at least one form");
        }
        let description = optional_text(
            &mut e,
            "description",
            i.description.as_deref(),
            DESCRIPTION_MAX,
        )
        .unwrap_or_default();
        let status = choice::<NeedStatus>(&mut e, "status", i.status.as_deref(), false)
            .unwrap_or(NeedStatus::Open);
        let (contact_name, contact_email, contact_phone) = contact(
            &mut e,
            i.contact_name.as_deref(),
            i.contact_email.as_deref(),
            i.contact_phone.as_deref(),
        );
        e.into_result(NeedData {
            workplace_id: i.workplace_id,
            title,
            occupation,
            positions,
            skills,
            swedish_level,
            driving_licences,
            education_level,
            start_date,
            duration_months,
            working_time,
            hours_per_week,
            accessibility,
            forms,
            description,
            status,
            contact_name,
            contact_email,
            contact_phone,
        })
    }

    /// A new need starts open.
    pub fn check_new(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.status != NeedStatus::Open {
            e.add("status", "invalid_transition", "a new need starts open");
        }
        e.into_result(())
    }

    /// A change of status must follow `NeedStatus::may_become`.
    pub fn check_transition(&self, from: NeedStatus) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !from.may_become(self.status) {
            e.add(
                "status",
                "invalid_transition",
                format!(
                    "status may not change from {} to {}",
                    from.as_str(),
                    self.status.as_str()
                ),
            );
        }
        e.into_result(())
    }
}

/// The public form `/arbetsgivare`, as submitted (no login).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicNeedInput {
    pub organisation_number: Option<String>,
    pub employer_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub occupation: Option<String>,
    pub positions: Option<String>,
    pub start_date: Option<String>,
    pub description: Option<String>,
    pub forms: Vec<String>,
    pub swedish_level: Option<String>,
}

/// A validated public submission: the employer and the need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNeedData {
    pub organisation_number: OrganisationNumber,
    pub employer_name: String,
    pub need: NeedData,
}

impl PublicNeedData {
    /// Every field checked at once; the contact person's name and e-mail are
    /// required (the coordinator must be able to answer).
    pub fn from_input(i: &PublicNeedInput) -> Result<PublicNeedData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let org = match OrganisationNumber::parse(i.organisation_number.as_deref().unwrap_or("")) {
            Ok(o) => Some(o),
            Err(err) => {
                let code = if err.code() == "empty" {
                    "required"
                } else {
                    err.code()
                };
                e.add(
                    "organisation_number",
                    code,
                    "organisation_number must be a valid Swedish organisation number",
                );
                None
            }
        };
        let employer_name = required_text(
            &mut e,
            "employer_name",
            i.employer_name.as_deref(),
            NAME_MAX,
        );
        for (field, v) in [
            ("contact_name", &i.contact_name),
            ("contact_email", &i.contact_email),
        ] {
            if v.as_deref().map(str::trim).unwrap_or("").is_empty() {
                e.add(field, "required", format!("{field} is required"));
            }
        }
        let positions = match i.positions.as_deref().map(str::trim) {
            None | Some("") => Some(1),
            Some(p) => match p.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    e.add(
                        "positions",
                        "out_of_range",
                        format!("positions must be from 1 to {MAX_POSITIONS}"),
                    );
                    None
                }
            },
        };
        let occupation = i.occupation.clone();
        let input = NeedInput {
            // The coordinator gives it a better title when taking it; the
            // store replaces this with the occupation's label.
            title: occupation.clone().or_else(|| Some("-".into())),
            occupation,
            positions: positions.or(Some(1)),
            start_date: i.start_date.clone(),
            description: i.description.clone(),
            forms: i.forms.clone(),
            swedish_level: i.swedish_level.clone(),
            contact_name: i.contact_name.clone(),
            contact_email: i.contact_email.clone(),
            contact_phone: i.contact_phone.clone(),
            ..NeedInput::default()
        };
        let need = NeedData::from_input(&input);
        if let Err(errs) = &need {
            for fe in &errs.0 {
                // `title` mirrors `occupation`: report it once.
                if fe.field != "title" && e.for_field(&fe.field).is_none() {
                    e.0.push(fe.clone());
                }
            }
        }
        match (org, need) {
            (Some(organisation_number), Ok(need)) if e.is_empty() => Ok(PublicNeedData {
                organisation_number,
                employer_name,
                need,
            }),
            _ => Err(e),
        }
    }
}

/// A short reference for a need, derived from its id and creation time:
/// `K-` and eight characters of Crockford base32. Not guessable from the id
/// alone (the creation time is in microseconds), so it reveals neither how
/// many needs there are nor lets one find another's.
pub fn reference(digest: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u64 = 0;
    for b in digest.iter().take(5) {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut out = String::from("K-");
    for i in (0..8).rev() {
        out.push(ALPHABET[((bits >> (i * 5)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NeedInput {
        NeedInput {
            title: Some("Undersköterskor till hemtjänsten".into()),
            occupation: Some("5321".into()),
            positions: Some(3),
            forms: vec!["work_practice".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_need_is_valid_and_open_full_time() {
        let d = NeedData::from_input(&valid()).unwrap();
        assert_eq!(d.status, NeedStatus::Open);
        assert_eq!(d.working_time, WorkingTime::FullTime);
        assert_eq!(d.forms, vec![NeedForm::WorkPractice]);
        assert!(d.check_new().is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let i = NeedInput {
            workplace_id: Some(0),
            title: Some(" ".into()),
            occupation: None,
            positions: Some(501),
            skills: vec![
                SkillInput {
                    id: "a".into(),
                    required: true,
                },
                SkillInput {
                    id: "a".into(),
                    required: false,
                },
            ],
            swedish_level: Some("fluent".into()),
            driving_licences: vec!["Q".into()],
            education_level: Some("phd".into()),
            start_date: Some("2026-13-01".into()),
            duration_months: Some(0),
            working_time: Some("sometimes".into()),
            hours_per_week: Some(41),
            accessibility: vec!["moat".into()],
            forms: vec![],
            description: Some("x".repeat(DESCRIPTION_MAX + 1)),
            status: Some("done".into()),
            contact_name: Some("\u{7}".into()),
            contact_email: Some("not-an-address".into()),
            contact_phone: Some("call me".into()),
        };
        let e = NeedData::from_input(&i).unwrap_err();
        for f in [
            "workplace_id",
            "title",
            "occupation",
            "positions",
            "skills",
            "swedish_level",
            "driving_licences",
            "education_level",
            "start_date",
            "duration_months",
            "working_time",
            "hours_per_week",
            "accessibility",
            "forms",
            "description",
            "status",
            "contact_name",
            "contact_email",
            "contact_phone",
        ] {
            assert!(e.for_field(f).is_some(), "{f} not named: {e}");
        }
    }

    #[test]
    fn positions_are_one_to_five_hundred() {
        for (p, ok) in [
            (0, false),
            (1, true),
            (500, true),
            (501, false),
            (-3, false),
        ] {
            let i = NeedInput {
                positions: Some(p),
                ..valid()
            };
            assert_eq!(NeedData::from_input(&i).is_ok(), ok, "{p}");
        }
    }

    #[test]
    fn part_time_is_below_forty_hours() {
        let i = NeedInput {
            working_time: Some("part_time".into()),
            hours_per_week: Some(40),
            ..valid()
        };
        assert_eq!(
            NeedData::from_input(&i).unwrap_err().0[0].code,
            "part_time_hours"
        );
        let i = NeedInput {
            working_time: Some("part_time".into()),
            hours_per_week: Some(20),
            ..valid()
        };
        assert!(NeedData::from_input(&i).is_ok());
    }

    #[test]
    fn status_transitions() {
        use NeedStatus::*;
        assert!(Open.may_become(Filled));
        assert!(Open.may_become(Closed));
        assert!(Filled.may_become(Open));
        assert!(Filled.may_become(Closed));
        assert!(!Closed.may_become(Open));
        assert!(!Closed.may_become(Filled));
        for s in NeedStatus::ALL {
            assert!(s.may_become(*s));
        }
        let mut d = NeedData::from_input(&valid()).unwrap();
        d.status = Closed;
        assert!(d.check_new().is_err());
        assert!(d.check_transition(Open).is_ok());
        d.status = Open;
        assert_eq!(
            d.check_transition(Closed).unwrap_err().0[0].code,
            "invalid_transition"
        );
    }

    #[test]
    fn forms_and_licences_are_deduplicated() {
        let i = NeedInput {
            forms: vec!["rental".into(), "staffing".into(), "rental".into()],
            driving_licences: vec!["b".into(), "B".into(), "ce".into()],
            ..valid()
        };
        let d = NeedData::from_input(&i).unwrap();
        assert_eq!(d.forms, vec![NeedForm::Rental, NeedForm::Staffing]);
        assert_eq!(d.driving_licences, vec!["B", "CE"]);
    }

    fn public() -> PublicNeedInput {
        PublicNeedInput {
            organisation_number: Some("556016-0680".into()),
            employer_name: Some("Exempel AB".into()),
            contact_name: Some("Eva Exempel".into()),
            contact_email: Some("eva@example.se".into()),
            contact_phone: Some("08-123 456 78".into()),
            occupation: Some("Undersköterska".into()),
            positions: Some("2".into()),
            start_date: Some("2027-01-10".into()),
            description: Some("Kvällar".into()),
            forms: vec!["work_practice".into()],
            swedish_level: Some("b1".into()),
        }
    }

    #[test]
    fn the_public_form_takes_an_organisation_number_and_a_contact() {
        let d = PublicNeedData::from_input(&public()).unwrap();
        assert_eq!(d.organisation_number.as_str(), "5560160680");
        assert_eq!(d.need.positions, 2);
        assert_eq!(d.need.contact_email.as_deref(), Some("eva@example.se"));
        assert_eq!(d.need.swedish_level, Some(SwedishLevel::B1));
    }

    #[test]
    fn the_public_form_names_each_bad_field() {
        let i = PublicNeedInput {
            organisation_number: Some("556016-0681".into()),
            employer_name: Some("x".repeat(NAME_MAX + 1)),
            contact_name: None,
            contact_email: Some("nope".into()),
            contact_phone: Some("x".repeat(PHONE_MAX + 1)),
            occupation: Some(" ".into()),
            positions: Some("many".into()),
            start_date: Some("tomorrow".into()),
            description: Some("x".repeat(DESCRIPTION_MAX + 1)),
            forms: vec![],
            swedish_level: Some("x".into()),
        };
        let e = PublicNeedData::from_input(&i).unwrap_err();
        for f in [
            "organisation_number",
            "employer_name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "occupation",
            "positions",
            "start_date",
            "description",
            "forms",
            "swedish_level",
        ] {
            assert!(e.for_field(f).is_some(), "{f} not named: {e}");
        }
        assert!(e.for_field("title").is_none());
        assert_eq!(e.for_field("organisation_number").unwrap().code, "checksum");
    }

    #[test]
    fn references_are_short_and_unambiguous() {
        let r = reference(&[0xff, 0x00, 0x12, 0x34, 0x56, 0x78]);
        assert_eq!(r.len(), 10);
        assert!(r.starts_with("K-"));
        assert!(!r[2..].contains(['I', 'L', 'O', 'U']));
        assert_ne!(r, reference(&[0xfe, 0x00, 0x12, 0x34, 0x56]));
    }
}
