//! The steering group (styrgrupp): member organisations, meetings, cases
//! referred to it and its decisions. Pure validation; the policy is in
//! `access.rs` (`SteeringAction`), storage in the store's `steering` module.

pub mod access;

use crate::org::code_enum;
use crate::validation::{optional_text, required_text, REGISTER_DATES};
use crate::ValidationErrors;
use chrono::NaiveDate;

code_enum!(
    /// A case referred to the group: open until the group decides, then closed.
    CaseStatus {
        Open = "open",
        Decided = "decided",
        Closed = "closed",
    }
);

code_enum!(
    /// A decision's follow-up status.
    DecisionStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        Cancelled = "cancelled",
    }
);

fn status(e: &mut ValidationErrors, v: Option<&str>) -> Option<DecisionStatus> {
    let v = v?;
    let s = DecisionStatus::parse(v.trim());
    if s.is_none() {
        e.add(
            "status",
            "invalid",
            "status must be open, in_progress, done or cancelled",
        );
    }
    s
}

fn ids(e: &mut ValidationErrors, field: &str, v: &[i64]) -> Vec<i64> {
    if v.iter().any(|i| *i <= 0) {
        e.add(field, "invalid", format!("{field} must hold positive ids"));
    }
    let mut out = v.to_vec();
    out.sort_unstable();
    out.dedup();
    out
}

/// A steering group as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GroupInput {
    /// At most 200 characters.
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// The member organisations (at least one, existing).
    #[serde(deserialize_with = "crate::input::null_as_default")]
    #[schema(value_type = Option<Vec<i64>>, max_items = 200)]
    pub organisation_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupData {
    pub name: String,
    pub organisation_ids: Vec<i64>,
}

impl GroupData {
    pub fn from_input(i: &GroupInput) -> Result<GroupData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", i.name.as_deref(), 200);
        let organisation_ids = ids(&mut e, "organisation_ids", &i.organisation_ids);
        if organisation_ids.is_empty() {
            e.add(
                "organisation_ids",
                "required",
                "organisation_ids must name at least one member organisation",
            );
        }
        e.into_result(GroupData {
            name,
            organisation_ids,
        })
    }
}

/// A meeting as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeetingInput {
    /// YYYY-MM-DD
    #[schema(nullable = false)]
    pub meeting_date: Option<String>,
    #[serde(deserialize_with = "crate::input::nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingData {
    pub meeting_date: NaiveDate,
    pub notes: Option<String>,
}

impl MeetingData {
    pub fn from_input(i: &MeetingInput) -> Result<MeetingData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let d = match i.meeting_date.as_deref() {
            None => {
                e.add("meeting_date", "required", "meeting_date is required");
                None
            }
            Some(v) => REGISTER_DATES.parse(&mut e, "meeting_date", v),
        };
        let notes = optional_text(
            &mut e,
            "notes",
            i.notes.clone().flatten().as_deref(),
            10_000,
        );
        match d {
            Some(meeting_date) if e.is_empty() => Ok(MeetingData {
                meeting_date,
                notes,
            }),
            _ => Err(e),
        }
    }
}

/// A case as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CaseInput {
    /// A participant the caller may read (otherwise 404).
    #[schema(nullable = false, minimum = 1)]
    pub participant_id: Option<i64>,
    /// What the group is asked to decide (at most 4000 characters).
    #[schema(nullable = false)]
    pub question: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseData {
    pub participant_id: i64,
    pub question: String,
}

impl CaseData {
    pub fn from_input(i: &CaseInput) -> Result<CaseData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if i.participant_id.is_none() {
            e.add("participant_id", "required", "participant_id is required");
        }
        let question = required_text(&mut e, "question", i.question.as_deref(), 4000);
        e.into_result(CaseData {
            participant_id: i.participant_id.unwrap_or(0),
            question,
        })
    }
}

/// The decision itself (the step changes it makes are plan steps, validated
/// by the plan rules).
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub text: Option<String>,
    pub case_id: Option<Option<i64>>,
    pub meeting_id: Option<Option<i64>>,
    pub organisation_ids: Vec<i64>,
    pub participant_ids: Vec<i64>,
    pub follow_up_date: Option<Option<String>>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionData {
    pub text: String,
    pub case_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub organisation_ids: Vec<i64>,
    pub participant_ids: Vec<i64>,
    pub follow_up_date: Option<NaiveDate>,
    pub status: DecisionStatus,
}

impl DecisionData {
    pub fn from_input(i: &DecisionInput) -> Result<DecisionData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let text = required_text(&mut e, "text", i.text.as_deref(), 4000);
        let organisation_ids = ids(&mut e, "organisation_ids", &i.organisation_ids);
        let participant_ids = ids(&mut e, "participant_ids", &i.participant_ids);
        let follow_up_date = match i.follow_up_date.clone().flatten() {
            Some(v) => REGISTER_DATES.parse(&mut e, "follow_up_date", &v),
            None => None,
        };
        let status = status(&mut e, i.status.as_deref()).unwrap_or(DecisionStatus::Open);
        e.into_result(DecisionData {
            text,
            case_id: i.case_id.flatten(),
            meeting_id: i.meeting_id.flatten(),
            organisation_ids,
            participant_ids,
            follow_up_date,
            status,
        })
    }
}

/// A change of a decision's follow-up: status and/or follow-up date.
#[derive(Debug, Clone, Default)]
pub struct DecisionPatch {
    pub status: Option<String>,
    pub follow_up_date: Option<Option<String>>,
}

/// One changed field of a decision, kept as history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl DecisionPatch {
    /// The changed fields, validated against the current values.
    pub fn apply(
        &self,
        status_now: DecisionStatus,
        follow_up_now: Option<NaiveDate>,
    ) -> Result<(DecisionStatus, Option<NaiveDate>, Vec<DecisionChange>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.status.is_none() && self.follow_up_date.is_none() {
            e.add(
                "status",
                "required",
                "give status and/or follow_up_date to change",
            );
        }
        let st = status(&mut e, self.status.as_deref()).unwrap_or(status_now);
        let fu = match &self.follow_up_date {
            None => follow_up_now,
            Some(None) => None,
            Some(Some(v)) => REGISTER_DATES.parse(&mut e, "follow_up_date", v),
        };
        let mut changes = vec![];
        if st != status_now {
            changes.push(DecisionChange {
                field: "status",
                old: Some(status_now.as_str().into()),
                new: Some(st.as_str().into()),
            });
        }
        if fu != follow_up_now {
            let t = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
            changes.push(DecisionChange {
                field: "follow_up_date",
                old: t(follow_up_now),
                new: t(fu),
            });
        }
        e.into_result((st, fu, changes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_needs_text_and_valid_dates_and_status() {
        let e = DecisionData::from_input(&DecisionInput {
            follow_up_date: Some(Some("2026-13-01".into())),
            status: Some("maybe".into()),
            ..Default::default()
        })
        .unwrap_err();
        for f in ["text", "follow_up_date", "status"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let d = DecisionData::from_input(&DecisionInput {
            text: Some(" Pröva-på-studier med försörjningsstöd ".into()),
            organisation_ids: vec![3, 1, 3],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(d.status, DecisionStatus::Open);
        assert_eq!(d.organisation_ids, vec![1, 3]);
    }

    #[test]
    fn a_patch_lists_what_changed() {
        let p = DecisionPatch {
            status: Some("done".into()),
            follow_up_date: Some(None),
        };
        let d = NaiveDate::from_ymd_opt(2026, 12, 1);
        let (s, f, c) = p.apply(DecisionStatus::Open, d).unwrap();
        assert_eq!((s, f), (DecisionStatus::Done, None));
        assert_eq!(c.len(), 2);
        assert!(DecisionPatch::default()
            .apply(DecisionStatus::Open, None)
            .is_err());
    }
}
