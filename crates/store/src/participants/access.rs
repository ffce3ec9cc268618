//! The participant policy's decisions (`vagar_domain::access`) against the
//! database: the facts of many participants loaded in bulk, single
//! decisions audited in the transaction that does the work, and the list
//! filter built from the same rules. Part of [`crate::access`] (included
//! there by `#[path]`): only it makes a `ParticipantPermit`.

use super::{append_decision, push_any_scope};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{date_at, date_text, opt_date_at};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use std::collections::HashMap;
use vagar_domain::access::{
    decide_with_consent, participant_rules, role_may, ConsentFacts, ParticipantAction,
    ParticipantFacts, Rule, Scope,
};
use vagar_domain::consent::{ConsentMethod, ConsentState, ConsentTerms, DataCategory};

/// Permission to perform `action` on one participant, for this request.
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct ParticipantPermit {
    participant_id: i64,
    action: ParticipantAction,
    rule: Rule,
}

impl ParticipantPermit {
    pub fn participant_id(&self) -> i64 {
        self.participant_id
    }
    pub fn action(&self) -> ParticipantAction {
        self.action
    }
    pub fn rule(&self) -> Rule {
        self.rule
    }
}

pub(crate) fn participant_action_name(a: ParticipantAction) -> &'static str {
    match a {
        ParticipantAction::Read => "participant.read",
        ParticipantAction::ReadContactDetails => "participant.contact_details.read",
        ParticipantAction::Update => "participant.update",
        ParticipantAction::ReadAudit => "participant.audit.read",
        ParticipantAction::ReadConsents => "participant.consent.list",
        ParticipantAction::RecordConsent => "participant.consent.record",
        ParticipantAction::RevokeConsent => "participant.consent.revoke",
        ParticipantAction::Handover => "participant.handover",
    }
}

/// Load the facts the rules need for `ids`: one query for the participants
/// and grants, one for the consents that name the actor's organisation.
async fn load_facts(
    tx: &mut Tx,
    ctx: &Ctx,
    ids: &[i64],
) -> Result<HashMap<i64, (ParticipantFacts, ConsentFacts)>> {
    let mut facts = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new(
            "SELECT p.id, p.organisation_id, p.responsible_caseworker_id, \
             (SELECT COUNT(*) FROM access_grants g WHERE g.participant_id = p.id AND g.user_id = ",
        );
        sql.bind(Arg::I64(ctx.actor.user_id))
            .push(" AND g.valid_from <= ")
            .bind(Arg::I64(micros(ctx.now)))
            .push(" AND g.valid_until > ")
            .bind(Arg::I64(micros(ctx.now)))
            .push(") AS grants FROM participants p WHERE p.id IN (");
        sql.bind_ids(chunk);
        sql.push(")");
        for row in sql.query().fetch_all(&mut **tx).await? {
            let grants: i64 = get(&row, "grants")?;
            facts.insert(
                get::<i64>(&row, "id")?,
                (
                    ParticipantFacts {
                        organisation_id: get(&row, "organisation_id")?,
                        responsible_caseworker_id: get(&row, "responsible_caseworker_id")?,
                        actor_has_grant: grants > 0,
                    },
                    ConsentFacts::default(),
                ),
            );
        }
        let mut by_participant: HashMap<i64, Vec<ConsentState>> = HashMap::new();
        for (_, participant, state) in consents_naming_actor(tx, ctx, chunk).await? {
            by_participant.entry(participant).or_default().push(state);
        }
        for (participant, list) in by_participant {
            if let Some(f) = facts.get_mut(&participant) {
                f.1 = ConsentFacts::from_states(&list, ctx.actor.organisation_id, ctx.now);
            }
        }
    }
    Ok(facts)
}

/// Every consent naming the actor's organisation for `participant_ids`,
/// whatever its period: whether it is in force is the domain's decision
/// (`ConsentState`). (consent id, participant id, state), by consent id.
pub(super) async fn consents_naming_actor(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_ids: &[i64],
) -> Result<Vec<(i64, i64, ConsentState)>> {
    let mut sql = Sql::new(
        "SELECT c.id, c.participant_id, c.valid_from, c.valid_to, c.revoked_at, cc.category \
         FROM consents c JOIN consent_organisations co ON co.consent_id = c.id \
         LEFT JOIN consent_categories cc ON cc.consent_id = c.id WHERE co.organisation_id = ",
    );
    sql.bind(Arg::I64(ctx.actor.organisation_id))
        .push(" AND c.participant_id IN (")
        .bind_ids(participant_ids)
        .push(") ORDER BY c.id");
    let mut states: Vec<(i64, i64, ConsentState)> = Vec::new();
    for row in sql.query().fetch_all(&mut **tx).await? {
        let id: i64 = get(&row, "id")?;
        if states.last().map(|s| s.0) != Some(id) {
            states.push((
                id,
                get(&row, "participant_id")?,
                ConsentState {
                    terms: ConsentTerms {
                        organisation_ids: vec![ctx.actor.organisation_id],
                        categories: vec![],
                        valid_from: date_at(&row, "valid_from")?,
                        valid_to: opt_date_at(&row, "valid_to")?,
                        method: ConsentMethod::Written,
                        note: None,
                    },
                    revoked_at: get::<Option<i64>>(&row, "revoked_at")?.map(from_micros),
                },
            ));
        }
        let category = get::<Option<String>>(&row, "category")?
            .as_deref()
            .and_then(DataCategory::parse);
        if let (Some(c), Some(last)) = (category, states.last_mut()) {
            last.2.terms.categories.push(c);
        }
    }
    Ok(states)
}

/// Check `action` on many participants at once: a decision per id, in input
/// order. Denials of a role that may never act are not per-target.
pub async fn check_participants(
    tx: &mut Tx,
    ctx: &Ctx,
    action: ParticipantAction,
    ids: &[i64],
) -> Result<Vec<Option<Rule>>> {
    if !role_may(ctx.actor.role, action) {
        return Ok(vec![None; ids.len()]);
    }
    let facts = load_facts(tx, ctx, ids).await?;
    Ok(ids
        .iter()
        .map(|id| {
            facts
                .get(id)
                .and_then(|(f, c)| decide_with_consent(&ctx.actor, action, f, c))
        })
        .collect())
}

impl Store {
    /// Decide `action` on one participant and audit the decision, in a new
    /// audited transaction. A role that may never do this gets `Forbidden`; a
    /// participant the actor may not see gets `NotFound`, the same as one that
    /// does not exist. A denial is committed at once, in that transaction (it
    /// holds the audit chain's head, so a second audited transaction would
    /// wait for it forever); an allowed event is written into the returned
    /// transaction, which the caller commits with its work.
    pub async fn authorize_participant(
        &self,
        ctx: &Ctx,
        action: ParticipantAction,
        participant_id: i64,
    ) -> Result<(Tx, ParticipantPermit)> {
        let name = participant_action_name(action);
        let mut d = self
            .open_decision(ctx, name, String::new(), vec![participant_id])
            .await?;
        let decision = check_participants(&mut d.tx, ctx, action, &[participant_id]).await?[0];
        if decision.is_none() && !role_may(ctx.actor.role, action) {
            return d.deny(StoreError::Forbidden).await;
        }
        d.conclude(decision.map(|rule| {
            let permit = ParticipantPermit {
                participant_id,
                action,
                rule,
            };
            (rule.name(), permit)
        }))
        .await
    }
}

permit_by_rule!(ParticipantPermit);

/// Whether a consent in force at the request's time names the actor's
/// organisation and covers `category`.
pub(crate) async fn consent_covers(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    category: DataCategory,
) -> Result<bool> {
    let mut sql = Sql::new("SELECT COUNT(*) AS n");
    push_consents_in_force(&mut sql, ctx, ctx.actor.organisation_id, Some(category));
    sql.push(" AND c.participant_id = ")
        .bind(Arg::I64(participant_id));
    let row = sql.query().fetch_one(&mut **tx).await?;
    Ok(get::<i64>(&row, "n")? > 0)
}

/// ` FROM consents c … WHERE …`: the consents in force at the request's
/// time that name `organisation_id` (and cover `category`, when given) —
/// the conditions of `ConsentState::covers`: started on or before today,
/// last day today or later, not revoked by now.
pub(crate) fn push_consents_in_force(
    sql: &mut Sql,
    ctx: &Ctx,
    organisation_id: i64,
    category: Option<DataCategory>,
) {
    let today = date_text(ctx.today());
    sql.push(" FROM consents c JOIN consent_organisations co ON co.consent_id = c.id");
    if category.is_some() {
        sql.push(" JOIN consent_categories cc ON cc.consent_id = c.id");
    }
    sql.push(" WHERE co.organisation_id = ")
        .bind(Arg::I64(organisation_id))
        .push(" AND c.valid_from <= ")
        .bind(Arg::Text(today.clone()))
        .push(" AND (c.valid_to IS NULL OR c.valid_to >= ")
        .bind(Arg::Text(today))
        .push(") AND (c.revoked_at IS NULL OR c.revoked_at > ")
        .bind(Arg::I64(micros(ctx.now)))
        .push(")");
    if let Some(c) = category {
        sql.push(" AND cc.category = ")
            .bind(Arg::Text(c.as_str().into()));
    }
}

/// The rule a consent-based reader of `category` is allowed by, as the
/// trail names it: `partner:consent:assessment`, `…:assessment+health`.
pub(crate) fn consent_rule_name(ctx: &Ctx, categories: &[DataCategory]) -> String {
    let names: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
    format!("{}:consent:{}", ctx.actor.role.as_str(), names.join("+"))
}

/// Permission to read one category of a participant's data (the
/// assessment, the competence profile): the participant permit it rests
/// on, and whether the reader also sees the wider category asked for
/// (health) — always, unless the reader holds the participant by consent.
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct CategoryPermit {
    participant: ParticipantPermit,
    also: bool,
}

impl CategoryPermit {
    pub fn participant_id(&self) -> i64 {
        self.participant.participant_id
    }
    /// Whether the wider category (`also` of the decision) is open.
    pub fn also_covered(&self) -> bool {
        self.also
    }
}

impl Store {
    /// Decide reading `category` of a participant's data and audit it as
    /// `event`: `Read` on the participant, and for a reader who holds the
    /// participant by a consent rule (`Scope::Consent`) a consent in force
    /// covering `category` — else 404, audited as denied, as if it did not
    /// exist. `also` is a wider category (health) such a reader sees only
    /// when a consent covers it too.
    pub(crate) async fn authorize_category_read(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        event: &str,
        category: DataCategory,
        also: Option<DataCategory>,
    ) -> Result<(Tx, CategoryPermit)> {
        let (mut tx, participant) = self
            .authorize_participant(ctx, ParticipantAction::Read, participant_id)
            .await?;
        let ids = [participant_id];
        let (rule, also) = if !matches!(participant.rule.scope, Scope::Consent(_)) {
            (participant.rule.name(), true)
        } else if consent_covers(&mut tx, ctx, participant_id, category).await? {
            let mut used = vec![category];
            let also = match also {
                Some(c) if consent_covers(&mut tx, ctx, participant_id, c).await? => {
                    used.push(c);
                    true
                }
                _ => false,
            };
            (consent_rule_name(ctx, &used), also)
        } else {
            append_decision(&mut tx, ctx, event, None, "", &ids).await?;
            tx.commit().await?;
            return Err(StoreError::NotFound);
        };
        append_decision(&mut tx, ctx, event, Some(rule), "", &ids).await?;
        Ok((tx, CategoryPermit { participant, also }))
    }
}

/// Write the event for a decision made inside an audited transaction (a
/// field-level decision beside a read, or a second step of one piece of
/// work): allowed with its rule, or denied.
pub(crate) async fn record_decision(
    tx: &mut Tx,
    ctx: &Ctx,
    action: ParticipantAction,
    decision: Option<Rule>,
    detail: &str,
    ids: &[i64],
) -> Result<()> {
    let event = participant_action_name(action);
    append_decision(tx, ctx, event, decision.map(|r| r.name()), detail, ids).await
}

/// The SQL condition (on alias `p`) that selects exactly the participants the
/// actor may `action`, built from the same rules as single decisions.
/// Unary `+` keeps both planners from driving a search by the access columns
/// (nearly every row of a unit matches them); the search's own index leads.
pub(crate) fn participant_filter(ctx: &Ctx, action: ParticipantAction, sql: &mut Sql) {
    participant_filter_with_category(ctx, action, None, sql)
}

/// The same filter, with every consent-based rule narrowed to consents that
/// also cover `category` (e.g. lists that reveal action-plan status).
pub(crate) fn participant_filter_with_category(
    ctx: &Ctx,
    action: ParticipantAction,
    category: Option<vagar_domain::consent::DataCategory>,
    sql: &mut Sql,
) {
    let rules: Vec<Rule> = participant_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| match (r.scope, category) {
            (Scope::Consent(None), Some(c)) => Rule {
                scope: Scope::Consent(Some(c)),
                ..r
            },
            _ => r,
        })
        .collect();
    // Unary `+` keeps the planner from driving by the access columns, which
    // match most of a unit. An actor whose rules are all narrow (a partner's
    // consents) is better served the other way: the few ids lead.
    let narrow = rules
        .iter()
        .all(|r| matches!(r.scope, Scope::Caseload | Scope::Grant | Scope::Consent(_)));
    let plus = if narrow { "" } else { "+" };
    push_any_scope(
        sql,
        rules.iter().map(|r| r.scope),
        |sql, scope| match scope {
            Scope::Anywhere => {
                sql.push("1 = 1");
            }
            Scope::OwnOrganisation => {
                sql.push("+p.organisation_id = ")
                    .bind(Arg::I64(ctx.actor.organisation_id));
            }
            Scope::Caseload => {
                sql.push(plus)
                    .push("p.responsible_caseworker_id = ")
                    .bind(Arg::I64(ctx.actor.user_id));
            }
            Scope::Grant => {
                sql.push(plus)
                    .push(
                        "p.id IN (SELECT g.participant_id FROM access_grants g WHERE g.user_id = ",
                    )
                    .bind(Arg::I64(ctx.actor.user_id))
                    .push(" AND g.valid_from <= ")
                    .bind(Arg::I64(micros(ctx.now)))
                    .push(" AND g.valid_until > ")
                    .bind(Arg::I64(micros(ctx.now)))
                    .push(")");
            }
            Scope::Consent(category) => {
                sql.push(plus).push("p.id IN (SELECT c.participant_id");
                let org = ctx.actor.organisation_id;
                push_consents_in_force(sql, ctx, org, category);
                sql.push(")");
            }
        },
    );
}

impl Store {
    /// Every participant id the actor may `action`, by the list filter. Used
    /// to check that filters and single decisions agree, and for bulk work.
    pub async fn permitted_participant_ids(
        &self,
        ctx: &Ctx,
        action: ParticipantAction,
    ) -> Result<Vec<i64>> {
        let mut sql = Sql::new("SELECT p.id FROM participants p WHERE ");
        participant_filter(ctx, action, &mut sql);
        sql.push(" ORDER BY p.id");
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter().map(|r| get::<i64>(r, "id")).collect()
    }

    /// Single decisions for many participants (no audit: a pure question).
    pub async fn decide_participants(
        &self,
        ctx: &Ctx,
        action: ParticipantAction,
        ids: &[i64],
    ) -> Result<Vec<Option<Rule>>> {
        let mut tx = self.pool.begin().await?;
        let out = check_participants(&mut tx, ctx, action, ids).await?;
        tx.rollback().await?;
        Ok(out)
    }
}
