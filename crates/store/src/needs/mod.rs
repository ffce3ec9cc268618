//! Competence needs (kompetensbehov) and the coordinators' queue. The policy
//! is `NeedAction`, decided and audited by [`Store::authorize_need`]. Needs
//! from the public form `/arbetsgivare` arrive without a user: the employer
//! is found or created by organisation number and the need waits untriaged
//! until a coordinator takes it. Employer, need and skills are written in
//! one transaction, or nothing is.

pub mod seed;

use crate::access::needs::{need_filter, NeedPermit};
use crate::access::{record_system, Permit};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{commit, exists, one_error, split_list};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use vagar_domain::access::NeedAction;
use vagar_domain::needs::{
    reference, NeedData, NeedInput, NeedSource, NeedStatus, PublicNeedData, SkillInput,
};
use vagar_domain::validation::{optional_text, required_text};
use vagar_domain::{OrganisationNumber, ValidationErrors};

/// Public-form submissions allowed per client address and window.
pub const PUBLIC_FORM_LIMIT: i64 = 5;
pub const PUBLIC_FORM_WINDOW: chrono::Duration = chrono::Duration::hours(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedSkill {
    pub skill_id: String,
    pub label: String,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct Need {
    pub id: i64,
    /// The occupation is short of people in the workplace's county
    /// (Stockholm's when no workplace is attached), by the newest shortage round.
    pub shortage: bool,
    pub workplace_municipality: Option<String>,
    /// A short non-guessable reference (`K-XXXXXXXX`) the employer is given.
    pub reference: String,
    pub employer_id: i64,
    pub employer_name: String,
    pub organisation_number: String,
    pub workplace_id: Option<i64>,
    pub workplace_name: Option<String>,
    pub title: String,
    pub ssyk_code: String,
    pub occupation_id: Option<String>,
    pub occupation_label: String,
    pub positions: i64,
    pub filled: i64,
    pub skills: Vec<NeedSkill>,
    pub swedish_level: Option<String>,
    pub driving_licences: Vec<String>,
    pub education_level: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub duration_months: Option<i64>,
    pub working_time: String,
    pub hours_per_week: Option<i64>,
    pub accessibility: Vec<String>,
    pub forms: Vec<String>,
    pub description: String,
    pub status: String,
    pub source: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub triaged_at: Option<DateTime<Utc>>,
    pub triaged_by: Option<i64>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Need {
    /// The need as input again, for a PATCH that re-validates the whole record.
    pub fn to_input(&self) -> NeedInput {
        NeedInput {
            workplace_id: self.workplace_id,
            title: Some(self.title.clone()),
            occupation: Some(
                self.occupation_id
                    .clone()
                    .unwrap_or_else(|| self.ssyk_code.clone()),
            ),
            positions: Some(self.positions),
            skills: self
                .skills
                .iter()
                .map(|s| SkillInput {
                    id: s.skill_id.clone(),
                    required: s.required,
                })
                .collect(),
            swedish_level: self.swedish_level.clone(),
            driving_licences: self.driving_licences.clone(),
            education_level: self.education_level.clone(),
            start_date: self.start_date.map(|d| d.format("%Y-%m-%d").to_string()),
            duration_months: self.duration_months,
            working_time: Some(self.working_time.clone()),
            hours_per_week: self.hours_per_week,
            accessibility: self.accessibility.clone(),
            forms: self.forms.clone(),
            description: Some(self.description.clone()),
            status: Some(self.status.clone()),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    pub status: Option<NeedStatus>,
    pub ssyk: Option<String>,
    pub employer_id: Option<i64>,
    /// Only needs nobody has taken yet, newest first.
    pub queue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workplace {
    pub id: i64,
    pub employer_id: i64,
    pub name: String,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub municipality_code: String,
}

/// A workplace to add to a need's employer.
#[derive(Debug, Clone, Default)]
pub struct WorkplaceInput {
    pub name: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub municipality_code: Option<String>,
}

fn need_reference(id: i64, created_at: i64) -> String {
    reference(&Sha256::digest(
        format!("competence-need:{id}:{created_at}").as_bytes(),
    ))
}

/// What a validated need becomes once the taxonomy has been consulted.
struct Resolved {
    ssyk_code: String,
    occupation_id: Option<String>,
    occupation_label: String,
    skills: Vec<NeedSkill>,
}

impl Store {
    /// The occupation and skills of a need, from the taxonomy; an unknown one
    /// names its field.
    async fn resolve_need(&self, data: &NeedData) -> Result<Resolved> {
        let mut e = ValidationErrors::new();
        let occ = match self.occupation_or_choices(&data.occupation).await? {
            Ok(hit) => Some(hit),
            Err(choices) if choices.is_empty() => {
                e.add(
                    "occupation",
                    "unknown_occupation",
                    "occupation must name an occupation or an SSYK level-4 group",
                );
                None
            }
            Err(_) => {
                e.add(
                    "occupation",
                    "ambiguous_occupation",
                    "occupation names several occupations: give one (its concept id or full title)",
                );
                None
            }
        };
        let ids: Vec<String> = data.skills.iter().map(|s| s.id.clone()).collect();
        let labels = self.skill_labels(&ids).await?;
        if labels.len() != ids.len() {
            e.add(
                "skills",
                "unknown_skill",
                "skills must name skills of the taxonomy",
            );
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let occ = occ.ok_or(StoreError::NotFound)?;
        let skills = data
            .skills
            .iter()
            .map(|s| NeedSkill {
                skill_id: s.id.clone(),
                label: labels
                    .iter()
                    .find(|l| l.concept_id == s.id)
                    .map(|l| l.label.clone())
                    .unwrap_or_default(),
                required: s.required,
            })
            .collect();
        let occupation_id = (occ.kind == "occupation_name").then(|| occ.concept_id.clone());
        Ok(Resolved {
            ssyk_code: occ.ssyk_code,
            occupation_id,
            occupation_label: occ.label,
            skills,
        })
    }
}

async fn check_workplace(tx: &mut Tx, workplace_id: Option<i64>, employer_id: i64) -> Result<()> {
    let Some(w) = workplace_id else {
        return Ok(());
    };
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM employer_workplaces WHERE id = $1 AND employer_id = $2",
    )
    .bind(w)
    .bind(employer_id)
    .fetch_one(&mut **tx)
    .await?;
    if get::<i64>(&row, "n")? == 0 {
        return Err(one_error(
            "workplace_id",
            "unknown_workplace",
            "workplace_id must name a workplace of the need's employer",
        ));
    }
    Ok(())
}

/// Find the employer with this organisation number, or register it (the
/// employer register's rule: an existing employer keeps its name).
async fn find_or_create_employer(
    tx: &mut Tx,
    org: &OrganisationNumber,
    name: &str,
    source: NeedSource,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    crate::employers::upsert_employer(tx, org, name, source.as_str(), created_by, now)
        .await
        .map(|(id, _)| id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_need(
    tx: &mut Tx,
    employer_id: i64,
    d: &NeedData,
    r: &Resolved,
    title: &str,
    source: NeedSource,
    created_by: Option<i64>,
    triaged: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let now_us = micros(now);
    let row = sqlx::query(
        "INSERT INTO competence_needs (employer_id, workplace_id, title, ssyk_code, occupation_id, occupation_label, \
         positions, swedish_level, driving_licences, education_level, start_date, duration_months, working_time, \
         hours_per_week, accessibility, forms, description, status, source, contact_name, contact_email, contact_phone, \
         triaged_at, triaged_by, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) RETURNING id",
    )
    .bind(employer_id)
    .bind(d.workplace_id)
    .bind(title)
    .bind(r.ssyk_code.as_str())
    .bind(r.occupation_id.as_deref())
    .bind(r.occupation_label.as_str())
    .bind(d.positions)
    .bind(d.swedish_level.map(|s| s.as_str()))
    .bind(d.driving_licences.join(","))
    .bind(d.education_level.map(|s| s.as_str()))
    .bind(d.start_date.map(|s| s.format("%Y-%m-%d").to_string()))
    .bind(d.duration_months)
    .bind(d.working_time.as_str())
    .bind(d.hours_per_week)
    .bind(d.accessibility.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(","))
    .bind(d.forms.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(","))
    .bind(d.description.as_str())
    .bind(d.status.as_str())
    .bind(source.as_str())
    .bind(d.contact_name.as_deref())
    .bind(d.contact_email.as_deref())
    .bind(d.contact_phone.as_deref())
    .bind(triaged.then_some(now_us))
    .bind(if triaged { created_by } else { None })
    .bind(created_by)
    .bind(now_us)
    .bind(now_us)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = get(&row, "id")?;
    write_skills(tx, id, &r.skills).await?;
    Ok(id)
}

async fn write_skills(tx: &mut Tx, need_id: i64, skills: &[NeedSkill]) -> Result<()> {
    sqlx::query("DELETE FROM competence_need_skills WHERE need_id = $1")
        .bind(need_id)
        .execute(&mut **tx)
        .await?;
    for s in skills {
        sqlx::query(
            "INSERT INTO competence_need_skills (need_id, skill_id, label, required) VALUES ($1, $2, $3, $4)",
        )
        .bind(need_id)
        .bind(s.skill_id.as_str())
        .bind(s.label.as_str())
        .bind(i64::from(s.required))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

const NEED_COLUMNS: &str = "n.id, n.employer_id, e.name AS employer_name, e.organisation_number, n.workplace_id, \
     w.name AS workplace_name, w.municipality_code AS workplace_municipality, n.title, n.ssyk_code, n.occupation_id, n.occupation_label, n.positions, n.filled, \
     n.swedish_level, n.driving_licences, n.education_level, n.start_date, n.duration_months, n.working_time, \
     n.hours_per_week, n.accessibility, n.forms, n.description, n.status, n.source, n.contact_name, n.contact_email, \
     n.contact_phone, n.triaged_at, n.triaged_by, n.version, n.created_by, n.created_at, n.updated_at \
     FROM competence_needs n JOIN employers e ON e.id = n.employer_id \
     LEFT JOIN employer_workplaces w ON w.id = n.workplace_id";

fn row_to_need(r: &sqlx::any::AnyRow) -> Result<Need> {
    let id: i64 = get(r, "id")?;
    let created_at: i64 = get(r, "created_at")?;
    let start: Option<String> = get(r, "start_date")?;
    Ok(Need {
        id,
        shortage: false,
        workplace_municipality: get(r, "workplace_municipality")?,
        reference: need_reference(id, created_at),
        employer_id: get(r, "employer_id")?,
        employer_name: get(r, "employer_name")?,
        organisation_number: get(r, "organisation_number")?,
        workplace_id: get(r, "workplace_id")?,
        workplace_name: get(r, "workplace_name")?,
        title: get(r, "title")?,
        ssyk_code: get(r, "ssyk_code")?,
        occupation_id: get(r, "occupation_id")?,
        occupation_label: get(r, "occupation_label")?,
        positions: get(r, "positions")?,
        filled: get(r, "filled")?,
        skills: vec![],
        swedish_level: get(r, "swedish_level")?,
        driving_licences: split_list(&get::<String>(r, "driving_licences")?),
        education_level: get(r, "education_level")?,
        start_date: start
            .as_deref()
            .map(crate::kernel::parse_date)
            .transpose()?,
        duration_months: get(r, "duration_months")?,
        working_time: get(r, "working_time")?,
        hours_per_week: get(r, "hours_per_week")?,
        accessibility: split_list(&get::<String>(r, "accessibility")?),
        forms: split_list(&get::<String>(r, "forms")?),
        description: get(r, "description")?,
        status: get(r, "status")?,
        source: get(r, "source")?,
        contact_name: get(r, "contact_name")?,
        contact_email: get(r, "contact_email")?,
        contact_phone: get(r, "contact_phone")?,
        triaged_at: get::<Option<i64>>(r, "triaged_at")?.map(from_micros),
        triaged_by: get(r, "triaged_by")?,
        version: get(r, "version")?,
        created_by: get(r, "created_by")?,
        created_at: from_micros(created_at),
        updated_at: from_micros(get(r, "updated_at")?),
    })
}

async fn load_skills(tx: &mut Tx, need: &mut Need) -> Result<()> {
    let rows = sqlx::query(
        "SELECT skill_id, label, required FROM competence_need_skills WHERE need_id = $1 \
         ORDER BY required DESC, label, skill_id",
    )
    .bind(need.id)
    .fetch_all(&mut **tx)
    .await?;
    need.skills = rows
        .iter()
        .map(|r| {
            Ok(NeedSkill {
                skill_id: get(r, "skill_id")?,
                label: get(r, "label")?,
                required: get::<i64>(r, "required")? != 0,
            })
        })
        .collect::<Result<_>>()?;
    Ok(())
}

async fn load_need(tx: &mut Tx, id: i64) -> Result<Need> {
    let row = sqlx::query(&format!("SELECT {NEED_COLUMNS} WHERE n.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut n = row_to_need(&row)?;
    load_skills(tx, &mut n).await?;
    Ok(n)
}

/// The end of a coordinator's new need: written (taken by its author at
/// once), its event recorded, read back and committed.
async fn created(
    mut tx: Tx,
    ctx: &Ctx,
    permit: &NeedPermit,
    employer_id: i64,
    data: &NeedData,
    resolved: &Resolved,
) -> Result<Need> {
    let id = insert_need(
        &mut tx,
        employer_id,
        data,
        resolved,
        &data.title,
        NeedSource::Coordinator,
        Some(ctx.actor.user_id),
        true,
        ctx.now,
    )
    .await?;
    let detail = format!("need {id}");
    permit
        .record(&mut tx, ctx, "competence_need.created", &detail, &[])
        .await?;
    let n = load_need(&mut tx, id).await?;
    commit(tx, n).await
}

impl Store {
    /// A coordinator states a need for an existing employer. It is taken
    /// (triaged) by its author at once: it never waits in the queue.
    pub async fn create_need(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &NeedInput,
    ) -> Result<Need> {
        let (mut tx, permit) = self
            .authorize_need(ctx, NeedAction::Create, None, "competence_need.create")
            .await?;
        let mut data = NeedData::from_input(input).map_err(StoreError::Validation);
        if let Ok(d) = &data {
            if let Err(e) = d.check_new() {
                data = Err(StoreError::Validation(e));
            }
        }
        let data = data?;
        if !exists(&mut tx, "employers", employer_id).await? {
            return Err(one_error(
                "employer_id",
                "unknown_employer",
                "employer_id must name an employer of the register",
            ));
        }
        check_workplace(&mut tx, data.workplace_id, employer_id).await?;
        let resolved = self.resolve_need(&data).await?;
        let n = created(tx, ctx, &permit, employer_id, &data, &resolved).await?;
        let mut one = [n];
        self.mark_shortage(&mut one).await?;
        let [n] = one;
        Ok(n)
    }

    /// Mark needs whose occupation is short of people in their county.
    async fn mark_shortage(&self, needs: &mut [Need]) -> Result<()> {
        let mut cache = HashMap::new();
        for n in needs {
            n.shortage = self
                .shortage_at(
                    &mut cache,
                    &n.ssyk_code,
                    n.workplace_municipality.as_deref(),
                )
                .await?;
        }
        Ok(())
    }

    /// A coordinator states a need for an employer given by organisation
    /// number, registering the employer if it is new (the `/behov/ny` form).
    pub async fn create_need_for_organisation(
        &self,
        ctx: &Ctx,
        org: &OrganisationNumber,
        employer_name: &str,
        input: &NeedInput,
    ) -> Result<Need> {
        // Decide first (403 for roles that may not), then write both in one transaction.
        let (mut tx, permit) = self
            .authorize_need(ctx, NeedAction::Create, None, "competence_need.create")
            .await?;
        let data = NeedData::from_input(input).map_err(StoreError::Validation)?;
        data.check_new().map_err(StoreError::Validation)?;
        let resolved = self.resolve_need(&data).await?;
        let employer_id = find_or_create_employer(
            &mut tx,
            org,
            employer_name,
            NeedSource::Coordinator,
            Some(ctx.actor.user_id),
            ctx.now,
        )
        .await?;
        check_workplace(&mut tx, data.workplace_id, employer_id).await?;
        created(tx, ctx, &permit, employer_id, &data, &resolved).await
    }

    /// The needs the actor may read, filtered; the queue newest first,
    /// otherwise open ones first by start date. At most 500.
    pub async fn list_needs(&self, ctx: &Ctx, f: &NeedFilter) -> Result<Vec<Need>> {
        let (mut tx, permit) = self
            .authorize_need(ctx, NeedAction::Read, None, "competence_need.list")
            .await?;
        let mut sql = Sql::new(&format!("SELECT {NEED_COLUMNS} WHERE "));
        need_filter(ctx, NeedAction::Read, &mut sql);
        if let Some(s) = f.status {
            sql.push(" AND n.status = ")
                .bind(Arg::Text(s.as_str().into()));
        }
        if let Some(s) = &f.ssyk {
            sql.push(" AND n.ssyk_code = ").bind(Arg::Text(s.clone()));
        }
        if let Some(e) = f.employer_id {
            sql.push(" AND n.employer_id = ").bind(Arg::I64(e));
        }
        if f.queue {
            sql.push(" AND n.triaged_at IS NULL ORDER BY n.created_at DESC, n.id DESC");
        } else {
            sql.push(" ORDER BY n.created_at DESC, n.id DESC");
        }
        sql.push(" LIMIT 500");
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let mut out = rows.iter().map(row_to_need).collect::<Result<Vec<_>>>()?;
        for n in &mut out {
            load_skills(&mut tx, n).await?;
        }
        self.mark_shortage(&mut out).await?;
        let ids: Vec<String> = out.iter().map(|n| n.id.to_string()).collect();
        // Lists record the ids they returned (needs are not participants,
        // so they go in the detail).
        permit
            .record_list(&mut tx, ctx, &format!("needs {}", ids.join(",")))
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One need with its skills.
    pub async fn read_need(&self, ctx: &Ctx, id: i64) -> Result<Need> {
        let (mut tx, _permit) = self
            .authorize_need(ctx, NeedAction::Read, Some(id), "competence_need.read")
            .await?;
        let n = load_need(&mut tx, id).await?;
        tx.commit().await?;
        let mut one = [n];
        self.mark_shortage(&mut one).await?;
        let [n] = one;
        Ok(n)
    }

    /// Replace a need's fields (the whole record re-validated) if `version`
    /// is the stored one; status changes follow `NeedStatus::may_become`.
    pub async fn update_need(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &NeedInput,
        version: i64,
    ) -> Result<Need> {
        let (mut tx, permit) = self
            .authorize_need(ctx, NeedAction::Manage, Some(id), "competence_need.update")
            .await?;
        let current = load_need(&mut tx, id).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        let data = NeedData::from_input(input).map_err(StoreError::Validation)?;
        let from = NeedStatus::parse(&current.status)
            .ok_or_else(|| StoreError::Other("stored need has an invalid status".into()))?;
        data.check_transition(from)
            .map_err(StoreError::Validation)?;
        check_workplace(&mut tx, data.workplace_id, current.employer_id).await?;
        let r = self.resolve_need(&data).await?;
        let done = sqlx::query(
            "UPDATE competence_needs SET workplace_id = $1, title = $2, ssyk_code = $3, occupation_id = $4, \
             occupation_label = $5, positions = $6, swedish_level = $7, driving_licences = $8, education_level = $9, \
             start_date = $10, duration_months = $11, working_time = $12, hours_per_week = $13, accessibility = $14, \
             forms = $15, description = $16, status = $17, contact_name = $18, contact_email = $19, contact_phone = $20, \
             version = version + 1, updated_at = $21 WHERE id = $22 AND version = $23",
        )
        .bind(data.workplace_id)
        .bind(data.title.as_str())
        .bind(r.ssyk_code.as_str())
        .bind(r.occupation_id.as_deref())
        .bind(r.occupation_label.as_str())
        .bind(data.positions)
        .bind(data.swedish_level.map(|s| s.as_str()))
        .bind(data.driving_licences.join(","))
        .bind(data.education_level.map(|s| s.as_str()))
        .bind(data.start_date.map(|s| s.format("%Y-%m-%d").to_string()))
        .bind(data.duration_months)
        .bind(data.working_time.as_str())
        .bind(data.hours_per_week)
        .bind(data.accessibility.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(","))
        .bind(data.forms.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(","))
        .bind(data.description.as_str())
        .bind(data.status.as_str())
        .bind(data.contact_name.as_deref())
        .bind(data.contact_email.as_deref())
        .bind(data.contact_phone.as_deref())
        .bind(micros(ctx.now))
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        write_skills(&mut tx, id, &r.skills).await?;
        let _ = permit.rule();
        let n = load_need(&mut tx, id).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Take a need from the queue, optionally attaching one of its
    /// employer's workplaces. A need already taken: 409 on `triaged_at`.
    pub async fn triage_need(
        &self,
        ctx: &Ctx,
        id: i64,
        workplace_id: Option<i64>,
        version: Option<i64>,
    ) -> Result<Need> {
        let (mut tx, _permit) = self
            .authorize_need(ctx, NeedAction::Triage, Some(id), "competence_need.triage")
            .await?;
        let current = load_need(&mut tx, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        if current.triaged_at.is_some() {
            return Err(StoreError::Conflict {
                field: "triaged_at".into(),
                message: "the need has already been taken from the queue".into(),
            });
        }
        if workplace_id.is_some_and(|w| w <= 0) {
            return Err(one_error(
                "workplace_id",
                "invalid",
                "workplace_id must be a positive id",
            ));
        }
        check_workplace(&mut tx, workplace_id, current.employer_id).await?;
        let done = sqlx::query(
            "UPDATE competence_needs SET triaged_at = $1, triaged_by = $2, \
             workplace_id = COALESCE($3, workplace_id), version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6 AND triaged_at IS NULL",
        )
        .bind(micros(ctx.now))
        .bind(ctx.actor.user_id)
        .bind(workplace_id)
        .bind(micros(ctx.now))
        .bind(id)
        .bind(current.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        let n = load_need(&mut tx, id).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The workplaces of a need's employer (for attaching one).
    pub async fn need_workplaces(&self, ctx: &Ctx, need_id: i64) -> Result<Vec<Workplace>> {
        let event = "competence_need.workplaces";
        let (mut tx, _permit) = self
            .authorize_need(ctx, NeedAction::Read, Some(need_id), event)
            .await?;
        let rows = sqlx::query(
            "SELECT w.id, w.employer_id, w.name, w.street_address, w.postal_code, w.city, w.municipality_code \
             FROM employer_workplaces w JOIN competence_needs n ON n.employer_id = w.employer_id \
             WHERE n.id = $1 ORDER BY w.name, w.id",
        )
        .bind(need_id)
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(row_to_workplace)
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a workplace to a need's employer (a coordinator taking a need
    /// from the public form, whose employer has none yet).
    pub async fn add_need_workplace(
        &self,
        ctx: &Ctx,
        need_id: i64,
        input: &WorkplaceInput,
    ) -> Result<Workplace> {
        let event = "competence_need.workplace.add";
        let (mut tx, _permit) = self
            .authorize_need(ctx, NeedAction::Manage, Some(need_id), event)
            .await?;
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", input.name.as_deref(), 200);
        let street = optional_text(
            &mut e,
            "street_address",
            input.street_address.as_deref(),
            200,
        );
        let postal = optional_text(&mut e, "postal_code", input.postal_code.as_deref(), 10);
        if let Some(p) = &postal {
            let digits: String = p.chars().filter(|c| !c.is_whitespace()).collect();
            if digits.len() != 5 || !digits.chars().all(|c| c.is_ascii_digit()) {
                e.add("postal_code", "invalid", "postal_code must be five digits");
            }
        }
        let city = optional_text(&mut e, "city", input.city.as_deref(), 100);
        let municipality = input
            .municipality_code
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .unwrap_or(vagar_domain::geo::STOCKHOLM)
            .to_string();
        if vagar_domain::geo::municipality(&municipality).is_none() {
            e.add(
                "municipality_code",
                "invalid_choice",
                "municipality_code must be a Swedish municipality code",
            );
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let need = load_need(&mut tx, need_id).await?;
        let row = sqlx::query(
            "INSERT INTO employer_workplaces (employer_id, name, street_address, postal_code, city, municipality_code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(need.employer_id)
        .bind(name.as_str())
        .bind(street.as_deref())
        .bind(postal.as_deref())
        .bind(city.as_deref())
        .bind(municipality.as_str())
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        tx.commit().await?;
        Ok(Workplace {
            id,
            employer_id: need.employer_id,
            name,
            street_address: street,
            postal_code: postal,
            city,
            municipality_code: municipality,
        })
    }

    /// A need from the public form: the employer found or registered by
    /// organisation number, the need untriaged (in the queue), one
    /// transaction, audited without an actor. Returns the reference.
    pub async fn submit_public_need(
        &self,
        now: DateTime<Utc>,
        d: &PublicNeedData,
    ) -> Result<String> {
        let resolved = self.resolve_need(&d.need).await?;
        let mut tx = self.begin_audited().await?;
        let employer_id = find_or_create_employer(
            &mut tx,
            &d.organisation_number,
            &d.employer_name,
            NeedSource::PublicForm,
            None,
            now,
        )
        .await?;
        let title = resolved.occupation_label.clone();
        let id = insert_need(
            &mut tx,
            employer_id,
            &d.need,
            &resolved,
            &title,
            NeedSource::PublicForm,
            None,
            false,
            now,
        )
        .await?;
        record_system(
            &mut tx,
            now,
            "competence_need.public_submit",
            "public_form",
            &format!("need {id}, employer {employer_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(need_reference(id, micros(now)))
    }

    /// Seconds until this client may submit the public form again, if it
    /// has used up its submissions in the window. `client_key` should not be
    /// a raw address (the web layer hashes it).
    pub async fn public_form_blocked(
        &self,
        client_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT failures, window_start FROM login_throttle WHERE throttle_key = $1",
        )
        .bind(format!("public_need:{client_key}"))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let count: i64 = get(&row, "failures")?;
        let start: i64 = get(&row, "window_start")?;
        let window = PUBLIC_FORM_WINDOW.num_microseconds().unwrap_or(i64::MAX);
        let end = start.saturating_add(window);
        if micros(now) < end && count >= PUBLIC_FORM_LIMIT {
            Ok(Some(((end - micros(now)) / 1_000_000).max(1)))
        } else {
            Ok(None)
        }
    }

    /// Count one submission of the public form by this client (a fixed
    /// window; the login throttle's table holds the counter).
    pub async fn record_public_submission(
        &self,
        client_key: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let key = format!("public_need:{client_key}");
        let now_us = micros(now);
        let mut tx = self.pool.begin().await?;
        // Claim the row first so concurrent submissions are all counted.
        sqlx::query(
            "INSERT INTO login_throttle (throttle_key, failures, window_start, blocked_until) \
             VALUES ($1, 0, $2, 0) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = login_throttle.failures",
        )
        .bind(&key)
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT failures, window_start FROM login_throttle WHERE throttle_key = $1",
        )
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?;
        let (mut count, mut start) = (
            get::<i64>(&row, "failures")?,
            get::<i64>(&row, "window_start")?,
        );
        if now_us - start >= PUBLIC_FORM_WINDOW.num_microseconds().unwrap_or(i64::MAX) {
            count = 0;
            start = now_us;
        }
        sqlx::query(
            "UPDATE login_throttle SET failures = $1, window_start = $2 WHERE throttle_key = $3",
        )
        .bind(count + 1)
        .bind(start)
        .bind(&key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn row_to_workplace(r: &sqlx::any::AnyRow) -> Result<Workplace> {
    Ok(Workplace {
        id: get(r, "id")?,
        employer_id: get(r, "employer_id")?,
        name: get(r, "name")?,
        street_address: get(r, "street_address")?,
        postal_code: get(r, "postal_code")?,
        city: get(r, "city")?,
        municipality_code: get(r, "municipality_code")?,
    })
}
