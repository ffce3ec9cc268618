//! Participants in the database. Every function that returns or changes
//! personal data takes a permit from `access`.

mod seed;

use crate::access::participants::{
    check_participants, participant_filter, record_decision, ParticipantPermit,
};
use crate::audit::{AuditEvent, Tx};
use crate::kernel::split_list;
use crate::kernel::sql::{Arg, Sql};
use crate::{conflict_on, from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::access::{decide, GlobalAction, ParticipantAction, ParticipantFacts, Scope};
use vagar_domain::participants::{
    fold_for_search, BirthRegion, EducationLevel, Gender, ParticipantData, ParticipantInput,
    SwedishLevel, TargetGroup,
};
use vagar_domain::{IdentityNumber, ValidationErrors};

/// A stored participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub data: ParticipantData,
    pub organisation_id: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// E-mail and phone were removed because the actor may read the basic
    /// record only (a consent that does not cover `contact_details`).
    pub contact_details_withheld: bool,
}

impl Participant {
    fn withhold_contact_details(&mut self) {
        self.data.email = None;
        self.data.phone = None;
        self.contact_details_withheld = true;
    }
}

/// A search over participants: free text (name prefix, identity number or
/// birth date), district, target group; 1-based pages.
#[derive(Debug, Clone, Default)]
pub struct ParticipantQuery {
    pub q: Option<String>,
    pub district: Option<String>,
    pub target_group: Option<TargetGroup>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Number of matches, counted up to `COUNT_CAP`.
    pub total: u64,
    pub total_is_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

/// Counting every match of a one-letter search over a million rows costs more
/// than the page itself; beyond this the UI says "more than".
pub const COUNT_CAP: u64 = 1_000;
pub const MAX_PER_PAGE: u32 = 100;

/// How the free-text part of a search is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    Name(String),
    Identity(IdentityNumber),
    BirthDate(NaiveDate),
}

/// Read `q`: something shaped like an identity number must be a valid one;
/// eight digits (or YYYY-MM-DD) are a birth date; anything else a name prefix.
pub fn parse_search_term(
    q: &str,
    today: NaiveDate,
) -> Result<Option<SearchTerm>, ValidationErrors> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let numeric = q
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ');
    if numeric && digits >= 10 {
        return match IdentityNumber::parse(q, today) {
            Ok(n) => Ok(Some(SearchTerm::Identity(n))),
            Err(e) => {
                let mut errs = ValidationErrors::new();
                errs.add("q", e.code(), e.to_string());
                Err(errs)
            }
        };
    }
    if numeric {
        let compact: String = q.chars().filter(char::is_ascii_digit).collect();
        if compact.len() == 8 {
            if let Ok(d) = NaiveDate::parse_from_str(&compact, "%Y%m%d") {
                return Ok(Some(SearchTerm::BirthDate(d)));
            }
        }
        let mut errs = ValidationErrors::new();
        errs.add(
            "q",
            "format",
            "a numeric search must be a birth date (YYYYMMDD) or a whole identity number",
        );
        return Err(errs);
    }
    let folded = fold_for_search(q);
    if folded.is_empty() {
        return Ok(None);
    }
    Ok(Some(SearchTerm::Name(folded)))
}

const COLUMNS: &str = "p.id, p.identity_number, p.first_name, p.last_name, p.gender, p.birth_region, \
    p.education_level, p.disability, p.target_mask, p.municipality_code, p.district, p.swedish_level, \
    p.languages, p.driving_licences, p.email, p.phone, p.registered_on, p.responsible_caseworker_id, \
    p.organisation_id, p.version, p.created_at, p.updated_at";

fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("stored participant has an invalid {what}"))
}

fn row_to_participant(row: &AnyRow) -> Result<Participant> {
    let identity: String = get(row, "identity_number")?;
    let gender: String = get(row, "gender")?;
    let region: String = get(row, "birth_region")?;
    let edu: String = get(row, "education_level")?;
    let disability: Option<i64> = get(row, "disability")?;
    let swedish: Option<String> = get(row, "swedish_level")?;
    let registered: String = get(row, "registered_on")?;
    let data = ParticipantData {
        identity_number: IdentityNumber::from_canonical(&identity)
            .map_err(|_| corrupt("identity number"))?,
        first_name: get(row, "first_name")?,
        last_name: get(row, "last_name")?,
        gender: Gender::parse(&gender).ok_or_else(|| corrupt("gender"))?,
        birth_region: BirthRegion::parse(&region).ok_or_else(|| corrupt("birth region"))?,
        education_level: EducationLevel::parse(&edu).ok_or_else(|| corrupt("education level"))?,
        disability: disability.map(|v| v != 0),
        target_groups: TargetGroup::from_mask(get(row, "target_mask")?),
        municipality_code: get(row, "municipality_code")?,
        district: get(row, "district")?,
        swedish_level: swedish.as_deref().and_then(SwedishLevel::parse),
        languages: split_list(&get::<String>(row, "languages")?),
        driving_licences: split_list(&get::<String>(row, "driving_licences")?),
        email: get(row, "email")?,
        phone: get(row, "phone")?,
        registered_on: NaiveDate::parse_from_str(&registered, "%Y-%m-%d")
            .map_err(|_| corrupt("registration date"))?,
        responsible_caseworker_id: get(row, "responsible_caseworker_id")?,
    };
    Ok(Participant {
        id: get(row, "id")?,
        data,
        organisation_id: get(row, "organisation_id")?,
        version: get(row, "version")?,
        created_at: from_micros(get(row, "created_at")?),
        updated_at: from_micros(get(row, "updated_at")?),
        contact_details_withheld: false,
    })
}

/// The column values of a participant, in `INSERT_COLUMNS` order.
fn data_args(d: &ParticipantData) -> Vec<Arg> {
    let (key, key_rev) = d.name_keys();
    vec![
        Arg::Text(d.identity_number.as_str().to_string()),
        Arg::Text(d.birth_date().format("%Y-%m-%d").to_string()),
        Arg::Text(d.first_name.clone()),
        Arg::Text(d.last_name.clone()),
        Arg::Text(key),
        Arg::Text(key_rev),
        Arg::Text(d.gender.as_str().into()),
        Arg::Text(d.birth_region.as_str().into()),
        Arg::Text(d.education_level.as_str().into()),
        Arg::OptI64(d.disability.map(i64::from)),
        Arg::I64(TargetGroup::to_mask(&d.target_groups)),
        Arg::Text(d.municipality_code.clone()),
        Arg::OptText(d.district.clone()),
        Arg::OptText(d.swedish_level.map(|s| s.as_str().into())),
        Arg::Text(d.languages.join(",")),
        Arg::Text(d.driving_licences.join(",")),
        Arg::OptText(d.email.clone()),
        Arg::OptText(d.phone.clone()),
        Arg::Text(d.registered_on.format("%Y-%m-%d").to_string()),
        Arg::OptI64(d.responsible_caseworker_id),
    ]
}

const DATA_COLUMNS: [&str; 20] = [
    "identity_number",
    "birth_date",
    "first_name",
    "last_name",
    "name_key",
    "name_key_rev",
    "gender",
    "birth_region",
    "education_level",
    "disability",
    "target_mask",
    "municipality_code",
    "district",
    "swedish_level",
    "languages",
    "driving_licences",
    "email",
    "phone",
    "registered_on",
    "responsible_caseworker_id",
];

const DUPLICATE: &str = "a participant with this identity number is already registered";

impl Store {
    /// The id of another participant with this identity number, if any.
    pub(crate) async fn identity_holder(
        &self,
        tx: &mut Tx,
        n: &IdentityNumber,
        except: i64,
    ) -> Result<Option<i64>> {
        let row =
            sqlx::query("SELECT id FROM participants WHERE identity_number = $1 AND id <> $2")
                .bind(n.as_str())
                .bind(except)
                .fetch_optional(&mut **tx)
                .await?;
        row.map(|r| get::<i64>(&r, "id")).transpose()
    }

    /// Refuse a duplicate: one person is one record. The answer tells the
    /// caller the number is registered (the common entry depends on that), so
    /// the attempt is audited against the existing record.
    async fn refuse_duplicate(&self, tx: Tx, ctx: &Ctx, action: &str, holder: i64) -> Result<()> {
        tx.rollback().await?;
        self.audit_refusal(ctx, action, "identity_number_conflict", &[holder])
            .await?;
        Err(StoreError::Conflict {
            field: "identity_number".into(),
            message: DUPLICATE.into(),
        })
    }

    pub(crate) async fn check_caseworker(&self, tx: &mut Tx, id: Option<i64>) -> Result<()> {
        let Some(id) = id else { return Ok(()) };
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND role = 'caseworker' AND active = 1",
        )
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
        if get::<i64>(&row, "n")? == 0 {
            let mut e = ValidationErrors::new();
            e.add(
                "responsible_caseworker_id",
                "unknown_caseworker",
                "responsible_caseworker_id must be the id of an active caseworker",
            );
            return Err(StoreError::Validation(e));
        }
        Ok(())
    }

    /// Register a participant in the actor's organisation. Validation errors,
    /// a duplicate identity number or a refused permission leave nothing behind.
    pub async fn create_participant(
        &self,
        ctx: &Ctx,
        input: &ParticipantInput,
    ) -> Result<Participant> {
        let permit = self
            .authorize_global(ctx, GlobalAction::CreateParticipant)
            .await?;
        let data =
            ParticipantData::from_input(input, ctx.today()).map_err(StoreError::Validation)?;
        let mut tx = self.begin_audited().await?;
        self.check_caseworker(&mut tx, data.responsible_caseworker_id)
            .await?;
        if let Some(holder) = self
            .identity_holder(&mut tx, &data.identity_number, 0)
            .await?
        {
            return self
                .refuse_duplicate(tx, ctx, "participant.create", holder)
                .await
                .map(|_| unreachable!());
        }
        let id = insert_participant(&mut tx, ctx, &data).await?;
        permit.record(&mut tx, ctx, "", &[id]).await?;
        let p = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// One participant, if the actor may read it (audited).
    pub async fn read_participant(&self, ctx: &Ctx, id: i64) -> Result<Participant> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::Read, id)
            .await?;
        let mut p = self.participant(&mut tx, &permit).await?;
        // Under a consent the contact details are a decision of their own,
        // audited beside the read; every other rule that reads also grants them.
        if matches!(permit.rule().scope, Scope::Consent(_)) {
            let action = ParticipantAction::ReadContactDetails;
            let d = check_participants(&mut tx, ctx, action, &[id]).await?[0];
            record_decision(&mut tx, ctx, action, d, "", &[id]).await?;
            if d.is_none() {
                p.withhold_contact_details();
            }
        }
        tx.commit().await?;
        Ok(p)
    }

    /// Fetch under a permit already recorded in `tx`.
    pub async fn participant(
        &self,
        tx: &mut Tx,
        permit: &ParticipantPermit,
    ) -> Result<Participant> {
        fetch(tx, permit.participant_id()).await
    }

    /// Change a participant: `patch` fields replace the stored ones and the
    /// whole record is validated again. `expected_version`, when given, must
    /// match (optimistic locking for edit forms).
    pub async fn update_participant(
        &self,
        ctx: &Ctx,
        id: i64,
        patch: &ParticipantInput,
        expected_version: Option<i64>,
    ) -> Result<Participant> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::Update, id)
            .await?;
        let current = fetch(&mut tx, permit.participant_id()).await?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        let data = current
            .data
            .patched(patch, ctx.today())
            .map_err(StoreError::Validation)?;
        // Nothing changes: the version stays, so no other editor gets a
        // needless conflict (the allowed decision is still recorded).
        if data == current.data {
            tx.commit().await?;
            return Ok(current);
        }
        if data.responsible_caseworker_id != current.data.responsible_caseworker_id {
            self.check_caseworker(&mut tx, data.responsible_caseworker_id)
                .await?;
        }
        if let Some(holder) = self
            .identity_holder(&mut tx, &data.identity_number, id)
            .await?
        {
            return self
                .refuse_duplicate(tx, ctx, "participant.update", holder)
                .await
                .map(|_| unreachable!());
        }
        let mut sql = Sql::new("UPDATE participants SET ");
        for (i, (col, arg)) in DATA_COLUMNS.iter().zip(data_args(&data)).enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push(col).push(" = ").bind(arg);
        }
        sql.push(", version = version + 1, updated_at = ")
            .bind(Arg::I64(micros(ctx.now)))
            .push(" WHERE id = ")
            .bind(Arg::I64(id));
        sql.query()
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_on(e, "identity_number", DUPLICATE))?;
        let p = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Search the participants the actor may read. The access filter is part
    /// of the query, so a list never shows what a single read would refuse;
    /// the audit event names every id returned.
    ///
    /// A name search matches "last first" or "first last" by prefix. Each
    /// form is read in its own index order and the two are merged here, so
    /// no query sorts more rows than the page needs, even for one letter
    /// over a million people.
    pub async fn search_participants(
        &self,
        ctx: &Ctx,
        query: &ParticipantQuery,
    ) -> Result<Page<Participant>> {
        let permit = self
            .authorize_global(ctx, GlobalAction::ListParticipants)
            .await?;
        let term = match &query.q {
            Some(q) => parse_search_term(q, ctx.today()).map_err(StoreError::Validation)?,
            None => None,
        };
        let per_page = query.per_page.clamp(1, MAX_PER_PAGE);
        let page = query.page.max(1);
        let offset = ((page - 1) * per_page) as i64;
        // WHERE clause shared by every query of this search.
        let base = |sql: &mut Sql| {
            sql.push(" WHERE ");
            participant_filter(ctx, ParticipantAction::Read, sql);
            if let Some(d) = query
                .district
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                sql.push(" AND p.district = ").bind(Arg::Text(d.into()));
            }
            if let Some(g) = query.target_group {
                sql.push(" AND (p.target_mask & ")
                    .bind(Arg::I64(g.bit()))
                    .push(") <> 0");
            }
        };
        let prefix_range = |sql: &mut Sql, col: &str, prefix: &str| {
            // Prefix ranges use plain B-tree indexes on both engines
            // (PostgreSQL's keys are COLLATE "C", i.e. byte order).
            sql.push(&format!(" AND p.{col} >= "))
                .bind(Arg::Text(prefix.into()))
                .push(&format!(" AND p.{col} < "))
                .bind(Arg::Text(format!("{prefix}\u{10FFFF}")));
        };
        let not_prefix = |sql: &mut Sql, col: &str, prefix: &str| {
            sql.push(&format!(" AND NOT (p.{col} >= "))
                .bind(Arg::Text(prefix.into()))
                .push(&format!(" AND p.{col} < "))
                .bind(Arg::Text(format!("{prefix}\u{10FFFF}")))
                .push(")");
        };
        // One (count, list) pair per way of matching; lists are in `order`.
        let mut parts: Vec<(Sql, Sql)> = Vec::new();
        let mut add_part = |extra: &dyn Fn(&mut Sql), order: &str, limit: i64| {
            let mut count = Sql::new("SELECT COUNT(*) AS n FROM (SELECT 1 FROM participants p");
            base(&mut count);
            extra(&mut count);
            count.push(&format!(" LIMIT {}) t", COUNT_CAP + 1));
            let mut list = Sql::new(&format!(
                "SELECT {COLUMNS}, {order} AS sort_key FROM participants p"
            ));
            base(&mut list);
            extra(&mut list);
            list.push(&format!(" ORDER BY {order}, p.id LIMIT "))
                .bind(Arg::I64(limit));
            parts.push((count, list));
        };
        let single_limit = offset + per_page as i64;
        match &term {
            Some(SearchTerm::Name(prefix)) => {
                add_part(
                    &|s: &mut Sql| prefix_range(s, "name_key", prefix),
                    "p.name_key",
                    single_limit,
                );
                add_part(
                    &|s: &mut Sql| {
                        prefix_range(s, "name_key_rev", prefix);
                        not_prefix(s, "name_key", prefix);
                    },
                    "p.name_key_rev",
                    single_limit,
                );
            }
            Some(SearchTerm::Identity(n)) => {
                let n = n.as_str().to_string();
                add_part(
                    &|s: &mut Sql| {
                        s.push(" AND p.identity_number = ")
                            .bind(Arg::Text(n.clone()));
                    },
                    "p.name_key",
                    single_limit,
                );
            }
            Some(SearchTerm::BirthDate(d)) => {
                let d = d.format("%Y-%m-%d").to_string();
                add_part(
                    &|s: &mut Sql| {
                        s.push(" AND p.birth_date = ").bind(Arg::Text(d.clone()));
                    },
                    "p.name_key",
                    single_limit,
                );
            }
            None => add_part(&|_: &mut Sql| {}, "p.name_key", single_limit),
        }

        let mut tx = self.begin_audited().await?;
        let mut total: i64 = 0;
        let mut rows: Vec<(String, Participant)> = Vec::new();
        for (count, list) in &parts {
            total += get::<i64>(&count.query().fetch_one(&mut *tx).await?, "n")?;
            for row in list.query().fetch_all(&mut *tx).await? {
                rows.push((get(&row, "sort_key")?, row_to_participant(&row)?));
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
        let mut items: Vec<Participant> = rows
            .into_iter()
            .skip(offset as usize)
            .take(per_page as usize)
            .map(|(_, p)| p)
            .collect();
        apply_contact_rule(&mut tx, ctx, &mut items).await?;
        let ids: Vec<i64> = items.iter().map(|p| p.id).collect();
        permit.record(&mut tx, ctx, "", &ids).await?;
        tx.commit().await?;
        Ok(Page {
            items,
            total: (total as u64).min(COUNT_CAP),
            total_is_capped: total as u64 > COUNT_CAP,
            page,
            per_page,
        })
    }

    /// The audit events that touched a participant (admin only), itself audited.
    pub async fn participant_audit(
        &self,
        ctx: &Ctx,
        id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::ReadAudit, id)
            .await?;
        // Include the event that records this very read.
        let events = self
            .audit_for_participant(&mut tx, permit.participant_id(), limit)
            .await?;
        tx.commit().await?;
        Ok(events)
    }

    /// Recent events of the whole trail (admin only).
    pub async fn recent_audit(&self, ctx: &Ctx, limit: i64) -> Result<Vec<AuditEvent>> {
        let permit = self
            .authorize_global(ctx, GlobalAction::ReadAuditLog)
            .await?;
        let mut tx = self.begin_audited().await?;
        permit.record(&mut tx, ctx, "", &[]).await?;
        let events = self.audit_recent(&mut tx, limit).await?;
        tx.commit().await?;
        Ok(events)
    }
}

/// Insert a validated participant in the actor's organisation; returns its id.
pub(crate) async fn insert_participant(
    tx: &mut Tx,
    ctx: &Ctx,
    data: &ParticipantData,
) -> Result<i64> {
    let mut sql = Sql::new("INSERT INTO participants (");
    sql.push(&DATA_COLUMNS.join(", "))
        .push(", organisation_id, version, created_at, updated_at) VALUES (");
    for (i, arg) in data_args(data).into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(arg);
    }
    let now = micros(ctx.now);
    sql.push(", ")
        .bind(Arg::I64(ctx.actor.organisation_id))
        .push(", 1, ")
        .bind(Arg::I64(now))
        .push(", ")
        .bind(Arg::I64(now))
        .push(") RETURNING id");
    let row = sql
        .query()
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| conflict_on(e, "identity_number", DUPLICATE))?;
    get(&row, "id")
}

/// Remove contact details the actor may not see from participants already
/// read under `Read`. The rules that grant `Read` without consent also grant
/// the contact details, so only the rest are decided (in bulk).
pub(crate) async fn apply_contact_rule(
    tx: &mut Tx,
    ctx: &Ctx,
    items: &mut [Participant],
) -> Result<()> {
    let unsure: Vec<i64> = items
        .iter()
        .filter(|p| {
            let facts = ParticipantFacts {
                organisation_id: p.organisation_id,
                responsible_caseworker_id: p.data.responsible_caseworker_id,
                actor_has_grant: false,
            };
            decide(&ctx.actor, ParticipantAction::ReadContactDetails, &facts).is_none()
        })
        .map(|p| p.id)
        .collect();
    if unsure.is_empty() {
        return Ok(());
    }
    let decisions =
        check_participants(tx, ctx, ParticipantAction::ReadContactDetails, &unsure).await?;
    for (id, d) in unsure.iter().zip(decisions) {
        if d.is_none() {
            if let Some(p) = items.iter_mut().find(|p| p.id == *id) {
                p.withhold_contact_details();
            }
        }
    }
    Ok(())
}

pub(crate) async fn fetch(tx: &mut Tx, id: i64) -> Result<Participant> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM participants p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    row_to_participant(&row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_classified_without_echoing_numbers() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            parse_search_term("Öst", today).unwrap(),
            Some(SearchTerm::Name("ost".into()))
        );
        assert!(matches!(
            parse_search_term("19811218", today).unwrap(),
            Some(SearchTerm::BirthDate(_))
        ));
        let err = parse_search_term("19811218-9875", today).unwrap_err();
        assert_eq!(err.0[0].field, "q");
        assert!(!err.to_string().contains("9875"));
        assert_eq!(parse_search_term("  ", today).unwrap(), None);
    }
}
