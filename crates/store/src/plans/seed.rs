//! Bulk inserts for the synthetic city's collaboration data (consents, plans,
//! steps, contacts): `vagar seed` only, never a request. Multi-row statements
//! through [`crate::kernel::bulk`], ids allocated in the transaction so steps
//! and consent rows can name their parents without a round trip per row.

use crate::kernel::bulk::{insert_rows, next_id, sync_id_sequences};
use crate::kernel::sql::Arg;
use crate::kernel::{date_text as day, micros_at};
use crate::{Result, Store};
use chrono::NaiveDate;

/// A time on `d` (10:00 UTC), for the created/recorded columns.
fn at(d: NaiveDate) -> i64 {
    micros_at(d, 10)
}

#[derive(Debug, Clone)]
pub struct ConsentRow {
    pub participant_id: i64,
    pub organisation_ids: Vec<i64>,
    pub categories: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub method: String,
    pub revoked_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct StepRow {
    pub organisation_id: i64,
    pub activity_type: String,
    pub activity_text: Option<String>,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct PlanRow {
    pub participant_id: i64,
    pub goal_kind: String,
    pub ssyk_code: Option<String>,
    pub goal_title: String,
    pub created_on: NaiveDate,
    pub steps: Vec<StepRow>,
}

#[derive(Debug, Clone)]
pub struct ContactRow {
    pub participant_id: i64,
    pub date: NaiveDate,
    pub organisation_id: i64,
    pub kind: String,
}

#[derive(Debug, Clone, Default)]
pub struct CollabRows {
    pub consents: Vec<ConsentRow>,
    pub plans: Vec<PlanRow>,
    pub contacts: Vec<ContactRow>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CollabCounts {
    pub consents: u64,
    pub plans: u64,
    pub steps: u64,
    pub contacts: u64,
}

impl std::ops::AddAssign for CollabCounts {
    fn add_assign(&mut self, o: CollabCounts) {
        self.consents += o.consents;
        self.plans += o.plans;
        self.steps += o.steps;
        self.contacts += o.contacts;
    }
}

impl Store {
    /// Insert one batch of collaboration data, recorded by `user_id` of
    /// `organisation_id` (a caseworker of the home unit), in one transaction.
    pub async fn seed_collaboration(
        &self,
        rows: &CollabRows,
        user_id: i64,
        organisation_id: i64,
    ) -> Result<CollabCounts> {
        let mut tx = self.pool.begin().await?;
        let mut counts = CollabCounts::default();

        // Consents with their organisations, categories and events.
        let mut id = next_id(&mut tx, "consents").await?;
        let mut consents = Vec::new();
        let mut orgs = Vec::new();
        let mut cats = Vec::new();
        let mut events = Vec::new();
        for c in &rows.consents {
            let recorded = at(c.valid_from);
            let revoked = c.revoked_on.map(at);
            consents.push(vec![
                Arg::I64(id),
                Arg::I64(c.participant_id),
                Arg::Text(day(c.valid_from)),
                Arg::OptText(c.valid_to.map(day)),
                Arg::Text(c.method.clone()),
                Arg::I64(user_id),
                Arg::I64(recorded),
                Arg::OptI64(revoked),
                Arg::OptI64(revoked.map(|_| user_id)),
                Arg::OptText(revoked.map(|_| "Återkallat av deltagaren".to_string())),
            ]);
            for o in &c.organisation_ids {
                orgs.push(vec![Arg::I64(id), Arg::I64(*o)]);
            }
            for cat in &c.categories {
                cats.push(vec![Arg::I64(id), Arg::Text(cat.clone())]);
            }
            let event = |kind: &str, at: i64, reason: Option<String>| {
                vec![
                    Arg::I64(id),
                    Arg::I64(c.participant_id),
                    Arg::Text(kind.into()),
                    Arg::I64(user_id),
                    Arg::I64(organisation_id),
                    Arg::I64(at),
                    Arg::OptText(reason),
                ]
            };
            events.push(event("created", recorded, None));
            if let Some(r) = revoked {
                events.push(event("revoked", r, Some("Återkallat av deltagaren".into())));
            }
            id += 1;
        }
        counts.consents = insert_rows(
            &mut tx,
            "consents",
            &[
                "id",
                "participant_id",
                "valid_from",
                "valid_to",
                "method",
                "recorded_by",
                "recorded_at",
                "revoked_at",
                "revoked_by",
                "revoke_reason",
            ],
            consents,
        )
        .await?;
        insert_rows(
            &mut tx,
            "consent_organisations",
            &["consent_id", "organisation_id"],
            orgs,
        )
        .await?;
        insert_rows(
            &mut tx,
            "consent_categories",
            &["consent_id", "category"],
            cats,
        )
        .await?;
        insert_rows(
            &mut tx,
            "consent_events",
            &[
                "consent_id",
                "participant_id",
                "kind",
                "user_id",
                "organisation_id",
                "at",
                "reason",
            ],
            events,
        )
        .await?;

        // Plans and their steps.
        let mut plan_id = next_id(&mut tx, "action_plans").await?;
        let mut plans = Vec::new();
        let mut steps = Vec::new();
        for p in &rows.plans {
            let created = at(p.created_on);
            plans.push(vec![
                Arg::I64(plan_id),
                Arg::I64(p.participant_id),
                Arg::Text(p.goal_kind.clone()),
                Arg::OptText(p.ssyk_code.clone()),
                Arg::Text(p.goal_title.clone()),
                Arg::I64(user_id),
                Arg::I64(created),
                Arg::I64(user_id),
                Arg::I64(created),
            ]);
            for s in &p.steps {
                let t = created;
                steps.push(vec![
                    Arg::I64(plan_id),
                    Arg::I64(p.participant_id),
                    Arg::Text(s.activity_type.clone()),
                    Arg::OptText(s.activity_text.clone()),
                    Arg::I64(s.organisation_id),
                    Arg::Text(day(s.start_date)),
                    Arg::Text(day(s.due_date)),
                    Arg::Text(s.status.clone()),
                    Arg::I64(user_id),
                    Arg::I64(t),
                    Arg::I64(user_id),
                    Arg::I64(t),
                ]);
            }
            plan_id += 1;
        }
        counts.plans = insert_rows(
            &mut tx,
            "action_plans",
            &[
                "id",
                "participant_id",
                "goal_kind",
                "ssyk_code",
                "goal_title",
                "created_by",
                "created_at",
                "updated_by",
                "updated_at",
            ],
            plans,
        )
        .await?;
        counts.steps = insert_rows(
            &mut tx,
            "plan_steps",
            &[
                "plan_id",
                "participant_id",
                "activity_type",
                "activity_text",
                "organisation_id",
                "start_date",
                "due_date",
                "status",
                "created_by",
                "created_at",
                "updated_by",
                "updated_at",
            ],
            steps,
        )
        .await?;

        let contacts = rows
            .contacts
            .iter()
            .map(|c| {
                vec![
                    Arg::I64(c.participant_id),
                    Arg::Text(day(c.date)),
                    Arg::I64(c.organisation_id),
                    Arg::Text(c.kind.clone()),
                    Arg::I64(user_id),
                    Arg::I64(at(c.date)),
                ]
            })
            .collect();
        counts.contacts = insert_rows(
            &mut tx,
            "contacts",
            &[
                "participant_id",
                "contact_date",
                "organisation_id",
                "kind",
                "recorded_by",
                "recorded_at",
            ],
            contacts,
        )
        .await?;

        // Explicit ids do not move the identity sequences.
        sync_id_sequences(&mut tx, self.backend, &["consents", "action_plans"]).await?;
        tx.commit().await?;
        Ok(counts)
    }
}
