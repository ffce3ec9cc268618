//! Participants (deltagare): the people the service supports toward work or studies.
//!
//! `ParticipantInput` is what arrives from a form or the API, every field
//! optional and untyped enough to report each problem by field name.
//! `ParticipantData` is a validated, complete record without database ids.

pub mod access;

use crate::geo;
use crate::identity::IdentityNumber;
use crate::org::code_enum;
use crate::validation::{choice, code_list, optional_text, required_text, ValidationErrors};
use chrono::NaiveDate;

code_enum!(Gender {
    Woman = "woman",
    Man = "man",
    Other = "other",
    Unknown = "unknown",
});

code_enum!(BirthRegion {
    Sweden = "sweden",
    Nordic = "nordic",
    Europe = "europe",
    OutsideEurope = "outside_europe",
    Unknown = "unknown",
});

code_enum!(
    /// Highest completed education, in the five groups used in SCB's and
    /// Arbetsförmedlingen's statistics; `sun_levels` gives the SUN 2020 levels.
    EducationLevel {
        Primary = "primary",
        Secondary = "secondary",
        PostSecondaryShort = "post_secondary_short",
        PostSecondaryLong = "post_secondary_long",
        Unknown = "unknown",
    }
);

code_enum!(TargetGroup {
    Youth = "youth",
    LongTermUnemployed = "long_term_unemployed",
    IncomeSupport = "income_support",
    Sfi = "sfi",
    WeakAttachment = "weak_attachment",
    NewlyArrived = "newly_arrived",
});

code_enum!(
    /// Swedish level: an SFI course passed, a CEFR level, or mother tongue.
    SwedishLevel {
        SfiA = "sfi_a",
        SfiB = "sfi_b",
        SfiC = "sfi_c",
        SfiD = "sfi_d",
        A1 = "a1",
        A2 = "a2",
        B1 = "b1",
        B2 = "b2",
        C1 = "c1",
        C2 = "c2",
        Native = "native",
    }
);

/// EU driving licence classes, plus taxi (taxiförarlegitimation).
pub const LICENCE_CLASSES: [&str; 15] = [
    "AM", "A1", "A2", "A", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE", "TAXI",
];

impl EducationLevel {
    /// SUN 2020 level codes (sun-level-hierarchy) that fall in this group.
    pub fn sun_levels(self) -> &'static [&'static str] {
        match self {
            EducationLevel::Primary => &["1", "2"],
            EducationLevel::Secondary => &["3"],
            EducationLevel::PostSecondaryShort => &["4"],
            EducationLevel::PostSecondaryLong => &["5", "6"],
            EducationLevel::Unknown => &["9"],
        }
    }
}

impl TargetGroup {
    /// Bit in the stored mask, so list filters can use `mask & bit`.
    pub fn bit(self) -> i64 {
        1 << (self as i64)
    }
    pub fn to_mask(groups: &[TargetGroup]) -> i64 {
        groups.iter().fold(0, |m, g| m | g.bit())
    }
    pub fn from_mask(mask: i64) -> Vec<TargetGroup> {
        TargetGroup::ALL
            .iter()
            .copied()
            .filter(|g| mask & g.bit() != 0)
            .collect()
    }
}

/// Raw input from a form or the API. For a create, `None` means "not given";
/// for a patch it means "unchanged". For nullable fields `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct ParticipantInput {
    pub identity_number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub gender: Option<String>,
    pub birth_region: Option<String>,
    pub education_level: Option<String>,
    pub disability: Option<Option<bool>>,
    pub target_groups: Option<Vec<String>>,
    pub municipality_code: Option<String>,
    pub district: Option<Option<String>>,
    pub swedish_level: Option<Option<String>>,
    pub languages: Option<Vec<String>>,
    pub driving_licences: Option<Vec<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub registered_on: Option<String>,
    pub responsible_caseworker_id: Option<Option<i64>>,
}

/// A validated participant record (no database id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantData {
    pub identity_number: IdentityNumber,
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
    pub birth_region: BirthRegion,
    pub education_level: EducationLevel,
    pub disability: Option<bool>,
    pub target_groups: Vec<TargetGroup>,
    pub municipality_code: String,
    pub district: Option<String>,
    pub swedish_level: Option<SwedishLevel>,
    pub languages: Vec<String>,
    pub driving_licences: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub registered_on: NaiveDate,
    pub responsible_caseworker_id: Option<i64>,
}

pub const NAME_MAX: usize = 100;
pub const DISTRICT_MAX: usize = 80;

impl ParticipantData {
    /// Validate input for a new participant. `today` fills `registered_on`
    /// and resolves the century of 10-digit identity numbers.
    pub fn from_input(
        input: &ParticipantInput,
        today: NaiveDate,
    ) -> Result<ParticipantData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let identity_number = match input.identity_number.as_deref().map(str::trim) {
            None | Some("") => {
                e.add("identity_number", "required", "identity_number is required");
                None
            }
            Some(raw) => match IdentityNumber::parse(raw, today) {
                Ok(n) => Some(n),
                Err(err) => {
                    e.add("identity_number", err.code(), err.to_string());
                    None
                }
            },
        };
        let first_name = required_text(&mut e, "first_name", input.first_name.as_deref(), NAME_MAX);
        let last_name = required_text(&mut e, "last_name", input.last_name.as_deref(), NAME_MAX);
        let gender = choice::<Gender>(&mut e, "gender", input.gender.as_deref(), false)
            .unwrap_or(Gender::Unknown);
        let birth_region =
            choice::<BirthRegion>(&mut e, "birth_region", input.birth_region.as_deref(), false)
                .unwrap_or(BirthRegion::Unknown);
        let education_level = choice::<EducationLevel>(
            &mut e,
            "education_level",
            input.education_level.as_deref(),
            false,
        )
        .unwrap_or(EducationLevel::Unknown);
        let target_groups = code_list::<TargetGroup>(
            &mut e,
            "target_groups",
            input.target_groups.iter().flatten().map(String::as_str),
            "may contain only",
        );
        let municipality_code = match input.municipality_code.as_deref().map(str::trim) {
            None | Some("") => geo::STOCKHOLM.to_string(),
            Some(code) if geo::municipality(code).is_some() => code.to_string(),
            Some(_) => {
                e.add(
                    "municipality_code",
                    "unknown_municipality",
                    "municipality_code must be one of Sweden's 290 four-digit municipality codes",
                );
                String::new()
            }
        };
        let district = optional_text(
            &mut e,
            "district",
            input.district.clone().flatten().as_deref(),
            DISTRICT_MAX,
        );
        let swedish_level = choice::<SwedishLevel>(
            &mut e,
            "swedish_level",
            input.swedish_level.clone().flatten().as_deref(),
            false,
        );
        let mut languages = Vec::new();
        for raw in input.languages.iter().flatten() {
            let code = raw.trim().to_ascii_lowercase();
            if code.is_empty() {
                continue;
            }
            if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                e.add(
                    "languages",
                    "invalid",
                    "languages must be ISO 639 codes of two or three letters, e.g. sv, ar, so",
                );
                break;
            }
            if !languages.contains(&code) {
                languages.push(code);
            }
        }
        if languages.len() > 20 {
            e.add(
                "languages",
                "too_many",
                "languages may list at most 20 languages",
            );
        }
        let driving_licences = licence_classes(
            &mut e,
            input.driving_licences.as_deref().unwrap_or_default(),
        );
        let email = optional_text(
            &mut e,
            "email",
            input.email.clone().flatten().as_deref(),
            254,
        );
        if let Some(addr) = &email {
            if !looks_like_email(addr) {
                e.add(
                    "email",
                    "invalid",
                    "email must be an address like namn@example.se",
                );
            }
        }
        let phone = optional_text(
            &mut e,
            "phone",
            input.phone.clone().flatten().as_deref(),
            30,
        );
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
                || !(6..=15).contains(&digits)
            {
                e.add(
                    "phone",
                    "invalid",
                    "phone must be 6 to 15 digits, optionally with +, spaces, - or ()",
                );
            }
        }
        let registered_on = match input.registered_on.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(v) => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) if d <= today => d,
                Ok(_) => {
                    e.add(
                        "registered_on",
                        "future",
                        "registered_on cannot be in the future",
                    );
                    today
                }
                Err(_) => {
                    e.add(
                        "registered_on",
                        "invalid_date",
                        "registered_on must be a date as YYYY-MM-DD",
                    );
                    today
                }
            },
        };
        let responsible_caseworker_id = input.responsible_caseworker_id.flatten();
        match identity_number {
            Some(identity_number) if e.is_empty() => Ok(ParticipantData {
                identity_number,
                first_name,
                last_name,
                gender,
                birth_region,
                education_level,
                disability: input.disability.flatten(),
                target_groups,
                municipality_code,
                district,
                swedish_level,
                languages,
                driving_licences,
                email,
                phone,
                registered_on,
                responsible_caseworker_id,
            }),
            _ => Err(e),
        }
    }

    /// The record as input, so a patch can be laid over it and re-validated
    /// with exactly the rules of a create.
    pub fn to_input(&self) -> ParticipantInput {
        ParticipantInput {
            identity_number: Some(self.identity_number.as_str().to_string()),
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            gender: Some(self.gender.as_str().into()),
            birth_region: Some(self.birth_region.as_str().into()),
            education_level: Some(self.education_level.as_str().into()),
            disability: Some(self.disability),
            target_groups: Some(
                self.target_groups
                    .iter()
                    .map(|g| g.as_str().into())
                    .collect(),
            ),
            municipality_code: Some(self.municipality_code.clone()),
            district: Some(self.district.clone()),
            swedish_level: Some(self.swedish_level.map(|s| s.as_str().into())),
            languages: Some(self.languages.clone()),
            driving_licences: Some(self.driving_licences.clone()),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            registered_on: Some(self.registered_on.format("%Y-%m-%d").to_string()),
            responsible_caseworker_id: Some(self.responsible_caseworker_id),
        }
    }

    /// Apply a patch: fields present in `patch` replace the current ones.
    pub fn patched(
        &self,
        patch: &ParticipantInput,
        today: NaiveDate,
    ) -> Result<ParticipantData, ValidationErrors> {
        let mut input = self.to_input();
        macro_rules! overlay {
            ($($f:ident),*) => { $( if patch.$f.is_some() { input.$f = patch.$f.clone(); } )* };
        }
        overlay!(
            identity_number,
            first_name,
            last_name,
            gender,
            birth_region,
            education_level,
            disability,
            target_groups,
            municipality_code,
            district,
            swedish_level,
            languages,
            driving_licences,
            email,
            phone,
            registered_on,
            responsible_caseworker_id
        );
        // The whole record is validated again, with the rules of a create.
        ParticipantData::from_input(&input, today)
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.identity_number.birth_date()
    }

    pub fn age_on(&self, today: NaiveDate) -> u32 {
        self.identity_number.age_on(today)
    }

    /// Search keys: "last first" and "first last", folded.
    pub fn name_keys(&self) -> (String, String) {
        name_keys(&self.first_name, &self.last_name)
    }
}

pub fn name_keys(first: &str, last: &str) -> (String, String) {
    (
        fold_for_search(&format!("{last} {first}")),
        fold_for_search(&format!("{first} {last}")),
    )
}

/// Driving licence classes ([`LICENCE_CLASSES`]), upper case, each once in
/// the order given; blank ones are skipped. An unknown class is
/// `invalid_choice` on `driving_licences`, naming the classes.
pub(crate) fn licence_classes(e: &mut ValidationErrors, raw: &[String]) -> Vec<String> {
    let mut classes = Vec::new();
    for raw in raw {
        let class = raw.trim().to_ascii_uppercase();
        if class.is_empty() {
            continue;
        }
        if !LICENCE_CLASSES.contains(&class.as_str()) {
            e.add(
                "driving_licences",
                "invalid_choice",
                format!(
                    "driving_licences may contain only: {}",
                    LICENCE_CLASSES.join(", ")
                ),
            );
            break;
        }
        if !classes.contains(&class) {
            classes.push(class);
        }
    }
    classes
}

pub(crate) fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// Case- and accent-insensitive search key: lower case, diacritics removed
/// (å→a, ö→o, é→e …), runs of whitespace and hyphens collapsed to one space.
/// Lenient on purpose: a caseworker typing "Ostlund" should find "Östlund".
pub fn fold_for_search(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' | 'ā' | 'ą' => "a",
            'æ' => "ae",
            'ö' | 'ø' | 'ò' | 'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ç' | 'ć' | 'č' => "c",
            'ñ' | 'ń' | 'ň' => "n",
            'ś' | 'š' | 'ş' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ł' => "l",
            'ř' => "r",
            'ď' | 'đ' => "d",
            'ť' => "t",
            'ğ' => "g",
            'ß' => "ss",
            c if c.is_whitespace() || c == '-' => {
                if !space && !out.is_empty() {
                    out.push(' ');
                }
                space = true;
                continue;
            }
            c if c.is_alphanumeric() || c == '\'' => {
                out.push(c);
                space = false;
                continue;
            }
            _ => continue,
        };
        out.push_str(mapped);
        space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn valid_input() -> ParticipantInput {
        ParticipantInput {
            identity_number: Some("19811218-9876".into()),
            first_name: Some("Åsa".into()),
            last_name: Some("Öberg".into()),
            target_groups: Some(vec!["sfi".into(), "youth".into(), "sfi".into()]),
            ..Default::default()
        }
    }

    #[test]
    fn minimal_input_gets_defaults() {
        let p = ParticipantData::from_input(&valid_input(), today()).unwrap();
        assert_eq!(p.gender, Gender::Unknown);
        assert_eq!(p.municipality_code, "0180");
        assert_eq!(p.registered_on, today());
        assert_eq!(p.target_groups, vec![TargetGroup::Youth, TargetGroup::Sfi]);
        assert_eq!(p.age_on(today()), 44);
    }

    #[test]
    fn every_invalid_field_is_named() {
        let input = ParticipantInput {
            identity_number: Some("19811218-9875".into()),
            first_name: Some("   ".into()),
            gender: Some("female".into()),
            target_groups: Some(vec!["students".into()]),
            municipality_code: Some("9999".into()),
            email: Some(Some("not-an-address".into())),
            registered_on: Some("2030-01-01".into()),
            ..Default::default()
        };
        let errs = ParticipantData::from_input(&input, today()).unwrap_err();
        for field in [
            "identity_number",
            "first_name",
            "last_name",
            "gender",
            "target_groups",
            "municipality_code",
            "email",
            "registered_on",
        ] {
            assert!(
                errs.for_field(field).is_some(),
                "{field} not reported: {errs}"
            );
        }
        assert!(
            !errs.to_string().contains("9875"),
            "message leaks the number"
        );
    }

    #[test]
    fn patch_changes_only_given_fields_and_revalidates() {
        let p = ParticipantData::from_input(&valid_input(), today()).unwrap();
        let patch = ParticipantInput {
            district: Some(Some("Skärholmen".into())),
            email: Some(None),
            ..Default::default()
        };
        let q = p.patched(&patch, today()).unwrap();
        assert_eq!(q.district.as_deref(), Some("Skärholmen"));
        assert_eq!(q.first_name, "Åsa");
        let bad = ParticipantInput {
            last_name: Some(String::new()),
            ..Default::default()
        };
        assert!(p
            .patched(&bad, today())
            .unwrap_err()
            .for_field("last_name")
            .is_some());
    }

    #[test]
    fn folding_is_case_and_accent_insensitive() {
        assert_eq!(
            fold_for_search("Östlund-Åberg  Émile"),
            "ostlund aberg emile"
        );
        assert_eq!(name_keys("Åsa", "Öberg").0, "oberg asa");
    }

    #[test]
    fn target_group_mask_round_trips() {
        let groups = vec![TargetGroup::Youth, TargetGroup::NewlyArrived];
        assert_eq!(
            TargetGroup::from_mask(TargetGroup::to_mask(&groups)),
            groups
        );
    }
}
