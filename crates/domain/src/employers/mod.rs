//! The employer register kept by the employer coordinators (EfAS):
//! employers, workplaces, contacts, the interaction log, partnership
//! agreements (branschpartnerskap) and social-procurement contracts (social
//! hänsyn). Pure validation and arithmetic; the policy is in `access.rs`
//! (`EmployerAction`), storage in the store's `employers` module. The SNI
//! code's existence in the taxonomy is checked by the store (it needs the
//! database); its shape is checked here.

pub mod access;

use crate::geo;
use crate::org::code_enum;
use crate::validation::{optional_int, optional_text, required_text, Code, REGISTER_DATES};
use crate::{OrganisationNumber, ValidationErrors};
use chrono::{Datelike, NaiveDate};

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

code_enum!(
    /// A recorded result under a partnership agreement.
    OutcomeKind {
        Placement = "placement",
        Hire = "hire",
    }
);

code_enum!(
    /// What a social-procurement contract requires of the supplier: N
    /// people from the target groups placed during the period, or a share
    /// (per mille) of the contract hours worked by them.
    RequirementKind {
        Placements = "placements",
        HoursShare = "hours_share",
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

#[derive(Debug, Clone, Default)]
pub struct EmployerInput {
    pub organisation_number: Option<String>,
    pub name: Option<String>,
    pub sni_code: Option<String>,
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
#[derive(Debug, Clone, Default)]
pub struct EmployerPatch {
    pub name: Option<String>,
    pub sni_code: Option<Option<String>>,
    pub size_class: Option<String>,
    /// The organisation whose `employer` users act for this employer.
    pub organisation_id: Option<Option<i64>>,
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

#[derive(Debug, Clone, Default)]
pub struct WorkplaceInput {
    pub name: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub municipality_code: Option<String>,
    pub district: Option<String>,
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

#[derive(Debug, Clone, Default)]
pub struct ContactInput {
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

#[derive(Debug, Clone, Default)]
pub struct InteractionInput {
    pub occurred_on: Option<String>,
    pub kind: Option<String>,
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

#[derive(Debug, Clone, Default)]
pub struct PartnershipInput {
    pub name: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub target_placements_per_year: Option<i64>,
    pub target_hires_per_year: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnershipData {
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub target_placements_per_year: i64,
    pub target_hires_per_year: i64,
    pub note: Option<String>,
}

impl PartnershipData {
    pub fn from_input(i: &PartnershipInput) -> Result<PartnershipData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", i.name.as_deref(), 200);
        let valid_from = REGISTER_DATES.required(&mut e, "valid_from", i.valid_from.as_deref());
        let valid_to = REGISTER_DATES.optional(&mut e, "valid_to", i.valid_to.as_deref());
        if let (Some(f), Some(t)) = (valid_from, valid_to) {
            if t < f {
                e.add(
                    "valid_to",
                    "before_start",
                    "valid_to may not be before valid_from",
                );
            }
        }
        let target_placements_per_year = optional_int(
            &mut e,
            "target_placements_per_year",
            i.target_placements_per_year,
            0,
            100_000,
        )
        .unwrap_or(0);
        let target_hires_per_year = optional_int(
            &mut e,
            "target_hires_per_year",
            i.target_hires_per_year,
            0,
            100_000,
        )
        .unwrap_or(0);
        let note = optional_text(&mut e, "note", i.note.as_deref(), 4000);
        match valid_from {
            Some(valid_from) if e.is_empty() => Ok(PartnershipData {
                name,
                valid_from,
                valid_to,
                target_placements_per_year,
                target_hires_per_year,
                note,
            }),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OutcomeInput {
    pub occurred_on: Option<String>,
    pub kind: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeData {
    pub occurred_on: NaiveDate,
    pub kind: OutcomeKind,
    pub note: Option<String>,
}

impl OutcomeData {
    /// An outcome falls inside the agreement's validity and not after today.
    pub fn from_input(
        i: &OutcomeInput,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<OutcomeData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let occurred_on = REGISTER_DATES.required(&mut e, "occurred_on", i.occurred_on.as_deref());
        if let Some(d) = occurred_on {
            if d > today {
                e.add(
                    "occurred_on",
                    "in_future",
                    "occurred_on may not be later than today",
                );
            } else if d < valid_from || valid_to.is_some_and(|t| d > t) {
                e.add(
                    "occurred_on",
                    "outside_agreement",
                    "occurred_on must be inside the agreement's validity",
                );
            }
        }
        if i.kind.as_deref().is_none_or(|k| k.trim().is_empty()) {
            e.add("kind", "required", "kind is required");
        }
        let kind = code::<OutcomeKind>(&mut e, "kind", i.kind.as_deref());
        let note = optional_text(&mut e, "note", i.note.as_deref(), 4000);
        match (occurred_on, kind) {
            (Some(occurred_on), Some(kind)) if e.is_empty() => Ok(OutcomeData {
                occurred_on,
                kind,
                note,
            }),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProcurementInput {
    pub contract_name: Option<String>,
    pub contract_reference: Option<String>,
    pub procuring_unit: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub requirement_kind: Option<String>,
    pub required_placements: Option<i64>,
    pub required_hours_share_permille: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Placements(i64),
    /// Per mille of the contract hours, 1–1000.
    HoursShare(i64),
}

impl Requirement {
    pub fn kind(self) -> RequirementKind {
        match self {
            Requirement::Placements(_) => RequirementKind::Placements,
            Requirement::HoursShare(_) => RequirementKind::HoursShare,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcurementData {
    pub contract_name: String,
    pub contract_reference: Option<String>,
    pub procuring_unit: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub requirement: Requirement,
    pub note: Option<String>,
}

impl ProcurementData {
    pub fn from_input(i: &ProcurementInput) -> Result<ProcurementData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let contract_name = required_text(&mut e, "contract_name", i.contract_name.as_deref(), 200);
        let contract_reference = optional_text(
            &mut e,
            "contract_reference",
            i.contract_reference.as_deref(),
            100,
        );
        let procuring_unit =
            required_text(&mut e, "procuring_unit", i.procuring_unit.as_deref(), 200);
        let period_from = REGISTER_DATES.required(&mut e, "period_from", i.period_from.as_deref());
        let period_to = REGISTER_DATES.required(&mut e, "period_to", i.period_to.as_deref());
        if let (Some(f), Some(t)) = (period_from, period_to) {
            if t < f {
                e.add(
                    "period_to",
                    "before_start",
                    "period_to may not be before period_from",
                );
            }
        }
        if i.requirement_kind
            .as_deref()
            .is_none_or(|k| k.trim().is_empty())
        {
            e.add(
                "requirement_kind",
                "required",
                "requirement_kind is required",
            );
        }
        let kind =
            code::<RequirementKind>(&mut e, "requirement_kind", i.requirement_kind.as_deref());
        let requirement = match kind {
            Some(RequirementKind::Placements) => match i.required_placements {
                Some(n) if (1..=100_000).contains(&n) => Some(Requirement::Placements(n)),
                _ => {
                    e.add(
                        "required_placements",
                        "out_of_range",
                        "required_placements must be from 1 to 100000 for a placements requirement",
                    );
                    None
                }
            },
            Some(RequirementKind::HoursShare) => match i.required_hours_share_permille {
                Some(n) if (1..=1000).contains(&n) => Some(Requirement::HoursShare(n)),
                _ => {
                    e.add(
                        "required_hours_share_permille",
                        "out_of_range",
                        "required_hours_share_permille must be from 1 to 1000 for an hours_share requirement",
                    );
                    None
                }
            },
            None => None,
        };
        let note = optional_text(&mut e, "note", i.note.as_deref(), 4000);
        match (period_from, period_to, requirement) {
            (Some(period_from), Some(period_to), Some(requirement)) if e.is_empty() => {
                Ok(ProcurementData {
                    contract_name,
                    contract_reference,
                    procuring_unit,
                    period_from,
                    period_to,
                    requirement,
                    note,
                })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct FulfilmentInput {
    pub placements: Option<i64>,
    pub contract_hours: Option<i64>,
    pub target_group_hours: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FulfilmentRow {
    /// The first day of the month.
    pub month: NaiveDate,
    pub placements: i64,
    pub contract_hours: i64,
    pub target_group_hours: i64,
}

/// `YYYY-MM` to the month's first day.
pub fn parse_month(v: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(&format!("{}-01", v.trim()), "%Y-%m-%d").ok()?;
    (2000..=2100).contains(&d.year()).then_some(d)
}

pub fn month_text(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Months since year 0, for month arithmetic.
fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

impl FulfilmentRow {
    /// One month's report for a contract running `period_from..=period_to`.
    pub fn from_input(
        month: &str,
        i: &FulfilmentInput,
        period_from: NaiveDate,
        period_to: NaiveDate,
    ) -> Result<FulfilmentRow, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let m = parse_month(month);
        match m {
            None => e.add("month", "invalid", "month must be YYYY-MM"),
            Some(m) if m < first_of_month(period_from) || m > period_to => e.add(
                "month",
                "outside_period",
                "month must be inside the contract period",
            ),
            _ => {}
        }
        let placements = optional_int(&mut e, "placements", i.placements, 0, 100_000).unwrap_or(0);
        let contract_hours =
            optional_int(&mut e, "contract_hours", i.contract_hours, 0, 10_000_000).unwrap_or(0);
        let target_group_hours = optional_int(
            &mut e,
            "target_group_hours",
            i.target_group_hours,
            0,
            10_000_000,
        )
        .unwrap_or(0);
        if target_group_hours > contract_hours {
            e.add(
                "target_group_hours",
                "exceeds_contract_hours",
                "target_group_hours may not exceed contract_hours",
            );
        }
        match m {
            Some(month) if e.is_empty() => Ok(FulfilmentRow {
                month,
                placements,
                contract_hours,
                target_group_hours,
            }),
            _ => Err(e),
        }
    }
}

/// `actual` as a whole percentage of `target`, rounded down; `None` when
/// there is no target.
pub fn percent(actual: i64, target: i64) -> Option<i64> {
    (target > 0).then(|| actual.max(0).saturating_mul(100) / target)
}

/// One calendar year of a partnership agreement: the yearly targets against
/// the outcomes recorded in that year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearProgress {
    pub year: i32,
    pub target_placements: i64,
    pub actual_placements: i64,
    pub placements_percent: Option<i64>,
    pub target_hires: i64,
    pub actual_hires: i64,
    pub hires_percent: Option<i64>,
}

/// Actual against target per calendar year, from the agreement's first year
/// to its last (or, while open-ended, to `today`'s year; never fewer than
/// one year). The yearly target applies in full to every calendar year the
/// agreement touches — agreements set targets per year, not per day.
pub fn partnership_progress(
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    target_placements: i64,
    target_hires: i64,
    today: NaiveDate,
    outcomes: &[(NaiveDate, OutcomeKind)],
) -> Vec<YearProgress> {
    let first = valid_from.year();
    let last = valid_to.map_or(today.year(), |t| t.year()).max(first);
    (first..=last)
        .map(|year| {
            let count = |k: OutcomeKind| {
                outcomes
                    .iter()
                    .filter(|(d, kind)| d.year() == year && *kind == k)
                    .count() as i64
            };
            let actual_placements = count(OutcomeKind::Placement);
            let actual_hires = count(OutcomeKind::Hire);
            YearProgress {
                year,
                target_placements,
                actual_placements,
                placements_percent: percent(actual_placements, target_placements),
                target_hires,
                actual_hires,
                hires_percent: percent(actual_hires, target_hires),
            }
        })
        .collect()
}

/// How a social-procurement contract stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfilment {
    pub months_total: i64,
    /// Months of the period wholly before `today`.
    pub months_elapsed: i64,
    pub months_reported: i64,
    pub placements_so_far: i64,
    pub contract_hours: i64,
    pub target_group_hours: i64,
    /// Target-group hours per mille of contract hours, rounded down;
    /// `None` before any contract hours are reported.
    pub hours_share_permille: Option<i64>,
    /// For a placements requirement: the placements due by now, the
    /// requirement spread evenly over the period's months (rounded down).
    pub expected_placements_by_now: Option<i64>,
    /// Placements so far against required, in whole percent (rounded down).
    pub percent_of_requirement: Option<i64>,
    /// Behind: fewer placements than due by now, or a reported hours share
    /// below the required share.
    pub behind: bool,
}

pub fn fulfilment(
    period_from: NaiveDate,
    period_to: NaiveDate,
    requirement: Requirement,
    rows: &[FulfilmentRow],
    today: NaiveDate,
) -> Fulfilment {
    let start = month_index(period_from);
    let months_total = (month_index(period_to) - start + 1).max(1);
    let months_elapsed = (month_index(today) - start).clamp(0, months_total);
    let placements_so_far: i64 = rows.iter().map(|r| r.placements).sum();
    let contract_hours: i64 = rows.iter().map(|r| r.contract_hours).sum();
    let target_group_hours: i64 = rows.iter().map(|r| r.target_group_hours).sum();
    let hours_share_permille =
        (contract_hours > 0).then(|| target_group_hours.saturating_mul(1000) / contract_hours);
    let (expected, pct, behind) = match requirement {
        Requirement::Placements(required) => {
            let expected = required.saturating_mul(months_elapsed) / months_total;
            (
                Some(expected),
                percent(placements_so_far, required),
                placements_so_far < expected,
            )
        }
        Requirement::HoursShare(required) => (
            None,
            hours_share_permille.and_then(|s| percent(s, required)),
            // Exact integer comparison: share < required  ⇔  tg·1000 < req·hours.
            contract_hours > 0
                && target_group_hours.saturating_mul(1000)
                    < required.saturating_mul(contract_hours),
        ),
    };
    Fulfilment {
        months_total,
        months_elapsed,
        months_reported: rows.len() as i64,
        placements_so_far,
        contract_hours,
        target_group_hours,
        hours_share_permille,
        expected_placements_by_now: expected,
        percent_of_requirement: pct,
        behind,
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
    use crate::time::ymd as d;
    use proptest::prelude::*;

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

    #[test]
    fn interactions_and_outcomes_are_dated_in_the_past() {
        let today = d("2026-05-10");
        let err = InteractionData::from_input(
            &InteractionInput {
                occurred_on: Some("2026-05-11".into()),
                kind: Some("fax".into()),
                note: Some("x".into()),
            },
            today,
        )
        .unwrap_err();
        assert_eq!(err.for_field("occurred_on").unwrap().code, "in_future");
        assert!(err.for_field("kind").is_some());
        let err = OutcomeData::from_input(
            &OutcomeInput {
                occurred_on: Some("2025-12-31".into()),
                kind: Some("hire".into()),
                note: None,
            },
            d("2026-01-01"),
            None,
            today,
        )
        .unwrap_err();
        assert_eq!(
            err.for_field("occurred_on").unwrap().code,
            "outside_agreement"
        );
    }

    #[test]
    fn procurement_requirement_needs_its_number() {
        let base = ProcurementInput {
            contract_name: Some("Städ".into()),
            procuring_unit: Some("Fastighetskontoret".into()),
            period_from: Some("2026-01-01".into()),
            period_to: Some("2026-12-31".into()),
            requirement_kind: Some("hours_share".into()),
            ..Default::default()
        };
        let err = ProcurementData::from_input(&base).unwrap_err();
        assert!(err.for_field("required_hours_share_permille").is_some());
        let ok = ProcurementData::from_input(&ProcurementInput {
            required_hours_share_permille: Some(50),
            ..base
        })
        .unwrap();
        assert_eq!(ok.requirement, Requirement::HoursShare(50));
    }

    #[test]
    fn fulfilment_month_must_be_in_the_period() {
        let i = FulfilmentInput {
            placements: Some(1),
            contract_hours: Some(100),
            target_group_hours: Some(120),
        };
        let err =
            FulfilmentRow::from_input("2027-01", &i, d("2026-01-15"), d("2026-12-31")).unwrap_err();
        assert_eq!(err.for_field("month").unwrap().code, "outside_period");
        assert!(err.for_field("target_group_hours").is_some());
        let ok = FulfilmentRow::from_input(
            "2026-01",
            &FulfilmentInput {
                target_group_hours: Some(10),
                ..i
            },
            d("2026-01-15"),
            d("2026-12-31"),
        )
        .unwrap();
        assert_eq!(ok.month, d("2026-01-01"));
    }

    #[test]
    fn partnership_progress_counts_outcomes_per_calendar_year() {
        let outcomes = [
            (d("2025-03-01"), OutcomeKind::Placement),
            (d("2025-06-01"), OutcomeKind::Placement),
            (d("2025-07-01"), OutcomeKind::Hire),
            (d("2026-01-10"), OutcomeKind::Placement),
        ];
        let p = partnership_progress(d("2025-02-01"), None, 4, 3, d("2026-05-01"), &outcomes);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].year, 2025);
        assert_eq!(
            (p[0].actual_placements, p[0].placements_percent),
            (2, Some(50))
        );
        assert_eq!((p[0].actual_hires, p[0].hires_percent), (1, Some(33)));
        assert_eq!(
            (p[1].actual_placements, p[1].placements_percent),
            (1, Some(25))
        );
        assert_eq!(percent(3, 0), None);
    }

    #[test]
    fn placements_fulfilment_is_spread_over_the_period() {
        // 12 months, 6 required; on 2026-07-15 six months are complete: 3 due.
        let rows = [
            FulfilmentRow {
                month: d("2026-01-01"),
                placements: 1,
                contract_hours: 0,
                target_group_hours: 0,
            },
            FulfilmentRow {
                month: d("2026-03-01"),
                placements: 1,
                contract_hours: 0,
                target_group_hours: 0,
            },
        ];
        let f = fulfilment(
            d("2026-01-01"),
            d("2026-12-31"),
            Requirement::Placements(6),
            &rows,
            d("2026-07-15"),
        );
        assert_eq!(f.months_total, 12);
        assert_eq!(f.months_elapsed, 6);
        assert_eq!(f.expected_placements_by_now, Some(3));
        assert_eq!(f.placements_so_far, 2);
        assert_eq!(f.percent_of_requirement, Some(33));
        assert!(f.behind);
    }

    #[test]
    fn hours_share_fulfilment_compares_exactly() {
        let row = |c, t| FulfilmentRow {
            month: d("2026-01-01"),
            placements: 0,
            contract_hours: c,
            target_group_hours: t,
        };
        let req = Requirement::HoursShare(50);
        let f = fulfilment(
            d("2026-01-01"),
            d("2026-06-30"),
            req,
            &[row(1000, 50)],
            d("2026-03-01"),
        );
        assert_eq!(f.hours_share_permille, Some(50));
        assert!(!f.behind);
        let f = fulfilment(
            d("2026-01-01"),
            d("2026-06-30"),
            req,
            &[row(1001, 50)],
            d("2026-03-01"),
        );
        assert_eq!(f.hours_share_permille, Some(49));
        assert!(f.behind);
        let f = fulfilment(d("2026-01-01"), d("2026-06-30"), req, &[], d("2026-03-01"));
        assert_eq!(f.hours_share_permille, None);
        assert!(!f.behind);
    }

    proptest! {
        #[test]
        fn fulfilment_arithmetic_is_consistent(
            required in 1i64..500,
            months in 1u32..48,
            offset in 0i64..60,
            rows in proptest::collection::vec((0i64..20, 0i64..2000, 0i64..2000), 0..24),
        ) {
            let from = d("2025-01-01");
            let to = from.checked_add_months(chrono::Months::new(months)).unwrap().pred_opt().unwrap();
            let today = from.checked_add_days(chrono::Days::new(offset as u64 * 30)).unwrap();
            let rows: Vec<FulfilmentRow> = rows.into_iter().map(|(p, c, t)| FulfilmentRow {
                month: from, placements: p, contract_hours: c.max(t), target_group_hours: t.min(c),
            }).collect();
            let f = fulfilment(from, to, Requirement::Placements(required), &rows, today);
            prop_assert!(f.months_elapsed <= f.months_total);
            let expected = f.expected_placements_by_now.unwrap();
            prop_assert!(expected <= required);
            prop_assert_eq!(f.behind, f.placements_so_far < expected);
            if today > to {
                prop_assert_eq!(expected, required);
            }
            let share = 1 + required % 1000;
            let h = fulfilment(from, to, Requirement::HoursShare(share), &rows, today);
            if let Some(s) = h.hours_share_permille {
                prop_assert!(s <= 1000);
                // Behind exactly when the exact share is below the requirement.
                prop_assert_eq!(h.behind, h.target_group_hours * 1000 < share * h.contract_hours);
                if h.behind { prop_assert!(s < share); } else { prop_assert!(s >= share); }
            } else {
                prop_assert!(!h.behind);
            }
        }

        #[test]
        fn yearly_actuals_add_up_to_all_outcomes(
            days in proptest::collection::vec((0u64..1500, any::<bool>()), 0..60),
            target in 0i64..50,
        ) {
            let from = d("2023-01-01");
            let outcomes: Vec<(NaiveDate, OutcomeKind)> = days.iter().map(|(n, hire)| (
                from.checked_add_days(chrono::Days::new(*n)).unwrap(),
                if *hire { OutcomeKind::Hire } else { OutcomeKind::Placement },
            )).collect();
            let p = partnership_progress(from, None, target, target, d("2027-12-31"), &outcomes);
            let total: i64 = p.iter().map(|y| y.actual_placements + y.actual_hires).sum();
            prop_assert_eq!(total, outcomes.len() as i64);
            for y in &p {
                prop_assert_eq!(y.placements_percent, percent(y.actual_placements, target));
            }
        }
    }
}
