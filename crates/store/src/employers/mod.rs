//! The employer register: employers, workplaces, contacts, the interaction
//! log, partnership agreements with their outcomes and social-procurement
//! contracts with monthly fulfilment. Every function with an actor is
//! decided and audited by [`Store::authorize_employer`]; lists are narrowed
//! by the same rules (`employer_filter`). [`Store::upsert_employer_by_org_number`]
//! is the one entry without an actor, for callers that decide themselves
//! (the public form, the job-ads import).

mod agreements;
mod records;
pub mod seed;

use crate::access::employers::{employer_filter, EmployerPermit};
use crate::access::Permit;
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{commit, corrupt, exists, one_error};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use agreements::{load_contracts, load_partnerships};
use chrono::{DateTime, NaiveDate, Utc};
use records::{load_contacts, load_interactions, load_workplaces};
use sqlx::any::AnyRow;
use vagar_domain::access::EmployerAction;
use vagar_domain::employers::{
    AccessibilityFeature, EmployerChange, EmployerData, EmployerInput, EmployerPatch,
    EmployerSource, Fulfilment, FulfilmentRow, InteractionKind, OutcomeKind, Requirement,
    SizeClass, YearProgress,
};
use vagar_domain::participants::fold_for_search;
use vagar_domain::OrganisationNumber;

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

/// Register an employer with its classification unless the organisation
/// number is taken: its id, and whether it was created (an existing one is
/// left as it is).
pub(super) async fn register_employer(
    tx: &mut Tx,
    d: &EmployerData,
    source: EmployerSource,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, bool)> {
    let on = &d.organisation_number;
    let (id, created) = upsert_employer(tx, on, &d.name, source.as_str(), by, now).await?;
    if created {
        sqlx::query("UPDATE employers SET sni_code = $1, size_class = $2 WHERE id = $3")
            .bind(d.sni_code.as_deref())
            .bind(d.size_class.as_str())
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok((id, created))
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

fn bad(what: &str) -> StoreError {
    corrupt("employer data", what)
}

/// The event detail naming a record of an employer.
fn detail(employer_id: i64, what: &str, id: i64) -> String {
    format!("employer {employer_id} {what} {id}")
}

/// The rows of `table` that belong to the employer (only `only`, when
/// given), ordered by `order`.
async fn child_rows(
    tx: &mut Tx,
    columns: &str,
    table: &str,
    employer_id: i64,
    only: Option<i64>,
    order: &str,
) -> Result<Vec<AnyRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {columns} FROM {table} WHERE employer_id = "
    ));
    sql.bind(Arg::I64(employer_id));
    if let Some(id) = only {
        sql.push(" AND id = ").bind(Arg::I64(id));
    }
    sql.push(" ORDER BY ").push(order);
    Ok(sql.query().fetch_all(&mut **tx).await?)
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
    let row = sqlx::query(&format!(
        "SELECT {EMPLOYER_COLUMNS} FROM employers e WHERE e.id = $1"
    ))
    .bind(id)
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

impl Store {
    /// Decide `action` on one employer's records, audited as `event`.
    pub(crate) async fn on_employer(
        &self,
        ctx: &Ctx,
        action: EmployerAction,
        employer_id: i64,
        event: &str,
    ) -> Result<(Tx, EmployerPermit)> {
        self.authorize_employer(ctx, action, Some(employer_id), event)
            .await
    }

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
        let detail = format!("employers {}", ids.join(","));
        permit
            .record(&mut tx, ctx, "employer.list.result", &detail, &[])
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
        let source = EmployerSource::Coordinator;
        let by = Some(ctx.actor.user_id);
        let (id, created) = register_employer(&mut tx, &data, source, by, ctx.now).await?;
        if !created {
            return Err(StoreError::Conflict {
                field: "organisation_number".into(),
                message: "an employer with this organisation number is already registered".into(),
            });
        }
        let detail = format!("employer {id}");
        permit
            .record(&mut tx, ctx, "employer.created", &detail, &[])
            .await?;
        let e = load_employer(&mut tx, id).await?;
        commit(tx, e).await
    }

    pub async fn read_employer(&self, ctx: &Ctx, id: i64) -> Result<Employer> {
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, id, "employer.read")
            .await?;
        let e = load_employer(&mut tx, id).await?;
        commit(tx, e).await
    }

    /// The employer with everything recorded about it, under one decision
    /// (the details page).
    pub async fn employer_overview(&self, ctx: &Ctx, id: i64) -> Result<EmployerOverview> {
        let event = "employer.overview";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, id, event)
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
        commit(tx, o).await
    }

    /// Change an employer; `version` must be the one read (else 409 stale).
    pub async fn update_employer(
        &self,
        ctx: &Ctx,
        id: i64,
        patch: &EmployerPatch,
    ) -> Result<Employer> {
        let event = "employer.update";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Manage, id, event)
            .await?;
        let change = EmployerChange::from_patch(patch).map_err(StoreError::Validation)?;
        if let Some(sni) = &change.sni_code {
            check_sni(&mut tx, sni.as_deref()).await?;
        }
        if let Some(Some(org)) = change.organisation_id {
            if !exists(&mut tx, "organisations", org).await? {
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
        commit(tx, e).await
    }
}
