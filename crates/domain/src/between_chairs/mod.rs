//! Nobody falls between chairs (SPEC.md, "Collaboration model"): the rules
//! that flag a participant whom no organisation is actively carrying.
//!
//! A participant is flagged with every reason that applies:
//! - `no_caseworker`: no responsible caseworker;
//! - `no_active_step`: no step of their plan has status `active`;
//! - `overdue_step`: a `planned` or `active` step is past its due date (due
//!   before today);
//! - `no_recent_contact`: no contact in the last N days (default 30). The
//!   registration counts as a contact, so a person registered yesterday is not
//!   flagged: flagged when both the last contact (if any) and the
//!   registration date are before `today - N`.
//!
//! The store computes the same rules in SQL for lists and counts; the tests
//! compare both with this definition.

use chrono::NaiveDate;

/// Default N of `no_recent_contact`.
pub const DEFAULT_DAYS: u32 = 30;
/// The largest N accepted (two years).
pub const MAX_DAYS: u32 = 730;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    NoCaseworker,
    NoActiveStep,
    OverdueStep,
    NoRecentContact,
}

impl Reason {
    pub const ALL: &'static [Reason] = &[
        Reason::NoCaseworker,
        Reason::NoActiveStep,
        Reason::OverdueStep,
        Reason::NoRecentContact,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoCaseworker => "no_caseworker",
            Reason::NoActiveStep => "no_active_step",
            Reason::OverdueStep => "overdue_step",
            Reason::NoRecentContact => "no_recent_contact",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.as_str() == s.trim())
    }

    /// A bit per reason, for sets of reasons.
    pub fn bit(self) -> u8 {
        match self {
            Reason::NoCaseworker => 1,
            Reason::NoActiveStep => 2,
            Reason::OverdueStep => 4,
            Reason::NoRecentContact => 8,
        }
    }
}

/// Parse a comma-separated list of reasons (`no_caseworker,overdue_step`);
/// empty means all. `Err` names the first unknown one.
pub fn parse_reasons(s: &str) -> Result<Vec<Reason>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let r = Reason::parse(part).ok_or_else(|| part.to_string())?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    if out.is_empty() {
        out = Reason::ALL.to_vec();
    }
    out.sort();
    Ok(out)
}

/// What the rules look at for one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub has_caseworker: bool,
    pub has_active_step: bool,
    /// The earliest due date of a planned or active step due before today.
    pub earliest_overdue_due: Option<NaiveDate>,
    pub last_contact: Option<NaiveDate>,
    pub registered_on: NaiveDate,
}

/// The first day that still counts as recent for `days`.
pub fn contact_cutoff(today: NaiveDate, days: u32) -> NaiveDate {
    today - chrono::Duration::days(i64::from(days))
}

/// Is a step with this status and due date overdue today?
pub fn step_overdue(status: &str, due: NaiveDate, today: NaiveDate) -> bool {
    matches!(status, "planned" | "active") && due < today
}

/// Every reason that applies, in `Reason::ALL` order.
pub fn reasons(f: &Facts, today: NaiveDate, days: u32) -> Vec<Reason> {
    let mut out = Vec::new();
    if !f.has_caseworker {
        out.push(Reason::NoCaseworker);
    }
    if !f.has_active_step {
        out.push(Reason::NoActiveStep);
    }
    if f.earliest_overdue_due.is_some_and(|d| d < today) {
        out.push(Reason::OverdueStep);
    }
    let cutoff = contact_cutoff(today, days);
    let latest = f
        .last_contact
        .map_or(f.registered_on, |c| c.max(f.registered_on));
    if latest < cutoff {
        out.push(Reason::NoRecentContact);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd as d;

    fn carried() -> Facts {
        Facts {
            has_caseworker: true,
            has_active_step: true,
            earliest_overdue_due: None,
            last_contact: Some(d("2026-11-20")),
            registered_on: d("2026-01-01"),
        }
    }

    #[test]
    fn a_carried_participant_is_not_flagged() {
        assert!(reasons(&carried(), d("2026-11-27"), 30).is_empty());
    }

    #[test]
    fn each_reason_on_its_own() {
        let today = d("2026-11-27");
        let mut f = carried();
        f.has_caseworker = false;
        assert_eq!(reasons(&f, today, 30), vec![Reason::NoCaseworker]);
        let mut f = carried();
        f.has_active_step = false;
        assert_eq!(reasons(&f, today, 30), vec![Reason::NoActiveStep]);
        let mut f = carried();
        f.earliest_overdue_due = Some(d("2026-11-26"));
        assert_eq!(reasons(&f, today, 30), vec![Reason::OverdueStep]);
        let mut f = carried();
        f.last_contact = Some(d("2026-10-28"));
        assert!(
            reasons(&f, today, 30).is_empty(),
            "exactly N days ago is recent"
        );
        f.last_contact = Some(d("2026-10-27"));
        assert_eq!(reasons(&f, today, 30), vec![Reason::NoRecentContact]);
        assert!(reasons(&f, today, 40).is_empty());
    }

    #[test]
    fn registration_counts_as_contact() {
        let today = d("2026-11-27");
        let mut f = carried();
        f.last_contact = None;
        f.registered_on = d("2026-11-26");
        assert!(reasons(&f, today, 30).is_empty());
        f.registered_on = d("2026-10-01");
        assert_eq!(reasons(&f, today, 30), vec![Reason::NoRecentContact]);
    }

    #[test]
    fn overdue_only_for_open_steps() {
        let today = d("2026-11-27");
        assert!(step_overdue("planned", d("2026-11-26"), today));
        assert!(step_overdue("active", d("2026-11-26"), today));
        assert!(!step_overdue("active", d("2026-11-27"), today));
        assert!(!step_overdue("done", d("2026-01-01"), today));
        assert!(!step_overdue("cancelled", d("2026-01-01"), today));
    }

    #[test]
    fn reasons_parse() {
        assert_eq!(parse_reasons("").unwrap(), Reason::ALL.to_vec());
        assert_eq!(
            parse_reasons("overdue_step, no_caseworker").unwrap(),
            vec![Reason::NoCaseworker, Reason::OverdueStep]
        );
        assert_eq!(parse_reasons("x").unwrap_err(), "x");
    }
}
