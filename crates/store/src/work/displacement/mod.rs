//! The displacement check (undanträngning): the assessment of a placement
//! at a host in an occupation, factor by factor, from the host's staff
//! reductions, head count and earlier placements and the occupation's
//! shortage; and the hosts' staff reductions, which re-assess the open
//! placements they touch. Rules are in `vagar_domain::work::displacement`.

use crate::access::employers::EmployerPermit;
use crate::access::Permit;
use crate::audit::Tx;
use crate::kernel::{date_at, one_error};
use crate::work::placements::create::{check_host, with_need};
use crate::work::placements::Host;
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use vagar_domain::access::EmployerAction;
use vagar_domain::access::PlacementAction;
use vagar_domain::work::displacement::{self, Assessment, Facts, ReductionFact};
use vagar_domain::work::displacement::{Reduction, ReductionInput};
use vagar_domain::work::placements::PlacementInput;
use vagar_domain::ValidationErrors;

/// What the displacement dry run and a new placement are assessed on (the
/// dry run's API body).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RiskQuery {
    #[serde(flatten)]
    #[schema(inline)]
    pub host: Host,
    pub occupation_ssyk: Option<String>,
    pub need_id: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    #[schema(nullable = false)]
    pub extra_task: bool,
}

#[derive(Debug, Clone)]
pub struct StaffReduction {
    pub id: i64,
    pub employer_id: i64,
    pub workplace_id: Option<i64>,
    pub occupation_ssyk: String,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn share_limit() -> i64 {
    displacement::share_limit_from(
        std::env::var("VAGAR_DISPLACEMENT_SHARE_PERCENT")
            .ok()
            .as_deref(),
    )
}

/// The refusal of a blocked placement: 422 naming the blocking factor.
pub fn blocked_error(a: &Assessment) -> StoreError {
    let f = a.blocking_factor();
    let code = f.map(|f| f.code.as_str()).unwrap_or("recent_dismissals");
    let text = f.map(|f| f.text.as_str()).unwrap_or("");
    let mut e = ValidationErrors::new();
    e.add(
        "displacement",
        "displacement_blocked",
        format!("blocked by the displacement factor {code}: {text}; an employer coordinator may override with a reason"),
    );
    StoreError::Validation(e)
}

/// Shortage of the occupation in the county, by the newest round covering
/// it there (the whole country when the county has no row); `None` when
/// no round covers it. The same verdict as `Store::is_shortage`, read in
/// the work's transaction.
async fn shortage_in(tx: &mut Tx, ssyk: &str, county: &str) -> Result<Option<bool>> {
    let rows = sqlx::query(
        "SELECT round, recruitment_situation, county_code FROM shortage_occupations \
         WHERE ssyk_code = $1 AND county_code IN ($2, '00') ORDER BY round DESC",
    )
    .bind(ssyk)
    .bind(county)
    .fetch_all(&mut **tx)
    .await?;
    let Some(newest) = rows
        .first()
        .map(|r| get::<String>(r, "round"))
        .transpose()?
    else {
        return Ok(None);
    };
    let mut own = Vec::new();
    let mut country = Vec::new();
    for r in &rows {
        if get::<String>(r, "round")? != newest {
            continue;
        }
        let s: String = get(r, "recruitment_situation")?;
        if get::<String>(r, "county_code")? == county {
            own.push(s);
        } else {
            country.push(s);
        }
    }
    let verdict = if own.is_empty() { country } else { own };
    Ok(Some(verdict.iter().any(|s| s == "shortage")))
}

/// Load the facts of a displacement assessment and assess. `exclude` is
/// the placement itself when it is re-assessed.
pub(crate) async fn assess_in(
    tx: &mut Tx,
    host: &Host,
    ssyk: &str,
    start: NaiveDate,
    end: NaiveDate,
    extra_task: bool,
    exclude: Option<i64>,
) -> Result<Assessment> {
    let exclude = exclude.unwrap_or(0);
    // The county: the workplace's, else the host unit's municipality is not
    // recorded, so Stockholm's (as the needs module does).
    let mut county = "01".to_string();
    let mut staff_count = None;
    if let Some(w) = host.workplace_id {
        if let Some(r) = sqlx::query(
            "SELECT municipality_code, staff_count FROM employer_workplaces WHERE id = $1",
        )
        .bind(w)
        .fetch_optional(&mut **tx)
        .await?
        {
            let m: String = get(&r, "municipality_code")?;
            if let Some(c) = vagar_domain::geo::county_of(&m) {
                county = c.to_string();
            }
            staff_count = get(&r, "staff_count")?;
        }
    }
    let shortage = shortage_in(tx, ssyk, &county).await?;
    let mut reductions = Vec::new();
    if let Some(emp) = host.employer_id {
        let rows = sqlx::query(
            "SELECT occurred_on, persons, kind FROM host_staff_reductions WHERE employer_id = $1 AND occupation_ssyk = $2",
        )
        .bind(emp)
        .bind(ssyk)
        .fetch_all(&mut **tx)
        .await?;
        for r in &rows {
            reductions.push(ReductionFact {
                occurred_on: date_at(r, "occurred_on")?,
                persons: get(r, "persons")?,
                dismissal: get::<String>(r, "kind")? == "dismissal",
            });
        }
    }
    let mut others = 0;
    if let Some(w) = host.workplace_id {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM placements WHERE workplace_id = $1 AND status IN ('planned', 'active') \
             AND start_date <= $2 AND end_date >= $3 AND id <> $4",
        )
        .bind(w)
        .bind(end.to_string())
        .bind(start.to_string())
        .bind(exclude)
        .fetch_one(&mut **tx)
        .await?;
        others = get(&r, "n")?;
    }
    let rows = sqlx::query(
        "SELECT start_date, COALESCE(exit_date, end_date) AS last_day FROM placements \
         WHERE occupation_ssyk = $1 AND status <> 'cancelled' AND id <> $2 \
         AND ((employer_id IS NOT NULL AND employer_id = $3) OR (host_organisation_id IS NOT NULL AND host_organisation_id = $4))",
    )
    .bind(ssyk)
    .bind(exclude)
    .bind(host.employer_id.unwrap_or(0))
    .bind(host.host_organisation_id.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    let mut earlier = Vec::new();
    for r in &rows {
        earlier.push((date_at(r, "start_date")?, date_at(r, "last_day")?));
    }
    Ok(displacement::assess(&Facts {
        start_date: start,
        end_date: end,
        shortage,
        reductions,
        other_placements_at_workplace: others,
        staff_count,
        share_limit_percent: share_limit(),
        earlier_in_role: earlier,
        extra_task,
    }))
}

impl Store {
    /// The displacement dry run: what a placement at this host in this
    /// occupation would be assessed as, before placing anyone.
    pub async fn assess_displacement(&self, ctx: &Ctx, q: &RiskQuery) -> Result<Assessment> {
        let permit = self
            .authorize_placement_role(ctx, PlacementAction::Assess, "placement.risk")
            .await?;
        let mut tx = self.begin_audited().await?;
        let mut e = ValidationErrors::new();
        let mut host = q.host;
        let mut input = PlacementInput {
            occupation_ssyk: q.occupation_ssyk.clone(),
            ..Default::default()
        };
        with_need(&mut tx, q.need_id, &mut host, &mut input, &mut e).await?;
        // A need that is filled still explains: only its fit matters here.
        e.0.retain(|f| f.code != "need_not_open");
        check_host(&mut tx, &host, &mut e).await?;
        let ssyk = input.occupation_ssyk.unwrap_or_default();
        if !vagar_domain::taxonomy::is_ssyk4(ssyk.trim()) {
            e.add(
                "occupation_ssyk",
                "required",
                "occupation_ssyk must be an SSYK level-4 code (or give a need)",
            );
        }
        let parse = |field: &str, v: &Option<String>, e: &mut ValidationErrors| {
            let d = v
                .as_deref()
                .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
            if d.is_none() {
                e.add(
                    field,
                    "invalid_date",
                    format!("{field} must be a date as YYYY-MM-DD"),
                );
            }
            d
        };
        let start = parse("start_date", &q.start_date, &mut e);
        let end = parse("end_date", &q.end_date, &mut e);
        if let (Some(s), Some(t)) = (start, end) {
            if t < s {
                e.add(
                    "end_date",
                    "before_start",
                    "end_date must not be before start_date",
                );
            }
        }
        let (Some(start), Some(end)) = (start, end) else {
            return Err(StoreError::Validation(e));
        };
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let a = assess_in(&mut tx, &host, ssyk.trim(), start, end, q.extra_task, None).await?;
        let detail = format!("level {}", a.level.as_str());
        permit
            .record(&mut tx, ctx, "placement.risk", &detail, &[])
            .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Record a notice or dismissal at an employer (coordinators, as the
    /// employer register's `Manage`). The employer's open placements in that
    /// occupation are assessed again in the same transaction: they become
    /// `blocked` (shown on their pages) until a coordinator overrides or
    /// ends them.
    pub async fn record_staff_reduction(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &ReductionInput,
    ) -> Result<StaffReduction> {
        let event = "employer.staff_reduction.create";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let r = Reduction::from_input(input, ctx.today()).map_err(StoreError::Validation)?;
        if let Some(w) = r.workplace_id {
            let n = sqlx::query(
                "SELECT COUNT(*) AS n FROM employer_workplaces WHERE id = $1 AND employer_id = $2",
            )
            .bind(w)
            .bind(employer_id)
            .fetch_one(&mut *tx)
            .await?;
            if get::<i64>(&n, "n")? == 0 {
                return Err(one_error(
                    "workplace_id",
                    "not_of_employer",
                    "workplace_id must be a workplace of the employer",
                ));
            }
        }
        let row = sqlx::query(
            "INSERT INTO host_staff_reductions (employer_id, workplace_id, occupation_ssyk, kind, occurred_on, persons, note, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(employer_id)
        .bind(r.workplace_id)
        .bind(r.occupation_ssyk.as_str())
        .bind(r.kind.as_str())
        .bind(r.occurred_on.to_string())
        .bind(r.persons)
        .bind(r.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        reassess_at(&mut tx, ctx, &permit, employer_id, &r.occupation_ssyk).await?;
        let out = load_reductions(&mut tx, employer_id, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record a workplace's head count (the base of the share of subsidised
    /// and programme workers), as the register's `Manage`.
    pub async fn set_staff_count(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        workplace_id: i64,
        staff_count: Option<i64>,
    ) -> Result<WorkplaceStaff> {
        let event = "employer.workplace.staff_count";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        if staff_count.is_some_and(|n| !(1..=1_000_000).contains(&n)) {
            return Err(one_error(
                "staff_count",
                "out_of_range",
                "staff_count must be from 1 to 1000000",
            ));
        }
        let done = sqlx::query(
            "UPDATE employer_workplaces SET staff_count = $1 WHERE id = $2 AND employer_id = $3",
        )
        .bind(staff_count)
        .bind(workplace_id)
        .bind(employer_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let out = load_workplace_staff(&mut tx, employer_id)
            .await?
            .into_iter()
            .find(|w| w.id == workplace_id)
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(out)
    }

    /// The employer's workplaces with their head counts.
    pub async fn workplace_staff(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<WorkplaceStaff>> {
        let event = "employer.workplace.list";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, employer_id, event)
            .await?;
        let out = load_workplace_staff(&mut tx, employer_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn list_staff_reductions(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<StaffReduction>> {
        let event = "employer.staff_reduction.list";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, employer_id, event)
            .await?;
        let out = load_reductions(&mut tx, employer_id, None).await?;
        tx.commit().await?;
        Ok(out)
    }
}

async fn reassess_at(
    tx: &mut Tx,
    ctx: &Ctx,
    permit: &EmployerPermit,
    employer_id: i64,
    ssyk: &str,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, participant_id, workplace_id, start_date, end_date, extra_task FROM placements \
         WHERE employer_id = $1 AND occupation_ssyk = $2 AND status IN ('planned', 'active')",
    )
    .bind(employer_id)
    .bind(ssyk)
    .fetch_all(&mut **tx)
    .await?;
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let host = Host {
            employer_id: Some(employer_id),
            workplace_id: get(r, "workplace_id")?,
            host_organisation_id: None,
        };
        let extra: i64 = get(r, "extra_task")?;
        let a = assess_in(
            tx,
            &host,
            ssyk,
            date_at(r, "start_date")?,
            date_at(r, "end_date")?,
            extra != 0,
            Some(id),
        )
        .await?;
        sqlx::query("UPDATE placements SET risk_level = $1, risk_explanation = $2, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(a.level.as_str())
            .bind(serde_json::to_string(&a.factors).unwrap_or_else(|_| "[]".into()))
            .bind(micros(ctx.now))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        let detail = format!("placement {id}: {}", a.level.as_str());
        let ids = [get::<i64>(r, "participant_id")?];
        permit
            .record(tx, ctx, "placement.reassess", &detail, &ids)
            .await?;
    }
    Ok(())
}

/// A workplace and its head count.
#[derive(Debug, Clone)]
pub struct WorkplaceStaff {
    pub id: i64,
    pub name: String,
    pub staff_count: Option<i64>,
}

async fn load_workplace_staff(tx: &mut Tx, employer_id: i64) -> Result<Vec<WorkplaceStaff>> {
    let rows = sqlx::query("SELECT id, name, staff_count FROM employer_workplaces WHERE employer_id = $1 ORDER BY name, id")
        .bind(employer_id)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(WorkplaceStaff {
                id: get(r, "id")?,
                name: get(r, "name")?,
                staff_count: get(r, "staff_count")?,
            })
        })
        .collect()
}

async fn load_reductions(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<StaffReduction>> {
    let rows = sqlx::query(
        "SELECT id, employer_id, workplace_id, occupation_ssyk, kind, occurred_on, persons, note, created_at \
         FROM host_staff_reductions WHERE employer_id = $1 AND ($2 = 0 OR id = $3) ORDER BY occurred_on DESC, id DESC",
    )
    .bind(employer_id)
    .bind(only.map_or(0_i64, |_| 1))
    .bind(only.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StaffReduction {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                workplace_id: get(r, "workplace_id")?,
                occupation_ssyk: get(r, "occupation_ssyk")?,
                kind: get(r, "kind")?,
                occurred_on: date_at(r, "occurred_on")?,
                persons: get(r, "persons")?,
                note: get(r, "note")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}
