//! The employer register: employers, workplaces, contacts, the interaction
//! log, partnership agreements with their outcomes and social-procurement
//! contracts with monthly fulfilment. Every function with an actor is
//! decided and audited by [`Store::authorize_employer`]; lists are narrowed
//! by the same rules (`employer_filter`). [`Store::upsert_employer_by_org_number`]
//! is the one entry without an actor, for callers that decide themselves
//! (the public form, the job-ads import).

pub mod seed;

use crate::access::employers::employer_filter;
use crate::access::Permit;
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::access::EmployerAction;
use vagar_domain::employer::{
    accessibility_text, fulfilment, month_text, parse_accessibility, parse_month,
    partnership_progress, AccessibilityFeature, ContactData, ContactInput, EmployerChange,
    EmployerData, EmployerInput, EmployerPatch, EmployerSource, Fulfilment, FulfilmentInput,
    FulfilmentRow, InteractionData, InteractionInput, InteractionKind, OutcomeData, OutcomeInput,
    OutcomeKind, PartnershipData, PartnershipInput, ProcurementData, ProcurementInput, Requirement,
    RequirementKind, SizeClass, WorkplaceData, WorkplaceInput, YearProgress,
};
use vagar_domain::participant::fold_for_search;
use vagar_domain::{OrganisationNumber, ValidationErrors};

impl Store {
    /// Find the employer with this organisation number, or create it with
    /// `name` and `source` (`coordinator`, `public_form` or `job_ad`).
    /// Works inside the caller's transaction and checks no access: the
    /// caller decides (and audits) what the actor may do. Returns the id and
    /// whether it was created. An existing employer keeps its name.
    pub async fn upsert_employer_by_org_number(
        &self,
        tx: &mut Tx,
        org_number: &OrganisationNumber,
        name: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<(i64, bool)> {
        upsert_employer(tx, org_number, name, source, None, now).await
    }
}

/// Insert unless the organisation number is taken (`ON CONFLICT DO NOTHING`
/// keeps a concurrent insert from aborting the caller's transaction).
pub(crate) async fn upsert_employer(
    tx: &mut Tx,
    org_number: &OrganisationNumber,
    name: &str,
    source: &str,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, bool)> {
    let name = name.trim();
    let inserted = sqlx::query(
        "INSERT INTO employers (organisation_number, name, name_folded, source, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (organisation_number) DO NOTHING RETURNING id",
    )
    .bind(org_number.as_str())
    .bind(name)
    .bind(fold_for_search(name))
    .bind(source)
    .bind(created_by)
    .bind(micros(now))
    .bind(micros(now))
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = inserted {
        return Ok((get(&row, "id")?, true));
    }
    let row = sqlx::query("SELECT id FROM employers WHERE organisation_number = $1")
        .bind(org_number.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok((get(&row, "id")?, false))
}

/// An employer as stored.
#[derive(Debug, Clone)]
pub struct Employer {
    pub id: i64,
    /// Canonical 10 digits.
    pub organisation_number: String,
    pub name: String,
    pub sni_code: Option<String>,
    pub sni_label: Option<String>,
    pub size_class: SizeClass,
    pub organisation_id: Option<i64>,
    pub source: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Workplace {
    pub id: i64,
    pub employer_id: i64,
    pub name: String,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub municipality_code: String,
    pub district: Option<String>,
    pub accessibility: Vec<AccessibilityFeature>,
    pub accessibility_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct EmployerContact {
    pub id: i64,
    pub employer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Interaction {
    pub id: i64,
    pub employer_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: InteractionKind,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct PartnershipOutcome {
    pub id: i64,
    pub agreement_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: OutcomeKind,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Partnership {
    pub id: i64,
    pub employer_id: i64,
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub target_placements_per_year: i64,
    pub target_hires_per_year: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub outcomes: Vec<PartnershipOutcome>,
    /// Actual against target per calendar year.
    pub progress: Vec<YearProgress>,
}

#[derive(Debug, Clone)]
pub struct ProcurementContract {
    pub id: i64,
    pub employer_id: i64,
    pub contract_name: String,
    pub contract_reference: Option<String>,
    pub procuring_unit: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub requirement: Requirement,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Monthly rows, oldest first.
    pub months: Vec<FulfilmentRow>,
    pub fulfilment: Fulfilment,
}

/// Everything about one employer, read under one decision.
#[derive(Debug, Clone)]
pub struct EmployerOverview {
    pub employer: Employer,
    pub workplaces: Vec<Workplace>,
    pub contacts: Vec<EmployerContact>,
    pub interactions: Vec<Interaction>,
    pub partnerships: Vec<Partnership>,
    pub procurement_contracts: Vec<ProcurementContract>,
}

#[derive(Debug, Clone, Default)]
pub struct EmployerQuery {
    /// Name prefix (of any word), folded like participant names.
    pub q: Option<String>,
    /// An SNI division, or a section letter (its divisions too).
    pub sni: Option<String>,
    /// A workplace in this district.
    pub district: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone)]
pub struct EmployerPage {
    pub items: Vec<Employer>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("stored employer data has an invalid {what}"))
}

fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad("date"))
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

fn one_error(field: &str, code: &str, message: &str) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

const EMPLOYER_COLUMNS: &str = "e.id, e.organisation_number, e.name, e.sni_code, \
     (SELECT c.label FROM classification_codes c WHERE c.classification = 'sni' AND c.code = e.sni_code) AS sni_label, \
     e.size_class, e.organisation_id, e.source, e.version, e.created_at, e.updated_at";

fn employer_row(r: &AnyRow) -> Result<Employer> {
    let size: String = get(r, "size_class")?;
    Ok(Employer {
        id: get(r, "id")?,
        organisation_number: get(r, "organisation_number")?,
        name: get(r, "name")?,
        sni_code: get(r, "sni_code")?,
        sni_label: get(r, "sni_label")?,
        size_class: SizeClass::parse(&size).ok_or_else(|| bad("size class"))?,
        organisation_id: get(r, "organisation_id")?,
        source: get(r, "source")?,
        version: get(r, "version")?,
        created_at: from_micros(get(r, "created_at")?),
        updated_at: from_micros(get(r, "updated_at")?),
    })
}

async fn load_employer(tx: &mut Tx, id: i64) -> Result<Employer> {
    let mut sql = Sql::new(&format!(
        "SELECT {EMPLOYER_COLUMNS} FROM employers e WHERE e.id = "
    ));
    sql.bind(Arg::I64(id));
    let row = sql
        .query()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    employer_row(&row)
}

async fn sni_known(tx: &mut Tx, code: &str) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM classification_codes WHERE classification = 'sni' AND code = $1",
    )
    .bind(code)
    .fetch_one(&mut **tx)
    .await?;
    Ok(get::<i64>(&row, "n")? > 0)
}

async fn check_sni(tx: &mut Tx, code: Option<&str>) -> Result<()> {
    if let Some(c) = code {
        if !sni_known(tx, c).await? {
            return Err(one_error(
                "sni_code",
                "unknown_sni",
                "sni_code must be a code of the SNI 2007 classification",
            ));
        }
    }
    Ok(())
}

async fn load_workplaces(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<Workplace>> {
    let mut sql = Sql::new(
        "SELECT id, employer_id, name, street_address, postal_code, city, municipality_code, \
         district, accessibility, accessibility_note, created_at FROM employer_workplaces \
         WHERE employer_id = ",
    );
    sql.bind(Arg::I64(employer_id));
    if let Some(id) = only {
        sql.push(" AND id = ").bind(Arg::I64(id));
    }
    sql.push(" ORDER BY id");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| {
            let acc: String = get(r, "accessibility")?;
            Ok(Workplace {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                name: get(r, "name")?,
                street_address: get(r, "street_address")?,
                postal_code: get(r, "postal_code")?,
                city: get(r, "city")?,
                municipality_code: get(r, "municipality_code")?,
                district: get(r, "district")?,
                accessibility: parse_accessibility(&acc),
                accessibility_note: get(r, "accessibility_note")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

async fn load_contacts(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<EmployerContact>> {
    let mut sql = Sql::new(
        "SELECT id, employer_id, name, title, email, phone, created_at FROM employer_contacts \
         WHERE employer_id = ",
    );
    sql.bind(Arg::I64(employer_id));
    if let Some(id) = only {
        sql.push(" AND id = ").bind(Arg::I64(id));
    }
    sql.push(" ORDER BY id");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| {
            Ok(EmployerContact {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                name: get(r, "name")?,
                title: get(r, "title")?,
                email: get(r, "email")?,
                phone: get(r, "phone")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

async fn load_interactions(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<Interaction>> {
    let mut sql = Sql::new(
        "SELECT id, employer_id, occurred_on, kind, note, created_by, created_at \
         FROM employer_interactions WHERE employer_id = ",
    );
    sql.bind(Arg::I64(employer_id));
    if let Some(id) = only {
        sql.push(" AND id = ").bind(Arg::I64(id));
    }
    // Newest first: the log is read from the latest contact backwards.
    sql.push(" ORDER BY occurred_on DESC, id DESC");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            let on: String = get(r, "occurred_on")?;
            Ok(Interaction {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                occurred_on: parse_date(&on)?,
                kind: InteractionKind::parse(&kind).ok_or_else(|| bad("interaction kind"))?,
                note: get(r, "note")?,
                created_by: get(r, "created_by")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

async fn load_partnerships(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<Partnership>> {
    let mut sql = Sql::new(
        "SELECT id, employer_id, name, valid_from, valid_to, target_placements_per_year, \
         target_hires_per_year, note, created_at FROM partnership_agreements WHERE employer_id = ",
    );
    sql.bind(Arg::I64(employer_id));
    if let Some(id) = only {
        sql.push(" AND id = ").bind(Arg::I64(id));
    }
    sql.push(" ORDER BY id");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let from: String = get(r, "valid_from")?;
        let mut p = Partnership {
            id,
            employer_id: get(r, "employer_id")?,
            name: get(r, "name")?,
            valid_from: parse_date(&from)?,
            valid_to: opt_date(get(r, "valid_to")?)?,
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
            let on: String = get(o, "occurred_on")?;
            p.outcomes.push(PartnershipOutcome {
                id: get(o, "id")?,
                agreement_id: id,
                occurred_on: parse_date(&on)?,
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

async fn load_contracts(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<ProcurementContract>> {
    let mut sql = Sql::new(
        "SELECT id, employer_id, contract_name, contract_reference, procuring_unit, period_from, \
         period_to, requirement_kind, required_placements, required_hours_share_permille, note, \
         created_at FROM procurement_contracts WHERE employer_id = ",
    );
    sql.bind(Arg::I64(employer_id));
    if let Some(id) = only {
        sql.push(" AND id = ").bind(Arg::I64(id));
    }
    sql.push(" ORDER BY id");
    let rows = sql.query().fetch_all(&mut **tx).await?;
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
        let from: String = get(r, "period_from")?;
        let to: String = get(r, "period_to")?;
        let period_from = parse_date(&from)?;
        let period_to = parse_date(&to)?;
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

fn detail(employer_id: i64, what: &str, id: i64) -> String {
    format!("employer {employer_id} {what} {id}")
}

impl Store {
    /// The employers the actor may read, by name prefix, SNI and district.
    pub async fn list_employers(&self, ctx: &Ctx, q: &EmployerQuery) -> Result<EmployerPage> {
        let (mut tx, permit) = self
            .authorize_employer(ctx, EmployerAction::Read, None, "employer.list")
            .await?;
        let per_page = q.per_page.clamp(1, 100);
        let page = q.page.max(1);
        let mut filter = Sql::new(" FROM employers e WHERE ");
        employer_filter(ctx, EmployerAction::Read, &mut filter);
        if let Some(text) =
            q.q.as_deref()
                .map(fold_for_search)
                .filter(|t| !t.is_empty())
        {
            filter
                .push(" AND (e.name_folded LIKE ")
                .bind(Arg::Text(format!("{text}%")))
                .push(" OR e.name_folded LIKE ")
                .bind(Arg::Text(format!("% {text}%")))
                .push(")");
        }
        if let Some(sni) = q.sni.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let sni = sni.to_ascii_uppercase();
            filter
                .push(" AND (e.sni_code = ")
                .bind(Arg::Text(sni.clone()))
                .push(
                    " OR e.sni_code IN (SELECT c.code FROM classification_codes c \
                     WHERE c.classification = 'sni' AND c.parent = ",
                )
                .bind(Arg::Text(sni))
                .push("))");
        }
        if let Some(d) = q
            .district
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            filter
                .push(" AND e.id IN (SELECT w.employer_id FROM employer_workplaces w WHERE w.district = ")
                .bind(Arg::Text(d.to_string()))
                .push(")");
        }
        let mut count = Sql::new("SELECT COUNT(*) AS n");
        count.text.push_str(&filter.text);
        count.args = filter.args.clone();
        let total: i64 = get(&count.query().fetch_one(&mut *tx).await?, "n")?;
        let mut sql = Sql::new(&format!("SELECT {EMPLOYER_COLUMNS}"));
        let base = sql.args.len();
        debug_assert_eq!(base, 0);
        sql.text.push_str(&filter.text);
        sql.args = filter.args;
        sql.push(" ORDER BY e.name_folded, e.id LIMIT ")
            .bind(Arg::I64(per_page))
            .push(" OFFSET ")
            .bind(Arg::I64((page - 1) * per_page));
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let items = rows.iter().map(employer_row).collect::<Result<Vec<_>>>()?;
        let ids: Vec<String> = items.iter().map(|e| e.id.to_string()).collect();
        // The list's event names what it returned.
        permit
            .record(
                &mut tx,
                ctx,
                "employer.list.result",
                &format!("employers {}", ids.join(",")),
                &[],
            )
            .await?;
        tx.commit().await?;
        Ok(EmployerPage {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Register an employer (409 naming `organisation_number` if it is
    /// already registered).
    pub async fn create_employer(&self, ctx: &Ctx, input: &EmployerInput) -> Result<Employer> {
        let (mut tx, permit) = self
            .authorize_employer(ctx, EmployerAction::Create, None, "employer.create")
            .await?;
        // Every field's error at once: the taxonomy check joins the rest.
        let data = match EmployerData::from_input(input) {
            Ok(d) => d,
            Err(mut e) => {
                let code = input.sni_code.as_deref().map(str::trim).unwrap_or("");
                if e.for_field("sni_code").is_none()
                    && !code.is_empty()
                    && !sni_known(&mut tx, &code.to_ascii_uppercase()).await?
                {
                    e.add(
                        "sni_code",
                        "unknown_sni",
                        "sni_code must be a code of the SNI 2007 classification",
                    );
                }
                return Err(StoreError::Validation(e));
            }
        };
        check_sni(&mut tx, data.sni_code.as_deref()).await?;
        let (id, created) = upsert_employer(
            &mut tx,
            &data.organisation_number,
            &data.name,
            EmployerSource::Coordinator.as_str(),
            Some(ctx.actor.user_id),
            ctx.now,
        )
        .await?;
        if !created {
            return Err(StoreError::Conflict {
                field: "organisation_number".into(),
                message: "an employer with this organisation number is already registered".into(),
            });
        }
        sqlx::query("UPDATE employers SET sni_code = $1, size_class = $2 WHERE id = $3")
            .bind(data.sni_code.as_deref())
            .bind(data.size_class.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.created",
                &format!("employer {id}"),
                &[],
            )
            .await?;
        let e = load_employer(&mut tx, id).await?;
        tx.commit().await?;
        Ok(e)
    }

    pub async fn read_employer(&self, ctx: &Ctx, id: i64) -> Result<Employer> {
        let (mut tx, _permit) = self
            .authorize_employer(ctx, EmployerAction::Read, Some(id), "employer.read")
            .await?;
        let e = load_employer(&mut tx, id).await?;
        tx.commit().await?;
        Ok(e)
    }

    /// The employer with everything recorded about it, under one decision
    /// (the details page).
    pub async fn employer_overview(&self, ctx: &Ctx, id: i64) -> Result<EmployerOverview> {
        let (mut tx, _permit) = self
            .authorize_employer(ctx, EmployerAction::Read, Some(id), "employer.overview")
            .await?;
        let today = ctx.today();
        let o = EmployerOverview {
            employer: load_employer(&mut tx, id).await?,
            workplaces: load_workplaces(&mut tx, id, None).await?,
            contacts: load_contacts(&mut tx, id, None).await?,
            interactions: load_interactions(&mut tx, id, None).await?,
            partnerships: load_partnerships(&mut tx, id, None, today).await?,
            procurement_contracts: load_contracts(&mut tx, id, None, today).await?,
        };
        tx.commit().await?;
        Ok(o)
    }

    /// Change an employer; `version` must be the one read (else 409 stale).
    pub async fn update_employer(
        &self,
        ctx: &Ctx,
        id: i64,
        patch: &EmployerPatch,
    ) -> Result<Employer> {
        let (mut tx, _permit) = self
            .authorize_employer(ctx, EmployerAction::Manage, Some(id), "employer.update")
            .await?;
        let change = EmployerChange::from_patch(patch).map_err(StoreError::Validation)?;
        if let Some(sni) = &change.sni_code {
            check_sni(&mut tx, sni.as_deref()).await?;
        }
        if let Some(Some(org)) = change.organisation_id {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_one(&mut *tx)
                .await?;
            if get::<i64>(&row, "n")? == 0 {
                return Err(one_error(
                    "organisation_id",
                    "unknown_organisation",
                    "organisation_id must name an existing organisation",
                ));
            }
        }
        let current = load_employer(&mut tx, id).await?;
        if current.version != change.version {
            return Err(StoreError::StaleVersion);
        }
        let name = change.name.clone().unwrap_or(current.name.clone());
        let sni = change.sni_code.clone().unwrap_or(current.sni_code.clone());
        let size = change.size_class.unwrap_or(current.size_class);
        let org = change.organisation_id.unwrap_or(current.organisation_id);
        let done = sqlx::query(
            "UPDATE employers SET name = $1, name_folded = $2, sni_code = $3, size_class = $4, \
             organisation_id = $5, version = version + 1, updated_at = $6 \
             WHERE id = $7 AND version = $8",
        )
        .bind(name.as_str())
        .bind(fold_for_search(&name))
        .bind(sni.as_deref())
        .bind(size.as_str())
        .bind(org)
        .bind(micros(ctx.now))
        .bind(id)
        .bind(change.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        let e = load_employer(&mut tx, id).await?;
        tx.commit().await?;
        Ok(e)
    }

    pub async fn list_employer_workplaces(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<Workplace>> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Read,
                Some(employer_id),
                "employer.workplace.list",
            )
            .await?;
        let w = load_workplaces(&mut tx, employer_id, None).await?;
        tx.commit().await?;
        Ok(w)
    }

    pub async fn add_employer_workplace(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &WorkplaceInput,
    ) -> Result<Workplace> {
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.workplace.create",
            )
            .await?;
        let d = WorkplaceData::from_input(input).map_err(StoreError::Validation)?;
        let row = sqlx::query(
            "INSERT INTO employer_workplaces (employer_id, name, street_address, postal_code, city, \
             municipality_code, district, accessibility, accessibility_note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(employer_id)
        .bind(d.name.as_str())
        .bind(d.street_address.as_deref())
        .bind(d.postal_code.as_deref())
        .bind(d.city.as_deref())
        .bind(d.municipality_code.as_str())
        .bind(d.district.as_deref())
        .bind(accessibility_text(&d.accessibility))
        .bind(d.accessibility_note.as_deref())
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.workplace.created",
                &detail(employer_id, "workplace", id),
                &[],
            )
            .await?;
        let w = load_workplaces(&mut tx, employer_id, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(w)
    }

    pub async fn list_employer_contacts(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<EmployerContact>> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Read,
                Some(employer_id),
                "employer.contact.list",
            )
            .await?;
        let c = load_contacts(&mut tx, employer_id, None).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn add_employer_contact(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &ContactInput,
    ) -> Result<EmployerContact> {
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.contact.create",
            )
            .await?;
        let d = ContactData::from_input(input).map_err(StoreError::Validation)?;
        let row = sqlx::query(
            "INSERT INTO employer_contacts (employer_id, name, title, email, phone, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(employer_id)
        .bind(d.name.as_str())
        .bind(d.title.as_deref())
        .bind(d.email.as_deref())
        .bind(d.phone.as_deref())
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.contact.created",
                &detail(employer_id, "contact", id),
                &[],
            )
            .await?;
        let c = load_contacts(&mut tx, employer_id, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn list_employer_interactions(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<Interaction>> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Read,
                Some(employer_id),
                "employer.interaction.list",
            )
            .await?;
        let i = load_interactions(&mut tx, employer_id, None).await?;
        tx.commit().await?;
        Ok(i)
    }

    /// Append to the interaction log (there is no change or removal).
    pub async fn add_employer_interaction(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &InteractionInput,
    ) -> Result<Interaction> {
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.interaction.create",
            )
            .await?;
        let d = InteractionData::from_input(input, ctx.today()).map_err(StoreError::Validation)?;
        let row = sqlx::query(
            "INSERT INTO employer_interactions (employer_id, occurred_on, kind, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(employer_id)
        .bind(date_text(d.occurred_on))
        .bind(d.kind.as_str())
        .bind(d.note.as_str())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.interaction.created",
                &detail(employer_id, "interaction", id),
                &[],
            )
            .await?;
        let i = load_interactions(&mut tx, employer_id, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(i)
    }

    pub async fn list_partnerships(&self, ctx: &Ctx, employer_id: i64) -> Result<Vec<Partnership>> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Read,
                Some(employer_id),
                "employer.partnership.list",
            )
            .await?;
        let p = load_partnerships(&mut tx, employer_id, None, ctx.today()).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn add_partnership(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &PartnershipInput,
    ) -> Result<Partnership> {
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.partnership.create",
            )
            .await?;
        let d = PartnershipData::from_input(input).map_err(StoreError::Validation)?;
        let row = sqlx::query(
            "INSERT INTO partnership_agreements (employer_id, name, valid_from, valid_to, \
             target_placements_per_year, target_hires_per_year, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(employer_id)
        .bind(d.name.as_str())
        .bind(date_text(d.valid_from))
        .bind(d.valid_to.map(date_text))
        .bind(d.target_placements_per_year)
        .bind(d.target_hires_per_year)
        .bind(d.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.partnership.created",
                &detail(employer_id, "partnership", id),
                &[],
            )
            .await?;
        let p = load_partnerships(&mut tx, employer_id, Some(id), ctx.today())
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(p)
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
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.partnership.outcome.create",
            )
            .await?;
        let today = ctx.today();
        let agreement = load_partnerships(&mut tx, employer_id, Some(agreement_id), today)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let d = OutcomeData::from_input(input, agreement.valid_from, agreement.valid_to, today)
            .map_err(StoreError::Validation)?;
        let row = sqlx::query(
            "INSERT INTO partnership_outcomes (agreement_id, occurred_on, kind, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(agreement_id)
        .bind(date_text(d.occurred_on))
        .bind(d.kind.as_str())
        .bind(d.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.partnership.outcome.created",
                &format!("employer {employer_id} partnership {agreement_id} outcome {id}"),
                &[],
            )
            .await?;
        let p = load_partnerships(&mut tx, employer_id, Some(agreement_id), today)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn list_procurement_contracts(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<ProcurementContract>> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Read,
                Some(employer_id),
                "employer.procurement.list",
            )
            .await?;
        let c = load_contracts(&mut tx, employer_id, None, ctx.today()).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn add_procurement_contract(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &ProcurementInput,
    ) -> Result<ProcurementContract> {
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.procurement.create",
            )
            .await?;
        let d = ProcurementData::from_input(input).map_err(StoreError::Validation)?;
        let (placements, share) = match d.requirement {
            Requirement::Placements(n) => (Some(n), None),
            Requirement::HoursShare(n) => (None, Some(n)),
        };
        let row = sqlx::query(
            "INSERT INTO procurement_contracts (employer_id, contract_name, contract_reference, \
             procuring_unit, period_from, period_to, requirement_kind, required_placements, \
             required_hours_share_permille, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(employer_id)
        .bind(d.contract_name.as_str())
        .bind(d.contract_reference.as_deref())
        .bind(d.procuring_unit.as_str())
        .bind(date_text(d.period_from))
        .bind(date_text(d.period_to))
        .bind(d.requirement.kind().as_str())
        .bind(placements)
        .bind(share)
        .bind(d.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.procurement.created",
                &detail(employer_id, "procurement contract", id),
                &[],
            )
            .await?;
        let c = load_contracts(&mut tx, employer_id, Some(id), ctx.today())
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
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
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.procurement.fulfilment.put",
            )
            .await?;
        let today = ctx.today();
        let c = load_contracts(&mut tx, employer_id, Some(contract_id), today)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let row = FulfilmentRow::from_input(month, input, c.period_from, c.period_to)
            .map_err(StoreError::Validation)?;
        let m = month_text(row.month);
        sqlx::query("DELETE FROM procurement_fulfilment WHERE contract_id = $1 AND month = $2")
            .bind(contract_id)
            .bind(m.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO procurement_fulfilment (contract_id, month, placements, contract_hours, \
             target_group_hours, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(contract_id)
        .bind(m.as_str())
        .bind(row.placements)
        .bind(row.contract_hours)
        .bind(row.target_group_hours)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .execute(&mut *tx)
        .await?;
        permit
            .record(
                &mut tx,
                ctx,
                "employer.procurement.fulfilment.recorded",
                &format!("employer {employer_id} procurement contract {contract_id} month {m}"),
                &[],
            )
            .await?;
        let c = load_contracts(&mut tx, employer_id, Some(contract_id), today)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
    }
}
