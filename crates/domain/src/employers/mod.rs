//! The employer register kept by the employer coordinators (EfAS):
//! employers, workplaces, contacts, the interaction log, partnership
//! agreements (branschpartnerskap) and social-procurement contracts (social
//! hänsyn), the agreements in [`agreements`]. Pure validation and
//! arithmetic; the policy is in `access.rs`
//! (`EmployerAction`), storage in the store's `employers` module. The SNI
//! code's existence in the taxonomy is checked by the store (it needs the
//! database); its shape is checked here.

pub mod access;
pub mod agreements;

pub use agreements::{
    fulfilment, month_text, parse_month, partnership_progress, percent, Fulfilment,
    FulfilmentInput, FulfilmentRow, OutcomeData, OutcomeInput, OutcomeKind, PartnershipData,
    PartnershipInput, ProcurementData, ProcurementInput, Requirement, RequirementKind,
    YearProgress,
};

use crate::geo;
use crate::org::code_enum;
use crate::validation::{optional_text, required_text, Code, REGISTER_DATES};
use crate::{OrganisationNumber, ValidationErrors};
use chrono::NaiveDate;

code_enum!(
    /// Size by number of employees: micro (0–9), small (10–49), medium
    /// (50–249), large (250+), or not known.
    SizeClass {
        Micro = "micro",
        Small = "small",
        Medium = "medium",
        Large = "large",
        Unknown = "unknown",
    }
);

impl SizeClass {
    /// The class for a known number of employees.
    pub fn from_employees(n: u32) -> SizeClass {
        match n {
            0..=9 => SizeClass::Micro,
            10..=49 => SizeClass::Small,
            50..=249 => SizeClass::Medium,
            _ => SizeClass::Large,
        }
    }
}

code_enum!(
    /// How an employer came into the register.
    EmployerSource {
        Coordinator = "coordinator",
        PublicForm = "public_form",
        JobAd = "job_ad",
    }
);

code_enum!(
    /// A kind of contact in the interaction log.
    InteractionKind {
        Call = "call",
        Visit = "visit",
        Meeting = "meeting",
        Email = "email",
        Offer = "offer",
    }
);

code_enum!(
    /// Accessibility features of a workplace's premises (the fixed list of
    /// the schema).
    AccessibilityFeature {
        StepFreeEntrance = "step_free_entrance",
        Lift = "lift",
        AccessibleToilet = "accessible_toilet",
        HearingLoop = "hearing_loop",
        QuietRoom = "quiet_room",
        AdjustableWorkstation = "adjustable_workstation",
    }
);

/// A code of the register's lists; blank is `None`, an unknown code is
/// `invalid`, naming the list.
fn code<T: Code>(e: &mut ValidationErrors, field: &str, v: Option<&str>) -> Option<T> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    let out = T::from_code(v);
    if out.is_none() {
        e.add(
            field,
            "invalid",
            format!("{field} must be one of {}", T::CODES.join(", ")),
        );
    }
    out
}

/// An SNI 2007 division (2 digits) or section (one capital letter), the
/// shape of the codes in the taxonomy's `sni` classification.
pub fn sni_shape_ok(code: &str) -> bool {
    let b = code.as_bytes();
    (b.len() == 2 && b.iter().all(u8::is_ascii_digit))
        || (b.len() == 1 && b[0].is_ascii_uppercase())
}

fn sni(e: &mut ValidationErrors, v: Option<&str>) -> Option<String> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    let v = v.to_ascii_uppercase();
    if !sni_shape_ok(&v) {
        e.add(
            "sni_code",
            "unknown_sni",
            "sni_code must be an SNI 2007 division (2 digits) or section (a letter)",
        );
        return None;
    }
    Some(v)
}

fn organisation_number(e: &mut ValidationErrors, v: Option<&str>) -> Option<OrganisationNumber> {
    match OrganisationNumber::parse(v.unwrap_or("")) {
        Ok(n) => Some(n),
        Err(err) => {
            e.add("organisation_number", err.code(), err.to_string());
            None
        }
    }
}

/// An employer as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EmployerInput {
    /// NNNNNN-NNNN, 10 digits or 16NNNNNNNNNN; stored as 10 digits. Unique (409).
    #[schema(nullable = false)]
    pub organisation_number: Option<String>,
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// An SNI 2007 division or section of the taxonomy.
    pub sni_code: Option<String>,
    /// micro, small, medium, large or unknown (default)
    pub size_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerData {
    pub organisation_number: OrganisationNumber,
    pub name: String,
    pub sni_code: Option<String>,
    pub size_class: SizeClass,
}

impl EmployerData {
    pub fn from_input(i: &EmployerInput) -> Result<EmployerData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let org = organisation_number(&mut e, i.organisation_number.as_deref());
        let name = required_text(&mut e, "name", i.name.as_deref(), 200);
        let sni_code = sni(&mut e, i.sni_code.as_deref());
        let size_class = code::<SizeClass>(&mut e, "size_class", i.size_class.as_deref())
            .unwrap_or(SizeClass::Unknown);
        match org {
            Some(organisation_number) if e.is_empty() => Ok(EmployerData {
                organisation_number,
                name,
                sni_code,
                size_class,
            }),
            _ => Err(e),
        }
    }
}

/// A partial change of an employer. Absent fields stay; `Some(None)` clears
/// a nullable one. The organisation number is the employer's identity and
/// is not changed (register a new employer instead).
/// A change of an employer (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EmployerPatch {
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[serde(deserialize_with = "crate::input::nullable")]
    #[schema(value_type = Option<String>)]
    pub sni_code: Option<Option<String>>,
    #[schema(nullable = false)]
    pub size_class: Option<String>,
    /// The organisation whose `employer` users act for this employer.
    /// (null clears)
    #[serde(deserialize_with = "crate::input::nullable")]
    #[schema(value_type = Option<i64>)]
    pub organisation_id: Option<Option<i64>>,
    /// The version you read; a mismatch gives 409.
    #[schema(nullable = false, minimum = 1)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmployerChange {
    pub name: Option<String>,
    pub sni_code: Option<Option<String>>,
    pub size_class: Option<SizeClass>,
    pub organisation_id: Option<Option<i64>>,
    pub version: i64,
}

impl EmployerChange {
    pub fn from_patch(p: &EmployerPatch) -> Result<EmployerChange, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = p
            .name
            .as_ref()
            .map(|n| required_text(&mut e, "name", Some(n), 200));
        let sni_code = p.sni_code.as_ref().map(|s| sni(&mut e, s.as_deref()));
        let size_class = match &p.size_class {
            None => None,
            Some(s) => {
                let c = code::<SizeClass>(&mut e, "size_class", Some(s));
                if c.is_none() && !e.0.iter().any(|f| f.field == "size_class") {
                    e.add("size_class", "required", "size_class may not be blank");
                }
                c
            }
        };
        if let Some(Some(id)) = p.organisation_id {
            if id <= 0 {
                e.add(
                    "organisation_id",
                    "invalid",
                    "organisation_id must be a positive id",
                );
            }
        }
        let version = match p.version {
            Some(v) if v > 0 => v,
            _ => {
                e.add(
                    "version",
                    "required",
                    "version (the version you read) is required",
                );
                0
            }
        };
        e.into_result(EmployerChange {
            name,
            sni_code,
            size_class,
            organisation_id: p.organisation_id,
            version,
        })
    }
}

/// A workplace as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkplaceInput {
    #[schema(nullable = false)]
    pub name: Option<String>,
    pub street_address: Option<String>,
    /// Five digits (NNN NN).
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// A Swedish municipality code (e.g. 0180).
    #[schema(nullable = false)]
    pub municipality_code: Option<String>,
    pub district: Option<String>,
    /// step_free_entrance, lift, accessible_toilet, hearing_loop, quiet_room, adjustable_workstation
    #[serde(deserialize_with = "crate::input::null_as_default")]
    #[schema(value_type = Option<Vec<String>>, max_items = 50)]
    pub accessibility: Vec<String>,
    pub accessibility_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkplaceData {
    pub name: String,
    pub street_address: Option<String>,
    /// `NNN NN`, the written form.
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub municipality_code: String,
    pub district: Option<String>,
    /// In the order of the fixed list, no duplicates.
    pub accessibility: Vec<AccessibilityFeature>,
    pub accessibility_note: Option<String>,
}

/// A Swedish postal code: five digits, optionally `NNN NN`; canonical `NNN NN`.
pub fn postal_code(v: &str) -> Option<String> {
    let digits: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 5 && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0') {
        Some(format!("{} {}", &digits[..3], &digits[3..]))
    } else {
        None
    }
}

/// Parse the stored comma-separated feature list (unknown codes dropped).
pub fn parse_accessibility(stored: &str) -> Vec<AccessibilityFeature> {
    stored
        .split(',')
        .filter_map(|s| AccessibilityFeature::parse(s.trim()))
        .collect()
}

pub fn accessibility_text(features: &[AccessibilityFeature]) -> String {
    features
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl WorkplaceData {
    pub fn from_input(i: &WorkplaceInput) -> Result<WorkplaceData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", i.name.as_deref(), 200);
        let street_address =
            optional_text(&mut e, "street_address", i.street_address.as_deref(), 200);
        let postal = optional_text(&mut e, "postal_code", i.postal_code.as_deref(), 10);
        let postal_code = match postal {
            None => None,
            Some(p) => {
                let c = postal_code(&p);
                if c.is_none() {
                    e.add(
                        "postal_code",
                        "invalid",
                        "postal_code must be five digits (NNN NN)",
                    );
                }
                c
            }
        };
        let city = optional_text(&mut e, "city", i.city.as_deref(), 100);
        let municipality_code = required_text(
            &mut e,
            "municipality_code",
            i.municipality_code.as_deref(),
            4,
        );
        if !municipality_code.is_empty() && geo::municipality(&municipality_code).is_none() {
            e.add(
                "municipality_code",
                "unknown_municipality",
                "municipality_code must be one of Sweden's municipality codes",
            );
        }
        let district = optional_text(&mut e, "district", i.district.as_deref(), 100);
        let mut accessibility = Vec::new();
        for f in &i.accessibility {
            match AccessibilityFeature::parse(f.trim()) {
                Some(a) => accessibility.push(a),
                None => {
                    let all: Vec<&str> = AccessibilityFeature::ALL
                        .iter()
                        .map(|a| a.as_str())
                        .collect();
                    e.add(
                        "accessibility",
                        "invalid",
                        format!("accessibility must hold only {}", all.join(", ")),
                    );
                    break;
                }
            }
        }
        accessibility.sort();
        accessibility.dedup();
        let accessibility_note = optional_text(
            &mut e,
            "accessibility_note",
            i.accessibility_note.as_deref(),
            1000,
        );
        e.into_result(WorkplaceData {
            name,
            street_address,
            postal_code,
            city,
            municipality_code,
            district,
            accessibility,
            accessibility_note,
        })
    }
}

/// A contact person as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = EmployerContactInput)]
pub struct ContactInput {
    #[schema(nullable = false)]
    pub name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactData {
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A plausible e-mail address: one `@`, something before it, a dotted
/// domain after it, no spaces.
pub fn email_ok(v: &str) -> bool {
    let mut parts = v.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !v.chars().any(char::is_whitespace)
}

/// A phone number: digits with optional `+` first and spaces, `-` or
/// parentheses between; 6 to 15 digits.
pub fn phone_ok(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    (6..=15).contains(&digits)
        && v.char_indices().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
        })
}

impl ContactData {
    pub fn from_input(i: &ContactInput) -> Result<ContactData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", i.name.as_deref(), 200);
        let title = optional_text(&mut e, "title", i.title.as_deref(), 200);
        let email = optional_text(&mut e, "email", i.email.as_deref(), 254);
        if email.as_deref().is_some_and(|m| !email_ok(m)) {
            e.add("email", "invalid", "email must be an e-mail address");
        }
        let phone = optional_text(&mut e, "phone", i.phone.as_deref(), 30);
        if phone.as_deref().is_some_and(|p| !phone_ok(p)) {
            e.add("phone", "invalid", "phone must be a phone number");
        }
        e.into_result(ContactData {
            name,
            title,
            email,
            phone,
        })
    }
}

/// An interaction as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InteractionInput {
    /// YYYY-MM-DD, not after today.
    #[schema(nullable = false)]
    pub occurred_on: Option<String>,
    /// call, visit, meeting, email or offer
    #[schema(nullable = false)]
    pub kind: Option<String>,
    #[schema(nullable = false)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionData {
    pub occurred_on: NaiveDate,
    pub kind: InteractionKind,
    pub note: String,
}

impl InteractionData {
    /// The log records what happened: not later than `today`.
    pub fn from_input(
        i: &InteractionInput,
        today: NaiveDate,
    ) -> Result<InteractionData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let occurred_on = REGISTER_DATES.required(&mut e, "occurred_on", i.occurred_on.as_deref());
        if occurred_on.is_some_and(|d| d > today) {
            e.add(
                "occurred_on",
                "in_future",
                "occurred_on may not be later than today",
            );
        }
        let kind = code::<InteractionKind>(&mut e, "kind", i.kind.as_deref());
        if i.kind.as_deref().is_none_or(|k| k.trim().is_empty()) {
            e.add("kind", "required", "kind is required");
        }
        let note = required_text(&mut e, "note", i.note.as_deref(), 4000);
        match (occurred_on, kind) {
            (Some(occurred_on), Some(kind)) if e.is_empty() => Ok(InteractionData {
                occurred_on,
                kind,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// A whole employer with everything recorded about it, in validated form:
/// what the synthetic city's generator produces and the store's bulk insert
/// takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerRecord {
    pub employer: EmployerData,
    pub workplaces: Vec<WorkplaceData>,
    pub contacts: Vec<ContactData>,
    pub interactions: Vec<InteractionData>,
    /// Agreements with their outcomes.
    pub partnerships: Vec<(PartnershipData, Vec<(NaiveDate, OutcomeKind)>)>,
    /// Contracts with their monthly fulfilment.
    pub contracts: Vec<(ProcurementData, Vec<FulfilmentRow>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_follow_headcount_bands() {
        assert_eq!(SizeClass::from_employees(0), SizeClass::Micro);
        assert_eq!(SizeClass::from_employees(9), SizeClass::Micro);
        assert_eq!(SizeClass::from_employees(10), SizeClass::Small);
        assert_eq!(SizeClass::from_employees(49), SizeClass::Small);
        assert_eq!(SizeClass::from_employees(50), SizeClass::Medium);
        assert_eq!(SizeClass::from_employees(249), SizeClass::Medium);
        assert_eq!(SizeClass::from_employees(250), SizeClass::Large);
    }

    #[test]
    fn employer_input_is_validated_per_field() {
        let ok = EmployerData::from_input(&EmployerInput {
            organisation_number: Some("556036-0793".into()),
            name: Some(" Ett AB ".into()),
            sni_code: Some("62".into()),
            size_class: None,
        })
        .unwrap();
        assert_eq!(ok.organisation_number.as_str(), "5560360793");
        assert_eq!(ok.name, "Ett AB");
        assert_eq!(ok.size_class, SizeClass::Unknown);
        let err = EmployerData::from_input(&EmployerInput {
            organisation_number: Some("556036-0794".into()),
            name: None,
            sni_code: Some("999".into()),
            size_class: Some("huge".into()),
        })
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["organisation_number", "name", "sni_code", "size_class"]
        );
        assert_eq!(err.0[0].code, "checksum");
    }

    #[test]
    fn workplace_needs_a_known_municipality_and_listed_features() {
        let ok = WorkplaceData::from_input(&WorkplaceInput {
            name: Some("Kontoret".into()),
            postal_code: Some("11122".into()),
            municipality_code: Some("0180".into()),
            accessibility: vec!["lift".into(), "step_free_entrance".into(), "lift".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.postal_code.as_deref(), Some("111 22"));
        assert_eq!(
            ok.accessibility,
            [
                AccessibilityFeature::StepFreeEntrance,
                AccessibilityFeature::Lift
            ]
        );
        assert_eq!(
            accessibility_text(&ok.accessibility),
            "step_free_entrance,lift"
        );
        let err = WorkplaceData::from_input(&WorkplaceInput {
            name: Some("X".into()),
            postal_code: Some("1234".into()),
            municipality_code: Some("9999".into()),
            accessibility: vec!["sauna".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.for_field("municipality_code").unwrap().code,
            "unknown_municipality"
        );
        assert!(err.for_field("postal_code").is_some());
        assert!(err.for_field("accessibility").is_some());
    }

    #[test]
    fn contacts_need_plausible_email_and_phone() {
        assert!(email_ok("anna.berg@exempel.se"));
        assert!(!email_ok("anna@"));
        assert!(!email_ok("anna berg@exempel.se"));
        assert!(!email_ok("a@b@c.se"));
        assert!(phone_ok("+46 8-123 456 78"));
        assert!(phone_ok("08-123 45"));
        assert!(!phone_ok("123"));
        assert!(!phone_ok("08 12 34 56 ring"));
    }
}
