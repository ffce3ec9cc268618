//! Evaluation of the access policy (`vagar_domain::access`) against the
//! database, and the audit event for every decision, allowed or denied.
//!
//! Store functions that touch personal data take a permit from here. Permits
//! have private fields, so no other module can make one: a handler that forgets
//! to ask does not compile.

use crate::audit::{self, Outcome, Tx};
use crate::sql::{Arg, Sql};
use crate::{get, micros, Ctx, Result, Store, StoreError};
use std::collections::HashMap;
use vagar_domain::access::{
    decide_employer, employer_role_may, employer_rules, EmployerAction, EmployerRule, EmployerScope,
};
use vagar_domain::access::{
    decide_need, decide_steering, decide_with_consent, global_allowed, need_role_may, need_rules,
    participant_rules, role_may, steering_role_may, steering_rules, ConsentFacts, GlobalAction,
    NeedAction, NeedRule, NeedScope, ParticipantAction, ParticipantFacts, Rule, Scope,
    SteeringAction, SteeringRule, SteeringScope,
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

/// Permission for a global action (create, list, audit log, users).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct GlobalPermit {
    action: GlobalAction,
}

impl GlobalPermit {
    pub fn action(&self) -> GlobalAction {
        self.action
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

pub(crate) fn global_action_name(a: GlobalAction) -> &'static str {
    match a {
        GlobalAction::CreateParticipant => "participant.create",
        GlobalAction::Intake => "participant.intake",
        GlobalAction::ListParticipants => "participant.list",
        GlobalAction::ListBetweenChairs => "alerts.between_chairs.list",
        GlobalAction::ReadAuditLog => "audit.read",
        GlobalAction::ManageUsers => "user.manage",
        GlobalAction::CompetenceSearch => "competence.search",
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
        push_ids(&mut sql, chunk);
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
        // Every consent naming the actor's organisation, whatever its period:
        // whether it is in force is the domain's decision (`ConsentState`).
        let mut sql = Sql::new(
            "SELECT c.id, c.participant_id, c.valid_from, c.valid_to, c.revoked_at, cc.category \
             FROM consents c JOIN consent_organisations co ON co.consent_id = c.id \
             LEFT JOIN consent_categories cc ON cc.consent_id = c.id WHERE co.organisation_id = ",
        );
        sql.bind(Arg::I64(ctx.actor.organisation_id))
            .push(" AND c.participant_id IN (");
        push_ids(&mut sql, chunk);
        sql.push(") ORDER BY c.id");
        let mut states: HashMap<i64, (i64, ConsentState)> = HashMap::new();
        for row in sql.query().fetch_all(&mut **tx).await? {
            let id: i64 = get(&row, "id")?;
            let participant: i64 = get(&row, "participant_id")?;
            let category = get::<Option<String>>(&row, "category")?
                .as_deref()
                .and_then(DataCategory::parse);
            let entry = match states.entry(id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let valid_to: Option<String> = get(&row, "valid_to")?;
                    let revoked_at: Option<i64> = get(&row, "revoked_at")?;
                    v.insert((
                        participant,
                        ConsentState {
                            terms: ConsentTerms {
                                organisation_ids: vec![ctx.actor.organisation_id],
                                categories: vec![],
                                valid_from: parse_date(&get::<String>(&row, "valid_from")?)?,
                                valid_to: valid_to.as_deref().map(parse_date).transpose()?,
                                method: ConsentMethod::Written,
                                note: None,
                            },
                            revoked_at: revoked_at.map(crate::from_micros),
                        },
                    ))
                }
            };
            if let Some(c) = category {
                entry.1.terms.categories.push(c);
            }
        }
        let mut by_participant: HashMap<i64, Vec<ConsentState>> = HashMap::new();
        for (_, (participant, state)) in states {
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

fn push_ids(sql: &mut Sql, ids: &[i64]) {
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(",");
        }
        sql.bind(Arg::I64(*id));
    }
}

pub(crate) fn parse_date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Other("stored date is not YYYY-MM-DD".into()))
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

/// A list's SQL condition from the actor's rules: `(a OR b ...)`, one
/// condition a rule's scope, written by `push`; `1 = 0` when the role has no
/// rule for the action.
pub(crate) fn push_any_scope<S>(
    sql: &mut Sql,
    scopes: impl IntoIterator<Item = S>,
    mut push: impl FnMut(&mut Sql, S),
) {
    let scopes: Vec<S> = scopes.into_iter().collect();
    if scopes.is_empty() {
        sql.push("1 = 0");
        return;
    }
    sql.push("(");
    for (i, scope) in scopes.into_iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        push(sql, scope);
    }
    sql.push(")");
}

/// Write the actor's event for a decision into `tx`: allowed by the rule
/// named, or denied (`None`).
pub(crate) async fn append_decision(
    tx: &mut Tx,
    ctx: &Ctx,
    event: &str,
    rule: Option<String>,
    detail: &str,
    ids: &[i64],
) -> Result<()> {
    let outcome = match rule {
        Some(rule) => Outcome::Allowed(rule),
        None => Outcome::Denied,
    };
    audit::append(tx, Some(ctx), ctx.now, event, &outcome, detail, ids).await?;
    Ok(())
}

/// One decision on one target under way: the role may act, the audited
/// transaction is open, and the caller loads the target's facts through
/// `tx` and decides with the domain's `decide_*`. The event is written by
/// [`Deciding::conclude`] (or [`Deciding::deny`]) as `event`, with `detail`
/// and the participant `ids`, which the caller may complete from the facts.
pub(crate) struct Deciding<'a> {
    pub(crate) tx: Tx,
    ctx: &'a Ctx,
    event: &'a str,
    pub(crate) detail: String,
    pub(crate) ids: Vec<i64>,
}

impl Store {
    /// The first half of every `authorize_*` on one target: a role that may
    /// never do it (`role_may` false) gets `Forbidden`, its refusal audited
    /// and committed on its own; otherwise an audited transaction is opened.
    pub(crate) async fn begin_decision<'a>(
        &self,
        ctx: &'a Ctx,
        event: &'a str,
        detail: String,
        ids: Vec<i64>,
        role_may: bool,
    ) -> Result<Deciding<'a>> {
        if !role_may {
            self.audit_refusal(ctx, event, &detail, &ids).await?;
            return Err(StoreError::Forbidden);
        }
        self.open_decision(ctx, event, detail, ids).await
    }

    /// An audited transaction for a decision whose role check needs the
    /// target's facts first (see [`Deciding::deny`]).
    pub(crate) async fn open_decision<'a>(
        &self,
        ctx: &'a Ctx,
        event: &'a str,
        detail: String,
        ids: Vec<i64>,
    ) -> Result<Deciding<'a>> {
        Ok(Deciding {
            tx: self.begin_audited().await?,
            ctx,
            event,
            detail,
            ids,
        })
    }
}

impl Deciding<'_> {
    /// The second half: `allowed` (the rule's name and the permit) writes the
    /// allowed event into the returned transaction, which the caller commits
    /// with its work; `None` is a target that does not exist or that the
    /// actor may not see, answered as [`Deciding::deny`] with `NotFound`.
    pub(crate) async fn conclude<P>(mut self, allowed: Option<(String, P)>) -> Result<(Tx, P)> {
        match allowed {
            Some((rule, permit)) => {
                append_decision(
                    &mut self.tx,
                    self.ctx,
                    self.event,
                    Some(rule),
                    &self.detail,
                    &self.ids,
                )
                .await?;
                Ok((self.tx, permit))
            }
            None => self.deny(StoreError::NotFound).await,
        }
    }

    /// Write the denied event and commit it at once (the transaction holds
    /// the audit chain's head, so a second audited transaction would wait
    /// for it forever), then answer `answer`.
    pub(crate) async fn deny<T>(mut self, answer: StoreError) -> Result<T> {
        append_decision(
            &mut self.tx,
            self.ctx,
            self.event,
            None,
            &self.detail,
            &self.ids,
        )
        .await?;
        self.tx.commit().await?;
        Err(answer)
    }
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

    /// Decide a global action from the actor's role; a denial is audited and
    /// committed. The allowed event is written when the permit is used.
    pub async fn authorize_global(&self, ctx: &Ctx, action: GlobalAction) -> Result<GlobalPermit> {
        if global_allowed(&ctx.actor, action) {
            Ok(GlobalPermit { action })
        } else {
            self.audit_denial(ctx, global_action_name(action), &[])
                .await?;
            Err(StoreError::Forbidden)
        }
    }

    async fn audit_denial(&self, ctx: &Ctx, action: &str, ids: &[i64]) -> Result<()> {
        self.audit_refusal(ctx, action, "", ids).await
    }

    /// Record a refused attempt with its reason, committed on its own. The
    /// caller must not hold an audited transaction (it would wait for itself).
    pub(crate) async fn audit_refusal(
        &self,
        ctx: &Ctx,
        action: &str,
        detail: &str,
        ids: &[i64],
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        append_decision(&mut tx, ctx, action, None, detail, ids).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record an event that has no actor (the synthetic seed, migrations).
    pub async fn audit_system(&self, action: &str, detail: &str) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        audit::append(
            &mut tx,
            None,
            chrono::Utc::now(),
            action,
            &Outcome::Allowed("system".into()),
            detail,
            &[],
        )
        .await?;
        tx.commit().await?;
        Ok(())
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

impl GlobalPermit {
    /// Write the allowed event for this global action into `tx`, naming the
    /// participants it touched (a created id, or every id a list returned).
    pub async fn record(self, tx: &mut Tx, ctx: &Ctx, detail: &str, ids: &[i64]) -> Result<()> {
        let event = global_action_name(self.action);
        let rule = format!("{}:role", ctx.actor.role.as_str());
        append_decision(tx, ctx, event, Some(rule), detail, ids).await
    }
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
                // The same conditions as `ConsentState::covers`: started on or
                // before today, last day today or later, not revoked by now.
                let today = ctx.today().format("%Y-%m-%d").to_string();
                sql.push(plus).push(
                    "p.id IN (SELECT c.participant_id FROM consents c \
                 JOIN consent_organisations co ON co.consent_id = c.id",
                );
                if category.is_some() {
                    sql.push(" JOIN consent_categories cc ON cc.consent_id = c.id");
                }
                sql.push(" WHERE co.organisation_id = ")
                    .bind(Arg::I64(ctx.actor.organisation_id))
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

/// Permission for a steering action on one group (or, for `Create`, none).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct SteeringPermit {
    group_id: Option<i64>,
    rule: SteeringRule,
}

impl SteeringPermit {
    pub fn group_id(&self) -> Option<i64> {
        self.group_id
    }
    pub fn rule(&self) -> SteeringRule {
        self.rule
    }
}

impl Store {
    /// Decide a steering action on group `group_id` (`None` for `Create`)
    /// and audit it as `event`. A role that may never do it gets
    /// `Forbidden`; a group the actor's organisation is not a member of (or
    /// that does not exist) gets `NotFound`. As with participants, a denial
    /// is committed at once; the allowed event is in the returned
    /// transaction.
    pub async fn authorize_steering(
        &self,
        ctx: &Ctx,
        action: SteeringAction,
        group_id: Option<i64>,
        event: &str,
    ) -> Result<(Tx, SteeringPermit)> {
        let detail = group_id.map(|g| format!("group {g}")).unwrap_or_default();
        let may = steering_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        let decision = match group_id {
            // Without a group (creating one, or a list) the role decides;
            // a list is then narrowed by `steering_filter`.
            None => decide_steering(&ctx.actor, action, true),
            Some(g) => {
                let row = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM steering_groups WHERE id = $1) AS found, \
                     (SELECT COUNT(*) FROM steering_group_members WHERE group_id = $2 \
                     AND organisation_id = $3) AS member",
                )
                .bind(g)
                .bind(g)
                .bind(ctx.actor.organisation_id)
                .fetch_one(&mut *d.tx)
                .await?;
                let found: i64 = get(&row, "found")?;
                let member: i64 = get(&row, "member")?;
                if found == 0 {
                    None
                } else {
                    decide_steering(&ctx.actor, action, member > 0)
                }
            }
        };
        d.conclude(decision.map(|rule| (rule.name(), SteeringPermit { group_id, rule })))
            .await
    }
}

/// The SQL condition (on alias `g`, a steering group) selecting the groups
/// the actor may `action`, from the same rules as `authorize_steering`.
pub(crate) fn steering_filter(ctx: &Ctx, action: SteeringAction, sql: &mut Sql) {
    let scopes = steering_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        SteeringScope::Anywhere => {
            sql.push("1 = 1");
        }
        SteeringScope::Member => {
            sql.push(
                "g.id IN (SELECT m.group_id FROM steering_group_members m WHERE m.organisation_id = ",
            )
            .bind(Arg::I64(ctx.actor.organisation_id))
            .push(")");
        }
    });
}

/// Permission for an employer action on one employer (or, for `Create` and
/// lists, none).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct EmployerPermit {
    employer_id: Option<i64>,
    rule: EmployerRule,
}

impl EmployerPermit {
    pub fn employer_id(&self) -> Option<i64> {
        self.employer_id
    }
    pub fn rule(&self) -> EmployerRule {
        self.rule
    }
}

impl Store {
    /// Decide an employer action on `employer_id` (`None` for `Create` and
    /// lists) and audit it as `event`, the employer named in the detail. A
    /// role that may never do it gets `Forbidden`; an employer that does not
    /// exist, or that the actor may not see (another employer's user), gets
    /// `NotFound`. As with participants, a denial is committed at once; the
    /// allowed event is in the returned transaction.
    pub async fn authorize_employer(
        &self,
        ctx: &Ctx,
        action: EmployerAction,
        employer_id: Option<i64>,
        event: &str,
    ) -> Result<(Tx, EmployerPermit)> {
        let detail = employer_id
            .map(|e| format!("employer {e}"))
            .unwrap_or_default();
        let may = employer_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        let decision = match employer_id {
            None => decide_employer(&ctx.actor, action, None),
            Some(e) => {
                let row = sqlx::query("SELECT organisation_id FROM employers WHERE id = $1")
                    .bind(e)
                    .fetch_optional(&mut *d.tx)
                    .await?;
                match row {
                    None => None,
                    Some(r) => {
                        let linked: Option<i64> = get(&r, "organisation_id")?;
                        decide_employer(&ctx.actor, action, Some(linked))
                    }
                }
            }
        };
        d.conclude(decision.map(|rule| (rule.name(), EmployerPermit { employer_id, rule })))
            .await
    }
}

/// The SQL condition (on alias `e`, an employer) selecting the employers the
/// actor may `action`, from the same rules as `authorize_employer`.
pub(crate) fn employer_filter(ctx: &Ctx, action: EmployerAction, sql: &mut Sql) {
    let scopes = employer_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        EmployerScope::Anywhere => {
            sql.push("1 = 1");
        }
        EmployerScope::OwnEmployer => {
            sql.push("e.organisation_id = ")
                .bind(Arg::I64(ctx.actor.organisation_id));
        }
    });
}

/// Permission for an action on one competence need (or, for `Create` and
/// lists, none).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct NeedPermit {
    need_id: Option<i64>,
    rule: NeedRule,
}

impl NeedPermit {
    pub fn need_id(&self) -> Option<i64> {
        self.need_id
    }
    pub fn rule(&self) -> NeedRule {
        self.rule
    }
}

impl Store {
    /// Decide a need action on need `need_id` (`None` for `Create` and
    /// lists) and audit it as `event`, as `authorize_steering` does: a role
    /// that may never do it gets `Forbidden` (audited, committed); a need
    /// that does not exist or is not the actor's to see gets `NotFound`; the
    /// allowed event is in the returned transaction.
    pub async fn authorize_need(
        &self,
        ctx: &Ctx,
        action: NeedAction,
        need_id: Option<i64>,
        event: &str,
    ) -> Result<(Tx, NeedPermit)> {
        let detail = need_id.map(|n| format!("need {n}")).unwrap_or_default();
        let may = need_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        let decision = match need_id {
            // Without a need the role decides; a list is narrowed by `need_filter`.
            None => decide_need(&ctx.actor, action, false).or_else(|| {
                need_rules(action)
                    .iter()
                    .copied()
                    .find(|r| r.role == ctx.actor.role)
            }),
            Some(n) => {
                let row = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM competence_needs WHERE id = $1) AS found, \
                     (SELECT COUNT(*) FROM competence_needs cn JOIN employers e ON e.id = cn.employer_id \
                      WHERE cn.id = $2 AND e.organisation_id = $3) AS own",
                )
                .bind(n)
                .bind(n)
                .bind(ctx.actor.organisation_id)
                .fetch_one(&mut *d.tx)
                .await?;
                let found: i64 = get(&row, "found")?;
                let own: i64 = get(&row, "own")?;
                if found == 0 {
                    None
                } else {
                    decide_need(&ctx.actor, action, own > 0)
                }
            }
        };
        d.conclude(decision.map(|rule| (rule.name(), NeedPermit { need_id, rule })))
            .await
    }
}

/// The SQL condition (on alias `n`, a competence need) selecting the needs
/// the actor may `action`, from the same rules as `authorize_need`.
pub(crate) fn need_filter(ctx: &Ctx, action: NeedAction, sql: &mut Sql) {
    let scopes = need_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        NeedScope::Anywhere => {
            sql.push("1 = 1");
        }
        NeedScope::OwnEmployer => {
            sql.push(
                "n.employer_id IN (SELECT oe.id FROM employers oe WHERE oe.organisation_id = ",
            )
            .bind(Arg::I64(ctx.actor.organisation_id))
            .push(")");
        }
    });
}

// The work models' decisions (issue 6): `authorize_*` and permits, one
// file per model, inside this module so only it can construct a permit.
pub mod interventions;
pub mod learning;
pub mod rental;
pub mod staffing;
