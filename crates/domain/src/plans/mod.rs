//! The shared action plan (gemensam handlingsplan): one active plan per
//! participant with a long-term goal — an occupation (SSYK 2012 four-digit
//! code and a name) or an education — and steps toward it, each owned by one
//! organisation. Also contacts (meetings, calls, messages).
//!
//! Step statuses move forward only:
//!
//! ```text
//! planned ──► active ──► done
//!    │  ◄──────┘  │
//!    └────────────┴────► cancelled
//! ```
//!
//! `planned ⇄ active` both ways (a start can be postponed); `done` and
//! `cancelled` are final: a closed step keeps its dates, owner and activity,
//! and only its result note may still change. A new step is added instead of
//! reopening one, so the history reads as what happened.
//!
//! Every change is a list of [`FieldChange`]s (field, old, new) that the store
//! keeps as append-only history.

use crate::org::code_enum;
use crate::validation::{choice, optional_text, required_text, Dates, ValidationErrors, ANY_YEAR};
use chrono::{Datelike, NaiveDate};

pub mod access;

code_enum!(
    /// What the long-term goal is.
    GoalKind {
        Occupation = "occupation",
        Education = "education",
    }
);

code_enum!(
    /// The reference list of activities; `other` needs `activity_text`.
    ActivityType {
        WorkPractice = "work_practice",
        JobSearch = "job_search",
        Sfi = "sfi",
        AdultEducation = "adult_education",
        VocationalTraining = "vocational_training",
        HealthRehabilitation = "health_rehabilitation",
        IncomeSupportFollowUp = "income_support_follow_up",
        Meeting = "meeting",
        Other = "other",
    }
);

code_enum!(
    /// A step's status; see the module documentation for the transitions.
    StepStatus {
        Planned = "planned",
        Active = "active",
        Done = "done",
        Cancelled = "cancelled",
    }
);

code_enum!(
    /// How a contact with the participant took place.
    ContactKind {
        Meeting = "meeting",
        Call = "call",
        Message = "message",
        HomeVisit = "home_visit",
        Other = "other",
    }
);

impl StepStatus {
    /// Done and cancelled steps are closed for good.
    pub fn is_closed(self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Cancelled)
    }

    /// Whether a step may move from `self` to `to` (staying put is allowed).
    pub fn may_become(self, to: StepStatus) -> bool {
        use StepStatus::*;
        self == to
            || matches!(
                (self, to),
                (Planned, Active)
                    | (Active, Planned)
                    | (Planned, Done)
                    | (Active, Done)
                    | (Planned, Cancelled)
                    | (Active, Cancelled)
            )
    }
}

/// The earliest and latest dates a plan accepts (typing mistakes, not policy).
const MIN_YEAR: i32 = 2000;
const MAX_YEAR: i32 = 2100;

fn date(e: &mut ValidationErrors, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    const DATES: Dates = Dates {
        years: ANY_YEAR,
        wording: "must be a date as YYYY-MM-DD",
    };
    let d = DATES.required(e, field, v)?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
        e.add(
            field,
            "out_of_range",
            format!("{field} must be between {MIN_YEAR} and {MAX_YEAR}"),
        );
        return None;
    }
    Some(d)
}

/// One changed field, as the history keeps it. Values are text; `None` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

fn diff(
    old: &[(&'static str, Option<String>)],
    new: &[(&'static str, Option<String>)],
) -> Vec<FieldChange> {
    new.iter()
        .map(|(field, n)| {
            let o = old
                .iter()
                .find(|(f, _)| f == field)
                .and_then(|(_, v)| v.clone());
            FieldChange {
                field,
                old: o,
                new: n.clone(),
            }
        })
        .filter(|c| c.old != c.new)
        .collect()
}

// ---------------------------------------------------------------- the goal

/// Raw input for the long-term goal (PUT replaces it whole).
#[derive(Debug, Clone, Default)]
pub struct GoalInput {
    pub goal_kind: Option<String>,
    pub ssyk_code: Option<Option<String>>,
    pub goal_title: Option<String>,
}

/// A validated long-term goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub kind: GoalKind,
    /// SSYK 2012 unit group (four digits) for an occupation; `None` for an education.
    pub ssyk_code: Option<String>,
    /// The occupation's name, or the education, as free text.
    pub title: String,
}

impl Goal {
    pub fn from_input(input: &GoalInput) -> Result<Goal, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = choice::<GoalKind>(&mut e, "goal_kind", input.goal_kind.as_deref(), true);
        let ssyk = input
            .ssyk_code
            .clone()
            .flatten()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let ssyk_code = match (kind, ssyk) {
            (Some(GoalKind::Occupation), None) => {
                e.add(
                    "ssyk_code",
                    "required",
                    "ssyk_code is required for an occupation goal (SSYK 2012, four digits)",
                );
                None
            }
            (Some(GoalKind::Occupation), Some(s)) => {
                // Four digits; the armed forces' unit groups start with 0 (0110).
                if crate::taxonomy::is_ssyk4(&s) {
                    Some(s)
                } else {
                    e.add(
                        "ssyk_code",
                        "invalid",
                        "ssyk_code must be an SSYK 2012 unit group: four digits",
                    );
                    None
                }
            }
            (Some(GoalKind::Education), Some(_)) => {
                e.add(
                    "ssyk_code",
                    "not_allowed",
                    "ssyk_code belongs to an occupation goal, not an education",
                );
                None
            }
            _ => None,
        };
        let title = required_text(&mut e, "goal_title", input.goal_title.as_deref(), 200);
        match kind {
            Some(kind) if e.is_empty() => Ok(Goal {
                kind,
                ssyk_code,
                title,
            }),
            _ => Err(e),
        }
    }

    fn fields(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("goal_kind", Some(self.kind.as_str().to_string())),
            ("ssyk_code", self.ssyk_code.clone()),
            ("goal_title", Some(self.title.clone())),
        ]
    }

    /// The fields that differ from `old` (every field when there is none).
    pub fn changes_from(&self, old: Option<&Goal>) -> Vec<FieldChange> {
        diff(&old.map(Goal::fields).unwrap_or_default(), &self.fields())
    }
}

// ---------------------------------------------------------------- steps

/// Raw input for a step: every field for a new step, any for a change.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub activity_type: Option<String>,
    pub activity_text: Option<Option<String>>,
    pub organisation_id: Option<i64>,
    pub responsible_user_id: Option<Option<i64>>,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    pub status: Option<String>,
    pub result_note: Option<Option<String>>,
}

/// A validated step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepData {
    pub activity_type: ActivityType,
    /// Free text beside the type; required for `other`.
    pub activity_text: Option<String>,
    pub organisation_id: i64,
    pub responsible_user_id: Option<i64>,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: StepStatus,
    pub result_note: Option<String>,
}

impl StepData {
    /// A new step. It starts `planned` or `active` (default `planned`).
    pub fn new_from(input: &StepInput) -> Result<StepData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let status = input.status.as_deref().map(str::trim).unwrap_or("planned");
        if let Some(s) = StepStatus::parse(status) {
            if s.is_closed() {
                e.add(
                    "status",
                    "invalid_transition",
                    "a new step starts as planned or active",
                );
            }
        }
        let d = Self::validate(input, None, &mut e);
        match d {
            Some(d) if e.is_empty() => Ok(d),
            _ => Err(e),
        }
    }

    /// `self` changed by `input`: the whole step is validated again and the
    /// status must follow the allowed transitions; a closed step changes only
    /// its result note.
    pub fn changed_by(&self, input: &StepInput) -> Result<StepData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let d = Self::validate(input, Some(self), &mut e);
        if let Some(d) = &d {
            if !self.status.may_become(d.status) {
                e.add(
                    "status",
                    "invalid_transition",
                    format!(
                        "a {} step cannot become {} (done and cancelled are final; add a new step)",
                        self.status.as_str(),
                        d.status.as_str()
                    ),
                );
            } else if self.status.is_closed() {
                for c in d.changes_from(Some(self)) {
                    if c.field != "result_note" {
                        e.add(
                            c.field,
                            "step_closed",
                            format!(
                                "{} cannot change on a {} step; only result_note can",
                                c.field,
                                self.status.as_str()
                            ),
                        );
                    }
                }
            }
        }
        match d {
            Some(d) if e.is_empty() => Ok(d),
            _ => Err(e),
        }
    }

    fn validate(
        input: &StepInput,
        current: Option<&StepData>,
        e: &mut ValidationErrors,
    ) -> Option<StepData> {
        let cur_text = |f: fn(&StepData) -> String| current.map(f);
        let activity_type_raw = input
            .activity_type
            .clone()
            .or(cur_text(|c| c.activity_type.as_str().into()));
        let activity_type =
            choice::<ActivityType>(e, "activity_type", activity_type_raw.as_deref(), true);
        let activity_text = match &input.activity_text {
            Some(v) => optional_text(e, "activity_text", v.as_deref(), 200),
            None => current.and_then(|c| c.activity_text.clone()),
        };
        if activity_type == Some(ActivityType::Other) && activity_text.is_none() {
            e.add(
                "activity_text",
                "required",
                "activity_text is required when activity_type is other",
            );
        }
        let organisation_id = input.organisation_id.or(current.map(|c| c.organisation_id));
        if organisation_id.is_none() {
            e.add(
                "organisation_id",
                "required",
                "organisation_id is required: the organisation responsible for the step",
            );
        }
        let responsible_user_id = match input.responsible_user_id {
            Some(v) => v,
            None => current.and_then(|c| c.responsible_user_id),
        };
        let start = input
            .start_date
            .clone()
            .or(cur_text(|c| c.start_date.format("%Y-%m-%d").to_string()));
        let due = input
            .due_date
            .clone()
            .or(cur_text(|c| c.due_date.format("%Y-%m-%d").to_string()));
        let start_date = date(e, "start_date", start.as_deref());
        let due_date = date(e, "due_date", due.as_deref());
        if let (Some(s), Some(d)) = (start_date, due_date) {
            if d < s {
                e.add(
                    "due_date",
                    "before_start",
                    "due_date cannot be before start_date",
                );
            }
        }
        let status_raw = input
            .status
            .clone()
            .or(cur_text(|c| c.status.as_str().into()))
            .or(Some("planned".into()));
        let status = choice::<StepStatus>(e, "status", status_raw.as_deref(), true);
        let result_note = match &input.result_note {
            Some(v) => optional_text(e, "result_note", v.as_deref(), 2000),
            None => current.and_then(|c| c.result_note.clone()),
        };
        Some(StepData {
            activity_type: activity_type?,
            activity_text,
            organisation_id: organisation_id?,
            responsible_user_id,
            start_date: start_date?,
            due_date: due_date?,
            status: status?,
            result_note,
        })
    }

    fn fields(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("activity_type", Some(self.activity_type.as_str().into())),
            ("activity_text", self.activity_text.clone()),
            ("organisation_id", Some(self.organisation_id.to_string())),
            (
                "responsible_user_id",
                self.responsible_user_id.map(|v| v.to_string()),
            ),
            (
                "start_date",
                Some(self.start_date.format("%Y-%m-%d").to_string()),
            ),
            (
                "due_date",
                Some(self.due_date.format("%Y-%m-%d").to_string()),
            ),
            ("status", Some(self.status.as_str().into())),
            ("result_note", self.result_note.clone()),
        ]
    }

    /// The fields that differ from `old` (every set field when there is none).
    pub fn changes_from(&self, old: Option<&StepData>) -> Vec<FieldChange> {
        diff(
            &old.map(StepData::fields).unwrap_or_default(),
            &self.fields(),
        )
    }
}

// ---------------------------------------------------------------- contacts

/// A contact as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContactInput {
    /// YYYY-MM-DD, not in the future.
    #[schema(nullable = false)]
    pub contact_date: Option<String>,
    /// Default: the caller's organisation.
    #[schema(minimum = 1)]
    pub organisation_id: Option<i64>,
    /// meeting, call, message, home_visit or other
    #[schema(nullable = false)]
    pub kind: Option<String>,
    #[serde(deserialize_with = "crate::input::nullable")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactData {
    pub contact_date: NaiveDate,
    pub organisation_id: i64,
    pub kind: ContactKind,
    pub note: Option<String>,
}

impl ContactData {
    /// A contact that took place: not in the future. The organisation
    /// defaults to the recording user's.
    pub fn from_input(
        input: &ContactInput,
        default_organisation: i64,
        today: NaiveDate,
    ) -> Result<ContactData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let contact_date = date(&mut e, "contact_date", input.contact_date.as_deref());
        if contact_date.is_some_and(|d| d > today) {
            e.add(
                "contact_date",
                "in_future",
                "contact_date cannot be in the future: record contacts that took place",
            );
        }
        let kind = choice::<ContactKind>(&mut e, "kind", input.kind.as_deref(), true);
        let note = optional_text(
            &mut e,
            "note",
            input.note.clone().flatten().as_deref(),
            4000,
        );
        match (contact_date, kind) {
            (Some(contact_date), Some(kind)) if e.is_empty() => Ok(ContactData {
                contact_date,
                organisation_id: input.organisation_id.unwrap_or(default_organisation),
                kind,
                note,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step_input() -> StepInput {
        StepInput {
            activity_type: Some("work_practice".into()),
            organisation_id: Some(1),
            start_date: Some("2026-12-01".into()),
            due_date: Some("2027-02-28".into()),
            ..Default::default()
        }
    }

    fn has(e: &ValidationErrors, field: &str, code: &str) -> bool {
        e.for_field(field).is_some_and(|f| f.code == code)
    }

    #[test]
    fn transitions_move_forward_and_closed_is_final() {
        use StepStatus::*;
        assert!(Planned.may_become(Active));
        assert!(Active.may_become(Planned));
        assert!(Active.may_become(Done));
        assert!(Planned.may_become(Cancelled));
        for closed in [Done, Cancelled] {
            for to in [Planned, Active] {
                assert!(!closed.may_become(to), "{closed:?} -> {to:?}");
            }
            assert!(closed.may_become(closed));
        }
        assert!(!Done.may_become(Cancelled));
        assert!(!Cancelled.may_become(Done));
    }

    #[test]
    fn new_step_defaults_to_planned_and_names_fields() {
        let s = StepData::new_from(&step_input()).unwrap();
        assert_eq!(s.status, StepStatus::Planned);
        let bad = StepData::new_from(&StepInput {
            activity_type: Some("juggling".into()),
            organisation_id: None,
            start_date: Some("2026-12-01".into()),
            due_date: Some("2026-11-01".into()),
            status: Some("done".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(has(&bad, "activity_type", "invalid_choice"));
        assert!(has(&bad, "organisation_id", "required"));
        assert!(has(&bad, "due_date", "before_start"));
        assert!(has(&bad, "status", "invalid_transition"));
        let other = StepData::new_from(&StepInput {
            activity_type: Some("other".into()),
            ..step_input()
        })
        .unwrap_err();
        assert!(has(&other, "activity_text", "required"));
    }

    #[test]
    fn change_validates_transition_and_diffs_fields() {
        let s = StepData::new_from(&step_input()).unwrap();
        let done = s
            .changed_by(&StepInput {
                status: Some("done".into()),
                result_note: Some(Some("Fick anställning".into())),
                ..Default::default()
            })
            .unwrap();
        let ch = done.changes_from(Some(&s));
        assert_eq!(
            ch,
            vec![
                FieldChange {
                    field: "status",
                    old: Some("planned".into()),
                    new: Some("done".into())
                },
                FieldChange {
                    field: "result_note",
                    old: None,
                    new: Some("Fick anställning".into())
                },
            ]
        );
        let back = done
            .changed_by(&StepInput {
                status: Some("planned".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(has(&back, "status", "invalid_transition"));
        let moved = done
            .changed_by(&StepInput {
                due_date: Some("2027-03-01".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(has(&moved, "due_date", "step_closed"));
        assert!(done
            .changed_by(&StepInput {
                result_note: Some(Some("Tillsvidare från mars".into())),
                ..Default::default()
            })
            .is_ok());
    }

    #[test]
    fn goal_needs_ssyk_for_occupation_only() {
        let occ = Goal::from_input(&GoalInput {
            goal_kind: Some("occupation".into()),
            ssyk_code: Some(Some("5321".into())),
            goal_title: Some("Undersköterska".into()),
        })
        .unwrap();
        assert_eq!(occ.changes_from(None).len(), 3);
        let e = Goal::from_input(&GoalInput {
            goal_kind: Some("occupation".into()),
            ssyk_code: Some(Some("53".into())),
            goal_title: None,
        })
        .unwrap_err();
        assert!(has(&e, "ssyk_code", "invalid"));
        assert!(has(&e, "goal_title", "required"));
        let e = Goal::from_input(&GoalInput {
            goal_kind: Some("education".into()),
            ssyk_code: Some(Some("5321".into())),
            goal_title: Some("Vård- och omsorgsprogrammet".into()),
        })
        .unwrap_err();
        assert!(has(&e, "ssyk_code", "not_allowed"));
        let edu = Goal::from_input(&GoalInput {
            goal_kind: Some("education".into()),
            ssyk_code: Some(None),
            goal_title: Some("Vård- och omsorgsprogrammet".into()),
        })
        .unwrap();
        let ch = edu.changes_from(Some(&occ));
        assert_eq!(ch.len(), 3);
        assert_eq!(ch[1].new, None);
    }

    #[test]
    fn contacts_are_in_the_past() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let ok = ContactData::from_input(
            &ContactInput {
                contact_date: Some("2026-11-27".into()),
                kind: Some("home_visit".into()),
                ..Default::default()
            },
            3,
            today,
        )
        .unwrap();
        assert_eq!(ok.organisation_id, 3);
        let e = ContactData::from_input(
            &ContactInput {
                contact_date: Some("2026-11-28".into()),
                kind: Some("fax".into()),
                ..Default::default()
            },
            3,
            today,
        )
        .unwrap_err();
        assert!(has(&e, "contact_date", "in_future"));
        assert!(has(&e, "kind", "invalid_choice"));
    }
}
