//! The rental model's employment contracts and the assignments that place
//! a contracted participant at a host.

use super::{Assignment, Contract};
use crate::access::rental::RentalTarget;
use crate::kernel::{date_at, date_text};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use vagar_domain::work::rental::access::RentalAction;
use vagar_domain::work::rental::{
    check_assignment, AssignmentFacts, ContractData, ContractInput, Period,
};
use vagar_domain::ValidationErrors;

const CONTRACT_COLUMNS: &str = "c.id, c.participant_id, p.first_name, p.last_name, c.intervention_id, \
     c.period_from, c.period_to, c.hours_per_week_minutes, c.hourly_wage_ore, c.employer_fee_permille, \
     c.version, c.created_at FROM rental_contracts c JOIN participants p ON p.id = c.participant_id";

fn row_to_contract(r: &sqlx::any::AnyRow) -> Result<Contract> {
    Ok(Contract {
        id: get(r, "id")?,
        participant_id: get(r, "participant_id")?,
        participant_name: format!(
            "{} {}",
            get::<String>(r, "first_name")?,
            get::<String>(r, "last_name")?
        ),
        intervention_id: get(r, "intervention_id")?,
        period: Period {
            from: date_at(r, "period_from")?,
            to: date_at(r, "period_to")?,
        },
        hours_per_week_minutes: get(r, "hours_per_week_minutes")?,
        hourly_wage_ore: get(r, "hourly_wage_ore")?,
        employer_fee_permille: get(r, "employer_fee_permille")?,
        version: get(r, "version")?,
        created_at: from_micros(get(r, "created_at")?),
    })
}

const ASSIGNMENT_COLUMNS: &str = "ra.placement_id, ra.contract_id, pl.participant_id, p.first_name, p.last_name, \
     pl.employer_id, e.name AS employer_name, pl.role_title, pl.start_date, pl.end_date, ra.hourly_rate_ore, \
     pl.supervisor_name, ra.created_at FROM rental_assignments ra \
     JOIN placements pl ON pl.id = ra.placement_id JOIN participants p ON p.id = pl.participant_id \
     JOIN employers e ON e.id = pl.employer_id";

fn row_to_assignment(r: &sqlx::any::AnyRow) -> Result<Assignment> {
    Ok(Assignment {
        placement_id: get(r, "placement_id")?,
        contract_id: get(r, "contract_id")?,
        participant_id: get(r, "participant_id")?,
        participant_name: format!(
            "{} {}",
            get::<String>(r, "first_name")?,
            get::<String>(r, "last_name")?
        ),
        employer_id: get(r, "employer_id")?,
        employer_name: get(r, "employer_name")?,
        role_title: get(r, "role_title")?,
        period: Period {
            from: date_at(r, "start_date")?,
            to: date_at(r, "end_date")?,
        },
        hourly_rate_ore: get(r, "hourly_rate_ore")?,
        supervisor_name: get(r, "supervisor_name")?,
        created_at: from_micros(get(r, "created_at")?),
    })
}

impl Store {
    /// An employment contract with the municipality or its company.
    pub async fn create_contract(&self, ctx: &Ctx, input: &ContractInput) -> Result<Contract> {
        let event = "rental.contract.create";
        let (mut tx, permit) = self
            .authorize_rental(ctx, RentalAction::Manage, RentalTarget::None, event)
            .await?;
        let d = ContractData::from_input(input).map_err(StoreError::Validation)?;
        let mut e = ValidationErrors::new();
        let row = sqlx::query("SELECT COUNT(*) AS n FROM participants WHERE id = $1")
            .bind(d.participant_id)
            .fetch_one(&mut *tx)
            .await?;
        if get::<i64>(&row, "n")? == 0 {
            e.add(
                "participant_id",
                "unknown",
                "participant_id must name a participant",
            );
        }
        let row = sqlx::query("SELECT model FROM interventions WHERE id = $1")
            .bind(d.intervention_id)
            .fetch_optional(&mut *tx)
            .await?;
        match row {
            None => e.add(
                "intervention_id",
                "unknown",
                "intervention_id must name an intervention",
            ),
            Some(r) if get::<Option<String>>(&r, "model")?.as_deref() != Some("rental") => e.add(
                "intervention_id",
                "not_rental",
                "the intervention does not follow the rental model",
            ),
            Some(_) => {}
        }
        // One contract at a time per participant and intervention: an
        // assignment's contract is then never ambiguous.
        let overlapping = sqlx::query(
            "SELECT COUNT(*) AS n FROM rental_contracts WHERE participant_id = $1 AND intervention_id = $2 \
             AND period_from <= $3 AND period_to >= $4",
        )
        .bind(d.participant_id)
        .bind(d.intervention_id)
        .bind(date_text(d.period.to))
        .bind(date_text(d.period.from))
        .fetch_one(&mut *tx)
        .await?;
        if get::<i64>(&overlapping, "n")? > 0 {
            e.add(
                "period_from",
                "overlaps",
                "the participant already has a contract in this intervention for part of this period",
            );
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let r = sqlx::query(
            "INSERT INTO rental_contracts (participant_id, intervention_id, period_from, period_to, \
             hours_per_week_minutes, hourly_wage_ore, employer_fee_permille, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(d.participant_id)
        .bind(d.intervention_id)
        .bind(date_text(d.period.from))
        .bind(date_text(d.period.to))
        .bind(d.hours_per_week_minutes)
        .bind(d.hourly_wage_ore)
        .bind(d.employer_fee_permille)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&r, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "rental.contract.created",
                &format!("contract {id}, intervention {}", d.intervention_id),
                &[d.participant_id],
            )
            .await?;
        let r = sqlx::query(&format!("SELECT {CONTRACT_COLUMNS} WHERE c.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let c = row_to_contract(&r)?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn list_contracts(&self, ctx: &Ctx, intervention_id: i64) -> Result<Vec<Contract>> {
        let event = "rental.contract.list";
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                event,
            )
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT {CONTRACT_COLUMNS} WHERE c.intervention_id = $1 ORDER BY p.last_name, p.first_name, c.id"
        ))
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(row_to_contract)
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = out.iter().map(|c| c.participant_id).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "rental.contract.list.returned",
                &format!("intervention {intervention_id}"),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Price an existing placement as an assignment under a contract.
    pub async fn create_assignment(
        &self,
        ctx: &Ctx,
        placement_id: Option<i64>,
        contract_id: Option<i64>,
        hourly_rate_ore: Option<i64>,
    ) -> Result<Assignment> {
        let event = "rental.assignment.create";
        let (mut tx, permit) = self
            .authorize_rental(ctx, RentalAction::Manage, RentalTarget::None, event)
            .await?;
        let mut e = ValidationErrors::new();
        for (f, v) in [
            ("placement_id", placement_id),
            ("contract_id", contract_id),
            ("hourly_rate_ore", hourly_rate_ore),
        ] {
            if v.is_none() {
                e.add(f, "required", format!("{f} is required"));
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let (placement_id, contract_id, rate) = (
            placement_id.unwrap_or(0),
            contract_id.unwrap_or(0),
            hourly_rate_ore.unwrap_or(0),
        );
        let p = sqlx::query(
            "SELECT pl.participant_id, pl.intervention_id, pl.start_date, pl.end_date, pl.employment_form, \
             pl.employer_id, i.model FROM placements pl JOIN interventions i ON i.id = pl.intervention_id \
             WHERE pl.id = $1",
        )
        .bind(placement_id)
        .fetch_optional(&mut *tx)
        .await?;
        let c = sqlx::query(
            "SELECT participant_id, intervention_id, period_from, period_to FROM rental_contracts WHERE id = $1",
        )
        .bind(contract_id)
        .fetch_optional(&mut *tx)
        .await?;
        if p.is_none() {
            e.add(
                "placement_id",
                "unknown",
                "placement_id must name a placement",
            );
        }
        if c.is_none() {
            e.add(
                "contract_id",
                "unknown",
                "contract_id must name a rental contract",
            );
        }
        let (Some(p), Some(c)) = (p, c) else {
            return Err(StoreError::Validation(e));
        };
        let facts = AssignmentFacts {
            placement_participant_id: get(&p, "participant_id")?,
            placement_intervention_id: get(&p, "intervention_id")?,
            placement_period: Period {
                from: date_at(&p, "start_date")?,
                to: date_at(&p, "end_date")?,
            },
            employment_form: get(&p, "employment_form")?,
            has_employer: get::<Option<i64>>(&p, "employer_id")?.is_some(),
            intervention_model: get(&p, "model")?,
            contract_participant_id: get(&c, "participant_id")?,
            contract_intervention_id: get(&c, "intervention_id")?,
            contract_period: Period {
                from: date_at(&c, "period_from")?,
                to: date_at(&c, "period_to")?,
            },
        };
        check_assignment(&facts, rate).map_err(StoreError::Validation)?;
        sqlx::query(
            "INSERT INTO rental_assignments (placement_id, contract_id, hourly_rate_ore, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(placement_id)
        .bind(contract_id)
        .bind(rate)
        .bind(micros(ctx.now))
        .execute(&mut *tx)
        .await
        .map_err(|err| {
            crate::conflict_on(err, "placement_id", "the placement is already an assignment")
        })?;
        permit
            .record(
                &mut tx,
                ctx,
                "rental.assignment.created",
                &format!("placement {placement_id}, contract {contract_id}"),
                &[facts.placement_participant_id],
            )
            .await?;
        let r = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} WHERE ra.placement_id = $1"
        ))
        .bind(placement_id)
        .fetch_one(&mut *tx)
        .await?;
        let a = row_to_assignment(&r)?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn list_assignments(
        &self,
        ctx: &Ctx,
        intervention_id: i64,
    ) -> Result<Vec<Assignment>> {
        let event = "rental.assignment.list";
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                event,
            )
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} WHERE pl.intervention_id = $1 ORDER BY e.name, p.last_name, ra.placement_id"
        ))
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(row_to_assignment)
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = out.iter().map(|a| a.participant_id).collect();
        let placements: Vec<String> = out.iter().map(|a| a.placement_id.to_string()).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "rental.assignment.list.returned",
                &format!(
                    "intervention {intervention_id}, placements {}",
                    placements.join(",")
                ),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }
}
