//! Consent (samtycke): the participant's permission for named organisations
//! to see named categories of their data, for a period, until revoked.
//! In Sweden agencies may share a person's data only with consent, so the
//! access policy wraps every partner rule in a consent check.

pub mod access;

use crate::org::code_enum;
use crate::validation::{optional_text, Dates, ValidationErrors, ANY_YEAR};
use chrono::{DateTime, NaiveDate, Utc};

code_enum!(
    /// What a consent lets an organisation see.
    DataCategory {
        ContactDetails = "contact_details",
        ActionPlan = "action_plan",
        Assessment = "assessment",
        Health = "health",
    }
);

code_enum!(
    /// How the consent was given.
    ConsentMethod {
        Written = "written",
        Verbal = "verbal",
        Digital = "digital",
    }
);

/// Raw input for a new consent: the body of `POST …/consents`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ConsentInput {
    /// At least one organisation id.
    #[schema(max_items = 50)]
    pub organisation_ids: Option<Vec<i64>>,
    /// At least one of contact_details, action_plan, assessment, health.
    #[serde(deserialize_with = "crate::input::null_as_empty")]
    #[schema(max_items = 50)]
    pub categories: Option<Vec<String>>,
    /// YYYY-MM-DD; default today (in Sweden).
    pub valid_from: Option<String>,
    /// YYYY-MM-DD, inclusive; null or absent means until revoked.
    #[serde(deserialize_with = "crate::input::nullable")]
    #[schema(value_type = Option<String>)]
    pub valid_to: Option<Option<String>>,
    /// written, verbal or digital
    #[schema(nullable = false)]
    pub method: Option<String>,
    #[serde(deserialize_with = "crate::input::nullable")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

/// A validated consent, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTerms {
    pub organisation_ids: Vec<i64>,
    pub categories: Vec<DataCategory>,
    pub valid_from: NaiveDate,
    /// Inclusive last day; `None` means until revoked.
    pub valid_to: Option<NaiveDate>,
    pub method: ConsentMethod,
    pub note: Option<String>,
}

/// Consent dates: any year.
const DATES: Dates = Dates {
    years: ANY_YEAR,
    wording: "must be a date as YYYY-MM-DD",
};

impl ConsentTerms {
    pub fn from_input(
        input: &ConsentInput,
        today: NaiveDate,
    ) -> Result<ConsentTerms, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut organisation_ids: Vec<i64> = input.organisation_ids.clone().unwrap_or_default();
        organisation_ids.sort_unstable();
        organisation_ids.dedup();
        if organisation_ids.is_empty() {
            e.add(
                "organisation_ids",
                "required",
                "organisation_ids must name at least one organisation",
            );
        }
        let mut categories = Vec::new();
        for raw in input.categories.iter().flatten() {
            match DataCategory::parse(raw.trim()) {
                Some(c) if !categories.contains(&c) => categories.push(c),
                Some(_) => {}
                None => {
                    e.add(
                        "categories",
                        "invalid_choice",
                        "categories may contain only: contact_details, action_plan, assessment, health",
                    );
                    break;
                }
            }
        }
        categories.sort();
        if input.categories.as_ref().is_none_or(|c| c.is_empty()) {
            e.add(
                "categories",
                "required",
                "categories must name at least one data category",
            );
        }
        let valid_from = match input.valid_from.as_deref().filter(|v| !v.trim().is_empty()) {
            None => Some(today),
            Some(v) => DATES.parse(&mut e, "valid_from", v),
        };
        let valid_to = match input
            .valid_to
            .clone()
            .flatten()
            .filter(|v| !v.trim().is_empty())
        {
            None => None,
            Some(v) => DATES.parse(&mut e, "valid_to", &v),
        };
        if let (Some(from), Some(to)) = (valid_from, valid_to) {
            if to < from {
                e.add(
                    "valid_to",
                    "before_start",
                    "valid_to cannot be before valid_from",
                );
            }
        }
        let method = match input.method.as_deref().map(str::trim) {
            None | Some("") => {
                e.add(
                    "method",
                    "required",
                    "method is required: written, verbal or digital",
                );
                ConsentMethod::Written
            }
            Some(m) => ConsentMethod::parse(m).unwrap_or_else(|| {
                e.add(
                    "method",
                    "invalid_choice",
                    "method must be one of: written, verbal, digital",
                );
                ConsentMethod::Written
            }),
        };
        let note = optional_text(
            &mut e,
            "note",
            input.note.clone().flatten().as_deref(),
            2000,
        );
        match valid_from {
            Some(valid_from) if e.is_empty() => Ok(ConsentTerms {
                organisation_ids,
                categories,
                valid_from,
                valid_to,
                method,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// A stored consent as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentState {
    pub terms: ConsentTerms,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ConsentState {
    /// In force at `now`: started, not past its last day, not revoked.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        let today = crate::time::swedish_date(now);
        self.revoked_at.is_none_or(|r| r > now)
            && self.terms.valid_from <= today
            && self.terms.valid_to.is_none_or(|to| today <= to)
    }

    /// Whether this consent lets `organisation_id` see `category` at `now`.
    pub fn covers(&self, organisation_id: i64, category: DataCategory, now: DateTime<Utc>) -> bool {
        self.in_force(now)
            && self.terms.organisation_ids.contains(&organisation_id)
            && self.terms.categories.contains(&category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn at(d: NaiveDate) -> DateTime<Utc> {
        d.and_hms_opt(12, 0, 0).unwrap().and_utc()
    }

    fn input() -> ConsentInput {
        ConsentInput {
            organisation_ids: Some(vec![3, 2, 3]),
            categories: Some(vec!["action_plan".into(), "contact_details".into()]),
            valid_from: Some("2026-11-01".into()),
            valid_to: Some(Some("2026-12-31".into())),
            method: Some("written".into()),
            note: None,
        }
    }

    #[test]
    fn valid_consent_is_normalised() {
        let t = ConsentTerms::from_input(&input(), today()).unwrap();
        assert_eq!(t.organisation_ids, vec![2, 3]);
        assert_eq!(
            t.categories,
            vec![DataCategory::ContactDetails, DataCategory::ActionPlan]
        );
    }

    #[test]
    fn consent_covers_only_its_organisations_categories_and_period() {
        let c = ConsentState {
            terms: ConsentTerms::from_input(&input(), today()).unwrap(),
            revoked_at: None,
        };
        let now = at(today());
        assert!(c.covers(2, DataCategory::ActionPlan, now));
        assert!(
            !c.covers(4, DataCategory::ActionPlan, now),
            "other organisation"
        );
        assert!(!c.covers(2, DataCategory::Health, now), "other category");
        assert!(
            !c.in_force(at(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap())),
            "expired"
        );
        assert!(
            c.in_force(at(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())),
            "last day included"
        );
        assert!(
            !c.in_force(at(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap())),
            "not yet started"
        );
        let revoked = ConsentState {
            revoked_at: Some(now - chrono::Duration::minutes(1)),
            ..c
        };
        assert!(
            !revoked.covers(2, DataCategory::ActionPlan, now),
            "revoked takes effect at once"
        );
    }

    #[test]
    fn bad_consent_names_each_field() {
        let bad = ConsentInput {
            organisation_ids: Some(vec![]),
            categories: Some(vec!["everything".into()]),
            valid_from: Some("2026-12-01".into()),
            valid_to: Some(Some("2026-11-01".into())),
            method: Some("telepathy".into()),
            note: None,
        };
        let e = ConsentTerms::from_input(&bad, today()).unwrap_err();
        for f in ["organisation_ids", "categories", "valid_to", "method"] {
            assert!(e.for_field(f).is_some(), "{f} not reported: {e}");
        }
    }
}
