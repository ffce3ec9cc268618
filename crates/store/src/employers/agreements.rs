//! An employer's partnership agreements (with their outcomes and progress
//! against the yearly targets) and social-procurement contracts (with the
//! monthly fulfilment): listed under the employer's `Read`, recorded under
//! its `Manage`.

use super::{bad, child_rows, detail, Partnership, PartnershipOutcome, ProcurementContract};
use crate::access::Permit;
use crate::audit::Tx;
use crate::kernel::bulk::{insert_returning_id, insert_row};
use crate::kernel::{commit, date_at, date_text, opt_date_at, the_one};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::NaiveDate;
use vagar_domain::access::EmployerAction;
use vagar_domain::employers::{
    fulfilment, month_text, parse_month, partnership_progress, FulfilmentInput, FulfilmentRow,
    OutcomeData, OutcomeInput, OutcomeKind, PartnershipData, PartnershipInput, ProcurementData,
    ProcurementInput, Requirement, RequirementKind,
};

pub(super) async fn load_partnerships(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<Partnership>> {
    let columns = "id, employer_id, name, valid_from, valid_to, target_placements_per_year, \
         target_hires_per_year, note, created_at";
    let rows = child_rows(
        tx,
        columns,
        "partnership_agreements",
        employer_id,
        only,
        "id",
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let mut p = Partnership {
            id,
            employer_id: get(r, "employer_id")?,
            name: get(r, "name")?,
            valid_from: date_at(r, "valid_from")?,
            valid_to: opt_date_at(r, "valid_to")?,
            target_placements_per_year: get(r, "target_placements_per_year")?,
            target_hires_per_year: get(r, "target_hires_per_year")?,
            note: get(r, "note")?,
            created_at: from_micros(get(r, "created_at")?),
            outcomes: vec![],
            progress: vec![],
        };
        let orows = sqlx::query(
            "SELECT id, agreement_id, occurred_on, kind, note, created_at FROM partnership_outcomes \
             WHERE agreement_id = $1 ORDER BY occurred_on, id",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        for o in &orows {
            let kind: String = get(o, "kind")?;
            p.outcomes.push(PartnershipOutcome {
                id: get(o, "id")?,
                agreement_id: id,
                occurred_on: date_at(o, "occurred_on")?,
                kind: OutcomeKind::parse(&kind).ok_or_else(|| bad("outcome kind"))?,
                note: get(o, "note")?,
                created_at: from_micros(get(o, "created_at")?),
            });
        }
        let facts: Vec<(NaiveDate, OutcomeKind)> =
            p.outcomes.iter().map(|o| (o.occurred_on, o.kind)).collect();
        p.progress = partnership_progress(
            p.valid_from,
            p.valid_to,
            p.target_placements_per_year,
            p.target_hires_per_year,
            today,
            &facts,
        );
        out.push(p);
    }
    Ok(out)
}

pub(super) async fn load_contracts(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<ProcurementContract>> {
    let columns =
        "id, employer_id, contract_name, contract_reference, procuring_unit, period_from, \
         period_to, requirement_kind, required_placements, required_hours_share_permille, note, \
         created_at";
    let rows = child_rows(
        tx,
        columns,
        "procurement_contracts",
        employer_id,
        only,
        "id",
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let kind: String = get(r, "requirement_kind")?;
        let requirement = match RequirementKind::parse(&kind) {
            Some(RequirementKind::Placements) => {
                Requirement::Placements(get::<Option<i64>>(r, "required_placements")?.unwrap_or(0))
            }
            Some(RequirementKind::HoursShare) => Requirement::HoursShare(
                get::<Option<i64>>(r, "required_hours_share_permille")?.unwrap_or(0),
            ),
            None => return Err(bad("requirement kind")),
        };
        let period_from = date_at(r, "period_from")?;
        let period_to = date_at(r, "period_to")?;
        let mrows = sqlx::query(
            "SELECT month, placements, contract_hours, target_group_hours FROM procurement_fulfilment \
             WHERE contract_id = $1 ORDER BY month",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let mut months = Vec::with_capacity(mrows.len());
        for m in &mrows {
            let month: String = get(m, "month")?;
            months.push(FulfilmentRow {
                month: parse_month(&month).ok_or_else(|| bad("month"))?,
                placements: get(m, "placements")?,
                contract_hours: get(m, "contract_hours")?,
                target_group_hours: get(m, "target_group_hours")?,
            });
        }
        let f = fulfilment(period_from, period_to, requirement, &months, today);
        out.push(ProcurementContract {
            id,
            employer_id: get(r, "employer_id")?,
            contract_name: get(r, "contract_name")?,
            contract_reference: get(r, "contract_reference")?,
            procuring_unit: get(r, "procuring_unit")?,
            period_from,
            period_to,
            requirement,
            note: get(r, "note")?,
            created_at: from_micros(get(r, "created_at")?),
            months,
            fulfilment: f,
        });
    }
    Ok(out)
}

pub(super) async fn insert_partnership(
    tx: &mut Tx,
    employer_id: i64,
    d: &PartnershipData,
    by: Option<i64>,
    at: i64,
) -> Result<i64> {
    insert_returning_id(
        tx,
        "partnership_agreements",
        &[
            "employer_id",
            "name",
            "valid_from",
            "valid_to",
            "target_placements_per_year",
            "target_hires_per_year",
            "note",
            "created_by",
            "created_at",
        ],
        vec![
            employer_id.into(),
            d.name.as_str().into(),
            date_text(d.valid_from).into(),
            d.valid_to.map(date_text).into(),
            d.target_placements_per_year.into(),
            d.target_hires_per_year.into(),
            d.note.as_deref().into(),
            by.into(),
            at.into(),
        ],
    )
    .await
}

pub(super) async fn insert_outcome(
    tx: &mut Tx,
    agreement_id: i64,
    d: &OutcomeData,
    by: Option<i64>,
    at: i64,
) -> Result<i64> {
    insert_returning_id(
        tx,
        "partnership_outcomes",
        &[
            "agreement_id",
            "occurred_on",
            "kind",
            "note",
            "created_by",
            "created_at",
        ],
        vec![
            agreement_id.into(),
            date_text(d.occurred_on).into(),
            d.kind.as_str().into(),
            d.note.as_deref().into(),
            by.into(),
            at.into(),
        ],
    )
    .await
}

pub(super) async fn insert_contract(
    tx: &mut Tx,
    employer_id: i64,
    d: &ProcurementData,
    by: Option<i64>,
    at: i64,
) -> Result<i64> {
    let (placements, share) = match d.requirement {
        Requirement::Placements(n) => (Some(n), None),
        Requirement::HoursShare(n) => (None, Some(n)),
    };
    insert_returning_id(
        tx,
        "procurement_contracts",
        &[
            "employer_id",
            "contract_name",
            "contract_reference",
            "procuring_unit",
            "period_from",
            "period_to",
            "requirement_kind",
            "required_placements",
            "required_hours_share_permille",
            "note",
            "created_by",
            "created_at",
        ],
        vec![
            employer_id.into(),
            d.contract_name.as_str().into(),
            d.contract_reference.as_deref().into(),
            d.procuring_unit.as_str().into(),
            date_text(d.period_from).into(),
            date_text(d.period_to).into(),
            d.requirement.kind().as_str().into(),
            placements.into(),
            share.into(),
            d.note.as_deref().into(),
            by.into(),
            at.into(),
        ],
    )
    .await
}

pub(super) async fn insert_fulfilment(
    tx: &mut Tx,
    contract_id: i64,
    row: &FulfilmentRow,
    by: Option<i64>,
    at: i64,
) -> Result<()> {
    insert_row(
        tx,
        "procurement_fulfilment",
        &[
            "contract_id",
            "month",
            "placements",
            "contract_hours",
            "target_group_hours",
            "created_by",
            "created_at",
        ],
        vec![
            contract_id.into(),
            month_text(row.month).into(),
            row.placements.into(),
            row.contract_hours.into(),
            row.target_group_hours.into(),
            by.into(),
            at.into(),
        ],
    )
    .await
}

impl Store {
    pub async fn list_partnerships(&self, ctx: &Ctx, employer_id: i64) -> Result<Vec<Partnership>> {
        let event = "employer.partnership.list";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, employer_id, event)
            .await?;
        let p = load_partnerships(&mut tx, employer_id, None, ctx.today()).await?;
        commit(tx, p).await
    }

    pub async fn add_partnership(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &PartnershipInput,
    ) -> Result<Partnership> {
        let event = "employer.partnership.create";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let d = PartnershipData::from_input(input).map_err(StoreError::Validation)?;
        let by = Some(ctx.actor.user_id);
        let id = insert_partnership(&mut tx, employer_id, &d, by, micros(ctx.now)).await?;
        let detail = detail(employer_id, "partnership", id);
        permit
            .record(&mut tx, ctx, "employer.partnership.created", &detail, &[])
            .await?;
        let p = load_partnerships(&mut tx, employer_id, Some(id), ctx.today()).await?;
        commit(tx, the_one(p)?).await
    }

    /// Record a placement or hire under an agreement of this employer;
    /// returns the agreement with its recomputed progress.
    pub async fn add_partnership_outcome(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        agreement_id: i64,
        input: &OutcomeInput,
    ) -> Result<Partnership> {
        let event = "employer.partnership.outcome.create";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let today = ctx.today();
        let only = Some(agreement_id);
        let agreement = the_one(load_partnerships(&mut tx, employer_id, only, today).await?)?;
        let d = OutcomeData::from_input(input, agreement.valid_from, agreement.valid_to, today)
            .map_err(StoreError::Validation)?;
        let by = Some(ctx.actor.user_id);
        let id = insert_outcome(&mut tx, agreement_id, &d, by, micros(ctx.now)).await?;
        let detail = format!("employer {employer_id} partnership {agreement_id} outcome {id}");
        permit
            .record(
                &mut tx,
                ctx,
                "employer.partnership.outcome.created",
                &detail,
                &[],
            )
            .await?;
        let p = the_one(load_partnerships(&mut tx, employer_id, only, today).await?)?;
        commit(tx, p).await
    }

    pub async fn list_procurement_contracts(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<ProcurementContract>> {
        let event = "employer.procurement.list";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, employer_id, event)
            .await?;
        let c = load_contracts(&mut tx, employer_id, None, ctx.today()).await?;
        commit(tx, c).await
    }

    pub async fn add_procurement_contract(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &ProcurementInput,
    ) -> Result<ProcurementContract> {
        let event = "employer.procurement.create";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let d = ProcurementData::from_input(input).map_err(StoreError::Validation)?;
        let by = Some(ctx.actor.user_id);
        let id = insert_contract(&mut tx, employer_id, &d, by, micros(ctx.now)).await?;
        let detail = detail(employer_id, "procurement contract", id);
        permit
            .record(&mut tx, ctx, "employer.procurement.created", &detail, &[])
            .await?;
        let c = load_contracts(&mut tx, employer_id, Some(id), ctx.today()).await?;
        commit(tx, the_one(c)?).await
    }

    /// Report (or correct) one month of a contract's fulfilment; returns the
    /// contract with its recomputed fulfilment.
    pub async fn put_procurement_fulfilment(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        contract_id: i64,
        month: &str,
        input: &FulfilmentInput,
    ) -> Result<ProcurementContract> {
        let event = "employer.procurement.fulfilment.put";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let today = ctx.today();
        let only = Some(contract_id);
        let c = the_one(load_contracts(&mut tx, employer_id, only, today).await?)?;
        let row = FulfilmentRow::from_input(month, input, c.period_from, c.period_to)
            .map_err(StoreError::Validation)?;
        let m = month_text(row.month);
        sqlx::query("DELETE FROM procurement_fulfilment WHERE contract_id = $1 AND month = $2")
            .bind(contract_id)
            .bind(m.as_str())
            .execute(&mut *tx)
            .await?;
        let by = Some(ctx.actor.user_id);
        insert_fulfilment(&mut tx, contract_id, &row, by, micros(ctx.now)).await?;
        let detail = format!("employer {employer_id} procurement contract {contract_id} month {m}");
        permit
            .record(
                &mut tx,
                ctx,
                "employer.procurement.fulfilment.recorded",
                &detail,
                &[],
            )
            .await?;
        let c = the_one(load_contracts(&mut tx, employer_id, only, today).await?)?;
        commit(tx, c).await
    }
}
