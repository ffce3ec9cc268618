//! Nobody between chairs: the list of flagged participants an actor may read,
//! and the daily job's aggregate run. The rules are
//! `vagar_domain::between_chairs`; the SQL here selects the same people (the
//! reasons of each listed row are recomputed by the domain function from the
//! facts the query returns).

use crate::access::participants::participant_filter_with_category;
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, micros, Ctx, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use vagar_domain::access::{GlobalAction, ParticipantAction};
use vagar_domain::between_chairs::{contact_cutoff, reasons, Facts, Reason};

/// Largest page of the list.
pub const MAX_PER_PAGE: u32 = 200;

#[derive(Debug, Clone)]
pub struct BetweenChairsQuery {
    /// Flagged for any of these (empty: all reasons).
    pub reasons: Vec<Reason>,
    /// The participant's owning organisation, or an organisation that owns
    /// an open (planned or active) step of their plan.
    pub organisation_id: Option<i64>,
    pub district: Option<String>,
    /// N of `no_recent_contact`.
    pub days: u32,
    pub page: u32,
    pub per_page: u32,
}

impl Default for BetweenChairsQuery {
    fn default() -> Self {
        BetweenChairsQuery {
            reasons: Vec::new(),
            organisation_id: None,
            district: None,
            days: vagar_domain::between_chairs::DEFAULT_DAYS,
            page: 1,
            per_page: 50,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedParticipant {
    pub participant_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub district: Option<String>,
    pub organisation_id: i64,
    pub responsible_caseworker_id: Option<i64>,
    pub registered_on: NaiveDate,
    pub reasons: Vec<Reason>,
    /// The earliest due date of an overdue open step.
    pub overdue_due_date: Option<NaiveDate>,
    pub last_contact_date: Option<NaiveDate>,
    pub active_steps: i64,
}

#[derive(Debug, Clone)]
pub struct BetweenChairsPage {
    pub items: Vec<FlaggedParticipant>,
    /// Participants that match the filters and are flagged for a selected reason.
    pub total: u64,
    /// Among those, how many are flagged for each selected reason.
    pub counts: Vec<(Reason, u64)>,
    pub page: u32,
    pub per_page: u32,
    pub days: u32,
    pub today: NaiveDate,
}

/// Counts of one group (the municipality, or one district).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReasonCounts {
    pub flagged: u64,
    pub no_caseworker: u64,
    pub no_active_step: u64,
    pub overdue_step: u64,
    pub no_recent_contact: u64,
}

impl ReasonCounts {
    pub fn get(&self, r: Reason) -> u64 {
        match r {
            Reason::NoCaseworker => self.no_caseworker,
            Reason::NoActiveStep => self.no_active_step,
            Reason::OverdueStep => self.overdue_step,
            Reason::NoRecentContact => self.no_recent_contact,
        }
    }
}

/// One run of the daily job: aggregates only.
#[derive(Debug, Clone, Serialize)]
pub struct BetweenChairsRun {
    pub id: i64,
    pub run_at: DateTime<Utc>,
    pub run_date: NaiveDate,
    pub days: u32,
    /// Every registered participant.
    pub participants: u64,
    pub total: ReasonCounts,
    /// By district; participants without one under `""`.
    pub by_district: BTreeMap<String, ReasonCounts>,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `SELECT … FROM participants p` with the facts of the rules as columns:
/// `active_steps`, `overdue_due`, `last_contact`. The caller appends WHERE.
fn facts_select(sql: &mut Sql, today: NaiveDate) {
    sql.push(
        "SELECT p.id, p.first_name, p.last_name, p.name_key, p.district, p.organisation_id, \
         p.responsible_caseworker_id, p.registered_on, \
         (SELECT COUNT(*) FROM plan_steps s WHERE s.participant_id = p.id \
         AND s.status = 'active') AS active_steps, \
         (SELECT MIN(s.due_date) FROM plan_steps s WHERE s.participant_id = p.id \
         AND s.status IN ('planned', 'active') AND s.due_date < ",
    )
    .bind(Arg::Text(day(today)))
    .push(
        ") AS overdue_due, \
         (SELECT MAX(c.contact_date) FROM contacts c WHERE c.participant_id = p.id) AS last_contact \
         FROM participants p",
    );
}

/// The SQL condition (on the facts row `t`) of one reason.
fn reason_condition(sql: &mut Sql, r: Reason, cutoff: NaiveDate) {
    match r {
        Reason::NoCaseworker => {
            sql.push("t.responsible_caseworker_id IS NULL");
        }
        Reason::NoActiveStep => {
            sql.push("t.active_steps = 0");
        }
        Reason::OverdueStep => {
            sql.push("t.overdue_due IS NOT NULL");
        }
        Reason::NoRecentContact => {
            sql.push("(t.registered_on < ")
                .bind(Arg::Text(day(cutoff)))
                .push(" AND (t.last_contact IS NULL OR t.last_contact < ")
                .bind(Arg::Text(day(cutoff)))
                .push("))");
        }
    }
}

fn any_of(sql: &mut Sql, rs: &[Reason], cutoff: NaiveDate) {
    sql.push("(");
    for (i, r) in rs.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        reason_condition(sql, *r, cutoff);
    }
    sql.push(")");
}

/// `COALESCE(SUM(CASE WHEN <reason> THEN 1 ELSE 0 END), 0) AS n_<reason>`
/// for every reason.
fn reason_sums(sql: &mut Sql, cutoff: NaiveDate) {
    for r in Reason::ALL {
        sql.push(", COALESCE(SUM(CASE WHEN ");
        reason_condition(sql, *r, cutoff);
        sql.push(&format!(" THEN 1 ELSE 0 END), 0) AS n_{}", r.as_str()));
    }
}

fn row_counts(row: &sqlx::any::AnyRow, flagged: i64) -> Result<ReasonCounts> {
    let n =
        |r: Reason| -> Result<u64> { Ok(get::<i64>(row, &format!("n_{}", r.as_str()))? as u64) };
    Ok(ReasonCounts {
        flagged: flagged as u64,
        no_caseworker: n(Reason::NoCaseworker)?,
        no_active_step: n(Reason::NoActiveStep)?,
        overdue_step: n(Reason::OverdueStep)?,
        no_recent_contact: n(Reason::NoRecentContact)?,
    })
}

fn parse_opt_date(v: Option<String>) -> Result<Option<NaiveDate>> {
    v.as_deref().map(crate::kernel::parse_date).transpose()
}

impl Store {
    /// The participants the actor may read who have fallen between chairs,
    /// filtered and paged, with counts. The ids returned are audited.
    pub async fn between_chairs(
        &self,
        ctx: &Ctx,
        query: &BetweenChairsQuery,
    ) -> Result<BetweenChairsPage> {
        let permit = self
            .authorize_global(ctx, GlobalAction::ListBetweenChairs)
            .await?;
        let today = ctx.today();
        let days = query.days.clamp(1, vagar_domain::between_chairs::MAX_DAYS);
        let cutoff = contact_cutoff(today, days);
        let selected: Vec<Reason> = if query.reasons.is_empty() {
            Reason::ALL.to_vec()
        } else {
            query.reasons.clone()
        };
        let per_page = query.per_page.clamp(1, MAX_PER_PAGE);
        let page = query.page.max(1);
        let offset = i64::from(page - 1) * i64::from(per_page);

        // The facts of every participant the actor may read that the filters keep.
        let inner = |sql: &mut Sql| {
            facts_select(sql, today);
            sql.push(" WHERE ");
            // The reasons reveal action-plan status: a reader by consent sees a
            // person here only if the consent also covers the action plan.
            participant_filter_with_category(
                ctx,
                ParticipantAction::Read,
                Some(vagar_domain::consent::DataCategory::ActionPlan),
                sql,
            );
            if let Some(d) = query
                .district
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                sql.push(" AND p.district = ").bind(Arg::Text(d.into()));
            }
            if let Some(o) = query.organisation_id {
                sql.push(" AND (p.organisation_id = ")
                    .bind(Arg::I64(o))
                    .push(
                        " OR EXISTS (SELECT 1 FROM plan_steps so WHERE so.participant_id = p.id \
                         AND so.status IN ('planned', 'active') AND so.organisation_id = ",
                    )
                    .bind(Arg::I64(o))
                    .push("))");
            }
        };

        let mut count = Sql::new("SELECT COUNT(*) AS total");
        reason_sums(&mut count, cutoff);
        count.push(" FROM (");
        inner(&mut count);
        count.push(") t WHERE ");
        any_of(&mut count, &selected, cutoff);

        let mut list = Sql::new("SELECT t.* FROM (");
        inner(&mut list);
        list.push(") t WHERE ");
        any_of(&mut list, &selected, cutoff);
        list.push(" ORDER BY t.name_key, t.id LIMIT ")
            .bind(Arg::I64(i64::from(per_page)))
            .push(" OFFSET ")
            .bind(Arg::I64(offset));

        let mut tx: Tx = self.begin_audited().await?;
        let row = count.query().fetch_one(&mut *tx).await?;
        let total: i64 = get(&row, "total")?;
        let all_counts = row_counts(&row, total)?;
        let mut items = Vec::new();
        for row in list.query().fetch_all(&mut *tx).await? {
            let registered_on = crate::kernel::parse_date(&get::<String>(&row, "registered_on")?)?;
            let overdue_due_date = parse_opt_date(get(&row, "overdue_due")?)?;
            let last_contact_date = parse_opt_date(get(&row, "last_contact")?)?;
            let responsible_caseworker_id: Option<i64> = get(&row, "responsible_caseworker_id")?;
            let active_steps: i64 = get(&row, "active_steps")?;
            let facts = Facts {
                has_caseworker: responsible_caseworker_id.is_some(),
                has_active_step: active_steps > 0,
                earliest_overdue_due: overdue_due_date,
                last_contact: last_contact_date,
                registered_on,
            };
            items.push(FlaggedParticipant {
                participant_id: get(&row, "id")?,
                first_name: get(&row, "first_name")?,
                last_name: get(&row, "last_name")?,
                district: get(&row, "district")?,
                organisation_id: get(&row, "organisation_id")?,
                responsible_caseworker_id,
                registered_on,
                reasons: reasons(&facts, today, days),
                overdue_due_date,
                last_contact_date,
                active_steps,
            });
        }
        let ids: Vec<i64> = items.iter().map(|i| i.participant_id).collect();
        let detail = format!(
            "reasons={};days={days}",
            selected
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        permit.record(&mut tx, ctx, &detail, &ids).await?;
        tx.commit().await?;
        Ok(BetweenChairsPage {
            items,
            total: total as u64,
            counts: selected.iter().map(|r| (*r, all_counts.get(*r))).collect(),
            page,
            per_page,
            days,
            today,
        })
    }

    /// The daily job: counts per reason and per district over the whole
    /// municipality (no actor, no identities), recorded in
    /// `between_chairs_runs` and as a system audit event.
    pub async fn run_between_chairs(
        &self,
        now: DateTime<Utc>,
        days: u32,
    ) -> Result<BetweenChairsRun> {
        let today = vagar_domain::time::swedish_date(now);
        let days = days.clamp(1, vagar_domain::between_chairs::MAX_DAYS);
        let cutoff = contact_cutoff(today, days);
        let mut sql = Sql::new("SELECT t.district, COUNT(*) AS flagged");
        reason_sums(&mut sql, cutoff);
        sql.push(" FROM (");
        facts_select(&mut sql, today);
        sql.push(") t WHERE ");
        any_of(&mut sql, Reason::ALL, cutoff);
        sql.push(" GROUP BY t.district ORDER BY t.district");
        let mut total = ReasonCounts::default();
        let mut by_district = BTreeMap::new();
        for row in sql.query().fetch_all(&self.pool).await? {
            let district: Option<String> = get(&row, "district")?;
            let c = row_counts(&row, get(&row, "flagged")?)?;
            total.flagged += c.flagged;
            total.no_caseworker += c.no_caseworker;
            total.no_active_step += c.no_active_step;
            total.overdue_step += c.overdue_step;
            total.no_recent_contact += c.no_recent_contact;
            *by_district.entry(district.unwrap_or_default()).or_default() = c;
        }
        let participants: i64 = get(
            &sqlx::query("SELECT COUNT(*) AS n FROM participants")
                .fetch_one(&self.pool)
                .await?,
            "n",
        )?;
        let counts = serde_json::json!({ "total": total, "by_district": by_district });
        let id: i64 = get(
            &sqlx::query(
                "INSERT INTO between_chairs_runs (run_at, run_date, days, participants, flagged, counts) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(micros(now))
            .bind(day(today))
            .bind(i64::from(days))
            .bind(participants)
            .bind(total.flagged as i64)
            .bind(counts.to_string())
            .fetch_one(&self.pool)
            .await?,
            "id",
        )?;
        self.audit_system(
            "alerts.between_chairs.run",
            &format!("run={id};days={days};flagged={}", total.flagged),
        )
        .await?;
        Ok(BetweenChairsRun {
            id,
            run_at: now,
            run_date: today,
            days,
            participants: participants as u64,
            total,
            by_district,
        })
    }

    /// The latest runs of the daily job, newest first (for trends).
    pub async fn between_chairs_runs(&self, limit: i64) -> Result<Vec<BetweenChairsRun>> {
        let rows = sqlx::query(
            "SELECT id, run_at, run_date, days, participants, counts FROM between_chairs_runs \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let counts: serde_json::Value = serde_json::from_str(&get::<String>(&row, "counts")?)
                .map_err(|e| crate::StoreError::Other(e.to_string()))?;
            let parse = |v: &serde_json::Value| -> ReasonCounts {
                let n = |k: &str| v.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
                ReasonCounts {
                    flagged: n("flagged"),
                    no_caseworker: n("no_caseworker"),
                    no_active_step: n("no_active_step"),
                    overdue_step: n("overdue_step"),
                    no_recent_contact: n("no_recent_contact"),
                }
            };
            let by_district = counts["by_district"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), parse(v))).collect())
                .unwrap_or_default();
            out.push(BetweenChairsRun {
                id: get(&row, "id")?,
                run_at: crate::from_micros(get(&row, "run_at")?),
                run_date: crate::kernel::parse_date(&get::<String>(&row, "run_date")?)?,
                days: get::<i64>(&row, "days")? as u32,
                participants: get::<i64>(&row, "participants")? as u64,
                total: parse(&counts["total"]),
                by_district,
            });
        }
        Ok(out)
    }
}
