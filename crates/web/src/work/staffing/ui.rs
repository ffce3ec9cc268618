//! The staffing model's pages: `/bemanning` (the staffing board — a day or
//! a week of requests with their fill state, a select to assign staff and
//! conflicts shown inline; made for a phone, works without JavaScript),
//! `/bemanning/pool/{id}` (staff and training progress) and
//! `/bemanning/statistik` (fill rate, the hourly-share chart with its table,
//! and the form where a unit reports its monthly hours). Through the same
//! store functions as the API, so access and audit are the same.
//!
//! The templates are compiled here from this module's own files (they
//! extend the shared `base.html`).

use crate::kernel::error::Problem;
use crate::kernel::forms::CsrfForm;
use crate::kernel::forms::PageId;
use crate::kernel::forms::{blank, number, parse_id, with_rules};
use crate::kernel::i18n::{t, Lang};
use crate::kernel::session::UiUser;
use crate::ui::render;
use crate::ui::{base_context, user_error_page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use vagar_domain::work::staffing::access::{staffing_role_may, StaffingAction};
use vagar_domain::work::staffing::{
    format_time, occupation_fits, Conflict, PoolData, PoolInput, Refusal, RequestData,
    RequestInput, Ssyk4, StaffData, StaffInput, TrainingData, TrainingInput, UnitHoursData,
    UnitHoursInput,
};
use vagar_domain::{OrgKind, ValidationErrors};
use vagar_store::work::staffing::{Request, RequestFilter, Staff};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bemanning", get(board))
        .route("/bemanning/bestallningar", post(create_request))
        .route("/bemanning/bestallningar/{id}/tilldela", post(assign))
        .route("/bemanning/bestallningar/{id}/avboka", post(cancel))
        .route("/bemanning/tilldelningar/{id}/ta-bort", post(unassign))
        .route("/bemanning/tilldelningar/{id}/arbetat", post(report_worked))
        .route("/bemanning/pooler", post(create_pool))
        .route("/bemanning/pool/{id}", get(pool_page))
        .route("/bemanning/pool/{id}/personal", post(add_staff))
        .route("/bemanning/pool/{id}/utbildning", post(add_training))
        .route("/bemanning/statistik", get(stats))
        .route("/bemanning/timmar", post(report_hours))
}

fn may(user: &UiUser, a: StaffingAction) -> bool {
    staffing_role_may(user.session.user.role, a)
}

/// The target of a managing form (its token checked by [`CsrfForm`]): the
/// role first (403), then the id in the path (404).
fn managed_target(user: &UiUser, id: &str) -> Result<i64, Problem> {
    if !may(user, StaffingAction::Manage) {
        return Err(Problem::forbidden());
    }
    parse_id(id).ok_or_else(Problem::not_found)
}

/// Errors for a form: by field (the message translated) and as a list for
/// the summary.
fn errors_json(lang: Lang, errors: &ValidationErrors) -> (Value, Value) {
    let mut m = Map::new();
    let mut list = vec![];
    for fe in &errors.0 {
        if !m.contains_key(&fe.field) {
            // A field's own words first (`staff-err-FIELD-CODE`), then the code's.
            let specific = format!("staff-err-{}-{}", fe.field, fe.code);
            let key = format!("staff-err-{}", fe.code);
            let mut text = t(lang, &specific, &[]);
            if text == specific {
                text = t(lang, &key, &[]);
            }
            if text == key {
                text = t(lang, "staff-err-invalid", &[]);
            }
            m.insert(fe.field.clone(), json!(text));
            list.push(json!({"field": fe.field, "label": t(lang, &format!("staff-field-{}", fe.field), &[]), "message": text}));
        }
    }
    (Value::Object(m), json!(list))
}

/// A conflict in the page's language, naming the person.
pub fn conflict_text(lang: Lang, who: &str, c: &Conflict) -> String {
    let h = |m: i64| {
        if m % 60 == 0 {
            format!("{} h", m / 60)
        } else {
            format!("{} h {} min", m / 60, m % 60)
        }
    };
    let mut args: Vec<(&str, String)> = vec![("name", who.to_string())];
    match c {
        Conflict::RequestFull { staff_count } => args.push(("count", staff_count.to_string())),
        Conflict::NotActive {
            active_from,
            active_to,
        } => {
            args.push(("from", active_from.to_string()));
            args.push((
                "to",
                active_to
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "–".into()),
            ));
        }
        Conflict::WrongOccupation { has, needs } => {
            args.push(("has", has.clone()));
            args.push(("needs", needs.clone()));
        }
        Conflict::DoubleBooked { shift, .. } => args.push(("other", shift.describe())),
        Conflict::TooLittleRest {
            shift,
            rest_minutes,
            min_rest_minutes,
            ..
        } => {
            args.push(("other", shift.describe()));
            args.push(("rest", h(*rest_minutes)));
            args.push(("min", h(*min_rest_minutes)));
        }
        Conflict::WeekLimit {
            week,
            minutes,
            limit,
        }
        | Conflict::HourlyCap {
            week,
            minutes,
            limit,
        } => {
            args.push(("week", format!("{}-W{:02}", week.0, week.1)));
            args.push(("hours", h(*minutes)));
            args.push(("limit", h(*limit)));
        }
        Conflict::RequestCancelled | Conflict::AlreadyAssigned => {}
    }
    t(lang, &format!("staff-conflict-{}", c.code()), &args)
}

// ---------------------------------------------------------------- board

#[derive(Debug, Default, Deserialize, Clone)]
struct BoardQuery {
    pool: Option<String>,
    datum: Option<String>,
    vy: Option<String>,
}

/// What failed on the board, to show it again around the form.
#[derive(Default)]
struct Failed {
    /// The request whose assignment was refused, with the messages.
    request_id: Option<i64>,
    conflicts: Vec<String>,
    /// The order form's errors and values.
    order: Option<(ValidationErrors, Value)>,
    /// The new-pool form's errors and values.
    pool: Option<(ValidationErrors, Value)>,
}

fn request_json(r: &Request, staff: &[Staff], lang: Lang) -> Value {
    let options: Vec<Value> = match Ssyk4::parse(&r.occupation_ssyk) {
        Some(needs) => staff
            .iter()
            .filter(|s| {
                Ssyk4::parse(&s.occupation_ssyk).is_some_and(|o| occupation_fits(&o, &needs))
                    && s.active_from <= r.work_date
                    && s.active_to.is_none_or(|t| r.work_date <= t)
                    && !r.assignments.iter().any(|a| a.staff_id == s.id)
            })
            .map(|s| {
                json!({"id": s.id, "label": s.label, "form": t(lang, &format!("staff-form-{}", s.employment_form), &[])})
            })
            .collect(),
        None => vec![],
    };
    json!({
        "id": r.id,
        "unit_name": r.unit_name,
        "date": r.work_date.to_string(),
        "weekday": t(lang, &format!("staff-weekday-{}", r.work_date.weekday().num_days_from_monday()), &[]),
        "start": format_time(r.start_minute),
        "end": format_time(r.end_minute),
        "night": r.end_minute > 1440,
        "occupation": r.occupation_ssyk,
        "count": r.staff_count,
        "assigned": r.assigned,
        "state": r.fill_state(),
        "note": r.note,
        "assignments": r.assignments.iter().map(|a| json!({"id": a.id, "label": a.label,
            "worked": a.worked_minutes.map(|m| format!("{:.2}", m as f64 / 60.0).trim_end_matches('0').trim_end_matches('.').to_string())})).collect::<Vec<_>>(),
        "options": options,
    })
}

async fn board_page(
    state: &AppState,
    user: &UiUser,
    q: &BoardQuery,
    failed: Failed,
    status: StatusCode,
) -> Response {
    if !may(user, StaffingAction::ReadOrders) {
        return user_error_page(user, Problem::forbidden());
    }
    let pools = match state.store.staffing_pools_for_orders(&user.ctx).await {
        Ok(p) => p,
        Err(e) => return user_error_page(user, e.into()),
    };
    let pool_id = blank(&q.pool)
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|id| pools.iter().any(|p| p.0 == *id))
        .or_else(|| pools.first().map(|p| p.0));
    let today = user.ctx.today();
    let day = blank(&q.datum)
        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .unwrap_or(today);
    let week = q.vy.as_deref() == Some("vecka");
    let (from, to) = if week {
        let monday = day - Duration::days(day.weekday().num_days_from_monday() as i64);
        (monday, monday + Duration::days(6))
    } else {
        (day, day)
    };
    let step = if week { 7 } else { 1 };
    let mut ctx = base_context(user.lang, Some(user), "/bemanning", "staffing");
    let manage = may(user, StaffingAction::Manage);
    let mut requests = vec![];
    if let Some(pool) = pool_id {
        let reqs = match state
            .store
            .list_staffing_requests(
                &user.ctx,
                pool,
                &RequestFilter {
                    from: Some(from),
                    to: Some(to),
                    unit_id: None,
                },
            )
            .await
        {
            Ok(r) => r,
            Err(e) => return user_error_page(user, e.into()),
        };
        let staff = if manage {
            match state.store.list_staffing_staff(&user.ctx, pool).await {
                Ok(s) => s,
                Err(e) => return user_error_page(user, e.into()),
            }
        } else {
            vec![]
        };
        let mut fill = vagar_domain::work::staffing::Fill::default();
        for r in reqs.iter().filter(|r| r.status != "cancelled") {
            fill.add(r.staff_count, r.assigned);
        }
        ctx.insert(
            "period_fill".into(),
            json!({"filled": fill.filled, "requested": fill.requested}),
        );
        for r in &reqs {
            let mut j = request_json(r, &staff, user.lang);
            if failed.request_id == Some(r.id) {
                j["conflicts"] = json!(failed.conflicts);
            }
            requests.push(j);
        }
    }
    let orgs = match state.store.list_organisations().await {
        Ok(o) => o,
        Err(e) => return user_error_page(user, e.into()),
    };
    // Units one may order for: any municipal unit, or one's own.
    let units: Vec<Value> = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::MunicipalUnit)
        .filter(|o| manage || o.id == user.ctx.actor.organisation_id)
        .map(|o| json!({"id": o.id, "name": o.name}))
        .collect();
    // The new-pool form (managers only): any organisation may run a pool;
    // the intervention is one of the staffing model's.
    if manage {
        let interventions = match state.store.list_interventions(&user.ctx, None).await {
            Ok(i) => i,
            Err(e) => return user_error_page(user, e.into()),
        };
        ctx.insert(
            "pool_orgs".into(),
            json!(orgs
                .iter()
                .map(|o| json!({"id": o.id, "name": o.name}))
                .collect::<Vec<_>>()),
        );
        ctx.insert(
            "pool_interventions".into(),
            json!(interventions
                .iter()
                .filter(|i| i.model.as_deref() == Some("staffing"))
                .map(|i| json!({"id": i.id, "name": i.name}))
                .collect::<Vec<_>>()),
        );
        let (m, l, v) = match &failed.pool {
            Some((e, v)) => {
                let (m, l) = errors_json(user.lang, e);
                (m, l, v.clone())
            }
            None => (json!({}), json!([]), json!({"week_cap": "40"})),
        };
        ctx.insert("pool_errors".into(), m);
        ctx.insert("pool_error_list".into(), l);
        ctx.insert("pool_values".into(), v);
    }
    let (order_errors, order_list, order_values) = match &failed.order {
        Some((e, v)) => {
            let (m, l) = errors_json(user.lang, e);
            (m, l, v.clone())
        }
        None => (
            json!({}),
            json!([]),
            json!({"work_date": day.to_string(), "staff_count": "1", "start_time": "07:00", "end_time": "16:00"}),
        ),
    };
    ctx.insert(
        "pools".into(),
        json!(pools
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect::<Vec<_>>()),
    );
    ctx.insert("pool_id".into(), json!(pool_id));
    ctx.insert("requests".into(), json!(requests));
    ctx.insert("day".into(), json!(day.to_string()));
    ctx.insert("from".into(), json!(from.to_string()));
    ctx.insert("to".into(), json!(to.to_string()));
    ctx.insert("week".into(), json!(week));
    ctx.insert(
        "prev".into(),
        json!((day - Duration::days(step)).to_string()),
    );
    ctx.insert(
        "next".into(),
        json!((day + Duration::days(step)).to_string()),
    );
    ctx.insert("manage".into(), json!(manage));
    ctx.insert(
        "may_order".into(),
        json!(may(user, StaffingAction::Order) && !units.is_empty()),
    );
    ctx.insert(
        "may_stats".into(),
        json!(may(user, StaffingAction::ReadStatistics)),
    );
    ctx.insert("units".into(), json!(units));
    ctx.insert("errors".into(), order_errors);
    ctx.insert("error_list".into(), order_list);
    ctx.insert("values".into(), order_values);
    ctx.insert("vy".into(), json!(if week { "vecka" } else { "dag" }));
    render(&state.templates, "work/staffing/board.html", ctx, status)
}

async fn board(
    State(state): State<AppState>,
    user: UiUser,
    Query(q): Query<BoardQuery>,
) -> Response {
    board_page(&state, &user, &q, Failed::default(), StatusCode::OK).await
}

impl BoardQuery {
    /// The board as it was (pool, day, view), to go back to after a form.
    fn back(&self) -> String {
        back(&self.pool, &self.datum, &self.vy)
    }
}

fn back(pool: &Option<String>, day: &Option<String>, vy: &Option<String>) -> String {
    let mut parts = vec![];
    if let Some(p) = blank(pool).and_then(|s| s.parse::<i64>().ok()) {
        parts.push(format!("pool={p}"));
    }
    if let Some(d) = blank(day).and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()) {
        parts.push(format!("datum={d}"));
    }
    if vy.as_deref() == Some("vecka") {
        parts.push("vy=vecka".into());
    }
    format!("/bemanning?{}", parts.join("&"))
}

#[derive(Debug, Default, Deserialize, Clone)]
struct OrderForm {
    /// The board the form was sent from.
    #[serde(flatten)]
    q: BoardQuery,
    unit_id: Option<String>,
    work_date: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    occupation: Option<String>,
    staff_count: Option<String>,
    note: Option<String>,
}

async fn create_request(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<OrderForm>,
) -> Response {
    if !may(&user, StaffingAction::Order) {
        return user_error_page(&user, Problem::forbidden());
    }
    let q = &f.q;
    let Some(pool) = blank(&q.pool).and_then(|s| s.parse::<i64>().ok()) else {
        return user_error_page(&user, Problem::not_found());
    };
    let mut e = ValidationErrors::new();
    let input = RequestInput {
        unit_id: number(&mut e, "unit_id", &f.unit_id),
        work_date: blank(&f.work_date),
        start_time: blank(&f.start_time),
        end_time: blank(&f.end_time),
        occupation: blank(&f.occupation),
        staff_count: number(&mut e, "staff_count", &f.staff_count),
        note: blank(&f.note),
    };
    let values = json!({"unit_id": f.unit_id, "work_date": f.work_date, "start_time": f.start_time, "end_time": f.end_time,
                        "occupation": f.occupation, "staff_count": f.staff_count, "note": f.note});
    let refused = |e| {
        let failed = Failed {
            order: Some((e, values.clone())),
            ..Default::default()
        };
        board_page(&state, &user, q, failed, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let data = match with_rules(e, RequestData::from_input(&input)) {
        Ok(d) => d,
        Err(e) => return refused(e).await,
    };
    match state
        .store
        .create_staffing_request(&user.ctx, pool, &data)
        .await
    {
        Ok(r) => {
            Redirect::to(&back(&q.pool, &Some(r.work_date.to_string()), &q.vy)).into_response()
        }
        Err(StoreError::Validation(e)) => refused(e).await,
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
struct PoolForm {
    name: Option<String>,
    organisation_id: Option<String>,
    intervention_id: Option<String>,
    hourly_price: Option<String>,
    week_cap: Option<String>,
}

/// A new pool from the board's form, through the same store function as
/// the API; on success the new pool's page.
async fn create_pool(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<PoolForm>,
) -> Response {
    if !may(&user, StaffingAction::Manage) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut e = ValidationErrors::new();
    let input = PoolInput {
        name: blank(&f.name),
        organisation_id: number(&mut e, "organisation_id", &f.organisation_id),
        intervention_id: number(&mut e, "intervention_id", &f.intervention_id),
        hourly_price_ore: kronor(&mut e, "hourly_price_ore", &f.hourly_price),
        hourly_week_cap_minutes: hours_field(&mut e, "hourly_week_cap_minutes", &f.week_cap),
    };
    let values = json!({"name": f.name, "organisation_id": f.organisation_id, "intervention_id": f.intervention_id,
                        "hourly_price": f.hourly_price, "week_cap": f.week_cap});
    let board = BoardQuery::default();
    let refused = |e| {
        let failed = Failed {
            pool: Some((e, values.clone())),
            ..Default::default()
        };
        board_page(
            &state,
            &user,
            &board,
            failed,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let data = match with_rules(e, PoolData::from_input(&input)) {
        Ok(d) => d,
        Err(e) => return refused(e).await,
    };
    match state.store.create_staffing_pool(&user.ctx, &data).await {
        Ok(p) => Redirect::to(&format!("/bemanning/pool/{}", p.id)).into_response(),
        Err(StoreError::Validation(e)) => refused(e).await,
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
struct AssignForm {
    /// The board the form was sent from.
    #[serde(flatten)]
    q: BoardQuery,
    staff_id: Option<String>,
}

async fn assign(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<AssignForm>,
) -> Response {
    let id = match managed_target(&user, &id) {
        Ok(id) => id,
        Err(p) => return user_error_page(&user, p),
    };
    let q = &f.q;
    let Some(staff_id) = blank(&f.staff_id).and_then(|s| s.parse::<i64>().ok()) else {
        let failed = Failed {
            request_id: Some(id),
            conflicts: vec![t(user.lang, "staff-err-choose_staff", &[])],
            ..Default::default()
        };
        return board_page(&state, &user, q, failed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state
        .store
        .assign_staffing(&user.ctx, id, &[staff_id])
        .await
    {
        Ok(Ok(_)) => Redirect::to(&f.q.back()).into_response(),
        Ok(Err(refusals)) => {
            let conflicts = refusals
                .iter()
                .flat_map(|r: &Refusal| {
                    r.conflicts
                        .iter()
                        .map(|c| conflict_text(user.lang, &r.label, c))
                        .collect::<Vec<_>>()
                })
                .collect();
            let failed = Failed {
                request_id: Some(id),
                conflicts,
                ..Default::default()
            };
            board_page(&state, &user, q, failed, StatusCode::CONFLICT).await
        }
        Err(StoreError::Validation(_)) => {
            let failed = Failed {
                request_id: Some(id),
                conflicts: vec![t(user.lang, "staff-err-choose_staff", &[])],
                ..Default::default()
            };
            board_page(&state, &user, q, failed, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
struct BackForm {
    #[serde(flatten)]
    q: BoardQuery,
}

async fn cancel(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(f): CsrfForm<BackForm>,
) -> Response {
    match state.store.cancel_staffing_request(&user.ctx, id).await {
        Ok(_) | Err(StoreError::Conflict { .. }) => Redirect::to(&f.q.back()).into_response(),
        Err(e) => user_error_page(&user, e.into()),
    }
}

async fn unassign(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(f): CsrfForm<BackForm>,
) -> Response {
    match state.store.remove_staffing_assignment(&user.ctx, id).await {
        Ok(()) => Redirect::to(&f.q.back()).into_response(),
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
struct WorkedForm {
    /// The board the form was sent from.
    #[serde(flatten)]
    q: BoardQuery,
    request_id: Option<String>,
    hours: Option<String>,
}

async fn worked_refused(
    state: &AppState,
    user: &UiUser,
    q: &BoardQuery,
    request_id: Option<i64>,
) -> Response {
    let failed = Failed {
        request_id,
        conflicts: vec![t(user.lang, "staff-err-worked", &[])],
        ..Default::default()
    };
    board_page(state, user, q, failed, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Report the hours actually worked on an assignment (decimal comma or point).
async fn report_worked(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<WorkedForm>,
) -> Response {
    let id = match managed_target(&user, &id) {
        Ok(id) => id,
        Err(p) => return user_error_page(&user, p),
    };
    let q = &f.q;
    let request_id = blank(&f.request_id).and_then(|s| s.parse::<i64>().ok());
    let mut e = ValidationErrors::new();
    let minutes = hours_field(&mut e, "worked_minutes", &f.hours);
    if minutes.is_none() {
        return worked_refused(&state, &user, q, request_id).await;
    }
    match state
        .store
        .report_staffing_worked(&user.ctx, id, minutes)
        .await
    {
        Ok(_) => Redirect::to(&f.q.back()).into_response(),
        Err(StoreError::Validation(_)) => worked_refused(&state, &user, q, request_id).await,
        Err(e) => user_error_page(&user, e.into()),
    }
}

// ---------------------------------------------------------------- pool page

async fn pool_page(State(state): State<AppState>, user: UiUser, PageId(id): PageId) -> Response {
    pool_page_with(&state, &user, id, None, StatusCode::OK).await
}

/// Which pool-page form failed: `staff` or `training`, its errors and values.
type PoolFailed = Option<(&'static str, ValidationErrors, Value)>;

/// The pool page again with a form's errors and the values typed into it.
async fn pool_refused(
    state: &AppState,
    user: &UiUser,
    id: i64,
    form: &'static str,
    e: ValidationErrors,
    values: Value,
) -> Response {
    let failed = Some((form, e, values));
    pool_page_with(state, user, id, failed, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn pool_page_with(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: PoolFailed,
    status: StatusCode,
) -> Response {
    let pool = match state.store.read_staffing_pool(&user.ctx, id).await {
        Ok(p) => p,
        Err(e) => return user_error_page(user, e.into()),
    };
    let staff = match state.store.list_staffing_staff(&user.ctx, id).await {
        Ok(s) => s,
        Err(e) => return user_error_page(user, e.into()),
    };
    let training = match state.store.list_staffing_training(&user.ctx, id).await {
        Ok(t) => t,
        Err(e) => return user_error_page(user, e.into()),
    };
    let lang = user.lang;
    let mut ctx = base_context(
        lang,
        Some(user),
        &format!("/bemanning/pool/{id}"),
        "staffing",
    );
    ctx.insert(
        "pool".into(),
        json!({"id": pool.id, "name": pool.name, "organisation_name": pool.organisation_name,
               "price": format!("{:.2}", pool.hourly_price_ore as f64 / 100.0),
               "cap_hours": pool.hourly_week_cap_minutes as f64 / 60.0, "staff_count": pool.staff_count}),
    );
    ctx.insert(
        "staff".into(),
        json!(staff
            .iter()
            .map(|s| json!({"label": s.label, "code": s.code, "participant": s.is_participant,
                            "form": t(lang, &format!("staff-form-{}", s.employment_form), &[]),
                            "occupation": s.occupation_ssyk, "wage": format!("{:.2}", s.hourly_wage_ore as f64 / 100.0),
                            "from": s.active_from.to_string(), "to": s.active_to.map(|d| d.to_string())}))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "training".into(),
        json!(training
            .iter()
            .map(|tr| json!({"label": tr.staff_label, "course": tr.course, "occupation": tr.occupation_ssyk,
                             "shortage": tr.shortage, "total": tr.credits_total, "done": tr.credits_done,
                             "percent": if tr.credits_total > 0 { tr.credits_done * 100 / tr.credits_total } else { 0 },
                             "started": tr.started_on.to_string(), "completed": tr.completed_on.map(|d| d.to_string())}))
            .collect::<Vec<_>>()),
    );
    ctx.insert("manage".into(), json!(may(user, StaffingAction::Manage)));
    ctx.insert(
        "staff_options".into(),
        json!(staff
            .iter()
            .map(|s| json!({"id": s.id, "label": s.label}))
            .collect::<Vec<_>>()),
    );
    let (form, errors, values) = match failed {
        Some((form, e, v)) => (form, e, v),
        None => (
            "",
            ValidationErrors::new(),
            json!({"employment_form": "full_time", "occupation": "5321", "credits_total": "1500", "credits_done": "0"}),
        ),
    };
    let (m, l) = errors_json(lang, &errors);
    ctx.insert("failed_form".into(), json!(form));
    ctx.insert("errors".into(), m);
    ctx.insert("error_list".into(), l);
    ctx.insert("values".into(), values);
    render(&state.templates, "work/staffing/pool.html", ctx, status)
}

#[derive(Debug, Default, Deserialize, Clone)]
struct StaffForm {
    participant_id: Option<String>,
    name: Option<String>,
    employment_form: Option<String>,
    occupation: Option<String>,
    hourly_wage: Option<String>,
    active_from: Option<String>,
    active_to: Option<String>,
}

/// Kronor typed with a decimal comma or point, as öre.
fn kronor(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    let v = blank(v)?;
    match v.replace(',', ".").replace(' ', "").parse::<f64>() {
        Ok(k) if k.is_finite() && k >= 0.0 => Some((k * 100.0).round() as i64),
        _ => {
            e.add(field, "out_of_range", format!("{field} must be an amount"));
            None
        }
    }
}

async fn add_staff(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<StaffForm>,
) -> Response {
    let id = match managed_target(&user, &id) {
        Ok(id) => id,
        Err(p) => return user_error_page(&user, p),
    };
    let mut e = ValidationErrors::new();
    let input = StaffInput {
        participant_id: number(&mut e, "participant_id", &f.participant_id),
        name: blank(&f.name),
        employment_form: blank(&f.employment_form),
        occupation: blank(&f.occupation),
        hourly_wage_ore: kronor(&mut e, "hourly_wage_ore", &f.hourly_wage),
        active_from: blank(&f.active_from),
        active_to: blank(&f.active_to),
    };
    let values = json!({"participant_id": f.participant_id, "name": f.name, "employment_form": f.employment_form,
        "occupation": f.occupation, "hourly_wage": f.hourly_wage, "active_from": f.active_from, "active_to": f.active_to});
    let data = match with_rules(e, StaffData::from_input(&input)) {
        Ok(d) => d,
        Err(e) => return pool_refused(&state, &user, id, "staff", e, values).await,
    };
    match state.store.add_staffing_staff(&user.ctx, id, &data).await {
        Ok(_) => Redirect::to(&format!("/bemanning/pool/{id}")).into_response(),
        Err(StoreError::Validation(e)) => pool_refused(&state, &user, id, "staff", e, values).await,
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
struct TrainingForm {
    staff_id: Option<String>,
    course: Option<String>,
    occupation: Option<String>,
    credits_total: Option<String>,
    credits_done: Option<String>,
    started_on: Option<String>,
    completed_on: Option<String>,
}

async fn add_training(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<TrainingForm>,
) -> Response {
    let id = match managed_target(&user, &id) {
        Ok(id) => id,
        Err(p) => return user_error_page(&user, p),
    };
    let mut e = ValidationErrors::new();
    let staff_id = number(&mut e, "staff_id", &f.staff_id);
    if staff_id.is_none() && e.for_field("staff_id").is_none() {
        e.add("staff_id", "required", "staff_id is required");
    }
    let input = TrainingInput {
        course: blank(&f.course),
        occupation: blank(&f.occupation),
        credits_total: number(&mut e, "credits_total", &f.credits_total),
        credits_done: number(&mut e, "credits_done", &f.credits_done),
        started_on: blank(&f.started_on),
        completed_on: blank(&f.completed_on),
    };
    let values = json!({"staff_id": f.staff_id, "course": f.course, "occupation": f.occupation, "credits_total": f.credits_total,
        "credits_done": f.credits_done, "started_on": f.started_on, "completed_on": f.completed_on});
    let data = match with_rules(e, TrainingData::from_input(&input)) {
        Ok(d) => d,
        Err(e) => return pool_refused(&state, &user, id, "training", e, values).await,
    };
    // The member of staff must be of this pool.
    let staff = match state.store.list_staffing_staff(&user.ctx, id).await {
        Ok(s) => s,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let staff_id = staff_id.unwrap_or(0);
    if !staff.iter().any(|s| s.id == staff_id) {
        let mut e = ValidationErrors::new();
        e.add(
            "staff_id",
            "required",
            "staff_id must name staff of this pool",
        );
        return pool_refused(&state, &user, id, "training", e, values).await;
    }
    match state
        .store
        .add_staffing_training(&user.ctx, staff_id, &data)
        .await
    {
        Ok(_) => Redirect::to(&format!("/bemanning/pool/{id}")).into_response(),
        Err(StoreError::Validation(e)) => {
            pool_refused(&state, &user, id, "training", e, values).await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

// ---------------------------------------------------------------- statistics

#[derive(Debug, Default, Deserialize, Clone)]
struct StatsQuery {
    enhet: Option<String>,
}

/// A server-rendered line chart: one line per unit, share 0–100 % by month.
pub fn share_chart(
    series: &BTreeMap<String, Vec<(String, f64)>>,
    months: &[String],
    lang: Lang,
) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 300.0, 48.0, 16.0, 16.0, 40.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let n = months.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + plot_w * (i as f64) / n;
    let y = |share: f64| top + plot_h * (1.0 - share);
    let colors = [
        "#1e6bb8", "#c0392b", "#2e7d32", "#8e44ad", "#b9770e", "#00796b",
    ];
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"share-chart-title\" class=\"staff-chart\"><title id=\"share-chart-title\">{}</title>",
        esc(&t(lang, "staff-chart-title", &[]))
    );
    for pct in [0, 25, 50, 75, 100] {
        let yy = y(pct as f64 / 100.0);
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#ccc\" stroke-width=\"1\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{pct} %</text>",
            w - right,
            left - 6.0,
            yy + 4.0
        ));
    }
    let label_every = (months.len() / 6).max(1);
    for (i, m) in months.iter().enumerate() {
        if i % label_every == 0 || i + 1 == months.len() {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
                x(i),
                h - bottom + 18.0,
                esc(m)
            ));
        }
    }
    for (k, (unit, points)) in series.iter().enumerate() {
        let color = colors[k % colors.len()];
        let coords: Vec<String> = points
            .iter()
            .filter_map(|(m, s)| {
                months
                    .iter()
                    .position(|mm| mm == m)
                    .map(|i| format!("{:.1},{:.1}", x(i), y(*s)))
            })
            .collect();
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" points=\"{}\"><title>{}</title></polyline>",
            coords.join(" "),
            esc(unit)
        ));
        for c in &coords {
            let (cx, cy) = c.split_once(',').unwrap_or(("0", "0"));
            svg.push_str(&format!(
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"3.5\" fill=\"{color}\"/>"
            ));
        }
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}</text>",
            left + 8.0 + 150.0 * k as f64,
            h - 14.0,
            left + 24.0 + 150.0 * k as f64,
            h - 4.0,
            esc(unit)
        ));
    }
    svg.push_str("</svg>");
    svg
}

async fn stats_page(
    state: &AppState,
    user: &UiUser,
    failed: Option<(ValidationErrors, Value)>,
    flash: Option<&str>,
    status: StatusCode,
) -> Response {
    let stats = may(user, StaffingAction::ReadStatistics);
    let order = may(user, StaffingAction::Order);
    if !stats && !order {
        return user_error_page(user, Problem::forbidden());
    }
    let lang = user.lang;
    let mut ctx = base_context(lang, Some(user), "/bemanning/statistik", "staffing");
    if stats {
        let fill = match state.store.staffing_fill_rate(&user.ctx, None).await {
            Ok(f) => f,
            Err(e) => return user_error_page(user, e.into()),
        };
        let by_pool =
            crate::work::staffing::api::fill_by(&fill, |r| (r.pool_name.clone(), r.month.clone()));
        ctx.insert(
            "fill_pools".into(),
            json!(by_pool
                .iter()
                .map(|((pool, month), (_, f))| json!({"pool": pool, "month": month,
                    "requested": f.requested, "filled": f.filled,
                    "rate": f.rate().map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "–".into())}))
                .collect::<Vec<_>>()),
        );
        let by_unit =
            crate::work::staffing::api::fill_by(&fill, |r| (r.unit_name.clone(), r.month.clone()));
        ctx.insert(
            "fill".into(),
            json!(by_unit
                .iter()
                .map(|((unit, month), (_, f))| json!({"unit": unit, "month": month, "requested": f.requested, "filled": f.filled,
                    "rate": f.rate().map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "–".into())}))
                .collect::<Vec<_>>()),
        );
        let series = match state.store.staffing_hourly_share(&user.ctx, None).await {
            Ok(s) => s,
            Err(e) => return user_error_page(user, e.into()),
        };
        let mut months: Vec<String> = series.iter().map(|(_, p)| p.month.clone()).collect();
        months.sort();
        months.dedup();
        let mut lines: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
        for (name, p) in &series {
            if let Some(s) = p.share {
                lines
                    .entry(name.clone())
                    .or_default()
                    .push((p.month.clone(), s));
            }
        }
        ctx.insert(
            "chart".into(),
            json!(if series.is_empty() {
                String::new()
            } else {
                share_chart(&lines, &months, lang)
            }),
        );
        ctx.insert(
            "share".into(),
            json!(series
                .iter()
                .map(|(name, p)| json!({"unit": name, "month": p.month,
                    "hourly": format!("{:.1}", p.hourly_minutes as f64 / 60.0),
                    "total": format!("{:.1}", p.total_minutes as f64 / 60.0),
                    "share": p.share.map(|s| format!("{:.1} %", s * 100.0)).unwrap_or_else(|| "–".into())}))
                .collect::<Vec<_>>()),
        );
    }
    ctx.insert("may_stats".into(), json!(stats));
    ctx.insert("may_report".into(), json!(order));
    if order {
        let manage = may(user, StaffingAction::Manage);
        let units: Vec<Value> = match state.store.list_organisations().await {
            Ok(orgs) => orgs
                .into_iter()
                .filter(|o| {
                    o.kind == OrgKind::MunicipalUnit
                        && (manage || o.id == user.ctx.actor.organisation_id)
                })
                .map(|o| json!({"id": o.id, "name": o.name}))
                .collect(),
            Err(e) => return user_error_page(user, e.into()),
        };
        ctx.insert("units".into(), json!(units));
    }
    let (errors, list, values) = match failed {
        Some((e, v)) => {
            let (m, l) = errors_json(lang, &e);
            (m, l, v)
        }
        None => (
            json!({}),
            json!([]),
            json!({"month": user.ctx.today().format("%Y-%m").to_string()}),
        ),
    };
    ctx.insert("errors".into(), errors);
    ctx.insert("error_list".into(), list);
    ctx.insert("values".into(), values);
    if let Some(f) = flash {
        ctx.insert("flash".into(), json!(f));
    }
    render(&state.templates, "work/staffing/stats.html", ctx, status)
}

async fn stats(
    State(state): State<AppState>,
    user: UiUser,
    Query(q): Query<StatsQuery>,
) -> Response {
    let flash = (q.enhet.as_deref() == Some("sparad")).then_some("staff-hours-saved");
    stats_page(&state, &user, None, flash, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, Clone)]
struct HoursForm {
    unit_id: Option<String>,
    month: Option<String>,
    total_hours: Option<String>,
    hourly_hours: Option<String>,
}

/// Hours typed with a decimal comma or point, as minutes.
fn hours_field(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    let v = blank(v)?;
    match v.replace(',', ".").parse::<f64>() {
        Ok(h) if h.is_finite() && h >= 0.0 => Some((h * 60.0).round() as i64),
        _ => {
            e.add(
                field,
                "out_of_range",
                format!("{field} must be a number of hours"),
            );
            None
        }
    }
}

async fn report_hours(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<HoursForm>,
) -> Response {
    if !may(&user, StaffingAction::Order) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut e = ValidationErrors::new();
    let input = UnitHoursInput {
        unit_id: number(&mut e, "unit_id", &f.unit_id),
        month: blank(&f.month),
        total_minutes: hours_field(&mut e, "total_minutes", &f.total_hours),
        hourly_minutes: hours_field(&mut e, "hourly_minutes", &f.hourly_hours),
    };
    let values = json!({"unit_id": f.unit_id, "month": f.month, "total_hours": f.total_hours, "hourly_hours": f.hourly_hours});
    let data = match with_rules(e, UnitHoursData::from_input(&input)) {
        Ok(d) => d,
        Err(e) => {
            return stats_page(
                &state,
                &user,
                Some((e, values)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match state.store.report_unit_hours(&user.ctx, &data).await {
        Ok(_) => Redirect::to("/bemanning/statistik?enhet=sparad").into_response(),
        Err(StoreError::Validation(e)) => {
            stats_page(
                &state,
                &user,
                Some((e, values)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}
