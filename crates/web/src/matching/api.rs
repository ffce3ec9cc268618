//! `/api/v1/matching`: suggestions (the best needs for a participant, the
//! best participants for a need) from the in-memory index, and batch runs
//! whose confirmed pairs become proposed placements.
//!
//! Access is the policy modules' (participant and need) and is audited:
//! `?participant=` needs `Read` on the participant and lists only needs the
//! caller may read; `?need=` needs `Read` on the need and lists, for a role
//! that reads participants, only those it may read. An employer
//! coordinator reads needs but no participants: she gets pseudonymous
//! candidates (rank, district, explained factors; no id, name, identity
//! number or birth date). Employer users get 403 (their own candidates'
//! names are not theirs to see before a caseworker proposes someone).

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use vagar_domain::access::{need_role_may, role_may, NeedAction, ParticipantAction};
use vagar_domain::matching::Factor;
use vagar_domain::org::Role;
use vagar_domain::ValidationErrors;
use vagar_matching::batch::{placement_rates, propose, Rate};
use vagar_matching::suggest::Index;
use vagar_store::matching::{ConfirmRefusal, RunRecord};
use vagar_store::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matching/suggestions", get(suggestions))
        .route("/matching/runs", post(run))
        .route("/matching/runs/{id}/confirm", post(confirm))
}

/// A need suggested for a participant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NeedSuggestionOut {
    pub need_id: i64,
    pub title: String,
    pub employer_name: String,
    pub ssyk_code: String,
    pub occupation_label: String,
    /// 0..=1, higher is better
    pub score: f64,
    /// 0..=1000, lower is better
    pub cost: i64,
    /// Every factor, explained.
    pub factors: Vec<Factor>,
}

/// A participant suggested for a need. `participant_id` and `name` are
/// left out for callers who may not read participants (pseudonymous).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantSuggestionOut {
    /// 1 = best
    pub rank: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub district: Option<String>,
    pub score: f64,
    pub cost: i64,
    pub factors: Vec<Factor>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestionsOut {
    /// participant or need
    pub subject: &'static str,
    pub id: i64,
    /// True when candidates are shown without identity.
    pub pseudonymous: bool,
    /// Present for `?participant=`, best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<Vec<NeedSuggestionOut>>,
    /// Present for `?need=`, best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<ParticipantSuggestionOut>>,
}

fn invalid(field: &str, code: &str, message: &str) -> Problem {
    Problem::field(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-error",
        "Invalid input",
        field,
        code,
        message,
    )
}

fn internal(e: impl std::fmt::Display) -> Problem {
    tracing::error!("matching: {e}");
    Problem::internal()
}

enum Subject {
    Participant(i64),
    Need(i64),
}

fn parse_query(params: &HashMap<String, String>) -> Result<(Subject, usize), Problem> {
    let mut e = ValidationErrors::new();
    let id = |key: &str, e: &mut ValidationErrors| -> Option<i64> {
        let raw = params.get(key)?;
        match raw.parse::<i64>() {
            Ok(v) if v > 0 => Some(v),
            _ => {
                e.add(
                    key,
                    "invalid",
                    format!("{key} must be a positive integer id"),
                );
                None
            }
        }
    };
    let participant = id("participant", &mut e);
    let need = id("need", &mut e);
    let k = match params.get("k") {
        None => 10,
        Some(raw) => match raw.parse::<usize>() {
            Ok(v) if (1..=50).contains(&v) => v,
            _ => {
                e.add("k", "out_of_range", "k must be an integer from 1 to 50");
                10
            }
        },
    };
    let subject = match (
        params.contains_key("participant"),
        params.contains_key("need"),
    ) {
        (true, true) => {
            e.add(
                "participant",
                "exclusive",
                "give either participant or need, not both",
            );
            e.add(
                "need",
                "exclusive",
                "give either participant or need, not both",
            );
            None
        }
        (false, false) => {
            e.add("participant", "required", "give participant or need");
            e.add("need", "required", "give participant or need");
            None
        }
        _ => participant
            .map(Subject::Participant)
            .or(need.map(Subject::Need)),
    };
    match subject {
        Some(s) if e.is_empty() => Ok((s, k)),
        _ => Err(Problem::validation(e)),
    }
}

/// Suggestions for one participant (`participant`) or one need (`need`).
#[utoipa::path(get, path = "/api/v1/matching/suggestions", tag = "matching",
    params(
        ("participant" = Option<i64>, Query, description = "Suggest needs for this participant (exactly one of participant and need)"),
        ("need" = Option<i64>, Query, description = "Suggest participants for this need"),
        ("k" = Option<u32>, Query, description = "How many, 1–50, default 10"),
    ),
    responses((status = 200, body = SuggestionsOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<SuggestionsOut>, Problem> {
    let (subject, k) = parse_query(&params)?;
    match subject {
        Subject::Participant(id) => Ok(Json(SuggestionsOut {
            subject: "participant",
            id,
            pseudonymous: false,
            needs: Some(needs_for_participant(&state, &caller.ctx, id, k).await?),
            participants: None,
        })),
        Subject::Need(id) => {
            let (pseudonymous, list) = participants_for_need(&state, &caller.ctx, id, k).await?;
            Ok(Json(SuggestionsOut {
                subject: "need",
                id,
                pseudonymous,
                needs: None,
                participants: Some(list),
            }))
        }
    }
}

async fn index(state: &AppState, ctx: &Ctx) -> Result<Arc<Index>, Problem> {
    state
        .matching
        .index(&state.store, ctx.today())
        .await
        .map_err(internal)
}

/// The best needs for a participant the caller may read, among the needs
/// the caller may read. Used by the API and the participant's page.
pub async fn needs_for_participant(
    state: &AppState,
    ctx: &Ctx,
    participant_id: i64,
    k: usize,
) -> Result<Vec<NeedSuggestionOut>, Problem> {
    let (tx, _permit) = state
        .store
        .authorize_participant(ctx, ParticipantAction::Read, participant_id)
        .await?;
    tx.commit().await.map_err(internal)?;
    let index = index(state, ctx).await?;
    // Ask for more than k: needs the caller may not read are dropped after.
    let found = index
        .for_participant(participant_id, k * 20)
        .unwrap_or_default();
    let ids: Vec<i64> = found.iter().map(|s| s.id).collect();
    let allowed = state
        .store
        .decide_needs(ctx, NeedAction::Read, &ids)
        .await?;
    let shown: Vec<_> = found
        .into_iter()
        .zip(allowed)
        .filter(|(_, a)| *a)
        .map(|(s, _)| s)
        .take(k)
        .collect();
    let ids: Vec<i64> = shown.iter().map(|s| s.id).collect();
    let summaries = state.store.need_summaries(&ids).await?;
    Ok(shown
        .into_iter()
        .filter_map(|s| {
            let n = summaries.get(&s.id)?;
            Some(NeedSuggestionOut {
                need_id: s.id,
                title: n.title.clone(),
                employer_name: n.employer_name.clone(),
                ssyk_code: n.ssyk_code.clone(),
                occupation_label: n.occupation_label.clone(),
                score: s.scored.score,
                cost: s.scored.cost,
                factors: s.scored.factors,
            })
        })
        .collect())
}

/// The best participants for a need: named and filtered to those the
/// caller may read, or pseudonymous for an employer coordinator.
pub async fn participants_for_need(
    state: &AppState,
    ctx: &Ctx,
    need_id: i64,
    k: usize,
) -> Result<(bool, Vec<ParticipantSuggestionOut>), Problem> {
    let role = ctx.actor.role;
    let named = role_may(role, ParticipantAction::Read);
    let pseudonymous = role == Role::EmployerCoordinator;
    if !need_role_may(role, NeedAction::Read) || !(named || pseudonymous) {
        state
            .store
            .audit_matching(ctx, "match.suggest", None, &format!("need {need_id}"), &[])
            .await?;
        return Err(Problem::forbidden());
    }
    if !state
        .store
        .decide_needs(ctx, NeedAction::Read, &[need_id])
        .await?[0]
    {
        state
            .store
            .audit_matching(ctx, "match.suggest", None, &format!("need {need_id}"), &[])
            .await?;
        return Err(Problem::not_found());
    }
    let index = index(state, ctx).await?;
    let out: Vec<(i64, vagar_domain::matching::Scored)>;
    let rule: String;
    if named {
        // A larger slice of the ranking, bulk-decided; the first k the
        // caller may read are kept (documented: people ranked beyond 20×k
        // are not searched).
        let found = index
            .for_need(need_id, k * 20, |_| true)
            .unwrap_or_default();
        let ids: Vec<i64> = found.iter().map(|s| s.id).collect();
        let decisions = state
            .store
            .decide_participants(ctx, ParticipantAction::Read, &ids)
            .await?;
        let mut rules = std::collections::BTreeSet::new();
        out = found
            .into_iter()
            .zip(decisions)
            .filter_map(|(s, d)| {
                let r = d?;
                rules.insert(r.name());
                Some((s.id, s.scored))
            })
            .take(k)
            .collect();
        rule = rules.into_iter().collect::<Vec<_>>().join(",");
    } else {
        out = index
            .for_need(need_id, k, |_| true)
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.id, s.scored))
            .collect();
        rule = format!("{}:pseudonymous", role.as_str());
    }
    let ids: Vec<i64> = out.iter().map(|(id, _)| *id).collect();
    // The audit names the people behind the list, pseudonymous or not.
    state
        .store
        .audit_matching(
            ctx,
            "match.suggest",
            Some(if rule.is_empty() { "none".into() } else { rule }),
            &format!("need {need_id}: {} participants", ids.len()),
            &ids,
        )
        .await?;
    let names = if named {
        state.store.participant_names(&ids).await?
    } else {
        HashMap::new()
    };
    Ok((
        !named,
        out.into_iter()
            .enumerate()
            .map(|(i, (id, scored))| ParticipantSuggestionOut {
                rank: i + 1,
                participant_id: named.then_some(id),
                name: if named { names.get(&id).cloned() } else { None },
                district: index.candidate(id).and_then(|c| c.district.clone()),
                score: scored.score,
                cost: scored.cost,
                factors: scored.factors,
            })
            .collect(),
    ))
}

/// A proposed pair of a run.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PairOut {
    pub participant_id: i64,
    pub participant_name: String,
    pub need_id: i64,
    pub need_title: String,
    pub employer_name: String,
    pub score: f64,
    pub cost: i64,
    pub factors: Vec<Factor>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RateOut {
    pub group: String,
    pub total: usize,
    pub placed: usize,
    pub rate: f64,
}

impl From<Rate> for RateOut {
    fn from(r: Rate) -> RateOut {
        RateOut {
            group: r.group,
            total: r.total,
            placed: r.placed,
            rate: r.rate,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatesOut {
    pub gender: Vec<RateOut>,
    pub birth_region: Vec<RateOut>,
    /// yes, no, unknown
    pub disability: Vec<RateOut>,
}

/// A stored batch run and its proposal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunOut {
    pub run_id: i64,
    pub participants: usize,
    pub needs: usize,
    pub edges: usize,
    pub matched: u64,
    pub cost: i64,
    pub without_any_pair: usize,
    pub pairs: Vec<PairOut>,
    pub rates: RatesOut,
}

/// What to run over.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RunIn {
    /// Only the caller's participants in this district.
    pub district: Option<String>,
    /// Only needs whose SSYK code starts with these 1–4 digits.
    pub ssyk: Option<String>,
}

/// The criteria checked (blank is none): the same for the API and the page.
pub fn check_run(input: RunIn) -> Result<RunIn, ValidationErrors> {
    let district = input.district.filter(|d| !d.trim().is_empty());
    let ssyk = input.ssyk.filter(|s| !s.is_empty());
    let mut e = ValidationErrors::new();
    if let Some(s) = &ssyk {
        if s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            e.add(
                "ssyk",
                "invalid",
                "ssyk: 1 to 4 digits of an SSYK 2012 code",
            );
        }
    }
    if district.as_ref().is_some_and(|d| d.chars().count() > 100) {
        e.add("district", "too_long", "district: at most 100 characters");
    }
    e.into_result(RunIn { district, ssyk })
}

/// Run the batch assignment over the caller's readable participants and
/// the open needs she may read, store it and return the proposal.
pub async fn run_batch(state: &AppState, ctx: &Ctx, input: &RunIn) -> Result<RunOut, Problem> {
    let role = ctx.actor.role;
    // Admins may run (they read) but never confirm; partners read
    // participants but no needs; the others read no participants.
    if !role_may(role, ParticipantAction::Read) || !need_role_may(role, NeedAction::Read) {
        state
            .store
            .audit_matching(ctx, "match.run", None, "", &[])
            .await?;
        return Err(Problem::forbidden());
    }
    let index = index(state, ctx).await?;
    let readable: HashSet<i64> = state
        .store
        .permitted_participant_ids(ctx, ParticipantAction::Read)
        .await?
        .into_iter()
        .collect();
    let people: Vec<i64> = index
        .candidates()
        .iter()
        .filter(|c| readable.contains(&c.participant_id))
        .filter(|c| {
            input
                .district
                .as_ref()
                .is_none_or(|d| c.district.as_ref() == Some(d))
        })
        .map(|c| c.participant_id)
        .collect();
    let need_ids: Vec<i64> = index
        .needs()
        .iter()
        .filter(|n| {
            input
                .ssyk
                .as_ref()
                .is_none_or(|s| n.ssyk_code.starts_with(s.as_str()))
        })
        .map(|n| n.need_id)
        .collect();
    let allowed = state
        .store
        .decide_needs(ctx, NeedAction::Read, &need_ids)
        .await?;
    let need_ids: Vec<i64> = need_ids
        .into_iter()
        .zip(allowed)
        .filter(|(_, a)| *a)
        .map(|(id, _)| id)
        .collect();
    let started = std::time::Instant::now();
    let (proposal, people) = {
        let index = index.clone();
        tokio::task::spawn_blocking(move || (propose(&index, &people, &need_ids), people))
            .await
            .map_err(internal)?
    };
    let micros = started.elapsed().as_micros() as i64;
    let placed: HashSet<i64> = proposal.pairs.iter().map(|p| p.participant_id).collect();
    let demo = state.store.demographics(&people).await?;
    let rates = RatesOut {
        gender: placement_rates(
            demo.iter().map(|d| (d.participant_id, d.gender.as_str())),
            &placed,
        )
        .into_iter()
        .map(Into::into)
        .collect(),
        birth_region: placement_rates(
            demo.iter()
                .map(|d| (d.participant_id, d.birth_region.as_str())),
            &placed,
        )
        .into_iter()
        .map(Into::into)
        .collect(),
        disability: placement_rates(
            demo.iter()
                .map(|d| (d.participant_id, d.disability.as_str())),
            &placed,
        )
        .into_iter()
        .map(Into::into)
        .collect(),
    };
    let mut pairs_json = Vec::with_capacity(proposal.pairs.len());
    for p in &proposal.pairs {
        pairs_json.push((
            p.participant_id,
            p.need_id,
            p.cost,
            serde_json::to_string(&p.scored.factors).map_err(internal)?,
        ));
    }
    let selection =
        serde_json::json!({ "district": input.district, "ssyk": input.ssyk }).to_string();
    let run_id = state
        .store
        .record_match_run(
            Some(ctx),
            &RunRecord {
                selection,
                participants: proposal.participants as i64,
                needs: proposal.needs as i64,
                edges: proposal.edges as i64,
                matched: proposal.matched as i64,
                cost: proposal.cost,
                seconds_solving_micros: micros,
                pairs: pairs_json,
            },
        )
        .await?;
    let pids: Vec<i64> = proposal.pairs.iter().map(|p| p.participant_id).collect();
    let nids: Vec<i64> = proposal.pairs.iter().map(|p| p.need_id).collect();
    let names = state.store.participant_names(&pids).await?;
    let needs = state.store.need_summaries(&nids).await?;
    let pairs = proposal
        .pairs
        .into_iter()
        .map(|p| PairOut {
            participant_id: p.participant_id,
            participant_name: names.get(&p.participant_id).cloned().unwrap_or_default(),
            need_id: p.need_id,
            need_title: needs
                .get(&p.need_id)
                .map(|n| n.title.clone())
                .unwrap_or_default(),
            employer_name: needs
                .get(&p.need_id)
                .map(|n| n.employer_name.clone())
                .unwrap_or_default(),
            score: p.scored.score,
            cost: p.cost,
            factors: p.scored.factors,
        })
        .collect();
    Ok(RunOut {
        run_id,
        participants: proposal.participants,
        needs: proposal.needs,
        edges: proposal.edges,
        matched: proposal.matched,
        cost: proposal.cost,
        without_any_pair: proposal.without_any_pair,
        pairs,
        rates,
    })
}

/// Run the batch assignment (caseworker, admin).
#[utoipa::path(post, path = "/api/v1/matching/runs", tag = "matching",
    request_body = RunIn,
    responses((status = 201, body = RunOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn run(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<RunIn>,
) -> Result<impl IntoResponse, Problem> {
    let input = check_run(body.into_result()?).map_err(Problem::validation)?;
    let out = run_batch(&state, &caller.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// The pairs to confirm, by participant.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ConfirmIn {
    #[schema(nullable = false)]
    participant_ids: Option<Vec<i64>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConfirmOut {
    /// The new proposed placements' ids.
    pub proposed_placement_ids: Vec<i64>,
}

/// Confirm pairs of a run: `Update` on every participant or nothing is
/// written.
pub async fn confirm_pairs(
    state: &AppState,
    ctx: &Ctx,
    run_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, Problem> {
    if !role_may(ctx.actor.role, ParticipantAction::Update) {
        state
            .store
            .audit_matching(ctx, "match.confirm", None, &format!("run {run_id}"), ids)
            .await?;
        return Err(Problem::forbidden());
    }
    if !state.store.match_run_exists(run_id).await? {
        return Err(Problem::not_found());
    }
    if ids.is_empty() {
        return Err(invalid(
            "participant_ids",
            "required",
            "choose at least one pair",
        ));
    }
    match state.store.confirm_match_pairs(ctx, run_id, ids).await? {
        Ok(created) => {
            state.matching.invalidate();
            Ok(created)
        }
        Err(ConfirmRefusal::NotPermitted(_)) => {
            let mut p = invalid(
                "participant_ids",
                "not_permitted",
                "you may not update every chosen participant; nothing was confirmed",
            );
            p.status = 403;
            p.title = "Forbidden".into();
            Err(p)
        }
        Err(ConfirmRefusal::NotInRun(_)) => Err(invalid(
            "participant_ids",
            "not_in_run",
            "every participant must have a pair in this run; nothing was confirmed",
        )),
        Err(ConfirmRefusal::AlreadyProposed(_)) => {
            let mut p = invalid(
                "participant_ids",
                "already_proposed",
                "a chosen participant already has an open proposed placement; nothing was confirmed",
            );
            p.status = 409;
            p.title = "Conflict".into();
            Err(p)
        }
    }
}

/// Confirm pairs of a run as proposed placements (caseworker).
#[utoipa::path(post, path = "/api/v1/matching/runs/{id}/confirm", tag = "matching",
    params(("id" = i64, Path, description = "Run id")),
    request_body = ConfirmIn,
    responses((status = 201, body = ConfirmOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<ConfirmIn>,
) -> Result<impl IntoResponse, Problem> {
    let run_id = parse_id(id)?;
    let ids = match body.into_result() {
        Ok(ConfirmIn {
            participant_ids: Some(ids),
        }) if ids.iter().all(|i| *i > 0) => ids,
        _ => {
            return Err(invalid(
                "participant_ids",
                "invalid",
                "send {\"participant_ids\": [ids]} and nothing else",
            ))
        }
    };
    let created = confirm_pairs(&state, &caller.ctx, run_id, &ids).await?;
    Ok((
        StatusCode::CREATED,
        Json(ConfirmOut {
            proposed_placement_ids: created,
        }),
    ))
}
