//! Placing a participant: the host, the need, the programme's rules and
//! the displacement assessment checked, then the placement, the need's
//! slot and the plan step written in one transaction.

use super::{insert_placement, load_placement, Host, NewPlacement, NewRow, Placement};
use crate::audit::Tx;
use crate::kernel::{corrupt, date_at, one_error, opt_date_at};
use crate::plans::linked::add_plan_step;
use crate::work::displacement::{assess_in, blocked_error};
use crate::{get, micros, Ctx, Result, Store, StoreError};
use vagar_domain::access::PlacementAction;
use vagar_domain::participants::TargetGroup;
use vagar_domain::work::displacement::RiskLevel;
use vagar_domain::work::interventions::programmes::LegalForm;
use vagar_domain::work::interventions::{InterventionStatus, ProgrammeType};
use vagar_domain::work::placements::{
    check_enrolment, check_override_reason, EmploymentForm, EnrolmentFacts, OtherPlacement,
    PlacementInput, PlacementStatus, PlacementTerms,
};
use vagar_domain::ValidationErrors;

/// The host must be an employer (with, optionally, one of its workplaces)
/// or a municipal unit organisation — exactly one of them.
pub(crate) async fn check_host(tx: &mut Tx, host: &Host, e: &mut ValidationErrors) -> Result<()> {
    match (host.employer_id, host.host_organisation_id) {
        (Some(emp), None) => {
            let n = sqlx::query("SELECT COUNT(*) AS n FROM employers WHERE id = $1")
                .bind(emp)
                .fetch_one(&mut **tx)
                .await?;
            if get::<i64>(&n, "n")? == 0 {
                e.add(
                    "employer_id",
                    "unknown_employer",
                    "employer_id must name an employer of the register",
                );
            } else if let Some(w) = host.workplace_id {
                let n = sqlx::query("SELECT COUNT(*) AS n FROM employer_workplaces WHERE id = $1 AND employer_id = $2")
                    .bind(w)
                    .bind(emp)
                    .fetch_one(&mut **tx)
                    .await?;
                if get::<i64>(&n, "n")? == 0 {
                    e.add(
                        "workplace_id",
                        "not_of_employer",
                        "workplace_id must be a workplace of the employer",
                    );
                }
            }
        }
        (None, Some(org)) => {
            if host.workplace_id.is_some() {
                e.add(
                    "workplace_id",
                    "not_of_employer",
                    "a municipal unit host has no workplace_id",
                );
            }
            let n = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_one(&mut **tx)
                .await?;
            if get::<i64>(&n, "n")? == 0 {
                e.add(
                    "host_organisation_id",
                    "unknown_organisation",
                    "host_organisation_id must name an organisation",
                );
            }
        }
        _ => e.add(
            "employer_id",
            "one_host",
            "give exactly one host: employer_id (and workplace_id) or host_organisation_id",
        ),
    }
    Ok(())
}

struct NeedFacts {
    employer_id: i64,
    workplace_id: Option<i64>,
    ssyk: String,
    status: String,
}

async fn load_need_facts(tx: &mut Tx, id: i64) -> Result<Option<NeedFacts>> {
    let r = sqlx::query(
        "SELECT employer_id, workplace_id, ssyk_code, status FROM competence_needs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| {
        Ok(NeedFacts {
            employer_id: get(&r, "employer_id")?,
            workplace_id: get(&r, "workplace_id")?,
            ssyk: get(&r, "ssyk_code")?,
            status: get(&r, "status")?,
        })
    })
    .transpose()
}

/// The terms with the need's occupation and host filled in where the
/// input leaves them out; errors for a need that does not fit.
pub(crate) async fn with_need(
    tx: &mut Tx,
    need_id: Option<i64>,
    host: &mut Host,
    input: &mut PlacementInput,
    e: &mut ValidationErrors,
) -> Result<()> {
    let Some(n) = need_id else { return Ok(()) };
    match load_need_facts(tx, n).await? {
        None => e.add(
            "need_id",
            "unknown_need",
            "need_id must name a competence need",
        ),
        Some(need) => {
            if need.status != "open" {
                e.add(
                    "need_id",
                    "need_not_open",
                    format!("the competence need is {}, not open", need.status),
                );
            }
            if host.employer_id.is_none() && host.host_organisation_id.is_none() {
                host.employer_id = Some(need.employer_id);
                host.workplace_id = host.workplace_id.or(need.workplace_id);
            } else if host.employer_id != Some(need.employer_id) {
                e.add(
                    "need_id",
                    "other_employer",
                    "the competence need is another employer's",
                );
            }
            if input
                .occupation_ssyk
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
            {
                input.occupation_ssyk = Some(need.ssyk);
            }
        }
    }
    Ok(())
}

pub(super) async fn enrolment_facts(
    tx: &mut Tx,
    intervention_id: i64,
    participant_id: i64,
    host: &Host,
    terms: &PlacementTerms,
    exclude: Option<i64>,
) -> Result<Option<(EnrolmentFacts, String)>> {
    let Some(i) = sqlx::query("SELECT name, status, programme_type, target_groups, period_from, period_to, capacity FROM interventions WHERE id = $1")
        .bind(intervention_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let taken = sqlx::query(
        "SELECT COUNT(*) AS n FROM placements WHERE intervention_id = $1 AND status IN ('planned', 'active') \
         AND start_date <= $2 AND end_date >= $3 AND id <> $4",
    )
    .bind(intervention_id)
    .bind(terms.end_date.to_string())
    .bind(terms.start_date.to_string())
    .bind(exclude.unwrap_or(0))
    .fetch_one(&mut **tx)
    .await?;
    let p = sqlx::query("SELECT birth_date, target_mask FROM participants WHERE id = $1")
        .bind(participant_id)
        .fetch_one(&mut **tx)
        .await?;
    let others = other_placements(tx, participant_id, terms, exclude).await?;
    let (host_sni, host_legal_form) = host_facts(tx, host).await?;
    let status: String = get(&i, "status")?;
    let programme: Option<String> = get(&i, "programme_type")?;
    let groups: String = get(&i, "target_groups")?;
    Ok(Some((
        EnrolmentFacts {
            status: InterventionStatus::parse(&status)
                .ok_or_else(|| corrupt("intervention", "status"))?,
            programme_type: programme.as_deref().and_then(ProgrammeType::parse),
            period_from: date_at(&i, "period_from")?,
            period_to: opt_date_at(&i, "period_to")?,
            capacity: get(&i, "capacity")?,
            taken_places: get(&taken, "n")?,
            birth_date: date_at(&p, "birth_date")?,
            participant_groups: TargetGroup::from_mask(get(&p, "target_mask")?),
            intervention_groups: groups.split(',').filter_map(TargetGroup::parse).collect(),
            others,
            host_sni,
            host_legal_form,
        },
        get(&i, "name")?,
    )))
}

/// The host's SNI code and legal form for a programme's sector rule: an
/// employer's from the register (the legal form from its organisation
/// number's group digit), a municipal unit's as the municipality.
async fn host_facts(tx: &mut Tx, host: &Host) -> Result<(Option<String>, Option<LegalForm>)> {
    match (host.employer_id, host.host_organisation_id) {
        (Some(e), _) => {
            let r =
                sqlx::query("SELECT organisation_number, sni_code FROM employers WHERE id = $1")
                    .bind(e)
                    .fetch_optional(&mut **tx)
                    .await?;
            let Some(r) = r else { return Ok((None, None)) };
            let number: String = get(&r, "organisation_number")?;
            Ok((
                get(&r, "sni_code")?,
                LegalForm::from_organisation_number(&number),
            ))
        }
        (None, Some(_)) => Ok((None, Some(LegalForm::Municipality))),
        _ => Ok((None, None)),
    }
}

/// The person's other planned and active placements over the same days, for
/// the one-full-time rule.
async fn other_placements(
    tx: &mut Tx,
    participant_id: i64,
    terms: &PlacementTerms,
    exclude: Option<i64>,
) -> Result<Vec<OtherPlacement>> {
    let rows = sqlx::query(
        "SELECT p.id, i.name, p.start_date, p.end_date, p.hours_per_week_minutes, p.employment_form \
         FROM placements p JOIN interventions i ON i.id = p.intervention_id \
         WHERE p.participant_id = $1 AND p.status IN ('planned', 'active') \
         AND p.start_date <= $2 AND p.end_date >= $3 AND p.id <> $4 ORDER BY p.start_date, p.id",
    )
    .bind(participant_id)
    .bind(terms.end_date.to_string())
    .bind(terms.start_date.to_string())
    .bind(exclude.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let form: String = get(r, "employment_form")?;
            Ok(OtherPlacement {
                id: get(r, "id")?,
                intervention_name: get(r, "name")?,
                start_date: date_at(r, "start_date")?,
                end_date: date_at(r, "end_date")?,
                hours_per_week_minutes: get(r, "hours_per_week_minutes")?,
                employment_form: EmploymentForm::parse(&form)
                    .ok_or_else(|| corrupt("placement", "employment_form"))?,
            })
        })
        .collect()
}

/// Recount a need's open placements and set `filled` / the status: full
/// when the count reaches its positions, open again when a slot frees.
pub(super) async fn refresh_need(tx: &mut Tx, need_id: i64, now: i64) -> Result<()> {
    let r = sqlx::query(
        "SELECT n.positions, n.status, (SELECT COUNT(*) FROM placements pl WHERE pl.need_id = n.id \
         AND pl.status IN ('planned', 'active')) AS taken FROM competence_needs n WHERE n.id = $1",
    )
    .bind(need_id)
    .fetch_one(&mut **tx)
    .await?;
    let positions: i64 = get(&r, "positions")?;
    let status: String = get(&r, "status")?;
    let taken: i64 = get(&r, "taken")?;
    let new_status = match status.as_str() {
        "open" if taken >= positions => "filled",
        "filled" if taken < positions => "open",
        s => s,
    }
    .to_string();
    sqlx::query("UPDATE competence_needs SET filled = $1, status = $2, version = version + 1, updated_at = $3 WHERE id = $4")
        .bind(taken)
        .bind(new_status)
        .bind(now)
        .bind(need_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn host_name(tx: &mut Tx, host: &Host) -> Result<String> {
    let row = match (host.employer_id, host.host_organisation_id) {
        (Some(e), _) => {
            sqlx::query("SELECT name FROM employers WHERE id = $1")
                .bind(e)
                .fetch_optional(&mut **tx)
                .await?
        }
        (None, Some(o)) => {
            sqlx::query("SELECT name FROM organisations WHERE id = $1")
                .bind(o)
                .fetch_optional(&mut **tx)
                .await?
        }
        _ => None,
    };
    Ok(match row {
        Some(r) => get(&r, "name")?,
        None => String::new(),
    })
}

impl Store {
    /// Place a participant: the programme's rules, the host, the need and
    /// the displacement assessment are checked; the placement, the need's
    /// slot and the plan step are written in one transaction, or nothing
    /// is. A blocked assessment is refused (422 `displacement_blocked`)
    /// unless an employer coordinator gives `override_reason`.
    pub async fn create_placement(&self, ctx: &Ctx, new: &NewPlacement) -> Result<Placement> {
        self.create_placement_shaped(ctx, new, ValidationErrors::new())
            .await
    }

    /// [`Store::create_placement`] for a body that already had errors of
    /// shape (`shape`, named by the web's reader): the role is decided
    /// first, here and only here (a role that may never place hears 403
    /// whatever it sent, audited); then the shape's errors and the terms'
    /// rules for the other fields are named together and nothing is written.
    pub async fn create_placement_shaped(
        &self,
        ctx: &Ctx,
        new: &NewPlacement,
        shape: ValidationErrors,
    ) -> Result<Placement> {
        match self.place(ctx, new, shape).await {
            // The refusal is audited on its own (the work's transaction is
            // gone): which rules refused it, never the values.
            Err(StoreError::Validation(e)) if new.participant_id > 0 => {
                let mut codes: Vec<&str> = e.0.iter().map(|f| f.code.as_str()).collect();
                codes.dedup();
                self.audit_refusal(
                    ctx,
                    "placement.create",
                    &format!("refused: {}", codes.join(", ")),
                    &[new.participant_id],
                )
                .await?;
                Err(StoreError::Validation(e))
            }
            other => other,
        }
    }

    async fn place(
        &self,
        ctx: &Ctx,
        new: &NewPlacement,
        mut shape: ValidationErrors,
    ) -> Result<Placement> {
        // A role that may never place hears 403 whatever it sent.
        if !vagar_domain::access::placement_role_may(ctx.actor.role, PlacementAction::Create) {
            let ids: Vec<i64> = (new.participant_id > 0)
                .then_some(new.participant_id)
                .into_iter()
                .collect();
            self.audit_refusal(ctx, "placement.create", "", &ids)
                .await?;
            return Err(StoreError::Forbidden);
        }
        if !shape.is_empty() {
            if let Err(rules) = PlacementTerms::from_input(&new.terms) {
                for e in rules.0 {
                    // With a need, the occupation comes from it.
                    let from_need = new.need_id.is_some() && e.field == "occupation_ssyk";
                    if !from_need && shape.for_field(&e.field).is_none() {
                        shape.0.push(e);
                    }
                }
            }
            return Err(StoreError::Validation(shape));
        }
        if new.participant_id <= 0 {
            return Err(one_error(
                "participant_id",
                "required",
                "participant_id is required",
            ));
        }
        let wants_override = new
            .override_reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty());
        if wants_override
            && !vagar_domain::access::placement_role_may(ctx.actor.role, PlacementAction::Override)
        {
            self.audit_refusal(ctx, "placement.override", "", &[new.participant_id])
                .await?;
            return Err(StoreError::Forbidden);
        }
        let (mut tx, permit) = self
            .authorize_new_placement(ctx, new.participant_id, "placement.create")
            .await?;
        let mut e = ValidationErrors::new();
        let mut host = new.host;
        let mut input = new.terms.clone();
        with_need(&mut tx, new.need_id, &mut host, &mut input, &mut e).await?;
        check_host(&mut tx, &host, &mut e).await?;
        let terms = match PlacementTerms::from_input(&input) {
            Ok(t) => Some(t),
            Err(te) => {
                e.0.extend(te.0);
                None
            }
        };
        let Some(terms) = terms else {
            return Err(StoreError::Validation(e));
        };
        let Some((facts, intervention_name)) = enrolment_facts(
            &mut tx,
            new.intervention_id,
            new.participant_id,
            &host,
            &terms,
            None,
        )
        .await?
        else {
            e.add(
                "intervention_id",
                "unknown_intervention",
                "intervention_id must name an intervention",
            );
            return Err(StoreError::Validation(e));
        };
        if let Err(rules) = check_enrolment(&facts, &terms) {
            e.0.extend(rules.0);
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let assessment = assess_in(
            &mut tx,
            &host,
            &terms.occupation_ssyk,
            terms.start_date,
            terms.end_date,
            terms.extra_task,
            None,
        )
        .await?;
        let override_reason = if assessment.level == RiskLevel::Blocked {
            if !wants_override {
                return Err(blocked_error(&assessment));
            }
            Some(
                check_override_reason(new.override_reason.as_deref())
                    .map_err(StoreError::Validation)?,
            )
        } else {
            if wants_override {
                return Err(one_error(
                    "override_reason",
                    "not_blocked",
                    "the placement is not blocked: there is nothing to override",
                ));
            }
            None
        };
        let status = PlacementStatus::for_start(terms.start_date, ctx.today());
        let host_label = host_name(&mut tx, &host).await?;
        let step_id = add_plan_step(
            &mut tx,
            ctx,
            new.participant_id,
            &terms,
            &intervention_name,
            &host_label,
            status,
        )
        .await?;
        let now = micros(ctx.now);
        let row = NewRow {
            participant_id: new.participant_id,
            intervention_id: new.intervention_id,
            host,
            need_id: new.need_id,
            terms: &terms,
            risk: &assessment,
            override_by: override_reason.as_deref().map(|r| (r, ctx.actor.user_id)),
            status: status.as_str(),
            exit: None,
            plan_step_id: step_id,
            created_by: ctx.actor.user_id,
            at: now,
        };
        let id = insert_placement(&mut tx, &row).await?;
        if let Some(n) = new.need_id {
            refresh_need(&mut tx, n, now).await?;
        }
        permit
            .record_also(
                &mut tx,
                ctx,
                "plan.step.create",
                &format!("placement {id}: step {step_id}"),
            )
            .await?;
        if override_reason.is_some() {
            permit
                .record_also(
                    &mut tx,
                    ctx,
                    "placement.override",
                    &format!("placement {id}"),
                )
                .await?;
        }
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }
}
