//! Staff reductions at a host: a notice (varsel) or a dismissal
//! (uppsägning) in an occupation, recorded by the employer coordinators.
//! A recent one blocks a placement in that occupation (see the module
//! above).

use crate::org::code_enum;
use crate::taxonomy::ssyk4_field;
use crate::validation::{choice, optional_text, required_int, ValidationErrors};
use crate::work::interventions::{DATES, TEXT_MAX};
use chrono::NaiveDate;

code_enum!(
    /// A staff reduction at a host: notice (varsel) or dismissal (uppsägning).
    ReductionKind {
        Notice = "notice",
        Dismissal = "dismissal",
    }
);

/// Raw input for a staff reduction at a host (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReductionInput {
    #[schema(minimum = 1)]
    pub workplace_id: Option<i64>,
    /// SSYK level 4.
    pub occupation_ssyk: Option<String>,
    /// notice or dismissal
    pub kind: Option<String>,
    /// YYYY-MM-DD, not in the future
    pub occurred_on: Option<String>,
    pub persons: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reduction {
    pub workplace_id: Option<i64>,
    pub occupation_ssyk: String,
    pub kind: ReductionKind,
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub note: Option<String>,
}

impl Reduction {
    pub fn from_input(i: &ReductionInput, today: NaiveDate) -> Result<Reduction, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let ssyk = ssyk4_field(&mut e, "occupation_ssyk", i.occupation_ssyk.as_deref())
            .unwrap_or_default();
        let kind = choice::<ReductionKind>(&mut e, "kind", i.kind.as_deref(), true);
        let date = DATES.required(&mut e, "occurred_on", i.occurred_on.as_deref());
        if date.is_some_and(|d| d > today) {
            e.add(
                "occurred_on",
                "in_future",
                "occurred_on must not be in the future",
            );
        }
        let persons = required_int(&mut e, "persons", i.persons, 1, 100_000);
        let note = optional_text(&mut e, "note", i.note.as_deref(), TEXT_MAX);
        match (kind, date) {
            (Some(kind), Some(occurred_on)) if e.is_empty() => Ok(Reduction {
                workplace_id: i.workplace_id,
                occupation_ssyk: ssyk,
                kind,
                occurred_on,
                persons,
                note,
            }),
            _ => Err(e),
        }
    }
}
